//! What each fuzz target does with its input, and the invariants it checks.
//!
//! One function per target (`questionnaire`, `catalogue`, `markdown`, `docx`,
//! `pdf`). Each takes the raw fuzzer bytes, runs them through the library as the CLI
//! would, panics when an invariant breaks, and says whether the input was accepted
//! or refused (with the diagnostics). The fuzz targets in `fuzz/fuzz_targets/` call
//! these functions, and `tests/testsuite/fuzz_regressions.rs` includes this very
//! file (`#[path]`), so a reproducer replays through exactly the fuzzer's code path.
//!
//! This file only uses what the main crate's tests can also use (secannex, chrono,
//! serde_json, zip, quick-xml): no libfuzzer-sys here.

use std::io::Read as _;
use std::sync::OnceLock;

use secannex::catalogue::{self, CatalogueFile};
use secannex::diag::{self, Diagnostic};
use secannex::document::{self, Block, Document};
use secannex::generate::{self, Format, Request, Resources};
use secannex::write::{docx, pdf};
use secannex::yaml::SourceFile;

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// The input was accepted (and everything downstream of it worked).
    Accepted,
    /// The input was refused with these diagnostics (at least one is an error).
    Refused(Vec<Diagnostic>),
}

/// The built-in catalogue files, as the binary embeds them.
fn builtin_files() -> &'static [CatalogueFile] {
    static FILES: OnceLock<Vec<CatalogueFile>> = OnceLock::new();
    FILES.get_or_init(secannex::cli::files::builtin_catalogue)
}

/// Built-in catalogue and templates, loaded once per process.
pub fn resources() -> &'static Resources {
    static RES: OnceLock<Resources> = OnceLock::new();
    RES.get_or_init(|| {
        secannex::cli::files::builtin_resources()
            .unwrap_or_else(|d| panic!("built-in resources invalid:\n{}", diag::render_all(&d)))
    })
}

/// The annex date used when the input does not fix one.
fn fallback_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("valid date")
}

/// The lines of a YAML file as YAML counts them: `\r\n`, `\n` and a lone `\r`
/// each end a line (YAML 1.2, 5.4).
fn yaml_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['\n', '\r']) {
        lines.push(&rest[..i]);
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

/// Invariants of a diagnostic list returned for `file` (when there is one): it
/// renders; an error is present exactly when the input was refused; a location in
/// the input is inside it and shows the line it points at.
fn check_diags(diags: &[Diagnostic], refused: bool, file: Option<&SourceFile>) {
    let rendered = diag::render_all(diags);
    assert_eq!(rendered.is_empty(), diags.is_empty());
    assert_eq!(
        refused,
        diag::has_errors(diags),
        "refused exactly when there is an error:\n{rendered}"
    );
    for d in diags {
        assert!(!d.message.is_empty(), "a diagnostic without a message");
        if let (Some(loc), Some(file)) = (&d.location, file)
            && loc.file == file.name
            && loc.line > 0
        {
            let lines = yaml_lines(&file.text);
            assert!(
                loc.line <= lines.len() + 1,
                "diagnostic at line {} of a {}-line file:\n{d}",
                loc.line,
                lines.len()
            );
            assert!(loc.column >= 1, "column 0:\n{d}");
            let line = lines.get(loc.line - 1).copied().unwrap_or("");
            assert_eq!(
                loc.source_line, line,
                "the snippet is not line {} of the file:\n{d}",
                loc.line
            );
        }
    }
}

/// Target `questionnaire`: the bytes are a questionnaire file. It is decoded and
/// validated against the built-in catalogue and templates; when valid, every lot is
/// selected and the Markdown and selection JSON are generated (the DOCX and PDF
/// writers have targets of their own).
pub fn questionnaire(data: &[u8]) -> Outcome {
    const NAME: &str = "fuzz.yaml";
    let res = resources();
    let file = match SourceFile::from_bytes(NAME, data) {
        Ok(f) => f,
        Err(d) => {
            check_diags(std::slice::from_ref(&d), true, None);
            return Outcome::Refused(vec![d]);
        }
    };
    let (q, diags) = secannex::questionnaire::load(&file, &res.catalogue, &res.templates.languages);
    check_diags(&diags, q.is_none(), Some(&file));
    let Some(q) = q else {
        return Outcome::Refused(diags);
    };
    assert!(
        !q.profiles.is_empty(),
        "a valid questionnaire has a profile"
    );
    for selection in generate::select_all(&res.catalogue, &q) {
        assert!(
            selection.left_out.iter().all(|l| !l.id.is_empty()),
            "left-out clause without an id"
        );
    }
    let formats = [Format::Md, Format::Json];
    let req = Request {
        name: NAME,
        bytes: data,
        date: fallback_date(),
        formats: &formats,
        threads: 1,
    };
    let out = generate::generate(res, &req).unwrap_or_else(|d| {
        panic!(
            "a valid questionnaire failed to generate:\n{}",
            diag::render_all(&d)
        )
    });
    assert!(!out.files.is_empty());
    for f in &out.files {
        // File names come from the buyer's reference and lot ids: they must stay
        // plain names inside the output directory.
        assert!(
            !f.name.is_empty()
                && !f.name.starts_with('.')
                && !f.name.contains(['/', '\\', '\0', ':']),
            "unsafe output file name {:?}",
            f.name
        );
        let text = std::str::from_utf8(&f.bytes).expect("text outputs are UTF-8");
        // The DOCX and PDF are written from the Markdown: nothing that XML forbids.
        if let Some(c) = text.chars().find(|&c| not_in_xml(c)) {
            panic!("{} holds {c:?}, which a DOCX cannot hold", f.name);
        }
        if f.name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text).expect("selection JSON parses");
        } else if f.name.ends_with(".md") {
            check_document(&document::parse(text));
        }
    }
    Outcome::Accepted
}

