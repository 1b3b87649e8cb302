//! `secannex init`: collect the answers (options, `--from`, prompts), then write
//! the questionnaire the library builds from them (`crate::init`).
//!
//! Answers given as options or in the `--from` file are kept and not asked again;
//! on a terminal every other question is asked, each choice explained with the
//! catalogue's descriptions, with the number of clauses selected so far after each
//! block. Without a terminal (or with `--no-input`) nothing is asked: every
//! missing required answer is reported at once, with the option that gives it.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use inquire::validator::Validation;
use inquire::{Confirm, InquireError, MultiSelect, Select, Text};

use super::exit;
use super::files::{self, ReadError};
use crate::catalogue::{ParamKind, ParamValue};
use crate::diag::{self, Diagnostic};
use crate::facts;
use crate::generate::Resources;
use crate::init::{self, Answers, Lifecycle, LotAnswers, Profile};
use crate::questionnaire::Exclusion;
use crate::select::{LeftOutKind, Selection};
use crate::yaml::SourceFile;

/// Exit code when the user cancels the questions (Esc or Ctrl-C), as shells report
/// a command stopped by Ctrl-C.
pub const CANCELLED: u8 = 130;

/// Options of `secannex init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The questionnaire to write.
    #[arg(value_name = "OUTPUT", default_value = "questionnaire.yaml")]
    pub output: PathBuf,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// Ask nothing: take every answer from the options and --from (also when
    /// standard input is not a terminal).
    #[arg(long)]
    pub no_input: bool,
    /// Start from the answers of a partial questionnaire; options override them.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// procurement.title
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub title: Option<String>,
    /// procurement.reference (output file names derive from it)
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub reference: Option<String>,
    /// procurement.buyer
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub buyer: Option<String>,
    /// procurement.procedure: open, restricted, competitive-dialogue, negotiated,
    /// framework-agreement, mini-competition (default open)
    #[arg(long, value_name = "ID", help_heading = "Answers")]
    pub procedure: Option<String>,
    /// procurement.language: a template language (default en)
    #[arg(long, value_name = "LANG", help_heading = "Answers")]
    pub language: Option<String>,
    /// procurement.date (YYYY-MM-DD; default: the day the annex is generated)
    #[arg(long, value_name = "DATE", help_heading = "Answers")]
    pub date: Option<String>,
    /// asset.category: an asset category of the catalogue
    #[arg(long, value_name = "ID", help_heading = "Answers")]
    pub category: Option<String>,
    /// asset.subtypes, one or more (default: every sub-type of the category)
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Answers"
    )]
    pub subtype: Vec<String>,
    /// asset.description
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub description: Option<String>,
    /// asset.medical_device: --medical-device for yes, --medical-device=no for no
    #[arg(long, value_name = "yes|no", num_args = 0..=1, require_equals = true,
          default_missing_value = "yes", value_parser = yes_no, help_heading = "Answers")]
    pub medical_device: Option<bool>,
    /// connectivity, comma-separated ids, or none
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Answers"
    )]
    pub connectivity: Option<Vec<String>>,
    /// data, comma-separated ids, or none
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Answers"
    )]
    pub data: Option<Vec<String>>,
    /// services, comma-separated ids, or none
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Answers"
    )]
    pub services: Option<Vec<String>>,
    /// criticality.patient_safety: high, medium, low
    #[arg(long, value_name = "LEVEL", help_heading = "Answers")]
    pub patient_safety: Option<String>,
    /// criticality.availability: critical, high, normal
    #[arg(long, value_name = "LEVEL", help_heading = "Answers")]
    pub availability: Option<String>,
    /// lifecycle.expected_years (1 to 50)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50),
          help_heading = "Answers")]
    pub expected_years: Option<u32>,
    /// lifecycle.integrates_with_legacy: --legacy for yes, --legacy=no for no
    #[arg(long, value_name = "yes|no", num_args = 0..=1, require_equals = true,
          default_missing_value = "yes", value_parser = yes_no, help_heading = "Answers")]
    pub legacy: Option<bool>,
    /// options.parameters: change a parameter, e.g. --set critical_patch_days=10 (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", help_heading = "Answers")]
    pub set: Vec<String>,
    /// options.exclude: leave a clause out, with the reason, e.g.
    /// --exclude "SRC-TRAIN-02=staff follow the hospital programme" (repeatable)
    #[arg(
        long,
        value_name = "ID=REASON",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub exclude: Vec<String>,
    /// options.include: add clauses whose condition does not hold (comma-separated)
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Answers"
    )]
    pub include: Vec<String>,
    /// lots: add a lot that inherits every answer, e.g. --lot "lot-1=Volumetric pumps"
    /// (repeatable; lots that differ are described in the --from file or when asked)
    #[arg(
        long,
        value_name = "ID=TITLE",
        allow_hyphen_values = true,
        help_heading = "Answers"
    )]
    pub lot: Vec<String>,
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err("expected yes or no".into()),
    }
}

