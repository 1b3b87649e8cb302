//! Properties over generated inputs (proptest): any valid questionnaire generates;
//! selection is deterministic and does not depend on the order of the answers;
//! free text comes out in the DOCX and PDF as typed, or is refused with a message
//! that points at it. Case counts are small because each case typesets a PDF.

use proptest::prelude::*;
use secannex::facts;
use secannex::generate::{Format, Request};

use crate::support::*;

/// One questionnaire's answers, drawn from the vocabularies the tool accepts.
#[derive(Debug, Clone)]
struct Answers {
    category: String,
    medical_device: bool,
    connectivity: Vec<&'static str>,
    data: Vec<&'static str>,
    services: Vec<&'static str>,
    safety: &'static str,
    availability: &'static str,
    years: u32,
    legacy: bool,
}

fn subset(items: Vec<&'static str>) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(items.clone(), 0..=items.len())
}

fn answers() -> impl Strategy<Value = Answers> {
    let categories: Vec<String> = resources()
        .catalogue
        .assets
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let data: Vec<&'static str> = facts::ids(facts::DATA)
        .into_iter()
        .filter(|d| *d != "none")
        .collect();
    (
        proptest::sample::select(categories),
        any::<bool>(),
        subset(facts::ids(facts::CONNECTIVITY)),
        subset(data),
        subset(facts::ids(facts::SERVICES)),
        proptest::sample::select(facts::ids(facts::PATIENT_SAFETY)),
        proptest::sample::select(facts::ids(facts::AVAILABILITY)),
        1u32..=30,
        any::<bool>(),
    )
        .prop_map(
            |(
                category,
                medical_device,
                connectivity,
                data,
                services,
                safety,
                availability,
                years,
                legacy,
            )| {
                Answers {
                    category,
                    medical_device,
                    connectivity,
                    data,
                    services,
                    safety,
                    availability,
                    years,
                    legacy,
                }
            },
        )
}

/// The questionnaire as YAML, lists in the given order, the description as a
/// double-quoted YAML string.
fn yaml(a: &Answers, description: &str) -> String {
    let quoted: String = description
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c => c.to_string(),
        })
        .collect();
    yaml_quoted(a, &quoted)
}

/// The same, with the description's text already written for a double-quoted
/// YAML string (escapes such as `\u0007` allowed).
fn yaml_quoted(a: &Answers, quoted: &str) -> String {
    let data = if a.data.is_empty() {
        "[none]".to_string()
    } else {
        format!("[{}]", a.data.join(", "))
    };
    format!(
        "schema_version: 1\nprocurement:\n  title: Property test\n  reference: PROP-1\n  buyer: Test Hospital\n  date: 2027-01-15\nasset:\n  category: {}\n  description: \"{quoted}\"\n  medical_device: {}\nconnectivity: [{}]\ndata: {data}\nservices: [{}]\ncriticality: {{ patient_safety: {}, availability: {} }}\nlifecycle: {{ expected_years: {}, integrates_with_legacy: {} }}\n",
        a.category,
        a.medical_device,
        a.connectivity.join(", "),
        a.services.join(", "),
        a.safety,
        a.availability,
        a.years,
        a.legacy
    )
}

fn generate(text: &str, formats: &[Format]) -> secannex::generate::Output {
    let req = Request {
        name: "prop.yaml",
        bytes: text.as_bytes(),
        date: test_date(),
        formats,
        threads: 1,
    };
    secannex::generate::generate(resources(), &req)
        .unwrap_or_else(|d| panic!("refused:\n{text}\n{}", secannex::diag::render_all(&d)))
}

fn selected_ids(a: &Answers) -> Vec<String> {
    let text = yaml(a, "Devices.");
    let (q, diags) =
        secannex::generate::load_questionnaire(resources(), "prop.yaml", text.as_bytes());
    let q = q.unwrap_or_else(|| panic!("{}", secannex::diag::render_all(&diags)));
    secannex::generate::select_all(&resources().catalogue, &q)
        .iter()
        .flat_map(|s| s.selected.iter().map(|c| c.id.clone()))
        .collect()
}

/// Text with every kind of character a buyer may type: Markdown, typst and XML
/// syntax, Latin with diacritics, Greek, Cyrillic, Hebrew and Arabic.
fn free_text() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "abcXYZ0189 *_#<>&\\$@`[](){}%|~^!'\"-+=/:;.,?éüßøΩλжЯשלוםمرحبا"
        .chars()
        .collect();
    proptest::collection::vec(proptest::sample::select(alphabet), 1..40)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

/// Text without whitespace: line breaks and justification move spaces, not
/// characters. A line that holds only `-` is a hyphenation mark that lopdf reads
/// on its own line.
fn compact(text: &str) -> String {
    text.lines()
        .filter(|l| l.trim() != "-")
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The characters of `s`, sorted, with mirrored brackets as one: in a
/// right-to-left run `<` is drawn with the glyph of `>`, which is what text
/// extraction then reads.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sorted(s: &str) -> Vec<char> {
    let mut v: Vec<char> = s
        .chars()
        .map(|c| match c {
            ')' => '(',
            ']' => '[',
            '}' => '{',
            '>' => '<',
            c => c,
        })
        .collect();
    v.sort_unstable();
    v
}

