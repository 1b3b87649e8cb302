//! The command line, run as a user runs it: exit codes, files written, messages.

use crate::support::{files_in, root, scratch, secannex, stderr, stdout};

#[test]
fn generate_writes_every_file_named_from_the_reference() {
    let out = scratch("generate");
    let o = secannex(&[
        "generate",
        "samples/regional-framework.yaml",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files = files_in(&out);
    let mut expected = vec![
        "RHPC-FA-2027-07-selection.json".to_string(),
        "RHPC-FA-2027-07-lots.csv".to_string(),
        "RHPC-FA-2027-07-matrix.xlsx".to_string(),
        "index.csv".into(),
        "index.json".into(),
    ];
    for lot in ["lot-1", "lot-2", "lot-3", "lot-4"] {
        for f in [
            "annex.docx",
            "annex.md",
            "annex.pdf",
            "checklist.md",
            "checklist.pdf",
        ] {
            expected.push(format!("RHPC-FA-2027-07-{lot}-{f}"));
        }
    }
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn format_limits_what_is_written() {
    let out = scratch("format");
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "md,json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        files_in(&out),
        [
            "NRHG-2027-031-annex.md",
            "NRHG-2027-031-checklist.md",
            "NRHG-2027-031-selection.json",
            "index.csv",
            "index.json"
        ]
    );
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "docx,pfd",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: unknown format `pfd` for '--format': expected a comma-separated list of docx, pdf, xlsx, md, json; did you mean `pdf`?\n"
    );
}

#[test]
fn a_bad_questionnaire_does_not_stop_the_others_and_leaves_nothing() {
    let out = scratch("batch");
    let o = secannex(&[
        "generate",
        "tests/cases/questionnaire/unknown-ids.yaml",
        "samples/cloud-pacs.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("1 generated, 1 failed, 0 unchanged; 2 questionnaire(s) in "),
        "{err}"
    );
    assert!(
        err.contains(
            "  failed: tests/cases/questionnaire/unknown-ids.yaml:6:14: unknown procedure `open-procedure` (and 6 more errors, above)\n"
        ),
        "{err}"
    );
    assert_eq!(
        files_in(&out),
        [
            "NRHG-2027-031-annex.md",
            "NRHG-2027-031-checklist.md",
            "index.csv",
            "index.json"
        ]
    );
}

#[test]
fn validate_exit_codes_and_messages() {
    let o = secannex(&[
        "validate",
        "samples/infusion-pumps.yaml",
        "samples/regional-framework.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "samples/infusion-pumps.yaml: valid (no lots)\nsamples/regional-framework.yaml: valid (4 lots)\n"
    );
    let o = secannex(&["validate", "tests/cases/questionnaire/misspelt-keys.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let expected =
        std::fs::read_to_string(root().join("tests/cases/questionnaire/misspelt-keys.stderr"))
            .expect("expected file");
    assert_eq!(stderr(&o), expected);
}

#[test]
fn missing_input_and_unwritable_output_are_io_failures() {
    let o = secannex(&["validate", "samples/no-such-file.yaml"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        stderr(&o),
        "error: cannot read samples/no-such-file.yaml: no such file or directory\n"
    );
    // An output "directory" that is a regular file cannot be created, even as root.
    let dir = scratch("unwritable");
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "x").expect("write");
    let target = blocker.join("out");
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        target.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!(
            "error: cannot create output directory {}:",
            target.display()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_directory_is_not_a_questionnaire() {
    let o = secannex(&["validate", "samples"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: samples is a directory, not a questionnaire file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = secannex(&["generate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "--date",
        "2027-13-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: invalid value '2027-13-01' for '--date': expected a date written YYYY-MM-DD, e.g. 2027-01-15\n"
    );
}

#[test]
fn select_json_is_the_public_interface() {
    let o = secannex(&["select", "samples/regional-framework.yaml", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["format"], "secannex-selection");
    assert_eq!(v["format_version"], 1);
    let lots = v["lots"].as_array().expect("lots");
    assert_eq!(lots.len(), 4);
    for lot in lots {
        assert!(lot["lot"]["id"].is_string());
        let selected = lot["selected"].as_array().expect("selected");
        assert!(!selected.is_empty());
        for c in selected {
            for key in ["id", "title", "practices", "phase", "role", "reasons"] {
                assert!(!c[key].is_null(), "selected clause without {key}: {c}");
            }
            assert!(!c["reasons"].as_array().expect("reasons").is_empty());
        }
        for c in lot["left_out"].as_array().expect("left_out") {
            assert!(
                !c["reasons"].as_array().expect("reasons").is_empty(),
                "left-out clause without a reason: {c}"
            );
        }
    }
}

#[test]
fn select_explains_in_words() {
    let o = secannex(&["select", "samples/standalone-device.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("SLH-2027-007 — "), "{text}");
    // A stand-alone device is not asked for wireless security, and the reason says why.
    let wlan = text.find("GEN-WLAN-01").expect("GEN-WLAN-01 listed");
    let left_out = text.find("Left out:").expect("left-out section");
    assert!(
        wlan > left_out,
        "GEN-WLAN-01 selected for a stand-alone device"
    );
    assert!(
        text[wlan..]
            .lines()
            .nth(1)
            .expect("reason line")
            .contains("connectivity: none"),
        "{}",
        &text[wlan..wlan + 200]
    );
}

#[test]
fn catalogue_lint_list_and_show() {
    let o = secannex(&["catalogue", "lint"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("catalogue secannex-core "));
    let o = secannex(&[
        "catalogue",
        "list",
        "--asset",
        "cloud-service",
        "--phase",
        "manage",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("MAN-CLOUD-02"), "{text}");
    assert!(
        text.lines()
            .all(|l| l.contains(" manage ") || l.ends_with("clause(s)")),
        "other phases listed: {text}"
    );
    // Segmentation of building systems can never apply to a cloud service.
    let o = secannex(&["catalogue", "list", "--asset", "cloud-service"]);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("PLN-SEG-02 "),
        "PLN-SEG-02 listed for cloud"
    );
    let o = secannex(&["catalogue", "list", "--asset", "cloud-servce"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `cloud-service`?"));
    let o = secannex(&["catalogue", "show", "MAN-PATCH-01"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("MAN-PATCH-01 — "));
}

#[test]
fn the_same_run_twice_gives_the_same_bytes() {
    let a = scratch("repro-a");
    let b = scratch("repro-b");
    for dir in [&a, &b] {
        let o = secannex(&[
            "generate",
            "samples/his-replacement.yaml",
            "-o",
            dir.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for name in files_in(&a) {
        let x = std::fs::read(a.join(&name)).expect("read");
        let y = std::fs::read(b.join(&name)).expect("read");
        assert!(x == y, "{name} differs between runs");
    }
}

#[test]
fn catalogue_export_writes_the_clause_pack() {
    let out = scratch("export");
    let o = secannex(&[
        "catalogue",
        "export",
        "-o",
        out.to_str().expect("utf-8"),
        "--date",
        "2026-11-25",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files = files_in(&out);
    let stem = files[0].trim_end_matches(".docx").to_string();
    assert!(
        stem.starts_with("secannex-core-") && stem.ends_with("-clause-pack"),
        "{files:?}"
    );
    assert_eq!(
        files,
        [
            format!("{stem}.docx"),
            format!("{stem}.md"),
            format!("{stem}.pdf")
        ]
    );
    // Every clause of the catalogue is in the pack, with its condition in words.
    let md = std::fs::read_to_string(out.join(format!("{stem}.md"))).expect("md");
    let pdf =
        crate::support::pdf_doc(&std::fs::read(out.join(format!("{stem}.pdf"))).expect("pdf"));
    let pdf_text = crate::support::pdf_text(&pdf)
        .replace("-\n", "-")
        .replace('\n', " ");
    for c in &crate::support::resources().catalogue.clauses {
        assert!(
            md.contains(&format!(" {} {}", c.id, c.title)),
            "{} missing from the clause pack",
            c.id
        );
        assert!(
            pdf_text.contains(&c.id),
            "{} missing from the PDF clause pack",
            c.id
        );
    }
    assert!(
        md.contains("**Applies when:** the asset category is"),
        "conditions are not in words"
    );
    let structure = crate::support::pdf_structure(&pdf);
    assert!(
        structure.contains("pdfa part: 2, conformance: B"),
        "{structure}"
    );
}

#[test]
fn batch_inputs_jobs_index_and_skip_unchanged() {
    let out = scratch("batch-dir");
    let dir = out.to_str().expect("utf-8");
    // A directory and a glob pattern, overlapping: each questionnaire runs once.
    let o = secannex(&[
        "generate",
        "samples",
        "samples/c*.yaml",
        "-o",
        dir,
        "--format",
        "md,json",
        "--jobs",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("11 generated, 0 failed, 0 unchanged; 11 questionnaire(s) in "),
        "{}",
        stderr(&o)
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).expect("index"))
            .expect("json");
    assert_eq!(index["format"], "secannex-index");
    let entries = index["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 11);
    // Every file listed is on disk with the recorded SHA-256.
    for e in entries {
        for f in e["files"].as_array().expect("files") {
            let bytes = std::fs::read(out.join(f["name"].as_str().expect("name")))
                .expect("file listed exists");
            assert_eq!(
                secannex::generate::sha256_hex(&bytes),
                f["sha256"].as_str().expect("sha")
            );
        }
    }
    let csv = std::fs::read_to_string(out.join("index.csv")).expect("csv");
    assert_eq!(
        csv.lines().count(),
        1 + entries
            .iter()
            .map(|e| e["files"].as_array().expect("f").len())
            .sum::<usize>()
    );
    // Nothing changed: everything is kept.
    let o = secannex(&[
        "generate",
        "samples",
        "-o",
        dir,
        "--format",
        "md,json",
        "--skip-unchanged",
    ]);
    assert!(
        stderr(&o).starts_with("0 generated, 0 failed, 11 unchanged;"),
        "{}",
        stderr(&o)
    );
    // A changed output file is regenerated.
    std::fs::write(out.join("NRHG-2027-031-annex.md"), "tampered").expect("write");
    let o = secannex(&[
        "generate",
        "samples",
        "-o",
        dir,
        "--format",
        "md,json",
        "--skip-unchanged",
    ]);
    assert!(
        stderr(&o).starts_with("1 generated, 0 failed, 10 unchanged;"),
        "{}",
        stderr(&o)
    );
    // A different date changes every key.
    let o = secannex(&[
        "generate",
        "samples",
        "-o",
        dir,
        "--format",
        "md,json",
        "--skip-unchanged",
        "--date",
        "2030-01-01",
    ]);
    assert!(stderr(&o).starts_with("11 generated,"), "{}", stderr(&o));
}

#[test]
fn fail_fast_stops_the_batch() {
    let out = scratch("fail-fast");
    let o = secannex(&[
        "generate",
        "tests/cases/questionnaire/empty.yaml",
        "samples/cloud-pacs.yaml",
        "samples/his-replacement.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "md",
        "--jobs",
        "1",
        "--fail-fast",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("0 generated, 1 failed, 0 unchanged, 2 not run (--fail-fast)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(files_in(&out), Vec::<String>::new());
}

#[test]
fn inputs_that_match_nothing_are_reported() {
    let out = scratch("nothing");
    let o = secannex(&[
        "generate",
        "samples/zzz*.yaml",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stderr(&o), "error: no file matches samples/zzz*.yaml\n");
}

#[test]
fn an_interrupted_run_leaves_nothing_after_the_next() {
    // A killed run can leave a temporary file (never a partial output file: outputs
    // are renamed into place only when complete). The next run removes it.
    let out = scratch("interrupted");
    std::fs::write(out.join(".NRHG-2027-031-annex.md.4242.tmp"), "partial").expect("write");
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        files_in(&out),
        [
            "NRHG-2027-031-annex.md",
            "NRHG-2027-031-checklist.md",
            "index.csv",
            "index.json"
        ]
    );
}

#[test]
fn completions_and_manual_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = secannex(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        for command in ["generate", "validate", "select", "responses", "catalogue"] {
            assert!(script.contains(command), "{shell}: no `{command}`");
        }
    }
    let o = secannex(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH secannex 1"), "{page}");
    for command in ["generate", "responses", "completions"] {
        assert!(page.contains(command), "man page lacks `{command}`");
    }
    let o = secannex(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_batch_counts_and_lists_its_warnings() {
    let out = scratch("warned");
    let dir = out.to_str().expect("utf-8");
    let args = [
        "generate",
        "tests/cases/warnings/plausibility.yaml",
        "samples/cloud-pacs.yaml",
        "-o",
        dir,
        "--format",
        "md",
    ];
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let summary = err.lines().last().expect("a summary");
    assert!(
        summary.starts_with(
            "2 generated (1 with warnings, above), 0 failed, 0 unchanged; 2 questionnaire(s) in "
        ),
        "{err}"
    );
    // The warnings themselves are printed in full, as for one questionnaire.
    assert!(
        err.starts_with(include_str!("../cases/warnings/plausibility.stderr")),
        "{err}"
    );
    let o = secannex(&[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(
        run["warnings"],
        serde_json::json!([
            {
                "questionnaire": "tests/cases/warnings/plausibility.yaml",
                "message": "the questionnaire buys maintenance or support of clinical equipment but does not list `patient-health` data"
            },
            {
                "questionnaire": "tests/cases/warnings/plausibility.yaml",
                "message": "the questionnaire buys maintenance of connected equipment without `remote-access` or `remote-support`"
            }
        ])
    );
}

#[test]
fn quiet_prints_nothing_and_json_is_for_machines() {
    let out = scratch("machines");
    let dir = out.to_str().expect("utf-8");
    let o = secannex(&[
        "--quiet",
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        dir,
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "samples/no-such.yaml",
        "-o",
        dir,
        "--format",
        "md",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let run: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(run["format"], "secannex-run");
    assert_eq!(run["generated"][0], "samples/cloud-pacs.yaml");
    assert_eq!(run["failed"][0]["questionnaire"], "samples/no-such.yaml");
    assert_eq!(run["warnings"], serde_json::json!([]));
    assert_eq!(
        run["entries"][0]["files"][0]["name"],
        "NRHG-2027-031-annex.md"
    );
    let o = secannex(&[
        "validate",
        "--json",
        "samples/cloud-pacs.yaml",
        "tests/cases/questionnaire/tabs.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["files"][0]["valid"], true);
    assert_eq!(v["files"][1]["valid"], false);
    assert_eq!(v["files"][1]["diagnostics"][0]["location"]["line"], 3);
}

#[test]
fn the_annex_mentions_the_spreadsheet_only_when_it_is_written() {
    let out = scratch("spreadsheet-mention");
    let dir = out.to_str().expect("utf-8");
    let annex = || std::fs::read_to_string(out.join("NRHG-2027-031-annex.md")).expect("annex");
    let sentence = "The matrix is also provided as a spreadsheet";
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        dir,
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!annex().contains(sentence));
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "-o",
        dir,
        "--format",
        "md,xlsx",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(annex().contains(sentence));
}

/// Every command's `--help` ends with at least one example, as users of the
/// other tools they know expect.
#[test]
fn every_command_has_examples_in_its_help() {
    use clap::CommandFactory;
    fn walk(cmd: &mut clap::Command, path: &str, missing: &mut Vec<String>) {
        let help = cmd.render_long_help().to_string();
        if !help.contains("Example") {
            missing.push(path.to_string());
        }
        for sub in cmd.get_subcommands_mut() {
            if sub.get_name() != "help" {
                let name = format!("{path} {}", sub.get_name());
                walk(sub, &name, missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(&mut secannex::cli::Cli::command(), "secannex", &mut missing);
    assert!(missing.is_empty(), "no example in the help of: {missing:?}");
}

#[test]
fn skip_unchanged_sees_a_changed_template() {
    let out = scratch("skip-template");
    let templates = out.join("templates");
    std::fs::create_dir_all(templates.join("en")).expect("mkdir");
    let annex = std::fs::read_to_string("templates/en/annex.md.tera").expect("template");
    std::fs::write(templates.join("en/annex.md.tera"), &annex).expect("write");
    let dir = out.join("out");
    let run = || {
        secannex(&[
            "generate",
            "samples/cloud-pacs.yaml",
            "-o",
            dir.to_str().expect("utf-8"),
            "--templates",
            templates.to_str().expect("utf-8"),
            "--format",
            "md",
            "--skip-unchanged",
        ])
    };
    let o = run();
    assert!(stdout(&o).contains("77 clauses"), "{}", stdout(&o));
    let o = run();
    assert!(
        stderr(&o).starts_with("0 generated, 0 failed, 1 unchanged;"),
        "{}",
        stderr(&o)
    );
    // The fingerprint covers the templates the run was built from.
    std::fs::write(templates.join("en/annex.md.tera"), annex + "\n").expect("write");
    let o = run();
    assert!(stdout(&o).contains("77 clauses"), "{}", stdout(&o));
}