/// Run `secannex init`; returns the exit code.
pub fn run(args: &InitArgs, res: &Resources, quiet: bool) -> u8 {
    let out = &args.output;
    if out.is_dir() {
        eprintln!(
            "error: {} is a directory; give the name of the questionnaire file to write, e.g. {}",
            out.display(),
            out.join("questionnaire.yaml").display()
        );
        return exit::USAGE;
    }
    if out.exists() && !args.force {
        eprintln!(
            "error: {} already exists; give --force to replace it, or another file name",
            out.display()
        );
        return exit::USAGE;
    }
    let mut answers = match &args.from {
        Some(path) => match read_partial(path, res) {
            Ok(a) => a,
            Err(code) => return code,
        },
        None => Answers::default(),
    };
    if let Err(problems) = apply_options(args, &mut answers, res) {
        for p in problems {
            eprintln!("error: {p}");
        }
        return exit::USAGE;
    }
    let interactive =
        !args.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive {
        inquire::set_global_render_config(inquire::ui::RenderConfig::empty());
        match ask(&mut answers, res, args.from.as_deref()) {
            Ok(()) => {}
            Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => {
                eprintln!("cancelled: nothing written");
                return CANCELLED;
            }
            Err(e) => {
                eprintln!(
                    "error: cannot ask the questions on this terminal: {e}; use --no-input with options instead"
                );
                return exit::IO;
            }
        }
    } else {
        let missing = init::missing(&answers);
        if !missing.is_empty() {
            eprint!("{}", missing_report(&missing));
            return exit::INVALID;
        }
    }
    write(&answers, res, out, args.force, quiet)
}

