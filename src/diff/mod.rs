//! The difference between two clause packs: two questionnaires, or one
//! questionnaire under two catalogue versions. `compare` matches lots by id and
//! clauses by id, and records what a bidder or a lawyer would read differently:
//! title, role and weight, text (parameters filled in), parameter values,
//! evidence requests and references. `report` turns the result into a document
//! with word-level insertions and deletions (tracked changes in the DOCX).

mod report;
mod words;

pub use report::report;

pub use words::{Change, Piece, diff_words};

use serde::Serialize;

use crate::catalogue::{Catalogue, Role};
use crate::questionnaire::{Lot, Questionnaire};
use crate::render::view::{self, ClauseView, Provenance};
use crate::select::Selection;

/// Format name and version of the diff JSON.
pub const FORMAT: &str = "secannex-diff";
/// Version of the diff JSON.
pub const FORMAT_VERSION: u32 = 1;

/// One side of the comparison: a questionnaire selected under a catalogue.
pub struct Side<'a> {
    /// The catalogue.
    pub catalogue: &'a Catalogue,
    /// `built-in` or the catalogue directory.
    pub catalogue_source: &'a str,
    /// The questionnaire file, as given.
    pub file: &'a str,
    /// The questionnaire.
    pub questionnaire: &'a Questionnaire,
    /// Its selection, one per lot.
    pub selections: &'a [Selection],
}

/// What was compared with what, and what differs.
#[derive(Debug, Clone, Serialize)]
pub struct PackDiff {
    /// `secannex-diff`.
    pub format: &'static str,
    /// Format version.
    pub format_version: u32,
    /// Tool and version.
    pub tool: &'static str,
    /// The old side.
    pub old: SideInfo,
    /// The new side.
    pub new: SideInfo,
    /// Per lot, in the new questionnaire's order, then lots only the old one has.
    pub lots: Vec<LotDiff>,
}

/// Identity of one side.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// Questionnaire file.
    pub questionnaire: String,
    /// Procurement reference.
    pub reference: String,
    /// Procurement title.
    pub title: String,
    /// Catalogue id.
    pub catalogue_id: String,
    /// Catalogue version.
    pub catalogue_version: String,
    /// `built-in` or a directory.
    pub catalogue_source: String,
}

/// Whether a lot or clause is on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in the new pack.
    Added,
    /// Only in the old pack.
    Removed,
    /// On both sides, different.
    Changed,
    /// On both sides, the same.
    Unchanged,
}

/// The differences in one lot (or in the whole procurement when it has no lots).
#[derive(Debug, Clone, Serialize)]
pub struct LotDiff {
    /// The lot (from the new side when it has it).
    pub lot: Option<Lot>,
    /// Added, removed, or on both sides (`changed` / `unchanged`).
    pub status: Status,
    /// Clauses added, removed or changed, in annex order.
    pub clauses: Vec<ClauseDiff>,
    /// Ids of the clauses on both sides with the same content.
    pub unchanged: Vec<String>,
}

impl LotDiff {
    /// Number of clauses with the given status.
    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Unchanged => self.unchanged.len(),
            s => self.clauses.iter().filter(|c| c.status == s).count(),
        }
    }
}

/// One clause that differs.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseDiff {
    /// Clause id.
    pub id: String,
    /// Added, removed or changed.
    pub status: Status,
    /// What changed, for a changed clause: `title`, `role`, `weight`,
    /// `condition`, `text`, `parameters`, `evidence`, `references` (a new number
    /// alone is not a change).
    pub changed: Vec<&'static str>,
    /// The clause in the old pack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<ClauseText>,
    /// The clause in the new pack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<ClauseText>,
}

/// What is compared of a clause, as the reader sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClauseText {
    /// Number in the annex (empty for buyer actions).
    pub number: String,
    /// Title.
    pub title: String,
    /// Role id.
    pub role: &'static str,
    /// Role, obligation and weight in words, e.g. `Award criterion, 10 points`.
    pub standing: String,
    /// When the clause applies, in words: compared for whole catalogues only
    /// (in a questionnaire's pack the clause applies).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub applies: String,
    /// Paragraphs, parameters filled in.
    pub paragraphs: Vec<String>,
    /// Parameters: `label: value unit`.
    pub parameters: Vec<String>,
    /// Evidence requests: `With the tender (signed declaration): what`.
    pub evidence: Vec<String>,
    /// References, cited.
    pub references: Vec<String>,
}

