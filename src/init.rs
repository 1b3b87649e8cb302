//! `secannex init`: a buyer's answers → a commented questionnaire (YAML text).
//!
//! The entry function is [`questionnaire_yaml`]. Around it: [`check`] runs the
//! written text through the real loader, [`selection`] counts what the answers
//! select so far (with the same loader and `select`, so the count is what
//! `generate` would select), [`missing`] lists the required answers not given, and
//! [`from_partial`] reads the answers of a partial questionnaire (`--from`).
//! Prompting, flags and files are the CLI's (`src/cli/init.rs`); nothing here
//! prints or reads the clock.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::catalogue::{Catalogue, ParamKind, ParamValue};
use crate::diag::Diagnostic;
use crate::facts;
use crate::questionnaire::{self, Exclusion, Questionnaire, SCHEMA_VERSION};
use crate::schema;
use crate::select::{self, Selection};
use crate::yaml::{self, Node, SourceFile, Value};

/// Every answer of schema version 1; `None` where not (yet) answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    /// `procurement.title`.
    pub title: Option<String>,
    /// `procurement.reference`.
    pub reference: Option<String>,
    /// `procurement.buyer`.
    pub buyer: Option<String>,
    /// `procurement.procedure` (the loader's default is `open`).
    pub procedure: Option<String>,
    /// `procurement.language` (the loader's default is `en`).
    pub language: Option<String>,
    /// `procurement.date`, YYYY-MM-DD.
    pub date: Option<String>,
    /// What is bought (the top level: every lot inherits it).
    pub profile: Profile,
    /// Lots of a framework agreement or divided procurement, if any.
    pub lots: Vec<LotAnswers>,
}

/// The answers about what is bought. At the top level every required field must
/// end up `Some`; in a lot, `Some` marks an override of the top level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// `asset.category`.
    pub category: Option<String>,
    /// `asset.subtypes` (`Some(vec![])` is written as no sub-types: all of them).
    pub subtypes: Option<Vec<String>>,
    /// `asset.description`.
    pub description: Option<String>,
    /// `asset.medical_device`.
    pub medical_device: Option<bool>,
    /// `connectivity` (`Some(vec![])`: stand-alone).
    pub connectivity: Option<Vec<String>>,
    /// `data` (`Some(vec![])`: no data of its own).
    pub data: Option<Vec<String>>,
    /// `services`.
    pub services: Option<Vec<String>>,
    /// `criticality.patient_safety`.
    pub patient_safety: Option<String>,
    /// `criticality.availability`.
    pub availability: Option<String>,
    /// `lifecycle` (a lot's lifecycle replaces the top level's as a whole).
    pub lifecycle: Option<Lifecycle>,
    /// `options`.
    pub options: Options,
}

/// The `lifecycle` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    /// `expected_years`.
    pub expected_years: Option<u32>,
    /// `integrates_with_legacy` (the loader's default is false).
    pub integrates_with_legacy: Option<bool>,
}

/// The `options` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Parameter values by name.
    pub parameters: BTreeMap<String, ParamValue>,
    /// Clauses left out, each with the reason.
    pub exclude: Vec<Exclusion>,
    /// Clauses added.
    pub include: Vec<String>,
}

impl Options {
    fn is_empty(&self) -> bool {
        self.parameters.is_empty() && self.exclude.is_empty() && self.include.is_empty()
    }
}

/// One lot: its id, title and the answers where it differs from the top level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LotAnswers {
    /// `id` (lower-case letters, digits, dashes).
    pub id: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// Overrides of the top-level answers.
    pub profile: Profile,
}

/// A required answer that is not given: its key in the questionnaire, and the lot
/// (0-based) for a lot's `id` or `title`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The key, e.g. `procurement.title`, `asset.category`, `lots[2].title`.
    pub key: String,
    /// The top-level key without lot index (`procurement.title`, `lots.title`...).
    pub field: &'static str,
}

/// The required answers not given, in questionnaire order.
pub fn missing(a: &Answers) -> Vec<Missing> {
    let p = &a.profile;
    let mut out = Vec::new();
    let mut need = |given: bool, key: &'static str| {
        if !given {
            out.push(Missing {
                key: key.to_string(),
                field: key,
            });
        }
    };
    need(a.title.is_some(), "procurement.title");
    need(a.reference.is_some(), "procurement.reference");
    need(a.buyer.is_some(), "procurement.buyer");
    need(p.category.is_some(), "asset.category");
    need(p.medical_device.is_some(), "asset.medical_device");
    need(p.connectivity.is_some(), "connectivity");
    need(p.data.is_some(), "data");
    need(p.services.is_some(), "services");
    need(p.patient_safety.is_some(), "criticality.patient_safety");
    need(p.availability.is_some(), "criticality.availability");
    for (i, lot) in a.lots.iter().enumerate() {
        for (given, field) in [(lot.id.is_some(), "id"), (lot.title.is_some(), "title")] {
            if !given {
                out.push(Missing {
                    key: format!("lots[{}].{field}", i + 1),
                    field: if field == "id" {
                        "lots.id"
                    } else {
                        "lots.title"
                    },
                });
            }
        }
    }
    out
}

