//! One function per command: gather inputs, call the library, print, pick the exit code.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::files::{self, ReadError};
use super::{CatalogueCommand, Cli, Command, exit};
use crate::catalogue::{self, Catalogue, Phase, Role};
use crate::diag::{self, Diagnostic};
use crate::generate::{self, Format, Resources};
use crate::render::Templates;
use crate::select::{LeftOutKind, Selection};
use crate::write::pdf::PdfEngine;

/// Run a parsed command line.
pub fn run(cli: Cli) -> u8 {
    match &cli.command {
        Command::Generate {
            files,
            output,
            format,
            date,
            jobs,
            fail_fast,
            skip_unchanged,
            json,
        } => generate(
            &cli,
            files,
            output,
            format,
            date.as_deref(),
            *jobs,
            *fail_fast,
            *skip_unchanged,
            *json,
        ),
        Command::Validate { files, json } => validate(&cli, files, *json),
        Command::Select { file, json, date } => select_cmd(&cli, file, *json, date.as_deref()),
        Command::Responses {
            questionnaire,
            matrices,
            json,
        } => responses_cmd(&cli, questionnaire, matrices, *json),
        Command::Diff {
            old,
            new,
            old_catalogue,
            output,
            format,
            json,
            date,
        } => super::diff::run(
            &cli,
            &super::diff::Args {
                old: old.as_deref(),
                new: new.as_deref(),
                old_catalogue: old_catalogue.as_deref(),
                output: output.as_deref(),
                format,
                json: *json,
                date: date.as_deref(),
            },
        ),
        Command::Catalogue(c) => catalogue_cmd(&cli, c),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "secannex",
                &mut std::io::stdout(),
            );
            exit::OK
        }
        Command::Schema => match load_resources(&cli) {
            Ok(res) => {
                let schema = crate::schema::questionnaire(&res.catalogue, &res.templates.languages);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&schema).unwrap_or_default()
                );
                exit::OK
            }
            Err(code) => code,
        },
        Command::Init(args) => match load_resources(&cli) {
            Ok(res) => super::init::run(args, &res, cli.quiet),
            Err(code) => code,
        },
        Command::Man => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => {
                    print!("{}", String::from_utf8_lossy(&page));
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: cannot write the manual page: {e}");
                    exit::IO
                }
            }
        }
    }
}

/// Resources and one valid questionnaire (its name, bytes and model), or the
/// exit code once its problems are printed.
fn load_one(
    cli: &Cli,
    path: &Path,
) -> Result<
    (
        Resources,
        String,
        Vec<u8>,
        crate::questionnaire::Questionnaire,
    ),
    u8,
> {
    let res = load_resources(cli)?;
    let name = path.display().to_string();
    let bytes = files::read_input(path).map_err(report_read_error)?;
    let (q, diags) = generate::load_questionnaire(&res, &name, &bytes);
    eprint_diags(&diags);
    let q = q.ok_or(exit::INVALID)?;
    Ok((res, name, bytes, q))
}

