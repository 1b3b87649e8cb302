//! The validated catalogue: what the rest of the pipeline sees.

use serde::Serialize;

/// Phases of procurement, in ENISA's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Applies across the whole lifecycle.
    General,
    /// Preparing the procurement.
    Plan,
    /// Tendering and awarding.
    Source,
    /// Delivery, operation, maintenance and end of life.
    Manage,
}

impl Phase {
    /// All phases in order.
    pub const ALL: [Phase; 4] = [Phase::General, Phase::Plan, Phase::Source, Phase::Manage];
    /// The id used in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::General => "general",
            Phase::Plan => "plan",
            Phase::Source => "source",
            Phase::Manage => "manage",
        }
    }
    /// Parse an id.
    pub fn from_id(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What a clause is for in the tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Conditions a bidder must meet to take part (pass/fail).
    SelectionCriterion,
    /// Minimum requirements on the offer (pass/fail).
    TechnicalSpecification,
    /// Scored qualities of the offer.
    AwardCriterion,
    /// Obligations of the Supplier under the contract.
    ContractClause,
    /// The hospital's own preparation; never sent to bidders.
    BuyerAction,
}

impl Role {
    /// All roles, in the order the annex presents them.
    pub const ALL: [Role; 5] = [
        Role::SelectionCriterion,
        Role::TechnicalSpecification,
        Role::AwardCriterion,
        Role::ContractClause,
        Role::BuyerAction,
    ];
    /// The id used in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SelectionCriterion => "selection-criterion",
            Role::TechnicalSpecification => "technical-specification",
            Role::AwardCriterion => "award-criterion",
            Role::ContractClause => "contract-clause",
            Role::BuyerAction => "buyer-action",
        }
    }
    /// Parse an id.
    pub fn from_id(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// True for everything that goes to bidders.
    pub fn is_supplier(self) -> bool {
        self != Role::BuyerAction
    }
}

/// How binding a supplier clause is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obligation {
    /// Pass/fail, or accepted by signing.
    Mandatory,
    /// Scored; award criteria only.
    Scored,
}

impl Obligation {
    /// The id used in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Obligation::Mandatory => "mandatory",
            Obligation::Scored => "scored",
        }
    }
}

/// Catalogue identity.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// Machine id, e.g. `secannex-core`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Content version.
    pub version: String,
    /// Date of this version.
    pub date: String,
    /// Who maintains it.
    pub publisher: String,
    /// What it is built on: (id, title).
    pub sources: Vec<(String, String)>,
    /// Coverage the lint enforces.
    pub minimums: Minimums,
    /// The points of the quality score that the selected award criteria share
    /// (parameter `security_share`), if the catalogue declares it.
    pub award_share: Option<Parameter>,
}

/// Coverage minimums declared in catalogue.yaml (`coverage:`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Minimums {
    /// Clauses (buyer actions included) naming each practice; at least 1.
    pub clauses_per_practice: usize,
    /// Supplier clauses that can apply to each asset category.
    pub supplier_clauses_per_asset: usize,
}

impl Default for Minimums {
    fn default() -> Self {
        Minimums {
            clauses_per_practice: 1,
            supplier_clauses_per_asset: 0,
        }
    }
}

/// A reference framework (NIS2, MDR, ISO/IEC 27001...).
#[derive(Debug, Clone, Serialize)]
pub struct Framework {
    /// Key used in clause references.
    pub key: String,
    /// Full title.
    pub title: String,
    /// Citation pattern; `{}` is replaced by the reference.
    pub cite: String,
}

impl Framework {
    /// How one reference is cited, e.g. `NIS2 Art. 21(2)(e)`.
    pub fn cite(&self, reference: &str) -> String {
        self.cite.replace("{}", reference)
    }
}

/// An asset category.
#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    /// Id used in questionnaires and conditions.
    pub id: String,
    /// Human title.
    pub title: String,
    /// What it covers.
    pub description: String,
    /// Examples of things in it.
    pub examples: Vec<String>,
    /// Sub-types: (id, title).
    pub subtypes: Vec<(String, String)>,
    /// A typical purchase of this category, on which coverage is counted.
    pub typical: Typical,
}

/// The facts of a typical purchase of an asset category (the questionnaire's
/// answers, minus the procurement block).
#[derive(Debug, Clone, Serialize)]
pub struct Typical {
    /// Placed on the market under MDR/IVDR.
    pub medical_device: bool,
    /// Connectivity ids.
    pub connectivity: Vec<String>,
    /// Data ids.
    pub data: Vec<String>,
    /// Service ids.
    pub services: Vec<String>,
    /// Patient-safety level.
    pub patient_safety: String,
    /// Availability level.
    pub availability: String,
    /// Expected service life.
    pub expected_years: Option<u32>,
    /// Integrates with legacy systems.
    pub integrates_with_legacy: bool,
}