/// The answers with every unanswered required question at its lightest answer
/// (no connectivity, no data, no services, low patient safety, normal
/// availability, not a medical device) and placeholders for the procurement: what
/// [`selection`] counts while the buyer is still answering.
pub fn so_far(a: &Answers, catalogue: &Catalogue) -> Answers {
    let mut a = a.clone();
    let text = |v: &mut Option<String>, placeholder: &str| {
        v.get_or_insert_with(|| placeholder.to_string());
    };
    text(&mut a.title, "Untitled");
    text(&mut a.reference, "REF");
    text(&mut a.buyer, "Buyer");
    let p = &mut a.profile;
    if p.category.is_none() {
        p.category = catalogue.assets.first().map(|c| c.id.clone());
    }
    p.medical_device.get_or_insert(false);
    p.connectivity.get_or_insert_with(Vec::new);
    p.data.get_or_insert_with(Vec::new);
    p.services.get_or_insert_with(Vec::new);
    text(&mut p.patient_safety, "low");
    text(&mut p.availability, "normal");
    for (i, lot) in a.lots.iter_mut().enumerate() {
        lot.id.get_or_insert_with(|| format!("lot-{}", i + 1));
        text(&mut lot.title, "Untitled lot");
    }
    a
}

/// Load the questionnaire the answers make, with the real loader: the model if
/// valid, and every diagnostic (positions are in the written text, named `name`).
pub fn check(
    a: &Answers,
    catalogue: &Catalogue,
    languages: &[String],
    name: &str,
) -> (Option<Questionnaire>, Vec<Diagnostic>) {
    let file = SourceFile::new(name, questionnaire_yaml(a, catalogue));
    questionnaire::load(&file, catalogue, languages)
}

/// What the answers select so far, one selection per lot (unanswered questions at
/// their lightest, see [`so_far`]); the loader's errors if an answer is invalid.
pub fn selection(
    a: &Answers,
    catalogue: &Catalogue,
    languages: &[String],
) -> Result<Vec<Selection>, Vec<Diagnostic>> {
    let (q, diags) = check(&so_far(a, catalogue), catalogue, languages, "answers");
    match q {
        Some(q) => Ok(q
            .profiles
            .iter()
            .map(|p| select::select(catalogue, p))
            .collect()),
        None => Err(diags.into_iter().filter(Diagnostic::is_error).collect()),
    }
}

/// The commented questionnaire for the answers. Unanswered required fields are
/// left out (the loader then says what is missing); deterministic.
pub fn questionnaire_yaml(a: &Answers, catalogue: &Catalogue) -> String {
    let mut w = Writer::default();
    w.line(
        0,
        &format!("# yaml-language-server: $schema={}", schema::FILE_NAME),
    );
    w.line(
        0,
        "# Questionnaire for the cybersecurity annex of a call for tenders.",
    );
    w.line(
        0,
        &format!(
            "# Written by `secannex init` ({}, catalogue {} {}).",
            crate::TOOL,
            catalogue.meta.id,
            catalogue.meta.version
        ),
    );
    w.line(
        0,
        "# The comments quote the catalogue. Edit the answers as needed, then:",
    );
    w.line(
        0,
        "#   secannex validate FILE           check it (every problem at once)",
    );
    w.line(
        0,
        "#   secannex select FILE             which clauses it selects, and why",
    );
    w.line(
        0,
        "#   secannex generate FILE -o out    write the annex, checklist and matrix",
    );
    w.line(
        0,
        &format!(
            "# Editors check and complete it with: secannex schema > {}",
            schema::FILE_NAME
        ),
    );
    w.line(0, &format!("schema_version: {SCHEMA_VERSION}"));

    w.line(0, "# The procurement as a whole.");
    w.line(0, "procurement:");
    w.opt_text(1, "title", a.title.as_deref());
    w.opt_text(1, "reference", a.reference.as_deref());
    w.opt_text(1, "buyer", a.buyer.as_deref());
    let procedure = a.procedure.as_deref().unwrap_or("open");
    w.keyed(
        1,
        "procedure",
        &scalar(procedure),
        facts::describe(facts::PROCEDURES, procedure),
    );
    let language = a.language.as_deref().unwrap_or("en");
    w.keyed(1, "language", &scalar(language), Some("annex language"));
    match &a.date {
        Some(d) => w.keyed(1, "date", &scalar(d), Some("annex date")),
        None => w.line(
            1,
            "# date: YYYY-MM-DD   (none: the date the annex is generated)",
        ),
    }

    write_profile(&mut w, 0, &a.profile, None, catalogue);

    if !a.lots.is_empty() {
        w.line(
            0,
            "# One annex per lot. Each lot inherits the answers above and overrides some of them.",
        );
        w.line(0, "lots:");
        for lot in &a.lots {
            match &lot.id {
                Some(id) => w.line(1, &format!("- id: {}", scalar(id))),
                None => w.line(1, "-"),
            }
            w.opt_text(2, "title", lot.title.as_deref());
            write_profile(&mut w, 2, &lot.profile, Some(&a.profile), catalogue);
        }
    }
    w.out
}

