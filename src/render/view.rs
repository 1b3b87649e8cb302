//! The view: what templates see. This is the contract with template authors
//! (documented in docs/templates.md); it carries facts, not wording, so that a
//! template in another language needs no code change.

use chrono::Datelike;
use serde::Serialize;

use crate::catalogue::{Catalogue, Clause, Obligation, Phase, Role, text};
use crate::facts;
use crate::questionnaire::{Lot, Procurement, Profile};
use crate::select::{Basis, Selected, Selection, Setting};

/// Number of the first requirements section: sections 1 to 3 (purpose, how to
/// respond, definitions) come first in the built-in templates.
pub const FIRST_REQUIREMENT_SECTION: usize = 4;

/// Provenance of an annex, for its manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Tool name and version, e.g. `secannex 0.1.0`.
    pub tool: String,
    /// Questionnaire file name as given.
    pub questionnaire: String,
    /// SHA-256 of the questionnaire file's bytes, hex.
    pub questionnaire_sha256: String,
    /// `built-in` or the template directory given.
    pub templates: String,
    /// `built-in` or the catalogue directory given.
    pub catalogue_source: String,
}

/// Everything a template can use.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The procurement.
    pub procurement: ProcurementView,
    /// The lot, if any.
    pub lot: Option<Lot>,
    /// What is bought.
    pub asset: AssetView,
    /// The catalogue used.
    pub catalogue: CatalogueView,
    /// Defined terms the annex uses.
    pub definitions: Vec<TermView>,
    /// Requirement sections (supplier roles that have clauses), numbered.
    pub sections: Vec<SectionView>,
    /// All supplier clauses, in annex order (the compliance matrix rows).
    pub clauses: Vec<ClauseView>,
    /// Award criteria, in annex order.
    pub award_criteria: Vec<ClauseView>,
    /// Sum of the award criteria weights.
    pub award_total: u32,
    /// Buyer actions (the preparation checklist).
    pub buyer_actions: Vec<ClauseView>,
    /// Parameter values used, by name.
    pub parameters: Vec<ParameterRow>,
    /// The same, as bidders see them: only the supplier clauses that use each (a
    /// buyer action's id never appears in the annex), and only parameters that a
    /// supplier clause uses.
    pub annex_parameters: Vec<ParameterRow>,
    /// True when the compliance matrix is also written as a spreadsheet, which
    /// the annex then mentions (set by `generate`, which knows the formats).
    pub matrix_spreadsheet: bool,
    /// Reference frameworks cited, in catalogue order.
    pub frameworks: Vec<FrameworkView>,
    /// Section number of the compliance matrix (after the requirement sections).
    pub matrix_section: usize,
    /// Clauses left out, with the reasons (for the checklist, not for bidders).
    pub left_out: Vec<LeftOutView>,
    /// Notes about the buyer's options.
    pub notes: Vec<String>,
    /// Manifest data.
    pub manifest: ManifestView,
}

/// Procurement facts.
#[derive(Debug, Clone, Serialize)]
pub struct ProcurementView {
    /// Title.
    pub title: String,
    /// Reference.
    pub reference: String,
    /// Buyer.
    pub buyer: String,
    /// Procedure id.
    pub procedure: String,
    /// Language.
    pub language: String,
    /// Annex date YYYY-MM-DD.
    pub date: String,
    /// Year of the date.
    pub year: i32,
    /// Month of the date, 1-12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
}

/// An id with its description.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    /// The id.
    pub id: String,
    /// Its meaning.
    pub description: String,
}

/// Asset facts.
#[derive(Debug, Clone, Serialize)]
pub struct AssetView {
    /// Category id.
    pub category: String,
    /// Category title from the catalogue.
    pub category_title: String,
    /// Sub-types the buyer named (empty when none was named).
    pub subtypes: Vec<FactView>,
    /// The buyer's description.
    pub description: Option<String>,
    /// Medical device?
    pub medical_device: bool,
    /// Connectivity.
    pub connectivity: Vec<FactView>,
    /// Data handled.
    pub data: Vec<FactView>,
    /// Services.
    pub services: Vec<FactView>,
    /// Patient-safety level.
    pub patient_safety: String,
    /// Availability level.
    pub availability: String,
    /// Expected service life in years.
    pub expected_years: Option<u32>,
    /// Integrates with legacy systems.
    pub integrates_with_legacy: bool,
}

/// Catalogue identity.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogueView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Date.
    pub date: String,
    /// Sources: id and title.
    pub sources: Vec<TermView>,
}

/// A defined term (also used for id/title pairs).
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    /// Term or id.
    pub term: String,
    /// Definition or title.
    pub definition: String,
}

