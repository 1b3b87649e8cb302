//! `generate` over many questionnaires: inputs expanded from files, directories and
//! glob patterns; one job per questionnaire, run on `--jobs` threads that share the
//! catalogue, templates and fonts loaded once; a progress bar on a terminal; a
//! summary; an index of every file written with its SHA-256; `--skip-unchanged`,
//! which also resumes an interrupted run from its journal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::exit;
use super::files::{self, ReadError};
use crate::diag::{self, Diagnostic};
use crate::generate::{self, Format, Request, Resources, sha256_hex};

/// Version of the index format written as `index.json`.
pub const INDEX_VERSION: u32 = 1;

/// What one run does.
pub struct Batch<'a> {
    /// Loaded resources, shared by every job.
    pub res: &'a Resources,
    /// Fingerprint of catalogue, templates and tool: part of every job's key.
    pub fingerprint: String,
    /// Output directory.
    pub output: &'a Path,
    /// Formats.
    pub formats: &'a [Format],
    /// Fallback annex date.
    pub date: chrono::NaiveDate,
    /// Worker threads.
    pub jobs: usize,
    /// Threads one questionnaire's writers may use (all of them for a single
    /// questionnaire, one each in a batch).
    pub threads_per_job: usize,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// Reuse outputs whose inputs did not change.
    pub skip_unchanged: bool,
    /// Print nothing on standard output, and no summary.
    pub quiet: bool,
    /// Print the run as JSON on standard output instead of lines.
    pub json: bool,
}

/// One file of the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexFile {
    /// File name in the output directory.
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// One lot's summary in the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexLot {
    /// Lot id, or none.
    pub lot: Option<String>,
    /// Supplier clauses.
    pub clauses: usize,
    /// Buyer actions.
    pub buyer_actions: usize,
}

/// One questionnaire's entry in the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexEntry {
    /// Questionnaire path as given.
    pub questionnaire: String,
    /// SHA-256 of the questionnaire's bytes.
    pub sha256: String,
    /// Key of everything the outputs depend on (questionnaire, catalogue,
    /// templates, tool version, formats, date).
    pub key: String,
    /// Lots and their clause counts.
    pub lots: Vec<IndexLot>,
    /// Files written.
    pub files: Vec<IndexFile>,
}

/// The index of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// Format id.
    pub format: String,
    /// Format version.
    pub format_version: u32,
    /// Tool and version.
    pub tool: String,
    /// Catalogue id and version.
    pub catalogue: String,
    /// One entry per questionnaire generated or reused, in input order.
    pub entries: Vec<IndexEntry>,
}

enum Outcome {
    /// Generated, with the message of each warning (printed in full as it came).
    Generated(IndexEntry, Vec<String>),
    Skipped(IndexEntry),
    Failed {
        /// The first error, with its place.
        message: String,
        /// How many more errors were reported (in full, as they came).
        more: usize,
        code: u8,
    },
    NotRun,
}

/// Expand command-line inputs: files as given, directories to every `*.yaml` and
/// `*.yml` below them, patterns with `*`, `?` or `[` through glob. Sorted within a
/// directory or pattern; duplicates dropped. Inputs that match nothing are errors.
pub fn expand(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut errors = Vec::new();
    let push = |p: PathBuf, out: &mut Vec<PathBuf>| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for input in inputs {
        let text = input.to_string_lossy();
        if input.is_dir() {
            let mut found = Vec::new();
            walk_yaml(input, &mut found);
            found.sort();
            if found.is_empty() {
                errors.push(format!(
                    "{} contains no questionnaire (*.yaml or *.yml)",
                    input.display()
                ));
            }
            for f in found {
                push(f, &mut out);
            }
        } else if !input.exists() && text.contains(['*', '?', '[']) {
            match glob::glob(&text) {
                Ok(paths) => {
                    let mut found: Vec<PathBuf> = paths
                        .filter_map(Result::ok)
                        .filter(|p| p.is_file())
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        errors.push(format!("no file matches {text}"));
                    }
                    for f in found {
                        push(f, &mut out);
                    }
                }
                Err(e) => errors.push(format!("invalid pattern {text}: {}", e.msg)),
            }
        } else {
            push(input.clone(), &mut out);
        }
    }
    (out, errors)
}