/// Target `catalogue`: the bytes are one more catalogue file, checked with both
/// `catalogue::load` and `catalogue::lint` (every check of `secannex catalogue lint`).
///
/// - By default the file is `clauses/fuzz.yaml` beside the built-in taxonomy files
///   (catalogue, assets, threats, practices, definitions) and no other clause file:
///   parsing the whole built-in catalogue costs about 0.5 s per input under the
///   fuzzer, this about a tenth. `load` can accept such a catalogue; `lint` never
///   does (too few clauses per practice) but runs its checks all the same.
/// - A first line `# replace: PATH` puts the rest at PATH in the *whole* built-in
///   catalogue instead, replacing the built-in file of that name if there is one:
///   `# replace: clauses/fuzz.yaml` adds a clause file to the built-in catalogue,
///   `# replace: practices.yaml` swaps the practices.
///
/// Invariants: an error exactly when refused; whatever `load` reports, `lint`
/// reports too, and `lint` accepts only what `load` accepts. When `load` accepts,
/// the coverage matrix is built and a sample questionnaire is validated and
/// selected against the catalogue.
pub fn catalogue(data: &[u8]) -> Outcome {
    const DEFAULT_PATH: &str = "clauses/fuzz.yaml";
    let header = data
        .strip_prefix(b"# replace: ")
        .and_then(|rest| rest.iter().position(|&b| b == b'\n').map(|i| (rest, i)));
    let (whole, path, body) = match header {
        Some((rest, i)) => (
            true,
            String::from_utf8_lossy(&rest[..i]).trim().to_string(),
            &rest[i + 1..],
        ),
        None => (false, DEFAULT_PATH.to_string(), data),
    };
    let name = format!("fuzz/{path}");
    let file = match SourceFile::from_bytes(&name, body) {
        Ok(f) => f,
        Err(d) => {
            check_diags(std::slice::from_ref(&d), true, None);
            return Outcome::Refused(vec![d]);
        }
    };
    let mut files: Vec<CatalogueFile> = builtin_files()
        .iter()
        .filter(|f| f.path != path)
        .filter(|f| whole || catalogue::REQUIRED_FILES.contains(&f.path.as_str()))
        .cloned()
        .collect();
    files.push(CatalogueFile {
        path,
        source: file.clone(),
        tree: None,
    });
    let (loaded, load_diags) = catalogue::load(&files);
    check_diags(&load_diags, loaded.is_none(), Some(&file));
    let (linted, lint_diags) = catalogue::lint(&files);
    check_diags(&lint_diags, linted.is_none(), Some(&file));
    assert!(
        linted.is_none() || loaded.is_some(),
        "lint accepted what load refused"
    );
    for d in &load_diags {
        assert!(
            lint_diags.contains(d),
            "load reported what lint did not:\n{d}"
        );
    }
    let Some(c) = loaded else {
        return Outcome::Refused(load_diags);
    };
    let matrix = catalogue::coverage::matrix(&catalogue::coverage::coverage(&c));
    assert!(!matrix.is_empty());
    let sample = SourceFile::new(
        "samples/regional-framework.yaml",
        include_str!("../../samples/regional-framework.yaml"),
    );
    let res = resources();
    let (q, qdiags) = secannex::questionnaire::load(&sample, &c, &res.templates.languages);
    check_diags(&qdiags, q.is_none(), Some(&sample));
    if let Some(q) = q {
        for p in &q.profiles {
            let _ = secannex::select::select(&c, p);
        }
    }
    Outcome::Accepted
}

