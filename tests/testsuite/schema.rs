//! The questionnaire's JSON Schema: every sample is valid under it, each sample
//! names it on its first line, and it refuses what `validate` refuses for the
//! structural reasons a schema can express.

use crate::support::*;

fn schema() -> serde_json::Value {
    let res = resources();
    secannex::schema::questionnaire(&res.catalogue, &res.templates.languages)
}

fn as_json(yaml: &str) -> serde_json::Value {
    serde_saphyr::from_str(yaml).expect("YAML parses")
}

#[test]
fn every_sample_is_valid_under_the_schema_and_names_it() {
    let validator =
        jsonschema::validator_for(&schema()).expect("the schema is a valid JSON Schema");
    for rel in samples() {
        let text = std::fs::read_to_string(root().join(&rel)).expect("sample");
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
        assert!(
            text.starts_with(
                "# yaml-language-server: $schema=../secannex-questionnaire.schema.json\n"
            ),
            "{rel} does not name the schema on its first line"
        );
    }
}

#[test]
fn the_schema_refuses_misspelt_keys_unknown_ids_and_out_of_range_values() {
    let validator = jsonschema::validator_for(&schema()).expect("valid schema");
    let sample =
        std::fs::read_to_string(root().join("samples/infusion-pumps.yaml")).expect("sample");
    for (from, to) in [
        ("  title:", "  titel:"),
        (
            "category: networked-medical-device",
            "category: networked-device",
        ),
        ("patient_safety: high", "patient_safety: extreme"),
        ("schema_version: 1", "schema_version: 2"),
    ] {
        assert!(sample.contains(from), "{from}");
        let bad = sample.replacen(from, to, 1);
        assert!(
            !validator.is_valid(&as_json(&bad)),
            "the schema accepts `{to}`"
        );
    }
    let standalone =
        std::fs::read_to_string(root().join("samples/standalone-device.yaml")).expect("sample");
    assert!(!standalone.contains("\noptions:"));
    let bad = format!("{standalone}options:\n  parameters: {{ security_share: 99 }}\n");
    assert!(
        !validator.is_valid(&as_json(&bad)),
        "security_share 99 accepted"
    );
}

#[test]
fn the_committed_schema_file_is_current() {
    // samples/ point at this file: regenerate it with `secannex schema`.
    let text = serde_json::to_string_pretty(&schema()).expect("JSON") + "\n";
    check_expected("secannex-questionnaire.schema.json", &text);
}
