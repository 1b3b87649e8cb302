//! Golden files for every sample: the selection JSON, the Markdown, the normalised
//! DOCX XML, and the PDF's structure and text as read back by lopdf. Plus checks
//! that hold whatever the wording: every selected clause id is in the DOCX and PDF
//! text, fonts are embedded, the PDF is PDF/A-2b with an outline.

use crate::support::*;

/// Per lot: the ids of the supplier clauses (in the annex) and of the buyer
/// actions (never in the annex: bidders do not see the buyer's own tasks).
fn clause_ids_by_audience(selection_json: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let v: serde_json::Value = serde_json::from_str(selection_json).expect("selection JSON parses");
    assert_eq!(v["format"], "secannex-selection");
    assert_eq!(v["format_version"], 1);
    v["lots"]
        .as_array()
        .expect("lots")
        .iter()
        .map(|lot| {
            let ids = |buyer: bool| -> Vec<String> {
                lot["selected"]
                    .as_array()
                    .expect("selected")
                    .iter()
                    .filter(|c| (c["role"] == "buyer-action") == buyer)
                    .map(|c| c["id"].as_str().expect("id").to_string())
                    .collect()
            };
            (ids(false), ids(true))
        })
        .collect()
}

fn check_sample(rel: &str) {
    let out = generate_file(rel);
    let stem = stem(rel);
    let json = out
        .files
        .iter()
        .find(|f| f.name.ends_with("-selection.json"))
        .map(|f| String::from_utf8(f.bytes.clone()).expect("UTF-8"))
        .expect("selection JSON written");
    let ids_per_lot = clause_ids_by_audience(&json);
    // Annex files come lot by lot, in the order of the lots in the JSON.
    let annex_stems: Vec<&str> = out
        .files
        .iter()
        .filter_map(|f| f.name.strip_suffix("-annex.pdf"))
        .collect();
    assert_eq!(annex_stems.len(), ids_per_lot.len(), "one annex per lot");

    for f in &out.files {
        let name = &f.name;
        // The lot whose clauses this file must contain, for annex files.
        let lot_index = name
            .rsplit_once("-annex.")
            .and_then(|(stem, _)| annex_stems.iter().position(|s| *s == stem));
        if name.ends_with(".json") || name.ends_with(".md") || name.ends_with(".csv") {
            let text = std::str::from_utf8(&f.bytes).expect("UTF-8");
            check_golden(&format!("{stem}/{name}"), text);
            if let Some(i) = lot_index {
                no_buyer_action(name, text, &ids_per_lot[i].1);
            }
        } else if name.ends_with(".docx") {
            check_golden(&format!("{stem}/{name}.xml"), &docx_golden(&f.bytes));
            let text = docx_text(&f.bytes);
            if let Some(i) = lot_index {
                for id in &ids_per_lot[i].0 {
                    assert!(
                        text.contains(id.as_str()),
                        "{name}: clause {id} missing from the DOCX text"
                    );
                }
                no_buyer_action(name, &text, &ids_per_lot[i].1);
            }
            let golden = docx_golden(&f.bytes);
            assert!(
                golden.contains("<w:tblHeader/>"),
                "{name}: table header rows are not marked to repeat"
            );
            assert!(
                golden.contains("<w:updateFields w:val=\"true\"/>"),
                "{name}: TOC not refreshed on open"
            );
            // An annex has no tracked changes, so change tracking stays off.
            assert!(
                !golden.contains("trackRevisions"),
                "{name}: an annex opens with change tracking on"
            );
            assert!(
                golden.contains("TOC \\o &quot;1-2&quot;") || golden.contains("TOC \\o \"1-2\""),
                "{name}: no TOC field"
            );
            assert!(golden.contains("<dc:title>"), "{name}: no document title");
        } else if name.ends_with(".xlsx") {
            let golden = xlsx_golden(&f.bytes);
            check_golden(&format!("{stem}/{name}.xml"), &golden);
            // Every supplier clause of every lot is a row; no buyer action is.
            for (supplier, buyer) in &ids_per_lot {
                for id in supplier {
                    assert!(golden.contains(&format!(">{id}<")), "{name}: {id} missing");
                }
                no_buyer_action(name, &golden, buyer);
            }
            assert!(golden.contains("<sheetProtection"), "{name}: not protected");
            assert!(golden.contains("<dataValidation"), "{name}: no drop-down");
        } else if name.ends_with(".pdf") {
            let doc = pdf_doc(&f.bytes);
            let structure = pdf_structure(&doc);
            check_golden(&format!("{stem}/{name}.structure.txt"), &structure);
            assert!(
                structure.contains("pdfa part: 2, conformance: B"),
                "{name}: not PDF/A-2b:\n{structure}"
            );
            assert!(
                !structure.contains("NOT EMBEDDED"),
                "{name}: a font is not embedded:\n{structure}"
            );
            assert!(structure.contains("tagged: yes"), "{name}: not tagged");
            assert!(
                !structure.contains("outline: 0 entries"),
                "{name}: no bookmarks"
            );
            let text = pdf_text(&doc);
            check_golden(&format!("{stem}/{name}.txt"), &text);
            if let Some(i) = lot_index {
                // Ids are never hyphenated nor broken at their own hyphens: a
                // reader searching the PDF finds every copy whole.
                let flat: String = text.replace('\n', " ");
                for id in &ids_per_lot[i].0 {
                    assert!(
                        flat.contains(id.as_str()),
                        "{name}: clause {id} missing from the PDF text"
                    );
                }
                no_buyer_action(name, &flat, &ids_per_lot[i].1);
            }
            if let Some(i) = lot_index {
                no_broken_ids(name, &text, &ids_per_lot[i].0);
            }
        } else {
            panic!("unexpected output file {name}");
        }
    }
}

