//! One questionnaire in, every output file out (as bytes): the stages strung
//! together. Shared resources (catalogue, templates, fonts) are loaded once per run
//! and passed in.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalogue::Catalogue;
use crate::diag::Diagnostic;
use crate::document::{self, Document};
use crate::questionnaire::{self, Questionnaire, sanitise};
use crate::render::{self, Provenance, Templates, View};
use crate::select::{self, Selection};
use crate::write::{docx, pdf, xlsx};
use crate::yaml::SourceFile;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Annex as Word document.
    Docx,
    /// Annex and checklist as PDF/A-2b.
    Pdf,
    /// Annex and checklist as Markdown (the intermediate, for review).
    Md,
    /// Selection JSON.
    Json,
    /// Bidder compliance matrix as a spreadsheet (one sheet per lot).
    Xlsx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Docx,
        Format::Pdf,
        Format::Xlsx,
        Format::Md,
        Format::Json,
    ];
    /// Name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Md => "md",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Everything loaded once per run.
pub struct Resources {
    /// The catalogue.
    pub catalogue: Catalogue,
    /// `built-in` or the catalogue directory.
    pub catalogue_source: String,
    /// The templates.
    pub templates: Templates,
    /// `built-in` or the template directory.
    pub templates_source: String,
    /// Fonts and typst library.
    pub pdf: pdf::PdfEngine,
}

/// One questionnaire to generate.
pub struct Request<'a> {
    /// File name for messages and the manifest.
    pub name: &'a str,
    /// File content.
    pub bytes: &'a [u8],
    /// Annex date when the questionnaire does not fix one.
    pub date: chrono::NaiveDate,
    /// What to write.
    pub formats: &'a [Format],
    /// Threads this questionnaire may use for its writers (1 in a batch, where
    /// questionnaires already run side by side).
    pub threads: usize,
}

/// One output file.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// File name (no directory), derived from the sanitised reference and lot id.
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Per lot, what was generated.
#[derive(Debug, Clone, Serialize)]
pub struct LotSummary {
    /// Lot id, if any.
    pub lot: Option<String>,
    /// Number of supplier clauses.
    pub clauses: usize,
    /// Number of buyer actions.
    pub buyer_actions: usize,
}

