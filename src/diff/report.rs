//! The comparison as a document: a summary, then every clause added, removed or
//! changed with its insertions and deletions marked word by word. In the DOCX
//! the marks are tracked changes: accepting them all gives the new wording of
//! each clause, rejecting them all gives the old.

use super::words::{Change, diff_words};
use super::{ClauseDiff, ClauseText, LotDiff, PackDiff, Status};
use crate::document::{Block, Document, Inlines, Meta, Span, Style};

/// The report of a comparison, dated `date` (the date of the tracked changes).
pub fn report(diff: &PackDiff, date: chrono::NaiveDate) -> Document {
    let (old, new) = (&diff.old, &diff.new);
    // Two catalogues compared as a whole have no questionnaire.
    let whole_catalogue = new.questionnaire.is_empty();
    let subject = if whole_catalogue {
        format!(
            "{} {} and {}",
            new.catalogue_id, old.catalogue_version, new.catalogue_version
        )
    } else if old.reference == new.reference {
        new.title.clone()
    } else {
        format!("{} and {}", old.reference, new.reference)
    };
    let meta = Meta {
        title: "Changes to the clause pack".to_string(),
        subject: subject.clone(),
        author: crate::TOOL.to_string(),
        keywords: vec![
            old.reference.clone(),
            new.reference.clone(),
            "clause pack comparison".to_string(),
        ],
        language: "en".to_string(),
        date: date.format("%Y-%m-%d").to_string(),
        header: subject.clone(),
        page_label: "Page {page} of {pages}".to_string(),
        generator: crate::TOOL.to_string(),
        // A short report: changed clauses (level-1 headings when there are no
        // lots) follow each other on the page.
        chapter_pages: false,
    };
    let mut blocks = vec![
        Block::Title {
            content: plain("Changes to the clause pack"),
        },
        Block::Subtitle {
            content: plain(&subject),
        },
    ];
    let mut rows = Vec::new();
    if !whole_catalogue {
        rows.push(vec![
            plain("Questionnaire"),
            plain(&old.questionnaire),
            plain(&new.questionnaire),
        ]);
        rows.push(vec![
            plain("Procurement"),
            plain(&format!("{} – {}", old.reference, old.title)),
            plain(&format!("{} – {}", new.reference, new.title)),
        ]);
    }
    rows.push(vec![
        plain("Catalogue"),
        plain(&format!(
            "{} {} ({})",
            old.catalogue_id, old.catalogue_version, old.catalogue_source
        )),
        plain(&format!(
            "{} {} ({})",
            new.catalogue_id, new.catalogue_version, new.catalogue_source
        )),
    ]);
    blocks.push(table(vec![2, 5, 5], &["", "Old", "New"], rows));
    if whole_catalogue {
        blocks.push(paragraph(plain(
            "Every clause of the two catalogues, as the clause pack shows it: parameters at their defaults, award weights before they are scaled to the security share of a procurement, and the condition under which each clause applies.",
        )));
    }
    let [added, removed, changed, unchanged] = diff.totals();
    blocks.push(paragraph(if diff.is_empty() {
        plain(&format!(
            "No differences: the two clause packs have the same {unchanged} clauses, word for word."
        ))
    } else {
        plain(&format!(
            "{added} {} added, {removed} removed, {changed} changed and {unchanged} unchanged.",
            clauses(added)
        ))
    }));
    if diff.is_empty() {
        return Document { meta, blocks };
    }
    blocks.push(paragraph(plain(
        &format!("Insertions are underlined and deletions struck through. In the DOCX they are tracked changes: accepting all of them gives the new wording, rejecting all of them the old. Numbers are those of the new {}; a removed clause keeps its old number.", if whole_catalogue { "clause pack" } else { "annex" }),
    )));
    let has_lots = diff.lots.iter().any(|l| l.lot.is_some());
    if has_lots {
        let rows = diff
            .lots
            .iter()
            .map(|l| {
                let mut row = vec![plain(&lot_name(l))];
                for s in [
                    Status::Added,
                    Status::Removed,
                    Status::Changed,
                    Status::Unchanged,
                ] {
                    row.push(plain(&l.count(s).to_string()));
                }
                row
            })
            .collect();
        blocks.push(table(
            vec![6, 2, 2, 2, 2],
            &["Lot", "Added", "Removed", "Changed", "Unchanged"],
            rows,
        ));
    }
    for lot in &diff.lots {
        if has_lots {
            let title = match lot.status {
                Status::Added => format!("{} (lot added)", lot_name(lot)),
                Status::Removed => format!("{} (lot removed)", lot_name(lot)),
                _ => lot_name(lot),
            };
            blocks.push(Block::Heading {
                level: 1,
                content: plain(&title),
            });
        }
        if lot.clauses.is_empty() {
            blocks.push(paragraph(plain("No differences in this lot.")));
        }
        for c in &lot.clauses {
            clause(c, has_lots, &mut blocks);
        }
        if !lot.unchanged.is_empty() {
            blocks.push(Block::Label {
                content: bold(&format!("Unchanged ({})", lot.unchanged.len())),
            });
            blocks.push(paragraph(plain(&lot.unchanged.join(", "))));
        }
    }
    Document { meta, blocks }
}

