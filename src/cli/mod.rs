//! The command line: parses arguments, reads and writes files, prints. The only
//! part of secannex that touches the filesystem, the clock or the environment.

mod batch;
mod commands;
mod diff;
pub mod files;
mod init;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, as documented in the README.
pub mod exit {
    /// Everything worked (warnings allowed).
    pub const OK: u8 = 0;
    /// An input (questionnaire, catalogue, template) has errors.
    pub const INVALID: u8 = 1;
    /// The command line is wrong.
    pub const USAGE: u8 = 2;
    /// Reading or writing a file failed.
    pub const IO: u8 = 3;
}

const AFTER_HELP: &str = "\
Examples:
  secannex generate samples/infusion-pumps.yaml -o out
  secannex generate samples/ -o out --jobs 2 --skip-unchanged
  secannex validate samples/*.yaml
  secannex select samples/cloud-pacs.yaml
  secannex catalogue lint

Exit codes: 0 success, 1 invalid input, 2 usage error, 3 I/O failure.";

const INIT_HELP: &str = "\
Examples:
  secannex init                       ask the questions, write questionnaire.yaml
  secannex init pumps.yaml --from draft.yaml --title \"Infusion pumps\"   ask only what is missing
  secannex init pumps.yaml --no-input --title \"Infusion pumps\" --reference UHX-2027-014 \\
      --buyer \"University Hospital X\" --category networked-medical-device --medical-device \\
      --connectivity wired-network,wireless --data patient-health --services maintenance \\
      --patient-safety high --availability critical

Answers given as options or in the --from file are kept and not asked. Without a
terminal, every missing answer is reported at once with the option that gives it.

Exit codes: 0 written, 1 answers missing or invalid, 2 usage error (OUTPUT exists
without --force), 3 I/O failure, 130 cancelled (Esc or Ctrl-C); nothing is written
unless the questionnaire is valid.";

/// Writes the cybersecurity annex of a hospital's call for tenders.
#[derive(Parser, Debug)]
#[command(name = "secannex", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Use the catalogue in DIR instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    pub catalogue: Option<PathBuf>,
    /// Override built-in templates with the files in DIR (same layout as templates/).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Print nothing on standard output (errors and warnings still go to standard
    /// error; the exit code tells the outcome).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate the annex (DOCX, PDF), checklist, Markdown and selection JSON.
    #[command(
        after_help = "Example:\n  secannex generate samples/infusion-pumps.yaml -o out --date 2027-01-15"
    )]
    Generate {
        /// Questionnaire files, directories (every *.yaml below) or glob patterns.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Formats to write, comma-separated: docx, pdf, xlsx (the compliance matrix), md, json.
        #[arg(
            long,
            value_name = "LIST",
            value_delimiter = ',',
            default_value = "docx,pdf,xlsx,md,json"
        )]
        format: Vec<String>,
        /// Annex date (YYYY-MM-DD) when the questionnaire gives none; default
        /// SOURCE_DATE_EPOCH, then today.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Questionnaires generated at the same time, and threads typst lays pages
        /// out on (default: the number of cores); `--jobs 1` keeps to one core.
        #[arg(short, long, value_name = "N")]
        jobs: Option<usize>,
        /// Stop at the first questionnaire that fails.
        #[arg(long)]
        fail_fast: bool,
        /// Keep the outputs of questionnaires whose inputs, catalogue, templates and
        /// tool version have not changed since the last run (see index.json); after
        /// an interrupted run, keep what it finished and generate the rest.
        #[arg(long)]
        skip_unchanged: bool,
        /// Print the run as JSON (format secannex-run, version 1): what was
        /// generated, kept and failed, every warning, and every file with its SHA-256.
        #[arg(long)]
        json: bool,
    },
    /// Check questionnaires: every problem at once, with file:line:column.
    #[command(after_help = "Example:\n  secannex validate samples/*.yaml")]
    Validate {
        /// Questionnaire files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the result as JSON (format secannex-validation, version 1): per
        /// file, valid or not, with every diagnostic and its position.
        #[arg(long)]
        json: bool,
    },
    /// Show the clause pack of a questionnaire: what was selected, why, and what was left out.
    #[command(after_help = "Example:\n  secannex select samples/cloud-pacs.yaml --json")]
    Select {
        /// Questionnaire file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Print the selection JSON (format secannex-selection, version 1).
        #[arg(long)]
        json: bool,
        /// Date recorded in the JSON (YYYY-MM-DD), as for `generate`.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Read bidders' filled-in compliance matrices (REF-matrix.xlsx) and check them
    /// against the questionnaire: mandatory requirements failed, answers to verify,
    /// provisional award score.
    #[command(
        after_help = "Example:\n  secannex responses samples/cloud-pacs.yaml bids/*.xlsx\n\nExit codes: 0 every matrix was read and matches the annex (whatever the bidders answered), 1 a matrix is unreadable or does not match the annex's rows, 3 a file cannot be read."
    )]
    Responses {
        /// The questionnaire the annex was generated from.
        #[arg(value_name = "QUESTIONNAIRE")]
        questionnaire: PathBuf,
        /// Filled-in matrices, one per bidder.
        #[arg(value_name = "MATRIX", required = true)]
        matrices: Vec<PathBuf>,
        /// Print the reports as JSON (format secannex-responses, version 1).
        #[arg(long)]
        json: bool,
    },
    /// Compare two clause packs for legal review: two questionnaires, or one
    /// questionnaire under an older catalogue (`--old-catalogue`). Shows clauses
    /// added, removed and changed, word by word; writes Markdown, HTML, JSON, and
    /// a DOCX whose changes are tracked (accept or reject them in Word or
    /// LibreOffice).
    #[command(
        after_help = "Examples:\n  secannex diff old/infusion-pumps.yaml samples/infusion-pumps.yaml\n  secannex diff samples/cloud-pacs.yaml --old-catalogue catalogue-2025/ -o review\n  secannex diff lot-draft.yaml lot-final.yaml --json\n  secannex diff --old-catalogue catalogue-2025/ -o review\n\nWith --old-catalogue and no questionnaire, compares the two catalogues as a\nwhole: every clause, its condition, parameters at their defaults.\nWithout --output, prints the comparison as Markdown (or JSON with --json).\nThe new side uses --catalogue (or the built-in catalogue); the old side uses\n--old-catalogue when given, the new side's catalogue otherwise.\n\nExit codes: 0 compared (whether or not the packs differ), 1 a questionnaire or\ncatalogue is invalid, 2 usage error, 3 I/O failure."
    )]
    Diff {
        /// The old questionnaire (none: compare two whole catalogues, given
        /// --old-catalogue).
        #[arg(value_name = "OLD")]
        old: Option<PathBuf>,
        /// The new questionnaire (default: OLD again, to compare catalogues).
        #[arg(value_name = "NEW")]
        new: Option<PathBuf>,
        /// Catalogue of the old side: a directory, or `built-in`.
        #[arg(long, value_name = "DIR")]
        old_catalogue: Option<PathBuf>,
        /// Write the comparison to files in DIR instead of printing it.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Formats written with --output, comma-separated: md, html, docx (tracked
        /// changes), pdf, json.
        #[arg(
            long,
            value_name = "LIST",
            value_delimiter = ',',
            default_value = "md,html,docx"
        )]
        format: Vec<String>,
        /// Print the comparison as JSON (format secannex-diff, version 1).
        #[arg(long)]
        json: bool,
        /// Date of the tracked changes (YYYY-MM-DD); default SOURCE_DATE_EPOCH,
        /// then today.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Inspect and check the catalogue.
    #[command(
        subcommand,
        after_help = "Examples:\n  secannex catalogue lint\n  secannex catalogue list --asset cloud-service --json\n  secannex catalogue show MAN-PATCH-01\n  secannex catalogue export -o review --format docx"
    )]
    Catalogue(CatalogueCommand),
    /// Print the JSON Schema of the questionnaire, with the catalogue's ids and
    /// descriptions, for editors that validate and complete YAML.
    #[command(
        after_help = "Example:\n  secannex schema > secannex-questionnaire.schema.json\n\nThen start a questionnaire with the line\n  # yaml-language-server: $schema=secannex-questionnaire.schema.json"
    )]
    Schema,
    /// Write a questionnaire by answering questions in the terminal, each choice
    /// explained with the catalogue's descriptions; or from options and a partial
    /// file, without questions (--no-input, or when input is not a terminal).
    #[command(after_help = INIT_HELP)]
    Init(Box<init::InitArgs>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  secannex completions bash > ~/.local/share/bash-completion/completions/secannex\n  secannex completions zsh > ~/.zfunc/_secannex"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man`.
    #[command(after_help = "Example:\n  secannex man > secannex.1 && man ./secannex.1")]
    Man,
}

/// `catalogue` subcommands.
#[derive(Subcommand, Debug)]
pub enum CatalogueCommand {
    /// Check the catalogue: ids, references, conditions, parameters, coverage.
    #[command(after_help = "Example:\n  secannex catalogue lint --catalogue my-catalogue/")]
    Lint,
    /// List clauses, optionally filtered.
    #[command(
        after_help = "Example:\n  secannex catalogue list --asset cloud-service --phase manage"
    )]
    List {
        /// Only clauses that can apply to this asset category.
        #[arg(long, value_name = "ID")]
        asset: Option<String>,
        /// Only clauses addressing this threat (group/threat, or a group).
        #[arg(long, value_name = "ID")]
        threat: Option<String>,
        /// Only clauses of this phase (general, plan, source, manage).
        #[arg(long, value_name = "PHASE")]
        phase: Option<String>,
        /// Only clauses with this role.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Only clauses implementing this practice (GP01..GP28).
        #[arg(long, value_name = "GP")]
        practice: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the asset × practice coverage matrix.
    #[command(after_help = "Example:\n  secannex catalogue coverage --catalogue my-catalogue/")]
    Coverage,
    /// Write the whole catalogue as a clause pack for legal review (Markdown, DOCX, PDF).
    #[command(after_help = "Example:\n  secannex catalogue export -o review --format pdf,docx")]
    Export {
        /// Output directory (created if missing).
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Formats to write, comma-separated: md, docx, pdf.
        #[arg(
            long,
            value_name = "LIST",
            value_delimiter = ',',
            default_value = "md,docx,pdf"
        )]
        format: Vec<String>,
        /// Date printed on the pack (YYYY-MM-DD); default SOURCE_DATE_EPOCH, then today.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Language of the pack (a template language).
        #[arg(long, value_name = "LANG", default_value = "en")]
        language: String,
    },
    /// Show one clause in full.
    #[command(after_help = "Example:\n  secannex catalogue show MAN-PATCH-01")]
    Show {
        /// Clause id.
        id: String,
    },
}

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A reader that stops early (`secannex schema | head`) closes the pipe, and
    // `print!` then panics. That is the reader's choice, not a failure: end
    // quietly, as other command-line tools do, instead of printing a panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_broken_pipe(info.payload()) {
            default_hook(info);
        }
    }));
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(payload) if is_broken_pipe(payload.as_ref()) => ExitCode::from(exit::OK),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

fn is_broken_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    message.contains("Broken pipe")
}
