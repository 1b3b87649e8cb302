//! Exact error messages for invalid questionnaires and catalogues. Each case file
//! under tests/cases/ has its expected rendered diagnostics beside it (`.stderr`);
//! UPDATE_GOLDEN=1 rewrites them after review.

use secannex::catalogue::{self, CatalogueFile};
use secannex::diag::render_all;
use secannex::yaml::SourceFile;

use crate::support::*;

fn case_files(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("cases dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    v.sort();
    v
}

#[test]
fn invalid_questionnaires_get_exact_messages() {
    let res = resources();
    let cases = case_files("tests/cases/questionnaire");
    assert!(cases.len() >= 10);
    for case in cases {
        let bytes = std::fs::read(root().join(&case)).expect("read case");
        let diags = match SourceFile::from_bytes(&case, &bytes) {
            Err(d) => vec![d],
            Ok(file) => {
                let (q, diags) =
                    secannex::questionnaire::load(&file, &res.catalogue, &res.templates.languages);
                assert!(q.is_none(), "{case} was accepted");
                diags
            }
        };
        assert!(
            diags.iter().any(|d| d.is_error()),
            "{case}: no error reported"
        );
        check_expected(
            &format!("{}.stderr", case.trim_end_matches(".yaml")),
            &render_all(&diags),
        );
    }
}

/// A small but complete catalogue (28 practices, one buyer action each) that the
/// catalogue cases add a clause file to.
fn base_catalogue(omit: &[&str]) -> Vec<CatalogueFile> {
    let file = |path: &str, text: String| CatalogueFile {
        path: path.into(),
        source: SourceFile::new(format!("fixture/{path}"), text),
        tree: None,
    };
    let mut practices = String::from("schema_version: 1\npractices:\n");
    let mut clauses = String::from("schema_version: 1\nclauses:\n");
    for n in 1..=28 {
        let phase = match n {
            1..=9 => "general",
            10..=15 => "plan",
            16..=19 => "source",
            _ => "manage",
        };
        practices.push_str(&format!(
            "  - {{ id: GP{n:02}, title: Practice {n}, phase: {phase}, summary: Summary., assets: all, threats: [test-group/test-threat] }}\n"
        ));
        if !omit.contains(&format!("GP{n:02}").as_str()) {
            clauses.push_str(&format!(
                "  - {{ id: GEN-BASE-{n:02}, title: Base {n}, practices: [GP{n:02}], phase: general, role: buyer-action, text: Do it., threats: [test-group/test-threat], rationale: base }}\n"
            ));
        }
    }
    vec![
        file("catalogue.yaml", "schema_version: 1\nid: fixture\ntitle: Fixture\nversion: 1.0.0\ndate: 2026-01-01\npublisher: tests\nsources: []\nframeworks:\n  nis2: { title: NIS2, cite: \"NIS2 Art. {}\" }\n  iso27001: { title: ISO/IEC 27001, cite: \"ISO/IEC 27001 {}\" }\n".into()),
        file("assets.yaml", {
            let typical = "typical: { medical_device: false, connectivity: [cloud], data: [], services: [], criticality: { patient_safety: low, availability: normal } }";
            format!("schema_version: 1\nassets:\n  - {{ id: cloud-service, title: Cloud, description: Cloud., {typical} }}\n  - {{ id: networked-medical-device, title: Devices, description: Devices., {typical} }}\n")
        }),
        file("threats.yaml", "schema_version: 1\ngroups:\n  - id: test-group\n    title: Test\n    description: Test.\n    threats:\n      - { id: test-threat, title: Test threat, description: Test. }\n".into()),
        file("practices.yaml", practices),
        file("definitions.yaml", "schema_version: 1\nterms:\n  - { term: Supplier, definition: The supplier., always: true }\n".into()),
        file("clauses/base.yaml", clauses),
    ]
}

#[test]
fn the_base_fixture_is_valid() {
    let (c, diags) = catalogue::lint(&base_catalogue(&[]));
    assert!(c.is_some(), "{}", render_all(&diags));
    assert!(diags.is_empty(), "{}", render_all(&diags));
}

#[test]
fn invalid_catalogues_get_exact_messages() {
    let cases = case_files("tests/cases/catalogue");
    assert!(cases.len() >= 3);
    for case in cases {
        let text = std::fs::read_to_string(root().join(&case)).expect("read case");
        let omit: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# omit: "))
            .flat_map(|l| l.split(',').map(str::trim))
            .collect();
        let mut files = base_catalogue(&omit);
        files.push(CatalogueFile {
            path: "clauses/case.yaml".into(),
            source: SourceFile::new(case.clone(), text.clone()),
            tree: None,
        });
        let (c, diags) = catalogue::lint(&files);
        assert!(c.is_none(), "{case} was accepted");
        check_expected(
            &format!("{}.stderr", case.trim_end_matches(".yaml")),
            &render_all(&diags),
        );
    }
}

#[test]
fn the_built_in_catalogue_is_clean() {
    let (c, diags) = catalogue::lint(&builtin_catalogue());
    assert!(c.is_some(), "{}", render_all(&diags));
    assert!(
        diags.is_empty(),
        "the built-in catalogue has warnings:\n{}",
        render_all(&diags)
    );
}

#[test]
fn the_coverage_matrix_is_pinned() {
    // The asset × practice matrix of the built-in catalogue: a change in coverage
    // shows up here for review.
    let matrix =
        catalogue::coverage::matrix(&catalogue::coverage::coverage(&resources().catalogue));
    check_golden("coverage.txt", &matrix);
}

#[test]
fn plausible_but_doubtful_answers_get_exact_warnings() {
    let res = resources();
    for case in case_files("tests/cases/warnings") {
        let bytes = std::fs::read(root().join(&case)).expect("read case");
        let file = SourceFile::from_bytes(&case, &bytes).expect("UTF-8");
        let (q, diags) =
            secannex::questionnaire::load(&file, &res.catalogue, &res.templates.languages);
        assert!(q.is_some(), "{case} was refused:\n{}", render_all(&diags));
        assert!(
            !diags.is_empty() && diags.iter().all(|d| !d.is_error()),
            "{case}: expected warnings only"
        );
        check_expected(
            &format!("{}.stderr", case.trim_end_matches(".yaml")),
            &render_all(&diags),
        );
    }
}