/// No copy of an id is broken across two lines (at one of its hyphens, or by
/// hyphenation, which lopdf reads as a line holding only `-`): joining the lines
/// without a space finds no more copies than joining them with one.
fn no_broken_ids(name: &str, text: &str, ids: &[String]) {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let spaced = lines.join(" ");
    let joined: String = lines.iter().filter(|l| **l != "-").copied().collect();
    for id in ids {
        let whole = spaced.matches(id.as_str()).count();
        let all = joined.matches(id.as_str()).count();
        assert_eq!(
            whole,
            all,
            "{name}: {} copies of {id} are broken across lines",
            all - whole
        );
    }
}

fn no_buyer_action(name: &str, text: &str, buyer_actions: &[String]) {
    for id in buyer_actions {
        assert!(
            !text.contains(id.as_str()),
            "{name}: the buyer action {id} appears in the annex"
        );
    }
}

macro_rules! golden {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_sample($file);
            }
        )*

        #[test]
        fn every_sample_has_a_golden_test() {
            let covered = [$($file),*];
            for s in samples() {
                assert!(covered.contains(&s.as_str()), "{s} has no golden test: add it to tests/testsuite/golden.rs");
            }
        }
    };
}

golden! {
    building_management => "samples/building-management.yaml",
    campus_network_refresh => "samples/campus-network-refresh.yaml",
    clinical_smartphones => "samples/clinical-smartphones.yaml",
    cloud_pacs => "samples/cloud-pacs.yaml",
    heart_failure_telemonitoring => "samples/heart-failure-telemonitoring.yaml",
    his_replacement => "samples/his-replacement.yaml",
    infusion_pumps => "samples/infusion-pumps.yaml",
    maintenance_service => "samples/maintenance-service.yaml",
    regional_framework => "samples/regional-framework.yaml",
    staff_badges_access_control => "samples/staff-badges-access-control.yaml",
    standalone_device => "samples/standalone-device.yaml",
}