/// Check the answers with the real loader and write them atomically.
fn write(answers: &Answers, res: &Resources, out: &Path, force: bool, quiet: bool) -> u8 {
    let name = out.display().to_string();
    let languages = &res.templates.languages;
    let (q, diags) = init::check(answers, &res.catalogue, languages, &name);
    if q.is_none() {
        eprint!("{}", diag::render_all(&diags));
        eprintln!("error: these answers do not make a valid questionnaire; nothing written");
        return exit::INVALID;
    }
    // Asked questions take time: the file may have appeared meanwhile.
    if out.exists() && !force {
        eprintln!(
            "error: {} already exists; give --force to replace it, or another file name",
            out.display()
        );
        return exit::USAGE;
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(file_name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        eprintln!("error: {name} is not a file name");
        return exit::USAGE;
    };
    let text = init::questionnaire_yaml(answers, &res.catalogue);
    if let Err(e) = files::write_all_atomic(dir, &[(file_name, text.as_bytes())]) {
        eprintln!("error: {}", e.0);
        return exit::IO;
    }
    // Warnings (plausibility) point into the file just written.
    if !diags.is_empty() {
        eprint!("{}", diag::render_all(&diags));
    }
    if !quiet {
        let counts = init::selection(answers, &res.catalogue, languages)
            .map(|s| count_text(&s))
            .unwrap_or_default();
        println!("wrote {name}: {counts}");
        println!("next: secannex generate {name} -o out");
    }
    exit::OK
}

fn read_partial(path: &Path, res: &Resources) -> Result<Answers, u8> {
    let name = path.display().to_string();
    let bytes = files::read_input(path).map_err(|e| match e {
        ReadError::Io(e) => {
            eprintln!("error: {}", e.0);
            exit::IO
        }
        ReadError::Invalid(d) => {
            eprint!("{}", diag::render_all(&[d]));
            exit::INVALID
        }
    })?;
    let file = SourceFile::from_bytes(&name, &bytes).map_err(|d| {
        eprint!("{}", diag::render_all(&[d]));
        exit::INVALID
    })?;
    init::from_partial(&file, &res.catalogue, &res.templates.languages).map_err(|diags| {
        eprint!("{}", diag::render_all(&diags));
        eprintln!(
            "error: {name} has {} error(s); nothing written",
            diags.len()
        );
        exit::INVALID
    })
}

/// The option that gives each required answer.
const FLAGS: [(&str, &str); 12] = [
    ("procurement.title", "--title TEXT"),
    ("procurement.reference", "--reference TEXT"),
    ("procurement.buyer", "--buyer TEXT"),
    ("asset.category", "--category ID"),
    (
        "asset.medical_device",
        "--medical-device or --medical-device=no",
    ),
    ("connectivity", "--connectivity LIST (or none)"),
    ("data", "--data LIST (or none)"),
    ("services", "--services LIST (or none)"),
    (
        "criticality.patient_safety",
        "--patient-safety high|medium|low",
    ),
    (
        "criticality.availability",
        "--availability critical|high|normal",
    ),
    ("lots.id", "`id:` of the lot in the --from file"),
    ("lots.title", "`title:` of the lot in the --from file"),
];

/// Every missing answer, with the option that gives it.
fn missing_report(missing: &[init::Missing]) -> String {
    let mut s = format!(
        "error: {} required answer(s) missing; nothing written\n",
        missing.len()
    );
    for m in missing {
        let flag = FLAGS
            .iter()
            .find(|(k, _)| *k == m.field)
            .map_or("", |(_, f)| f);
        s.push_str(&format!("  {:<28} {flag}\n", m.key));
    }
    s.push_str("  = help: give them as options or in a partial questionnaire (--from FILE), or run `secannex init` in a terminal to be asked\n");
    s
}

/// Put the options into the answers (they override `--from`); problems with
/// the values of options, worded for the command line.
fn apply_options(args: &InitArgs, a: &mut Answers, res: &Resources) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let c = &res.catalogue;
    let set_text = |to: &mut Option<String>, from: &Option<String>| {
        if from.is_some() {
            to.clone_from(from);
        }
    };
    set_text(&mut a.title, &args.title);
    set_text(&mut a.reference, &args.reference);
    set_text(&mut a.buyer, &args.buyer);
    if let Some(p) = &args.procedure {
        check_ids(
            &mut problems,
            "procedure",
            std::slice::from_ref(p),
            &facts::ids(facts::PROCEDURES),
        );
        a.procedure = Some(p.clone());
    }
    if let Some(l) = &args.language {
        let languages: Vec<&str> = res.templates.languages.iter().map(String::as_str).collect();
        check_ids(
            &mut problems,
            "language",
            std::slice::from_ref(l),
            &languages,
        );
        a.language = Some(l.clone());
    }
    if let Some(d) = &args.date {
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() || d.len() != 10 {
            problems.push(format!(
                "invalid value `{d}` for '--date': expected a date written YYYY-MM-DD, e.g. 2027-01-15"
            ));
        }
        a.date = Some(d.clone());
    }
    let p = &mut a.profile;
    if let Some(cat) = &args.category {
        let ids: Vec<&str> = c.assets.iter().map(|x| x.id.as_str()).collect();
        check_ids_or(
            &mut problems,
            "category",
            std::slice::from_ref(cat),
            &ids,
            |word| crate::questionnaire::category_hint(&c.assets, word),
        );
        if p.category.as_ref() != Some(cat) {
            // Sub-types belong to a category: those of another one do not carry over.
            p.subtypes = None;
        }
        p.category = Some(cat.clone());
    }
    if !args.subtype.is_empty() {
        if let Some(asset) = p.category.as_deref().and_then(|cat| c.asset(cat)) {
            let ids: Vec<&str> = asset.subtypes.iter().map(|(id, _)| id.as_str()).collect();
            check_ids(&mut problems, "subtype", &args.subtype, &ids);
        }
        p.subtypes = Some(args.subtype.clone());
    }
    set_text(&mut p.description, &args.description);
    if args.medical_device.is_some() {
        p.medical_device = args.medical_device;
    }
    for (flag, given, into, vocab) in [
        (
            "connectivity",
            &args.connectivity,
            &mut p.connectivity,
            facts::CONNECTIVITY,
        ),
        ("data", &args.data, &mut p.data, facts::DATA),
        ("services", &args.services, &mut p.services, facts::SERVICES),
    ] {
        if let Some(values) = given {
            let values: Vec<String> = values
                .iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty() && v != "none")
                .collect();
            check_ids(&mut problems, flag, &values, &facts::ids(vocab));
            *into = Some(values);
        }
    }
    if let Some(l) = &args.patient_safety {
        check_ids(
            &mut problems,
            "patient-safety",
            std::slice::from_ref(l),
            &facts::ids(facts::PATIENT_SAFETY),
        );
        p.patient_safety = Some(l.clone());
    }
    if let Some(l) = &args.availability {
        check_ids(
            &mut problems,
            "availability",
            std::slice::from_ref(l),
            &facts::ids(facts::AVAILABILITY),
        );
        p.availability = Some(l.clone());
    }
    if args.expected_years.is_some() || args.legacy.is_some() {
        let l = p.lifecycle.get_or_insert_with(Lifecycle::default);
        if args.expected_years.is_some() {
            l.expected_years = args.expected_years;
        }
        if args.legacy.is_some() {
            l.integrates_with_legacy = args.legacy;
        }
    }
    let clause_ids: Vec<&str> = c.clauses.iter().map(|x| x.id.as_str()).collect();
    for s in &args.set {
        let Some((name, value)) = s.split_once('=') else {
            problems.push(format!(
                "invalid value `{s}` for '--set': expected NAME=VALUE, e.g. critical_patch_days=10"
            ));
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        let value = match c.parameter(name).map(|d| &d.kind) {
            Some(ParamKind::Integer { .. }) => match value.parse::<i64>() {
                Ok(i) => ParamValue::Integer(i),
                Err(_) => {
                    problems.push(format!(
                        "invalid value `{value}` for '--set {name}': expected a whole number"
                    ));
                    continue;
                }
            },
            Some(ParamKind::Text { .. }) => ParamValue::Text(value.to_string()),
            None => {
                check_ids(
                    &mut problems,
                    "set",
                    &[name.to_string()],
                    &c.parameter_names(),
                );
                continue;
            }
        };
        p.options.parameters.insert(name.to_string(), value);
    }
    for e in &args.exclude {
        let Some((id, reason)) = e.split_once('=') else {
            problems.push(format!(
                "invalid value `{e}` for '--exclude': expected ID=REASON; every exclusion needs a reason"
            ));
            continue;
        };
        let id = id.trim().to_string();
        check_ids(
            &mut problems,
            "exclude",
            std::slice::from_ref(&id),
            &clause_ids,
        );
        p.options.exclude.retain(|x| x.clause != id);
        p.options.exclude.push(Exclusion {
            clause: id,
            reason: reason.trim().to_string(),
        });
    }
    for id in &args.include {
        let id = id.trim().to_string();
        check_ids(
            &mut problems,
            "include",
            std::slice::from_ref(&id),
            &clause_ids,
        );
        if !p.options.include.contains(&id) {
            p.options.include.push(id);
        }
    }
    for l in &args.lot {
        let (id, title) = match l.split_once('=') {
            Some((id, title)) => (id.trim().to_string(), title.trim().to_string()),
            None => {
                problems.push(format!(
                    "invalid value `{l}` for '--lot': expected ID=TITLE, e.g. \"lot-1=Volumetric pumps\""
                ));
                continue;
            }
        };
        if let Some(problem) = lot_id_problem(&id, a.lots.iter().filter_map(|x| x.id.as_deref())) {
            problems.push(format!("invalid value `{id}` for '--lot': {problem}"));
        }
        a.lots.push(LotAnswers {
            id: Some(id),
            title: Some(title),
            profile: Profile::default(),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Report each of `values` not in `allowed`, with a "did you mean".
fn check_ids(problems: &mut Vec<String>, flag: &str, values: &[String], allowed: &[&str]) {
    check_ids_or(problems, flag, values, allowed, |_| None);
}

/// As `check_ids`, with `hint` for a value that is neither close to an id nor a
/// known synonym of one (as the questionnaire loader does).
fn check_ids_or(
    problems: &mut Vec<String>,
    flag: &str,
    values: &[String],
    allowed: &[&str],
    hint: impl Fn(&str) -> Option<String>,
) {
    for v in values {
        if !allowed.contains(&v.as_str()) {
            let hint = facts::suggest(v, allowed, &hint)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            problems.push(format!(
                "unknown value `{v}` for '--{flag}': expected one of {}{hint}",
                allowed.join(", ")
            ));
        }
    }
}

/// Why `id` cannot be a lot id, if it cannot (the loader's rule).
fn lot_id_problem<'a>(id: &str, taken: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let simple = (1..=40).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-');
    if !simple {
        return Some(
            "a lot id has lower-case letters, digits and dashes, at most 40, e.g. lot-1".into(),
        );
    }
    if taken.into_iter().any(|t| t == id) {
        return Some(format!("there is already a lot `{id}`"));
    }
    None
}

/// "57 clauses selected (41 for bidders, 16 buyer actions)", or per lot.
fn count_text(selections: &[Selection]) -> String {
    let one = |s: &Selection| {
        let bidders = s.selected.iter().filter(|c| c.role.is_supplier()).count();
        (s.selected.len(), bidders, s.selected.len() - bidders)
    };
    match selections {
        [s] if s.lot.is_none() => {
            let (n, b, k) = one(s);
            format!("{n} clauses selected ({b} for bidders, {k} buyer actions)")
        }
        _ => selections
            .iter()
            .map(|s| {
                let (n, b, _) = one(s);
                let id = s.lot.as_ref().map_or("", |l| l.id.as_str());
                format!("{id}: {n} clauses ({b} for bidders)")
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

// ---------------------------------------------------------------------------
// The questions.

type Asked<T> = Result<T, InquireError>;

/// Ask every question the answers do not settle yet.
fn ask(a: &mut Answers, res: &Resources, from: Option<&Path>) -> Asked<()> {
    eprintln!(
        "secannex init: questions about the purchase, for the cybersecurity annex of the call for tenders."
    );
    eprintln!(
        "Enter accepts, arrows move, space ticks a box, Esc or Ctrl-C cancels (nothing is written)."
    );
    if let Some(f) = from {
        eprintln!(
            "Answers from {} and the options are kept; only the others are asked.",
            f.display()
        );
    }
    heading("The procurement");
    if a.title.is_none() {
        a.title = Some(ask_text(a, res, "Title of the procurement:", |a, v| {
            a.title = v
        })?);
    } else {
        kept("title", a.title.as_deref());
    }
    if a.reference.is_none() {
        a.reference = Some(ask_text(
            a,
            res,
            "Tender reference (output file names are made from it):",
            |a, v| a.reference = v,
        )?);
    } else {
        kept("reference", a.reference.as_deref());
    }
    if a.buyer.is_none() {
        a.buyer = Some(ask_text(
            a,
            res,
            "Contracting authority (the buyer):",
            |a, v| a.buyer = v,
        )?);
    } else {
        kept("buyer", a.buyer.as_deref());
    }
    if a.procedure.is_none() {
        a.procedure = Some(choose(
            "Procedure:",
            facts::PROCEDURES
                .iter()
                .map(|(id, about)| (id.to_string(), format!("{id} — {about}")))
                .collect(),
            "open",
        )?);
    } else {
        kept("procedure", a.procedure.as_deref());
    }
    if a.language.is_none() {
        let langs = &res.templates.languages;
        a.language = Some(match langs.as_slice() {
            [only] => {
                eprintln!("  annex language: {only} (the only one the templates provide)");
                only.clone()
            }
            _ => choose(
                "Annex language:",
                langs.iter().map(|l| (l.clone(), l.clone())).collect(),
                "en",
            )?,
        });
    } else {
        kept("language", a.language.as_deref());
    }
    if a.date.is_none() {
        let date = Text::new(
            "Annex date (YYYY-MM-DD), or leave empty for the day the annex is generated:",
        )
        .with_validator(|s: &str| {
            let s = s.trim();
            Ok(
                if s.is_empty()
                    || (s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
                {
                    Validation::Valid
                } else {
                    Validation::Invalid("write the date as YYYY-MM-DD, e.g. 2027-01-15".into())
                },
            )
        })
        .prompt()?;
        let date = date.trim();
        a.date = (!date.is_empty()).then(|| date.to_string());
    } else {
        kept("date", a.date.as_deref());
    }

    let mut profile = std::mem::take(&mut a.profile);
    ask_profile(&mut profile, None, a, res)?;
    a.profile = profile;

    if a.profile.options.parameters.is_empty()
        && a.profile.options.exclude.is_empty()
        && a.profile.options.include.is_empty()
    {
        heading("Tailoring (optional)");
        if Confirm::new("Change parameters, leave clauses out or add clauses?")
            .with_default(false)
            .with_help_message(
                "most buyers keep the catalogue's choices; you can edit the file later",
            )
            .prompt()?
        {
            ask_options(a, res, None)?;
            show_count(a, res);
        }
    } else {
        kept("options", Some("as given"));
    }

    ask_lots(a, res)?;
    Ok(())
}

fn heading(title: &str) {
    eprintln!("\n── {title} ──");
}

fn kept(what: &str, value: Option<&str>) {
    eprintln!("  {what}: {} (given)", value.unwrap_or(""));
}

/// "N clauses selected so far", counted by the real loader and selection.
fn show_count(a: &Answers, res: &Resources) {
    match init::selection(a, &res.catalogue, &res.templates.languages) {
        Ok(s) => eprintln!("  → so far: {}", count_text(&s)),
        Err(d) => eprintln!(
            "  → cannot count yet: {}",
            d.first().map_or("", |d| d.message.as_str())
        ),
    }
}

/// A required text, checked by the real loader as it is typed in: what it says
/// is wrong (empty, too long, a character the annex fonts cannot print...) is
/// shown under the prompt and the question stays.
fn ask_text(
    a: &Answers,
    res: &Resources,
    question: &str,
    set: fn(&mut Answers, Option<String>),
) -> Asked<String> {
    let base = a.clone();
    let validator = move |s: &str| {
        let mut t = base.clone();
        set(&mut t, Some(s.trim().to_string()));
        Ok(match problem(&t, res) {
            None => Validation::Valid,
            Some(p) => Validation::Invalid(p.into()),
        })
    };
    Ok(Text::new(question)
        .with_validator(validator)
        .prompt()?
        .trim()
        .to_string())
}

/// The first error the loader finds in the answers so far, worded for a prompt.
fn problem(a: &Answers, res: &Resources) -> Option<String> {
    let diags = init::selection(a, &res.catalogue, &res.templates.languages).err()?;
    diags.first().map(|d: &Diagnostic| match &d.help {
        Some(h) => format!("{}: {h}", d.message),
        None => d.message.clone(),
    })
}

/// One id out of `options` (id, label), the cursor on `default`.
fn choose(question: &str, options: Vec<(String, String)>, default: &str) -> Asked<String> {
    let start = options
        .iter()
        .position(|(id, _)| id == default)
        .unwrap_or(0);
    let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
    let picked = Select::new(question, labels)
        .with_formatter(&|o| id_of(o.value).to_string())
        .with_starting_cursor(start)
        .with_page_size(12)
        .raw_prompt()?;
    Ok(options[picked.index].0.clone())
}

/// Some ids out of `options` (id, label), those in `ticked` ticked.
fn choose_many(
    question: &str,
    options: Vec<(String, String)>,
    ticked: &[String],
    help: &str,
) -> Asked<Vec<String>> {
    let defaults: Vec<usize> = options
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| ticked.contains(id))
        .map(|(i, _)| i)
        .collect();
    let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
    let picked = MultiSelect::new(question, labels)
        .with_formatter(&|picked| match picked {
            [] => "none".to_string(),
            _ => picked
                .iter()
                .map(|o| id_of(o.value))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .with_default(&defaults)
        .with_page_size(12)
        .with_help_message(help)
        .raw_prompt()?;
    Ok(picked
        .into_iter()
        .map(|p| options[p.index].0.clone())
        .collect())
}

/// What an answer line shows of a label: the id before ` — `, or the label.
fn id_of(label: &str) -> &str {
    label.split(" — ").next().unwrap_or(label)
}

fn vocabulary(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(id, about)| (id.to_string(), format!("{id} — {about}")))
        .collect()
}

const TICK_HELP: &str =
    "space ticks or unticks, → ticks all, ← unticks all, Enter accepts; none ticked: none";

/// The questions about what is bought, into `p`. For a lot, `lot` is the lot's
/// index and `p` holds only its overrides; the top level's answers are the
/// defaults, and only the blocks the buyer says differ are asked.
fn ask_profile(p: &mut Profile, lot: Option<usize>, a: &Answers, res: &Resources) -> Asked<()> {
    let c = &res.catalogue;
    // Answers so far, with this profile in its place: what counts are made on.
    let with = |p: &Profile| {
        let mut t = a.clone();
        match lot {
            Some(i) => t.lots[i].profile = p.clone(),
            None => t.profile = p.clone(),
        }
        t
    };
    let top = &a.profile;
    let blocks = crate::questionnaire::ANSWER_BLOCKS;
    let differ: Vec<String> = match lot {
        None => blocks.iter().map(|b| b.to_string()).collect(),
        Some(_) => choose_many(
            "What differs in this lot from the answers above?",
            blocks
                .iter()
                .map(|b| (b.to_string(), b.to_string()))
                .collect(),
            &[],
            "tick the blocks to answer again for this lot; the others are inherited",
        )?,
    };
    let asks = |b: &str| differ.iter().any(|d| d == b);
    if differ.is_empty() {
        show_count(&with(p), res);
    }

    if asks("asset") {
        if lot.is_none() {
            heading("What is bought");
        }
        if p.category.is_none() {
            eprintln!("Asset categories of the catalogue:");
            for asset in &c.assets {
                eprintln!("  {} ({})", asset.title, asset.id);
                for l in wrap_text(&asset.description, 76) {
                    eprintln!("      {l}");
                }
            }
            let default = top.category.clone().unwrap_or_default();
            p.category = Some(choose(
                "Asset category:",
                c.assets
                    .iter()
                    .map(|x| (x.id.clone(), format!("{} ({})", x.title, x.id)))
                    .collect(),
                &default,
            )?);
        } else {
            kept("asset category", p.category.as_deref());
        }
        let asset = p.category.as_deref().and_then(|id| c.asset(id));
        if p.subtypes.is_none()
            && let Some(asset) = asset
            && !asset.subtypes.is_empty()
        {
            let picked = choose_many(
                "Which kinds of this category? (none ticked: all of them)",
                asset
                    .subtypes
                    .iter()
                    .map(|(id, title)| (id.clone(), format!("{id} — {title}")))
                    .collect(),
                &[],
                "clauses specific to a kind apply only when it is ticked, or when none is ticked",
            )?;
            p.subtypes = (!picked.is_empty()).then_some(picked);
        }
        if p.description.is_none() {
            let d = Text::new("Short description of what is bought (optional, Enter to skip):")
                .prompt()?;
            let d = d.trim();
            p.description = (!d.is_empty()).then(|| d.to_string());
        }
        if p.medical_device.is_none() {
            let typical = asset.is_some_and(|x| x.typical.medical_device);
            p.medical_device = Some(
                Confirm::new("Is it placed on the market as a medical device (MDR or IVDR)?")
                    .with_default(top.medical_device.unwrap_or(typical))
                    .prompt()?,
            );
        }
        show_count(&with(p), res);
    }
    let typical = p
        .category
        .as_deref()
        .or(top.category.as_deref())
        .and_then(|id| c.asset(id))
        .map(|x| x.typical.clone());
    let default_list =
        |mine: &Option<Vec<String>>, theirs: &Option<Vec<String>>, t: Option<&Vec<String>>| {
            mine.clone()
                .or_else(|| theirs.clone())
                .or_else(|| t.cloned())
                .unwrap_or_default()
        };
    type Getter = fn(&mut Profile) -> &mut Option<Vec<String>>;
    // (block, question, vocabulary, the answer in a profile, a typical purchase's answer)
    type ListQuestion<'v> = (
        &'v str,
        &'v str,
        &'v [(&'v str, &'v str)],
        Getter,
        Option<&'v Vec<String>>,
    );
    let lists: [ListQuestion; 3] = [
        (
            "connectivity",
            "How does it connect? Tick every way.",
            facts::CONNECTIVITY,
            |p| &mut p.connectivity,
            typical.as_ref().map(|t| &t.connectivity),
        ),
        (
            "data",
            "What data does it store or process?",
            facts::DATA,
            |p| &mut p.data,
            typical.as_ref().map(|t| &t.data),
        ),
        (
            "services",
            "What does the supplier deliver besides the goods?",
            facts::SERVICES,
            |p| &mut p.services,
            typical.as_ref().map(|t| &t.services),
        ),
    ];
    for (block, question, vocab, field, typical_list) in lists {
        if !asks(block) {
            continue;
        }
        let mut top_copy = top.clone();
        let theirs = field(&mut top_copy).clone();
        let slot = field(p);
        if slot.is_some() {
            kept(block, Some(&slot.as_deref().unwrap_or_default().join(", ")));
            continue;
        }
        if lot.is_none() {
            heading(match block {
                "connectivity" => "Connectivity",
                "data" => "Data",
                _ => "Services",
            });
        }
        let ticked = default_list(&*slot, &theirs, typical_list);
        *slot = Some(choose_many(
            question,
            vocabulary(vocab),
            &ticked,
            &format!("{TICK_HELP} (pre-ticked: a typical purchase of this category)"),
        )?);
        show_count(&with(p), res);
    }
    if asks("criticality") {
        if lot.is_none() {
            heading("Criticality");
        }
        if p.patient_safety.is_none() {
            let d = top
                .patient_safety
                .clone()
                .or(typical.as_ref().map(|t| t.patient_safety.clone()))
                .unwrap_or_default();
            p.patient_safety = Some(choose(
                "Patient safety: what could a failure or a compromise do?",
                vocabulary(facts::PATIENT_SAFETY),
                &d,
            )?);
        } else {
            kept("patient safety", p.patient_safety.as_deref());
        }
        if p.availability.is_none() {
            let d = top
                .availability
                .clone()
                .or(typical.as_ref().map(|t| t.availability.clone()))
                .unwrap_or_default();
            p.availability = Some(choose(
                "Availability: how long an outage can be tolerated?",
                vocabulary(facts::AVAILABILITY),
                &d,
            )?);
        } else {
            kept("availability", p.availability.as_deref());
        }
        show_count(&with(p), res);
    }
    if asks("lifecycle") {
        if p.lifecycle.is_none() {
            if lot.is_none() {
                heading("Service life");
            }
            let inherited = top.lifecycle.clone().unwrap_or_default();
            let years_default = inherited
                .expected_years
                .or(typical.as_ref().and_then(|t| t.expected_years))
                .map(|y| y.to_string())
                .unwrap_or_default();
            let years = Text::new("Expected service life in years (1 to 50; empty: not stated):")
                .with_default(&years_default)
                .with_validator(|s: &str| {
                    let s = s.trim();
                    Ok(match s.parse::<u32>() {
                        _ if s.is_empty() => Validation::Valid,
                        Ok(y) if (1..=50).contains(&y) => Validation::Valid,
                        _ => Validation::Invalid("a whole number of years from 1 to 50".into()),
                    })
                })
                .prompt()?;
            let legacy = Confirm::new(
                "Must it work with systems no longer supported by their makers (legacy)?",
            )
            .with_default(
                inherited
                    .integrates_with_legacy
                    .or(typical.as_ref().map(|t| t.integrates_with_legacy))
                    .unwrap_or(false),
            )
            .prompt()?;
            p.lifecycle = Some(Lifecycle {
                expected_years: years.trim().parse().ok(),
                integrates_with_legacy: Some(legacy),
            });
            show_count(&with(p), res);
        } else {
            kept("lifecycle", Some("as given"));
        }
    }
    Ok(())
}

/// The options block the tailoring questions fill: the top level's, or a lot's
/// (which the loader merges with the top level's: parameters by name, the
/// exclusions and inclusions added up).
fn options_of(a: &mut Answers, lot: Option<usize>) -> &mut init::Options {
    match lot {
        Some(i) if i < a.lots.len() => &mut a.lots[i].profile.options,
        _ => &mut a.profile.options,
    }
}

/// Parameters relevant to the selection, exclusions (each with a reason) and
/// inclusions, for the top level or for one lot.
fn ask_options(a: &mut Answers, res: &Resources, lot: Option<usize>) -> Asked<()> {
    let c = &res.catalogue;
    let Ok(selections) = init::selection(a, c, &res.templates.languages) else {
        return Ok(());
    };
    // With lots, there is one selection per lot; without, one in all.
    let Some(sel) = selections.get(lot.unwrap_or(0)) else {
        return Ok(());
    };
    // Parameters of the selected clauses, and the award share when award criteria are in.
    let mut params: Vec<(String, String)> = Vec::new();
    for setting in sel.selected.iter().flat_map(|x| &x.parameters) {
        if !params.iter().any(|(n, _)| n == &setting.name) {
            let unit = if setting.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", setting.unit)
            };
            params.push((
                setting.name.clone(),
                format!(
                    "{}: {}{unit} ({})",
                    setting.label, setting.value, setting.name
                ),
            ));
        }
    }
    if let (Some(share), Some(p)) = (sel.award_share, &c.meta.award_share) {
        params.push((p.name.clone(), format!("{}: {share} ({})", p.label, p.name)));
    }
    if !params.is_empty() {
        let chosen = choose_many(
            "Which parameters do you want to change?",
            params,
            &[],
            "the values the selected clauses use now; tick those to change",
        )?;
        for name in chosen {
            let Some(decl) = c.parameter(&name) else {
                continue;
            };
            let current = sel
                .selected
                .iter()
                .flat_map(|x| &x.parameters)
                .find(|s| s.name == name)
                .map(|s| s.value.to_string())
                .or(sel.award_share.map(|s| s.to_string()))
                .unwrap_or_default();
            let value = match &decl.kind {
                ParamKind::Integer { min, max, unit, .. } => {
                    let (min, max) = (*min, *max);
                    let question = format!("{} ({unit}, {min} to {max}):", decl.label);
                    let v = Text::new(&question)
                        .with_default(&current)
                        .with_validator(move |s: &str| {
                            Ok(match s.trim().parse::<i64>() {
                                Ok(v) if (min..=max).contains(&v) => Validation::Valid,
                                _ => Validation::Invalid(
                                    format!("a whole number from {min} to {max}").into(),
                                ),
                            })
                        })
                        .prompt()?;
                    ParamValue::Integer(v.trim().parse().unwrap_or(min))
                }
                ParamKind::Text { .. } => {
                    let question = format!("{}:", decl.label);
                    let v = Text::new(&question)
                        .with_default(&current)
                        .with_validator(|s: &str| {
                            Ok(if s.trim().is_empty() {
                                Validation::Invalid("the value cannot be empty".into())
                            } else {
                                Validation::Valid
                            })
                        })
                        .prompt()?;
                    ParamValue::Text(v.trim().to_string())
                }
            };
            options_of(a, lot).parameters.insert(name, value);
        }
    }
    let excluded = choose_many(
        "Leave clauses out? (each needs a reason)",
        sel.selected
            .iter()
            .map(|x| (x.id.clone(), format!("{} — {}", x.id, x.title)))
            .collect(),
        &[],
        "the clauses selected now; tick those that do not apply, Enter when done",
    )?;
    for id in excluded {
        let question = format!("Why does {id} not apply?");
        let base = a.clone();
        let clause = id.clone();
        let reason = Text::new(&question)
            .with_validator(move |s: &str| {
                let mut t = base.clone();
                options_of(&mut t, lot).exclude.push(Exclusion {
                    clause: clause.clone(),
                    reason: s.trim().to_string(),
                });
                Ok(match problem(&t, res) {
                    None => Validation::Valid,
                    Some(p) => Validation::Invalid(p.into()),
                })
            })
            .prompt()?;
        options_of(a, lot).exclude.push(Exclusion {
            clause: id,
            reason: reason.trim().to_string(),
        });
    }
    let left_out: Vec<(String, String)> = sel
        .left_out
        .iter()
        .filter(|x| x.kind == LeftOutKind::NotApplicable)
        .map(|x| (x.id.clone(), format!("{} — {}", x.id, x.title)))
        .collect();
    if !left_out.is_empty() {
        options_of(a, lot).include = choose_many(
            "Add clauses whose condition does not hold?",
            left_out,
            &[],
            "the clauses left out now; tick those to add, Enter when done",
        )?;
    }
    Ok(())
}

/// Lots: each with an id, a title and what differs from the answers above.
fn ask_lots(a: &mut Answers, res: &Resources) -> Asked<()> {
    // Lots given in --from may lack an id or a title.
    for i in 0..a.lots.len() {
        if a.lots[i].id.is_none() {
            a.lots[i].id = Some(ask_lot_id(a, i)?);
        }
        if a.lots[i].title.is_none() {
            let id = a.lots[i].id.clone().unwrap_or_default();
            a.lots[i].title = Some(ask_lot_title(a, res, i, &id)?);
        }
    }
    if !a.lots.is_empty() {
        kept("lots", Some(&format!("{} as given", a.lots.len())));
        show_count(a, res);
        return Ok(());
    }
    heading("Lots");
    let framework = a.procedure.as_deref() == Some("framework-agreement");
    if !Confirm::new("Is the procurement divided into lots (one annex per lot)?")
        .with_default(framework)
        .with_help_message("e.g. a framework agreement whose lots buy different things")
        .prompt()?
    {
        return Ok(());
    }
    loop {
        let i = a.lots.len();
        a.lots.push(LotAnswers::default());
        let id = ask_lot_id(a, i)?;
        a.lots[i].id = Some(id.clone());
        a.lots[i].title = Some(ask_lot_title(a, res, i, &id)?);
        let mut p = Profile::default();
        ask_profile(&mut p, Some(i), a, res)?;
        a.lots[i].profile = p;
        if Confirm::new(&format!(
            "Tailor lot {id} further (parameters, clauses left out or added)?"
        ))
        .with_default(false)
        .with_help_message("on top of the tailoring of the whole procurement")
        .prompt()?
        {
            ask_options(a, res, Some(i))?;
            show_count(a, res);
        }
        if !Confirm::new("Add another lot?")
            .with_default(false)
            .prompt()?
        {
            return Ok(());
        }
    }
}

fn ask_lot_id(a: &Answers, i: usize) -> Asked<String> {
    let taken: Vec<String> = a
        .lots
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .filter_map(|(_, l)| l.id.clone())
        .collect();
    let default = format!("lot-{}", i + 1);
    let id = Text::new(&format!(
        "Lot {} id (lower-case letters, digits, dashes):",
        i + 1
    ))
    .with_default(&default)
    .with_validator(move |s: &str| {
        Ok(
            match lot_id_problem(s.trim(), taken.iter().map(String::as_str)) {
                None => Validation::Valid,
                Some(p) => Validation::Invalid(p.into()),
            },
        )
    })
    .prompt()?;
    Ok(id.trim().to_string())
}

fn ask_lot_title(a: &Answers, res: &Resources, i: usize, id: &str) -> Asked<String> {
    let base = a.clone();
    let question = format!("Title of lot {id}:");
    let title = Text::new(&question)
        .with_validator(move |s: &str| {
            let mut t = base.clone();
            t.lots[i].title = Some(s.trim().to_string());
            Ok(match problem(&t, res) {
                None => Validation::Valid,
                Some(p) => Validation::Invalid(p.into()),
            })
        })
        .prompt()?;
    Ok(title.trim().to_string())
}

/// Wrap at spaces for the category explanations.
fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    init::wrap(&words.join(" "), width)
}
