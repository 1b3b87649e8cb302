//! DOCX writer: docx-rs, plus small patches on the built XML parts for what
//! docx-rs cannot say, or says out of the schema's order (core document
//! properties, repeated table header rows, table cell margins, and "update fields
//! on open" so Word fills in the table of contents).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, BuildXML, Delete, DocumentChild, Docx,
    FieldCharType, Footer, Header, IndentLevel, Insert, InstrText, InstrToC, Level, LevelJc,
    LevelOverride, LevelText, LineSpacing, NumPages, NumberFormat, Numbering, NumberingId,
    PageMargin, PageNum, Paragraph, Run, RunFonts, Shading, ShdType, SpecialIndentType, Start,
    Style, StyleType, Table, TableCell, TableLayoutType, TableRow, WidthType, XMLDocx,
};

use crate::diag::Diagnostic;
use crate::document::{Block, Document, Span};

const FONT: &str = "Noto Sans";
/// A4 in twentieths of a point.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN: i32 = 1247; // 2.2 cm
const TEXT_W: usize = (PAGE_W as usize) - 2 * (MARGIN as usize);
// docx-rs always writes a default abstract numbering 1 and numbering 1: ours start above.
const BULLET_ABSTRACT: usize = 10;
const DECIMAL_ABSTRACT: usize = 11;
const FIRST_LIST_ID: usize = 100;
const BODY: &[u8] = b"<w:body>";

/// Write a document as DOCX bytes.
pub fn write(doc: &Document) -> Result<Vec<u8>, Diagnostic> {
    let mut w = Writer {
        numbering_ids: FIRST_LIST_ID,
        docx: base(doc),
        body: Vec::new(),
        next_para: 1,
        next_change: 1,
        headings: toc_entries(&doc.blocks),
        rev: Revision {
            author: doc.meta.author.clone(),
            date: format!("{}T00:00:00Z", doc.meta.date),
        },
        chapter_break: false,
    };
    // As in the PDF style: with `chapters: new-page`, every chapter after the first
    // starts a new page, unless a page break has just started one.
    let (mut first_chapter_seen, mut after_break) = (false, false);
    for block in &doc.blocks {
        if let Block::Heading { level: 1, .. } = block {
            w.chapter_break = doc.meta.chapter_pages && first_chapter_seen && !after_break;
            first_chapter_seen = true;
        }
        after_break = matches!(block, Block::PageBreak);
        w.block(block, 0);
    }
    let (mut next_para, mut next_change) = (w.next_para, w.next_change);
    // docx-rs builds the document part around an empty body; the body built above
    // goes in right after `<w:body>`, as the part is zipped.
    let mut xml = w.docx.build();
    let at = xml
        .document
        .windows(BODY.len())
        .position(|win| win == BODY)
        .ok_or_else(|| Diagnostic::error("internal error writing DOCX: no <w:body> element"))?
        + BODY.len();
    xml.doc_props.core = core_xml(doc).into_bytes();
    for part in xml.headers.iter_mut().chain(xml.footers.iter_mut()) {
        let mut out = Vec::with_capacity(part.len() + 64);
        patch_part(part, &mut out, &mut next_para, &mut next_change);
        *part = out;
    }
    xml.settings = update_fields_on_open(&xml.settings);
    // A document that carries tracked changes (a comparison) opens with change
    // tracking on, so that the reviewer's own edits are tracked too.
    if next_change > 1 {
        xml.settings = add_setting(&xml.settings, "<w:defaultTabStop", "<w:trackRevisions />");
    }
    pack(&xml, &w.body, at)
        .map_err(|e| Diagnostic::error(format!("internal error writing DOCX: {e}")))
}

