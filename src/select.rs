//! Selection stage: catalogue + one questionnaire profile → the clause pack.
//!
//! Pure and deterministic. Every selected clause carries the questionnaire facts that
//! selected it; every other clause carries the reason it was left out. The buyer's
//! `options` (include, exclude with a reason, parameter values) are applied and
//! recorded here.

use serde::Serialize;

use crate::catalogue::{Catalogue, Clause, Condition, Obligation, ParamValue, Phase, Role};
use crate::questionnaire::{Lot, Profile};

/// The clause pack for one profile (one lot).
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    /// The lot, if the questionnaire has lots.
    pub lot: Option<Lot>,
    /// Selected clauses, ordered by role, phase, then id.
    pub selected: Vec<Selected>,
    /// Clauses left out, in catalogue order.
    pub left_out: Vec<LeftOut>,
    /// Points of the quality score shared by the selected award criteria (the
    /// catalogue's `security_share`, or the buyer's value); none without award criteria.
    pub award_share: Option<u32>,
    /// Things the buyer probably did not mean (an include that applies anyway...).
    pub notes: Vec<String>,
}

/// Why a clause is in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// It has no condition.
    Always,
    /// Its condition holds.
    Condition,
    /// The buyer included it.
    Included,
}

/// A selected clause.
#[derive(Debug, Clone, Serialize)]
pub struct Selected {
    /// Clause id.
    pub id: String,
    /// Clause title.
    pub title: String,
    /// ENISA practices.
    pub practices: Vec<String>,
    /// Phase.
    pub phase: Phase,
    /// Role.
    pub role: Role,
    /// Obligation (supplier clauses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obligation: Option<Obligation>,
    /// Weight (award criteria): points of the quality score, after scaling the
    /// catalogue weights to the security share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// The catalogue's weight before scaling (award criteria).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_weight: Option<u32>,
    /// How it got in.
    pub basis: Basis,
    /// The facts that selected it, in words.
    pub reasons: Vec<String>,
    /// Parameter values used in its text.
    pub parameters: Vec<Setting>,
}

/// A parameter value as used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// Parameter name.
    pub name: String,
    /// What it is.
    pub label: String,
    /// Value used.
    pub value: ParamValue,
    /// Unit (empty for text).
    pub unit: String,
    /// `default`, `derived` (a default that follows the purchase) or `buyer`.
    pub source: &'static str,
    /// For a derived default, what it follows (e.g. `availability critical`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Why a clause is not in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftOutKind {
    /// Its condition does not hold.
    NotApplicable,
    /// The buyer excluded it.
    Excluded,
}

/// A clause left out.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// Clause id.
    pub id: String,
    /// Clause title.
    pub title: String,
    /// Role.
    pub role: Role,
    /// Phase.
    pub phase: Phase,
    /// Not applicable, or excluded by the buyer.
    pub kind: LeftOutKind,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// Select the clause pack of one profile.