/// The text between the first `start` and the next `end` (empty if absent).
fn between(text: &str, start: &str, end: &str) -> String {
    let Some(i) = text.find(start) else {
        return String::new();
    };
    let rest = &text[i + start.len()..];
    rest[..rest.find(end).unwrap_or(rest.len())].to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn selection_is_deterministic_and_ignores_answer_order(a in answers()) {
        let first = selected_ids(&a);
        prop_assert_eq!(&first, &selected_ids(&a));
        let mut reversed = a.clone();
        reversed.connectivity.reverse();
        reversed.data.reverse();
        reversed.services.reverse();
        prop_assert_eq!(&first, &selected_ids(&reversed));
    }

    #[test]
    fn control_characters_are_refused_with_their_position(
        before in "[a-z ]{0,10}",
        c in proptest::sample::select(vec!['\u{1}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}']),
    ) {
        // Written as a YAML escape: the YAML parser refuses most raw control
        // characters itself; escaped, they reach the questionnaire's own check.
        let escaped = format!("{before}\\u{:04X}end", c as u32);
        let text = yaml_quoted(&answers_fixture(), &escaped);
        let (q, diags) = secannex::generate::load_questionnaire(resources(), "prop.yaml", text.as_bytes());
        prop_assert!(q.is_none());
        let shown = secannex::diag::render_all(&diags);
        let expected = format!(
            "error: the asset `description` contains the control character U+{:04X}\n --> prop.yaml:9:16\n",
            c as u32
        );
        prop_assert!(shown.starts_with(&expected), "{}", shown);
    }
}

proptest! {
    // Each case typesets a PDF (about half a second).
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_questionnaire_generates_every_format(a in answers()) {
        let out = generate(&yaml(&a, "Devices."), &Format::ALL);
        prop_assert!(out.files.iter().any(|f| f.name == "PROP-1-annex.pdf"));
        prop_assert!(out.files.iter().any(|f| f.name == "PROP-1-annex.docx"));
    }

    #[test]
    fn free_text_comes_out_as_typed(text in free_text()) {
        check_free_text(&text)?;
    }
}

#[test]
fn free_text_found_by_earlier_runs_comes_out_as_typed() {
    // Inputs that once failed, kept so that they are checked on every run.
    for text in ["ש.;ו", "ש*0", "م*ש", ">ו<8", "a  >", "ح-8"] {
        check_free_text(text).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The DOCX and the PDF of an annex whose asset description is `text` show it.
fn check_free_text(text: &str) -> Result<(), TestCaseError> {
    let out = generate(
        &yaml(&answers_fixture(), text),
        &[Format::Docx, Format::Pdf],
    );
    let docx = out
        .files
        .iter()
        .find(|f| f.name.ends_with("-annex.docx"))
        .expect("docx");
    // The DOCX holds the text as typed; a run of spaces counts as one (the
    // Markdown stage folds them, as a typesetter would).
    let docx_text = squash(&docx_text(&docx.bytes));
    prop_assert!(
        docx_text.contains(&squash(text.trim())),
        "DOCX lost {:?}",
        text
    );
    let pdf = out
        .files
        .iter()
        .find(|f| f.name.ends_with("-annex.pdf"))
        .expect("pdf");
    let pdf_text = compact(&pdf_text(&pdf_doc(&pdf.bytes)));
    let typed = compact(text);
    if typed.chars().any(|c| matches!(c, '\u{0590}'..='\u{08FF}')) {
        // typst draws right-to-left runs in pieces (a font per script), in an
        // order of its own: the PDF text holds the same letters and digits
        // between the label and the next item, in some order. (Punctuation drawn
        // with the Arabic font inside such a run, e.g. the `-` of "ح-8", is in the
        // PDF and poppler's pdftotext reads it, but lopdf's text extraction drops
        // it: only letters and digits are compared here.)
        let shown = between(&pdf_text, "devices:", "•Medicaldevice");
        let letters = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let (shown, typed) = (letters(&shown), letters(&typed));
        prop_assert_eq!(
            sorted(&shown),
            sorted(&typed),
            "PDF lost {:?}: {:?}",
            text,
            shown
        );
    } else {
        prop_assert!(
            pdf_text.contains(&typed),
            "PDF lost {:?}: {:?}",
            text,
            around(&pdf_text, "devices:")
        );
    }
    Ok(())
}

/// Up to 60 characters of `text` after `marker`, for failure messages.
fn around(text: &str, marker: &str) -> String {
    let start = text.find(marker).map_or(0, |i| i + marker.len());
    text[start..].chars().take(60).collect()
}

fn answers_fixture() -> Answers {
    Answers {
        category: "networked-medical-device".into(),
        medical_device: true,
        connectivity: vec!["wired-network"],
        data: vec!["patient-health"],
        services: vec!["maintenance"],
        safety: "high",
        availability: "critical",
        years: 10,
        legacy: false,
    }
}