/// The result for one questionnaire.
#[derive(Debug, Clone)]
pub struct Output {
    /// Files, in a fixed order.
    pub files: Vec<OutFile>,
    /// What each lot got.
    pub lots: Vec<LotSummary>,
    /// Warnings (the questionnaire's and the selection's notes).
    pub warnings: Vec<Diagnostic>,
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stem of each profile's output file names, in profile order: the sanitised
/// reference, followed by the lot id for a lot. Files are `<stem>-annex.docx`...
/// and `<reference>-selection.json`, so two questionnaires whose stems meet would
/// overwrite each other's files.
pub fn output_stems(q: &Questionnaire) -> Vec<String> {
    let base = sanitise(&q.procurement.reference);
    q.profiles
        .iter()
        .map(|p| match &p.lot {
            Some(lot) => format!("{base}-{}", sanitise(&lot.id)),
            None => base.clone(),
        })
        .collect()
}

/// Load and validate a questionnaire (for `validate` and `select`).
pub fn load_questionnaire(
    res: &Resources,
    name: &str,
    bytes: &[u8],
) -> (Option<Questionnaire>, Vec<Diagnostic>) {
    load_questionnaire_under(&res.catalogue, &res.templates.languages, name, bytes)
}

/// Load and validate a questionnaire against a given catalogue (`diff` compares
/// one questionnaire under two).
pub fn load_questionnaire_under(
    catalogue: &crate::catalogue::Catalogue,
    languages: &[String],
    name: &str,
    bytes: &[u8],
) -> (Option<Questionnaire>, Vec<Diagnostic>) {
    let file = match SourceFile::from_bytes(name, bytes) {
        Ok(f) => f,
        Err(d) => return (None, vec![d]),
    };
    questionnaire::load(&file, catalogue, languages)
}

/// The view of every lot (what the templates and the compliance matrix see).
pub fn lot_views(
    res: &Resources,
    q: &Questionnaire,
    selections: &[Selection],
    date: chrono::NaiveDate,
    provenance: &Provenance,
) -> Vec<View> {
    q.profiles
        .iter()
        .zip(selections)
        .map(|(profile, selection)| {
            render::view::build(
                &res.catalogue,
                &q.procurement,
                profile,
                selection,
                date,
                provenance,
            )
        })
        .collect()
}

/// Select the clause pack of every lot.
pub fn select_all(catalogue: &crate::catalogue::Catalogue, q: &Questionnaire) -> Vec<Selection> {
    q.profiles
        .iter()
        .map(|p| select::select(catalogue, p))
        .collect()
}

/// What the annexes of a questionnaire are made of, so that a batch can typeset
/// similar questionnaires one after another: typst reuses the layout of what an
/// annex shares with the annexes typeset just before it, from the start of each
/// chapter on (docs/performance.md). For each lot and each clause role (a chapter
/// of the annex, or the checklist), one hash per selected clause, of its id and
/// parameter values, in document order.
pub fn likeness(catalogue: &Catalogue, q: &Questionnaire) -> Vec<Vec<u64>> {
    use std::hash::{Hash, Hasher};
    let mut chapters = Vec::new();
    for selection in select_all(catalogue, q) {
        for role in crate::catalogue::Role::ALL {
            let clauses = selection.selected.iter().filter(|c| c.role == role);
            chapters.push(
                clauses
                    .map(|c| {
                        let mut h = std::hash::DefaultHasher::new();
                        c.id.hash(&mut h);
                        for p in &c.parameters {
                            p.value.hash(&mut h);
                        }
                        h.finish()
                    })
                    .collect(),
            );
        }
    }
    chapters
}

/// Generate every output of one questionnaire. Nothing is returned unless
/// everything succeeded, so a caller never writes a partial set.
pub fn generate(res: &Resources, req: &Request<'_>) -> Result<Output, Vec<Diagnostic>> {
    let (q, mut warnings) = load_questionnaire(res, req.name, req.bytes);
    let Some(q) = q else { return Err(warnings) };
    let date = q
        .procurement
        .date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or(req.date);
    let sha = sha256_hex(req.bytes);
    let provenance = Provenance {
        tool: crate::TOOL.to_string(),
        questionnaire: req.name.to_string(),
        questionnaire_sha256: sha.clone(),
        templates: res.templates_source.clone(),
        catalogue_source: res.catalogue_source.clone(),
    };
    let selections = select_all(&res.catalogue, &q);
    let base = sanitise(&q.procurement.reference);
    let stems = output_stems(&q);
    let mut files = Vec::new();
    let mut lots = Vec::new();
    let mut matrix_views = Vec::new();
    let mut views = lot_views(res, &q, &selections, date, &provenance);
    for view in &mut views {
        view.matrix_spreadsheet = req.formats.contains(&Format::Xlsx);
    }
    for (((profile, selection), view), stem) in
        q.profiles.iter().zip(&selections).zip(views).zip(&stems)
    {
        for note in &selection.notes {
            let lot = profile
                .lot
                .as_ref()
                .map(|l| format!("lot {}: ", l.id))
                .unwrap_or_default();
            warnings.push(
                Diagnostic::warning(format!("{lot}{note}"))
                    .at(Some(crate::yaml::file_location(req.name))),
            );
        }
        for kind in render::PER_PROCUREMENT {
            let wants_md = req.formats.contains(&Format::Md);
            let wants_docx = kind == "annex" && req.formats.contains(&Format::Docx);
            let wants_pdf = req.formats.contains(&Format::Pdf);
            if !wants_md && !wants_docx && !wants_pdf {
                continue;
            }
            let markdown = render::render(&res.templates, kind, &view).map_err(|d| vec![d])?;
            if wants_md {
                files.push(Pending::Ready(OutFile {
                    name: format!("{stem}-{kind}.md"),
                    bytes: markdown.clone().into_bytes(),
                }));
            }
            if !wants_docx && !wants_pdf {
                continue;
            }
            let doc = std::sync::Arc::new(to_document(&markdown, &view, kind));
            if wants_docx {
                files.push(Pending::Docx(format!("{stem}-{kind}.docx"), doc.clone()));
            }
            if wants_pdf {
                let ident = format!("{}/{stem}/{kind}", q.procurement.reference);
                files.push(Pending::Pdf(format!("{stem}-{kind}.pdf"), doc, ident));
            }
        }
        if req.formats.contains(&Format::Xlsx) {
            matrix_views.push(view.clone());
        }
        lots.push(LotSummary {
            lot: profile.lot.as_ref().map(|l| l.id.clone()),
            clauses: view.clauses.len(),
            buyer_actions: view.buyer_actions.len(),
        });
    }
    if !matrix_views.is_empty() {
        files.push(Pending::Ready(OutFile {
            name: format!("{base}-matrix.xlsx"),
            bytes: xlsx::write(&matrix_views).map_err(|d| vec![d])?,
        }));
    }
    if req.formats.contains(&Format::Json) {
        let json = selection_json(res, &q, &selections, req.name, &sha, date);
        files.push(Pending::Ready(OutFile {
            name: format!("{base}-selection.json"),
            bytes: json.into_bytes(),
        }));
    }
    if q.profiles.len() > 1 || q.profiles.iter().any(|p| p.lot.is_some()) {
        files.push(Pending::Ready(OutFile {
            name: format!("{base}-lots.csv"),
            bytes: lot_matrix(res, &selections).into_bytes(),
        }));
    }
    let files = write_all(res, files, req.threads)?;
    Ok(Output {
        files,
        lots,
        warnings,
    })
}

/// An output file, ready or still to be written from a document.
enum Pending {
    Ready(OutFile),
    Docx(String, std::sync::Arc<Document>),
    Pdf(String, std::sync::Arc<Document>, String),
}

/// Run the writers on up to `threads` threads; files come back in the order they
/// were listed, whatever thread wrote them. The first error wins.
fn write_all(
    res: &Resources,
    pending: Vec<Pending>,
    threads: usize,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let style = pdf::Style {
        display: &res.templates.style.display,
        source: &res.templates.style.text,
    };
    let run = |p: &Pending| -> Result<OutFile, Diagnostic> {
        match p {
            Pending::Ready(f) => Ok(f.clone()),
            Pending::Docx(name, doc) => Ok(OutFile {
                name: name.clone(),
                bytes: docx::write(doc)?,
            }),
            Pending::Pdf(name, doc, ident) => Ok(OutFile {
                name: name.clone(),
                bytes: pdf::write(&res.pdf, &style, doc, ident)?,
            }),
        }
    };
    let results: Vec<Mutex<Option<Result<OutFile, Diagnostic>>>> =
        pending.iter().map(|_| Mutex::new(None)).collect();
    // The slowest writers (PDFs) first, so that they overlap with the rest.
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.sort_by_key(|&i| !matches!(pending[i], Pending::Pdf(..)));
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
            let r = run(&pending[i]);
            if let Ok(mut slot) = results[i].lock() {
                *slot = Some(r);
            }
        }
    };
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 1..threads.min(pending.len()) {
                scope.spawn(work);
            }
            work();
        });
    }
    results
        .into_iter()
        .map(|m| match m.into_inner() {
            Ok(Some(r)) => r.map_err(|d| vec![d]),
            _ => Err(vec![Diagnostic::error(
                "internal error: a writer did not run",
            )]),
        })
        .collect()
}