impl PackDiff {
    /// True when the two packs say the same.
    pub fn is_empty(&self) -> bool {
        self.lots.iter().all(|l| l.clauses.is_empty())
    }

    /// Totals over every lot: added, removed, changed, unchanged.
    pub fn totals(&self) -> [usize; 4] {
        let sum = |s| self.lots.iter().map(|l| l.count(s)).sum();
        [
            sum(Status::Added),
            sum(Status::Removed),
            sum(Status::Changed),
            sum(Status::Unchanged),
        ]
    }
}

/// Compare the clause packs of two sides.
pub fn compare(old: &Side<'_>, new: &Side<'_>) -> PackDiff {
    let old_lots = lots(old);
    let new_lots = lots(new);
    let mut out = Vec::new();
    for (lot, new_clauses) in &new_lots {
        let key = lot.as_ref().map(|l| &l.id);
        match old_lots
            .iter()
            .find(|(l, _)| l.as_ref().map(|l| &l.id) == key)
        {
            Some((_, old_clauses)) => out.push(lot_diff(lot.clone(), old_clauses, new_clauses)),
            None => out.push(one_sided(lot.clone(), new_clauses, Status::Added)),
        }
    }
    for (lot, old_clauses) in &old_lots {
        let key = lot.as_ref().map(|l| &l.id);
        if !new_lots
            .iter()
            .any(|(l, _)| l.as_ref().map(|l| &l.id) == key)
        {
            out.push(one_sided(lot.clone(), old_clauses, Status::Removed));
        }
    }
    PackDiff {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        tool: crate::TOOL,
        old: info(old),
        new: info(new),
        lots: out,
    }
}

/// Compare two versions of a whole catalogue, clause by clause, as the clause
/// pack of `secannex catalogue export` shows them: parameters at their
/// defaults, award weights before scaling, and when each clause applies.
pub fn compare_catalogues(
    old: &Catalogue,
    old_source: &str,
    new: &Catalogue,
    new_source: &str,
) -> PackDiff {
    let info = |c: &Catalogue, source: &str| SideInfo {
        questionnaire: String::new(),
        reference: String::new(),
        title: c.meta.title.clone(),
        catalogue_id: c.meta.id.clone(),
        catalogue_version: c.meta.version.clone(),
        catalogue_source: source.to_string(),
    };
    PackDiff {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        tool: crate::TOOL,
        old: info(old, old_source),
        new: info(new, new_source),
        lots: vec![lot_diff(
            None,
            &catalogue_clauses(old),
            &catalogue_clauses(new),
        )],
    }
}

fn catalogue_clauses(c: &Catalogue) -> Clauses {
    let pack = crate::render::pack::build(c, chrono::NaiveDate::default(), "", "");
    pack.sections
        .iter()
        .flat_map(|s| &s.clauses)
        .map(|x| {
            let standing = match (x.role, x.weight) {
                (Role::AwardCriterion, Some(w)) => {
                    format!("Award criterion, weight {w} before scaling to the security share")
                }
                (role, _) => standing(role, None),
            };
            let parameters = x
                .parameters
                .iter()
                .map(|p| {
                    let mut t = format!("{}: {}", p.label, p.default);
                    if !p.unit.is_empty() {
                        t.push_str(&format!(" {}", p.unit));
                    }
                    if let (Some(min), Some(max)) = (p.min, p.max) {
                        t.push_str(&format!(" (buyer may set {min} to {max})"));
                    }
                    if !p.derived.is_empty() {
                        t.push_str(&format!("; default {}", p.derived));
                    }
                    t
                })
                .collect();
            let text = ClauseText {
                number: x.number.clone(),
                title: x.title.clone(),
                role: x.role.as_str(),
                standing,
                applies: if x.condition.is_empty() {
                    "Applies to every purchase".to_string()
                } else {
                    format!("Applies when {}", x.condition)
                },
                paragraphs: x.paragraphs.clone(),
                parameters,
                evidence: x
                    .evidence
                    .iter()
                    .map(|e| evidence_line(&e.stage, &e.form, &e.what))
                    .collect(),
                references: x.references.clone(),
            };
            (x.id.clone(), text)
        })
        .collect()
}