#[test]
fn same_inputs_and_date_give_the_same_bytes() {
    let a = generate_file("samples/regional-framework.yaml");
    let b = generate_file("samples/regional-framework.yaml");
    assert_eq!(a.files.len(), b.files.len());
    for (x, y) in a.files.iter().zip(&b.files) {
        assert_eq!(x.name, y.name);
        assert!(x.bytes == y.bytes, "{} differs between two runs", x.name);
    }
}

#[test]
fn samples_cover_every_asset_category_a_framework_and_a_standalone_device() {
    let res = resources();
    let mut categories = std::collections::BTreeSet::new();
    let mut framework_lots = 0;
    let mut standalone = false;
    for s in samples() {
        let bytes = std::fs::read(root().join(&s)).expect("read");
        let (q, diags) = secannex::generate::load_questionnaire(res, &s, &bytes);
        let q = q.unwrap_or_else(|| panic!("{s} invalid:\n{}", secannex::diag::render_all(&diags)));
        for p in &q.profiles {
            categories.insert(p.category.clone());
            if p.connectivity.is_empty() && p.data.is_empty() {
                standalone = true;
            }
        }
        if q.procurement.procedure == "framework-agreement" {
            framework_lots = framework_lots.max(q.profiles.len());
        }
    }
    for a in &res.catalogue.assets {
        assert!(categories.contains(&a.id), "no sample covers {}", a.id);
    }
    assert!(
        framework_lots >= 2,
        "no framework agreement with several lots"
    );
    assert!(
        standalone,
        "no stand-alone sample without connectivity and data"
    );
}

#[test]
fn free_text_comes_out_as_typed() {
    // The HIS sample's description is full of Markdown, XML and typst syntax.
    let typed = "ICU & step-down units | 24/7 *critical* care #2, order entry, e-prescribing";
    let out = generate_file("samples/his-replacement.yaml");
    let docx = out
        .files
        .iter()
        .find(|f| f.name.ends_with("-annex.docx"))
        .expect("docx");
    let text = docx_text(&docx.bytes);
    assert!(text.contains(typed), "DOCX text lost the description");
    assert!(
        text.contains("`C:\\EHR\\export`"),
        "DOCX text lost the backticks or backslashes"
    );
    let pdf = out
        .files
        .iter()
        .find(|f| f.name.ends_with("-annex.pdf"))
        .expect("pdf");
    let flat = pdf_text(&pdf_doc(&pdf.bytes)).replace('\n', " ");
    assert!(
        flat.contains("ICU & step-down units | 24/7 *critical* care #2"),
        "PDF text lost the description"
    );
}

#[test]
fn published_award_weights_add_up_to_the_security_share() {
    // The annex text, the compliance matrix and the JSON must all show the scaled
    // weights: 20 points by default for every sample.
    for rel in samples() {
        let out = generate_file(&rel);
        let json: serde_json::Value = serde_json::from_slice(
            &out.files
                .iter()
                .find(|f| f.name.ends_with("-selection.json"))
                .expect("json")
                .bytes,
        )
        .expect("json parses");
        for lot in json["lots"].as_array().expect("lots") {
            let weights: Vec<u64> = lot["selected"]
                .as_array()
                .expect("selected")
                .iter()
                .filter(|c| c["role"] == "award-criterion")
                .map(|c| c["weight"].as_u64().expect("weight"))
                .collect();
            if !weights.is_empty() {
                assert_eq!(
                    weights.iter().sum::<u64>(),
                    20,
                    "{rel}: award weights {weights:?}"
                );
                assert!(
                    weights.iter().all(|w| *w > 0),
                    "{rel}: a criterion scores nothing"
                );
            }
        }
        for f in out.files.iter().filter(|f| f.name.ends_with("-annex.md")) {
            let md = String::from_utf8_lossy(&f.bytes);
            if md.contains("| | **Total** |") {
                assert!(
                    md.contains("| | **Total** | **20** |"),
                    "{}: the award table does not total 20",
                    f.name
                );
            }
        }
    }
}
