//! The document model: the only input of the writers.
//!
//! Rendered Markdown is parsed once into this small model (title, headings,
//! paragraphs of styled spans, lists, tables, a contents marker and page breaks).
//! A few layout wishes that Markdown cannot express travel as HTML comments in the
//! Markdown, written by the templates (never by user data, which is escaped):
//!
//! | comment | effect |
//! |---|---|
//! | `<!-- title -->` | the next paragraph is the document title |
//! | `<!-- subtitle -->` | the next paragraph is a subtitle |
//! | `<!-- toc: Contents -->` | a table of contents, with its heading, goes here |
//! | `<!-- pagebreak -->` | a page break goes here |
//! | `<!-- widths: 10 50 40 -->` | relative column widths of the next table |
//! | `<!-- page-label: Page {page} of {pages} -->` | footer wording |
//! | `<!-- header: text -->` | header wording |
//! | `<!-- chapters: new-page -->` | each chapter but the first starts a new page |

mod parse;

use serde::Serialize;

pub use parse::parse;

/// A whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Properties and running texts.
    pub meta: Meta,
    /// Content.
    pub blocks: Vec<Block>,
}

/// Document properties and the texts of header and footer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Meta {
    /// Document title (from the `<!-- title -->` paragraph).
    pub title: String,
    /// Subject (the procurement title).
    pub subject: String,
    /// Author (the buyer).
    pub author: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Language (ISO 639-1).
    pub language: String,
    /// Document date, YYYY-MM-DD.
    pub date: String,
    /// Running header text.
    pub header: String,
    /// Footer pattern with `{page}` and `{pages}`.
    pub page_label: String,
    /// Producer named in the file properties.
    pub generator: String,
    /// Each level-1 heading but the first starts a new page (in the PDF).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chapter_pages: bool,
}

/// Inline style of a span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Style {
    /// Bold.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    /// Italic.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
    /// Monospaced (code).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
    /// Inserted, in a comparison (a tracked insertion in DOCX).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inserted: bool,
    /// Deleted, in a comparison (a tracked deletion in DOCX).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// A run of text in one style. A `\n` in `text` is a line break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Its style.
    #[serde(flatten)]
    pub style: Style,
}

/// Inline content: spans in order.
pub type Inlines = Vec<Span>;

/// A block of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// The document title.
    Title {
        /// Text.
        content: Inlines,
    },
    /// A subtitle under the title.
    Subtitle {
        /// Text.
        content: Inlines,
    },
    /// A heading, level 1 to 4.
    Heading {
        /// 1 = chapter.
        level: u8,
        /// Text.
        content: Inlines,
    },
    /// A paragraph.
    Paragraph {
        /// Text.
        content: Inlines,
    },
    /// A short paragraph that introduces what follows ("**Evidence**", "Cited:"):
    /// kept on the same page as the next block.
    Label {
        /// Text.
        content: Inlines,
    },
    /// A bulleted or numbered list; each item is a list of blocks.
    List {
        /// Numbered?
        ordered: bool,
        /// First number of a numbered list.
        start: u64,
        /// Items.
        items: Vec<Vec<Block>>,
    },
    /// A table with one header row.
    Table {
        /// Relative column widths (they need not add up to anything).
        widths: Vec<u32>,
        /// Header cells.
        header: Vec<Inlines>,
        /// Body rows.
        rows: Vec<Vec<Inlines>>,
    },
    /// Table of contents, with its heading.
    Toc {
        /// Heading shown above the contents (not itself listed).
        title: String,
    },
    /// Page break.
    PageBreak,
}

/// True for a paragraph that only introduces what follows: all bold, or short and
/// ending with a colon.
pub fn is_label(content: &[Span]) -> bool {
    let text = plain(content);
    let all_bold = !content.is_empty() && content.iter().all(|s| s.style.bold);
    (all_bold && text.chars().count() <= 80) || (text.ends_with(':') && text.chars().count() <= 160)
}

/// Plain text of inline content.
pub fn plain(content: &[Span]) -> String {
    content.iter().map(|s| s.text.as_str()).collect()
}

impl Document {
    /// All the text of the document, blocks separated by newlines: for tests and
    /// for comparing with what a PDF or DOCX reader extracts.
    pub fn text(&self) -> String {
        fn walk(blocks: &[Block], out: &mut String) {
            for b in blocks {
                match b {
                    Block::Title { content }
                    | Block::Subtitle { content }
                    | Block::Heading { content, .. }
                    | Block::Paragraph { content }
                    | Block::Label { content } => {
                        out.push_str(&plain(content));
                        out.push('\n');
                    }
                    Block::List { items, .. } => {
                        for item in items {
                            walk(item, out);
                        }
                    }
                    Block::Table { header, rows, .. } => {
                        for row in std::iter::once(header).chain(rows) {
                            let cells: Vec<String> = row.iter().map(|c| plain(c)).collect();
                            out.push_str(&cells.join(" | "));
                            out.push('\n');
                        }
                    }
                    Block::Toc { .. } | Block::PageBreak => {}
                }
            }
        }
        let mut out = String::new();
        walk(&self.blocks, &mut out);
        out
    }
}