/// Write a profile at `depth` (0 for the top level, 2 inside a lot). `top` is
/// given for a lot: only the lot's overrides are written, and a lot's
/// `criticality` always names both levels (those it does not change come from
/// the top level), as the schema requires.
fn write_profile(
    w: &mut Writer,
    depth: usize,
    p: &Profile,
    top: Option<&Profile>,
    catalogue: &Catalogue,
) {
    let is_lot = top.is_some();
    let asset_given = p.category.is_some()
        || p.subtypes.is_some()
        || p.description.is_some()
        || p.medical_device.is_some();
    if asset_given || !is_lot {
        if !is_lot {
            w.line(depth, "# What is bought.");
        }
        w.line(depth, "asset:");
        if let Some(c) = &p.category {
            if let Some(asset) = catalogue.asset(c) {
                w.comment(
                    depth + 1,
                    &format!("{}: {}", asset.title, asset.description),
                );
            }
            w.keyed(depth + 1, "category", &scalar(c), None);
        }
        if let Some(list) = &p.subtypes {
            let category = p
                .category
                .as_deref()
                .or(top.and_then(|t| t.category.as_deref()))
                .and_then(|c| catalogue.asset(c));
            let describe = |id: &str| {
                category.and_then(|a| {
                    a.subtypes
                        .iter()
                        .find(|(s, _)| s == id)
                        .map(|(_, t)| t.to_string())
                })
            };
            w.list(
                depth + 1,
                "subtypes",
                list,
                describe,
                "none named: every sub-type of the category",
            );
        }
        w.opt_text(depth + 1, "description", p.description.as_deref());
        if let Some(m) = p.medical_device {
            w.keyed(
                depth + 1,
                "medical_device",
                if m { "true" } else { "false" },
                Some(if m {
                    "placed on the market under the MDR or IVDR"
                } else {
                    "not a medical device under the MDR or IVDR"
                }),
            );
        }
    }
    let vocab = |v: &'static [(&'static str, &'static str)]| {
        move |id: &str| facts::describe(v, id).map(str::to_string)
    };
    if let Some(c) = &p.connectivity {
        if !is_lot {
            w.line(depth, "# Every way it connects.");
        }
        w.list(
            depth,
            "connectivity",
            c,
            vocab(facts::CONNECTIVITY),
            "stand-alone: no connection of any kind",
        );
    }
    if let Some(d) = &p.data {
        if !is_lot {
            w.line(depth, "# What data it stores or processes.");
        }
        w.list(depth, "data", d, vocab(facts::DATA), "no data of its own");
    }
    if let Some(s) = &p.services {
        if !is_lot {
            w.line(depth, "# What the supplier delivers besides goods.");
        }
        w.list(
            depth,
            "services",
            s,
            vocab(facts::SERVICES),
            "no services besides the goods",
        );
    }
    let (safety, availability) = match top {
        Some(t) if p.patient_safety.is_some() || p.availability.is_some() => (
            p.patient_safety.as_ref().or(t.patient_safety.as_ref()),
            p.availability.as_ref().or(t.availability.as_ref()),
        ),
        _ => (p.patient_safety.as_ref(), p.availability.as_ref()),
    };
    if safety.is_some() || availability.is_some() {
        if !is_lot {
            w.line(depth, "# What a failure or a compromise would cost.");
        }
        w.line(depth, "criticality:");
        if let Some(s) = safety {
            w.keyed(
                depth + 1,
                "patient_safety",
                &scalar(s),
                facts::describe(facts::PATIENT_SAFETY, s),
            );
        }
        if let Some(v) = availability {
            w.keyed(
                depth + 1,
                "availability",
                &scalar(v),
                facts::describe(facts::AVAILABILITY, v),
            );
        }
    }
    if let Some(l) = &p.lifecycle
        && (l.expected_years.is_some() || l.integrates_with_legacy.is_some())
    {
        if !is_lot {
            w.line(depth, "# Service life.");
        }
        w.line(depth, "lifecycle:");
        if let Some(y) = l.expected_years {
            w.keyed(
                depth + 1,
                "expected_years",
                &y.to_string(),
                Some("expected service life in years"),
            );
        }
        if let Some(b) = l.integrates_with_legacy {
            w.keyed(
                depth + 1,
                "integrates_with_legacy",
                if b { "true" } else { "false" },
                Some(if b {
                    "must work with systems no longer supported by their makers"
                } else {
                    "no unsupported legacy systems to work with"
                }),
            );
        }
    }
    if !p.options.is_empty() {
        write_options(w, depth, &p.options, catalogue);
    } else if !is_lot {
        w.line(
            depth,
            "# options: none; see the README to change parameters, or to exclude or include clauses.",
        );
    }
}