fn responses_cmd(cli: &Cli, questionnaire: &Path, matrices: &[PathBuf], json: bool) -> u8 {
    let (res, name, bytes, q) = match load_one(cli, questionnaire) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let selections = generate::select_all(&res.catalogue, &q);
    let provenance = crate::render::Provenance {
        tool: crate::TOOL.to_string(),
        questionnaire: name,
        questionnaire_sha256: generate::sha256_hex(&bytes),
        templates: res.templates_source.clone(),
        catalogue_source: res.catalogue_source.clone(),
    };
    // The rows and weights do not depend on the date.
    let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let views = generate::lot_views(&res, &q, &selections, date, &provenance);
    let mut code = exit::OK;
    let mut reports = Vec::new();
    for path in matrices {
        let file = path.display().to_string();
        let bytes = match files::read_xlsx(path) {
            Ok(b) => b,
            Err(e) => {
                code = code.max(report_read_error(e));
                continue;
            }
        };
        match crate::responses::check(&file, &bytes, &views) {
            Ok(r) => {
                if r.lots.iter().any(|l| !l.problems.is_empty()) {
                    code = code.max(exit::INVALID);
                }
                reports.push(r);
            }
            Err(d) => {
                eprint_diags(&[d]);
                code = code.max(exit::INVALID);
            }
        }
    }
    if json {
        let value = serde_json::json!({
            "format": "secannex-responses",
            "format_version": 1,
            "tool": crate::TOOL,
            "questionnaire": questionnaire.display().to_string(),
            "bidders": reports,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        print!("{}", crate::responses::summary(&reports));
    }
    code
}

/// The catalogue files (built-in, or `--catalogue DIR`) and where they come from.
fn catalogue_files(cli: &Cli) -> Result<(Vec<catalogue::CatalogueFile>, String), u8> {
    catalogue_files_in(cli.catalogue.as_deref())
}

/// The catalogue files in `dir`, or the built-in ones.
fn catalogue_files_in(dir: Option<&Path>) -> Result<(Vec<catalogue::CatalogueFile>, String), u8> {
    match dir {
        Some(dir) => Ok((
            files::catalogue_dir(dir).map_err(report_read_error)?,
            dir.display().to_string(),
        )),
        None => Ok((files::builtin_catalogue(), "built-in".to_string())),
    }
}

/// Print why an input could not be read, and give the exit code.
pub(super) fn report_read_error(e: ReadError) -> u8 {
    match e {
        ReadError::Io(e) => {
            eprintln!("error: {}", e.0);
            exit::IO
        }
        ReadError::Invalid(d) => {
            eprint_diags(&[d]);
            exit::INVALID
        }
    }
}

pub(super) fn eprint_diags(diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprint!("{}", diag::render_all(diags));
    }
}

/// Load the catalogue (built-in or `--catalogue`); on failure print why and give the exit code.
fn load_catalogue(cli: &Cli) -> Result<(Catalogue, String, Vec<Diagnostic>), u8> {
    load_catalogue_in(cli.catalogue.as_deref())
}

/// Load the catalogue in `dir`, or the built-in one.
pub(super) fn load_catalogue_in(
    dir: Option<&Path>,
) -> Result<(Catalogue, String, Vec<Diagnostic>), u8> {
    let (files, source) = catalogue_files_in(dir)?;
    check_catalogue(&files, source)
}

/// Load catalogue files that have been read; print why if they do not make a
/// usable catalogue.
fn check_catalogue(
    files: &[catalogue::CatalogueFile],
    source: String,
) -> Result<(Catalogue, String, Vec<Diagnostic>), u8> {
    let (catalogue, diags) = catalogue::load(files);
    match catalogue {
        Some(c) => Ok((c, source, diags)),
        None => {
            eprint_diags(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: the catalogue ({source}) has {errors} error(s); run `secannex catalogue lint` for the full report"
            );
            Err(exit::INVALID)
        }
    }
}

/// Resources, and a fingerprint of everything they were built from (catalogue files,
/// template files, tool version), for `--skip-unchanged`. The fingerprint is taken
/// from the very files the resources were built from, read once.
fn load_resources_with_fingerprint(cli: &Cli) -> Result<(Resources, String), u8> {
    let (res, catalogue_files, template_files) = read_resources(cli)?;
    let mut text = String::from(crate::TOOL);
    for f in &catalogue_files {
        text.push_str(&format!(
            "\n{}\n{}",
            f.path,
            generate::sha256_hex(f.source.text.as_bytes())
        ));
    }
    for f in &template_files {
        text.push_str(&format!(
            "\n{}\n{}",
            f.path,
            generate::sha256_hex(f.text.as_bytes())
        ));
    }
    Ok((res, generate::sha256_hex(text.as_bytes())))
}

pub(super) fn load_resources(cli: &Cli) -> Result<Resources, u8> {
    read_resources(cli).map(|(res, ..)| res)
}

/// Resources, with the catalogue and template files they were built from.
fn read_resources(
    cli: &Cli,
) -> Result<
    (
        Resources,
        Vec<catalogue::CatalogueFile>,
        Vec<crate::render::TemplateFile>,
    ),
    u8,
> {
    let (catalogue_files, source) = catalogue_files(cli)?;
    let (catalogue, catalogue_source, _) = check_catalogue(&catalogue_files, source)?;
    let template_files = files::templates(cli.templates.as_deref()).map_err(report_read_error)?;
    let templates = Templates::load(&template_files).map_err(|diags| {
        eprint_diags(&diags);
        exit::INVALID
    })?;
    let templates_source = match &cli.templates {
        Some(d) => format!("built-in, overridden by {}", d.display()),
        None => "built-in".to_string(),
    };
    let res = Resources {
        catalogue,
        catalogue_source,
        templates,
        templates_source,
        pdf: PdfEngine::new(&crate::embedded::FONTS),
    };
    Ok((res, catalogue_files, template_files))
}

/// The fallback annex date: `--date`, else SOURCE_DATE_EPOCH, else today (UTC).
pub(super) fn fallback_date(flag: Option<&str>) -> Result<chrono::NaiveDate, u8> {
    if let Some(d) = flag {
        return chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            eprintln!("error: invalid value '{d}' for '--date': expected a date written YYYY-MM-DD, e.g. 2027-01-15");
            exit::USAGE
        });
    }
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.trim().parse::<i64>().map_err(|_| {
            eprintln!("error: SOURCE_DATE_EPOCH is `{s}`, not a number of seconds since 1970");
            exit::USAGE
        })?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    let days = seconds.div_euclid(86_400);
    Ok(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid") + chrono::Duration::days(days))
}