/// Zip the parts, with `body` inside the document part at `at`. docx-rs stores
/// them uncompressed; deflate them as Word does (an annex of 600 KB becomes about
/// 80 KB). Level 3 deflates the annex's body in half the time of level 6 for 12 %
/// more bytes. Entries have no timestamp beyond the ZIP epoch, so the same
/// document gives the same bytes.
fn pack(xml: &XMLDocx, body: &[u8], at: usize) -> zip::result::ZipResult<Vec<u8>> {
    let (before, after) = xml.document.split_at(at);
    let mut parts: Vec<(String, Vec<&[u8]>)> = vec![
        ("[Content_Types].xml".into(), vec![&xml.content_type]),
        ("_rels/.rels".into(), vec![&xml.rels]),
        ("docProps/app.xml".into(), vec![&xml.doc_props.app]),
        ("docProps/core.xml".into(), vec![&xml.doc_props.core]),
        ("docProps/custom.xml".into(), vec![&xml.doc_props.custom]),
        (
            "word/_rels/document.xml.rels".into(),
            vec![&xml.document_rels],
        ),
        ("word/document.xml".into(), vec![before, body, after]),
        ("word/styles.xml".into(), vec![&xml.styles]),
        ("word/settings.xml".into(), vec![&xml.settings]),
        ("word/fontTable.xml".into(), vec![&xml.font_table]),
        ("word/comments.xml".into(), vec![&xml.comments]),
        ("word/numbering.xml".into(), vec![&xml.numberings]),
        (
            "word/commentsExtended.xml".into(),
            vec![&xml.comments_extended],
        ),
        ("word/footnotes.xml".into(), vec![&xml.footnotes]),
    ];
    for (kind, bodies, rels) in [
        ("header", &xml.headers, &xml.header_rels),
        ("footer", &xml.footers, &xml.footer_rels),
    ] {
        for (i, part) in bodies.iter().enumerate() {
            parts.push((format!("word/{kind}{}.xml", i + 1), vec![part]));
            if let Some(rel) = rels.get(i) {
                parts.push((format!("word/_rels/{kind}{}.xml.rels", i + 1), vec![rel]));
            }
        }
    }
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(3));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, pieces) in parts {
        zip.start_file(name, options)?;
        for bytes in pieces {
            zip.write_all(bytes)?;
        }
    }
    Ok(zip.finish()?.into_inner())
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

fn heading_style(id: &str, name: &str, size: usize, level: usize, before: u32) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .size(size)
        .bold()
        .color("1F3864")
        .outline_lvl(level)
        .line_spacing(LineSpacing::new().before(before).after(120))
}

fn base(doc: &Document) -> Docx {
    let page_label = if doc.meta.page_label.is_empty() {
        "{page} / {pages}"
    } else {
        &doc.meta.page_label
    };
    let mut footer = Paragraph::new()
        .style("Footer")
        .align(AlignmentType::Center);
    // "Page {page} of {pages}": text runs around PAGE and NUMPAGES fields.
    let mut rest = page_label;
    while !rest.is_empty() {
        let next = [("{page}", 0), ("{pages}", 1)]
            .iter()
            .filter_map(|(tok, k)| rest.find(tok).map(|i| (i, *tok, *k)))
            .min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, tok, kind)) => {
                if i > 0 {
                    footer = footer.add_run(Run::new().add_text(&rest[..i]));
                }
                footer = if kind == 0 {
                    footer.add_page_num(PageNum::new())
                } else {
                    footer.add_num_pages(NumPages::new())
                };
                rest = &rest[i + tok.len()..];
            }
            None => {
                footer = footer.add_run(Run::new().add_text(rest));
                rest = "";
            }
        }
    }
    let header_text = match (doc.meta.title.is_empty(), doc.meta.header.is_empty()) {
        (false, false) => format!("{} \u{b7} {}", doc.meta.title, doc.meta.header),
        (true, _) => doc.meta.header.clone(),
        (false, true) => doc.meta.title.clone(),
    };
    let header = Paragraph::new()
        .style("Header")
        .align(AlignmentType::Right)
        .add_run(Run::new().add_text(header_text));
    let footer = Footer::new().add_paragraph(footer);
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(1418)
                .bottom(1304)
                .left(MARGIN)
                .right(MARGIN)
                .header(709)
                .footer(624),
        )
        .default_fonts(fonts())
        .default_size(20)
        .default_line_spacing(LineSpacing::new().after(120).line(264))
        // The cover page has no running header, as in the PDF.
        .title_pg()
        .first_header(Header::new())
        .header(Header::new().add_paragraph(header))
        .first_footer(footer.clone())
        .footer(footer)
        .created_at(&format!("{}T00:00:00Z", doc.meta.date))
        .updated_at(&format!("{}T00:00:00Z", doc.meta.date));
    for style in styles() {
        docx = docx.add_style(style);
    }
    docx.add_abstract_numbering(
        AbstractNumbering::new(BULLET_ABSTRACT)
            .add_level(list_level(0, "bullet", "\u{2022}"))
            .add_level(list_level(1, "bullet", "\u{2013}")),
    )
    .add_abstract_numbering(
        AbstractNumbering::new(DECIMAL_ABSTRACT)
            .add_level(list_level(0, "decimal", "%1."))
            .add_level(list_level(1, "lowerLetter", "%2)")),
    )
}