fn walk_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // Symbolic links to directories are not followed: a link back up the tree
        // would otherwise make the walk endless. (A linked file is read.)
        let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if real_dir && !hidden {
            walk_yaml(&path, out);
        } else if !hidden
            && matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            )
        {
            out.push(path);
        }
    }
}

/// Remove temporary files left by an interrupted earlier run (`.<name>.<pid>.<n>.tmp`).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The journal of a run, in the output directory: the index entry of each
/// questionnaire done so far, one JSON line each, appended as each one finishes and
/// removed once `index.json` is written. A run that is interrupted (Ctrl-C, a
/// kill, a crash) writes no index, but leaves this; the next run with
/// `--skip-unchanged` keeps what it lists, as it keeps what an index lists (same
/// key, every file still there with its hash), and generates the rest.
const JOURNAL: &str = ".secannex-journal.jsonl";

struct Journal {
    path: PathBuf,
    /// A run of one questionnaire has nothing to resume (its files are written
    /// together or not at all), and leaves any journal alone.
    enabled: bool,
    /// Opened on the first entry, when the output directory exists.
    file: Mutex<Option<std::fs::File>>,
}

impl Journal {
    /// A journal for this run of `inputs` questionnaires. An earlier run's journal
    /// is kept and added to when it is being resumed (`resume`), and removed
    /// otherwise.
    fn start(dir: &Path, inputs: usize, resume: bool) -> Self {
        let path = dir.join(JOURNAL);
        let enabled = inputs > 1;
        if enabled && !resume {
            let _ = std::fs::remove_file(&path);
        }
        Journal {
            path,
            enabled,
            file: Mutex::new(None),
        }
    }

    /// Record a questionnaire whose files are all in place. The journal only saves
    /// work after an interruption, so a failure to write it is not an error.
    fn record(&self, entry: &IndexEntry) {
        if !self.enabled {
            return;
        }
        let Ok(mut line) = serde_json::to_vec(entry) else {
            return;
        };
        line.push(b'\n');
        let Ok(mut file) = self.file.lock() else {
            return;
        };
        if file.is_none() {
            *file = open_for_append(&self.path);
        }
        if let Some(f) = file.as_mut() {
            // One write per line: a kill leaves at most the last line cut short,
            // and `read_journal` skips it.
            let _ = std::io::Write::write_all(f, &line);
        }
    }

    /// The run is recorded in `index.json`: the journal has served.
    fn finish(&self) {
        if !self.enabled {
            return;
        }
        if let Ok(mut file) = self.file.lock() {
            *file = None;
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Open a journal to add lines to. The last line of a journal left by a kill can
/// be cut short: it is ended first, or it would swallow the next line.
fn open_for_append(path: &Path) -> Option<std::fs::File> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .ok()?;
    let len = file.metadata().ok()?.len();
    if len > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1)).ok()?;
        file.read_exact(&mut last).ok()?;
        if last[0] != b'\n' {
            file.write_all(b"\n").ok()?;
        }
    }
    Some(file)
}

