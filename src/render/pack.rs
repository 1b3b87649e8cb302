//! The view of the whole catalogue as a clause pack for legal review
//! (`secannex catalogue export`): every clause with its condition in plain words,
//! its parameters with defaults and bounds, evidence, references and rationale.

use chrono::Datelike;
use serde::Serialize;

use super::view::{EvidenceView, Named, TermView};
use crate::catalogue::{Catalogue, Clause, Obligation, ParamKind, Phase, Role, coverage, text};

/// Everything the clause-pack template can use.
#[derive(Debug, Clone, Serialize)]
pub struct PackView {
    /// Catalogue identity.
    pub catalogue: PackMeta,
    /// Export date YYYY-MM-DD, and its parts.
    pub date: String,
    /// Year.
    pub year: i32,
    /// Month 1-12.
    pub month: u32,
    /// Day.
    pub day: u32,
    /// Sections, one per role (buyer actions last), numbered from 3.
    pub sections: Vec<PackSection>,
    /// Defined terms.
    pub definitions: Vec<TermView>,
    /// Reference frameworks: key, title, citation pattern.
    pub frameworks: Vec<PackFramework>,
    /// ENISA practices with the clauses naming them.
    pub practices: Vec<PackPractice>,
    /// Threat groups and threats.
    pub threats: Vec<PackThreatGroup>,
    /// Asset categories.
    pub assets: Vec<PackAsset>,
    /// Every parameter, by label.
    pub parameters: Vec<PackParameter>,
    /// The award share parameter, if declared.
    pub award_share: Option<PackParameter>,
    /// Coverage matrix: column heads and rows.
    pub coverage: PackCoverage,
    /// Counts.
    pub counts: PackCounts,
    /// Tool and provenance.
    pub tool: String,
    /// `built-in` or the catalogue directory.
    pub source: String,
}

/// Catalogue identity.
#[derive(Debug, Clone, Serialize)]
pub struct PackMeta {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Date.
    pub date: String,
    /// Publisher.
    pub publisher: String,
    /// Sources: (id, title).
    pub sources: Vec<TermView>,
}

/// One role's clauses.
#[derive(Debug, Clone, Serialize)]
pub struct PackSection {
    /// Section number.
    pub number: usize,
    /// Role id.
    pub role: Role,
    /// Clauses in phase, then id, order.
    pub clauses: Vec<PackClause>,
}

/// A clause for review.
#[derive(Debug, Clone, Serialize)]
pub struct PackClause {
    /// Id.
    pub id: String,
    /// Number in the pack.
    pub number: String,
    /// Title.
    pub title: String,
    /// Role id.
    pub role: Role,
    /// Phase id.
    pub phase: Phase,
    /// Obligation.
    pub obligation: Option<Obligation>,
    /// Default weight.
    pub weight: Option<u32>,
    /// Practices.
    pub practices: Vec<Named>,
    /// When it applies, in words.
    pub condition: String,
    /// Parameters with defaults and bounds.
    pub parameters: Vec<PackParameter>,
    /// Text with default values filled in, by paragraph.
    pub paragraphs: Vec<String>,
    /// Evidence.
    pub evidence: Vec<EvidenceView>,
    /// Threats.
    pub threats: Vec<Named>,
    /// References, cited.
    pub references: Vec<String>,
    /// Rationale.
    pub rationale: String,
    /// Where it is defined (file:line).
    pub origin: String,
}

/// A parameter.
#[derive(Debug, Clone, Serialize)]
pub struct PackParameter {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Default, as text.
    pub default: String,
    /// Lowest value (integers).
    pub min: Option<i64>,
    /// Highest value (integers).
    pub max: Option<i64>,
    /// Unit.
    pub unit: String,
    /// Clauses declaring it.
    pub clauses: Vec<String>,
    /// How the default follows the purchase, in words (empty if it does not).
    pub derived: String,
}

/// A framework.
#[derive(Debug, Clone, Serialize)]
pub struct PackFramework {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Citation pattern with `{}`.
    pub cite: String,
}