/// An evidence request as the English annex words it (templates/en/annex.md.tera):
/// `With the tender (signed declaration): what`.
fn evidence_line(stage: &str, form: &str, what: &str) -> String {
    let stage = match stage {
        "tender" => "With the tender",
        "contract" => "Before contract signature",
        "delivery" => "At delivery and acceptance",
        "operation" => "During operation",
        other => other,
    };
    let form = match form {
        "declaration" => "signed declaration",
        "sbom" => "SBOM in CycloneDX or SPDX format",
        "mds2" => "MDS2 form",
        "test-report" => "test report",
        "penetration-test-summary" => "penetration test summary",
        "cv" => "CVs of named staff",
        other => other,
    };
    format!("{stage} ({form}): {what}")
}

/// Role, obligation and weight in words.
fn standing(role: Role, weight: Option<u32>) -> String {
    match (role, weight) {
        (Role::AwardCriterion, Some(w)) => format!("Award criterion, {w} points"),
        (Role::AwardCriterion, None) => "Award criterion".to_string(),
        (Role::SelectionCriterion, _) => "Selection criterion, pass or fail".to_string(),
        (Role::TechnicalSpecification, _) => "Technical specification, mandatory".to_string(),
        (Role::ContractClause, _) => "Contract clause, accepted by signing".to_string(),
        (Role::BuyerAction, _) => "Buyer action, not sent to bidders".to_string(),
    }
}

fn info(side: &Side<'_>) -> SideInfo {
    SideInfo {
        questionnaire: side.file.to_string(),
        reference: side.questionnaire.procurement.reference.clone(),
        title: side.questionnaire.procurement.title.clone(),
        catalogue_id: side.catalogue.meta.id.clone(),
        catalogue_version: side.catalogue.meta.version.clone(),
        catalogue_source: side.catalogue_source.to_string(),
    }
}

/// A lot's clauses by id, in annex order.
type Clauses = Vec<(String, ClauseText)>;

/// Every lot's clauses as the reader sees them, in annex order: supplier clauses
/// as numbered in the annex, then buyer actions.
fn lots(side: &Side<'_>) -> Vec<(Option<Lot>, Clauses)> {
    // The view is built only for its clause texts; date and provenance do not
    // reach them.
    let date = chrono::NaiveDate::default();
    let provenance = Provenance {
        tool: String::new(),
        questionnaire: String::new(),
        questionnaire_sha256: String::new(),
        templates: String::new(),
        catalogue_source: String::new(),
    };
    let q = side.questionnaire;
    q.profiles
        .iter()
        .zip(side.selections)
        .map(|(profile, selection)| {
            let v = view::build(
                side.catalogue,
                &q.procurement,
                profile,
                selection,
                date,
                &provenance,
            );
            let clauses = v
                .clauses
                .iter()
                .chain(&v.buyer_actions)
                .map(|c| (c.id.clone(), clause_text(c)))
                .collect();
            (profile.lot.clone(), clauses)
        })
        .collect()
}

fn clause_text(c: &ClauseView) -> ClauseText {
    let standing = standing(c.role, c.weight);
    ClauseText {
        number: c.number.clone(),
        title: c.title.clone(),
        role: c.role.as_str(),
        standing,
        applies: String::new(),
        paragraphs: c.paragraphs.clone(),
        parameters: c
            .parameters
            .iter()
            .map(|p| {
                let value = p.value.to_string();
                if p.unit.is_empty() {
                    format!("{}: {value}", p.label)
                } else {
                    format!("{}: {value} {}", p.label, p.unit)
                }
            })
            .collect(),
        evidence: c
            .evidence
            .iter()
            .map(|e| evidence_line(&e.stage, &e.form, &e.what))
            .collect(),
        references: c.references.clone(),
    }
}