pub fn select(catalogue: &Catalogue, profile: &Profile) -> Selection {
    let opts = &profile.options;
    let mut selected = Vec::new();
    let mut left_out = Vec::new();
    let mut notes = Vec::new();
    for clause in &catalogue.clauses {
        let (holds, reasons) = match &clause.applies_when {
            None => (true, vec!["applies to every procurement".to_string()]),
            Some(c) => evaluate(c, profile),
        };
        if let Some(ex) = opts.exclude.iter().find(|e| e.clause == clause.id) {
            if !holds {
                notes.push(format!(
                    "clause {} is excluded, but it would not have applied anyway ({})",
                    clause.id,
                    reasons.join("; ")
                ));
            }
            left_out.push(LeftOut {
                id: clause.id.clone(),
                title: clause.title.clone(),
                role: clause.role,
                phase: clause.phase,
                kind: LeftOutKind::Excluded,
                reasons: vec![format!("excluded by the buyer: {}", ex.reason)],
            });
            continue;
        }
        let included = opts.include.contains(&clause.id);
        if holds {
            if included {
                notes.push(format!(
                    "clause {} is included, but it applies anyway",
                    clause.id
                ));
            }
            let basis = if clause.applies_when.is_none() {
                Basis::Always
            } else {
                Basis::Condition
            };
            selected.push(selected_clause(clause, basis, reasons, profile));
        } else if included {
            let mut why = vec!["included by the buyer (options.include)".to_string()];
            why.extend(reasons.into_iter().map(|r| format!("although {r}")));
            selected.push(selected_clause(clause, Basis::Included, why, profile));
        } else {
            left_out.push(LeftOut {
                id: clause.id.clone(),
                title: clause.title.clone(),
                role: clause.role,
                phase: clause.phase,
                kind: LeftOutKind::NotApplicable,
                reasons,
            });
        }
    }
    // A selected clause that refers to a clause left out of this annex refers to
    // nothing the bidder can read: tell the buyer.
    for s in &selected {
        let Some(clause) = catalogue.clause(&s.id) else {
            continue;
        };
        for r in &clause.refs {
            if !selected.iter().any(|x| &x.id == r) {
                notes.push(format!(
                    "clause {} refers to {r}, which is not in this annex: include {r}, or check that the reference still reads correctly without it",
                    s.id
                ));
            }
        }
    }
    let award_share = scale_award_weights(catalogue, profile, &mut selected);
    for name in opts.parameters.keys() {
        let used = selected
            .iter()
            .any(|s| s.parameters.iter().any(|p| &p.name == name))
            || (name == SHARE && award_share.is_some());
        if !used {
            notes.push(format!(
                "parameter {name} is set, but no selected clause uses it"
            ));
        }
    }
    selected.sort_by(|a, b| (a.role, a.phase, &a.id).cmp(&(b.role, b.phase, &b.id)));
    Selection {
        lot: profile.lot.clone(),
        selected,
        left_out,
        award_share,
        notes,
    }
}

/// The parameter that sets the points shared by the award criteria.
pub const SHARE: &str = "security_share";

/// Scale the selected award criteria's weights so that they add up to the security
/// share exactly (largest remainder; ties go to the earlier criterion). Returns the
/// share, or `None` when no award criterion is selected or the catalogue declares no share.
fn scale_award_weights(
    catalogue: &Catalogue,
    profile: &Profile,
    selected: &mut [Selected],
) -> Option<u32> {
    let declared = catalogue.meta.award_share.as_ref()?;
    let share = match profile
        .options
        .parameters
        .get(SHARE)
        .unwrap_or(&declared.default_value())
    {
        ParamValue::Integer(i) => u32::try_from(*i).ok()?,
        ParamValue::Text(_) => return None,
    };
    let criteria: Vec<usize> = (0..selected.len())
        .filter(|&i| selected[i].role == Role::AwardCriterion)
        .collect();
    let total: u32 = criteria
        .iter()
        .filter_map(|&i| selected[i].default_weight)
        .sum();
    if criteria.is_empty() || total == 0 {
        return None;
    }
    let scaled = largest_remainder(
        &criteria
            .iter()
            .map(|&i| selected[i].default_weight.unwrap_or(0))
            .collect::<Vec<_>>(),
        share,
    );
    for (&i, w) in criteria.iter().zip(scaled) {
        selected[i].weight = Some(w);
    }
    Some(share)
}