/// A practice.
#[derive(Debug, Clone, Serialize)]
pub struct PackPractice {
    /// GP id.
    pub id: String,
    /// ENISA title.
    pub title: String,
    /// Phase.
    pub phase: Phase,
    /// Summary.
    pub summary: String,
    /// ENISA 2026 measures.
    pub measures_2026: Vec<String>,
    /// Clause ids naming it.
    pub clauses: Vec<String>,
}

/// A threat group.
#[derive(Debug, Clone, Serialize)]
pub struct PackThreatGroup {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Threats.
    pub threats: Vec<TermView>,
}

/// An asset category.
#[derive(Debug, Clone, Serialize)]
pub struct PackAsset {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Examples.
    pub examples: Vec<String>,
    /// Sub-types: id and title.
    pub subtypes: Vec<TermView>,
    /// Supplier clauses a typical purchase gets.
    pub typical_clauses: usize,
}

/// The coverage matrix.
#[derive(Debug, Clone, Serialize)]
pub struct PackCoverage {
    /// Asset ids (columns).
    pub assets: Vec<String>,
    /// Rows: practice id and counts per asset.
    pub rows: Vec<(String, Vec<usize>)>,
}

/// Counts.
#[derive(Debug, Clone, Serialize)]
pub struct PackCounts {
    /// All clauses.
    pub clauses: usize,
    /// Supplier clauses.
    pub supplier: usize,
    /// Buyer actions.
    pub buyer_actions: usize,
}