/// A threat group with its threats.
#[derive(Debug, Clone, Serialize)]
pub struct ThreatGroup {
    /// Group id.
    pub id: String,
    /// Group title.
    pub title: String,
    /// What the group covers.
    pub description: String,
    /// Its threats.
    pub threats: Vec<Threat>,
}

/// One threat; referred to as `group/id`.
#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    /// Full id `group/threat`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
}

/// An ENISA good practice.
#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    /// GP01..GP28.
    pub id: String,
    /// ENISA's title.
    pub title: String,
    /// Its phase.
    pub phase: Phase,
    /// What it asks for, in our words.
    pub summary: String,
    /// Asset ids it applies to; empty means all.
    pub assets: Vec<String>,
    /// Threat ids it addresses.
    pub threats: Vec<String>,
    /// ENISA 2026 measure ids.
    pub measures_2026: Vec<String>,
}

/// A defined term.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    /// The term as capitalised in clause text.
    pub term: String,
    /// Its definition.
    pub definition: String,
    /// Listed in every annex, used or not.
    pub always: bool,
}

/// A condition over questionnaire facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every one holds.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
    /// It does not hold.
    Not(Box<Condition>),
    /// The asset category is one of these.
    Asset(Vec<String>),
    /// The purchase covers at least one of these sub-types (when the buyer names
    /// none, every sub-type of the category counts).
    Subtype(Vec<String>),
    /// The asset has at least one of these connections.
    Connectivity(Vec<String>),
    /// The asset handles at least one of these data kinds.
    Data(Vec<String>),
    /// The supplier delivers at least one of these services.
    Services(Vec<String>),
    /// The asset is (or is not) a medical device.
    MedicalDevice(bool),
    /// Patient-safety level is one of these.
    PatientSafety(Vec<String>),
    /// Availability level is one of these.
    Availability(Vec<String>),
    /// The asset integrates (or not) with legacy systems.
    IntegratesWithLegacy(bool),
    /// Expected service life is at least this many years.
    ExpectedYearsAtLeast(u32),
    /// The procedure is one of these.
    Procedure(Vec<String>),
}

impl Condition {
    /// The condition in plain English, for reviewers (`catalogue show`, the clause pack).
    pub fn describe(&self) -> String {
        self.words(false)
    }

    fn words(&self, negated: bool) -> String {
        let or = |v: &[String]| match v {
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
            [] => String::new(),
        };
        let nor = |v: &[String]| format!("none of {}", v.join(", "));
        let group = |items: &[Condition], joiner: &str| {
            items
                .iter()
                .map(|c| match c {
                    Condition::All(_) | Condition::Any(_) => format!("({})", c.words(false)),
                    _ => c.words(false),
                })
                .collect::<Vec<_>>()
                .join(joiner)
        };
        match (self, negated) {
            (Condition::All(items), false) => group(items, " and "),
            (Condition::Any(items), false) => group(items, " or "),
            (Condition::All(_) | Condition::Any(_), true) => format!("not ({})", self.words(false)),
            (Condition::Not(inner), n) => inner.words(!n),
            (Condition::Asset(v), false) => format!("the asset category is {}", or(v)),
            (Condition::Asset(v), true) => format!("the asset category is not {}", or(v)),
            (Condition::Subtype(v), false) => format!("the purchase covers {}", or(v)),
            (Condition::Subtype(v), true) => format!("the purchase covers {}", nor(v)),
            (Condition::Connectivity(v), false) => format!("it connects by {}", or(v)),
            (Condition::Connectivity(v), true) => format!("it connects by {}", nor(v)),
            (Condition::Data(v), false) => format!("it handles {} data", or(v)),
            (Condition::Data(v), true) => format!("it handles {} data", nor(v)),
            (Condition::Services(v), false) => format!("the services include {}", or(v)),
            (Condition::Services(v), true) => format!("the services include {}", nor(v)),
            (Condition::MedicalDevice(b), n) => {
                if *b != n {
                    "it is a medical device".into()
                } else {
                    "it is not a medical device".into()
                }
            }
            (Condition::PatientSafety(v), false) => {
                format!("the patient-safety impact is {}", or(v))
            }
            (Condition::PatientSafety(v), true) => {
                format!("the patient-safety impact is not {}", or(v))
            }
            (Condition::Availability(v), false) => format!("the availability need is {}", or(v)),
            (Condition::Availability(v), true) => format!("the availability need is not {}", or(v)),
            (Condition::IntegratesWithLegacy(b), n) => {
                if *b != n {
                    "it integrates with legacy systems".into()
                } else {
                    "it does not integrate with legacy systems".into()
                }
            }
            (Condition::ExpectedYearsAtLeast(y), false) => {
                format!("the expected service life is at least {y} years")
            }
            (Condition::ExpectedYearsAtLeast(y), true) => {
                format!("the expected service life is under {y} years")
            }
            (Condition::Procedure(v), false) => format!("the procedure is {}", or(v)),
            (Condition::Procedure(v), true) => format!("the procedure is not {}", or(v)),
        }
    }

