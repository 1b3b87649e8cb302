//! Markdown → `Document`, with pulldown-cmark (CommonMark plus tables).

use std::iter::Peekable;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::{Block, Document, Inlines, Meta, Span, Style};

/// Parse rendered Markdown. Anything Markdown can say is kept in some form (a code
/// block becomes a monospaced paragraph, a block quote its content); the layout
/// comments listed in the module documentation are applied.
pub fn parse(markdown: &str) -> Document {
    let mut events = Parser::new_ext(markdown, Options::ENABLE_TABLES).peekable();
    let mut st = State {
        meta: Meta::default(),
        pending: Pending::default(),
        lists: 0,
        flat: 0,
    };
    let blocks = st.blocks(&mut events, None);
    Document {
        meta: st.meta,
        blocks,
    }
}

#[derive(Default)]
struct Pending {
    title: bool,
    subtitle: bool,
    widths: Vec<u32>,
}

struct State {
    meta: Meta,
    pending: Pending,
    lists: usize,
    /// Lists open beyond `MAX_LIST_DEPTH`, whose items are read as plain blocks.
    flat: usize,
}

/// Deepest list nesting kept; deeper lists are flattened into the deepest level.
const MAX_LIST_DEPTH: usize = 8;

type Events<'a> = Peekable<Parser<'a>>;

