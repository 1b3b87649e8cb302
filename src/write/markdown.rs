//! `Document` → Markdown (GitHub flavour), for reports built as documents (the
//! clause-pack comparison). Insertions are `<ins>`, deletions `~~`, which GitHub,
//! GitLab and pandoc all show.

use crate::document::{Block, Document, Span};
use crate::render::escape::escape_markdown;

/// Write a document as Markdown.
pub fn write(doc: &Document) -> String {
    let mut out = String::new();
    for block in &doc.blocks {
        block_md(block, "", &mut out);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn block_md(block: &Block, indent: &str, out: &mut String) {
    let mut line = |prefix: &str, content: &[Span]| {
        out.push_str(indent);
        out.push_str(prefix);
        out.push_str(&inline(content));
        out.push_str("\n\n");
    };
    match block {
        Block::Title { content } => line("# ", content),
        Block::Subtitle { content } => line("", &italic(content)),
        Block::Heading { level, content } => {
            let hashes = "#".repeat(usize::from(*level).clamp(1, 5) + 1);
            line(&format!("{hashes} "), content)
        }
        Block::Paragraph { content } | Block::Label { content } => line("", content),
        Block::List {
            ordered,
            start,
            items,
        } => {
            for (i, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", *start as usize + i)
                } else {
                    "- ".to_string()
                };
                let inner = format!("{indent}{}", " ".repeat(marker.len()));
                for (j, b) in item.iter().enumerate() {
                    match b {
                        Block::Paragraph { content } if j == 0 => {
                            out.push_str(indent);
                            out.push_str(&marker);
                            out.push_str(&inline(content));
                            out.push('\n');
                        }
                        other => block_md(other, &inner, out),
                    }
                }
            }
            out.push('\n');
        }
        Block::Table { header, rows, .. } => {
            let row = |cells: &[Vec<Span>]| {
                let cells: Vec<String> = cells.iter().map(|c| inline(c)).collect();
                format!("{indent}| {} |\n", cells.join(" | "))
            };
            out.push_str(&row(header));
            out.push_str(&format!(
                "{indent}|{}\n",
                "---|".repeat(header.len().max(1))
            ));
            for r in rows {
                out.push_str(&row(r));
            }
            out.push('\n');
        }
        Block::Toc { .. } | Block::PageBreak => {}
    }
}

fn italic(content: &[Span]) -> Vec<Span> {
    content
        .iter()
        .map(|s| Span {
            text: s.text.clone(),
            style: crate::document::Style {
                italic: true,
                ..s.style
            },
        })
        .collect()
}

/// Spans as inline Markdown. Markers go around the words only: `** x**` or
/// `~~x ~~` would not be read as emphasis or strike-through.
fn inline(content: &[Span]) -> String {
    let mut out = String::new();
    for s in content {
        let text = s.text.replace('\n', " ");
        let core = text.trim();
        if core.is_empty() {
            out.push_str(&text);
            continue;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        let mut body = escape_markdown(core);
        if s.style.code {
            body = format!("`{}`", core.replace('`', "'"));
        }
        if s.style.italic {
            body = format!("*{body}*");
        }
        if s.style.bold {
            body = format!("**{body}**");
        }
        if s.style.deleted {
            body = format!("~~{body}~~");
        }
        if s.style.inserted {
            body = format!("<ins>{body}</ins>");
        }
        out.push_str(lead);
        out.push_str(&body);
        out.push_str(trail);
    }
    out
}
