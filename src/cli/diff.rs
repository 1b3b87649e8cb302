//! `secannex diff`: the clause packs of two questionnaires, or of one
//! questionnaire under two catalogues, compared for legal review.

use std::path::Path;

use super::commands::{
    eprint_diags, fallback_date, load_catalogue_in, load_resources, parse_names, report_read_error,
    write_outputs,
};
use super::files;
use super::{Cli, exit};
use crate::catalogue::Catalogue;
use crate::diff::{self, Side};
use crate::generate::{self, DIFF_FORMATS, Resources};
use crate::questionnaire::{Questionnaire, sanitise};
use crate::write::markdown;

/// What the command line asked for.
pub struct Args<'a> {
    pub old: Option<&'a Path>,
    pub new: Option<&'a Path>,
    pub old_catalogue: Option<&'a Path>,
    pub output: Option<&'a Path>,
    pub format: &'a [String],
    pub json: bool,
    pub date: Option<&'a str>,
}

/// Run `secannex diff`; returns the exit code.
pub fn run(cli: &Cli, args: &Args<'_>) -> u8 {
    let what = match (args.old, args.new) {
        (Some(old), None) if args.old_catalogue.is_none() => format!(
            "`{}` against itself under the same catalogue",
            old.display()
        ),
        (None, _) if args.old_catalogue.is_none() => "no questionnaire and one catalogue".into(),
        _ => String::new(),
    };
    if !what.is_empty() {
        eprintln!(
            "error: nothing to compare: {what}\n  help: give two questionnaires (`secannex diff OLD.yaml NEW.yaml`), or the old catalogue (`secannex diff [QUESTIONNAIRE.yaml] --old-catalogue DIR`)"
        );
        return exit::USAGE;
    }
    let formats = match parse_names(args.format, &DIFF_FORMATS) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let date = match fallback_date(args.date) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let res = match load_resources(cli) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // The old side's catalogue: `built-in`, a directory, or the new side's.
    let old_catalogue: Option<(Catalogue, String)> = match args.old_catalogue {
        None => None,
        Some(dir) => {
            let dir = (dir != Path::new("built-in")).then_some(dir);
            match load_catalogue_in(dir) {
                Ok((c, source, _)) => Some((c, source)),
                Err(code) => return code,
            }
        }
    };
    let (old_cat, old_source) = match &old_catalogue {
        Some((c, s)) => (c, s.as_str()),
        None => (&res.catalogue, res.catalogue_source.as_str()),
    };
    let Some(old_path) = args.old else {
        let result =
            diff::compare_catalogues(old_cat, old_source, &res.catalogue, &res.catalogue_source);
        return output(cli, args, &res, &result, date, formats);
    };
    let new_path = args.new.unwrap_or(old_path);
    let languages = &res.templates.languages;
    // Both questionnaires are checked before either problem is reported, so
    // that the user sees every problem at once.
    let old_q = load(old_path, old_cat, languages);
    let new_q = load(new_path, &res.catalogue, languages);
    let (old_q, new_q) = match (old_q, new_q) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(a), Err(b)) => return a.max(b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let old_sel = generate::select_all(old_cat, &old_q);
    let new_sel = generate::select_all(&res.catalogue, &new_q);
    let (old_name, new_name) = (
        old_path.display().to_string(),
        new_path.display().to_string(),
    );
    let result = diff::compare(
        &Side {
            catalogue: old_cat,
            catalogue_source: old_source,
            file: &old_name,
            questionnaire: &old_q,
            selections: &old_sel,
        },
        &Side {
            catalogue: &res.catalogue,
            catalogue_source: &res.catalogue_source,
            file: &new_name,
            questionnaire: &new_q,
            selections: &new_sel,
        },
    );
    output(cli, args, &res, &result, date, formats)
}

/// Print the comparison, or write it to `--output`.
fn output(
    cli: &Cli,
    args: &Args<'_>,
    res: &Resources,
    result: &diff::PackDiff,
    date: chrono::NaiveDate,
    formats: Vec<&str>,
) -> u8 {
    let Some(output) = args.output else {
        if args.json && !cli.quiet {
            print!("{}", generate::diff_json(result));
        } else if !cli.quiet {
            print!("{}", markdown::write(&diff::report(result, date)));
        }
        return exit::OK;
    };
    let stem = stem(result);
    let files = match generate::diff_report(res, result, date, &stem, &formats) {
        Ok(f) => f,
        Err(diags) => {
            eprint_diags(&diags);
            return exit::INVALID;
        }
    };
    match write_outputs(output, &files) {
        Ok(written) => {
            if args.json && !cli.quiet {
                print!("{}", generate::diff_json(result));
            } else if !cli.quiet {
                let [added, removed, changed, unchanged] = result.totals();
                println!(
                    "{added} added, {removed} removed, {changed} changed, {unchanged} unchanged"
                );
                for w in written {
                    println!("wrote {}", w.display());
                }
            }
            exit::OK
        }
        Err(code) => code,
    }
}

/// Read and check one questionnaire against a catalogue, printing its problems.
fn load(path: &Path, catalogue: &Catalogue, languages: &[String]) -> Result<Questionnaire, u8> {
    let bytes = files::read_input(path).map_err(report_read_error)?;
    let name = path.display().to_string();
    let (q, diags) = generate::load_questionnaire_under(catalogue, languages, &name, &bytes);
    eprint_diags(&diags);
    q.ok_or(exit::INVALID)
}

/// `<reference>-changes`, or `<old>-to-<new>-changes` when the references
/// differ, with the catalogue versions when they differ.
fn stem(d: &diff::PackDiff) -> String {
    let mut stem = if d.old.reference.is_empty() {
        sanitise(&d.new.catalogue_id)
    } else {
        sanitise(&d.old.reference)
    };
    if d.old.reference != d.new.reference {
        stem.push_str(&format!("-to-{}", sanitise(&d.new.reference)));
    }
    if d.old.catalogue_version != d.new.catalogue_version {
        stem.push_str(&format!(
            "-{}-to-{}",
            sanitise(&d.old.catalogue_version),
            sanitise(&d.new.catalogue_version)
        ));
    }
    stem.push_str("-changes");
    stem
}
