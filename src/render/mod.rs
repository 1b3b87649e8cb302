//! Render stage: a view of the selection → Markdown, through tera templates.
//!
//! Templates live in `templates/<language>/annex.md.tera` and
//! `templates/<language>/checklist.md.tera`; `templates/style.typ` is the PDF style.
//! Every `{{ value }}` in a `.md.tera` template is Markdown-escaped (see `escape`).

pub mod escape;
pub mod pack;
pub mod view;

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Location};

pub use view::{Provenance, View};

/// Documents generated for every questionnaire (and lot).
pub const PER_PROCUREMENT: [&str; 2] = ["annex", "checklist"];
/// Documents every language must provide: those, and the clause pack.
pub const DOCUMENTS: [&str; 3] = ["annex", "checklist", "catalogue"];
/// The PDF style file.
pub const STYLE_FILE: &str = "style.typ";

/// One template file: its path under the template directory, the name used in
/// messages, and its text.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path under `templates/`, `/`-separated.
    pub path: String,
    /// Name for messages (a real path, or `built-in:templates/...`).
    pub display: String,
    /// Content.
    pub text: String,
}

/// The loaded templates, checked for syntax and unknown filters.
pub struct Templates {
    tera: tera::Tera,
    displays: BTreeMap<String, (String, String)>,
    /// Languages that have every document.
    pub languages: Vec<String>,
    /// The typst style file.
    pub style: TemplateFile,
}

impl Templates {
    /// Compile the template files. All syntax errors are reported at once.
    pub fn load(files: &[TemplateFile]) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on([".md.tera"]);
        tera.set_escape_fn(escape::tera_escape);
        let mut diags = Vec::new();
        let mut displays = BTreeMap::new();
        let mut style = None;
        for f in files {
            if f.path == STYLE_FILE {
                style = Some(f.clone());
                continue;
            }
            if !f.path.ends_with(".md.tera") {
                continue;
            }
            displays.insert(f.path.clone(), (f.display.clone(), f.text.clone()));
            if let Err(e) = tera.add_raw_template(&f.path, &f.text) {
                diags.extend(tera_diagnostics(&e, &displays));
            }
        }
        let mut languages: Vec<String> = displays
            .keys()
            .filter_map(|p| p.split_once('/').map(|(lang, _)| lang.to_string()))
            .collect();
        languages.dedup();
        languages.retain(|lang| {
            DOCUMENTS
                .iter()
                .all(|d| displays.contains_key(&format!("{lang}/{d}.md.tera")))
        });
        if languages.is_empty() {
            diags.push(Diagnostic::error("no template language has both annex.md.tera and checklist.md.tera")
                .help("templates are laid out as <language>/annex.md.tera and <language>/checklist.md.tera"));
        }
        let Some(style) = style else {
            diags.push(Diagnostic::error(format!(
                "the templates have no `{STYLE_FILE}`"
            )));
            return Err(diags);
        };
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Templates {
            tera,
            displays,
            languages,
            style,
        })
    }
}

/// Render one document (`annex` or `checklist`) of a view, in the view's language.
pub fn render(templates: &Templates, document: &str, view: &View) -> Result<String, Diagnostic> {
    render_any(
        templates,
        &format!("{}/{document}.md.tera", view.procurement.language),
        view,
    )
}

/// Render the clause pack of a catalogue in a language.
pub fn render_pack(
    templates: &Templates,
    language: &str,
    view: &pack::PackView,
) -> Result<String, Diagnostic> {
    render_any(templates, &format!("{language}/catalogue.md.tera"), view)
}

fn render_any<T: serde::Serialize>(
    templates: &Templates,
    name: &str,
    view: &T,
) -> Result<String, Diagnostic> {
    let context = tera::Context::from_serialize(view).map_err(|e| {
        Diagnostic::error(format!("internal error preparing the template data: {e}"))
    })?;
    templates.tera.render(name, &context).map_err(|e| {
        let mut diags = tera_diagnostics(&e, &templates.displays);
        diags.swap_remove(0)
    })
}

/// Every problem of a tera error. Unknown filters, tests and functions come as a
/// message holding tera's own reports (`error: ...` then ` --> name:line:col`),
/// one per use: each becomes a diagnostic pointing into the template file, under
/// the name the user knows it by. Never empty.
fn tera_diagnostics(
    e: &tera::Error,
    displays: &BTreeMap<String, (String, String)>,
) -> Vec<Diagnostic> {
    let tera::ErrorKind::Msg(text) = e.kind() else {
        return vec![tera_diagnostic(e, displays)];
    };
    let mut diags = Vec::new();
    for report in text.split("\n\n") {
        let mut lines = report.lines();
        let Some(message) = lines.next().and_then(|l| l.strip_prefix("error: ")) else {
            continue;
        };
        let at = lines.find_map(|l| l.trim_start().strip_prefix("--> "));
        let Some((name, line, column)) = at.and_then(|at| {
            let mut parts = at.rsplitn(3, ':');
            let column: usize = parts.next()?.parse().ok()?;
            let line: usize = parts.next()?.parse().ok()?;
            Some((parts.next()?, line, column))
        }) else {
            continue;
        };
        let (display, source) = displays
            .get(name)
            .cloned()
            .unwrap_or_else(|| (name.to_string(), String::new()));
        let source_line = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let width = source_line
            .chars()
            .skip(column.saturating_sub(1))
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .count();
        diags.push(
            Diagnostic::error(format!("template error: {}", lowercase_first(message))).at(Some(
                Location {
                    file: display,
                    line,
                    column,
                    width: width.max(1),
                    source_line: source_line.to_string(),
                },
            )),
        );
    }
    if diags.is_empty() {
        diags.push(Diagnostic::error(format!("template error: {e}")));
    }
    diags
}

fn lowercase_first(s: &str) -> String {
    match s.get(..1) {
        Some(first) => first.to_lowercase() + &s[1..],
        None => String::new(),
    }
}

/// A tera error as a diagnostic pointing into the template file.
fn tera_diagnostic(e: &tera::Error, displays: &BTreeMap<String, (String, String)>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let Some(r) = report else {
        return Diagnostic::error(format!("template error: {e}"));
    };
    let span = r.span();
    let (display, text) = displays
        .get(r.filename())
        .cloned()
        .unwrap_or_else(|| (r.filename().to_string(), String::new()));
    let source_line = text
        .lines()
        .nth(span.start_line.saturating_sub(1))
        .unwrap_or("")
        .to_string();
    let width = if span.end_line == span.start_line {
        span.end_col.saturating_sub(span.start_col)
    } else {
        1
    };
    let message = lowercase_first(r.message());
    Diagnostic::error(format!("template error: {message}")).at(Some(Location {
        file: display,
        line: span.start_line,
        column: span.start_col + 1,
        width: width.max(1),
        source_line,
    }))
}
