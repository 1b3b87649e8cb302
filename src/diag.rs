//! Diagnostics: problems in user input, each pointing at file:line:column.
//!
//! Every stage that reads user input collects *all* the problems it finds as
//! `Diagnostic`s instead of stopping at the first. A diagnostic carries the text of
//! the offending source line, so it renders without the file at hand.

use std::fmt::{self, Write as _};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is unusable as it is.
    Error,
    /// The input works but is probably not what the author meant.
    Warning,
}

/// Where a problem is: a line and column in a named file, with that line's text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// File name as given by the user (or `built-in:...` for embedded files).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Number of characters to underline (at least 1).
    pub width: usize,
    /// The text of the line, for the snippet.
    #[serde(skip)]
    pub source_line: String,
}

/// One problem found in user input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Lower-case phrase saying what is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// What was expected instead.
    pub expected: Option<String>,
    /// How to fix it (a "did you mean", or a concrete step).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a message and nothing else yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            expected: None,
            help: None,
        }
    }

    /// A warning with a message and nothing else yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Attach a location.
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// Say what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Suggest a fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Suggest a fix only if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True if any of the diagnostics is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

impl fmt::Display for Diagnostic {
    /// Renders in the style of rustc: message, arrow with file:line:col, snippet with
    /// a caret underline, then `= expected:` and `= help:` notes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        writeln!(out, "{kind}: {}", self.message)?;
        let mut gutter = 1;
        if let Some(loc) = &self.location {
            let number = loc.line.to_string();
            gutter = number.len();
            let pad = " ".repeat(gutter);
            if loc.line == 0 {
                writeln!(out, "{pad}--> {}", loc.file)?;
            } else {
                writeln!(out, "{pad}--> {}:{}:{}", loc.file, loc.line, loc.column)?;
            }
            if loc.line > 0 {
                let (line, column, width) = snippet(loc);
                writeln!(out, "{pad} |")?;
                writeln!(out, "{number} | {}", line.trim_end())?;
                let caret_pad = " ".repeat(column.saturating_sub(1));
                writeln!(out, "{pad} | {caret_pad}{}", "^".repeat(width.max(1)))?;
            }
        }
        let pad = " ".repeat(gutter);
        if let Some(expected) = &self.expected {
            writeln!(out, "{pad} = expected: {expected}")?;
        }
        if let Some(help) = &self.help {
            writeln!(out, "{pad} = help: {help}")?;
        }
        f.write_str(out.trim_end_matches('\n'))
    }
}

/// Widest source line shown, in characters.
const SNIPPET_CHARS: usize = 160;

/// The source line as shown under a message, with the caret's column and width in
/// it: control characters made visible, tabs as spaces, and a line longer than
/// `SNIPPET_CHARS` cut to a window around the column (`…` marks the cuts).
fn snippet(loc: &Location) -> (String, usize, usize) {
    let chars: Vec<char> = loc
        .source_line
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect();
    let at = loc.column.saturating_sub(1);
    if chars.len() <= SNIPPET_CHARS {
        return (chars.into_iter().collect(), loc.column, loc.width);
    }
    let start = at.saturating_sub(SNIPPET_CHARS / 3).min(chars.len());
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut line = String::new();
    if start > 0 {
        line.push('…');
    }
    line.extend(&chars[start..end]);
    if end < chars.len() {
        line.push('…');
    }
    let column = at - start + 1 + usize::from(start > 0);
    let width = loc.width.min(end.saturating_sub(at)).max(1);
    (line, column, width)
}

/// Render a list of diagnostics, one blank line between them.
pub fn render_all(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.to_string());
        out.push_str("\n\n");
    }
    out
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(&lower, &c.to_lowercase());
        if score >= 0.6 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_snippet_with_caret() {
        let d = Diagnostic::error("unknown key `titel`")
            .at(Some(Location {
                file: "q.yaml".into(),
                line: 3,
                column: 3,
                width: 5,
                source_line: "  titel: X".into(),
            }))
            .expected("one of title, reference")
            .help("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "error: unknown key `titel`\n --> q.yaml:3:3\n  |\n3 |   titel: X\n  |   ^^^^^\n  = expected: one of title, reference\n  = help: did you mean `title`?"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("  title: {}", "x".repeat(500));
        let d = Diagnostic::error("too long").at(Some(Location {
            file: "q.yaml".into(),
            line: 2,
            column: 300,
            width: 200,
            source_line: line,
        }));
        let shown = d.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        // The window starts 53 characters before the column, after a `…`.
        assert_eq!(lines[3], format!("2 | …{}…", "x".repeat(160)));
        assert_eq!(
            lines[4],
            format!("  | {}{}", " ".repeat(54), "^".repeat(107))
        );
    }

    #[test]
    fn control_characters_are_made_visible() {
        let d = Diagnostic::error("bad").at(Some(Location {
            file: "q.yaml".into(),
            line: 1,
            column: 3,
            width: 1,
            source_line: "a:\u{0}b\tc".into(),
        }));
        assert!(d.to_string().contains("1 | a:\u{FFFD}b c\n"), "{d}");
    }

    #[test]
    fn suggests_close_words_only() {
        let ids = ["wireless", "wired-network", "cloud"];
        assert_eq!(
            did_you_mean("wirless", ids).as_deref(),
            Some("did you mean `wireless`?")
        );
        assert_eq!(did_you_mean("bluetooth", ids), None);
    }
}
