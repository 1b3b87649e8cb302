//! The validated questionnaire.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::ParamValue;

/// A validated questionnaire: the procurement and one profile per lot (or one
/// profile when there are no lots).
#[derive(Debug, Clone, Serialize)]
pub struct Questionnaire {
    /// The procurement as a whole.
    pub procurement: Procurement,
    /// What is bought, per lot; never empty.
    pub profiles: Vec<Profile>,
}

/// The `procurement` block.
#[derive(Debug, Clone, Serialize)]
pub struct Procurement {
    /// Title of the procurement.
    pub title: String,
    /// The buyer's reference.
    pub reference: String,
    /// The contracting authority.
    pub buyer: String,
    /// Procedure id.
    pub procedure: String,
    /// Annex language (ISO 639-1).
    pub language: String,
    /// Annex date, if the questionnaire fixes it (YYYY-MM-DD).
    pub date: Option<String>,
}

/// A lot of a framework agreement or divided procurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lot {
    /// Lot id (lower-case, digits, dashes).
    pub id: String,
    /// Lot title.
    pub title: String,
}

/// The facts about one thing bought: what selection works on.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// The lot, when the questionnaire has lots.
    pub lot: Option<Lot>,
    /// Asset category id.
    pub category: String,
    /// Sub-types of the category the purchase covers: those the buyer named, or
    /// every sub-type of the category when none was named.
    pub subtypes: Vec<String>,
    /// True when the buyer named the sub-types.
    pub subtypes_given: bool,
    /// Free-text description.
    pub description: Option<String>,
    /// Placed on the market under MDR/IVDR.
    pub medical_device: bool,
    /// Connectivity ids (empty for a stand-alone asset).
    pub connectivity: Vec<String>,
    /// Data ids (empty when it holds no data).
    pub data: Vec<String>,
    /// Service ids.
    pub services: Vec<String>,
    /// Patient-safety level id.
    pub patient_safety: String,
    /// Availability level id.
    pub availability: String,
    /// Expected service life in years.
    pub expected_years: Option<u32>,
    /// Integrates with legacy systems.
    pub integrates_with_legacy: bool,
    /// Procedure id (copied from the procurement, so conditions see it).
    pub procedure: String,
    /// The buyer's tailoring.
    pub options: Tailoring,
}

/// The buyer's `options`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tailoring {
    /// Parameter values by name.
    pub parameters: BTreeMap<String, ParamValue>,
    /// Clauses left out, with the reason.
    pub exclude: Vec<Exclusion>,
    /// Clauses added although their condition does not hold.
    pub include: Vec<String>,
}

/// One exclusion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    /// Clause id.
    pub clause: String,
    /// Why the buyer leaves it out.
    pub reason: String,
}
