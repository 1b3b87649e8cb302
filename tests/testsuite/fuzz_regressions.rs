//! Fuzzing reproducers and hand-picked nasty inputs, replayed through the fuzz
//! targets' own code: `fuzz/src/lib.rs` is included here as it is, so a file under
//! `tests/fuzz-regressions/<target>/` takes exactly the path it took in
//! `cargo fuzz run <target>`, with the same invariants (see fuzz/README.md).
//!
//! The file name says what is expected besides "no panic, no broken invariant":
//! `invalid-*` must be refused with an error diagnostic, `valid-*` must be
//! accepted; any other name (a raw crash reproducer) only must not panic.

#[path = "../../fuzz/src/lib.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};

use harness::Outcome;

use crate::support::root;

/// What a fuzz target does with its input.
type Target = fn(&[u8]) -> Outcome;

/// The fuzz targets, as named in fuzz/Cargo.toml.
const TARGETS: [(&str, Target); 5] = [
    ("questionnaire", harness::questionnaire),
    ("catalogue", harness::catalogue),
    ("markdown", harness::markdown),
    ("docx", harness::docx),
    ("pdf", harness::pdf),
];

/// Replay every file of `tests/fuzz-regressions/<target>/` on a thread with the
/// stack libFuzzer's inputs get (the main thread's 8 MiB; test threads have 2 MiB),
/// and report every failure.
fn replay(target: &'static str, run: Target) {
    std::thread::Builder::new()
        .name(format!("replay-{target}"))
        .stack_size(8 << 20)
        .spawn(move || replay_here(target, run))
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

fn replay_here(target: &str, run: Target) {
    let dir = root().join("tests/fuzz-regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no input", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().expect("a file name").to_string_lossy();
        let bytes = std::fs::read(path).expect("readable");
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&bytes)));
        let problem = match outcome {
            Err(panic) => Some(format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)")
            )),
            Ok(Outcome::Accepted) if name.starts_with("invalid-") => {
                Some("was accepted, expected an error".to_string())
            }
            Ok(Outcome::Refused(diags)) if name.starts_with("valid-") => Some(format!(
                "was refused:\n{}",
                secannex::diag::render_all(&diags)
            )),
            Ok(Outcome::Refused(diags)) if !secannex::diag::has_errors(&diags) => {
                Some("was refused without an error diagnostic".to_string())
            }
            Ok(_) => None,
        };
        if let Some(p) = problem {
            failures.push(format!("{target}/{name} {p}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fuzz_target_has_a_regression_directory() {
    let dir = root().join("tests/fuzz-regressions");
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz-regressions") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "tests/fuzz-regressions/{name} is not a fuzz target"
        );
    }
}

#[test]
fn questionnaire_regressions() {
    replay(TARGETS[0].0, TARGETS[0].1);
}

#[test]
fn catalogue_regressions() {
    replay(TARGETS[1].0, TARGETS[1].1);
}

#[test]
fn markdown_regressions() {
    replay(TARGETS[2].0, TARGETS[2].1);
}

#[test]
fn docx_regressions() {
    replay(TARGETS[3].0, TARGETS[3].1);
}

#[test]
fn pdf_regressions() {
    replay(TARGETS[4].0, TARGETS[4].1);
}