/// A numbered requirements section: one role.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// Section number.
    pub number: usize,
    /// Role id.
    pub role: Role,
    /// Clauses grouped by phase.
    pub phases: Vec<PhaseView>,
    /// Number of clauses.
    pub count: usize,
}

/// The clauses of one phase inside a section.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    /// Number, e.g. `5.2`.
    pub number: String,
    /// Phase id.
    pub phase: Phase,
    /// Its clauses.
    pub clauses: Vec<ClauseView>,
}

/// An id and a title.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// One evidence request.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// Stage id.
    pub stage: String,
    /// Form id.
    pub form: String,
    /// What.
    pub what: String,
}

/// A clause as the templates see it: parameters filled in.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    /// Id.
    pub id: String,
    /// Number in the annex (e.g. `5.2.3`), empty for buyer actions.
    pub number: String,
    /// Title.
    pub title: String,
    /// Role id.
    pub role: Role,
    /// Phase id.
    pub phase: Phase,
    /// `mandatory` or `scored` (absent for buyer actions).
    pub obligation: Option<Obligation>,
    /// Weight of an award criterion.
    pub weight: Option<u32>,
    /// The text, parameters filled in, one entry per paragraph.
    pub paragraphs: Vec<String>,
    /// Evidence requests.
    pub evidence: Vec<EvidenceView>,
    /// References, cited (e.g. `NIS2 Art. 21(2)(e)`).
    pub references: Vec<String>,
    /// ENISA practices.
    pub practices: Vec<Named>,
    /// Threats addressed.
    pub threats: Vec<Named>,
    /// How it was selected.
    pub basis: Basis,
    /// The facts that selected it.
    pub reasons: Vec<String>,
    /// Why a hospital asks for it.
    pub rationale: String,
    /// Parameter values.
    pub parameters: Vec<Setting>,
}

/// A parameter and where it is used.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterRow {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Value as text.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// `default`, `derived` or `buyer`.
    pub source: String,
    /// What a derived default follows.
    pub note: String,
    /// Clause ids using it.
    pub clauses: Vec<String>,
}

/// A cited framework.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    /// Key.
    pub key: String,
    /// Full title.
    pub title: String,
}

/// A clause left out.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOutView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `not-applicable` or `excluded`.
    pub kind: String,
    /// Why.
    pub reasons: Vec<String>,
}

/// Manifest data.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestView {
    /// Tool and version.
    pub tool: String,
    /// Catalogue id.
    pub catalogue_id: String,
    /// Catalogue version.
    pub catalogue_version: String,
    /// Built-in or a directory.
    pub catalogue_source: String,
    /// Questionnaire file.
    pub questionnaire: String,
    /// Its SHA-256.
    pub questionnaire_sha256: String,
    /// Templates used.
    pub templates: String,
    /// Annex date.
    pub date: String,
    /// Number of supplier clauses.
    pub supplier_clauses: usize,
    /// Number of buyer actions.
    pub buyer_actions: usize,
}

