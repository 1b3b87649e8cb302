//! `Document` → a standalone HTML page, for reports built as documents (the
//! clause-pack comparison): insertions are `<ins>`, deletions `<del>`.

use crate::document::{Block, Document, Span};

const CSS: &str = "body{font-family:'Noto Sans',Arial,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}\
h1,h2,h3{color:#1f3864}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#d9e2f3}ins{color:#0b6e0b;background:#e6f4e6;text-decoration:underline}del{color:#a00;background:#fbe9e9}\
.subtitle{font-size:1.2em;color:#555}.label{margin-bottom:.2em}";

/// Write a document as an HTML page.
pub fn write(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"{}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&doc.meta.language),
        escape(&doc.meta.generator),
        escape(if doc.meta.subject.is_empty() {
            &doc.meta.title
        } else {
            &doc.meta.subject
        }),
    );
    for block in &doc.blocks {
        block_html(block, &mut out);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn block_html(block: &Block, out: &mut String) {
    match block {
        Block::Title { content } => out.push_str(&format!("<h1>{}</h1>\n", inline(content))),
        Block::Subtitle { content } => {
            out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", inline(content)))
        }
        Block::Heading { level, content } => {
            let n = usize::from(*level).clamp(1, 5) + 1;
            out.push_str(&format!("<h{n}>{}</h{n}>\n", inline(content)));
        }
        Block::Paragraph { content } => out.push_str(&format!("<p>{}</p>\n", inline(content))),
        Block::Label { content } => {
            out.push_str(&format!("<p class=\"label\">{}</p>\n", inline(content)))
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            let tag = if *ordered { "ol" } else { "ul" };
            if *ordered && *start != 1 {
                out.push_str(&format!("<ol start=\"{start}\">\n"));
            } else {
                out.push_str(&format!("<{tag}>\n"));
            }
            for item in items {
                out.push_str("<li>");
                for (j, b) in item.iter().enumerate() {
                    match b {
                        Block::Paragraph { content } if j == 0 => out.push_str(&inline(content)),
                        other => block_html(other, out),
                    }
                }
                out.push_str("</li>\n");
            }
            out.push_str(&format!("</{tag}>\n"));
        }
        Block::Table { header, rows, .. } => {
            out.push_str("<table>\n<thead><tr>");
            for h in header {
                out.push_str(&format!("<th>{}</th>", inline(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for r in rows {
                out.push_str("<tr>");
                for c in r {
                    out.push_str(&format!("<td>{}</td>", inline(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Toc { .. } | Block::PageBreak => {}
    }
}

fn inline(content: &[Span]) -> String {
    let mut out = String::new();
    for s in content {
        let mut body = escape(&s.text).replace('\n', "<br>");
        if s.style.code {
            body = format!("<code>{body}</code>");
        }
        if s.style.italic {
            body = format!("<em>{body}</em>");
        }
        if s.style.bold {
            body = format!("<strong>{body}</strong>");
        }
        if s.style.deleted {
            body = format!("<del>{body}</del>");
        }
        if s.style.inserted {
            body = format!("<ins>{body}</ins>");
        }
        out.push_str(&body);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