fn write_options(w: &mut Writer, depth: usize, o: &Options, catalogue: &Catalogue) {
    if depth == 0 {
        w.line(
            depth,
            "# Tailoring by the buyer; every exclusion has a reason.",
        );
    }
    w.line(depth, "options:");
    if !o.parameters.is_empty() {
        w.line(depth + 1, "parameters:");
        for (name, value) in &o.parameters {
            let about = catalogue.parameter(name).map(|p| match &p.kind {
                ParamKind::Integer {
                    default,
                    min,
                    max,
                    unit,
                } => format!("{} ({unit}; {min} to {max}, default {default})", p.label),
                ParamKind::Text { default } => format!("{} (default: {default})", p.label),
            });
            let v = match value {
                ParamValue::Integer(i) => i.to_string(),
                ParamValue::Text(t) => scalar(t),
            };
            w.keyed(depth + 2, &scalar(name), &v, about.as_deref());
        }
    }
    let title = |id: &str| catalogue.clause(id).map(|c| c.title.clone());
    if !o.exclude.is_empty() {
        w.line(depth + 1, "exclude:");
        for e in &o.exclude {
            w.keyed(
                depth + 2,
                "- clause",
                &scalar(&e.clause),
                title(&e.clause).as_deref(),
            );
            w.text(depth + 3, "reason", &e.reason);
        }
    }
    if !o.include.is_empty() {
        w.line(depth + 1, "include:");
        for id in &o.include {
            w.item(depth + 2, &scalar(id), title(id).as_deref());
        }
    }
}

/// Builds indented YAML lines.
#[derive(Default)]
struct Writer {
    out: String,
}

/// Width up to which comments and folded text are wrapped.
const WIDTH: usize = 88;

impl Writer {
    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "  ".repeat(depth));
    }

    /// `# text`, wrapped.
    fn comment(&mut self, depth: usize, text: &str) {
        let width = WIDTH.saturating_sub(2 * depth + 2).max(40);
        for l in wrap(&one_line(text), width) {
            self.line(depth, &format!("# {l}"));
        }
    }

    /// `key: value   # comment`.
    fn keyed(&mut self, depth: usize, key: &str, value: &str, comment: Option<&str>) {
        match comment {
            Some(c) => self.line(depth, &format!("{key}: {value}   # {}", one_line(c))),
            None => self.line(depth, &format!("{key}: {value}")),
        }
    }

    /// `- value   # comment`.
    fn item(&mut self, depth: usize, value: &str, comment: Option<&str>) {
        match comment {
            Some(c) => self.line(depth, &format!("- {value}   # {}", one_line(c))),
            None => self.line(depth, &format!("- {value}")),
        }
    }

    /// Free text: plain when that reads back unchanged, folded when long, quoted otherwise.
    fn text(&mut self, depth: usize, key: &str, value: &str) {
        if value.chars().count() > WIDTH - 2 * depth - key.len() - 2 && foldable(value) {
            self.line(depth, &format!("{key}: >-"));
            for l in wrap(value, WIDTH.saturating_sub(2 * depth + 2).max(40)) {
                self.line(depth + 1, &l);
            }
        } else {
            self.line(depth, &format!("{key}: {}", scalar(value)));
        }
    }

    fn opt_text(&mut self, depth: usize, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(depth, key, v);
        }
    }

    /// A list of ids, one per line with its description, or `[]` with `empty`.
    fn list(
        &mut self,
        depth: usize,
        key: &str,
        ids: &[String],
        describe: impl Fn(&str) -> Option<String>,
        empty: &str,
    ) {
        if ids.is_empty() {
            self.keyed(depth, key, "[]", Some(empty));
            return;
        }
        self.line(depth, &format!("{key}:"));
        for id in ids {
            self.item(depth + 1, &scalar(id), describe(id).as_deref());
        }
    }
}

