//! `secannex init` through the binary: options, `--from`, missing answers,
//! overwriting, lots; and the questions themselves, typed into a pseudo-terminal.
//! Every written file is checked with `secannex validate` and against its
//! expected text in `tests/golden/init/`.

use std::path::Path;

use crate::support::{check_expected, scratch, secannex, stderr, stdout};

/// The written file, with the tool version replaced so that a version bump does
/// not change the expected files.
fn written(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("written")
        .replace(secannex::TOOL, "secannex VERSION")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `secannex validate` accepts the file.
fn assert_valid(path: &Path) {
    let o = secannex(&["validate", s(path)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Options answering every required question for a small purchase.
const PUMPS: [&[&str]; 14] = [
    &["--title", "Networked infusion pumps: ICU #2"],
    &["--reference", "UHX-2027-014"],
    &["--buyer", "University Hospital X"],
    &["--date", "2027-01-15"],
    &["--category", "networked-medical-device"],
    &["--subtype", "bedside-device"],
    &["--medical-device"],
    &["--connectivity", "wired-network,wireless,remote-access"],
    &["--data", "patient-health"],
    &["--services", "maintenance,remote-support"],
    &["--patient-safety", "high"],
    &["--availability", "critical"],
    &["--expected-years", "10"],
    &["--legacy"],
];

/// `init OUT --no-input`, the options of `PUMPS` and `extra`; an option in
/// `extra` replaces the one of `PUMPS`.
fn pumps<'a>(out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["init", s(out), "--no-input"];
    for group in PUMPS {
        if !extra.contains(&group[0]) {
            args.extend(group.iter().copied());
        }
    }
    args.extend(extra);
    args
}

#[test]
fn options_write_a_valid_commented_questionnaire() {
    let dir = scratch("init-options");
    let out = dir.join("pumps.yaml");
    let args = pumps(
        &out,
        &[
            "--set",
            "critical_patch_days=10",
            "--exclude",
            "MAN-AWARE-02=the clinical engineering team writes the user guidance",
            "--include",
            "MAN-PENTEST-02",
        ],
    );
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("wrote {}: ", out.display())),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(" clauses selected ("), "{}", stdout(&o));
    assert_valid(&out);
    check_expected("tests/golden/init/options.yaml", &written(&out));
    // The file generates, and the annex carries the answers.
    let annex = dir.join("out");
    let o = secannex(&["generate", s(&out), "-o", s(&annex), "--format", "md,json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = std::fs::read_to_string(annex.join("UHX-2027-014-annex.md")).expect("annex");
    let json = std::fs::read(annex.join("UHX-2027-014-selection.json")).expect("json");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(
        json["questionnaire"]["title"],
        "Networked infusion pumps: ICU #2"
    );
    assert!(md.contains("MAN-PENTEST-02"));
    assert!(!md.contains("MAN-AWARE-02"));
}

#[test]
fn without_a_terminal_nothing_is_asked_and_every_missing_answer_is_listed() {
    let dir = scratch("init-missing");
    let out = dir.join("q.yaml");
    // Standard input is not a terminal here: no --no-input needed.
    let o = secannex(&["init", s(&out), "--title", "Pumps", "--data", "none"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "\
error: 8 required answer(s) missing; nothing written
  procurement.reference        --reference TEXT
  procurement.buyer            --buyer TEXT
  asset.category               --category ID
  asset.medical_device         --medical-device or --medical-device=no
  connectivity                 --connectivity LIST (or none)
  services                     --services LIST (or none)
  criticality.patient_safety   --patient-safety high|medium|low
  criticality.availability     --availability critical|high|normal
  = help: give them as options or in a partial questionnaire (--from FILE), or run `secannex init` in a terminal to be asked
"
    );
    assert!(!out.exists());
    assert!(stdout(&o).is_empty());
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = scratch("init-force");
    let out = dir.join("q.yaml");
    std::fs::write(&out, "my own work\n").expect("write");
    let mut args = pumps(&out, &[]);
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {} already exists; give --force to replace it, or another file name\n",
            out.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("kept"),
        "my own work\n"
    );
    args.push("--force");
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_valid(&out);
    // Written atomically: no temporary file left beside it.
    assert_eq!(crate::support::files_in(&dir), ["q.yaml"]);
}

#[test]
fn bad_option_values_are_usage_errors_and_nothing_is_written() {
    let dir = scratch("init-bad-options");
    let out = dir.join("q.yaml");
    let args = pumps(
        &out,
        &[
            "--category",
            "infusion-pumps",
            "--connectivity",
            "wifi",
            "--date",
            "15/01/2027",
            "--set",
            "nothing=3",
        ],
    );
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // What is bought, where the category goes: the catalogue's examples suggest it.
    assert!(
        err.contains("error: unknown value `infusion-pumps` for '--category': expected one of clinical-information-system, networked-medical-device, remote-care-system, mobile-client-device, identification-system, networking-equipment, industrial-control-system, cloud-service, professional-service; did you mean `networked-medical-device`? Its examples include \"infusion pumps and drug library servers\"\n"),
        "{err}"
    );
    assert!(
        err.contains("error: unknown value `wifi` for '--connectivity': expected one of wired-network, wireless, short-range-wireless, remote-access, internet, cloud, clinical-integration, removable-media; `wifi` is written `wireless` here\n"),
        "{err}"
    );
    assert!(
        err.contains("error: invalid value `15/01/2027` for '--date': expected a date written YYYY-MM-DD, e.g. 2027-01-15\n"),
        "{err}"
    );
    assert!(
        err.contains("error: unknown value `nothing` for '--set'"),
        "{err}"
    );
    assert!(!out.exists());
    // A value only the loader can judge (out of bounds) is reported by the loader.
    let args = pumps(&out, &["--set", "critical_patch_days=900"]);
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("critical_patch_days"), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .ends_with("error: these answers do not make a valid questionnaire; nothing written\n"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn awkward_text_is_quoted_and_reads_back() {
    let dir = scratch("init-quoting");
    let out = dir.join("q.yaml");
    let title = "- \"Pumps\": phase #2 — Ωμέγα, Кириллица 'ICU'";
    let args = pumps(
        &out,
        &["--title", title, "--description", "yes", "--buyer", "null"],
    );
    let o = secannex(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = secannex(&["select", s(&out), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(json["questionnaire"]["title"], title);
    assert_eq!(json["questionnaire"]["buyer"], "null");
    assert!(written(&out).contains("\n  description: \"yes\"\n"));
}

#[test]
fn a_partial_file_keeps_its_answers_and_lots_and_options_override_it() {
    let dir = scratch("init-from");
    let partial = dir.join("draft.yaml");
    std::fs::write(
        &partial,
        "\
# a draft: the framework's common answers and its lots
procurement:
  title: Draft title
  buyer: Regional Health Purchasing Consortium
  procedure: framework-agreement
asset:
  category: networking-equipment
  medical_device: false
connectivity: [wired-network, wireless]
data: [operational]
services: [installation, maintenance]
lots:
  - id: lot-1
    title: Wi-Fi access points
  - id: lot-2
    asset: { category: identification-system, subtypes: [patient-identification] }
    data: [patient-health, personal]
    criticality: { patient_safety: high }
",
    )
    .expect("write");
    let out = dir.join("framework.yaml");
    // Missing answers, including the second lot's title, are listed.
    let o = secannex(&["init", s(&out), "--from", s(&partial)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "\
error: 4 required answer(s) missing; nothing written
  procurement.reference        --reference TEXT
  criticality.patient_safety   --patient-safety high|medium|low
  criticality.availability     --availability critical|high|normal
  lots[2].title                `title:` of the lot in the --from file
  = help: give them as options or in a partial questionnaire (--from FILE), or run `secannex init` in a terminal to be asked
"
    );
    std::fs::write(
        &partial,
        std::fs::read_to_string(&partial).expect("read").replace(
            "  - id: lot-2\n",
            "  - id: lot-2\n    title: Patient wristbands\n",
        ),
    )
    .expect("write");
    let o = secannex(&[
        "init",
        s(&out),
        "--from",
        s(&partial),
        "--title",
        "Framework agreement for ward equipment",
        "--reference",
        "RHPC/FA/2027-07",
        "--patient-safety",
        "medium",
        "--availability",
        "high",
        "--lot",
        "lot-3=Access switches",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("lot-1: "), "{}", stdout(&o));
    assert!(stdout(&o).contains("lot-3: "), "{}", stdout(&o));
    assert_valid(&out);
    check_expected("tests/golden/init/from-partial.yaml", &written(&out));
    let o = secannex(&["select", s(&out), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let lots = json["lots"].as_array().expect("lots");
    assert_eq!(lots.len(), 3);
    assert_eq!(
        json["questionnaire"]["title"],
        "Framework agreement for ward equipment"
    );
    assert_eq!(lots[1]["asset"], "identification-system");
}

#[test]
fn errors_in_a_partial_file_point_into_it() {
    let dir = scratch("init-from-errors");
    let partial = dir.join("draft.yaml");
    std::fs::write(
        &partial,
        "procurement:\n  title: Pumps\nconnectivity: [wifi]\nasset:\n  categroy: cloud-service\n",
    )
    .expect("write");
    let out = dir.join("q.yaml");
    let o = secannex(&["init", s(&out), "--from", s(&partial)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let name = partial.display();
    assert!(err.contains(&format!("--> {name}:3:16")), "{err}");
    assert!(err.contains(&format!("--> {name}:5:3")), "{err}");
    assert!(err.contains("did you mean `category`?"), "{err}");
    assert!(!err.contains("missing"), "{err}");
    assert!(
        err.ends_with(&format!("error: {name} has 2 error(s); nothing written\n")),
        "{err}"
    );
    assert!(!out.exists());
}

/// The questions, typed into a pseudo-terminal as a buyer would: arrows, space,
/// Enter, a wrong answer corrected, Esc and Ctrl-C.
#[cfg(unix)]
mod terminal {
    use super::*;
    use rexpect::process::WaitStatus;
    use rexpect::session::{Options, PtySession};

    const ENTER: &str = "\r";
    const DOWN: &str = "\x1b[B";
    const LEFT: &str = "\x1b[D";
    const BACKSPACE: &str = "\x7f";

    /// Start `secannex init ARGS` on a pseudo-terminal of 120 × 40 characters.
    fn spawn(args: &[&str], dir: &Path) -> PtySession {
        let mut cmd = std::process::Command::new("sh");
        // A terminal has a size; a bare pseudo-terminal says 0 × 0.
        cmd.arg("-c")
            .arg("stty cols 120 rows 40 && exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_secannex"))
            .args(args)
            .current_dir(dir)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("TERM", "xterm");
        rexpect::session::spawn_with_options(
            cmd,
            Options::new()
                .timeout_ms(Some(20_000))
                .strip_ansi_escape_codes(true),
        )
        .expect("spawn on a pseudo-terminal")
    }

    /// Wait for `prompt`, then type `keys`.
    fn answer(p: &mut PtySession, prompt: &str, keys: &[&str]) {
        p.exp_string(prompt)
            .unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}"));
        for k in keys {
            p.send(k).expect("send");
            p.flush().expect("flush");
            // Let the prompt take each key on its own (arrows are escape sequences).
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }

    fn exit_code(p: &PtySession) -> Option<i32> {
        match p.process().wait().expect("wait") {
            WaitStatus::Exited(_, code) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn the_questions_write_a_valid_questionnaire() {
        let dir = scratch("init-terminal");
        let mut p = spawn(&["init", "pumps.yaml"], &dir);
        answer(
            &mut p,
            "Title of the procurement:",
            &["Infusion pumps: ICU #2", ENTER],
        );
        // A reference without a letter or digit is refused inline; correct it.
        answer(&mut p, "Tender reference", &["???", ENTER]);
        answer(
            &mut p,
            "has no letter or digit",
            &[BACKSPACE, BACKSPACE, BACKSPACE],
        );
        answer(&mut p, "", &["UHX-2027-014", ENTER]);
        answer(
            &mut p,
            "Contracting authority",
            &["University Hospital X", ENTER],
        );
        answer(&mut p, "Procedure:", &[ENTER]);
        answer(&mut p, "Annex date", &["2027-01-15", ENTER]);
        // The categories are explained with the catalogue's descriptions.
        answer(
            &mut p,
            "Medical devices and in vitro diagnostic devices",
            &[],
        );
        answer(&mut p, "Asset category:", &[DOWN, ENTER]);
        answer(&mut p, "Which kinds of this category?", &[DOWN, " ", ENTER]);
        answer(&mut p, "Short description", &[ENTER]);
        answer(&mut p, "medical device (MDR or IVDR)?", &[ENTER]);
        answer(&mut p, "clauses selected", &[]);
        // Untick the typical answers, tick the first (wired-network).
        answer(&mut p, "How does it connect?", &[LEFT, " ", ENTER]);
        answer(&mut p, "so far: ", &[]);
        answer(&mut p, "What data does it store or process?", &[ENTER]);
        answer(&mut p, "besides the goods?", &[LEFT, ENTER]);
        answer(&mut p, "Patient safety:", &[ENTER]);
        answer(&mut p, "Availability:", &[DOWN, ENTER]);
        answer(&mut p, "Expected service life", &[ENTER]);
        answer(&mut p, "(legacy)?", &["n", ENTER]);
        answer(&mut p, "Change parameters, leave clauses out", &[ENTER]);
        answer(&mut p, "divided into lots", &[ENTER]);
        let rest = p.exp_eof().expect("ends");
        assert!(rest.contains("wrote pumps.yaml: "), "{rest}");
        assert_eq!(exit_code(&p), Some(0));
        let out = dir.join("pumps.yaml");
        assert_valid(&out);
        check_expected("tests/golden/init/terminal.yaml", &written(&out));
    }

    #[test]
    fn ctrl_c_and_esc_cancel_and_write_nothing() {
        for (key, name) in [("\x03", "ctrl-c"), ("\x1b", "esc")] {
            let dir = scratch(&format!("init-cancel-{name}"));
            let mut p = spawn(&["init", "q.yaml"], &dir);
            answer(&mut p, "Title of the procurement:", &["Pumps", ENTER]);
            answer(&mut p, "Tender reference", &[key]);
            p.exp_string("cancelled: nothing written").expect(name);
            p.exp_eof().expect("ends");
            assert_eq!(exit_code(&p), Some(130), "{name}");
            assert!(crate::support::files_in(&dir).is_empty(), "{name}");
        }
    }

    #[test]
    fn with_a_partial_file_only_the_missing_answers_are_asked() {
        let dir = scratch("init-terminal-from");
        std::fs::write(
            dir.join("draft.yaml"),
            "procurement: { title: Pumps, reference: UHX-1, buyer: UHX, date: 2027-01-15 }\nasset: { category: cloud-service, medical_device: false }\nconnectivity: [internet, cloud]\ndata: [personal]\nservices: [hosting]\nlifecycle: { expected_years: 5 }\n",
        )
        .expect("write");
        let mut p = spawn(
            &[
                "init",
                "q.yaml",
                "--from",
                "draft.yaml",
                "--availability",
                "high",
            ],
            &dir,
        );
        answer(&mut p, "title: Pumps (given)", &[]);
        // The procedure was not given: asked; the availability was: not asked.
        answer(&mut p, "Procedure:", &[ENTER]);
        answer(&mut p, "Which kinds of this category?", &[ENTER]);
        answer(&mut p, "Short description", &[ENTER]);
        answer(&mut p, "Patient safety:", &["low", ENTER]);
        answer(&mut p, "Change parameters, leave clauses out", &[ENTER]);
        answer(&mut p, "divided into lots", &[ENTER]);
        let rest = p.exp_eof().expect("ends");
        assert!(!rest.contains("Availability:"), "{rest}");
        assert_eq!(exit_code(&p), Some(0), "{rest}");
        let text = written(&dir.join("q.yaml"));
        assert!(text.contains("  patient_safety: low   #"), "{text}");
        assert!(text.contains("  availability: high   #"), "{text}");
        assert!(text.contains("  expected_years: 5   #"), "{text}");
        assert_valid(&dir.join("q.yaml"));
    }

    #[test]
    fn a_lot_can_be_tailored_on_top_of_the_whole_procurement() {
        let dir = scratch("init-terminal-lot-options");
        std::fs::write(
            dir.join("draft.yaml"),
            "procurement: { title: Cloud PACS, reference: NRHG-1, buyer: NRHG, procedure: open, date: 2027-01-15 }\nasset: { category: cloud-service, medical_device: false }\nconnectivity: [internet, cloud]\ndata: [patient-health]\nservices: [hosting]\ncriticality: { patient_safety: medium, availability: high }\nlifecycle: { expected_years: 8 }\noptions: { parameters: { rto_hours: 8 } }\n",
        )
        .expect("write");
        let mut p = spawn(&["init", "q.yaml", "--from", "draft.yaml"], &dir);
        answer(&mut p, "Which kinds of this category?", &[ENTER]);
        answer(&mut p, "Short description", &[ENTER]);
        answer(&mut p, "divided into lots", &["y", ENTER]);
        answer(&mut p, "Lot 1 id", &["archive", ENTER]);
        answer(&mut p, "Title of lot archive", &["Imaging archive", ENTER]);
        answer(&mut p, "What differs in this lot", &[ENTER]);
        answer(&mut p, "Tailor lot archive further", &["y", ENTER]);
        // Typing filters the list: tick the one parameter shown.
        answer(
            &mut p,
            "Which parameters do you want to change?",
            &["certificate_change", " ", ENTER],
        );
        answer(
            &mut p,
            "Notice of a change to a security certificate",
            &[BACKSPACE, BACKSPACE, BACKSPACE, "20", ENTER],
        );
        answer(&mut p, "Leave clauses out?", &[ENTER]);
        answer(
            &mut p,
            "Add clauses whose condition does not hold?",
            &[ENTER],
        );
        answer(&mut p, "Add another lot?", &[ENTER]);
        let rest = p.exp_eof().expect("ends");
        assert_eq!(exit_code(&p), Some(0), "{rest}");
        let out = dir.join("q.yaml");
        assert_valid(&out);
        let text = written(&out);
        // The lot's own tailoring, under the lot; the whole procurement's stays on top.
        let (top, lots) = text.split_once("\nlots:\n").expect("a lots block");
        assert!(top.contains("    rto_hours: 8"), "{text}");
        assert!(lots.contains("  - id: archive\n    title: Imaging archive\n    options:\n      parameters:\n        certificate_change_notice_days: 20"), "{text}");
        // The loader merges them: the lot gets both values.
        let sel = secannex(&["select", s(&out), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&sel.stdout).expect("JSON");
        let values: Vec<(String, serde_json::Value)> = v["lots"][0]["selected"]
            .as_array()
            .expect("selected")
            .iter()
            .flat_map(|c| c["parameters"].as_array().cloned().unwrap_or_default())
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or("").to_string(),
                    p["value"].clone(),
                )
            })
            .collect();
        assert!(
            values.contains(&("rto_hours".into(), 8.into())),
            "{values:?}"
        );
        assert!(
            values.contains(&("certificate_change_notice_days".into(), 20.into())),
            "{values:?}"
        );
    }
}
