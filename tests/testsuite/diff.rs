//! `secannex diff`: clause packs compared for legal review, through the binary.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{check_expected, docx_parts, files_in, root, scratch, secannex, stderr};

const DATE: &str = "2027-02-01";

/// A copy of the built-in catalogue as an "older version": version 0.0.9, one
/// clause id renamed, one title, one sentence and one parameter default changed.
fn old_catalogue(name: &str) -> PathBuf {
    let dir = scratch(name).join("catalogue");
    copy_dir(&root().join("catalogue"), &dir);
    let edit = |file: &str, old: &str, new: &str, count: usize| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.matches(old).count(), count, "{file}: {old}");
        std::fs::write(&path, text.replace(old, new)).expect("write");
    };
    edit("catalogue.yaml", "version: 0.1.0", "version: 0.0.9", 1);
    edit("clauses/general.yaml", "GEN-WLAN-01", "GEN-WLAN-09", 1);
    edit(
        "clauses/manage.yaml",
        "a security advisory stating",
        "an advisory stating",
        1,
    );
    edit(
        "clauses/manage.yaml",
        "title: Security Updates within deadlines set by severity",
        "title: Security Updates within deadlines",
        1,
    );
    edit(
        "clauses/manage.yaml",
        "md_high_fix_days: { type: integer, default: 90,",
        "md_high_fix_days: { type: integer, default: 120,",
        2,
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// (id, status, changed fields) of every clause that differs in a lot.
fn clause_changes(lot: &Value) -> Vec<(String, String, Vec<String>)> {
    lot["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_string(),
                c["status"].as_str().expect("status").to_string(),
                c["changed"]
                    .as_array()
                    .expect("changed")
                    .iter()
                    .map(|f| f.as_str().expect("field").to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn one_questionnaire_under_two_catalogue_versions() {
    let old = old_catalogue("diff-versions");
    let old = old.to_str().expect("UTF-8 path");
    let q = "samples/infusion-pumps.yaml";
    let v = json_of(&secannex(&[
        "diff",
        q,
        "--old-catalogue",
        old,
        "--json",
        "--date",
        DATE,
    ]));
    assert_eq!(v["format"], "secannex-diff");
    assert_eq!(v["old"]["catalogue_version"], "0.0.9");
    assert_eq!(v["new"]["catalogue_version"], "0.1.0");
    assert_eq!(v["new"]["catalogue_source"], "built-in");
    let lot = &v["lots"][0];
    let s = |id: &str, status: &str, changed: &[&str]| {
        (
            id.to_string(),
            status.to_string(),
            changed.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        )
    };
    // MAN-PATCH-06 quotes the high-severity period of MAN-PATCH-05, so it
    // changes with that parameter's default.
    assert_eq!(
        clause_changes(lot),
        vec![
            s("GEN-WLAN-01", "added", &[]),
            s("GEN-WLAN-09", "removed", &[]),
            s("MAN-PATCH-06", "changed", &["text", "parameters"]),
            s("MAN-PATCH-01", "changed", &["title"]),
            s("MAN-PATCH-05", "changed", &["text", "parameters"]),
        ]
    );
    // Every clause of the new pack is accounted for: differing or unchanged.
    let selected = json_of(&secannex(&["select", q, "--json"]));
    let selected = selected["lots"][0]["selected"]
        .as_array()
        .expect("selected");
    let unchanged = lot["unchanged"].as_array().expect("unchanged");
    assert_eq!(unchanged.len() + 4, selected.len());

    // The changed sentence and value, word by word, in the Markdown.
    let md = secannex(&["diff", q, "--old-catalogue", old, "--date", DATE]);
    let md = String::from_utf8(md.stdout).expect("UTF-8");
    assert!(
        md.contains("~~an~~<ins>a security</ins> advisory stating"),
        "{md}"
    );
    assert!(
        md.contains("~~120~~<ins>90</ins> days for a High-Severity Vulnerability"),
        "{md}"
    );
    assert!(
        md.contains(
            "## 7.4.11 MAN-PATCH-01 Security Updates within deadlines <ins>set by severity</ins>"
        ),
        "{md}"
    );
}

#[test]
fn two_whole_catalogues_without_a_questionnaire() {
    let old = old_catalogue("diff-whole");
    let old = old.to_str().expect("UTF-8 path");
    let v = json_of(&secannex(&["diff", "--old-catalogue", old, "--json"]));
    assert_eq!(v["old"]["questionnaire"], "");
    assert_eq!(v["lots"].as_array().expect("lots").len(), 1);
    let lot = &v["lots"][0];
    let changes: Vec<(String, String)> = clause_changes(lot)
        .into_iter()
        .map(|(id, status, changed)| (id, format!("{status} {}", changed.join(","))))
        .collect();
    let expect = |id: &str, what: &str| (id.to_string(), what.to_string());
    assert_eq!(
        changes,
        vec![
            expect("GEN-WLAN-01", "added "),
            expect("GEN-WLAN-09", "removed "),
            expect("MAN-PATCH-06", "changed text,parameters"),
            expect("MAN-PATCH-01", "changed title"),
            expect("MAN-PATCH-05", "changed text,parameters"),
        ]
    );
    // Every clause of the catalogue is on one side or the other.
    let list = secannex(&["catalogue", "list", "--json"]);
    let all: Value = serde_json::from_slice(&list.stdout).expect("catalogue list JSON");
    let count = all.as_array().map_or(0, Vec::len);
    assert_eq!(
        lot["unchanged"].as_array().expect("unchanged").len() + 4,
        count
    );
    // The whole-catalogue view shows when a clause applies, and the bounds.
    let md = secannex(&["diff", "--old-catalogue", old]);
    let md = String::from_utf8(md.stdout).expect("UTF-8");
    assert!(md.contains("*secannex-core 0.0.9 and 0.1.0*"), "{md}");
    assert!(
        md.contains(
            "(High-Severity Vulnerability): ~~120~~<ins>90</ins> days (buyer may set 45 to 180)"
        ),
        "{md}"
    );
    assert!(md.contains("<ins>Applies when "), "{md}");
}

/// Paragraph texts of the DOCX after accepting (or rejecting) every tracked
/// change, as Word would: inserted text kept (or dropped), deleted text dropped
/// (or kept), and a paragraph whose mark is deleted (or inserted) gone when it
/// is left empty.
fn redline(docx: &[u8], accept: bool) -> Vec<String> {
    use quick_xml::events::Event;
    let parts = docx_parts(docx);
    let xml = &parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .expect("document.xml")
        .1;
    let mut reader = quick_xml::Reader::from_str(std::str::from_utf8(xml).expect("UTF-8"));
    let (mut ins, mut del, mut in_ppr, mut in_text) = (0, 0, false, false);
    let (mut mark_ins, mut mark_del) = (false, false);
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => match e.name().as_ref() {
                "w:ins" => ins += 1,
                "w:del" => del += 1,
                "w:pPr" => in_ppr = true,
                "w:t" | "w:delText" => in_text = true,
                _ => {}
            },
            Event::Empty(e) if in_ppr => match e.name().as_ref() {
                "w:ins" => mark_ins = true,
                "w:del" => mark_del = true,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "w:ins" => ins -= 1,
                "w:del" => del -= 1,
                "w:pPr" => in_ppr = false,
                "w:t" | "w:delText" => in_text = false,
                "w:p" => {
                    let gone = if accept { mark_del } else { mark_ins };
                    let p = std::mem::take(&mut text);
                    if !(gone && p.is_empty()) {
                        out.push(p);
                    }
                    (mark_ins, mark_del) = (false, false);
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                let keep = if accept { del == 0 } else { ins == 0 };
                if keep {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text && (if accept { del == 0 } else { ins == 0 }) => {
                text.push(match r.into_inner().as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    _ => '\'',
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn the_docx_redline_accepts_to_the_new_wording_and_rejects_to_the_old() {
    let old = old_catalogue("diff-redline");
    let out = scratch("diff-redline-out");
    let args = [
        "diff",
        "samples/infusion-pumps.yaml",
        "--old-catalogue",
        old.to_str().expect("UTF-8 path"),
        "-o",
        out.to_str().expect("UTF-8 path"),
        "--format",
        "docx,json",
        "--date",
        DATE,
        "--quiet",
    ];
    let run = secannex(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(run.stdout.is_empty(), "--quiet prints nothing");
    let stem = "UHX-2027-014-0.0.9-to-0.1.0-changes";
    assert_eq!(
        files_in(&out),
        vec![format!("{stem}.docx"), format!("{stem}.json")]
    );
    let docx = std::fs::read(out.join(format!("{stem}.docx"))).expect("docx");
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.json"))).expect("json"))
            .expect("JSON");

    let accepted = redline(&docx, true);
    let rejected = redline(&docx, false);
    let (mut old_text, mut new_text) = (Vec::new(), Vec::new());
    for c in v["lots"][0]["clauses"].as_array().expect("clauses") {
        for (side, all) in [("old", &mut old_text), ("new", &mut new_text)] {
            if let Some(ps) = c[side]["paragraphs"].as_array() {
                all.extend(ps.iter().map(|p| p.as_str().expect("text").to_string()));
            }
        }
    }
    let mut checked = 0;
    for p in &new_text {
        assert!(accepted.contains(p), "accepting all lacks: {p}");
        if !old_text.contains(p) {
            assert!(!rejected.contains(p), "rejecting all keeps: {p}");
        }
        checked += 1;
    }
    for p in &old_text {
        assert!(rejected.contains(p), "rejecting all lacks: {p}");
        if !new_text.contains(p) {
            assert!(!accepted.contains(p), "accepting all keeps: {p}");
        }
        checked += 1;
    }
    assert!(checked > 10, "only {checked} paragraphs checked");

    // Word wants deleted text as w:delText, and a unique id on every change.
    let xml = String::from_utf8(
        docx_parts(&docx)
            .into_iter()
            .find(|(n, _)| n == "word/document.xml")
            .expect("document.xml")
            .1,
    )
    .expect("UTF-8");
    for deletion in xml.split("<w:del ").skip(1) {
        let body = deletion.split("</w:del>").next().unwrap_or("");
        assert!(!body.contains("<w:t"), "w:t inside w:del: {body}");
    }
    let ids: Vec<&str> = xml
        .split("<w:ins w:id=\"")
        .skip(1)
        .chain(xml.split("<w:del w:id=\"").skip(1))
        .map(|s| s.split('"').next().expect("id"))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "change ids repeat");
    assert!(xml.contains(&format!(
        "w:author=\"secannex {}\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(xml.contains(&format!("w:date=\"{DATE}T00:00:00Z\"")));

    // The reviewer's own edits are tracked too.
    let settings = docx_parts(&docx)
        .into_iter()
        .find(|(n, _)| n == "word/settings.xml")
        .expect("settings.xml")
        .1;
    assert!(
        String::from_utf8_lossy(&settings).contains("<w:trackRevisions />"),
        "change tracking is not on"
    );

    // Same inputs and date, same bytes.
    let again = scratch("diff-redline-again");
    let mut args2 = args;
    args2[5] = again.to_str().expect("UTF-8 path");
    assert!(secannex(&args2).status.success());
    assert_eq!(
        std::fs::read(again.join(format!("{stem}.docx"))).expect("docx"),
        docx
    );
}

#[test]
fn two_questionnaires_golden_markdown_and_html() {
    let out = scratch("diff-golden");
    let run = secannex(&[
        "diff",
        "samples/infusion-pumps.yaml",
        "tests/cases/diff/infusion-pumps-revised.yaml",
        "-o",
        out.to_str().expect("UTF-8 path"),
        "--format",
        "md,html",
        "--date",
        DATE,
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        format!(
            "0 added, 0 removed, 2 changed, 87 unchanged\nwrote {0}/UHX-2027-014-changes.md\nwrote {0}/UHX-2027-014-changes.html\n",
            out.display()
        )
    );
    for ext in ["md", "html"] {
        let text = std::fs::read_to_string(out.join(format!("UHX-2027-014-changes.{ext}")))
            .expect("report");
        check_expected(
            &format!("tests/golden/diff/infusion-pumps-revised.{ext}"),
            &text,
        );
    }
}

#[test]
fn lots_are_matched_by_id() {
    let v = json_of(&secannex(&[
        "diff",
        "samples/regional-framework.yaml",
        "tests/cases/diff/regional-framework-revised.yaml",
        "--json",
    ]));
    let lots = v["lots"].as_array().expect("lots");
    let summary: Vec<(String, String, usize, usize)> = lots
        .iter()
        .map(|l| {
            (
                l["lot"]["id"].as_str().expect("lot id").to_string(),
                l["status"].as_str().expect("status").to_string(),
                l["clauses"].as_array().expect("clauses").len(),
                l["unchanged"].as_array().expect("unchanged").len(),
            )
        })
        .collect();
    assert_eq!(summary[0].0, "lot-1");
    assert_eq!((summary[0].1.as_str(), summary[0].2), ("unchanged", 0));
    assert_eq!((summary[1].1.as_str(), summary[1].2), ("unchanged", 0));
    // Lot 3 lost remote access and remote support: only removals.
    assert_eq!(summary[2].1, "changed");
    let lot3 = clause_changes(&lots[2]);
    assert!(
        !lot3.is_empty() && lot3.iter().all(|(_, s, _)| s == "removed"),
        "{lot3:?}"
    );
    assert!(
        lot3.iter().any(|(id, _, _)| id.starts_with("MAN-REMOTE")),
        "{lot3:?}"
    );
    // Lot 4 is gone: every one of its clauses is removed, none unchanged.
    assert_eq!(
        (summary[3].0.as_str(), summary[3].1.as_str(), summary[3].3),
        ("lot-4", "removed", 0)
    );
    assert!(summary[3].2 > 50);
}

#[test]
fn identical_packs_say_so() {
    let run = secannex(&[
        "diff",
        "samples/cloud-pacs.yaml",
        "--old-catalogue",
        "built-in",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let md = String::from_utf8_lossy(&run.stdout);
    assert!(
        md.contains("No differences: the two clause packs have the same "),
        "{md}"
    );
    assert!(!md.contains("<ins>") && !md.contains("~~"), "{md}");
}

#[test]
fn nothing_to_compare_is_a_usage_error() {
    let run = secannex(&["diff", "samples/cloud-pacs.yaml"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr(&run),
        "error: nothing to compare: `samples/cloud-pacs.yaml` against itself under the same catalogue\n  help: give two questionnaires (`secannex diff OLD.yaml NEW.yaml`), or the old catalogue (`secannex diff [QUESTIONNAIRE.yaml] --old-catalogue DIR`)\n"
    );
    let run = secannex(&["diff"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).starts_with("error: nothing to compare: no questionnaire and one catalogue\n"),
        "{}",
        stderr(&run)
    );
    let run = secannex(&[
        "diff",
        "samples/cloud-pacs.yaml",
        "samples/cloud-pacs.yaml",
        "-o",
        "unused",
        "--format",
        "md,xlsx",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr(&run),
        "error: unknown format `xlsx` for '--format': expected a comma-separated list of md, html, docx, pdf, json\n"
    );
}

#[test]
fn every_problem_of_both_questionnaires_is_reported_and_nothing_written() {
    let dir = scratch("diff-invalid");
    let old = dir.join("old.yaml");
    let new = dir.join("new.yaml");
    let sample = std::fs::read_to_string(root().join("samples/cloud-pacs.yaml")).expect("sample");
    std::fs::write(
        &old,
        sample.replace("category: cloud-service", "category: cloud-servce"),
    )
    .expect("write");
    std::fs::write(
        &new,
        sample.replace("availability: critical", "availability: critcal"),
    )
    .expect("write");
    let out = dir.join("out");
    let run = secannex(&[
        "diff",
        old.to_str().expect("UTF-8"),
        new.to_str().expect("UTF-8"),
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(
        err.contains("old.yaml:") && err.contains("cloud-servce"),
        "{err}"
    );
    assert!(
        err.contains("new.yaml:") && err.contains("critcal"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}