/// A YAML scalar that reads back as exactly the string `s`: plain when that is
/// safe, double-quoted otherwise (titles with `: ` or ` #`, leading `-` or
/// quotes, words YAML would read as booleans or null, numbers, dates...).
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Plain only when no YAML reader could take it for anything but this text:
/// starts with a letter, no `: ` or ` #`, only ordinary spaces, not a word
/// that YAML 1.1 readers (some editors) take for a boolean or null.
fn plain_ok(s: &str) -> bool {
    const WORDS: [&str; 9] = ["true", "false", "yes", "no", "on", "off", "y", "n", "null"];
    s.chars().next().is_some_and(char::is_alphabetic)
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars()
            .all(|c| c == ' ' || !(c.is_whitespace() || unusual(c)))
        && !WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Characters that must be escaped: control characters, and those some readers
/// take for line breaks or a byte-order mark.
fn unusual(c: char) -> bool {
    c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A double-quoted YAML scalar.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if unusual(c) && (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if unusual(c) => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when `s` can be written as a folded block (`>-`) wrapped at single
/// spaces and read back unchanged: one line, no leading, trailing or double
/// spaces, no tabs or unusual characters.
fn foldable(s: &str) -> bool {
    !s.is_empty()
        && s.trim() == s
        && !s.contains("  ")
        && s.chars()
            .all(|c| c == ' ' || !(c.is_whitespace() || unusual(c)))
}

/// Greedy wrap at single spaces; a word longer than `width` gets its own line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
}

/// Text for a comment: one line, no control characters, single spaces.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || unusual(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a loader diagnostic only says that an answer is missing: a partial
/// file (`--from`) may lack anything. Matches the loader's wording (see
/// `questionnaire::load`; a unit test below keeps the two in step).
fn says_missing(d: &Diagnostic) -> bool {
    d.message.starts_with("missing `") || d.message.contains(" does not say `")
}

/// The answers a partial questionnaire gives. What it gives is checked by the real
/// loader (ids, bounds, types, every problem at once with its line and column);
/// only "missing" is forgiven. Comments and `x-` notes are not carried over.
pub fn from_partial(
    file: &SourceFile,
    catalogue: &Catalogue,
    languages: &[String],
) -> Result<Answers, Vec<Diagnostic>> {
    let (_, diags) = questionnaire::load(file, catalogue, languages);
    let errors: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.is_error() && !says_missing(d))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let node = yaml::parse(file).map_err(|d| vec![d])?;
    let procurement = get(&node, "procurement");
    let text = |key: &str| procurement.and_then(|p| get(p, key)).and_then(string);
    Ok(Answers {
        title: text("title"),
        reference: text("reference"),
        buyer: text("buyer"),
        procedure: text("procedure"),
        language: text("language"),
        date: text("date"),
        profile: profile_of(&node),
        lots: match get(&node, "lots").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .map(|lot| LotAnswers {
                    id: get(lot, "id").and_then(string),
                    title: get(lot, "title").and_then(string),
                    profile: profile_of(lot),
                })
                .collect(),
            _ => Vec::new(),
        },
    })
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        _ => None,
    }
}

fn string(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn boolean(node: &Node) -> Option<bool> {
    match node.value {
        Value::Bool(b) => Some(b),
        _ => None,
    }
}

/// A list of ids; `[none]` is the empty list, as for the loader.
fn ids(node: &Node) -> Option<Vec<String>> {
    match &node.value {
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(string)
                .filter(|s| s != "none")
                .collect(),
        ),
        _ => None,
    }
}