/// A paragraph style based on Normal.
fn para_style(id: &str, name: &str, size: usize, before: u32, after: u32) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .size(size)
        .line_spacing(LineSpacing::new().before(before).after(after))
}

/// The styles every document uses; names are Word's built-in ones, so a buyer's
/// own template or TOC picks them up.
fn styles() -> Vec<Style> {
    vec![
        Style::new("Normal", StyleType::Paragraph).name("Normal"),
        para_style("Title", "Title", 44, 1200, 240)
            .bold()
            .color("1F3864"),
        para_style("Subtitle", "Subtitle", 28, 0, 360).color("404040"),
        heading_style("Heading1", "heading 1", 30, 0, 360),
        heading_style("Heading2", "heading 2", 25, 1, 280),
        heading_style("Heading3", "heading 3", 21, 2, 240),
        heading_style("Heading4", "heading 4", 20, 3, 200),
        para_style("TableText", "Table Text", 17, 0, 0)
            .line_spacing(LineSpacing::new().after(0).line(240)),
        para_style("Header", "header", 16, 0, 0).color("595959"),
        para_style("Footer", "footer", 16, 0, 0).color("595959"),
        para_style("TOCHeading", "TOC Heading", 30, 360, 120)
            .bold()
            .color("1F3864"),
        // Tight enough that the contents of an annex (up to 11 chapters and
        // appendices and 16 sections) stay on the first page, under the title.
        para_style("TOC1", "toc 1", 20, 60, 0).bold(),
        para_style("TOC2", "toc 2", 20, 0, 0).indent(Some(360), None, None, None),
    ]
}

fn list_level(level: usize, format: &str, text: &str) -> Level {
    let indent = 360 * (level as i32 + 1);
    Level::new(
        level,
        Start::new(1),
        NumberFormat::new(format),
        LevelText::new(text),
        LevelJc::new("left"),
    )
    .indent(
        Some(indent),
        Some(SpecialIndentType::Hanging(300)),
        None,
        None,
    )
}

struct Writer {
    /// Everything but the body.
    docx: Docx,
    /// The body's XML. Each paragraph or table is serialised and patched as soon as
    /// it is complete, then dropped: docx-rs's structures are large (2.4 KB a
    /// paragraph), and holding some thousands of them at once touched 8 MB of
    /// fresh memory, half the page faults of a DOCX run.
    body: Vec<u8>,
    /// The counters `patch_part` numbers ids from.
    next_para: u32,
    next_change: u32,
    numbering_ids: usize,
    /// Level-1 and level-2 headings, for the table of contents.
    headings: Vec<(u8, String)>,
    rev: Revision,
    /// The next level-1 heading starts a new page (`chapters: new-page`).
    chapter_break: bool,
}

fn toc_entries(blocks: &[Block]) -> Vec<(u8, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content } if *level <= 2 => {
                Some((*level, crate::document::plain(content)))
            }
            _ => None,
        })
        .collect()
}

/// Author and date of tracked changes (spans marked inserted or deleted).
struct Revision {
    author: String,
    date: String,
}