fn parse_formats(list: &[String]) -> Result<Vec<Format>, u8> {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    Ok(parse_names(list, &names)?
        .into_iter()
        .filter_map(|n| Format::ALL.into_iter().find(|f| f.name() == n))
        .collect())
}

/// The `--format` list: each name one of `allowed`, duplicates dropped, in the
/// order given; an unknown name is a usage error with a suggestion.
pub(super) fn parse_names<'a>(list: &[String], allowed: &[&'a str]) -> Result<Vec<&'a str>, u8> {
    let mut out = Vec::new();
    for name in list {
        let name = name.trim().to_lowercase();
        match allowed.iter().find(|f| **f == name) {
            Some(f) if !out.contains(f) => out.push(*f),
            Some(_) => {}
            None => {
                let hint = diag::did_you_mean(&name, allowed.iter().copied())
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                eprintln!(
                    "error: unknown format `{name}` for '--format': expected a comma-separated list of {}{hint}",
                    allowed.join(", ")
                );
                return Err(exit::USAGE);
            }
        }
    }
    Ok(out)
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per command-line option"
)]
fn generate(
    cli: &Cli,
    inputs: &[PathBuf],
    output: &Path,
    format: &[String],
    date: Option<&str>,
    jobs: Option<usize>,
    fail_fast: bool,
    skip_unchanged: bool,
    json: bool,
) -> u8 {
    let formats = match parse_formats(format) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let date = match fallback_date(date) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if jobs == Some(0) {
        eprintln!("error: invalid value '0' for '--jobs': at least one job is needed");
        return exit::USAGE;
    }
    let (inputs, errors) = super::batch::expand(inputs);
    for e in &errors {
        eprintln!("error: {e}");
    }
    if !errors.is_empty() && inputs.is_empty() {
        return exit::IO;
    }
    let (res, fingerprint) = match load_resources_with_fingerprint(cli) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(output) {
        eprintln!(
            "error: cannot create output directory {}: {}",
            output.display(),
            files::io_reason(&e)
        );
        return exit::IO;
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if formats.contains(&Format::Pdf) || inputs.len() > 1 {
        // typst lays pages out on rayon's global pool, by default one thread per
        // core whatever `--jobs` says, and the batch runs its workers on it. Size
        // it to `--jobs`, so that `--jobs N` keeps N cores busy in all, as
        // `make -j N` does (the pool starts its threads here, so one questionnaire
        // without PDF does not build it).
        let _ = rayon_core::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    let batch = super::batch::Batch {
        res: &res,
        fingerprint,
        output,
        formats: &formats,
        date,
        jobs,
        // Fewer questionnaires than jobs (one framework agreement with many lots):
        // share the threads among their writers.
        threads_per_job: jobs.div_ceil(inputs.len().max(1)),
        fail_fast,
        skip_unchanged,
        quiet: cli.quiet,
        json,
    };
    let code = batch.run(&inputs);
    if errors.is_empty() {
        code
    } else {
        code.max(exit::IO)
    }
}

fn validate(cli: &Cli, inputs: &[PathBuf], json: bool) -> u8 {
    let res = match load_resources(cli) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut worst = exit::OK;
    let mut results = Vec::new();
    for path in inputs {
        let name = path.display().to_string();
        let bytes = match files::read_input(path) {
            Ok(b) => b,
            Err(e) => {
                worst = worst.max(report_read_error(e));
                continue;
            }
        };
        let (q, diags) = generate::load_questionnaire(&res, &name, &bytes);
        eprint_diags(&diags);
        if json {
            results.push(serde_json::json!({
                "file": name,
                "valid": q.is_some(),
                "lots": q.as_ref().map_or(0, |q| q.profiles.iter().filter(|p| p.lot.is_some()).count()),
                "diagnostics": diags,
            }));
            if q.is_none() {
                worst = worst.max(exit::INVALID);
            }
            continue;
        }
        if cli.quiet {
            if q.is_none() {
                worst = worst.max(exit::INVALID);
            }
            continue;
        }
        match q {
            Some(q) => {
                let warnings = diags.len();
                let lots = if q.profiles.len() > 1 || q.profiles[0].lot.is_some() {
                    format!("{} lots", q.profiles.len())
                } else {
                    "no lots".to_string()
                };
                let w = if warnings > 0 {
                    format!(", {warnings} warning(s)")
                } else {
                    String::new()
                };
                println!("{name}: valid ({lots}{w})");
            }
            None => {
                let errors = diags.iter().filter(|d| d.is_error()).count();
                println!("{name}: {errors} error(s)");
                worst = worst.max(exit::INVALID);
            }
        }
    }
    if json && !cli.quiet {
        let value = serde_json::json!({
            "format": "secannex-validation",
            "format_version": 1,
            "tool": crate::TOOL,
            "files": results,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    worst
}

fn select_cmd(cli: &Cli, path: &Path, json: bool, date: Option<&str>) -> u8 {
    let date = match fallback_date(date) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let (res, name, bytes, q) = match load_one(cli, path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let selections = generate::select_all(&res.catalogue, &q);
    let date = q
        .procurement
        .date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or(date);
    let text = if json {
        generate::selection_json(
            &res,
            &q,
            &selections,
            &name,
            &generate::sha256_hex(&bytes),
            date,
        )
    } else {
        let mut s = format!(
            "{} — {}\n{} · catalogue {} {}\n",
            q.procurement.reference,
            q.procurement.title,
            q.procurement.buyer,
            res.catalogue.meta.id,
            res.catalogue.meta.version
        );
        for sel in &selections {
            s.push_str(&describe_selection(sel));
        }
        s
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    exit::OK
}

fn describe_selection(sel: &Selection) -> String {
    let mut s = String::new();
    if let Some(lot) = &sel.lot {
        s.push_str(&format!("\nLot {}: {}\n", lot.id, lot.title));
    }
    let bidders = sel.selected.iter().filter(|c| c.role.is_supplier()).count();
    s.push_str(&format!(
        "\nSelected: {} clauses ({bidders} for bidders, {} buyer actions)\n",
        sel.selected.len(),
        sel.selected.len() - bidders
    ));
    for role in Role::ALL {
        let in_role: Vec<_> = sel.selected.iter().filter(|c| c.role == role).collect();
        if in_role.is_empty() {
            continue;
        }
        s.push_str(&format!("\n  {} ({})\n", role.as_str(), in_role.len()));
        for c in in_role {
            let weight = c
                .weight
                .map(|w| format!(" [weight {w}]"))
                .unwrap_or_default();
            s.push_str(&format!("    {:<16} {}{weight}\n", c.id, c.title));
            s.push_str(&format!("      because {}\n", c.reasons.join("; ")));
            let set: Vec<String> = c
                .parameters
                .iter()
                .map(|p| {
                    format!(
                        "{} = {}{}{}",
                        p.name,
                        p.value,
                        if p.unit.is_empty() { "" } else { " " },
                        p.unit
                    )
                })
                .collect();
            if !set.is_empty() {
                s.push_str(&format!("      with {}\n", set.join(", ")));
            }
        }
    }
    s.push_str(&format!("\nLeft out: {} clauses\n", sel.left_out.len()));
    for kind in [LeftOutKind::Excluded, LeftOutKind::NotApplicable] {
        for c in sel.left_out.iter().filter(|c| c.kind == kind) {
            s.push_str(&format!(
                "    {:<16} {}\n      because {}\n",
                c.id,
                c.title,
                c.reasons.join("; ")
            ));
        }
    }
    if !sel.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &sel.notes {
            s.push_str(&format!("    {n}\n"));
        }
    }
    s
}

fn catalogue_cmd(cli: &Cli, cmd: &CatalogueCommand) -> u8 {
    match cmd {
        CatalogueCommand::Lint => {
            let files = match catalogue_files(cli) {
                Ok((f, _)) => f,
                Err(code) => return code,
            };
            let (c, diags) = catalogue::lint(&files);
            eprint_diags(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            match c {
                Some(c) => {
                    let supplier = c.clauses.iter().filter(|x| x.role.is_supplier()).count();
                    println!(
                        "catalogue {} {}: {} clauses ({} supplier clauses, {} buyer actions), {} practices, {} asset categories, {} threats; {warnings} warning(s)",
                        c.meta.id,
                        c.meta.version,
                        c.clauses.len(),
                        supplier,
                        c.clauses.len() - supplier,
                        c.practices.len(),
                        c.assets.len(),
                        c.threat_groups
                            .iter()
                            .map(|g| g.threats.len())
                            .sum::<usize>()
                    );
                    exit::OK
                }
                None => {
                    println!("catalogue: {errors} error(s), {warnings} warning(s)");
                    exit::INVALID
                }
            }
        }
        CatalogueCommand::List {
            asset,
            threat,
            phase,
            role,
            practice,
            json,
        } => {
            let (c, _, _) = match load_catalogue(cli) {
                Ok(x) => x,
                Err(code) => return code,
            };
            if let Some(code) = check_filter(
                "asset category",
                asset.as_deref(),
                &c.assets.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            )
            .or_else(|| check_filter("phase", phase.as_deref(), &Phase::ALL.map(|p| p.as_str())))
            .or_else(|| check_filter("role", role.as_deref(), &Role::ALL.map(|r| r.as_str())))
            {
                return code;
            }
            let clauses: Vec<&catalogue::Clause> = c
                .clauses
                .iter()
                .filter(|x| asset.as_ref().is_none_or(|a| x.can_apply_to(a)))
                .filter(|x| {
                    threat.as_ref().is_none_or(|t| {
                        x.threats
                            .iter()
                            .any(|xt| xt == t || xt.starts_with(&format!("{t}/")))
                    })
                })
                .filter(|x| phase.as_ref().is_none_or(|p| x.phase.as_str() == p))
                .filter(|x| role.as_ref().is_none_or(|r| x.role.as_str() == r))
                .filter(|x| {
                    practice
                        .as_ref()
                        .is_none_or(|p| x.practices.iter().any(|xp| xp.eq_ignore_ascii_case(p)))
                })
                .collect();
            let mut out = std::io::stdout().lock();
            if *json {
                let mut s = serde_json::to_string_pretty(&clauses).expect("plain data");
                s.push('\n');
                let _ = out.write_all(s.as_bytes());
            } else {
                for x in &clauses {
                    let _ = writeln!(
                        out,
                        "{:<16} {:<24} {:<8} {:<12} {}",
                        x.id,
                        x.role.as_str(),
                        x.phase.as_str(),
                        x.practices.join(","),
                        x.title
                    );
                }
                let _ = writeln!(out, "{} clause(s)", clauses.len());
            }
            exit::OK
        }
        CatalogueCommand::Coverage => {
            let (c, _, _) = match load_catalogue(cli) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let text = catalogue::coverage::matrix(&catalogue::coverage::coverage(&c));
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            exit::OK
        }
        CatalogueCommand::Export {
            output,
            format,
            date,
            language,
        } => export(cli, output, format, date.as_deref(), language),
        CatalogueCommand::Show { id } => {
            let (c, _, _) = match load_catalogue(cli) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let Some(x) = c.clause(id) else {
                let hint = diag::did_you_mean(id, c.clauses.iter().map(|x| x.id.as_str()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                eprintln!(
                    "error: no clause `{id}` in catalogue {} {}{hint}",
                    c.meta.id, c.meta.version
                );
                return exit::INVALID;
            };
            let mut s = String::new();
            s.push_str(&format!("{} — {}\n", x.id, x.title));
            s.push_str(&format!(
                "role: {}  phase: {}",
                x.role.as_str(),
                x.phase.as_str()
            ));
            if let Some(o) = x.obligation {
                s.push_str(&format!("  obligation: {}", o.as_str()));
            }
            if let Some(w) = x.weight {
                s.push_str(&format!("  weight: {w}"));
            }
            s.push_str(&format!("\npractices: {}\n", x.practices.join(", ")));
            s.push_str(&format!(
                "applies when: {}\n",
                x.applies_when
                    .as_ref()
                    .map_or("always".to_string(), catalogue::Condition::describe)
            ));
            for p in &x.parameters {
                let range = match &p.kind {
                    catalogue::ParamKind::Integer {
                        default,
                        min,
                        max,
                        unit,
                    } => format!("{default} {unit} (from {min} to {max})"),
                    catalogue::ParamKind::Text { default } => format!("\"{default}\""),
                };
                s.push_str(&format!("parameter {}: {} = {range}\n", p.name, p.label));
            }
            s.push_str(&format!("\n{}\n", x.text.trim_end()));
            for e in &x.evidence {
                s.push_str(&format!(
                    "\nevidence at {} ({}): {}",
                    e.stage, e.form, e.what
                ));
            }
            s.push_str(&format!("\nthreats: {}\n", x.threats.join(", ")));
            for (k, refs) in &x.references {
                let fw = c.framework(k);
                let cited: Vec<String> = refs
                    .iter()
                    .map(|r| fw.map_or(r.clone(), |f| f.cite(r)))
                    .collect();
                s.push_str(&format!("reference: {}\n", cited.join("; ")));
            }
            s.push_str(&format!(
                "rationale: {}\ndefined at {}:{}\n",
                x.rationale, x.origin.file, x.origin.line
            ));
            let _ = std::io::stdout().lock().write_all(s.as_bytes());
            exit::OK
        }
    }
}

fn export(cli: &Cli, output: &Path, format: &[String], date: Option<&str>, language: &str) -> u8 {
    let formats = match parse_formats(format) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if formats.contains(&Format::Json) {
        eprintln!(
            "error: the clause pack is written as md, docx or pdf; for JSON use `secannex catalogue list --json`"
        );
        return exit::USAGE;
    }
    let date = match fallback_date(date) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let res = match load_resources(cli) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let files = match generate::clause_pack(&res, language, date, &formats) {
        Ok(f) => f,
        Err(diags) => {
            eprint_diags(&diags);
            return exit::INVALID;
        }
    };
    match write_outputs(output, &files) {
        Ok(written) => {
            if !cli.quiet {
                for w in written {
                    println!("wrote {}", w.display());
                }
            }
            exit::OK
        }
        Err(code) => code,
    }
}

/// Write files into `output` (created if missing), all or none; on failure print
/// why and give the exit code.
pub(super) fn write_outputs(
    output: &Path,
    files: &[generate::OutFile],
) -> Result<Vec<PathBuf>, u8> {
    if let Err(e) = std::fs::create_dir_all(output) {
        eprintln!(
            "error: cannot create output directory {}: {}",
            output.display(),
            files::io_reason(&e)
        );
        return Err(exit::IO);
    }
    let named: Vec<(String, &[u8])> = files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.as_slice()))
        .collect();
    files::write_all_atomic(output, &named).map_err(|e| {
        eprintln!("error: {}", e.0);
        exit::IO
    })
}

fn check_filter(what: &str, value: Option<&str>, allowed: &[&str]) -> Option<u8> {
    let v = value?;
    if allowed.contains(&v) {
        return None;
    }
    let hint = diag::did_you_mean(v, allowed.iter().copied())
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    eprintln!(
        "error: unknown {what} `{v}`: expected one of {}{hint}",
        allowed.join(", ")
    );
    Some(exit::USAGE)
}
