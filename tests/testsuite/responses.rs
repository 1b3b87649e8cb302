//! `secannex responses`: bidders' matrices, filled in the way a spreadsheet saves
//! them (inline strings in the answer cells), read back and checked.

use std::io::{Read, Write};
use std::path::Path;

use secannex::generate::{Format, Request};

use crate::support::*;

/// The XLSX matrix secannex writes for a sample.
fn matrix(rel: &str) -> Vec<u8> {
    let bytes = std::fs::read(root().join(rel)).expect("sample");
    let req = Request {
        name: rel,
        bytes: &bytes,
        date: test_date(),
        formats: &[Format::Xlsx],
        threads: 1,
    };
    let out = secannex::generate::generate(resources(), &req).expect("generates");
    out.files
        .into_iter()
        .find(|f| f.name.ends_with("-matrix.xlsx"))
        .expect("matrix")
        .bytes
}

/// A bidder's copy: `answers` are (sheet index, clause id, column letter, value).
fn fill(xlsx: &[u8], bidder: &str, answers: &[(usize, &str, char, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("zip");
    let mut parts: Vec<(String, String)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut text = String::new();
        f.read_to_string(&mut text).expect("text part");
        parts.push((f.name().to_string(), text));
    }
    let strings: Vec<String> = parts
        .iter()
        .find(|(n, _)| n == "xl/sharedStrings.xml")
        .expect("shared strings")
        .1
        .split("<si><t>")
        .skip(1)
        .map(|s| s.split("</t>").next().unwrap_or("").to_string())
        .collect();
    let inline = |cell: &str, style: &str, value: &str| {
        format!("<c r=\"{cell}\" s=\"{style}\" t=\"inlineStr\"><is><t>{value}</t></is></c>")
    };
    for (sheet, id, column, value) in answers {
        let name = format!("xl/worksheets/sheet{}.xml", sheet + 1);
        let part = &mut parts.iter_mut().find(|(n, _)| *n == name).expect("sheet").1;
        let index = strings.iter().position(|s| s == id).expect("id in strings");
        let marker = format!("t=\"s\"><v>{index}</v></c>");
        let at = part.find(&marker).expect("id cell");
        let row: String = part[..at]
            .rsplit("<c r=\"A")
            .next()
            .expect("cell ref")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let cell = format!("{column}{row}");
        let start = part.find(&format!("<c r=\"{cell}\"")).expect("cell");
        let end = start
            + part[start..]
                .find("/>")
                .map(|e| e + 2)
                .filter(|e| !part[start..start + e].contains("</c>"))
                .unwrap_or_else(|| part[start..].find("</c>").expect("cell end") + 4);
        let style = part[start..end]
            .split("s=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("0")
            .to_string();
        part.replace_range(start..end, &inline(&cell, &style, value));
    }
    let first = &mut parts
        .iter_mut()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .expect("sheet 1")
        .1;
    *first = first.replacen("<c r=\"B3\" s=\"3\"/>", &inline("B3", "3", bidder), 1);
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(text.as_bytes()).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

fn responses(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_secannex"))
        .arg("responses")
        .arg(root().join("samples/cloud-pacs.yaml"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr(&o),
    )
}

#[test]
fn filled_matrices_give_each_bidder_its_verdict_and_score() {
    let dir = scratch("responses");
    let blank = matrix("samples/cloud-pacs.yaml");
    // Every mandatory row "yes" first, then the answers under test on top.
    let ids: Vec<(String, bool)> = {
        let (q, _) = secannex::generate::load_questionnaire(
            resources(),
            "q",
            &std::fs::read(root().join("samples/cloud-pacs.yaml")).expect("read"),
        );
        let q = q.expect("valid");
        let sel = secannex::generate::select_all(&resources().catalogue, &q);
        sel[0]
            .selected
            .iter()
            .filter(|s| s.role.is_supplier() && s.role.as_str() != "contract-clause")
            .map(|s| (s.id.clone(), s.role.as_str() == "award-criterion"))
            .collect()
    };
    let mut all_yes: Vec<(usize, &str, char, &str)> = ids
        .iter()
        .map(|(id, _)| (0, id.as_str(), 'F', "yes"))
        .collect();
    std::fs::write(
        dir.join("alpha.xlsx"),
        fill(&blank, "Alpha Medical", &all_yes),
    )
    .expect("w");
    // Beta: one requirement "no", one not answered, one by equivalent means, and
    // the first award criterion only "partly".
    let mandatory: Vec<&str> = ids
        .iter()
        .filter(|(_, a)| !a)
        .map(|(i, _)| i.as_str())
        .collect();
    let award: Vec<&str> = ids
        .iter()
        .filter(|(_, a)| *a)
        .map(|(i, _)| i.as_str())
        .collect();
    all_yes.retain(|(_, id, _, _)| *id != mandatory[1]);
    all_yes.push((0, mandatory[0], 'F', "no"));
    all_yes.push((0, mandatory[2], 'F', "equivalent"));
    all_yes.push((0, mandatory[2], 'G', "Tender vol. 2, p. 14"));
    all_yes.push((0, award[0], 'F', "partly"));
    std::fs::write(dir.join("beta.xlsx"), fill(&blank, "Beta Health", &all_yes)).expect("w");

    let (code, out, err) = responses(&dir, &["alpha.xlsx", "beta.xlsx"]);
    assert_eq!(code, 0, "{err}");
    let total: u32 = 20;
    let first_award = resources()
        .catalogue
        .clause(award[0])
        .expect("award clause")
        .id
        .clone();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "Alpha Medical: meets every mandatory requirement; 0 to verify; award score {total} of {total} (provisional)"
        )
    );
    assert!(
        lines[1].starts_with(
            "Beta Health: FAILS 2 mandatory requirement(s); 1 to verify; award score "
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!("  fails {}: \"no\"\n", mandatory[0])),
        "{out}"
    );
    assert!(
        out.contains(&format!("  fails {}: not answered\n", mandatory[1])),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  verify {}: \"equivalent\", evidence: Tender vol. 2, p. 14\n",
            mandatory[2]
        )),
        "{out}"
    );
    assert_eq!(first_award, award[0]);
    // The JSON gives the same, as numbers.
    let (code, json, _) = responses(&dir, &["alpha.xlsx", "beta.xlsx", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["format"], "secannex-responses");
    let beta = &v["bidders"][1]["lots"][0];
    assert_eq!(beta["mandatory_failed"].as_array().expect("list").len(), 2);
    assert_eq!(beta["award_total"], total);
    let points = beta["award_points"].as_f64().expect("points");
    assert!(points < f64::from(total) && points > 0.0, "{points}");
}

#[test]
fn a_tampered_or_foreign_file_is_reported() {
    let dir = scratch("responses-tampered");
    let blank = matrix("samples/cloud-pacs.yaml");
    let (q, _) = secannex::generate::load_questionnaire(
        resources(),
        "q",
        &std::fs::read(root().join("samples/cloud-pacs.yaml")).expect("read"),
    );
    let sel = secannex::generate::select_all(&resources().catalogue, &q.expect("valid"));
    let award = sel[0]
        .selected
        .iter()
        .find(|s| s.role.as_str() == "award-criterion")
        .expect("an award criterion")
        .id
        .clone();
    let contract = sel[0]
        .selected
        .iter()
        .find(|s| s.role.as_str() == "contract-clause")
        .expect("a contract clause")
        .id
        .clone();
    // A bidder who raised an award criterion's points and struck a contract clause.
    let answers = [
        (0, award.as_str(), 'E', "99"),
        (0, contract.as_str(), 'F', "refused"),
    ];
    std::fs::write(dir.join("gamma.xlsx"), fill(&blank, "Gamma", &answers)).expect("w");
    std::fs::write(dir.join("notes.xlsx"), "not a spreadsheet").expect("w");
    let (code, out, err) = responses(&dir, &["gamma.xlsx", "notes.xlsx"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("Gamma: CHECK THE MATRIX (2 problem(s))"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  problem {award}: obligation or points changed (the annex says scored, "
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  problem {contract}: a contract clause must stay \"accepted\", found \"refused\"\n"
        )),
        "{out}"
    );
    assert!(
        err.starts_with("error: notes.xlsx is not a readable XLSX compliance matrix: "),
        "{err}"
    );
}