    /// Whether the condition can hold for some procurement of the given asset
    /// category, every other fact left open (three-valued: each test can be true,
    /// false, or both). For `catalogue list --asset` and coverage.
    pub fn can_hold_for_asset(&self, asset: &str) -> bool {
        self.possible(asset).0
    }

    /// (can be true, can be false) with the asset fixed.
    fn possible(&self, asset: &str) -> (bool, bool) {
        match self {
            Condition::Asset(ids) => {
                let is = ids.iter().any(|i| i == asset);
                (is, !is)
            }
            Condition::All(items) => {
                let r: Vec<_> = items.iter().map(|i| i.possible(asset)).collect();
                (r.iter().all(|x| x.0), r.iter().any(|x| x.1))
            }
            Condition::Any(items) => {
                let r: Vec<_> = items.iter().map(|i| i.possible(asset)).collect();
                (r.iter().any(|x| x.0), r.iter().all(|x| x.1))
            }
            Condition::Not(inner) => {
                let (t, f) = inner.possible(asset);
                (f, t)
            }
            _ => (true, true),
        }
    }
}

/// The type, default and bounds of a parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    /// A whole number within bounds.
    Integer {
        /// Default value.
        default: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
        /// Unit shown in tables (days, hours, years...).
        unit: String,
    },
    /// Free text.
    Text {
        /// Default value.
        default: String,
    },
}

/// A parameter a clause's text uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// Name used in text as `{{ name }}` and in `options.parameters`.
    pub name: String,
    /// What it is, for tables.
    pub label: String,
    /// Type, default and bounds.
    pub kind: ParamKind,
    /// A default that depends on the questionnaire's answers (integers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
    /// Line of the declaration, for messages.
    #[serde(skip)]
    pub line: usize,
}

/// How an integer parameter's default follows the purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Derived {
    /// One default per availability level: (level, value).
    ByAvailability(Vec<(String, i64)>),
    /// One default per patient-safety level: (level, value).
    ByPatientSafety(Vec<(String, i64)>),
    /// The expected service life in years, kept within the bounds.
    FromExpectedYears,
}

/// A value given to a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Integer parameters.
    Integer(i64),
    /// Text parameters.
    Text(String),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Integer(i) => write!(f, "{i}"),
            ParamValue::Text(s) => f.write_str(s),
        }
    }
}

impl Parameter {
    /// True if two declarations mean the same parameter (same label, type, default
    /// and bounds; where they are declared does not matter).
    pub fn same_as(&self, other: &Parameter) -> bool {
        self.name == other.name
            && self.label == other.label
            && self.kind == other.kind
            && self.derived == other.derived
    }

    /// Type, default and bounds in words, e.g. `integer, default 14 days, from 1 to 90`.
    pub fn describe(&self) -> String {
        match &self.kind {
            ParamKind::Integer {
                default,
                min,
                max,
                unit,
            } => {
                format!(
                    "\"{}\": integer, default {default} {unit}, from {min} to {max}",
                    self.label
                )
            }
            ParamKind::Text { default } => {
                format!("\"{}\": text, default \"{default}\"", self.label)
            }
        }
    }

    /// The default value.
    pub fn default_value(&self) -> ParamValue {
        match &self.kind {
            ParamKind::Integer { default, .. } => ParamValue::Integer(*default),
            ParamKind::Text { default } => ParamValue::Text(default.clone()),
        }
    }
    /// The unit, if any.
    pub fn unit(&self) -> &str {
        match &self.kind {
            ParamKind::Integer { unit, .. } => unit,
            ParamKind::Text { .. } => "",
        }
    }
}

/// One evidence request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// tender | contract | delivery | operation.
    pub stage: String,
    /// document, certificate, sbom, mds2...
    pub form: String,
    /// What exactly.
    pub what: String,
}

/// Where a clause is defined, for messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    /// File name.
    pub file: String,
    /// Line of the clause's `id`.
    pub line: usize,
}

