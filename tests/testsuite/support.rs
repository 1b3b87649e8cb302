//! Shared test helpers: the built-in resources, golden files, and independent
//! readers for DOCX (zip + quick-xml) and PDF (lopdf).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use secannex::catalogue::CatalogueFile;
use secannex::generate::{Format, Output, Request, Resources};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Built-in catalogue files, as the binary embeds them.
pub fn builtin_catalogue() -> Vec<CatalogueFile> {
    secannex::cli::files::builtin_catalogue()
}

/// Resources loaded once for the whole test binary.
pub fn resources() -> &'static Resources {
    static RES: OnceLock<Resources> = OnceLock::new();
    RES.get_or_init(|| {
        secannex::cli::files::builtin_resources().unwrap_or_else(|d| {
            panic!(
                "built-in resources invalid:\n{}",
                secannex::diag::render_all(&d)
            )
        })
    })
}

/// The fixed fallback date used in tests.
pub fn test_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("valid date")
}

/// Generate every format for a sample file (path relative to the repository).
pub fn generate_file(rel: &str) -> Output {
    let bytes = std::fs::read(root().join(rel)).expect("sample readable");
    let req = Request {
        name: rel,
        bytes: &bytes,
        date: test_date(),
        formats: &Format::ALL,
        threads: 2,
    };
    secannex::generate::generate(resources(), &req)
        .unwrap_or_else(|d| panic!("{rel} failed:\n{}", secannex::diag::render_all(&d)))
}

/// Compare `actual` with the golden file `tests/golden/<rel>`.
pub fn check_golden(rel: &str, actual: &str) {
    check_expected(&format!("tests/golden/{rel}"), actual);
}

/// Compare `actual` with the file at `rel` (from the repository root); with
/// UPDATE_GOLDEN=1 set, rewrite it instead. On a mismatch, show the first differing line.
pub fn check_expected(rel: &str, actual: &str) {
    let path = root().join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}: run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let (n, (e, a)) = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (e, a))| e != a)
            .unwrap_or((
                expected.lines().count().min(actual.lines().count()),
                ("<end>", "<end>"),
            ));
        panic!(
            "{} differs from the golden file at line {}:\n  expected: {e}\n  actual:   {a}\n(expected {} lines, got {}; UPDATE_GOLDEN=1 rewrites it after review)",
            path.display(),
            n + 1,
            expected.lines().count(),
            actual.lines().count()
        );
    }
}

/// The parts of a DOCX (a ZIP), by name.
pub fn docx_parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("DOCX is a ZIP archive");
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let name = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("entry readable");
        parts.push((name, data));
    }
    parts
}

/// XML re-emitted in a stable form: no declaration, no namespace declarations,
/// attributes sorted, one block element (paragraph, table row, cell, style...) per line.
pub fn normalise_xml(xml: &str) -> String {
    use quick_xml::events::Event;
    const BLOCK: [&str; 12] = [
        "w:p",
        "w:tbl",
        "w:tr",
        "w:tc",
        "w:style",
        "w:abstractNum",
        "w:num",
        "w:lvl",
        "w:sectPr",
        "w:docDefaults",
        "w:hdr",
        "w:ftr",
    ];
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let tag = |e: &quick_xml::events::BytesStart<'_>| {
        let mut attrs: Vec<(String, String)> = e
            .attributes()
            .filter_map(Result::ok)
            .filter(|a| !a.key.as_ref().starts_with("xmlns"))
            .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
            .collect();
        attrs.sort();
        let mut s = format!("<{}", e.name().as_ref());
        for (k, v) in attrs {
            s.push_str(&format!(" {k}=\"{v}\""));
        }
        s
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                if BLOCK.contains(&e.name().as_ref()) {
                    out.push('\n');
                }
                out.push_str(&tag(&e));
                out.push('>');
            }
            Event::Empty(e) => {
                if BLOCK.contains(&e.name().as_ref()) {
                    out.push('\n');
                }
                out.push_str(&tag(&e));
                out.push_str("/>");
            }
            Event::End(e) => {
                out.push_str(&format!("</{}>", e.name().as_ref()));
            }
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                out.push('&');
                out.push_str(&r.into_inner());
                out.push(';');
            }
            Event::CData(c) => out.push_str(&c.xml10_content()),
            Event::Eof => break,
            _ => {}
        }
    }
    out.push('\n');
    out
}

/// A DOCX as text for a golden file: the list of parts, then the normalised XML of
/// the parts that carry content, properties and layout.
pub fn docx_golden(bytes: &[u8]) -> String {
    let parts = docx_parts(bytes);
    let mut out = String::from("# parts\n");
    for (name, data) in &parts {
        out.push_str(&format!("{name} ({} bytes)\n", data.len()));
    }
    let keep = |n: &str| {
        n == "word/document.xml"
            || n == "word/styles.xml"
            || n == "word/numbering.xml"
            || n == "word/settings.xml"
            || n == "docProps/core.xml"
            || n.starts_with("word/header")
            || n.starts_with("word/footer")
    };
    for (name, data) in parts.iter().filter(|(n, _)| keep(n) && n.ends_with(".xml")) {
        out.push_str(&format!("\n# {name}"));
        out.push_str(&normalise_xml(
            std::str::from_utf8(data).expect("UTF-8 XML"),
        ));
    }
    out
}

