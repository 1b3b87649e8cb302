//! The JSON Schema (draft 2020-12) of questionnaire schema version 1, with the
//! catalogue's own ids and descriptions as enumerations, so that an editor
//! (VS Code with the YAML extension, IntelliJ...) validates and completes
//! questionnaires as they are typed.
//!
//! Written out rather than derived (schemars): the questionnaire is read by hand
//! from a YAML tree (see `yaml`), and its enumerations come from the catalogue in
//! use, not from Rust types. `secannex validate` stays the authority: it also
//! checks what a schema cannot say (a clause both included and excluded, bounds
//! that depend on the parameter, sub-types of the chosen category).

use serde_json::{Map, Value, json};

use crate::catalogue::Catalogue;
use crate::catalogue::model::ParamKind;
use crate::facts;
use crate::questionnaire::{MAX_LOTS, MAX_REFERENCE_CHARS, SCHEMA_VERSION};
use crate::yaml::MAX_TEXT_CHARS;

/// Where editors find the schema when a questionnaire's first line says
/// `# yaml-language-server: $schema=secannex-questionnaire.schema.json`.
pub const FILE_NAME: &str = "secannex-questionnaire.schema.json";

/// The schema for questionnaires read with `catalogue` and templates in `languages`.
pub fn questionnaire(catalogue: &Catalogue, languages: &[String]) -> Value {
    let vocabulary = |items: &[(&str, &str)], extra: &[(&str, &str)]| -> Value {
        let one_of: Vec<Value> = items
            .iter()
            .chain(extra)
            .map(|(id, about)| json!({ "const": id, "description": about }))
            .collect();
        json!({ "oneOf": one_of })
    };
    let list = |item: Value, about: &str| json!({ "type": "array", "items": item, "uniqueItems": true, "description": about });
    let none = [("none", "nothing of the kind (same as an empty list)")];
    let categories: Vec<Value> = catalogue
        .assets
        .iter()
        .map(|a| json!({ "const": a.id, "title": a.title, "description": a.description }))
        .collect();
    let subtypes: Vec<Value> = catalogue
        .assets
        .iter()
        .flat_map(|a| {
            a.subtypes.iter().map(move |(id, about)| {
                json!({ "const": id, "description": format!("{} ({})", about, a.title) })
            })
        })
        .collect();
    let clause_ids: Vec<&str> = catalogue.clauses.iter().map(|c| c.id.as_str()).collect();
    let mut parameters = Map::new();
    for name in catalogue.parameter_names() {
        let Some(p) = catalogue.parameter(name) else {
            continue;
        };
        let schema = match &p.kind {
            ParamKind::Integer {
                default,
                min,
                max,
                unit,
            } => json!({
                "type": "integer", "minimum": min, "maximum": max, "default": default,
                "description": format!("{} ({unit}; {min} to {max}, default {default})", p.label),
            }),
            ParamKind::Text { default } => json!({
                "type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS, "default": default,
                "description": p.label,
            }),
        };
        parameters.insert(name.to_string(), schema);
    }
    let text = |about: &str| json!({ "type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS, "description": about });
    let notes = json!({ "^x-": { "description": "a free note, ignored" } });
    let strict = |properties: Value, required: &[&str], about: &str| {
        json!({
            "type": "object",
            "description": about,
            "properties": properties,
            "required": required,
            "patternProperties": notes,
            "additionalProperties": false,
        })
    };
    let asset = |required: &[&str]| {
        strict(
            json!({
                "category": { "oneOf": categories, "description": "what is bought: an asset category of the catalogue" },
                "subtypes": list(json!({ "oneOf": subtypes }), "which sub-types of the category (default: all of them)"),
                "description": text("what is bought, in a sentence or two"),
                "medical_device": { "type": "boolean", "description": "placed on the market under the MDR or IVDR" },
            }),
            required,
            "what is bought",
        )
    };
    let criticality = strict(
        json!({
            "patient_safety": vocabulary(facts::PATIENT_SAFETY, &[]),
            "availability": vocabulary(facts::AVAILABILITY, &[]),
        }),
        &["patient_safety", "availability"],
        "what a failure or a compromise would cost",
    );
    let lifecycle = strict(
        json!({
            "expected_years": { "type": "integer", "minimum": 1, "maximum": 50, "description": "expected service life in years" },
            "integrates_with_legacy": { "type": "boolean", "description": "must work with systems no longer supported by their makers" },
        }),
        &[],
        "service life",
    );
    let options = strict(
        json!({
            "parameters": {
                "type": "object",
                "description": "parameter values for this procurement, within their bounds",
                "properties": parameters,
                "patternProperties": notes,
                "additionalProperties": false,
            },
            "exclude": list(
                strict(
                    json!({
                        "clause": { "enum": clause_ids, "description": "the clause left out" },
                        "reason": text("why it does not apply"),
                    }),
                    &["clause", "reason"],
                    "a clause left out, with the reason",
                ),
                "clauses left out although their condition holds",
            ),
            "include": list(json!({ "enum": clause_ids }), "clauses added although their condition does not hold"),
        }),
        &[],
        "tailoring of the selection",
    );
    let connectivity = list(
        vocabulary(facts::CONNECTIVITY, &none),
        "how it connects; [] when stand-alone",
    );
    let data = list(
        vocabulary(facts::DATA, &none),
        "what data it handles; [] when none",
    );
    let services = list(
        vocabulary(facts::SERVICES, &[]),
        "services that come with it; may be []",
    );
    let lot = strict(
        json!({
            "id": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,39}$", "description": "lower-case letters, digits and dashes, e.g. lot-1" },
            "title": text("the lot's title"),
            "asset": asset(&[]),
            "connectivity": connectivity,
            "data": data,
            "services": services,
            "criticality": criticality,
            "lifecycle": lifecycle,
            "options": options,
        }),
        &["id", "title"],
        "a lot: inherits every answer and overrides some",
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": FILE_NAME,
        "title": format!("secannex questionnaire, schema version {SCHEMA_VERSION} ({} {})", catalogue.meta.id, catalogue.meta.version),
        "type": "object",
        "properties": {
            "schema_version": { "const": SCHEMA_VERSION },
            "procurement": strict(
                json!({
                    "title": text("the procurement's title"),
                    "reference": { "type": "string", "minLength": 1, "maxLength": MAX_REFERENCE_CHARS, "description": "the buyer's tender reference; output file names derive from it" },
                    "buyer": text("the contracting authority"),
                    "procedure": vocabulary(facts::PROCEDURES, &[]),
                    "language": { "enum": languages, "description": "annex language (ISO 639-1)" },
                    "date": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "annex date, YYYY-MM-DD" },
                }),
                &["title", "reference", "buyer"],
                "the procurement as a whole",
            ),
            "asset": asset(&["category", "medical_device"]),
            "connectivity": connectivity,
            "data": data,
            "services": services,
            "criticality": criticality,
            "lifecycle": lifecycle,
            "options": options,
            "lots": { "type": "array", "items": lot, "minItems": 1, "maxItems": MAX_LOTS, "description": "one annex per lot" },
        },
        "required": ["schema_version", "procurement", "asset", "connectivity", "data", "services", "criticality"],
        "patternProperties": notes,
        "additionalProperties": false,
    })
}