/// The entries of an interrupted run's journal; lines that do not parse (the
/// last one, cut short by a kill) are skipped.
fn read_journal(dir: &Path) -> Vec<IndexEntry> {
    let Ok(text) = std::fs::read_to_string(dir.join(JOURNAL)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// What Ctrl-C prints during a batch, prepared before the handler is installed (a
/// signal handler must not allocate).
#[cfg(unix)]
static INTERRUPTED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// On Ctrl-C (or a plain `kill`, as a job scheduler sends) during a batch, say how
/// to resume, then stop at once, as the signal would have (exit code 130, or 143).
/// What was finished is whole and listed in the journal; what was being written is
/// in temporary files that the next run removes.
#[cfg(unix)]
fn say_how_to_resume_on_interrupt(resuming: bool) {
    use std::io::IsTerminal as _;
    extern "C" fn handler(signal: libc::c_int) {
        if let Some(message) = INTERRUPTED.get() {
            // SAFETY: write(2) and _exit(2) are async-signal-safe; the message was
            // allocated before the handler was installed and is never freed.
            unsafe { libc::write(2, message.as_ptr().cast(), message.len()) };
        }
        // SAFETY: as above.
        unsafe { libc::_exit(128 + signal) }
    }
    let again = if resuming {
        "run the same command again"
    } else {
        "run the same command again with --skip-unchanged"
    };
    // On a terminal, first erase the progress bar's line.
    let erase = if std::io::stderr().is_terminal() {
        "\r\x1b[2K"
    } else {
        ""
    };
    let message = format!(
        "{erase}\ninterrupted: the questionnaires finished so far are complete in the output \
         directory; {again} to keep them and generate the rest\n"
    );
    if INTERRUPTED.set(message.into_bytes()).is_ok() {
        let handler: extern "C" fn(libc::c_int) = handler;
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: installs a handler that only calls async-signal-safe functions.
            unsafe { libc::signal(signal, handler as libc::sighandler_t) };
        }
    }
}

fn read_index(dir: &Path) -> BTreeMap<String, IndexEntry> {
    let Ok(bytes) = std::fs::read(dir.join("index.json")) else {
        return BTreeMap::new();
    };
    let Ok(index) = serde_json::from_slice::<Index>(&bytes) else {
        return BTreeMap::new();
    };
    if index.format_version != INDEX_VERSION {
        return BTreeMap::new();
    }
    index
        .entries
        .into_iter()
        .map(|e| (e.questionnaire.clone(), e))
        .collect()
}

/// True if every file of the entry is on disk with the recorded hash.
fn still_there(dir: &Path, entry: &IndexEntry) -> bool {
    entry
        .files
        .iter()
        .all(|f| std::fs::read(dir.join(&f.name)).is_ok_and(|b| sha256_hex(&b) == f.sha256))
}

impl Batch<'_> {
    fn key(&self, questionnaire_sha: &str) -> String {
        let formats: Vec<&str> = self.formats.iter().map(|f| f.name()).collect();
        sha256_hex(
            format!(
                "{}\n{}\n{}\n{}\n{questionnaire_sha}",
                crate::TOOL,
                self.fingerprint,
                formats.join(","),
                self.date
            )
            .as_bytes(),
        )
    }

    /// Run one job: its outcome, and what to print about it (diagnostics).
    fn run_one(&self, path: &Path, previous: &BTreeMap<String, IndexEntry>) -> (Outcome, String) {
        let name = path.display().to_string();
        let bytes = match files::read_input(path) {
            Ok(b) => b,
            Err(ReadError::Io(e)) => return io_failed(e.0),
            Err(ReadError::Invalid(d)) => return failed(&[d]),
        };
        let sha = sha256_hex(&bytes);
        let key = self.key(&sha);
        if self.skip_unchanged
            && let Some(old) = previous.get(&name)
            && old.key == key
            && still_there(self.output, old)
        {
            return (Outcome::Skipped(old.clone()), String::new());
        }
        let req = Request {
            name: &name,
            bytes: &bytes,
            date: self.date,
            formats: self.formats,
            threads: self.threads_per_job,
        };
        match generate::generate(self.res, &req) {
            Ok(out) => {
                let named: Vec<(String, &[u8])> = out
                    .files
                    .iter()
                    .map(|f| (f.name.clone(), f.bytes.as_slice()))
                    .collect();
                if let Err(e) = files::write_all_atomic(self.output, &named) {
                    return io_failed(e.0);
                }
                let entry = IndexEntry {
                    questionnaire: name,
                    sha256: sha,
                    key,
                    lots: out
                        .lots
                        .iter()
                        .map(|l| IndexLot {
                            lot: l.lot.clone(),
                            clauses: l.clauses,
                            buyer_actions: l.buyer_actions,
                        })
                        .collect(),
                    files: out
                        .files
                        .iter()
                        .map(|f| IndexFile {
                            name: f.name.clone(),
                            sha256: sha256_hex(&f.bytes),
                            bytes: f.bytes.len() as u64,
                        })
                        .collect(),
                };
                let warnings = out.warnings.iter().map(|w| w.message.clone()).collect();
                (
                    Outcome::Generated(entry, warnings),
                    diag::render_all(&out.warnings),
                )
            }
            Err(diags) => failed(&diags),
        }
    }

    /// One parse of each questionnaire before the jobs start (a fraction of a
    /// millisecond each) gives, per input:
    /// - whether its output files would have the same names as those of an earlier
    ///   questionnaire of the run (same reference, or a reference that reads the
    ///   same once made file-name safe): the earlier one is generated, each later
    ///   one fails, whatever order the jobs finish in;
    /// - its number of annexes (lots) and, when the run writes PDFs, what they are
    ///   made of, for `start_order` (selecting the clauses of a lot takes some
    ///   microseconds).
    ///
    /// Unreadable or invalid questionnaires are left to the job, which reports them.
    fn survey(&self, inputs: &[PathBuf]) -> Survey {
        let mut owner: BTreeMap<String, usize> = BTreeMap::new();
        let mut clashes = Vec::with_capacity(inputs.len());
        let mut annexes = vec![1; inputs.len()];
        let mut likeness = vec![None; inputs.len()];
        let typesets = self.formats.contains(&Format::Pdf);
        for (i, path) in inputs.iter().enumerate() {
            let name = path.display().to_string();
            let Ok(bytes) = files::read_input(path) else {
                clashes.push(None);
                continue;
            };
            let (Some(q), _) = generate::load_questionnaire(self.res, &name, &bytes) else {
                clashes.push(None);
                continue;
            };
            annexes[i] = q.profiles.len();
            let mut stems = generate::output_stems(&q);
            stems.push(crate::questionnaire::sanitise(&q.procurement.reference));
            stems.sort();
            stems.dedup();
            let clash = stems.iter().find_map(|stem| {
                owner
                    .get(stem)
                    .filter(|&&j| j != i)
                    .map(|&j| (stem.clone(), j))
            });
            match clash {
                Some((stem, j)) => clashes.push(Some(
                    Diagnostic::error(format!(
                        "its output files would be named `{stem}-...`, like those of {}, \
                         which is earlier in this run",
                        inputs[j].display()
                    ))
                    .at(Some(crate::yaml::file_location(&name)))
                    .help(
                        "give each questionnaire its own procurement `reference` (and each lot \
                         its own id): file names are made from them",
                    ),
                )),
                None => {
                    for stem in stems {
                        owner.entry(stem).or_insert(i);
                    }
                    clashes.push(None);
                    // Only typst gains from the order: without PDFs, selecting the
                    // clauses here would delay the start of the batch for nothing.
                    likeness[i] = Some(if typesets {
                        generate::likeness(&self.res.catalogue, &q)
                    } else {
                        Vec::new()
                    });
                }
            }
        }
        Survey {
            clashes,
            annexes,
            likeness,
        }
    }

    /// Run every job; print progress, per-questionnaire lines and the summary;
    /// write the index. Returns the exit code.
    pub fn run(&self, inputs: &[PathBuf]) -> u8 {
        let started = Instant::now();
        remove_stale_temporaries(self.output);
        let mut previous = BTreeMap::new();
        if self.skip_unchanged {
            previous = read_index(self.output);
            // An interrupted run's journal is newer than the index.
            for entry in read_journal(self.output) {
                previous.insert(entry.questionnaire.clone(), entry);
            }
        }
        let journal = Journal::start(self.output, inputs.len(), self.skip_unchanged);
        if journal.enabled {
            #[cfg(unix)]
            say_how_to_resume_on_interrupt(self.skip_unchanged);
        }
        let progress = indicatif::ProgressBar::new(inputs.len() as u64);
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len}, {eta} left: {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let Survey {
            clashes,
            annexes,
            likeness,
        } = self.survey(inputs);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let results: Mutex<Vec<Outcome>> =
            Mutex::new((0..inputs.len()).map(|_| Outcome::NotRun).collect());
        let workers = self.jobs.clamp(1, inputs.len().max(1));
        let order = start_order(&annexes, &likeness, workers);
        let work = || {
            loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Some(&i) = order.get(next.fetch_add(1, Ordering::SeqCst)) else {
                    break;
                };
                let path = &inputs[i];
                progress.set_message(path.display().to_string());
                let (outcome, report) = match &clashes[i] {
                    Some(d) => failed(std::slice::from_ref(d)),
                    None => self.run_one(path, &previous),
                };
                if self.fail_fast && matches!(outcome, Outcome::Failed { .. }) {
                    stop.store(true, Ordering::SeqCst);
                }
                // What is kept came from the index or the journal, which both stay
                // until this run's index is written: only new work is recorded.
                if let Outcome::Generated(entry, _) = &outcome {
                    journal.record(entry);
                }
                // Diagnostics are printed as jobs finish, above the bar; the
                // per-questionnaire lines and the summary follow in input order.
                if !report.is_empty() {
                    progress.suspend(|| eprint!("{report}"));
                }
                if let Ok(mut r) = results.lock() {
                    r[i] = outcome;
                }
                progress.inc(1);
            }
        };
        if workers == 1 {
            // A run of one questionnaire starts no thread of its own.
            work();
        } else {
            // One worker on each thread of the pool that typst lays pages out on
            // (`--jobs` threads, see `commands::generate`): a worker that waits for
            // its own pages helps with those of the others, and no more threads
            // run than `--jobs` says.
            rayon_core::broadcast(|_| work());
        }
        progress.finish_and_clear();
        let results = results.into_inner().unwrap_or_default();
        self.finish(inputs, results, &journal, started)
    }

    fn finish(
        &self,
        inputs: &[PathBuf],
        results: Vec<Outcome>,
        journal: &Journal,
        started: Instant,
    ) -> u8 {
        let mut code = exit::OK;
        let (mut generated, mut skipped, mut failed, mut not_run) = (0, 0, Vec::new(), 0);
        let mut entries = Vec::new();
        let (mut generated_json, mut kept_json) = (Vec::new(), Vec::new());
        // Warnings scroll past in a long batch: the summary counts the questionnaires
        // that had some, and the JSON lists them, so that none goes unreviewed.
        let (mut warned, mut warnings_json) = (0, Vec::new());
        let lines = !self.quiet && !self.json;
        for (path, outcome) in inputs.iter().zip(results) {
            let name = path.display().to_string();
            match outcome {
                Outcome::Generated(entry, warnings) => {
                    generated += 1;
                    if !warnings.is_empty() {
                        warned += 1;
                    }
                    for message in warnings {
                        warnings_json
                            .push(serde_json::json!({ "questionnaire": name, "message": message }));
                    }
                    if lines {
                        println!("{name}: {}", describe(&entry));
                    }
                    generated_json.push(name);
                    entries.push(entry);
                }
                Outcome::Skipped(entry) => {
                    skipped += 1;
                    if lines {
                        println!("{name}: unchanged, kept {} files", entry.files.len());
                    }
                    kept_json.push(name);
                    entries.push(entry);
                }
                Outcome::Failed {
                    message,
                    more,
                    code: c,
                } => {
                    code = code.max(c);
                    failed.push((name, message, more));
                }
                Outcome::NotRun => not_run += 1,
            }
        }
        let entries_for_json = if self.json {
            entries.clone()
        } else {
            Vec::new()
        };
        if !entries.is_empty() {
            let index = Index {
                format: "secannex-index".into(),
                format_version: INDEX_VERSION,
                tool: crate::TOOL.into(),
                catalogue: format!(
                    "{} {}",
                    self.res.catalogue.meta.id, self.res.catalogue.meta.version
                ),
                entries,
            };
            match write_index(self.output, &index) {
                Ok(()) => journal.finish(),
                Err(e) => {
                    eprintln!("error: {}", e.0);
                    code = exit::IO;
                }
            }
        }
        let total = inputs.len();
        if self.json && !self.quiet {
            let value = serde_json::json!({
                "format": "secannex-run",
                "format_version": 1,
                "tool": crate::TOOL,
                "output": self.output.display().to_string(),
                "generated": generated_json,
                "unchanged": kept_json,
                "failed": failed.iter().map(|(q, m, _)| serde_json::json!({ "questionnaire": q, "error": m })).collect::<Vec<_>>(),
                "warnings": warnings_json,
                "not_run": not_run,
                "entries": entries_for_json,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        if lines && (total > 1 || !failed.is_empty() || skipped > 0) {
            let with_warnings = if warned > 0 {
                format!(" ({warned} with warnings, above)")
            } else {
                String::new()
            };
            let mut line = format!(
                "{generated} generated{with_warnings}, {} failed, {skipped} unchanged",
                failed.len()
            );
            if not_run > 0 {
                line.push_str(&format!(", {not_run} not run (--fail-fast)"));
            }
            eprintln!(
                "{line}; {total} questionnaire(s) in {:.1} s with {} job(s)",
                started.elapsed().as_secs_f64(),
                self.jobs
            );
            for (name, message, more) in &failed {
                eprintln!("  failed: {}", failure_line(name, message, *more));
            }
        }
        code
    }
}

/// What `survey` finds, per input.
struct Survey {
    /// Why it fails before it starts (its output names clash with an earlier one's).
    clashes: Vec<Option<Diagnostic>>,
    /// Its number of annexes (lots).
    annexes: Vec<usize>,
    /// What its annexes are made of (`generate::likeness`; empty when the run
    /// writes no PDF); none if it cannot be read, is invalid or clashes.
    likeness: Vec<Option<Likeness>>,
}

type Likeness = Vec<Vec<u64>>;

/// The order in which the questionnaires start. Results, lines and the index keep
/// the input order whatever this says; only the messages printed as jobs finish
/// follow it.
/// 1. Questionnaires that fail before any typesetting (unreadable, invalid, or
///    clashing with another) first: their errors come at once, and `--fail-fast`
///    stops before the long work.
/// 2. With several workers, the framework agreements with the most lots: one that
///    started last would keep a single thread busy long after the others ran out
///    of work.
/// 3. Then similar questionnaires one after another: typst reuses the layout of
///    what an annex shares, from the start of each chapter, with those typeset
///    just before it. 1,000 synthetic questionnaires took 10 to 16 % less time in
///    this order than in the order of their names (docs/performance.md).
///
/// Among equals, the input order.
fn start_order(annexes: &[usize], likeness: &[Option<Likeness>], workers: usize) -> Vec<usize> {
    let runs = |i: usize| likeness[i].is_some();
    let lots = |i: usize| {
        if workers > 1 && runs(i) {
            annexes[i]
        } else {
            1
        }
    };
    let group = |i: usize| (runs(i), std::cmp::Reverse(lots(i)));
    let mut sorted: Vec<usize> = (0..annexes.len()).collect();
    // Sorted by what they are made of, those that share the start of a chapter
    // are near one another.
    sorted.sort_by(|&a, &b| (group(a), &likeness[a]).cmp(&(group(b), &likeness[b])));
    let mut order = Vec::with_capacity(sorted.len());
    for same in sorted.chunk_by(|&a, &b| group(a) == group(b)) {
        match likeness[same[0]] {
            Some(_) => order.extend(chain(same, likeness)),
            None => order.extend_from_slice(same),
        }
    }
    order
}

/// How far ahead, in sorted order, `chain` looks for the next questionnaire: as
/// good as looking at all of them on 1,000 synthetic questionnaires, and linear.
const CHAIN_WINDOW: usize = 64;

/// Starting with the first, each next questionnaire is the one that shares the
/// most with the last taken, among the next `CHAIN_WINDOW` not yet taken; the
/// earliest of equals.
fn chain(sorted: &[usize], likeness: &[Option<Likeness>]) -> Vec<usize> {
    let mut left: std::collections::VecDeque<usize> = sorted.iter().copied().collect();
    let mut order = Vec::with_capacity(sorted.len());
    while let Some(last) = left.pop_front() {
        order.push(last);
        let mut best: Option<(usize, usize)> = None;
        for (at, &i) in left.iter().take(CHAIN_WINDOW).enumerate() {
            let s = shared(&likeness[last], &likeness[i]);
            if best.is_none_or(|(_, most)| s > most) {
                best = Some((at, s));
            }
        }
        if let Some((at, _)) = best
            && let Some(next) = left.remove(at)
        {
            left.push_front(next);
        }
    }
    order
}

/// Clauses two questionnaires share at the start of their chapters: what typst
/// can reuse from one annex for the other.
fn shared(a: &Option<Likeness>, b: &Option<Likeness>) -> usize {
    let (Some(a), Some(b)) = (a, b) else {
        return 0;
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).take_while(|(p, q)| p == q).count())
        .sum()
}

/// A failed questionnaire in the summary: its first error, with the questionnaire
/// named once, and how many more errors were printed above.
fn failure_line(name: &str, message: &str, more: usize) -> String {
    let mut line = if message.starts_with(&format!("{name}:")) {
        message.to_string()
    } else {
        format!("{name}: {message}")
    };
    match more {
        0 => {}
        1 => line.push_str(" (and 1 more error, above)"),
        n => line.push_str(&format!(" (and {n} more errors, above)")),
    }
    line
}

fn io_failed(message: String) -> (Outcome, String) {
    let report = format!("error: {message}\n");
    (
        Outcome::Failed {
            message,
            more: 0,
            code: exit::IO,
        },
        report,
    )
}

fn failed(diags: &[Diagnostic]) -> (Outcome, String) {
    let first = diags.iter().find(|d| d.is_error()).or(diags.first());
    let message = first.map_or_else(
        || "failed".to_string(),
        |d| match &d.location {
            Some(l) if l.line > 0 => format!("{}:{}:{}: {}", l.file, l.line, l.column, d.message),
            _ => d.message.clone(),
        },
    );
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (
        Outcome::Failed {
            message,
            more: errors.saturating_sub(1),
            code: exit::INVALID,
        },
        diag::render_all(diags),
    )
}

fn describe(entry: &IndexEntry) -> String {
    let lots: Vec<String> = entry
        .lots
        .iter()
        .map(|l| match &l.lot {
            Some(id) => format!(
                "lot {id}: {} clauses, {} buyer actions",
                l.clauses, l.buyer_actions
            ),
            None => format!("{} clauses, {} buyer actions", l.clauses, l.buyer_actions),
        })
        .collect();
    format!("{}; {} files", lots.join("; "), entry.files.len())
}

fn write_index(dir: &Path, index: &Index) -> Result<(), files::IoFailure> {
    let mut json = serde_json::to_string_pretty(index).expect("plain data");
    json.push('\n');
    let mut csv =
        String::from("questionnaire,questionnaire_sha256,lots,clauses,file,bytes,sha256\n");
    for e in &index.entries {
        let lots: Vec<String> = e
            .lots
            .iter()
            .map(|l| l.lot.clone().unwrap_or_default())
            .collect();
        let clauses: Vec<String> = e.lots.iter().map(|l| l.clauses.to_string()).collect();
        for f in &e.files {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                csv_field(&e.questionnaire),
                e.sha256,
                csv_field(&lots.join(" ")),
                csv_field(&clauses.join(" ")),
                csv_field(&f.name),
                f.bytes,
                f.sha256
            ));
        }
    }
    files::write_all_atomic(
        dir,
        &[
            ("index.json".into(), json.as_bytes()),
            ("index.csv".into(), csv.as_bytes()),
        ],
    )
    .map(|_| ())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{IndexEntry, JOURNAL, Journal, failure_line, read_journal, shared, start_order};

    fn entry(name: &str) -> IndexEntry {
        IndexEntry {
            questionnaire: name.into(),
            sha256: "0".into(),
            key: "k".into(),
            lots: Vec::new(),
            files: Vec::new(),
        }
    }

    #[test]
    fn the_journal_lists_what_a_batch_finished_until_its_index_is_written() {
        let dir = std::env::temp_dir().join(format!("secannex-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = |entries: Vec<IndexEntry>| -> Vec<String> {
            entries.into_iter().map(|e| e.questionnaire).collect()
        };
        // A batch records each questionnaire as it finishes; a kill can cut the
        // last line short, and that line is skipped.
        let journal = Journal::start(&dir, 3, false);
        journal.record(&entry("a.yaml"));
        journal.record(&entry("b.yaml"));
        drop(journal);
        let path = dir.join(JOURNAL);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"questionnaire\":\"c.yaml\",\"sha");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(names(read_journal(&dir)), ["a.yaml", "b.yaml"]);
        // A run of one questionnaire leaves it alone, even once its index is written.
        let single = Journal::start(&dir, 1, false);
        single.record(&entry("d.yaml"));
        single.finish();
        assert_eq!(names(read_journal(&dir)), ["a.yaml", "b.yaml"]);
        // Resuming adds to it; the index written, it is gone.
        let resumed = Journal::start(&dir, 3, true);
        resumed.record(&entry("c.yaml"));
        assert_eq!(names(read_journal(&dir)), ["a.yaml", "b.yaml", "c.yaml"]);
        resumed.finish();
        assert!(!path.exists());
        // A new batch that does not resume starts a journal of its own.
        std::fs::write(&path, &text).unwrap();
        let fresh = Journal::start(&dir, 2, false);
        fresh.record(&entry("e.yaml"));
        assert_eq!(names(read_journal(&dir)), ["e.yaml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failure_names_the_questionnaire_once_and_counts_the_other_errors() {
        assert_eq!(
            failure_line("q.yaml", "q.yaml:3:1: missing `data`", 0),
            "q.yaml:3:1: missing `data`"
        );
        // An error placed elsewhere (a template, say), or placed nowhere.
        assert_eq!(
            failure_line("q.yaml", "templates/annex.md:4:2: unknown filter", 1),
            "q.yaml: templates/annex.md:4:2: unknown filter (and 1 more error, above)"
        );
        assert_eq!(
            failure_line("q.yaml", "cannot read q.yaml", 5),
            "q.yaml: cannot read q.yaml (and 5 more errors, above)"
        );
        // A file name that only starts the same way is not the questionnaire.
        assert_eq!(
            failure_line("q.yaml", "q.yaml.bak:1:1: x", 0),
            "q.yaml: q.yaml.bak:1:1: x"
        );
    }

    #[test]
    fn failures_start_first_then_the_largest_frameworks() {
        let annexes = [1, 4, 1, 12, 4, 1];
        let mut likeness = vec![Some(vec![vec![1, 2]]); 6];
        assert_eq!(start_order(&annexes, &likeness, 2), [3, 1, 4, 0, 2, 5]);
        assert_eq!(start_order(&annexes, &likeness, 1), [0, 1, 2, 3, 4, 5]);
        // Those that fail before typesetting have no likeness: first, in input order.
        likeness[4] = None;
        likeness[2] = None;
        assert_eq!(start_order(&annexes, &likeness, 2), [2, 4, 3, 1, 0, 5]);
        assert_eq!(start_order(&annexes, &likeness, 1), [2, 4, 0, 1, 3, 5]);
        assert_eq!(start_order(&[], &[], 4), Vec::<usize>::new());
    }

    #[test]
    fn similar_questionnaires_follow_one_another() {
        let k = |chapters: &[&[u64]]| Some(chapters.iter().map(|c| c.to_vec()).collect());
        let likeness = vec![
            k(&[&[1], &[5, 6, 7]]),
            k(&[&[3], &[9]]),
            k(&[&[1], &[8]]),
            // Shares the whole second chapter with the first, though sorted apart.
            k(&[&[2], &[5, 6, 7]]),
            k(&[&[3], &[9]]),
        ];
        assert_eq!(start_order(&[1; 5], &likeness, 1), [0, 3, 2, 1, 4]);
        assert_eq!(shared(&likeness[0], &likeness[3]), 3);
        assert_eq!(shared(&likeness[0], &likeness[2]), 1);
        assert_eq!(shared(&likeness[0], &None), 0);
        // A run without PDFs surveys no likeness: the input order stays.
        assert_eq!(
            start_order(
                &[1; 4],
                &[Some(vec![]), Some(vec![]), None, Some(vec![])],
                1
            ),
            [2, 0, 1, 3]
        );
    }
}