fn runs(mut p: Paragraph, content: &[Span], size: Option<usize>, rev: &Revision) -> Paragraph {
    // A paragraph that is wholly inserted or deleted takes its paragraph mark
    // with it, so that rejecting (or accepting) leaves no empty paragraph behind.
    if !content.is_empty() && content.iter().all(|s| s.style.inserted) {
        p = p.insert(&rev.author, &rev.date);
    } else if !content.is_empty() && content.iter().all(|s| s.style.deleted) {
        p = p.delete(&rev.author, &rev.date);
    }
    for span in content {
        for (i, piece) in span.text.split('\n').enumerate() {
            let mut run = Run::new();
            if i > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            // Deleted text is `w:delText`: Word shows `w:t` inside `w:del` as
            // corrupt.
            run = if span.style.deleted {
                run.add_delete_text(piece)
            } else {
                run.add_text(piece)
            };
            if span.style.bold {
                run = run.bold();
            }
            if span.style.italic {
                run = run.italic();
            }
            if span.style.code {
                run = run.shading(Shading::new().shd_type(ShdType::Clear).fill("EFEFEF"));
            }
            if let Some(s) = size {
                run = run.size(s);
            }
            p = if span.style.deleted {
                p.add_delete(
                    Delete::new()
                        .add_run(run)
                        .author(&rev.author)
                        .date(&rev.date),
                )
            } else if span.style.inserted {
                p.add_insert(Insert::new(run).author(&rev.author).date(&rev.date))
            } else {
                p.add_run(run)
            };
        }
    }
    p
}

impl Writer {
    fn new_list(&mut self, ordered: bool, start: u64) -> usize {
        self.numbering_ids += 1;
        let id = self.numbering_ids;
        let abs = if ordered {
            DECIMAL_ABSTRACT
        } else {
            BULLET_ABSTRACT
        };
        let mut n = Numbering::new(id, abs);
        if ordered {
            n = n.add_override(LevelOverride::new(0).start(start as usize));
        }
        self.docx.numberings.numberings.push(n);
        id
    }

    fn add(&mut self, p: Paragraph) {
        let numbered = p.has_numbering;
        self.push(DocumentChild::Paragraph(Box::new(p)), numbered);
    }

    /// What `Docx::add_paragraph` and `add_table` do: a body child, and the
    /// numbering part listed when a child uses numbering. Our documents have no
    /// comments, hyperlinks, images or footnotes, the only things docx-rs's build
    /// collects from the body.
    fn push(&mut self, child: DocumentChild, numbered: bool) {
        if numbered {
            self.docx.document.has_numbering = true;
            self.docx.document_rels.has_numberings = true;
        }
        patch_part(
            &child.build(),
            &mut self.body,
            &mut self.next_para,
            &mut self.next_change,
        );
    }