fn param(p: &crate::catalogue::Parameter, clauses: Vec<String>) -> PackParameter {
    let (min, max) = match &p.kind {
        ParamKind::Integer { min, max, .. } => (Some(*min), Some(*max)),
        ParamKind::Text { .. } => (None, None),
    };
    PackParameter {
        name: p.name.clone(),
        label: p.label.clone(),
        default: p.default_value().to_string(),
        min,
        max,
        unit: p.unit().to_string(),
        clauses,
        derived: match &p.derived {
            Some(crate::catalogue::Derived::ByAvailability(t)) => format!(
                "by availability need: {}",
                t.iter()
                    .map(|(l, v)| format!("{l} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(crate::catalogue::Derived::ByPatientSafety(t)) => format!(
                "by patient-safety impact: {}",
                t.iter()
                    .map(|(l, v)| format!("{l} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(crate::catalogue::Derived::FromExpectedYears) => {
                "the expected service life, when the questionnaire gives it".into()
            }
            None => String::new(),
        },
    }
}

fn pack_clause(c: &Catalogue, x: &Clause, number: String) -> PackClause {
    let filled = text::fill(&x.text, |name| {
        x.parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.default_value().to_string())
    });
    PackClause {
        id: x.id.clone(),
        number,
        title: x.title.clone(),
        role: x.role,
        phase: x.phase,
        obligation: x.obligation,
        weight: x.weight,
        practices: x
            .practices
            .iter()
            .map(|p| Named {
                id: p.clone(),
                title: c.practice(p).map(|q| q.title.clone()).unwrap_or_default(),
            })
            .collect(),
        condition: x
            .applies_when
            .as_ref()
            .map_or_else(String::new, |w| w.describe()),
        parameters: x
            .parameters
            .iter()
            .map(|p| param(p, vec![x.id.clone()]))
            .collect(),
        paragraphs: text::paragraphs(&filled),
        evidence: x
            .evidence
            .iter()
            .map(|e| EvidenceView {
                stage: e.stage.clone(),
                form: e.form.clone(),
                what: e.what.clone(),
            })
            .collect(),
        threats: x
            .threats
            .iter()
            .map(|t| Named {
                id: t.clone(),
                title: c.threat(t).map(|q| q.title.clone()).unwrap_or_default(),
            })
            .collect(),
        references: x
            .references
            .iter()
            .flat_map(|(k, refs)| {
                let fw = c.framework(k);
                refs.iter()
                    .map(move |r| fw.map_or_else(|| format!("{k} {r}"), |f| f.cite(r)))
            })
            .collect(),
        rationale: x.rationale.clone(),
        origin: format!("{}:{}", x.origin.file, x.origin.line),
    }
}

/// Build the clause-pack view of a catalogue.
pub fn build(c: &Catalogue, date: chrono::NaiveDate, tool: &str, source: &str) -> PackView {
    let mut sections = Vec::new();
    let mut number = 3;
    for role in Role::ALL {
        let mut clauses: Vec<&Clause> = c.clauses.iter().filter(|x| x.role == role).collect();
        if clauses.is_empty() {
            continue;
        }
        clauses.sort_by(|a, b| (a.phase, &a.id).cmp(&(b.phase, &b.id)));
        let clauses = clauses
            .iter()
            .enumerate()
            .map(|(i, x)| pack_clause(c, x, format!("{number}.{}", i + 1)))
            .collect();
        sections.push(PackSection {
            number,
            role,
            clauses,
        });
        number += 1;
    }
    let mut parameters: Vec<PackParameter> = Vec::new();
    for x in &c.clauses {
        for p in &x.parameters {
            match parameters.iter_mut().find(|q| q.name == p.name) {
                Some(q) => q.clauses.push(x.id.clone()),
                None => parameters.push(param(p, vec![x.id.clone()])),
            }
        }
    }
    parameters.sort_by(|a, b| a.label.cmp(&b.label));
    let cov = coverage::coverage(c);
    let supplier = c.clauses.iter().filter(|x| x.role.is_supplier()).count();
    PackView {
        catalogue: PackMeta {
            id: c.meta.id.clone(),
            title: c.meta.title.clone(),
            version: c.meta.version.clone(),
            date: c.meta.date.clone(),
            publisher: c.meta.publisher.clone(),
            sources: c
                .meta
                .sources
                .iter()
                .map(|(i, t)| TermView {
                    term: i.clone(),
                    definition: t.clone(),
                })
                .collect(),
        },
        date: date.format("%Y-%m-%d").to_string(),
        year: date.year(),
        month: date.month(),
        day: date.day(),
        sections,
        definitions: c
            .definitions
            .iter()
            .map(|d| TermView {
                term: d.term.clone(),
                definition: d.definition.clone(),
            })
            .collect(),
        frameworks: c
            .frameworks
            .iter()
            .map(|f| PackFramework {
                key: f.key.clone(),
                title: f.title.clone(),
                cite: f.cite.clone(),
            })
            .collect(),
        practices: c
            .practices
            .iter()
            .map(|p| PackPractice {
                id: p.id.clone(),
                title: p.title.clone(),
                phase: p.phase,
                summary: p.summary.clone(),
                measures_2026: p.measures_2026.clone(),
                clauses: c
                    .clauses
                    .iter()
                    .filter(|x| x.practices.contains(&p.id))
                    .map(|x| x.id.clone())
                    .collect(),
            })
            .collect(),
        threats: c
            .threat_groups
            .iter()
            .map(|g| PackThreatGroup {
                id: g.id.clone(),
                title: g.title.clone(),
                threats: g
                    .threats
                    .iter()
                    .map(|t| TermView {
                        term: t.title.clone(),
                        definition: t.description.clone(),
                    })
                    .collect(),
            })
            .collect(),
        assets: c
            .assets
            .iter()
            .zip(&cov.supplier_per_asset)
            .map(|(a, n)| PackAsset {
                id: a.id.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                examples: a.examples.clone(),
                subtypes: a
                    .subtypes
                    .iter()
                    .map(|(i, t)| TermView {
                        term: i.clone(),
                        definition: t.clone(),
                    })
                    .collect(),
                typical_clauses: *n,
            })
            .collect(),
        parameters,
        award_share: c.meta.award_share.as_ref().map(|p| param(p, Vec::new())),
        coverage: PackCoverage {
            assets: cov.assets.clone(),
            rows: cov
                .practices
                .iter()
                .map(|(id, _, per)| (id.clone(), per.clone()))
                .collect(),
        },
        counts: PackCounts {
            clauses: c.clauses.len(),
            supplier,
            buyer_actions: c.clauses.len() - supplier,
        },
        tool: tool.to_string(),
        source: source.to_string(),
    }
}
