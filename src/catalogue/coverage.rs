//! Coverage of the catalogue: how many clauses serve each ENISA practice, and how
//! many supplier clauses a typical purchase of each asset category gets (the
//! `typical` profile of assets.yaml, selected as a questionnaire would be).
//! `catalogue lint` enforces the minimums declared in catalogue.yaml;
//! `catalogue coverage` prints the asset × practice matrix.

use super::model::{Asset, Catalogue, Clause};
use crate::questionnaire::{Profile, Tailoring};

/// The profile of a typical purchase of an asset category.
pub fn typical_profile(asset: &Asset) -> Profile {
    let t = &asset.typical;
    Profile {
        lot: None,
        category: asset.id.clone(),
        subtypes: asset.subtypes.iter().map(|(id, _)| id.clone()).collect(),
        subtypes_given: false,
        description: None,
        medical_device: t.medical_device,
        connectivity: t.connectivity.clone(),
        data: t.data.clone(),
        services: t.services.clone(),
        patient_safety: t.patient_safety.clone(),
        availability: t.availability.clone(),
        expected_years: t.expected_years,
        integrates_with_legacy: t.integrates_with_legacy,
        procedure: "open".into(),
        options: Tailoring::default(),
    }
}

/// Whether a clause is selected for a typical purchase of the asset category.
pub fn applies_to_typical(clause: &Clause, asset: &Asset) -> bool {
    match &clause.applies_when {
        None => true,
        Some(c) => crate::select::evaluate(c, &typical_profile(asset)).0,
    }
}

/// Counts behind the coverage checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Asset category ids, in catalogue order (the matrix columns).
    pub assets: Vec<String>,
    /// Per practice (catalogue order): id, clauses naming it, and per asset the
    /// supplier clauses naming it that a typical purchase of that asset gets.
    pub practices: Vec<(String, usize, Vec<usize>)>,
    /// Per asset: supplier clauses a typical purchase of it gets.
    pub supplier_per_asset: Vec<usize>,
}

/// Count the catalogue's coverage.
pub fn coverage(c: &Catalogue) -> Coverage {
    let assets: Vec<String> = c.assets.iter().map(|a| a.id.clone()).collect();
    let picked: Vec<Vec<&Clause>> = c
        .assets
        .iter()
        .map(|a| {
            c.clauses
                .iter()
                .filter(|x| x.role.is_supplier() && applies_to_typical(x, a))
                .collect()
        })
        .collect();
    let practices = c
        .practices
        .iter()
        .map(|p| {
            let naming = c
                .clauses
                .iter()
                .filter(|x| x.practices.contains(&p.id))
                .count();
            let per_asset = picked
                .iter()
                .map(|clauses| {
                    clauses
                        .iter()
                        .filter(|x| x.practices.contains(&p.id))
                        .count()
                })
                .collect();
            (p.id.clone(), naming, per_asset)
        })
        .collect();
    let supplier_per_asset = picked.iter().map(Vec::len).collect();
    Coverage {
        assets,
        practices,
        supplier_per_asset,
    }
}

/// Short column heads for the asset categories.
fn short(asset: &str) -> String {
    asset
        .split('-')
        .map(|w| w.chars().next().unwrap_or(' ').to_ascii_uppercase())
        .collect()
}

/// The asset × practice matrix as a text table: for each practice, the number of
/// supplier clauses naming it that can apply to each asset category.
pub fn matrix(cov: &Coverage) -> String {
    let heads: Vec<String> = cov.assets.iter().map(|a| short(a)).collect();
    let mut out = String::new();
    out.push_str("practice  all |");
    for h in &heads {
        out.push_str(&format!(" {h:>4}"));
    }
    out.push('\n');
    out.push_str(&"-".repeat(15 + 5 * heads.len()));
    out.push('\n');
    for (id, naming, per_asset) in &cov.practices {
        out.push_str(&format!("{id:<8} {naming:>4} |"));
        for n in per_asset {
            out.push_str(&format!(" {n:>4}"));
        }
        out.push('\n');
    }
    out.push_str(&"-".repeat(15 + 5 * heads.len()));
    out.push('\n');
    out.push_str("supplier      |");
    for n in &cov.supplier_per_asset {
        out.push_str(&format!(" {n:>4}"));
    }
    out.push_str("\n\n");
    for (a, h) in cov.assets.iter().zip(&heads) {
        out.push_str(&format!("{h:>4} = {a}\n"));
    }
    out.push_str("\n`all`: clauses naming the practice (buyer actions included); columns: supplier clauses naming it that a typical purchase of the asset category gets (assets.yaml `typical`).\n");
    out
}
