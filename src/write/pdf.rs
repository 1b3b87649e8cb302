//! PDF writer: typst as a library.
//!
//! The `Document` is serialised to JSON and handed to typst as the file `data.json`;
//! the style file (`templates/style.typ`) reads it with `json(...)` and lays it out.
//! So catalogue and questionnaire text reaches typst only as data, never as markup.
//! Output is PDF/A-2b and tagged, with the fonts embedded in the binary.

use chrono::Datelike;
use typst::diag::{FileError, FileResult, Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diag::{Diagnostic, Location};
use crate::document::Document;

/// What every PDF shares: the standard library and the fonts. Build it once and
/// reuse it for every document of a run; it is set up on first use, so a run that
/// writes no PDF does not pay for it.
pub struct PdfEngine {
    font_files: Vec<&'static [u8]>,
    shared: std::sync::OnceLock<Shared>,
}

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl PdfEngine {
    /// An engine with the given font files (TrueType/OpenType bytes).
    pub fn new(font_files: &[&'static [u8]]) -> PdfEngine {
        PdfEngine {
            font_files: font_files.to_vec(),
            shared: std::sync::OnceLock::new(),
        }
    }

    fn shared(&self) -> &Shared {
        self.shared.get_or_init(|| {
            let fonts: Vec<Font> = self
                .font_files
                .iter()
                .flat_map(|bytes| Font::iter(Bytes::new(*bytes)))
                .collect();
            Shared {
                library: LazyHash::new(Library::builder().build()),
                book: LazyHash::new(FontBook::from_fonts(&fonts)),
                fonts,
            }
        })
    }
}

/// The style file given to `write`: its name for messages and its typst source.
pub struct Style<'a> {
    /// Name used in error messages.
    pub display: &'a str,
    /// Typst source.
    pub source: &'a str,
}

struct DocWorld<'a> {
    engine: &'a Shared,
    main: Source,
    data: Bytes,
    data_id: FileId,
    today: Option<Datetime>,
}

fn file_id(name: &str) -> FileId {
    let vpath = VirtualPath::new(name).expect("a plain file name is a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            // The style may read nothing but its data: no files, no packages.
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Typeset a document to PDF/A-2b. `ident` seeds the PDF's document id, so the same
/// input gives the same bytes.
pub fn write(
    engine: &PdfEngine,
    style: &Style<'_>,
    doc: &Document,
    ident: &str,
) -> Result<Vec<u8>, Diagnostic> {
    let date = chrono::NaiveDate::parse_from_str(&doc.meta.date, "%Y-%m-%d").map_err(|_| {
        Diagnostic::error(format!(
            "internal error: document date `{}` is not a date",
            doc.meta.date
        ))
    })?;
    let today = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8);
    let json =
        serde_json::to_vec(doc).map_err(|e| Diagnostic::error(format!("internal error: {e}")))?;
    let world = DocWorld {
        engine: engine.shared(),
        main: Source::new(file_id("style.typ"), style.source.to_string()),
        data: Bytes::new(json),
        data_id: file_id("data.json"),
        today,
    };
    let warned = typst::compile::<PagedDocument>(&world);
    let mut paged = warned
        .output
        .map_err(|errors| typst_diagnostic(&world, style, &errors))?;
    // The document's properties come from here rather than from a `set document`
    // rule in the style: see the style file for why.
    let info = paged.info_mut();
    info.title = Some(doc.meta.title.as_str().into());
    info.author = vec![doc.meta.author.as_str().into()];
    info.keywords = doc
        .meta
        .keywords
        .iter()
        .map(|k| k.as_str().into())
        .collect();
    info.date = Smart::Custom(today);
    let standards = PdfStandards::new(&[PdfStandard::A_2b])
        .map_err(|e| Diagnostic::error(format!("internal error: {}", e.message())))?;
    let timestamp =
        Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(doc.meta.generator.clone())),
        timestamp,
        standards,
        tagged: true,
        ..PdfOptions::default()
    };
    let pdf =
        typst_pdf::pdf(&paged, &options).map_err(|errors| typst_diagnostic(&world, style, &errors));
    // typst memoises layout in a process-wide cache. Keep what the last few
    // documents used (clause text recurs from annex to annex) and drop the rest,
    // so that memory does not grow with the number of documents in a batch.
    typst::comemo::evict(EVICT_AFTER);
    pdf
}

/// Cache entries unused for this many documents are evicted.
const EVICT_AFTER: usize = 4;

/// The first error typst reports, located in the style file when it has a span there.
fn typst_diagnostic(
    world: &DocWorld<'_>,
    style: &Style<'_>,
    errors: &[SourceDiagnostic],
) -> Diagnostic {
    let Some(first) = errors
        .iter()
        .find(|d| d.severity == TypstSeverity::Error)
        .or(errors.first())
    else {
        return Diagnostic::error("the PDF could not be typeset (typst reported no detail)");
    };
    let mut d = Diagnostic::error(format!("PDF style error: {}", first.message));
    if let Some(range) = world.range(first.span)
        && let Some((line, column)) = world.main.lines().byte_to_line_column(range.start)
    {
        let source_line = style.source.lines().nth(line).unwrap_or("").to_string();
        let width = style.source[range.clone()]
            .lines()
            .next()
            .map_or(1, |s| s.chars().count());
        d.location = Some(Location {
            file: style.display.to_string(),
            line: line + 1,
            column: column + 1,
            width: width.max(1),
            source_line,
        });
    }
    if let Some(hint) = first.hints.first() {
        d.help = Some(hint.v.to_string());
    }
    d
}