/// An XLSX as text for a golden file: its parts, then the workbook, the shared
/// strings, and every worksheet (cells, formulas, validations, protection) as
/// normalised XML.
pub fn xlsx_golden(bytes: &[u8]) -> String {
    let parts = docx_parts(bytes);
    let mut out = String::from("# parts\n");
    for (name, data) in &parts {
        out.push_str(&format!("{name} ({} bytes)\n", data.len()));
    }
    let keep = |n: &str| {
        n == "xl/workbook.xml"
            || n == "xl/sharedStrings.xml"
            || n == "docProps/core.xml"
            || n.starts_with("xl/worksheets/")
    };
    for (name, data) in parts.iter().filter(|(n, _)| keep(n) && n.ends_with(".xml")) {
        out.push_str(&format!("\n# {name}"));
        out.push_str(&normalise_xml(
            std::str::from_utf8(data).expect("UTF-8 XML"),
        ));
    }
    out
}

/// Plain text of a DOCX body, paragraph by paragraph (independent of secannex).
pub fn docx_text(bytes: &[u8]) -> String {
    use quick_xml::events::Event;
    let parts = docx_parts(bytes);
    let (_, xml) = parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .expect("document.xml");
    let mut reader = quick_xml::Reader::from_str(std::str::from_utf8(xml).expect("UTF-8"));
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == "w:br" => out.push('\n'),
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let name = r.into_inner();
                out.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// A parsed PDF (lopdf).
pub fn pdf_doc(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("PDF parses")
}

/// Text of every page.
pub fn pdf_text(doc: &lopdf::Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    for p in pages {
        out.push_str(&format!("--- page {p}\n"));
        out.push_str(&doc.extract_text(&[p]).expect("text extracts"));
    }
    out
}

fn dict_string(doc: &lopdf::Document, dict: &lopdf::Dictionary, key: &[u8]) -> String {
    match dict.get(key) {
        Ok(obj) => {
            let obj = match obj {
                lopdf::Object::Reference(id) => doc.get_object(*id).expect("object"),
                o => o,
            };
            match obj {
                lopdf::Object::String(bytes, _) => lopdf::decode_text_string(obj)
                    .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into()),
                lopdf::Object::Name(n) => String::from_utf8_lossy(n).into(),
                other => format!("{other:?}"),
            }
        }
        Err(_) => String::new(),
    }
}

/// The structure of a PDF: pages, document information, PDF/A identification,
/// fonts (and whether they are embedded), and the outline with levels.
pub fn pdf_structure(doc: &lopdf::Document) -> String {
    let mut out = String::new();
    out.push_str(&format!("pages: {}\n", doc.get_pages().len()));
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .and_then(|id| doc.get_dictionary(id))
        .expect("document information dictionary");
    for key in ["Title", "Author", "Keywords", "Creator", "CreationDate"] {
        out.push_str(&format!(
            "info {key}: {}\n",
            dict_string(doc, info, key.as_bytes())
        ));
    }
    // PDF/A identification lives in the XMP metadata stream of the catalogue.
    let catalog = doc.catalog().expect("catalogue");
    let xmp = catalog
        .get(b"Metadata")
        .and_then(|o| o.as_reference())
        .and_then(|id| doc.get_object(id))
        .and_then(|o| o.as_stream())
        .map(|s| s.get_plain_content().unwrap_or_else(|_| s.content.clone()))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let pdfa = |tag: &str| {
        xmp.split(&format!("<pdfaid:{tag}>"))
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(str::to_string)
            .or_else(|| {
                xmp.split(&format!("pdfaid:{tag}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "missing".into())
    };
    out.push_str(&format!(
        "pdfa part: {}, conformance: {}\n",
        pdfa("part"),
        pdfa("conformance")
    ));
    out.push_str(&format!(
        "output intent: {}\n",
        if catalog.has(b"OutputIntents") {
            "present"
        } else {
            "missing"
        }
    ));
    out.push_str(&format!(
        "tagged: {}\n",
        if catalog.has(b"StructTreeRoot") {
            "yes"
        } else {
            "no"
        }
    ));
    let lang = dict_string(doc, catalog, b"Lang");
    out.push_str(&format!("language: {lang}\n"));
    // Fonts: every font dictionary, with its descriptor's embedded file.
    let mut fonts = std::collections::BTreeSet::new();
    for (_, obj) in doc.objects.iter() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
        {
            let name = dict_string(doc, d, b"FontName");
            // Subset prefixes (ABCDEF+) change with content; keep the family.
            let family = name.split('+').next_back().unwrap_or(&name).to_string();
            let embedded = d.has(b"FontFile2") || d.has(b"FontFile3") || d.has(b"FontFile");
            fonts.insert(format!(
                "font {family}: {}",
                if embedded { "embedded" } else { "NOT EMBEDDED" }
            ));
        }
    }
    for f in fonts {
        out.push_str(&f);
        out.push('\n');
    }
    let toc = doc.get_toc().expect("outline");
    out.push_str(&format!("outline: {} entries\n", toc.toc.len()));
    for e in &toc.toc {
        out.push_str(&format!(
            "{}{} (page {})\n",
            "  ".repeat(e.level.saturating_sub(1)),
            e.title,
            e.page
        ));
    }
    out
}

/// Relative paths of every sample questionnaire.
pub fn samples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("samples"))
        .expect("samples dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("samples/{n}"))
        .collect();
    v.sort();
    v
}

/// A sample's file stem.
pub fn stem(rel: &str) -> String {
    Path::new(rel)
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned()
}

/// Run the binary from the repository root.
pub fn secannex(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_secannex"))
        .args(args)
        .current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("binary runs")
}

/// An empty directory for one test, under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("scratch")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Names of the entries of a directory, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Standard error of a run, as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output of a run, as text.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
