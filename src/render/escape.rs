//! Markdown escaping of data inserted by templates.
//!
//! Every `{{ value }}` in a `.md.tera` template passes through `escape_markdown`, so
//! text from a questionnaire or a catalogue can never turn into a heading, a list, a
//! table cell boundary, emphasis, a link or raw HTML, whatever it contains.

use std::io::Write;

/// Characters that carry meaning somewhere in CommonMark inline or block syntax.
const SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&', '!',
];

/// Escape text for insertion into Markdown: whitespace runs (including line breaks)
/// become one space, control characters are dropped, punctuation with a meaning is
/// backslash-escaped, and a leading list or heading marker is neutralised.
pub fn escape_markdown(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    let mut last_space = false;
    for c in input.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() {
            continue;
        }
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    neutralise_leading_marker(out)
}

/// `- x`, `+ x`, `= x` and `12. x` / `12) x` at the start would open a list or a
/// setext heading when the value starts a line.
fn neutralise_leading_marker(s: String) -> String {
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    let bytes = s.as_bytes();
    if let Some(&first) = bytes.first()
        && matches!(first, b'-' | b'+' | b'=')
    {
        return format!("\\{s}");
    }
    // An ordered-list marker needs a space (or the end) after `1.`: "7.1.1" is safe.
    let marker_end = bytes
        .get(digits + 1)
        .is_none_or(|b| b.is_ascii_whitespace());
    if digits > 0 && digits < s.len() && matches!(bytes[digits], b'.' | b')') && marker_end {
        return format!("{}\\{}", &s[..digits], &s[digits..]);
    }
    s
}

/// The form tera wants for its escape hook.
pub fn tera_escape(input: &str, output: &mut dyn Write) -> std::io::Result<()> {
    output.write_all(escape_markdown(input).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, Block};

    /// Whatever the input, a paragraph built around it stays one paragraph whose
    /// text is the input with whitespace collapsed.
    fn roundtrip(input: &str) {
        let md = format!("{}\n", escape_markdown(input));
        let doc = document::parse(&md);
        let expected: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let expected: String = expected.chars().filter(|c| !c.is_control()).collect();
        if expected.is_empty() {
            return;
        }
        assert_eq!(doc.blocks.len(), 1, "{input:?} became {:?}", doc.blocks);
        let Block::Paragraph { content } = &doc.blocks[0] else {
            panic!("{input:?} became {:?}", doc.blocks)
        };
        assert!(
            content.iter().all(|s| s.style == Default::default()),
            "{input:?} gained a style"
        );
        assert_eq!(document::plain(content), expected, "for {input:?}");
    }

    #[test]
    fn markdown_cannot_be_injected() {
        for s in [
            "# Heading",
            "- item",
            "+ item",
            "1. item",
            "2027) item",
            "7.1.1 numbered title",
            "12.",
            "*bold* and _it_ and **strong**",
            "a | b | c",
            "[link](http://x) ![img](y)",
            "<b>html</b> <!-- c -->",
            "&amp; &#42;",
            "`code`",
            "line\n\n# not a heading\n- nor a list",
            "---",
            "===",
            "> quote",
            "    indented code",
            "back\\slash\\",
            "ICU & step-down units | 24/7 *critical* care #2",
            "Ελληνικά και кириллица, עברית, 😀",
            "tab\there",
            "trailing two spaces  \nbreak",
        ] {
            roundtrip(s);
        }
    }

    #[test]
    fn table_cells_stay_in_their_column() {
        let md = format!(
            "| a | b |\n|---|---|\n| {} | x |\n",
            escape_markdown("1 | 2\n| 3")
        );
        let doc = document::parse(&md);
        let Block::Table { rows, .. } = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(rows[0].len(), 2);
        assert_eq!(document::plain(&rows[0][0]), "1 | 2 | 3");
    }
}