/// One requirement of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Clause {
    /// Stable id, never reused.
    pub id: String,
    /// Short title.
    pub title: String,
    /// ENISA practices, main one first.
    pub practices: Vec<String>,
    /// Phase.
    pub phase: Phase,
    /// Role in the tender.
    pub role: Role,
    /// Obligation (supplier clauses).
    pub obligation: Option<Obligation>,
    /// Default weight (award criteria).
    pub weight: Option<u32>,
    /// When it applies; `None` = always.
    pub applies_when: Option<Condition>,
    /// Parameters used in `text`.
    pub parameters: Vec<Parameter>,
    /// Requirement text with `{{ name }}` placeholders; paragraphs separated by blank lines.
    pub text: String,
    /// Evidence requests.
    pub evidence: Vec<Evidence>,
    /// Threat ids addressed.
    pub threats: Vec<String>,
    /// References: framework key and the references in it.
    pub references: Vec<(String, Vec<String>)>,
    /// Why a hospital asks for this.
    pub rationale: String,
    /// Where it is defined.
    pub origin: Origin,
    /// Ids of other clauses its text mentions (filled in when the catalogue is loaded).
    #[serde(skip)]
    pub refs: Vec<String>,
}

/// The whole validated catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    /// Identity and version.
    pub meta: Meta,
    /// Reference frameworks.
    pub frameworks: Vec<Framework>,
    /// Asset taxonomy.
    pub assets: Vec<Asset>,
    /// Threat taxonomy.
    pub threat_groups: Vec<ThreatGroup>,
    /// ENISA practices.
    pub practices: Vec<Practice>,
    /// Defined terms.
    pub definitions: Vec<Definition>,
    /// All clauses, in file order.
    pub clauses: Vec<Clause>,
}

impl Clause {
    /// Whether the clause can apply to some procurement of this asset category.
    pub fn can_apply_to(&self, asset: &str) -> bool {
        self.applies_when
            .as_ref()
            .is_none_or(|c| c.can_hold_for_asset(asset))
    }
}

impl Catalogue {
    /// A clause by id.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }
    /// A practice by id.
    pub fn practice(&self, id: &str) -> Option<&Practice> {
        self.practices.iter().find(|p| p.id == id)
    }
    /// An asset category by id.
    pub fn asset(&self, id: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }
    /// A reference framework by key.
    pub fn framework(&self, key: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.key == key)
    }
    /// A threat by full id.
    pub fn threat(&self, id: &str) -> Option<&Threat> {
        self.threat_groups
            .iter()
            .flat_map(|g| &g.threats)
            .find(|t| t.id == id)
    }
    /// The declaration of a parameter (the first clause that declares it; lint
    /// guarantees all declarations of a name agree).
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.clauses
            .iter()
            .flat_map(|c| &c.parameters)
            .chain(&self.meta.award_share)
            .find(|p| p.name == name)
    }
    /// Every parameter name, sorted.
    pub fn parameter_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .clauses
            .iter()
            .flat_map(|c| c.parameters.iter().map(|p| p.name.as_str()))
            .chain(self.meta.award_share.iter().map(|p| p.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn can_hold_for_asset_leaves_other_facts_open() {
        let only_ics = Condition::All(vec![
            Condition::Asset(s(&["industrial-control-system"])),
            Condition::Connectivity(s(&["remote-access"])),
        ]);
        assert!(only_ics.can_hold_for_asset("industrial-control-system"));
        assert!(!only_ics.can_hold_for_asset("cloud-service"));
        let not_cloud = Condition::Not(Box::new(Condition::Asset(s(&["cloud-service"]))));
        assert!(!not_cloud.can_hold_for_asset("cloud-service"));
        assert!(not_cloud.can_hold_for_asset("networked-medical-device"));
        let device_or_md = Condition::Any(vec![
            Condition::MedicalDevice(true),
            Condition::Asset(s(&["networked-medical-device"])),
        ]);
        assert!(
            device_or_md.can_hold_for_asset("cloud-service"),
            "cloud software can be a medical device"
        );
    }

    #[test]
    fn conditions_read_as_sentences() {
        let c = Condition::All(vec![
            Condition::Any(vec![
                Condition::Connectivity(s(&["wireless", "short-range-wireless"])),
                Condition::MedicalDevice(true),
            ]),
            Condition::Not(Box::new(Condition::Asset(s(&["cloud-service"])))),
        ]);
        assert_eq!(
            c.describe(),
            "(it connects by wireless or short-range-wireless or it is a medical device) and the asset category is not cloud-service"
        );
        let n = Condition::Not(Box::new(Condition::Data(s(&[
            "patient-health",
            "personal",
        ]))));
        assert_eq!(
            n.describe(),
            "it handles none of patient-health, personal data"
        );
    }
}
