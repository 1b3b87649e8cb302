//! Bidders' filled-in compliance matrices, read back (calamine) and checked
//! against the questionnaire's own matrix: every row there, weights and
//! obligations unchanged, every answer one the annex allows. The result per
//! bidder and lot: mandatory requirements failed, answers the evaluators must
//! verify (alternative or equivalent means), and the provisional award score.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;

use crate::catalogue::model::Role;
use crate::diag::Diagnostic;
use crate::render::View;
use crate::write::xlsx::{
    ACCEPTED, AWARD_ANSWERS, BIDDER_CELL, COLUMNS, HEADER_ROW, MANDATORY_ANSWERS, sheet_name,
};

/// What one bidder's matrix says.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BidderReport {
    /// The matrix file, as given.
    pub file: String,
    /// The bidder's name from the matrix (the file name if left blank).
    pub bidder: String,
    /// One entry per lot the matrix answers.
    pub lots: Vec<LotReport>,
}

/// One lot of one bidder.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LotReport {
    /// Lot id, if the procurement has lots.
    pub lot: Option<String>,
    /// Mandatory requirements answered "no" or not answered: the tender fails them.
    pub mandatory_failed: Vec<Answer>,
    /// Mandatory requirements met by an alternative or equivalent means, which the
    /// evaluators must verify against the tender.
    pub to_verify: Vec<Answer>,
    /// Award criteria: provisional points, by the matrix's rule (yes: all, partly:
    /// half, no or blank: none).
    pub award_points: f64,
    /// Points available.
    pub award_total: u32,
    /// Rows that do not match the annex (missing, changed, unknown answers): the
    /// matrix cannot be relied on until they are cleared.
    pub problems: Vec<String>,
}

impl LotReport {
    /// True if every mandatory requirement is answered and none "no", and the
    /// matrix matches the annex.
    pub fn complies(&self) -> bool {
        self.mandatory_failed.is_empty() && self.problems.is_empty()
    }
}

/// One row's answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    /// Clause id.
    pub id: String,
    /// The answer as given ("" if none).
    pub answer: String,
    /// The evidence reference given.
    pub evidence: String,
}