fn lot_diff(
    lot: Option<Lot>,
    old: &[(String, ClauseText)],
    new: &[(String, ClauseText)],
) -> LotDiff {
    let mut clauses = Vec::new();
    let mut unchanged = Vec::new();
    // Walk the new annex order; a removed clause goes where it stood in the old
    // one, after the clauses both sides have before it.
    let mut old_done = 0;
    for (id, n) in new {
        if let Some(at) = old.iter().position(|(i, _)| i == id) {
            for (oid, o) in &old[old_done.min(at)..at] {
                if !new.iter().any(|(i, _)| i == oid) {
                    clauses.push(removed(oid, o));
                }
            }
            old_done = old_done.max(at + 1);
            let o = &old[at].1;
            let changed = changed_fields(o, n);
            if changed.is_empty() {
                unchanged.push(id.clone());
            } else {
                clauses.push(ClauseDiff {
                    id: id.clone(),
                    status: Status::Changed,
                    changed,
                    old: Some(o.clone()),
                    new: Some(n.clone()),
                });
            }
        } else {
            clauses.push(ClauseDiff {
                id: id.clone(),
                status: Status::Added,
                changed: Vec::new(),
                old: None,
                new: Some(n.clone()),
            });
        }
    }
    for (oid, o) in &old[old_done..] {
        if !new.iter().any(|(i, _)| i == oid) {
            clauses.push(removed(oid, o));
        }
    }
    let status = if clauses.is_empty() {
        Status::Unchanged
    } else {
        Status::Changed
    };
    LotDiff {
        lot,
        status,
        clauses,
        unchanged,
    }
}

fn removed(id: &str, o: &ClauseText) -> ClauseDiff {
    ClauseDiff {
        id: id.to_string(),
        status: Status::Removed,
        changed: Vec::new(),
        old: Some(o.clone()),
        new: None,
    }
}

fn one_sided(lot: Option<Lot>, clauses: &[(String, ClauseText)], status: Status) -> LotDiff {
    LotDiff {
        lot,
        status,
        clauses: clauses
            .iter()
            .map(|(id, c)| {
                let (old, new) = match status {
                    Status::Removed => (Some(c.clone()), None),
                    _ => (None, Some(c.clone())),
                };
                ClauseDiff {
                    id: id.clone(),
                    status,
                    changed: Vec::new(),
                    old,
                    new,
                }
            })
            .collect(),
        unchanged: Vec::new(),
    }
}

fn changed_fields(o: &ClauseText, n: &ClauseText) -> Vec<&'static str> {
    let mut out = Vec::new();
    if o.title != n.title {
        out.push("title");
    }
    if o.role != n.role {
        out.push("role");
    } else if o.standing != n.standing {
        out.push("weight");
    }
    if o.applies != n.applies {
        out.push("condition");
    }
    if o.paragraphs != n.paragraphs {
        out.push("text");
    }
    if o.parameters != n.parameters {
        out.push("parameters");
    }
    if o.evidence != n.evidence {
        out.push("evidence");
    }
    if o.references != n.references {
        out.push("references");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::evidence_line;

    /// The `"key": "words"` pairs of a `{%- set NAME = {...} -%}` line.
    fn words(template: &str, name: &str) -> Vec<(String, String)> {
        let start = format!("{{%- set {name} = {{");
        let line = template
            .lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no `{name}` in the annex template"));
        let body = &line[start.len()..line.rfind("} -%}").expect("closing brace")];
        body.split("\", \"")
            .map(|pair| {
                let (k, v) = pair.split_once("\": \"").expect("\"key\": \"value\"");
                (
                    k.trim_matches('"').to_string(),
                    v.trim_matches('"').to_string(),
                )
            })
            .collect()
    }

    /// The comparison words evidence as the English annex does.
    #[test]
    fn evidence_is_worded_as_in_the_annex() {
        let (_, annex) = crate::embedded::TEMPLATES
            .iter()
            .find(|(p, _)| *p == "en/annex.md.tera")
            .expect("English annex template");
        let forms = words(annex, "forms");
        for (stage, stage_words) in words(annex, "stages") {
            for (form, form_words) in &forms {
                assert_eq!(
                    evidence_line(&stage, form, "x"),
                    format!("{stage_words} ({form_words}): x")
                );
            }
        }
    }
}