/// Structural invariants of a parsed document, which the writers rely on.
fn check_document(doc: &Document) {
    fn blocks(bs: &[Block]) {
        for b in bs {
            match b {
                Block::Heading { level, .. } => {
                    assert!((1..=4).contains(level), "heading level {level}")
                }
                Block::Table {
                    widths,
                    header,
                    rows,
                } => {
                    assert_eq!(widths.len(), header.len(), "one width per column");
                    assert!(!widths.contains(&0), "a zero column width");
                    for row in rows {
                        assert_eq!(row.len(), header.len(), "a ragged table row");
                    }
                }
                Block::List { items, .. } => items.iter().for_each(|i| blocks(i)),
                _ => {}
            }
        }
    }
    blocks(&doc.blocks);
}

/// Target `markdown`: the bytes (lossily decoded) are rendered Markdown, parsed into
/// a `Document`. Invariants: the structure the writers rely on, determinism, and
/// that the document serialises to the JSON the PDF style reads.
pub fn markdown(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let doc = document::parse(&text);
    check_document(&doc);
    assert_eq!(doc, document::parse(&text), "parsing is deterministic");
    let json = serde_json::to_vec(&doc).expect("a document serialises");
    assert!(!json.is_empty());
    Outcome::Accepted
}

/// The document for the writer targets: the bytes up to the first 0xFF byte (which
/// never occurs in UTF-8) are Markdown; the lines after it, if any, are the subject,
/// author, date and keywords that `generate` fills in from the questionnaire.
/// Returns the document and whether its date is one a valid questionnaire can have.
fn writer_document(data: &[u8]) -> (Document, bool) {
    // 0xFF: never in UTF-8, so never in the Markdown seeds.
    let (md, meta) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let mut doc = document::parse(&String::from_utf8_lossy(md));
    let meta = meta.map(String::from_utf8_lossy).unwrap_or_default();
    let mut lines = meta.lines();
    let mut next = |default: &str| lines.next().unwrap_or(default).to_string();
    doc.meta.subject = next("Infusion pumps");
    doc.meta.author = next("University Hospital X");
    doc.meta.date = next("2027-03-01");
    doc.meta.keywords = lines.map(str::to_string).collect();
    doc.meta.language = "en".into();
    doc.meta.generator = secannex::TOOL.to_string();
    if doc.meta.header.is_empty() {
        doc.meta.header = "UHX-2027-014".into();
    }
    // What the questionnaire loader accepts as `procurement.date`.
    let valid_date = doc.meta.date.len() == 10
        && chrono::NaiveDate::parse_from_str(&doc.meta.date, "%Y-%m-%d").is_ok();
    (doc, valid_date)
}

/// A character that XML 1.0 does not allow in a document (C0 controls other than
/// tab, line feed and carriage return; the noncharacters U+FFFE and U+FFFF). Word
/// refuses a DOCX that holds one; the questionnaire loader refuses control characters.
pub fn not_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// True if every character of `text` could come from a questionnaire or the
/// catalogue: the loader refuses control characters (but line breaks and tabs) and
/// characters the annex fonts cannot print, so the writers never see them. The
/// writers' stronger invariants (well-formed XML, PDF/A accepted) are only
/// expected for such text.
pub fn loader_would_accept(text: &str) -> bool {
    text.chars().all(|c| {
        (!c.is_control() || matches!(c, '\n' | '\t' | '\r')) && secannex::embedded::printable(c)
    })
}