/// Build the view of one annex.
pub fn build(
    catalogue: &Catalogue,
    procurement: &Procurement,
    profile: &Profile,
    selection: &Selection,
    date: chrono::NaiveDate,
    provenance: &Provenance,
) -> View {
    let clause_of = |s: &Selected| {
        catalogue
            .clause(&s.id)
            .expect("selection comes from this catalogue")
    };
    let make = |s: &Selected, number: String| clause_view(catalogue, clause_of(s), s, number);

    let mut sections = Vec::new();
    let mut number = FIRST_REQUIREMENT_SECTION;
    for role in Role::ALL.into_iter().filter(|r| r.is_supplier()) {
        let in_role: Vec<&Selected> = selection
            .selected
            .iter()
            .filter(|s| s.role == role)
            .collect();
        if in_role.is_empty() {
            continue;
        }
        let mut phases = Vec::new();
        for phase in Phase::ALL {
            let in_phase: Vec<&&Selected> = in_role.iter().filter(|s| s.phase == phase).collect();
            if in_phase.is_empty() {
                continue;
            }
            let pnum = format!("{number}.{}", phases.len() + 1);
            let clauses = in_phase
                .iter()
                .enumerate()
                .map(|(i, s)| make(s, format!("{pnum}.{}", i + 1)))
                .collect();
            phases.push(PhaseView {
                number: pnum,
                phase,
                clauses,
            });
        }
        sections.push(SectionView {
            number,
            role,
            phases,
            count: in_role.len(),
        });
        number += 1;
    }
    let clauses: Vec<ClauseView> = sections
        .iter()
        .flat_map(|s| s.phases.iter().flat_map(|p| p.clauses.iter().cloned()))
        .collect();
    let award_criteria: Vec<ClauseView> = clauses
        .iter()
        .filter(|c| c.role == Role::AwardCriterion)
        .cloned()
        .collect();
    let award_total = award_criteria.iter().filter_map(|c| c.weight).sum();
    let buyer_actions: Vec<ClauseView> = selection
        .selected
        .iter()
        .filter(|s| s.role == Role::BuyerAction)
        .map(|s| make(s, String::new()))
        .collect();

    // Parameters in use, by name, with the clauses that use them.
    let mut parameters: Vec<ParameterRow> = Vec::new();
    for s in &selection.selected {
        for p in &s.parameters {
            match parameters.iter_mut().find(|r| r.name == p.name) {
                Some(row) => row.clauses.push(s.id.clone()),
                None => parameters.push(ParameterRow {
                    name: p.name.clone(),
                    label: p.label.clone(),
                    value: p.value.to_string(),
                    unit: p.unit.clone(),
                    source: p.source.to_string(),
                    note: p.note.clone(),
                    clauses: vec![s.id.clone()],
                }),
            }
        }
    }
    // The security share is a parameter of the award criteria as a whole.
    if let (Some(points), Some(decl)) = (selection.award_share, catalogue.meta.award_share.as_ref())
    {
        let by_buyer = profile
            .options
            .parameters
            .contains_key(crate::select::SHARE);
        parameters.push(ParameterRow {
            name: decl.name.clone(),
            label: decl.label.clone(),
            value: points.to_string(),
            unit: decl.unit().to_string(),
            source: if by_buyer { "buyer" } else { "default" }.to_string(),
            note: String::new(),
            clauses: selection
                .selected
                .iter()
                .filter(|s| s.role == Role::AwardCriterion)
                .map(|s| s.id.clone())
                .collect(),
        });
    }
    parameters.sort_by(|a, b| a.label.cmp(&b.label));
    let annex_parameters: Vec<ParameterRow> = parameters
        .iter()
        .filter_map(|row| {
            let supplier: Vec<String> = row
                .clauses
                .iter()
                .filter(|id| clauses.iter().any(|c| &c.id == *id))
                .cloned()
                .collect();
            (!supplier.is_empty()).then(|| ParameterRow {
                clauses: supplier,
                ..row.clone()
            })
        })
        .collect();

    // Defined terms: always-listed ones and those the supplier clauses use.
    let mut used_text = String::new();
    for c in &clauses {
        used_text.push_str(&c.title);
        for p in &c.paragraphs {
            used_text.push(' ');
            used_text.push_str(p);
        }
        for e in &c.evidence {
            used_text.push(' ');
            used_text.push_str(&e.what);
        }
    }
    let definitions = catalogue
        .definitions
        .iter()
        .filter(|d| d.always || uses_term(&used_text, &d.term))
        .map(|d| TermView {
            term: d.term.clone(),
            definition: d.definition.clone(),
        })
        .collect();

    let cited: Vec<&str> = clauses
        .iter()
        .flat_map(|c| {
            clause_of_id(catalogue, &c.id)
                .references
                .iter()
                .map(|(k, _)| k.as_str())
        })
        .collect();
    let frameworks = catalogue
        .frameworks
        .iter()
        .filter(|f| cited.contains(&f.key.as_str()))
        .map(|f| FrameworkView {
            key: f.key.clone(),
            title: f.title.clone(),
        })
        .collect();

    let describe = |vocabulary, ids: &[String]| {
        ids.iter()
            .map(|id| FactView {
                id: id.clone(),
                description: facts::describe(vocabulary, id).unwrap_or("").to_string(),
            })
            .collect::<Vec<_>>()
    };
    let asset = AssetView {
        category: profile.category.clone(),
        category_title: catalogue
            .asset(&profile.category)
            .map(|a| a.title.clone())
            .unwrap_or_default(),
        subtypes: if profile.subtypes_given {
            let known = catalogue
                .asset(&profile.category)
                .map(|a| a.subtypes.as_slice())
                .unwrap_or_default();
            profile
                .subtypes
                .iter()
                .map(|id| FactView {
                    id: id.clone(),
                    description: known
                        .iter()
                        .find(|(i, _)| i == id)
                        .map(|(_, t)| t.clone())
                        .unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        },
        description: profile.description.clone(),
        medical_device: profile.medical_device,
        connectivity: describe(facts::CONNECTIVITY, &profile.connectivity),
        data: describe(facts::DATA, &profile.data),
        services: describe(facts::SERVICES, &profile.services),
        patient_safety: profile.patient_safety.clone(),
        availability: profile.availability.clone(),
        expected_years: profile.expected_years,
        integrates_with_legacy: profile.integrates_with_legacy,
    };
    let left_out = selection
        .left_out
        .iter()
        .map(|l| LeftOutView {
            id: l.id.clone(),
            title: l.title.clone(),
            kind: match l.kind {
                crate::select::LeftOutKind::NotApplicable => "not-applicable".into(),
                crate::select::LeftOutKind::Excluded => "excluded".into(),
            },
            reasons: l.reasons.clone(),
        })
        .collect();
    let date_iso = date.format("%Y-%m-%d").to_string();
    View {
        procurement: ProcurementView {
            title: procurement.title.clone(),
            reference: procurement.reference.clone(),
            buyer: procurement.buyer.clone(),
            procedure: procurement.procedure.clone(),
            language: procurement.language.clone(),
            date: date_iso.clone(),
            year: date.year(),
            month: date.month(),
            day: date.day(),
        },
        lot: profile.lot.clone(),
        asset,
        catalogue: CatalogueView {
            id: catalogue.meta.id.clone(),
            title: catalogue.meta.title.clone(),
            version: catalogue.meta.version.clone(),
            date: catalogue.meta.date.clone(),
            sources: catalogue
                .meta
                .sources
                .iter()
                .map(|(id, title)| TermView {
                    term: id.clone(),
                    definition: title.clone(),
                })
                .collect(),
        },
        definitions,
        matrix_section: number,
        manifest: ManifestView {
            tool: provenance.tool.clone(),
            catalogue_id: catalogue.meta.id.clone(),
            catalogue_version: catalogue.meta.version.clone(),
            catalogue_source: provenance.catalogue_source.clone(),
            questionnaire: provenance.questionnaire.clone(),
            questionnaire_sha256: provenance.questionnaire_sha256.clone(),
            templates: provenance.templates.clone(),
            date: date_iso,
            supplier_clauses: clauses.len(),
            buyer_actions: buyer_actions.len(),
        },
        sections,
        clauses,
        award_criteria,
        award_total,
        buyer_actions,
        parameters,
        annex_parameters,
        matrix_spreadsheet: false,
        frameworks,
        left_out,
        notes: selection.notes.clone(),
    }
}

fn clause_of_id<'c>(catalogue: &'c Catalogue, id: &str) -> &'c Clause {
    catalogue
        .clause(id)
        .expect("selection comes from this catalogue")
}