/// The profile answers of a mapping (the top level or a lot).
fn profile_of(m: &Node) -> Profile {
    let asset = get(m, "asset");
    let in_asset = |key: &str| asset.and_then(|a| get(a, key));
    let criticality = |key: &str| {
        get(m, "criticality")
            .and_then(|c| get(c, key))
            .and_then(string)
    };
    let mut options = Options::default();
    if let Some(o) = get(m, "options") {
        if let Some(Value::Map(entries)) = get(o, "parameters").map(|n| &n.value) {
            for (k, v) in entries {
                let value = match &v.value {
                    Value::Int(i) => ParamValue::Integer(*i),
                    Value::Str(s) => ParamValue::Text(s.clone()),
                    _ => continue,
                };
                if !k.name.starts_with("x-") {
                    options.parameters.insert(k.name.clone(), value);
                }
            }
        }
        if let Some(Value::Seq(items)) = get(o, "exclude").map(|n| &n.value) {
            for item in items {
                if let (Some(clause), Some(reason)) = (
                    get(item, "clause").and_then(string),
                    get(item, "reason").and_then(string),
                ) {
                    options.exclude.push(Exclusion { clause, reason });
                }
            }
        }
        if let Some(list) = get(o, "include").and_then(ids) {
            options.include = list;
        }
    }
    Profile {
        category: in_asset("category").and_then(string),
        subtypes: in_asset("subtypes").and_then(ids),
        description: in_asset("description").and_then(string),
        medical_device: in_asset("medical_device").and_then(boolean),
        connectivity: get(m, "connectivity").and_then(ids),
        data: get(m, "data").and_then(ids),
        services: get(m, "services").and_then(ids),
        patient_safety: criticality("patient_safety"),
        availability: criticality("availability"),
        lifecycle: get(m, "lifecycle").map(|l| Lifecycle {
            expected_years: get(l, "expected_years").and_then(|n| match n.value {
                Value::Int(i) => u32::try_from(i).ok(),
                _ => None,
            }),
            integrates_with_legacy: get(l, "integrates_with_legacy").and_then(boolean),
        }),
        options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let (c, diags) = crate::catalogue::load(&crate::cli::files::builtin_catalogue());
        c.unwrap_or_else(|| panic!("{}", crate::diag::render_all(&diags)))
    }

    fn en() -> Vec<String> {
        vec!["en".to_string()]
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// Complete answers for a small purchase.
    fn pumps() -> Answers {
        Answers {
            title: Some("Networked infusion pumps".into()),
            reference: Some("UHX-2027-014".into()),
            buyer: Some("University Hospital X".into()),
            procedure: Some("open".into()),
            language: Some("en".into()),
            date: Some("2027-01-15".into()),
            profile: Profile {
                category: Some("networked-medical-device".into()),
                subtypes: Some(s(&["bedside-device"])),
                description: None,
                medical_device: Some(true),
                connectivity: Some(s(&["wired-network", "wireless"])),
                data: Some(s(&["patient-health"])),
                services: Some(s(&["maintenance", "remote-support"])),
                patient_safety: Some("high".into()),
                availability: Some("critical".into()),
                lifecycle: Some(Lifecycle {
                    expected_years: Some(10),
                    integrates_with_legacy: Some(true),
                }),
                options: Options::default(),
            },
            lots: Vec::new(),
        }
    }

    /// Load the written text with the real loader; panic with its messages if invalid.
    fn load(a: &Answers, c: &Catalogue) -> Questionnaire {
        let (q, diags) = check(a, c, &en(), "written.yaml");
        q.unwrap_or_else(|| {
            panic!(
                "{}\n---\n{}",
                crate::diag::render_all(&diags),
                questionnaire_yaml(a, c)
            )
        })
    }

    #[test]
    fn complete_answers_give_a_valid_commented_questionnaire() {
        let c = catalogue();
        let a = pumps();
        let text = questionnaire_yaml(&a, &c);
        assert!(
            text.starts_with(
                "# yaml-language-server: $schema=secannex-questionnaire.schema.json\n"
            )
        );
        assert!(text.contains("\nschema_version: 1\n"));
        // The catalogue's descriptions of the chosen ids are quoted as comments.
        assert!(
            text.contains("  - wired-network   # hospital LAN\n"),
            "{text}"
        );
        assert!(text.contains("  - patient-health   # special category data under GDPR Art. 9\n"));
        assert!(text.contains("    - bedside-device   # Bedside and therapy devices\n"));
        assert!(
            text.contains("  # Networked medical devices: Medical devices and in vitro diagnostic")
        );
        assert!(text.contains("  procedure: open   # open procedure\n"));
        assert!(text.contains(
            "  patient_safety: high   # a failure or compromise can harm patients directly\n"
        ));
        let q = load(&a, &c);
        let p = &q.profiles[0];
        assert_eq!(q.procurement.title, "Networked infusion pumps");
        assert_eq!(q.procurement.date.as_deref(), Some("2027-01-15"));
        assert_eq!(p.category, "networked-medical-device");
        assert_eq!(p.subtypes, s(&["bedside-device"]));
        assert_eq!(p.connectivity, s(&["wired-network", "wireless"]));
        assert_eq!(p.expected_years, Some(10));
        assert!(p.integrates_with_legacy && p.medical_device);
        // Deterministic.
        assert_eq!(text, questionnaire_yaml(&a, &c));
    }

    #[test]
    fn empty_lists_are_written_as_empty_and_explained() {
        let c = catalogue();
        let mut a = pumps();
        a.profile.connectivity = Some(vec![]);
        a.profile.data = Some(vec![]);
        a.profile.services = Some(vec![]);
        a.profile.subtypes = None;
        let text = questionnaire_yaml(&a, &c);
        assert!(text.contains("\nconnectivity: []   # stand-alone: no connection of any kind\n"));
        assert!(text.contains("\ndata: []   # no data of its own\n"));
        let q = load(&a, &c);
        assert!(q.profiles[0].connectivity.is_empty());
        assert!(!q.profiles[0].subtypes_given);
    }

    #[test]
    fn awkward_text_reads_back_unchanged() {
        let c = catalogue();
        let awkward = [
            "Pumps: phase 2",
            "Pumps #2",
            "#hashtag",
            "- leading dash",
            "\"quoted\" title",
            "'single' quotes",
            "yes",
            "No",
            "null",
            "~",
            "2027",
            "007",
            "1e3",
            "2027-01-15",
            "ends with colon:",
            "  leading spaces",
            "trailing space ",
            "back\\slash",
            "Ärzte & Pflege — Ωμέγα, Кириллица",
            "עברית",
            "[not a list]",
            "{not: a map}",
            "a: b: c",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick`",
            "| pipe",
            "> greater",
            "? question",
            "tab\tinside",
            "two\nlines",
            "x  double  spaces and a long enough text to be folded, which must not happen with doubled spaces inside",
            "A very long title that is longer than the width of one line, so that it is written as a folded block: with colons, # hashes, \"quotes\" and - dashes",
        ];
        for t in awkward {
            let mut a = pumps();
            a.title = Some(t.to_string());
            a.profile.description = Some(t.to_string());
            a.profile.options.exclude = vec![Exclusion {
                clause: "MAN-AWARE-02".into(),
                reason: t.to_string(),
            }];
            let q = load(&a, &c);
            assert_eq!(q.procurement.title, t, "title {t:?}");
            assert_eq!(
                q.profiles[0].description.as_deref(),
                Some(t),
                "description {t:?}"
            );
            assert_eq!(q.profiles[0].options.exclude[0].reason, t, "reason {t:?}");
        }
        assert_eq!(scalar("Pumps"), "Pumps");
        assert_eq!(scalar("Pumps: phase 2"), "\"Pumps: phase 2\"");
        assert_eq!(scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("- x"), "\"- x\"");
    }

    #[test]
    fn long_text_is_folded_and_wrapped() {
        let c = catalogue();
        let mut a = pumps();
        let long = "240 volumetric and 160 syringe infusion pumps for the adult and paediatric intensive care units, with a drug library server: auto-programming #1";
        a.profile.description = Some(long.into());
        let text = questionnaire_yaml(&a, &c);
        assert!(
            text.contains("  description: >-\n    240 volumetric"),
            "{text}"
        );
        let block: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.ends_with("description: >-"))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .collect();
        assert_eq!(block.len(), 2, "{text}");
        assert!(block.iter().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert_eq!(load(&a, &c).profiles[0].description.as_deref(), Some(long));
    }

    #[test]
    fn options_and_lots_are_written_and_inherited() {
        let c = catalogue();
        let mut a = pumps();
        a.procedure = Some("framework-agreement".into());
        a.profile
            .options
            .parameters
            .insert("support_years".into(), ParamValue::Integer(8));
        a.profile.options.include = s(&["MAN-PENTEST-02"]);
        a.lots = vec![
            LotAnswers {
                id: Some("lot-1".into()),
                title: Some("Volumetric pumps".into()),
                profile: Profile::default(),
            },
            LotAnswers {
                id: Some("lot-2".into()),
                title: Some("Drug library server: hosting".into()),
                profile: Profile {
                    category: Some("cloud-service".into()),
                    medical_device: Some(false),
                    connectivity: Some(s(&["internet", "cloud"])),
                    availability: Some("high".into()),
                    lifecycle: Some(Lifecycle {
                        expected_years: Some(5),
                        integrates_with_legacy: Some(false),
                    }),
                    ..Profile::default()
                },
            },
        ];
        let text = questionnaire_yaml(&a, &c);
        assert!(text.contains("    support_years: 8   # "), "{text}");
        assert!(text.contains("    - MAN-PENTEST-02   # "));
        assert!(
            text.contains("\nlots:\n  - id: lot-1\n    title: Volumetric pumps\n  - id: lot-2\n")
        );
        // A lot's criticality names both levels, the unchanged one from the top.
        assert!(text.contains("    criticality:\n      patient_safety: high   #"));
        let q = load(&a, &c);
        assert_eq!(q.profiles.len(), 2);
        let (one, two) = (&q.profiles[0], &q.profiles[1]);
        assert_eq!(one.category, "networked-medical-device");
        assert_eq!(one.subtypes, s(&["bedside-device"]));
        assert_eq!(two.category, "cloud-service");
        assert_eq!(two.data, s(&["patient-health"]));
        assert_eq!(
            (two.patient_safety.as_str(), two.availability.as_str()),
            ("high", "high")
        );
        assert_eq!(two.expected_years, Some(5));
        assert!(two.options.include.contains(&"MAN-PENTEST-02".to_string()));
        assert_eq!(
            two.options.parameters.get("support_years"),
            Some(&ParamValue::Integer(8))
        );
    }

    #[test]
    fn missing_answers_are_listed_in_order() {
        let mut a = Answers {
            title: Some("T".into()),
            ..Answers::default()
        };
        a.lots.push(LotAnswers::default());
        let keys: Vec<String> = missing(&a).into_iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "procurement.reference",
                "procurement.buyer",
                "asset.category",
                "asset.medical_device",
                "connectivity",
                "data",
                "services",
                "criticality.patient_safety",
                "criticality.availability",
                "lots[1].id",
                "lots[1].title"
            ]
        );
        assert!(missing(&pumps()).is_empty());
    }

    #[test]
    fn selection_so_far_counts_what_generate_selects() {
        let c = catalogue();
        let nothing = selection(&Answers::default(), &c, &en()).expect("neutral answers are valid");
        let full = selection(&pumps(), &c, &en()).expect("valid");
        assert_eq!(nothing.len(), 1);
        // Connectivity, patient data and high criticality select more clauses.
        assert!(full[0].selected.len() > nothing[0].selected.len());
        // The same as selecting the loaded questionnaire.
        let q = load(&pumps(), &c);
        assert_eq!(
            full[0].selected.len(),
            select::select(&c, &q.profiles[0]).selected.len()
        );
        let mut bad = pumps();
        bad.profile.connectivity = Some(s(&["wifi"]));
        let errors = selection(&bad, &c, &en()).expect_err("unknown id");
        assert!(errors[0].message.contains("wifi"), "{errors:?}");
    }

    #[test]
    fn a_partial_file_gives_its_answers_and_only_real_errors() {
        let c = catalogue();
        let partial = "schema_version: 1\nprocurement:\n  title: 'Pumps: phase 2'\n  buyer: UHX\nasset:\n  category: networked-medical-device\nconnectivity: [none]\noptions:\n  exclude: [{ clause: MAN-AWARE-02, reason: done }]\nlots:\n  - id: lot-1\n    data: [personal]\n    lifecycle: { expected_years: 4 }\n";
        let a = from_partial(&SourceFile::new("p.yaml", partial), &c, &en()).expect("only missing");
        assert_eq!(a.title.as_deref(), Some("Pumps: phase 2"));
        assert_eq!(a.reference, None);
        assert_eq!(a.profile.connectivity, Some(vec![]));
        assert_eq!(a.profile.options.exclude[0].reason, "done");
        assert_eq!(a.lots[0].id.as_deref(), Some("lot-1"));
        assert_eq!(a.lots[0].title, None);
        assert_eq!(a.lots[0].profile.data, Some(s(&["personal"])));
        assert_eq!(
            a.lots[0].profile.lifecycle,
            Some(Lifecycle {
                expected_years: Some(4),
                integrates_with_legacy: None
            })
        );
        let keys: Vec<String> = missing(&a).into_iter().map(|m| m.key).collect();
        assert!(keys.contains(&"lots[1].title".to_string()), "{keys:?}");
        // Real errors are reported with their position in the partial file.
        let bad = "procurement:\n  date: 15/01/2027\nconnectivity: [wifi]\n";
        let errors = from_partial(&SourceFile::new("p.yaml", bad), &c, &en()).expect_err("invalid");
        let text = crate::diag::render_all(&errors);
        assert!(
            text.contains("`15/01/2027` is not a date\n --> p.yaml:2:9"),
            "{text}"
        );
        assert!(text.contains("p.yaml:3:16"), "{text}");
        assert!(!text.contains("missing"), "{text}");
    }

    #[test]
    fn a_complete_file_read_back_gives_the_same_text() {
        let c = catalogue();
        let mut a = pumps();
        a.profile.options.exclude = vec![Exclusion {
            clause: "MAN-AWARE-02".into(),
            reason: "the clinical engineering team writes the guidance".into(),
        }];
        let text = questionnaire_yaml(&a, &c);
        let back =
            from_partial(&SourceFile::new("q.yaml", text.as_str()), &c, &en()).expect("valid");
        assert_eq!(back, a);
        // Every sample reads back into answers that load to the same selection.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        for entry in std::fs::read_dir(root).expect("samples") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            let file = SourceFile::new(path.display().to_string(), text);
            let a = from_partial(&file, &c, &en()).expect("valid sample");
            let (orig, _) = questionnaire::load(&file, &c, &en());
            let orig = orig.expect("valid sample");
            let again = load(&a, &c);
            for (x, y) in orig.profiles.iter().zip(&again.profiles) {
                let ids = |p| -> Vec<String> {
                    select::select(&c, p)
                        .selected
                        .into_iter()
                        .map(|s| s.id)
                        .collect()
                };
                assert_eq!(ids(x), ids(y), "{}", path.display());
            }
            assert_eq!(orig.profiles.len(), again.profiles.len());
        }
    }
}