/// Parse rendered Markdown and fill in the document properties.
pub fn to_document(markdown: &str, view: &View, kind: &str) -> Document {
    let mut doc = document::parse(markdown);
    let p = &view.procurement;
    doc.meta.subject = p.title.clone();
    doc.meta.author = p.buyer.clone();
    doc.meta.language = p.language.clone();
    doc.meta.date = p.date.clone();
    doc.meta.generator = crate::TOOL.to_string();
    let mut keywords = vec![
        p.reference.clone(),
        "cybersecurity".to_string(),
        kind.to_string(),
    ];
    if let Some(lot) = &view.lot {
        keywords.push(lot.id.clone());
    }
    keywords.push(format!("{} {}", view.catalogue.id, view.catalogue.version));
    doc.meta.keywords = keywords;
    if doc.meta.header.is_empty() {
        doc.meta.header = match &view.lot {
            Some(lot) => format!("{} · {}", p.reference, lot.title),
            None => p.reference.clone(),
        };
    }
    doc
}

/// Version of the selection JSON format (`secannex select --json`).
pub const SELECTION_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct SelectionJson<'a> {
    format: &'static str,
    format_version: u32,
    tool: &'static str,
    catalogue: CatalogueRef<'a>,
    questionnaire: QuestionnaireRef<'a>,
    date: String,
    lots: Vec<LotJson<'a>>,
}