/// Apportion `total` points in proportion to `weights`, in whole points that add up
/// to `total` exactly.
pub fn largest_remainder(weights: &[u32], total: u32) -> Vec<u32> {
    let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<u64> = weights
        .iter()
        .map(|&w| u64::from(w) * u64::from(total))
        .collect();
    let mut out: Vec<u32> = exact.iter().map(|e| (e / sum) as u32).collect();
    let mut left = total - out.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest fractional part first; the sort is stable, so ties keep their order.
    order.sort_by(|&a, &b| (exact[b] % sum).cmp(&(exact[a] % sum)));
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// A parameter's default for this purchase: the plain default, or the one its
/// declaration derives from the answers.
pub fn default_for(
    p: &crate::catalogue::Parameter,
    profile: &Profile,
) -> (ParamValue, &'static str, String) {
    use crate::catalogue::{Derived, ParamKind};
    let ParamKind::Integer { min, max, .. } = &p.kind else {
        return (p.default_value(), "default", String::new());
    };
    let pick = |table: &[(String, i64)], level: &str| {
        table.iter().find(|(l, _)| l == level).map(|(_, v)| *v)
    };
    match &p.derived {
        Some(Derived::ByAvailability(t)) => match pick(t, &profile.availability) {
            Some(v) => (
                ParamValue::Integer(v),
                "derived",
                format!("availability need {}", profile.availability),
            ),
            None => (p.default_value(), "default", String::new()),
        },
        Some(Derived::ByPatientSafety(t)) => match pick(t, &profile.patient_safety) {
            Some(v) => (
                ParamValue::Integer(v),
                "derived",
                format!("patient-safety impact {}", profile.patient_safety),
            ),
            None => (p.default_value(), "default", String::new()),
        },
        Some(Derived::FromExpectedYears) => match profile.expected_years {
            Some(y) => (
                ParamValue::Integer(i64::from(y).clamp(*min, *max)),
                "derived",
                format!("expected service life {y} years"),
            ),
            None => (p.default_value(), "default", String::new()),
        },
        None => (p.default_value(), "default", String::new()),
    }
}

fn selected_clause(
    clause: &Clause,
    basis: Basis,
    reasons: Vec<String>,
    profile: &Profile,
) -> Selected {
    let parameters = clause
        .parameters
        .iter()
        .map(|p| {
            let (value, source, note) = match profile.options.parameters.get(&p.name) {
                Some(v) => (v.clone(), "buyer", String::new()),
                None => default_for(p, profile),
            };
            Setting {
                name: p.name.clone(),
                label: p.label.clone(),
                value,
                unit: p.unit().to_string(),
                source,
                note,
            }
        })
        .collect();
    Selected {
        id: clause.id.clone(),
        title: clause.title.clone(),
        practices: clause.practices.clone(),
        phase: clause.phase,
        role: clause.role,
        obligation: clause.obligation,
        weight: clause.weight,
        default_weight: clause.weight,
        basis,
        reasons,
        parameters,
    }
}

/// Evaluate a condition against a profile: whether it holds, and the facts that
/// decide it (the facts that make it hold, or those that make it fail).
///
/// Each leaf states the actual fact, so `not` only flips the outcome: the facts that
/// make its inner condition fail are exactly why `not` holds.
pub fn evaluate(condition: &Condition, profile: &Profile) -> (bool, Vec<String>) {
    match condition {
        Condition::All(items) => {
            let results: Vec<_> = items.iter().map(|c| evaluate(c, profile)).collect();
            let holds = results.iter().all(|(h, _)| *h);
            (
                holds,
                gather(results.into_iter().filter(|(h, _)| *h == holds)),
            )
        }
        Condition::Any(items) => {
            let results: Vec<_> = items.iter().map(|c| evaluate(c, profile)).collect();
            let holds = results.iter().any(|(h, _)| *h);
            (
                holds,
                gather(results.into_iter().filter(|(h, _)| *h == holds)),
            )
        }
        Condition::Not(inner) => {
            let (h, reasons) = evaluate(inner, profile);
            (!h, reasons)
        }
        Condition::Asset(ids) => {
            let holds = ids.contains(&profile.category);
            let fact = if holds {
                format!("asset category is {}", profile.category)
            } else {
                format!(
                    "asset category is {}, not {}",
                    profile.category,
                    or_list(ids)
                )
            };
            (holds, vec![fact])
        }
        Condition::Subtype(ids) => {
            let (holds, mut reasons) = overlap("sub-types", &profile.subtypes, ids);
            if !profile.subtypes_given {
                for r in &mut reasons {
                    r.push_str(" (no sub-type named: every sub-type of the category counts)");
                }
            }
            (holds, reasons)
        }
        Condition::Connectivity(ids) => overlap("connectivity", &profile.connectivity, ids),
        Condition::Data(ids) => overlap("data", &profile.data, ids),
        Condition::Services(ids) => overlap("services", &profile.services, ids),
        Condition::MedicalDevice(want) => {
            let fact = if profile.medical_device {
                "the asset is a medical device"
            } else {
                "the asset is not a medical device"
            };
            (profile.medical_device == *want, vec![fact.to_string()])
        }
        Condition::PatientSafety(levels) => {
            level("patient-safety impact", &profile.patient_safety, levels)
        }
        Condition::Availability(levels) => {
            level("availability need", &profile.availability, levels)
        }
        Condition::IntegratesWithLegacy(want) => {
            let fact = if profile.integrates_with_legacy {
                "the asset integrates with legacy systems"
            } else {
                "the asset does not integrate with legacy systems"
            };
            (
                profile.integrates_with_legacy == *want,
                vec![fact.to_string()],
            )
        }
        Condition::ExpectedYearsAtLeast(min) => match profile.expected_years {
            Some(y) if y >= *min => (
                true,
                vec![format!(
                    "expected service life is {y} years (at least {min})"
                )],
            ),
            Some(y) => (
                false,
                vec![format!(
                    "expected service life is {y} years (less than {min})"
                )],
            ),
            None => (
                false,
                vec![format!(
                    "expected service life is not given (at least {min} years needed)"
                )],
            ),
        },
        Condition::Procedure(ids) => {
            let holds = ids.contains(&profile.procedure);
            let fact = if holds {
                format!("procedure is {}", profile.procedure)
            } else {
                format!("procedure is {}, not {}", profile.procedure, or_list(ids))
            };
            (holds, vec![fact])
        }
    }
}

fn gather(results: impl Iterator<Item = (bool, Vec<String>)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, reasons) in results {
        for r in reasons {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

fn overlap(fact: &str, have: &[String], wanted: &[String]) -> (bool, Vec<String>) {
    let common: Vec<&str> = wanted
        .iter()
        .filter(|w| have.contains(w))
        .map(String::as_str)
        .collect();
    if common.is_empty() {
        let what = if have.is_empty() {
            format!("{fact}: none")
        } else {
            format!("{fact}: {}", have.join(", "))
        };
        (
            false,
            vec![format!("{what} (none of {})", wanted.join(", "))],
        )
    } else {
        let verb = if fact.ends_with('s') {
            "include"
        } else {
            "includes"
        };
        (true, vec![format!("{fact} {verb} {}", common.join(", "))])
    }
}

fn level(what: &str, actual: &str, wanted: &[String]) -> (bool, Vec<String>) {
    if wanted.iter().any(|w| w == actual) {
        (true, vec![format!("{what} is {actual}")])
    } else {
        (
            false,
            vec![format!("{what} is {actual}, not {}", or_list(wanted))],
        )
    }
}

fn or_list(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::Tailoring;

    fn profile() -> Profile {
        Profile {
            lot: None,
            category: "networked-medical-device".into(),
            subtypes: vec!["bedside-device".into()],
            subtypes_given: true,
            description: None,
            medical_device: true,
            connectivity: vec!["wired-network".into(), "remote-access".into()],
            data: vec!["patient-health".into()],
            services: vec!["maintenance".into()],
            patient_safety: "high".into(),
            availability: "critical".into(),
            expected_years: Some(10),
            integrates_with_legacy: false,
            procedure: "open".into(),
            options: Tailoring::default(),
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn leaves_state_the_facts() {
        let p = profile();
        assert_eq!(
            evaluate(
                &Condition::Connectivity(s(&["wireless", "remote-access"])),
                &p
            ),
            (true, s(&["connectivity includes remote-access"]))
        );
        assert_eq!(
            evaluate(&Condition::Connectivity(s(&["wireless", "cloud"])), &p),
            (
                false,
                s(&["connectivity: wired-network, remote-access (none of wireless, cloud)"])
            )
        );
        assert_eq!(
            evaluate(
                &Condition::Asset(s(&["cloud-service", "professional-service"])),
                &p
            ),
            (
                false,
                s(&[
                    "asset category is networked-medical-device, not cloud-service or professional-service"
                ])
            )
        );
        assert_eq!(
            evaluate(&Condition::ExpectedYearsAtLeast(12), &p),
            (
                false,
                s(&["expected service life is 10 years (less than 12)"])
            )
        );
    }

    #[test]
    fn any_reports_every_matching_branch_and_all_every_failure() {
        let p = profile();
        let any = Condition::Any(vec![
            Condition::Data(s(&["patient-health"])),
            Condition::Asset(s(&["cloud-service"])),
            Condition::MedicalDevice(true),
        ]);
        assert_eq!(
            evaluate(&any, &p),
            (
                true,
                s(&[
                    "data includes patient-health",
                    "the asset is a medical device"
                ])
            )
        );
        let all = Condition::All(vec![
            Condition::Data(s(&["personal"])),
            Condition::MedicalDevice(true),
            Condition::Services(s(&["hosting"])),
        ]);
        assert_eq!(
            evaluate(&all, &p),
            (
                false,
                s(&[
                    "data: patient-health (none of personal)",
                    "services: maintenance (none of hosting)"
                ])
            )
        );
    }

    #[test]
    fn not_flips_and_keeps_the_facts() {
        let p = profile();
        let c = Condition::Not(Box::new(Condition::Connectivity(s(&["cloud"]))));
        assert_eq!(
            evaluate(&c, &p),
            (
                true,
                s(&["connectivity: wired-network, remote-access (none of cloud)"])
            )
        );
        let c = Condition::Not(Box::new(Condition::MedicalDevice(true)));
        assert_eq!(
            evaluate(&c, &p),
            (false, s(&["the asset is a medical device"]))
        );
    }

    #[test]
    fn stand_alone_asset_has_no_connectivity() {
        let mut p = profile();
        p.connectivity.clear();
        assert_eq!(
            evaluate(&Condition::Connectivity(s(&["wired-network"])), &p),
            (false, s(&["connectivity: none (none of wired-network)"]))
        );
    }

    #[test]
    fn award_weights_add_up_to_the_share() {
        assert_eq!(largest_remainder(&[8, 8, 7, 6, 5], 30), vec![7, 7, 6, 5, 5]);
        assert_eq!(largest_remainder(&[1, 1, 1], 10), vec![4, 3, 3]);
        assert_eq!(largest_remainder(&[5], 20), vec![20]);
        for total in 0..60 {
            let w = largest_remainder(&[8, 3, 7, 6, 5, 9], total);
            assert_eq!(w.iter().sum::<u32>(), total);
        }
    }

    #[test]
    fn subtypes_default_to_the_whole_category() {
        let mut p = profile();
        let c = Condition::Subtype(s(&["imaging-modality"]));
        assert_eq!(
            evaluate(&c, &p),
            (
                false,
                s(&["sub-types: bedside-device (none of imaging-modality)"])
            )
        );
        p.subtypes = s(&["imaging-modality", "bedside-device"]);
        p.subtypes_given = false;
        assert_eq!(
            evaluate(&c, &p),
            (
                true,
                s(&[
                    "sub-types include imaging-modality (no sub-type named: every sub-type of the category counts)"
                ])
            )
        );
    }

    #[test]
    fn derived_defaults_follow_the_purchase() {
        use crate::catalogue::{Derived, ParamKind, Parameter};
        let param = |derived| Parameter {
            name: "x".into(),
            label: "X".into(),
            kind: ParamKind::Integer {
                default: 8,
                min: 5,
                max: 20,
                unit: "hours".into(),
            },
            derived: Some(derived),
            line: 0,
        };
        let mut p = profile();
        let by_av = param(Derived::ByAvailability(vec![
            ("critical".into(), 5),
            ("high".into(), 8),
            ("normal".into(), 20),
        ]));
        assert_eq!(
            default_for(&by_av, &p),
            (
                ParamValue::Integer(5),
                "derived",
                "availability need critical".into()
            )
        );
        let years = param(Derived::FromExpectedYears);
        assert_eq!(default_for(&years, &p).0, ParamValue::Integer(10));
        p.expected_years = Some(3);
        assert_eq!(
            default_for(&years, &p).0,
            ParamValue::Integer(5),
            "kept within the bounds"
        );
        p.expected_years = None;
        assert_eq!(
            default_for(&years, &p),
            (ParamValue::Integer(8), "default", String::new())
        );
    }
}