/// Text width of an A4 page in the DOCX writer, in twentieths of a point.
const DOCX_TEXT_WIDTH: u64 = 11906 - 2 * 1247;

/// Every XML part of a DOCX must be well-formed XML 1.0 (no control characters),
/// and every table grid must fit the text width.
fn check_docx(bytes: &[u8], plain_input: bool) {
    use quick_xml::events::Event;
    assert!(bytes.starts_with(b"PK"), "a DOCX is a ZIP archive");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the DOCX unzips");
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("a readable entry");
        let name = part.name().to_string();
        let mut xml = Vec::new();
        part.read_to_end(&mut xml).expect("an entry inflates");
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = std::str::from_utf8(&xml).expect("XML parts are UTF-8");
            if plain_input && let Some(c) = text.chars().find(|&c| not_in_xml(c)) {
                panic!("{name} holds {c:?}, which XML 1.0 does not allow");
            }
            let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
            reader.config_mut().check_end_names = true;
            let mut buf = Vec::new();
            let mut grid: Option<u64> = None;
            loop {
                match reader.read_event_into(&mut buf) {
                    Ok(Event::Eof) => break,
                    Ok(Event::Start(e)) if e.name().as_ref() == "w:tblGrid" => grid = Some(0),
                    Ok(Event::End(e)) if e.name().as_ref() == "w:tblGrid" => {
                        let total = grid.take().unwrap_or(0);
                        assert!(
                            total <= DOCX_TEXT_WIDTH,
                            "{name}: table columns {total} wider than the text ({DOCX_TEXT_WIDTH})"
                        );
                    }
                    Ok(Event::Empty(e)) if e.name().as_ref() == "w:gridCol" => {
                        let w = e
                            .try_get_attribute("w:w")
                            .ok()
                            .flatten()
                            .and_then(|a| a.value.parse::<u64>().ok())
                            .unwrap_or_else(|| panic!("{name}: gridCol without a width"));
                        if let Some(g) = grid.as_mut() {
                            *g = g.saturating_add(w);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed XML: {e}"),
                }
                buf.clear();
            }
        }
        names.push(name);
    }
    for required in [
        "[Content_Types].xml",
        "word/document.xml",
        "docProps/core.xml",
    ] {
        assert!(names.iter().any(|n| n == required), "no {required}");
    }
}

/// Target `docx`: a document from Markdown (see `writer_document`) written as DOCX.
/// Invariants: the writer succeeds, and the result is a ZIP of well-formed XML
/// whose tables fit the page. (The date is not escaped in the file properties: it
/// is always a valid date there, so the XML is only checked for such dates.)
pub fn docx(data: &[u8]) -> Outcome {
    let (doc, valid_date) = writer_document(data);
    match docx::write(&doc) {
        Ok(bytes) => {
            assert!(!bytes.is_empty(), "an empty DOCX");
            if valid_date {
                check_docx(&bytes, loader_would_accept(&String::from_utf8_lossy(data)));
            }
            Outcome::Accepted
        }
        Err(d) => panic!("the DOCX writer failed:\n{d}"),
    }
}

/// Target `pdf`: a document from Markdown (see `writer_document`) typeset as PDF
/// with the built-in style. Invariants: with a date a questionnaire may have, the
/// writer succeeds; whatever the date, no panic; a PDF written is non-empty and
/// looks like a PDF.
pub fn pdf(data: &[u8]) -> Outcome {
    let (doc, valid_date) = writer_document(data);
    let res = resources();
    let style = pdf::Style {
        display: &res.templates.style.display,
        source: &res.templates.style.text,
    };
    match pdf::write(&res.pdf, &style, &doc, "fuzz/annex") {
        Ok(bytes) => {
            assert!(!bytes.is_empty(), "an empty PDF");
            assert!(bytes.starts_with(b"%PDF-"), "no PDF header");
            assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"), "no PDF trailer");
            Outcome::Accepted
        }
        Err(d) => {
            assert!(
                !(valid_date && loader_would_accept(&String::from_utf8_lossy(data))),
                "the PDF writer failed on a document with a valid date and printable text:\n{d}"
            );
            assert!(d.is_error());
            Outcome::Refused(vec![d])
        }
    }
}