/// Read and check one bidder's matrix (`bytes`, named `file` in messages) against
/// the views of the procurement's lots.
pub fn check(file: &str, bytes: &[u8], views: &[View]) -> Result<BidderReport, Diagnostic> {
    let unreadable = |e: String| {
        Diagnostic::error(format!(
            "{file} is not a readable XLSX compliance matrix: {e}"
        ))
        .at(Some(crate::yaml::file_location(file)))
        .help("give the matrix secannex wrote (REF-matrix.xlsx), filled in and saved as .xlsx")
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = book.sheet_names();
    let mut bidder = String::new();
    let mut lots = Vec::new();
    for view in views {
        let name = sheet_name(view);
        if !names.contains(&name) {
            return Err(unreadable(format!("it has no sheet `{name}`")));
        }
        let range = book
            .worksheet_range(&name)
            .map_err(|e| unreadable(e.to_string()))?;
        let cell = |row: u32, col: usize| -> String {
            match range.get_value((row, col as u32)) {
                Some(Data::String(s)) => s.trim().to_string(),
                Some(Data::Float(f)) => f.to_string(),
                Some(Data::Int(i)) => i.to_string(),
                Some(Data::Bool(b)) => b.to_string(),
                _ => String::new(),
            }
        };
        if bidder.is_empty() {
            bidder = cell(BIDDER_CELL.0, BIDDER_CELL.1 as usize);
        }
        let header: Vec<String> = (0..COLUMNS.len()).map(|c| cell(HEADER_ROW, c)).collect();
        if header != COLUMNS {
            return Err(unreadable(format!(
                "sheet `{name}` does not have the matrix's columns in row {}",
                HEADER_ROW + 1
            )));
        }
        // The rows as the bidder left them, by id (a sort or filter may have
        // moved them).
        let end = range.end().map_or(0, |(row, _)| row);
        let rows: Vec<(u32, String)> = (HEADER_ROW + 1..=end)
            .map(|r| (r, cell(r, 0)))
            .filter(|(_, id)| !id.is_empty())
            .collect();
        let mut report = LotReport {
            lot: view.lot.as_ref().map(|l| l.id.clone()),
            mandatory_failed: Vec::new(),
            to_verify: Vec::new(),
            award_points: 0.0,
            award_total: view.award_total,
            problems: Vec::new(),
        };
        for c in &view.clauses {
            let Some(&(row, _)) = rows.iter().find(|(_, id)| id == &c.id) else {
                report.problems.push(format!("{}: row missing", c.id));
                continue;
            };
            let answer = Answer {
                id: c.id.clone(),
                answer: cell(row, 5).to_lowercase(),
                evidence: cell(row, 6),
            };
            let scored = c.role == Role::AwardCriterion;
            let (obligation, weight) = (cell(row, 3), cell(row, 4));
            let expected_weight = c.weight.filter(|_| scored).map(|w| w.to_string());
            if obligation != if scored { "scored" } else { "mandatory" }
                || (scored && Some(&weight) != expected_weight.as_ref())
            {
                report.problems.push(format!(
                    "{}: obligation or points changed (the annex says {})",
                    c.id,
                    match &expected_weight {
                        Some(w) => format!("scored, {w} points"),
                        None => "mandatory".to_string(),
                    }
                ));
            }
            match c.role {
                Role::ContractClause => {
                    if answer.answer != ACCEPTED {
                        report.problems.push(format!(
                            "{}: a contract clause must stay \"accepted\", found \"{}\"",
                            c.id, answer.answer
                        ));
                    }
                }
                Role::AwardCriterion => match answer.answer.as_str() {
                    "yes" => report.award_points += f64::from(c.weight.unwrap_or(0)),
                    "partly" => report.award_points += f64::from(c.weight.unwrap_or(0)) / 2.0,
                    "no" | "" => {}
                    other => report.problems.push(format!(
                        "{}: \"{other}\" is not an answer to an award criterion (expected one of {})",
                        c.id,
                        AWARD_ANSWERS.join(", ")
                    )),
                },
                _ => match answer.answer.as_str() {
                    "yes" => {}
                    "alternative" | "equivalent" => report.to_verify.push(answer),
                    "no" | "" => report.mandatory_failed.push(answer),
                    other => report.problems.push(format!(
                        "{}: \"{other}\" is not an answer to a mandatory requirement (expected one of {})",
                        c.id,
                        MANDATORY_ANSWERS.join(", ")
                    )),
                },
            }
        }
        for (_, id) in &rows {
            if !view.clauses.iter().any(|c| &c.id == id) {
                report
                    .problems
                    .push(format!("{id}: a row that is not in the annex"));
            }
        }
        lots.push(report);
    }
    if bidder.is_empty() {
        bidder = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".xlsx")
            .to_string();
    }
    Ok(BidderReport {
        file: file.to_string(),
        bidder,
        lots,
    })
}

/// The summary of every bidder, as text: one line per bidder and lot, then the
/// details.
pub fn summary(reports: &[BidderReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for lot in &r.lots {
            let which = lot
                .lot
                .as_ref()
                .map(|l| format!(", lot {l}"))
                .unwrap_or_default();
            let verdict = if !lot.problems.is_empty() {
                format!("CHECK THE MATRIX ({} problem(s))", lot.problems.len())
            } else if !lot.mandatory_failed.is_empty() {
                format!(
                    "FAILS {} mandatory requirement(s)",
                    lot.mandatory_failed.len()
                )
            } else {
                "meets every mandatory requirement".to_string()
            };
            out.push_str(&format!(
                "{}{which}: {verdict}; {} to verify; award score {} of {} (provisional)\n",
                r.bidder,
                lot.to_verify.len(),
                lot.award_points,
                lot.award_total
            ));
            for a in &lot.mandatory_failed {
                let said = if a.answer.is_empty() {
                    "not answered".to_string()
                } else {
                    format!("\"{}\"", a.answer)
                };
                out.push_str(&format!("  fails {}: {said}\n", a.id));
            }
            for a in &lot.to_verify {
                out.push_str(&format!(
                    "  verify {}: \"{}\", evidence: {}\n",
                    a.id,
                    a.answer,
                    if a.evidence.is_empty() {
                        "none given"
                    } else {
                        &a.evidence
                    }
                ));
            }
            for p in &lot.problems {
                out.push_str(&format!("  problem {p}\n"));
            }
        }
    }
    out
}