#[derive(Serialize)]
struct CatalogueRef<'a> {
    id: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct QuestionnaireRef<'a> {
    file: &'a str,
    sha256: &'a str,
    title: &'a str,
    reference: &'a str,
    buyer: &'a str,
    procedure: &'a str,
}

#[derive(Serialize)]
struct LotJson<'a> {
    lot: Option<&'a crate::questionnaire::Lot>,
    asset: &'a str,
    selected: &'a [select::Selected],
    left_out: &'a [select::LeftOut],
    notes: &'a [String],
}

/// The public selection JSON (format `secannex-selection`, version 1).
pub fn selection_json(
    res: &Resources,
    q: &Questionnaire,
    selections: &[Selection],
    file: &str,
    sha: &str,
    date: chrono::NaiveDate,
) -> String {
    let out = SelectionJson {
        format: "secannex-selection",
        format_version: SELECTION_FORMAT_VERSION,
        tool: crate::TOOL,
        catalogue: CatalogueRef {
            id: &res.catalogue.meta.id,
            version: &res.catalogue.meta.version,
        },
        questionnaire: QuestionnaireRef {
            file,
            sha256: sha,
            title: &q.procurement.title,
            reference: &q.procurement.reference,
            buyer: &q.procurement.buyer,
            procedure: &q.procurement.procedure,
        },
        date: date.format("%Y-%m-%d").to_string(),
        lots: q
            .profiles
            .iter()
            .zip(selections)
            .map(|(p, s)| LotJson {
                lot: p.lot.as_ref(),
                asset: &p.category,
                selected: &s.selected,
                left_out: &s.left_out,
                notes: &s.notes,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).expect("plain data serialises");
    s.push('\n');
    s
}

/// The whole catalogue as a clause pack for legal review: Markdown, DOCX and PDF
/// (as `formats` asks), named `<catalogue id>-<version>-clause-pack.<ext>`.
pub fn clause_pack(
    res: &Resources,
    language: &str,
    date: chrono::NaiveDate,
    formats: &[Format],
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    if !res.templates.languages.iter().any(|l| l == language) {
        return Err(vec![
            Diagnostic::error(format!("no templates in language `{language}`"))
                .expected(format!("one of {}", res.templates.languages.join(", "))),
        ]);
    }
    let c = &res.catalogue;
    let view = render::pack::build(c, date, crate::TOOL, &res.catalogue_source);
    let markdown = render::render_pack(&res.templates, language, &view).map_err(|d| vec![d])?;
    let stem = sanitise(&format!("{}-{}-clause-pack", c.meta.id, c.meta.version));
    let mut files = Vec::new();
    if formats.contains(&Format::Md) {
        files.push(OutFile {
            name: format!("{stem}.md"),
            bytes: markdown.clone().into_bytes(),
        });
    }
    if formats.contains(&Format::Docx) || formats.contains(&Format::Pdf) {
        let mut doc = document::parse(&markdown);
        doc.meta.subject = c.meta.title.clone();
        doc.meta.author = c.meta.publisher.clone();
        doc.meta.language = language.to_string();
        doc.meta.date = date.format("%Y-%m-%d").to_string();
        doc.meta.generator = crate::TOOL.to_string();
        doc.meta.keywords = vec![
            format!("{} {}", c.meta.id, c.meta.version),
            "clause pack".into(),
        ];
        if doc.meta.header.is_empty() {
            doc.meta.header = format!("{} {}", c.meta.id, c.meta.version);
        }
        if formats.contains(&Format::Docx) {
            files.push(OutFile {
                name: format!("{stem}.docx"),
                bytes: docx::write(&doc).map_err(|d| vec![d])?,
            });
        }
        if formats.contains(&Format::Pdf) {
            let style = pdf::Style {
                display: &res.templates.style.display,
                source: &res.templates.style.text,
            };
            files.push(OutFile {
                name: format!("{stem}.pdf"),
                bytes: pdf::write(&res.pdf, &style, &doc, &stem).map_err(|d| vec![d])?,
            });
        }
    }
    Ok(files)
}

/// The cross-lot matrix of a framework agreement: one row per catalogue clause
/// selected for at least one lot, one column per lot, `x` where the clause applies.
pub fn lot_matrix(res: &Resources, selections: &[Selection]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("clause,title,role,phase");
    for s in selections {
        out.push(',');
        out.push_str(&field(
            &s.lot.as_ref().map_or_else(String::new, |l| l.id.clone()),
        ));
    }
    out.push('\n');
    // Rows in annex order: role, phase, id.
    let mut clauses: Vec<&crate::catalogue::Clause> = res.catalogue.clauses.iter().collect();
    clauses.sort_by(|a, b| (a.role, a.phase, &a.id).cmp(&(b.role, b.phase, &b.id)));
    for c in clauses {
        let marks: Vec<bool> = selections
            .iter()
            .map(|s| s.selected.iter().any(|x| x.id == c.id))
            .collect();
        if !marks.contains(&true) {
            continue;
        }
        out.push_str(&format!(
            "{},{},{},{}",
            c.id,
            field(&c.title),
            c.role.as_str(),
            c.phase.as_str()
        ));
        for m in marks {
            out.push_str(if m { ",x" } else { "," });
        }
        out.push('\n');
    }
    out
}

/// A clause-pack comparison as JSON (format `secannex-diff`).
pub fn diff_json(diff: &crate::diff::PackDiff) -> String {
    let mut s = serde_json::to_string_pretty(diff).expect("plain data serialises");
    s.push('\n');
    s
}

/// The formats of a clause-pack comparison.
pub const DIFF_FORMATS: [&str; 5] = ["md", "html", "docx", "pdf", "json"];

/// The report of a clause-pack comparison in each of `formats` (names from
/// [`DIFF_FORMATS`]), as files named `<stem>.<format>`.
pub fn diff_report(
    res: &Resources,
    diff: &crate::diff::PackDiff,
    date: chrono::NaiveDate,
    stem: &str,
    formats: &[&str],
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let doc = crate::diff::report(diff, date);
    let mut files = Vec::new();
    for &format in formats {
        let bytes = match format {
            "md" => crate::write::markdown::write(&doc).into_bytes(),
            "html" => crate::write::html::write(&doc).into_bytes(),
            "docx" => docx::write(&doc).map_err(|d| vec![d])?,
            "pdf" => {
                let style = pdf::Style {
                    display: &res.templates.style.display,
                    source: &res.templates.style.text,
                };
                pdf::write(&res.pdf, &style, &doc, stem).map_err(|d| vec![d])?
            }
            "json" => diff_json(diff).into_bytes(),
            other => {
                return Err(vec![Diagnostic::error(format!(
                    "unknown comparison format `{other}`"
                ))]);
            }
        };
        files.push(OutFile {
            name: format!("{stem}.{format}"),
            bytes,
        });
    }
    Ok(files)
}