fn clauses(n: usize) -> &'static str {
    if n == 1 { "clause" } else { "clauses" }
}

fn lot_name(l: &LotDiff) -> String {
    match &l.lot {
        Some(lot) => format!("Lot {}: {}", lot.id, lot.title),
        None => "Whole procurement (no lots)".to_string(),
    }
}

/// One clause: heading, what happened, then its content with the marks.
fn clause(c: &ClauseDiff, has_lots: bool, blocks: &mut Vec<Block>) {
    let empty = ClauseText::default();
    let old = c.old.as_ref().unwrap_or(&empty);
    let new = c.new.as_ref().unwrap_or(&empty);
    let number = if new.number.is_empty() {
        &old.number
    } else {
        &new.number
    };
    let mut heading = plain(&if number.is_empty() {
        format!("{} ", c.id)
    } else {
        format!("{number} {} ", c.id)
    });
    heading.extend(marked(&old.title, &new.title));
    blocks.push(Block::Heading {
        level: if has_lots { 2 } else { 1 },
        content: heading,
    });
    let what = match c.status {
        Status::Added => "Added.".to_string(),
        Status::Removed => "Removed.".to_string(),
        _ => format!("Changed: {}.", c.changed.join(", ")),
    };
    blocks.push(Block::Label {
        content: vec![span(
            &what,
            Style {
                italic: true,
                ..Style::default()
            },
        )],
    });
    blocks.push(paragraph(marked(&old.standing, &new.standing)));
    if !(old.applies.is_empty() && new.applies.is_empty()) {
        blocks.push(paragraph(marked(&old.applies, &new.applies)));
    }
    for (o, n) in pair(&old.paragraphs, &new.paragraphs) {
        blocks.push(paragraph(marked(o, n)));
    }
    // Parameters, evidence and references: in full for an added or removed
    // clause, and when they changed.
    for (name, o, n) in [
        ("Parameters", &old.parameters, &new.parameters),
        ("Evidence", &old.evidence, &new.evidence),
    ] {
        if (o == n && c.status == Status::Changed) || (o.is_empty() && n.is_empty()) {
            continue;
        }
        blocks.push(Block::Label {
            content: bold(name),
        });
        blocks.push(Block::List {
            ordered: false,
            start: 1,
            items: pair(o, n)
                .into_iter()
                .map(|(o, n)| vec![paragraph(marked(o, n))])
                .collect(),
        });
    }
    if (old.references != new.references || c.status != Status::Changed)
        && !(old.references.is_empty() && new.references.is_empty())
    {
        let mut content = bold("References: ");
        content.extend(marked(
            &old.references.join("; "),
            &new.references.join("; "),
        ));
        blocks.push(paragraph(content));
    }
}

/// Line up two lists of texts: equal entries side by side, and within each run
/// of differing entries the first old with the first new, and so on; an entry
/// without a partner pairs with the empty text.
fn pair<'a>(old: &'a [String], new: &'a [String]) -> Vec<(&'a str, &'a str)> {
    use similar::{Algorithm, DiffOp, capture_diff_slices};
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (o, n) = match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => (
                &old[old_index..old_index + len],
                &new[new_index..new_index + len],
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => (&old[old_index..old_index + old_len], &new[..0]),
            DiffOp::Insert {
                new_index, new_len, ..
            } => (&old[..0], &new[new_index..new_index + new_len]),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                &old[old_index..old_index + old_len],
                &new[new_index..new_index + new_len],
            ),
        };
        for i in 0..o.len().max(n.len()) {
            out.push((
                o.get(i).map_or("", String::as_str),
                n.get(i).map_or("", String::as_str),
            ));
        }
    }
    out
}

/// The text of `new` with what changed from `old` marked.
fn marked(old: &str, new: &str) -> Inlines {
    diff_words(old, new)
        .into_iter()
        .map(|p| {
            span(
                &p.text,
                Style {
                    inserted: p.change == Change::Inserted,
                    deleted: p.change == Change::Deleted,
                    ..Style::default()
                },
            )
        })
        .collect()
}

fn span(text: &str, style: Style) -> Span {
    Span {
        text: text.to_string(),
        style,
    }
}

fn plain(text: &str) -> Inlines {
    vec![span(text, Style::default())]
}

fn bold(text: &str) -> Inlines {
    vec![span(
        text,
        Style {
            bold: true,
            ..Style::default()
        },
    )]
}

fn paragraph(content: Inlines) -> Block {
    Block::Paragraph { content }
}

fn table(widths: Vec<u32>, header: &[&str], rows: Vec<Vec<Inlines>>) -> Block {
    Block::Table {
        widths,
        header: header.iter().map(|h| plain(h)).collect(),
        rows,
    }
}
