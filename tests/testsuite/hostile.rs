//! Hostile and broken inputs, run through the binary as a user would: each gets
//! exit code 1, an exact message (`tests/cases/hostile/x.yaml` has its `x.stderr`),
//! no panic, and no file written. Inputs too large to keep in the repository (a
//! 50 MB file, a 1.5 MB value) are made in a scratch directory.

use std::path::Path;

use crate::support::*;

/// Run `secannex` in `dir` (so that file names in messages are relative).
fn secannex_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_secannex"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// `validate` fails with exit code 1 and no panic; `generate` fails the same way
/// and writes nothing. Returns what `validate` printed.
fn refused(dir: &Path, file: &str) -> String {
    let o = secannex_in(dir, &["validate", file]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "validate {file}:\n{err}");
    assert!(!err.contains("panicked"), "{file}: {err}");
    let out = scratch(&format!("hostile-out-{}", file.replace('/', "_")));
    let g = secannex_in(dir, &["generate", file, "-o", out.to_str().expect("utf-8")]);
    assert_eq!(g.status.code(), Some(1), "generate {file}:\n{}", stderr(&g));
    assert_eq!(files_in(&out), Vec::<String>::new(), "{file} wrote files");
    err
}

#[test]
fn bad_inputs_get_exact_messages_and_exit_code_1() {
    let dir = root().join("tests/cases/hostile");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("cases")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "{cases:?}");
    for case in cases {
        let rel = format!("tests/cases/hostile/{case}");
        let err = refused(&root(), &rel);
        check_expected(&format!("{}.stderr", rel.trim_end_matches(".yaml")), &err);
    }
}

#[test]
fn every_invalid_questionnaire_case_exits_with_1_through_the_binary() {
    // Their exact messages are pinned by errors.rs (through the library); here the
    // binary must refuse each with exit code 1 and write nothing.
    let dir = root().join("tests/cases/questionnaire");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("cases")
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            refused(&root(), &format!("tests/cases/questionnaire/{name}"));
            n += 1;
        }
    }
    assert!(n >= 10, "{n} cases");
}