fn is_inline(e: &Event<'_>) -> bool {
    matches!(
        e,
        Event::Text(_)
            | Event::Code(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::InlineHtml(_)
            | Event::Start(
                Tag::Emphasis
                    | Tag::Strong
                    | Tag::Link { .. }
                    | Tag::Image { .. }
                    | Tag::Strikethrough
            )
    )
}

impl State {
    /// Blocks until `end` (or the end of input).
    fn blocks(&mut self, ev: &mut Events<'_>, end: Option<TagEnd>) -> Vec<Block> {
        let mut out = Vec::new();
        while let Some(e) = ev.peek() {
            if self.flat > 0 {
                match e {
                    Event::Start(Tag::Item) | Event::End(TagEnd::Item) => {
                        ev.next();
                        continue;
                    }
                    Event::End(TagEnd::List(_)) => {
                        self.flat -= 1;
                        ev.next();
                        continue;
                    }
                    _ => {}
                }
            }
            if let (Event::End(t), Some(end)) = (e, end)
                && *t == end
            {
                ev.next();
                break;
            }
            if is_inline(e) {
                // Tight list items hold inline content directly.
                let content = inlines(ev, None);
                if !content.is_empty() {
                    out.push(Block::Paragraph { content });
                }
                continue;
            }
            let Some(e) = ev.next() else { break };
            match e {
                Event::Start(Tag::Paragraph) => {
                    let content = inlines(ev, Some(TagEnd::Paragraph));
                    if self.pending.title {
                        self.pending.title = false;
                        if self.meta.title.is_empty() {
                            self.meta.title = super::plain(&content);
                        }
                        out.push(Block::Title { content });
                    } else if self.pending.subtitle {
                        self.pending.subtitle = false;
                        out.push(Block::Subtitle { content });
                    } else if super::is_label(&content) {
                        out.push(Block::Label { content });
                    } else {
                        out.push(Block::Paragraph { content });
                    }
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let end = TagEnd::Heading(level);
                    let content = inlines(ev, Some(end));
                    out.push(Block::Heading {
                        level: (level as u8).min(4),
                        content,
                    });
                }
                Event::Start(Tag::List(_)) if self.lists >= MAX_LIST_DEPTH => self.flat += 1,
                Event::Start(Tag::List(start)) => {
                    let mut items = Vec::new();
                    self.lists += 1;
                    while let Some(e) = ev.next() {
                        match e {
                            Event::Start(Tag::Item) => {
                                items.push(self.blocks(ev, Some(TagEnd::Item)))
                            }
                            Event::End(TagEnd::List(_)) => break,
                            _ => {}
                        }
                    }
                    self.lists -= 1;
                    out.push(Block::List {
                        ordered: start.is_some(),
                        start: start.unwrap_or(1),
                        items,
                    });
                }
                Event::Start(Tag::Table(_)) => out.push(self.table(ev)),
                // A block quote keeps its content, read in this same loop (its end
                // falls under "other containers"): no recursion, however deep.
                Event::Start(Tag::BlockQuote(_)) => {}
                Event::Start(Tag::CodeBlock(kind)) => {
                    let mut text = String::new();
                    for e in ev.by_ref() {
                        match e {
                            Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    let _ = matches!(kind, CodeBlockKind::Fenced(_));
                    let text = text.trim_end_matches('\n').to_string();
                    out.push(Block::Paragraph {
                        content: vec![Span {
                            text,
                            style: Style {
                                code: true,
                                ..Style::default()
                            },
                        }],
                    });
                }
                Event::Start(Tag::HtmlBlock) => {
                    let mut html = String::new();
                    for e in ev.by_ref() {
                        match e {
                            Event::Html(t) => html.push_str(&t),
                            Event::End(TagEnd::HtmlBlock) => break,
                            _ => {}
                        }
                    }
                    self.directives(&html, &mut out);
                }
                Event::Html(t) => self.directives(&t, &mut out),
                // Other containers: keep their content.
                Event::Start(_) | Event::End(_) | Event::Rule => {}
                _ => {}
            }
        }
        out
    }

    fn directives(&mut self, html: &str, out: &mut Vec<Block>) {
        let mut rest = html;
        while let Some(start) = rest.find("<!--") {
            let Some(len) = rest[start + 4..].find("-->") else {
                break;
            };
            let body = rest[start + 4..start + 4 + len].trim();
            rest = &rest[start + 4 + len + 3..];
            let (name, value) = match body.split_once(':') {
                Some((n, v)) => (n.trim(), v.trim()),
                None => (body, ""),
            };
            match name {
                "title" => self.pending.title = true,
                "subtitle" => self.pending.subtitle = true,
                "toc" => out.push(Block::Toc {
                    title: value.to_string(),
                }),
                "pagebreak" => out.push(Block::PageBreak),
                "widths" => {
                    self.pending.widths = value
                        .split_whitespace()
                        .filter_map(|w| w.parse().ok())
                        .collect();
                }
                "page-label" => self.meta.page_label = value.to_string(),
                "header" => self.meta.header = value.to_string(),
                "chapters" => self.meta.chapter_pages = value == "new-page",
                _ => {}
            }
        }
    }

    fn table(&mut self, ev: &mut Events<'_>) -> Block {
        let mut header = Vec::new();
        let mut rows: Vec<Vec<Inlines>> = Vec::new();
        let mut in_head = false;
        while let Some(e) = ev.next() {
            match e {
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = inlines(ev, Some(TagEnd::TableCell));
                    if in_head {
                        header.push(cell);
                    } else if let Some(row) = rows.last_mut() {
                        row.push(cell);
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        let mut widths = std::mem::take(&mut self.pending.widths);
        if widths.len() != header.len() || widths.contains(&0) {
            widths = vec![1; header.len()];
        }
        for row in &mut rows {
            row.resize(header.len(), Vec::new());
        }
        Block::Table {
            widths,
            header,
            rows,
        }
    }
}

/// Inline content until `end` (or, with `None`, until the next non-inline event).
fn inlines(ev: &mut Events<'_>, end: Option<TagEnd>) -> Inlines {
    let mut out: Inlines = Vec::new();
    let mut bold = 0u32;
    let mut italic = 0u32;
    while let Some(peeked) = ev.peek() {
        if end.is_none()
            && !is_inline(peeked)
            && !matches!(
                peeked,
                Event::End(
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Link
                        | TagEnd::Image
                        | TagEnd::Strikethrough
                )
            )
        {
            break;
        }
        let Some(e) = ev.next() else { break };
        let style = Style {
            bold: bold > 0,
            italic: italic > 0,
            ..Style::default()
        };
        match e {
            Event::End(t) if Some(t) == end => break,
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Text(t) => push(&mut out, &t, style),
            Event::Code(t) => push(
                &mut out,
                &t,
                Style {
                    code: true,
                    ..style
                },
            ),
            Event::SoftBreak => push(&mut out, " ", style),
            Event::HardBreak => push(&mut out, "\n", style),
            _ => {}
        }
    }
    // Trailing soft breaks or spaces carry nothing.
    if let Some(last) = out.last_mut() {
        let trimmed = last.text.trim_end_matches(' ').len();
        last.text.truncate(trimmed);
        if last.text.is_empty() {
            out.pop();
        }
    }
    out
}

/// Append text, merging with the previous span when the style is the same: the
/// parser splits text at every escape, and writers want whole words.
fn push(out: &mut Inlines, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => out.push(Span {
            text: text.to_string(),
            style,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Span {
        Span {
            text: t.into(),
            style: Style::default(),
        }
    }

    #[test]
    fn escaped_text_arrives_as_one_span() {
        let d = parse("Ref UHX\\-2027\\-014 \\*not bold\\* \\# x\n");
        assert_eq!(
            d.blocks,
            vec![Block::Paragraph {
                content: vec![text("Ref UHX-2027-014 *not bold* # x")]
            }]
        );
    }

    #[test]
    fn directives_shape_the_next_block() {
        let md = "<!-- title -->\n\nAnnex\n\n<!-- toc: Contents -->\n\n<!-- widths: 1 3 -->\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<!-- page-label: Page {page} of {pages} -->\n";
        let d = parse(md);
        assert_eq!(d.meta.title, "Annex");
        assert_eq!(d.meta.page_label, "Page {page} of {pages}");
        assert_eq!(
            d.blocks[0],
            Block::Title {
                content: vec![text("Annex")]
            }
        );
        assert_eq!(
            d.blocks[1],
            Block::Toc {
                title: "Contents".into()
            }
        );
        assert_eq!(
            d.blocks[2],
            Block::Table {
                widths: vec![1, 3],
                header: vec![vec![text("a")], vec![text("b")]],
                rows: vec![vec![vec![text("1")], vec![text("2")]]]
            }
        );
    }

    #[test]
    fn lists_tight_and_loose_and_styles() {
        let d = parse("- **At tender**: a\n- b\n\n1. x\n\n2. y\n");
        let Block::List {
            ordered: false,
            items,
            ..
        } = &d.blocks[0]
        else {
            panic!("{:?}", d.blocks)
        };
        assert_eq!(
            items[0],
            vec![Block::Paragraph {
                content: vec![
                    Span {
                        text: "At tender".into(),
                        style: Style {
                            bold: true,
                            ..Style::default()
                        }
                    },
                    text(": a"),
                ]
            }]
        );
        let Block::List {
            ordered: true,
            start: 1,
            items,
        } = &d.blocks[1]
        else {
            panic!()
        };
        assert_eq!(items.len(), 2);
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn consecutive_directives_each_count() {
        let d = parse("Intro.\n\n<!-- toc: Contents -->\n\n<!-- pagebreak -->\n\n# 1 Purpose\n");
        assert_eq!(d.blocks.len(), 4, "{:?}", d.blocks);
        assert_eq!(d.blocks[2], Block::PageBreak);
        assert!(!d.meta.chapter_pages, "chapters share pages unless asked");
        let d = parse("<!-- chapters: new-page -->\n\n# 1 Purpose\n");
        assert!(d.meta.chapter_pages);
        assert_eq!(d.blocks.len(), 1, "the directive adds no block");
    }
}