    fn block(&mut self, block: &Block, depth: usize) {
        match block {
            Block::Title { content } => self.add(runs(
                Paragraph::new().style("Title"),
                content,
                None,
                &self.rev,
            )),
            Block::Subtitle { content } => self.add(runs(
                Paragraph::new().style("Subtitle"),
                content,
                None,
                &self.rev,
            )),
            Block::Heading { level, content } => {
                let style = format!("Heading{}", level.clamp(&1, &4));
                let mut p = Paragraph::new()
                    .style(&style)
                    .keep_next(true)
                    .keep_lines(true);
                if std::mem::take(&mut self.chapter_break) {
                    p = p.page_break_before(true);
                }
                self.add(runs(p, content, None, &self.rev));
            }
            Block::Label { content } => {
                self.add(runs(
                    Paragraph::new().keep_next(true).keep_lines(true),
                    content,
                    None,
                    &self.rev,
                ));
            }
            Block::Paragraph { content } => {
                self.add(runs(
                    Paragraph::new().align(AlignmentType::Both),
                    content,
                    None,
                    &self.rev,
                ));
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let id = self.new_list(*ordered, *start);
                for item in items {
                    let mut first = true;
                    for b in item {
                        match b {
                            Block::Paragraph { content } if first => {
                                let p = Paragraph::new()
                                    .numbering(NumberingId::new(id), IndentLevel::new(depth.min(1)))
                                    .line_spacing(LineSpacing::new().after(60));
                                self.add(runs(p, content, None, &self.rev));
                                first = false;
                            }
                            other => self.block(other, depth + 1),
                        }
                    }
                }
            }
            Block::Table {
                widths,
                header,
                rows,
            } => self.table(widths, header, rows),
            Block::Toc { title } => self.toc(title),
            Block::PageBreak => {
                self.add(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
        }
    }

    fn table(&mut self, widths: &[u32], header: &[Vec<Span>], rows: &[Vec<Vec<Span>>]) {
        let total: u64 = widths.iter().map(|&w| u64::from(w)).sum::<u64>().max(1);
        let grid: Vec<usize> = widths
            .iter()
            .map(|&w| (TEXT_W as u64 * u64::from(w) / total) as usize)
            .collect();
        let cell = |content: &[Span], width: usize, head: bool| {
            let p = runs(
                Paragraph::new().style("TableText").keep_next(head),
                content,
                None,
                &self.rev,
            );
            let p = if head { p.bold() } else { p };
            let mut c = TableCell::new()
                .add_paragraph(p)
                .width(width, WidthType::Dxa);
            if head {
                c = c.shading(Shading::new().shd_type(ShdType::Clear).fill("D9E2F3"));
            }
            c
        };
        let head_cells: Vec<TableCell> = header
            .iter()
            .zip(&grid)
            .map(|(c, w)| cell(&bold(c), *w, true))
            .collect();
        let mut table_rows = vec![TableRow::new(head_cells).cant_split()];
        for row in rows {
            let cells = row
                .iter()
                .zip(&grid)
                .map(|(c, w)| cell(c, *w, false))
                .collect();
            table_rows.push(TableRow::new(cells).cant_split());
        }
        // `patch_part` adds the cell margins.
        let table = Table::new(table_rows)
            .set_grid(grid)
            .width(TEXT_W, WidthType::Dxa)
            .layout(TableLayoutType::Fixed);
        let numbered = table.has_numbering;
        self.push(DocumentChild::Table(Box::new(table)), numbered);
        // Space after the table.
        self.add(
            Paragraph::new()
                .line_spacing(LineSpacing::new().after(0))
                .size(8),
        );
    }

    fn toc(&mut self, title: &str) {
        if !title.is_empty() {
            self.add(
                Paragraph::new()
                    .style("TOCHeading")
                    .add_run(Run::new().add_text(title)),
            );
        }
        // A TOC field over paragraphs that already list the headings: Word rebuilds it
        // with page numbers on open (settings carry updateFields); other office
        // suites show the list as it is.
        let entries = std::mem::take(&mut self.headings);
        let last = entries.len().saturating_sub(1);
        let begin = || {
            vec![
                Run::new().add_field_char(FieldCharType::Begin, true),
                Run::new().add_instr_text(InstrText::TOC(
                    InstrToC::new().heading_styles_range(1, 2).hyperlink(),
                )),
                Run::new().add_field_char(FieldCharType::Separate, false),
            ]
        };
        if entries.is_empty() {
            let mut p = Paragraph::new();
            for r in begin() {
                p = p.add_run(r);
            }
            self.add(p.add_run(Run::new().add_field_char(FieldCharType::End, false)));
            return;
        }
        for (i, (level, text)) in entries.iter().enumerate() {
            let mut p = Paragraph::new().style(if *level == 1 { "TOC1" } else { "TOC2" });
            if i == 0 {
                for r in begin() {
                    p = p.add_run(r);
                }
            }
            p = p.add_run(Run::new().add_text(text));
            if i == last {
                p = p.add_run(Run::new().add_field_char(FieldCharType::End, false));
            }
            self.add(p);
        }
    }
}

fn bold(content: &[Span]) -> Vec<Span> {
    content
        .iter()
        .map(|s| Span {
            text: s.text.clone(),
            style: crate::document::Style {
                bold: true,
                ..s.style
            },
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// docx-rs has no setter for title, subject, creator, keywords or language.
fn core_xml(doc: &Document) -> String {
    let m = &doc.meta;
    let stamp = format!("{}T00:00:00Z", m.date);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
<cp:keywords>{}</cp:keywords><dc:language>{}</dc:language><cp:lastModifiedBy>{}</cp:lastModifiedBy>\
<cp:revision>1</cp:revision>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{stamp}</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{stamp}</dcterms:modified>\
</cp:coreProperties>",
        xml_escape(&m.title),
        xml_escape(&m.subject),
        xml_escape(&m.author),
        xml_escape(&m.keywords.join("; ")),
        xml_escape(&m.language),
        xml_escape(&m.generator),
    )
}

/// What docx-rs's XML needs, in one pass over a part's bytes:
/// - docx-rs numbers paragraphs (`w14:paraId`) and tracked changes (`w:ins`,
///   `w:del`) from counters that outlive one document: they are renumbered from
///   `next_para` and `next_change`, so that the same document gets the same bytes;
/// - the first row of every table becomes a header row, repeated on each page;
/// - every table gets cell margins near the PDF's insets (4 pt by 3.6 pt): without
///   them, Word and LibreOffice set the text against the top and bottom borders.
///   docx-rs can write them, but before `w:tblLayout`, where the schema does not
///   allow them.
///
/// The patched bytes are appended to `out`.
fn patch_part(xml: &[u8], out: &mut Vec<u8>, next_para: &mut u32, next_change: &mut u32) {
    const PARA: &[u8] = b"<w:p w14:paraId=\"";
    const INSERTED: &[u8] = b"<w:ins w:id=\"";
    const DELETED: &[u8] = b"<w:del w:id=\"";
    const TABLE: &[u8] = b"<w:tbl>";
    const ROW_PROPERTIES: &[u8] = b"<w:trPr>";
    const TABLE_LAYOUT: &[u8] = b"<w:tblLayout ";
    const CELL_MARGINS: &[u8] = b"<w:tblCellMar><w:top w:w=\"50\" w:type=\"dxa\" />\
        <w:left w:w=\"80\" w:type=\"dxa\" /><w:bottom w:w=\"50\" w:type=\"dxa\" />\
        <w:right w:w=\"80\" w:type=\"dxa\" /></w:tblCellMar>";
    // `xml[..copied]` is in `out` already.
    let mut copied = 0;
    let mut header_row_due = false;
    let mut i = 0;
    while let Some(found) = xml[i..].iter().position(|&b| b == b'<') {
        let at = i + found;
        let rest = &xml[at..];
        i = at + 1;
        if rest.starts_with(TABLE) {
            header_row_due = true;
            continue;
        }
        if rest.starts_with(TABLE_LAYOUT) {
            let Some(len) = rest.windows(2).position(|w| w == b"/>") else {
                break;
            };
            let end = at + len + 2;
            out.extend_from_slice(&xml[copied..end]);
            out.extend_from_slice(CELL_MARGINS);
            copied = end;
            i = end;
            continue;
        }
        if header_row_due && rest.starts_with(ROW_PROPERTIES) {
            let end = at + ROW_PROPERTIES.len();
            out.extend_from_slice(&xml[copied..end]);
            out.extend_from_slice(b"<w:tblHeader />");
            copied = end;
            header_row_due = false;
            continue;
        }
        // The id to replace: its prefix, its counter, and whether it is written in hex.
        let (prefix, counter, hex) = if rest.starts_with(PARA) {
            (PARA.len(), &mut *next_para, true)
        } else if rest.starts_with(INSERTED) {
            (INSERTED.len(), &mut *next_change, false)
        } else if rest.starts_with(DELETED) {
            (DELETED.len(), &mut *next_change, false)
        } else {
            continue;
        };
        let start = at + prefix;
        let Some(len) = xml[start..].iter().position(|&b| b == b'"') else {
            break;
        };
        out.extend_from_slice(&xml[copied..start]);
        // Writing to a Vec cannot fail.
        let _ = if hex {
            write!(out, "{:08X}", *counter)
        } else {
            write!(out, "{}", *counter)
        };
        *counter += 1;
        copied = start + len;
        i = copied;
    }
    out.extend_from_slice(&xml[copied..]);
}

/// Ask Word to refresh fields (the table of contents) when the file is opened,
/// and put `w:zoom` before `w:defaultTabStop`, where the schema wants it
/// (docx-rs writes them the other way round).
fn update_fields_on_open(settings: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(settings);
    let swapped = match (xml.find("<w:defaultTabStop"), xml.find("<w:zoom")) {
        (Some(tab), Some(zoom)) if tab < zoom => {
            let zoom_end = xml[zoom..].find("/>").map_or(zoom, |e| zoom + e + 2);
            format!(
                "{}{}{}{}",
                &xml[..tab],
                &xml[zoom..zoom_end],
                &xml[tab..zoom],
                &xml[zoom_end..]
            )
        }
        _ => xml.into_owned(),
    };
    add_setting(
        swapped.as_bytes(),
        "<w:compat>",
        "<w:updateFields w:val=\"true\" />",
    )
}

/// Insert an element into `w:settings` before the element starting with
/// `before` (the schema orders settings), or at the end when there is none.
fn add_setting(settings: &[u8], before: &str, element: &str) -> Vec<u8> {
    let xml = String::from_utf8_lossy(settings);
    match xml.find(before).or_else(|| xml.rfind("</w:settings>")) {
        Some(i) => format!("{}{element}{}", &xml[..i], &xml[i..]).into_bytes(),
        None => settings.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::patch_part;

    /// The text of each level-1 heading of a DOCX, and whether it starts a page.
    fn chapters(bytes: &[u8]) -> Vec<(String, bool)> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml.split("<w:p ")
            .filter(|p| p.contains("<w:pStyle w:val=\"Heading1\" />"))
            .map(|p| {
                let text = p.split("<w:t xml:space=\"preserve\">").nth(1).unwrap_or("");
                let text = text.split("</w:t>").next().unwrap_or("").to_string();
                (text, p.contains("<w:pageBreakBefore />"))
            })
            .collect()
    }

    #[test]
    fn chapters_start_new_pages_only_when_the_template_asks() {
        let body =
            "# 1 Purpose\n\nText.\n\n# 2 Scope\n\nText.\n\n<!-- pagebreak -->\n\n# 3 Terms\n";
        let plain = super::write(&crate::document::parse(body)).unwrap();
        assert_eq!(
            chapters(&plain),
            [
                ("1 Purpose".to_string(), false),
                ("2 Scope".to_string(), false),
                ("3 Terms".to_string(), false),
            ]
        );
        // As in the PDF: not the first chapter, and not one that a page break has
        // just put at the top of a page (that would leave an empty page).
        let paged = crate::document::parse(&format!("<!-- chapters: new-page -->\n\n{body}"));
        assert_eq!(
            chapters(&super::write(&paged).unwrap()),
            [
                ("1 Purpose".to_string(), false),
                ("2 Scope".to_string(), true),
                ("3 Terms".to_string(), false),
            ]
        );
    }

    #[test]
    fn patch_part_renumbers_ids_and_marks_the_first_row_of_each_table() {
        let xml = concat!(
            "<w:p w14:paraId=\"7F3A0001\"><w:ins w:id=\"9\"><w:r /></w:ins></w:p>",
            "<w:tbl><w:tblPr><w:tblLayout w:type=\"fixed\" /></w:tblPr>",
            "<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>",
            "<w:tr><w:trPr></w:trPr></w:tr></w:tbl>",
            "<w:tblPr /><w:p w14:paraId=\"7F3A0002\"><w:del w:id=\"12\" /></w:p>",
            "<w:tbl><w:tr><w:trPr></w:trPr></w:tr></w:tbl>",
        );
        let (mut para, mut change) = (1, 1);
        let mut out = Vec::new();
        patch_part(xml.as_bytes(), &mut out, &mut para, &mut change);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            concat!(
                "<w:p w14:paraId=\"00000001\"><w:ins w:id=\"1\"><w:r /></w:ins></w:p>",
                "<w:tbl><w:tblPr><w:tblLayout w:type=\"fixed\" />",
                "<w:tblCellMar><w:top w:w=\"50\" w:type=\"dxa\" />",
                "<w:left w:w=\"80\" w:type=\"dxa\" /><w:bottom w:w=\"50\" w:type=\"dxa\" />",
                "<w:right w:w=\"80\" w:type=\"dxa\" /></w:tblCellMar></w:tblPr>",
                "<w:tr><w:trPr><w:tblHeader /><w:cantSplit /></w:trPr></w:tr>",
                "<w:tr><w:trPr></w:trPr></w:tr></w:tbl>",
                "<w:tblPr /><w:p w14:paraId=\"00000002\"><w:del w:id=\"2\" /></w:p>",
                "<w:tbl><w:tr><w:trPr><w:tblHeader /></w:trPr></w:tr></w:tbl>",
            )
        );
        // The counters go on in the next part (headers and footers).
        assert_eq!((para, change), (3, 3));
        // Appended to what is there.
        let mut out = b"<w:body>".to_vec();
        patch_part(
            b"<w:p w14:paraId=\"0\"><w:p w14:paraId=\"",
            &mut out,
            &mut para,
            &mut change,
        );
        assert_eq!(
            out,
            b"<w:body><w:p w14:paraId=\"00000003\"><w:p w14:paraId=\""
        );
    }
}