/// True if `term` occurs in `text` as a whole word or phrase (plural allowed). For a
/// term like `Software Bill of Materials (SBOM)`, the abbreviation counts too.
fn uses_term(text: &str, term: &str) -> bool {
    match term.split_once(" (") {
        Some((long, abbr)) => occurs(text, long) || occurs(text, abbr.trim_end_matches(')')),
        None => occurs(text, term),
    }
}

fn occurs(text: &str, bare: &str) -> bool {
    let mut start = 0;
    while let Some(i) = text[start..].find(bare) {
        let at = start + i;
        let before = text[..at].chars().next_back();
        let after = text[at + bare.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && (boundary(after) || after == Some('s')) {
            return true;
        }
        start = at + bare.len();
    }
    false
}

fn clause_view(catalogue: &Catalogue, clause: &Clause, s: &Selected, number: String) -> ClauseView {
    let filled = text::fill(&clause.text, |name| {
        s.parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.to_string())
    });
    ClauseView {
        id: clause.id.clone(),
        number,
        title: clause.title.clone(),
        role: clause.role,
        phase: clause.phase,
        obligation: clause.obligation,
        weight: s.weight,
        paragraphs: text::paragraphs(&filled),
        evidence: clause
            .evidence
            .iter()
            .map(|e| EvidenceView {
                stage: e.stage.clone(),
                form: e.form.clone(),
                what: e.what.clone(),
            })
            .collect(),
        references: clause
            .references
            .iter()
            .flat_map(|(key, refs)| {
                let fw = catalogue.framework(key);
                refs.iter()
                    .map(move |r| fw.map_or_else(|| format!("{key} {r}"), |f| f.cite(r)))
            })
            .collect(),
        practices: clause
            .practices
            .iter()
            .map(|p| Named {
                id: p.clone(),
                title: catalogue
                    .practice(p)
                    .map(|x| x.title.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        threats: clause
            .threats
            .iter()
            .map(|t| Named {
                id: t.clone(),
                title: catalogue
                    .threat(t)
                    .map(|x| x.title.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        basis: s.basis,
        reasons: s.reasons.clone(),
        rationale: clause.rationale.clone(),
        parameters: s.parameters.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::uses_term;

    #[test]
    fn terms_match_whole_words() {
        assert!(uses_term("the Supplier shall", "Supplier"));
        assert!(uses_term("all Security Updates for", "Security Update"));
        assert!(uses_term(
            "an SBOM in CycloneDX",
            "Software Bill of Materials (SBOM)"
        ));
        assert!(!uses_term("the Suppliers' Subcontractor", "Contractor"));
    }
}