#[test]
fn oversized_empty_and_wrong_kind_of_input_are_refused() {
    let dir = scratch("hostile-made");
    // 50 MB: refused from its size, before it is read.
    let big = std::fs::File::create(dir.join("big.yaml")).expect("create");
    big.set_len(50 * 1024 * 1024).expect("50 MB");
    assert_eq!(
        refused(&dir, "big.yaml"),
        "error: file is too large (52428800 bytes); the limit is 2097152 bytes\n --> big.yaml\n  = help: a questionnaire is a few kilobytes: check that this is the right file\n\n"
    );
    // Under the file limit, but one value of 1.5 MB.
    let sample =
        std::fs::read_to_string(root().join("samples/standalone-device.yaml")).expect("sample");
    let huge = sample.replacen(
        "reference: SLH-2027-007",
        &format!(
            "reference: SLH-2027-007\n  buyer: {}",
            "B".repeat(1_500_000)
        ),
        1,
    );
    let huge = huge.replacen("  buyer: Saint Luke's Hospital\n", "", 1);
    std::fs::write(dir.join("huge-value.yaml"), huge).expect("write");
    let err = refused(&dir, "huge-value.yaml");
    assert!(
        err.starts_with(
            "error: the procurement `buyer` is 1500000 characters long; the limit is 10000\n --> huge-value.yaml:7:10\n"
        ),
        "{err}"
    );
    // The source line shown is cut, not 1.5 MB long.
    assert!(err.len() < 1000, "{} bytes of message", err.len());
    std::fs::write(dir.join("empty.yaml"), "").expect("write");
    assert_eq!(
        refused(&dir, "empty.yaml"),
        "error: file is empty\n --> empty.yaml\n  = help: copy one of the questionnaires in samples/ and adapt it\n\n"
    );
    // A directory where a file is expected. (`generate` takes directories: it
    // reads every questionnaire below, and says so when there is none.)
    std::fs::create_dir_all(dir.join("folder.yaml")).expect("mkdir");
    let o = secannex_in(&dir, &["validate", "folder.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: folder.yaml is a directory, not a questionnaire file\n --> folder.yaml\n  = help: give the questionnaire files inside it (`dir/*.yaml`); only `secannex generate` reads a whole directory\n\n"
    );
    let o = secannex_in(&dir, &["generate", "folder.yaml", "-o", "out"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        stderr(&o),
        "error: folder.yaml contains no questionnaire (*.yaml or *.yml)\n"
    );
    assert!(!dir.join("out").exists());
}

/// The annex Markdown of a questionnaire, with its file name and hash (which
/// differ between encodings of the same answers) blanked out.
fn annex_markdown(dir: &Path, file: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(file), bytes).expect("write");
    let out = dir.join(format!("out-{file}"));
    let o = secannex_in(
        dir,
        &[
            "generate",
            file,
            "-o",
            out.to_str().expect("utf-8"),
            "--format",
            "md",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
    let md = std::fs::read_to_string(out.join("SLH-2027-007-annex.md")).expect("annex");
    let sha = secannex::generate::sha256_hex(bytes);
    md.replace(&sha, "SHA").replace(file, "FILE")
}

#[test]
fn byte_order_mark_and_crlf_line_ends_give_the_same_annex() {
    let dir = scratch("hostile-encodings");
    let lf = std::fs::read(root().join("samples/standalone-device.yaml")).expect("sample");
    let text = String::from_utf8(lf.clone()).expect("utf-8");
    let crlf = text.replace('\n', "\r\n").into_bytes();
    let bom: Vec<u8> = b"\xEF\xBB\xBF".iter().chain(&lf).copied().collect();
    let both: Vec<u8> = b"\xEF\xBB\xBF".iter().chain(&crlf).copied().collect();
    let reference = annex_markdown(&dir, "lf.yaml", &lf);
    assert!(reference.contains("Transport ventilators"));
    for (name, bytes) in [
        ("crlf.yaml", &crlf),
        ("bom.yaml", &bom),
        ("both.yaml", &both),
    ] {
        let md = annex_markdown(&dir, name, bytes);
        assert!(
            !md.contains('\r'),
            "{name}: a carriage return reached the annex"
        );
        assert!(
            !md.contains('\u{FEFF}'),
            "{name}: the byte-order mark reached the annex"
        );
        assert_eq!(md, reference, "{name} gives a different annex");
    }
}

#[test]
fn file_names_from_references_stay_inside_the_output_directory() {
    let dir = scratch("hostile-paths");
    let out = dir.join("out");
    let sample =
        std::fs::read_to_string(root().join("samples/standalone-device.yaml")).expect("sample");
    let cases = [
        ("up.yaml", "../../escaped", "escaped"),
        ("absolute.yaml", "/tmp/escaped", "tmp-escaped"),
        ("backslash.yaml", "..\\\\..\\\\escaped-too", "escaped-too"),
        ("device.yaml", "CON", "CON_"),
        ("device-ext.yaml", "nul.txt", "nul.txt_"),
        ("dots.yaml", "a/../../b", "a-b"),
    ];
    let mut args = vec!["generate".to_string()];
    for (file, reference, _) in cases {
        let q = sample.replacen(
            "reference: SLH-2027-007",
            &format!("reference: \"{reference}\""),
            1,
        );
        std::fs::write(dir.join(file), q).expect("write");
        args.push(file.to_string());
    }
    args.extend(["-o".into(), "out".into(), "--format".into(), "md".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = secannex_in(&dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut expected: Vec<String> = vec!["index.csv".into(), "index.json".into()];
    for (_, _, stem) in cases {
        expected.push(format!("{stem}-annex.md"));
        expected.push(format!("{stem}-checklist.md"));
    }
    expected.sort();
    assert_eq!(files_in(&out), expected);
    // Nothing else appeared beside the questionnaires, nor above the scratch dir.
    let mut beside: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    beside.push("out".into());
    beside.sort();
    assert_eq!(files_in(&dir), beside);
    assert!(!dir.parent().expect("parent").join("escaped").exists());
    assert!(!Path::new("/tmp/escaped-annex.md").exists());
}

#[test]
fn questionnaires_with_clashing_file_names_fail_the_later_ones() {
    let dir = scratch("hostile-clash");
    let sample =
        std::fs::read_to_string(root().join("samples/standalone-device.yaml")).expect("sample");
    std::fs::write(dir.join("a.yaml"), &sample).expect("write");
    // `SLH/2027/007` makes the same file names as `SLH-2027-007`.
    let slashed = sample.replacen("reference: SLH-2027-007", "reference: SLH/2027/007", 1);
    std::fs::write(dir.join("b.yaml"), slashed).expect("write");
    std::fs::write(dir.join("c.yaml"), &sample).expect("write");
    // Whatever order the jobs finish in, the first questionnaire is the one written.
    for jobs in ["1", "2"] {
        let out = dir.join(format!("out-{jobs}"));
        let o = secannex_in(
            &dir,
            &[
                "generate",
                "a.yaml",
                "b.yaml",
                "c.yaml",
                "-o",
                out.to_str().expect("utf-8"),
                "--format",
                "md",
                "--jobs",
                jobs,
            ],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        for later in ["b.yaml", "c.yaml"] {
            assert!(
                err.contains(&format!("error: its output files would be named `SLH-2027-007-...`, like those of a.yaml, which is earlier in this run\n --> {later}\n")),
                "{err}"
            );
        }
        assert!(err.contains("1 generated, 2 failed"), "{err}");
        let index = std::fs::read_to_string(out.join("index.json")).expect("index");
        assert!(index.contains("\"questionnaire\": \"a.yaml\""), "{index}");
        assert!(
            !index.contains("b.yaml") && !index.contains("c.yaml"),
            "{index}"
        );
    }
}

#[test]
fn a_symbolic_link_loop_in_a_batch_directory_is_not_followed() {
    let dir = scratch("hostile-loop");
    let inner = dir.join("in/lot");
    std::fs::create_dir_all(&inner).expect("mkdir");
    std::fs::copy(
        root().join("samples/cloud-pacs.yaml"),
        inner.join("cloud-pacs.yaml"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(dir.join("in"), inner.join("back")).expect("symlink");
    let o = secannex_in(&dir, &["generate", "in", "-o", "out", "--format", "md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "in/lot/cloud-pacs.yaml: 77 clauses, 16 buyer actions; 2 files\n"
    );
}
