//! Faults around the inputs: a disk that fills up, a questionnaire gone before its
//! job reads it, a batch killed half-way, broken user templates. Each gives a clear
//! error, leaves no partial or temporary file, and does not stop the rest of the
//! batch. (An output directory that cannot be created: `cli.rs`.)

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_secannex")
}

/// Files of a directory that a run must never leave behind: temporaries.
fn temporaries(dir: &Path) -> Vec<String> {
    files_in(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_full_disk_fails_the_questionnaire_that_does_not_fit_and_no_other() {
    // A file size limit stands in for a full disk, without privileges: a write
    // past 150 KB fails (EFBIG) as it would with ENOSPC. SIGXFSZ is ignored, as
    // the shell's `trap ''` is inherited through exec, so the write returns an
    // error instead of killing the process.
    let out = scratch("faults-full");
    let script = format!(
        "trap '' XFSZ; ulimit -f 300; exec '{}' generate samples/standalone-device.yaml samples/infusion-pumps.yaml -o '{}' --format md,json --jobs 1",
        bin(),
        out.display()
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .current_dir(root())
        .output()
        .expect("sh runs");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    // The annex Markdown of the infusion pumps is about 215 KB: it does not fit.
    assert!(
        err.contains(&format!(
            "error: cannot write {}: file too large\n",
            out.join("UHX-2027-014-annex.md").display()
        )),
        "{err}"
    );
    assert!(err.contains("1 generated, 1 failed"), "{err}");
    // The stand-alone device's files (all under 150 KB) are there, whole; none of
    // the infusion pumps' files is, not even the small ones; no temporary is left.
    assert_eq!(
        files_in(&out),
        [
            "SLH-2027-007-annex.md",
            "SLH-2027-007-checklist.md",
            "SLH-2027-007-selection.json",
            "index.csv",
            "index.json"
        ]
    );
    let index = std::fs::read_to_string(out.join("index.json")).expect("index");
    assert!(!index.contains("infusion-pumps"), "{index}");
}

#[test]
fn a_questionnaire_gone_before_its_job_reads_it_fails_alone() {
    let out = scratch("faults-gone");
    let o = secannex(&[
        "generate",
        "samples/cloud-pacs.yaml",
        "samples/was-deleted.yaml",
        "samples/standalone-device.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "md",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("error: cannot read samples/was-deleted.yaml: no such file or directory\n"),
        "{err}"
    );
    assert!(err.contains("2 generated, 1 failed"), "{err}");
    assert_eq!(files_in(&out).len(), 6, "{:?}", files_in(&out));
}

#[test]
fn a_killed_batch_leaves_whole_files_only_and_a_rerun_completes_it() {
    let out = scratch("faults-killed");
    let args = [
        "generate",
        "samples",
        "-o",
        out.to_str().expect("utf-8"),
        "--jobs",
        "1",
        "--skip-unchanged",
    ];
    let mut child = in_background(&args, std::process::Stdio::null());
    // Kill it once the first questionnaire's files are in place (about a second
    // in), while the next ones are being written.
    wait_until(|| files_in(&out).iter().any(|n| !n.starts_with('.')));
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("kill");
    child.wait().expect("wait");
    // It was killed half-way: the index is written last.
    assert!(
        !out.join("index.json").exists(),
        "the batch finished before the kill"
    );
    // Every output file present is whole: PDFs parse, DOCX files unzip.
    let before = files_in(&out);
    assert!(!before.is_empty());
    for name in before.iter().filter(|n| !n.starts_with('.')) {
        let bytes = std::fs::read(out.join(name)).expect("read");
        if name.ends_with(".pdf") {
            pdf_doc(&bytes);
        } else if name.ends_with(".docx") {
            assert!(!docx_parts(&bytes).is_empty(), "{name}");
        }
    }
    // The killed run's journal lists the questionnaires it finished, each with all
    // its files in place (a last line cut short by the kill does not count).
    let journal = std::fs::read_to_string(out.join(".secannex-journal.jsonl")).expect("journal");
    let mut finished: Vec<String> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|e| {
            for f in e["files"].as_array().expect("files") {
                assert!(out.join(f["name"].as_str().expect("name")).exists());
            }
            e["questionnaire"]
                .as_str()
                .expect("questionnaire")
                .to_string()
        })
        .collect();
    finished.sort();
    assert!(!finished.is_empty(), "{journal}");
    // The rerun removes any temporary, keeps what was finished and does the rest.
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(temporaries(&out), Vec::<String>::new());
    let mut kept: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| {
            l.split_once(": unchanged, kept ")
                .map(|(q, _)| q.to_string())
        })
        .collect();
    kept.sort();
    assert_eq!(kept, finished, "{}", stdout(&o));
    // The index records the run: the journal has served.
    assert!(!out.join(".secannex-journal.jsonl").exists());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).expect("index"))
            .expect("index parses");
    let entries = index["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), samples().len());
    for e in entries {
        for f in e["files"].as_array().expect("files") {
            let name = f["name"].as_str().expect("name");
            let bytes = std::fs::read(out.join(name)).expect("listed file exists");
            assert_eq!(
                secannex::generate::sha256_hex(&bytes),
                f["sha256"].as_str().expect("sha")
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_or_kill_in_a_batch_says_how_to_resume() {
    // Ctrl-C from a user, SIGTERM from a job scheduler or `kill`.
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let out = scratch(&format!("faults-signal-{signal}"));
        let args = [
            "generate",
            "samples",
            "-o",
            out.to_str().expect("utf-8"),
            "--jobs",
            "1",
        ];
        let child = in_background(&args, std::process::Stdio::piped());
        // Once the first questionnaire is finished.
        wait_until(|| out.join(".secannex-journal.jsonl").exists());
        // SAFETY: sends a signal to the child this test started.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let o = child.wait_with_output().expect("wait");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{err}");
        assert!(out.join(".secannex-journal.jsonl").exists());
        assert!(
            err.ends_with(
                "\ninterrupted: the questionnaires finished so far are complete in the output \
                 directory; run the same command again with --skip-unchanged to keep them and \
                 generate the rest\n"
            ),
            "{err}"
        );
        assert!(!out.join("index.json").exists(), "the batch finished first");
    }
}

/// `secannex ARGS` started in the background, from the repository's root.
fn in_background(args: &[&str], stderr: std::process::Stdio) -> std::process::Child {
    Command::new(bin())
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn")
}

/// Wait until `done` holds, a minute at most (the assertions that follow fail if
/// it never does).
fn wait_until(done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A copy of the built-in English annex template with `extra` appended to line 5.
fn broken_templates(name: &str, extra: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("en")).expect("mkdir");
    let text = std::fs::read_to_string(root().join("templates/en/annex.md.tera")).expect("read");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[4].push_str(extra);
    std::fs::write(dir.join("en/annex.md.tera"), lines.join("\n") + "\n").expect("write");
    dir
}

#[test]
fn broken_user_templates_fail_with_their_location_and_write_nothing() {
    let cases = [
        (
            "faults-tpl-field",
            " {{ procurement.titel }}",
            "error: template error: field `titel` is not defined. Available fields: buyer, date, day, language, month, procedure, reference, title, year\n",
        ),
        (
            "faults-tpl-filter",
            " {{ procurement.title | shout }}",
            "error: template error: unknown filter `shout`\n",
        ),
        (
            "faults-tpl-syntax",
            " {% if procurement.title %}",
            "error: template error: unexpected end of input\n",
        ),
    ];
    for (name, extra, message) in cases {
        let templates = broken_templates(name, extra);
        let out = templates.join("out");
        let o = secannex(&[
            "generate",
            "samples/cloud-pacs.yaml",
            "-o",
            out.to_str().expect("utf-8"),
            "--templates",
            templates.to_str().expect("utf-8"),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.starts_with(message), "{name}: {err}");
        // It points into the user's file, at the line of the mistake.
        let file = templates.join("en/annex.md.tera").display().to_string();
        let line = if name.ends_with("syntax") {
            std::fs::read_to_string(templates.join("en/annex.md.tera"))
                .expect("read")
                .lines()
                .count()
                + 1
        } else {
            5
        };
        assert!(
            err.contains(&format!(" --> {file}:{line}:")),
            "{name}: {err}"
        );
        let written = if out.exists() {
            files_in(&out)
        } else {
            Vec::new()
        };
        assert_eq!(written, Vec::<String>::new(), "{name}");
    }
}
