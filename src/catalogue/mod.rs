//! Catalogue stage: YAML files under `catalogue/` → a validated [`Catalogue`].
//!
//! `load` reads every file, checks every field and every cross-reference (practices,
//! threats, assets, frameworks, parameters, conditions) and reports all problems at
//! once. A catalogue is returned only when there are no errors; warnings come back
//! either way. `secannex catalogue lint` prints exactly these diagnostics.

pub mod coverage;
pub mod model;
pub mod terms;
pub mod text;

use std::collections::BTreeMap;

pub use model::*;

use crate::diag::{Diagnostic, did_you_mean};
use crate::facts;
use crate::yaml::{self, Checker, Map, Node, Pos, SourceFile, Value};

/// The files every catalogue has, besides `clauses/*.yaml`.
pub const REQUIRED_FILES: [&str; 5] = [
    "catalogue.yaml",
    "assets.yaml",
    "threats.yaml",
    "practices.yaml",
    "definitions.yaml",
];

/// Evidence stages, in time order.
pub const EVIDENCE_STAGES: [&str; 4] = ["tender", "contract", "delivery", "operation"];
/// Evidence forms.
pub const EVIDENCE_FORMS: [&str; 12] = [
    "document",
    "certificate",
    "declaration",
    "sbom",
    "mds2",
    "test-report",
    "penetration-test-summary",
    "report",
    "plan",
    "register",
    "demonstration",
    "cv",
];

/// One catalogue file: its path relative to the catalogue directory
/// (e.g. `clauses/manage.yaml`) and its content.
#[derive(Debug, Clone)]
pub struct CatalogueFile {
    /// Relative path with `/` separators.
    pub path: String,
    /// The file.
    pub source: SourceFile,
    /// Its node tree in the form of `yaml::encode`, when secannex was built with
    /// it (the built-in catalogue); `None`: parse the text.
    pub tree: Option<&'static [u8]>,
}

/// Load and check a catalogue. Returns the catalogue if there is no error, and every
/// diagnostic (errors and warnings) found.
pub fn load(files: &[CatalogueFile]) -> (Option<Catalogue>, Vec<Diagnostic>) {
    load_checked(files, false)
}

/// Load a catalogue with every check `secannex catalogue lint` runs: on top of
/// `load`, coverage minimums, award criteria against the security share, references
/// between clauses, and the use of defined terms. These concern the quality of the
/// catalogue rather than the correctness of one annex, so `generate` skips them.
pub fn lint(files: &[CatalogueFile]) -> (Option<Catalogue>, Vec<Diagnostic>) {
    load_checked(files, true)
}

/// Parse every file: decode the trees stored at build time, and parse the other
/// files on as many threads as there are cores (up to 4). Parsing the YAML with
/// positions is most of the start-up of every command that reads a catalogue
/// directory, and the files are independent; results come back in the order of
/// `files`.
fn parse_all(files: &[CatalogueFile]) -> Vec<Result<Node, Diagnostic>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut results: Vec<Option<Result<Node, Diagnostic>>> = files
        .iter()
        .map(|f| f.tree.and_then(yaml::decode).map(Ok))
        .collect();
    let mut order: Vec<usize> = (0..files.len()).filter(|&i| results[i].is_none()).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(order.len());
    if threads < 2 {
        for i in order {
            results[i] = Some(yaml::parse(&files[i].source));
        }
        return results.into_iter().flatten().collect();
    }
    // Largest files first, taken one at a time from a shared counter, so that
    // no thread is left with two big files while another idles.
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].source.text.len()));
    let next = AtomicUsize::new(0);
    let parsed: Vec<(usize, Result<Node, Diagnostic>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        done.push((i, yaml::parse(&files[i].source)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for (i, r) in parsed {
        results[i] = Some(r);
    }
    // Every slot is filled: decoded above, or parsed by a worker.
    results.into_iter().flatten().collect()
}

fn load_checked(files: &[CatalogueFile], thorough: bool) -> (Option<Catalogue>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut parsed: BTreeMap<&str, (&SourceFile, Node)> = BTreeMap::new();
    for (f, node) in files.iter().zip(parse_all(files)) {
        match node {
            Ok(node) => {
                parsed.insert(f.path.as_str(), (&f.source, node));
            }
            Err(d) => diags.push(d),
        }
    }
    let failed_to_parse = !diags.is_empty();
    for name in REQUIRED_FILES {
        if !files.iter().any(|f| f.path == name) {
            diags.push(
                Diagnostic::error(format!("the catalogue has no `{name}`")).help(
                    "a catalogue directory holds catalogue.yaml, assets.yaml, threats.yaml, \
                 practices.yaml, definitions.yaml and clauses/*.yaml",
                ),
            );
        }
    }
    if !files.iter().any(|f| is_clause_file(&f.path)) {
        diags.push(
            Diagnostic::error("the catalogue has no clause files")
                .help("put clauses in clauses/*.yaml"),
        );
    }
    if failed_to_parse || diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }

    let mut ctx = Builder::default();
    // Taxonomies first: clauses are checked against them.
    let order = REQUIRED_FILES
        .iter()
        .copied()
        .chain(parsed.keys().copied().filter(|p| is_clause_file(p)));
    for path in order.collect::<Vec<_>>() {
        let (source, node) = &parsed[path];
        let mut ck = Checker::new(source);
        if let Some(map) = top(&mut ck, node) {
            match path {
                "catalogue.yaml" => ctx.read_meta(&mut ck, &map),
                "assets.yaml" => ctx.read_assets(&mut ck, &map),
                "threats.yaml" => ctx.read_threats(&mut ck, &map),
                "practices.yaml" => ctx.read_practices(&mut ck, &map),
                "definitions.yaml" => ctx.read_definitions(&mut ck, &map),
                _ => ctx.read_clauses(&mut ck, &map),
            }
        }
        diags.append(&mut ck.diags);
    }
    for f in files {
        if !REQUIRED_FILES.contains(&f.path.as_str()) && !is_clause_file(&f.path) {
            diags.push(
                Diagnostic::warning(format!(
                    "`{}` is not part of the catalogue format; it is ignored",
                    f.path
                ))
                .at(Some(yaml::file_location(&f.source.name))),
            );
        }
    }
    ctx.check_parameters(&parsed, &mut diags);
    if thorough {
        ctx.check_whole(&parsed, &mut diags);
        let clause_files: Vec<&SourceFile> = files
            .iter()
            .filter(|f| is_clause_file(&f.path))
            .map(|f| &f.source)
            .collect();
        diags.extend(terms::check(&ctx.clauses, &ctx.definitions, &clause_files));
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    // Which clauses each clause's text mentions, once, for the selection's notes.
    let mut prefixes: Vec<String> = ctx
        .clauses
        .iter()
        .filter_map(|c| c.id.split('-').next().map(str::to_string))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    for c in &mut ctx.clauses {
        c.refs = text::clause_refs(&c.text, &prefixes)
            .into_iter()
            .filter(|r| *r != c.id)
            .map(str::to_string)
            .collect();
    }
    let catalogue = Catalogue {
        meta: ctx.meta.expect("no errors means catalogue.yaml was read"),
        frameworks: ctx.frameworks,
        assets: ctx.assets,
        threat_groups: ctx.threat_groups,
        practices: ctx.practices,
        definitions: ctx.definitions,
        clauses: ctx.clauses,
    };
    (Some(catalogue), diags)
}

fn is_clause_file(path: &str) -> bool {
    path.starts_with("clauses/") && (path.ends_with(".yaml") || path.ends_with(".yml"))
}

/// The top mapping of a file, with `schema_version: 1` checked.
fn top<'n>(ck: &mut Checker<'_>, node: &'n Node) -> Option<Map<'n>> {
    let map = ck.map(node, "the file")?;
    match map.get("schema_version") {
        Some(v) => {
            if !matches!(v.value, Value::Int(1)) {
                ck.error(v.pos, "unsupported schema_version").expected = Some("1".into());
            }
        }
        None => {
            ck.error(map.pos, "missing `schema_version`").help =
                Some("add `schema_version: 1` as the first line".into());
        }
    }
    Some(map)
}

#[derive(Default)]
struct Builder {
    meta: Option<Meta>,
    frameworks: Vec<Framework>,
    assets: Vec<Asset>,
    threat_groups: Vec<ThreatGroup>,
    practices: Vec<Practice>,
    practice_lines: BTreeMap<String, (String, usize)>,
    definitions: Vec<Definition>,
    clauses: Vec<Clause>,
}

/// Text field that must be present and non-empty.
fn req_text(ck: &mut Checker<'_>, map: &Map<'_>, key: &str, ctx: &str) -> Option<String> {
    let node = ck.required(map, key, ctx)?;
    ck.text(node, &format!("`{key}`"))
}

/// Optional list of texts.
fn text_list(ck: &mut Checker<'_>, map: &Map<'_>, key: &str) -> Vec<String> {
    let Some(node) = map.get(key) else {
        return Vec::new();
    };
    let Some(items) = ck.seq(node, &format!("`{key}`")) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| ck.text(i, &format!("an entry of `{key}`")))
        .collect()
}

/// Ids of the form `lower-case-words`.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Clause ids: `PREFIX-TOPIC-NN`.
pub fn is_clause_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() < 3 {
        return false;
    }
    let prefix = parts[0];
    let number = parts[parts.len() - 1];
    (2..=5).contains(&prefix.len())
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && number.len() == 2
        && number.chars().all(|c| c.is_ascii_digit())
        && parts[1..parts.len() - 1].iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
}

impl Builder {
    fn read_meta(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        let ctx = "catalogue.yaml";
        ck.known_keys(
            map,
            &[
                "schema_version",
                "id",
                "title",
                "version",
                "date",
                "publisher",
                "sources",
                "frameworks",
                "coverage",
                "award",
            ],
            ctx,
        );
        let id = req_text(ck, map, "id", ctx);
        if let (Some(id), Some(node)) = (&id, map.get("id"))
            && !is_slug(id)
        {
            ck.error(
                node.pos,
                format!("catalogue id `{id}` is not a lower-case id"),
            )
            .expected = Some("letters, digits and dashes, e.g. `secannex-core`".into());
        }
        let title = req_text(ck, map, "title", ctx);
        let version = req_text(ck, map, "version", ctx);
        let date = req_text(ck, map, "date", ctx);
        if let (Some(d), Some(node)) = (&date, map.get("date"))
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            ck.error(node.pos, format!("`{d}` is not a date")).expected = Some("YYYY-MM-DD".into());
        }
        let publisher = req_text(ck, map, "publisher", ctx);
        let mut sources = Vec::new();
        if let Some(node) = ck.required(map, "sources", ctx)
            && let Some(items) = ck.seq(node, "`sources`")
        {
            for item in items {
                let Some(m) = ck.map(item, "a source") else {
                    continue;
                };
                ck.known_keys(&m, &["id", "title"], "a source");
                if let (Some(i), Some(t)) = (
                    req_text(ck, &m, "id", "a source"),
                    req_text(ck, &m, "title", "a source"),
                ) {
                    sources.push((i, t));
                }
            }
        }
        if let Some(node) = ck.required(map, "frameworks", ctx)
            && let Some(m) = ck.map(node, "`frameworks`")
        {
            for (key, value) in m.entries {
                let Some(fm) = ck.map(value, &format!("framework `{}`", key.name)) else {
                    continue;
                };
                let what = format!("framework `{}`", key.name);
                ck.known_keys(&fm, &["title", "cite"], &what);
                let title = req_text(ck, &fm, "title", &what);
                let cite = req_text(ck, &fm, "cite", &what);
                if let (Some(c), Some(node)) = (&cite, fm.get("cite"))
                    && !c.contains("{}")
                {
                    ck.error(
                        node.pos,
                        "a citation pattern needs `{}` where the reference goes",
                    );
                }
                if let (Some(title), Some(cite)) = (title, cite) {
                    self.frameworks.push(Framework {
                        key: key.name.clone(),
                        title,
                        cite,
                    });
                }
            }
        }
        let mut minimums = Minimums::default();
        if let Some(node) = map.get("coverage")
            && let Some(cm) = ck.map(node, "`coverage`")
        {
            ck.known_keys(
                &cm,
                &["min_clauses_per_practice", "min_supplier_clauses_per_asset"],
                "`coverage`",
            );
            if let Some(n) = cm.get("min_clauses_per_practice")
                && let Some(v) = ck.integer(n, "`min_clauses_per_practice`", 1, 100)
            {
                minimums.clauses_per_practice = v as usize;
            }
            if let Some(n) = cm.get("min_supplier_clauses_per_asset")
                && let Some(v) = ck.integer(n, "`min_supplier_clauses_per_asset`", 0, 1000)
            {
                minimums.supplier_clauses_per_asset = v as usize;
            }
        }
        let mut award_share = None;
        if let Some(node) = map.get("award")
            && let Some(am) = ck.map(node, "`award`")
        {
            ck.known_keys(&am, &["security_share"], "`award`");
            if let Some(n) = ck.required(&am, "security_share", "`award`") {
                let line = am
                    .entries
                    .iter()
                    .find(|(k, _)| k.name == "security_share")
                    .map_or(0, |(k, _)| k.pos.line);
                award_share = read_parameter(ck, "security_share", n, line);
                if let Some(p) = &award_share
                    && !matches!(p.kind, ParamKind::Integer { min, .. } if min >= 1)
                {
                    ck.error(
                        n.pos,
                        "`security_share` is a whole number of points, at least 1",
                    )
                    .expected = Some(
                        "{ type: integer, default: 20, min: 5, max: 60, unit: points, label: ... }"
                            .into(),
                    );
                    award_share = None;
                }
            }
        }
        if let (Some(id), Some(title), Some(version), Some(date), Some(publisher)) =
            (id, title, version, date, publisher)
        {
            self.meta = Some(Meta {
                id,
                title,
                version,
                date,
                publisher,
                sources,
                minimums,
                award_share,
            });
        }
    }

    fn read_assets(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        ck.known_keys(map, &["schema_version", "assets"], "assets.yaml");
        let Some(node) = ck.required(map, "assets", "assets.yaml") else {
            return;
        };
        let Some(items) = ck.seq(node, "`assets`") else {
            return;
        };
        for item in items {
            let Some(m) = ck.map(item, "an asset") else {
                continue;
            };
            ck.known_keys(
                &m,
                &[
                    "id",
                    "title",
                    "description",
                    "examples",
                    "subtypes",
                    "typical",
                ],
                "an asset",
            );
            let id = req_text(ck, &m, "id", "an asset");
            if let (Some(id), Some(n)) = (&id, m.get("id")) {
                if !is_slug(id) {
                    ck.error(n.pos, format!("asset id `{id}` is not a lower-case id"));
                }
                if self.assets.iter().any(|a| &a.id == id) {
                    ck.error(n.pos, format!("asset `{id}` is defined twice"));
                }
            }
            let title = req_text(ck, &m, "title", "an asset");
            let description = req_text(ck, &m, "description", "an asset");
            let examples = text_list(ck, &m, "examples");
            let mut subtypes = Vec::new();
            if let Some(n) = m.get("subtypes")
                && let Some(subs) = ck.seq(n, "`subtypes`")
            {
                for s in subs {
                    let Some(sm) = ck.map(s, "a subtype") else {
                        continue;
                    };
                    ck.known_keys(&sm, &["id", "title"], "a subtype");
                    if let (Some(i), Some(t)) = (
                        req_text(ck, &sm, "id", "a subtype"),
                        req_text(ck, &sm, "title", "a subtype"),
                    ) {
                        subtypes.push((i, t));
                    }
                }
            }
            let typical = ck
                .required(&m, "typical", "an asset")
                .and_then(|n| read_typical(ck, n));
            if let (Some(id), Some(title), Some(description), Some(typical)) =
                (id, title, description, typical)
            {
                self.assets.push(Asset {
                    id,
                    title,
                    description,
                    examples,
                    subtypes,
                    typical,
                });
            }
        }
    }

    fn read_threats(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        ck.known_keys(map, &["schema_version", "groups"], "threats.yaml");
        let Some(node) = ck.required(map, "groups", "threats.yaml") else {
            return;
        };
        let Some(items) = ck.seq(node, "`groups`") else {
            return;
        };
        for item in items {
            let Some(m) = ck.map(item, "a threat group") else {
                continue;
            };
            ck.known_keys(
                &m,
                &["id", "title", "description", "threats"],
                "a threat group",
            );
            let id = req_text(ck, &m, "id", "a threat group");
            let title = req_text(ck, &m, "title", "a threat group");
            let description = req_text(ck, &m, "description", "a threat group");
            let mut threats = Vec::new();
            if let Some(n) = ck.required(&m, "threats", "a threat group")
                && let Some(ts) = ck.seq(n, "`threats`")
            {
                for t in ts {
                    let Some(tm) = ck.map(t, "a threat") else {
                        continue;
                    };
                    ck.known_keys(&tm, &["id", "title", "description"], "a threat");
                    let tid = req_text(ck, &tm, "id", "a threat");
                    let ttitle = req_text(ck, &tm, "title", "a threat");
                    let tdesc = req_text(ck, &tm, "description", "a threat");
                    if let (Some(gid), Some(tid), Some(ttitle), Some(tdesc)) =
                        (&id, tid, ttitle, tdesc)
                    {
                        let full = format!("{gid}/{tid}");
                        if threats.iter().any(|x: &Threat| x.id == full)
                            && let Some(n) = tm.get("id")
                        {
                            ck.error(n.pos, format!("threat `{full}` is defined twice"));
                        }
                        threats.push(Threat {
                            id: full,
                            title: ttitle,
                            description: tdesc,
                        });
                    }
                }
            }
            if let (Some(id), Some(title), Some(description)) = (id, title, description) {
                self.threat_groups.push(ThreatGroup {
                    id,
                    title,
                    description,
                    threats,
                });
            }
        }
    }

    fn threat_ids(&self) -> Vec<&str> {
        self.threat_groups
            .iter()
            .flat_map(|g| g.threats.iter().map(|t| t.id.as_str()))
            .collect()
    }

    fn asset_ids(&self) -> Vec<&str> {
        self.assets.iter().map(|a| a.id.as_str()).collect()
    }

    /// A list of threat ids, each checked.
    fn threats(&self, ck: &mut Checker<'_>, node: &Node) -> Vec<String> {
        let ids = self.threat_ids();
        let mut out = Vec::new();
        let Some(items) = ck.seq(node, "`threats`") else {
            return out;
        };
        for item in items {
            let Some(s) = ck.string(item, "a threat") else {
                continue;
            };
            if ids.contains(&s.as_str()) {
                out.push(s);
            } else {
                let help = did_you_mean(&s, ids.iter().copied()).or_else(|| {
                    Some("threats are written `group/threat`, as defined in threats.yaml".into())
                });
                let d = ck.error(item.pos, format!("unknown threat `{s}`"));
                d.help = help;
            }
        }
        out
    }

    fn read_practices(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        ck.known_keys(map, &["schema_version", "practices"], "practices.yaml");
        let Some(node) = ck.required(map, "practices", "practices.yaml") else {
            return;
        };
        let Some(items) = ck.seq(node, "`practices`") else {
            return;
        };
        let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
        for item in items {
            let Some(m) = ck.map(item, "a practice") else {
                continue;
            };
            let ctx = "a practice";
            ck.known_keys(
                &m,
                &[
                    "id",
                    "title",
                    "phase",
                    "summary",
                    "assets",
                    "threats",
                    "measures_2026",
                ],
                ctx,
            );
            let id = req_text(ck, &m, "id", ctx);
            if let (Some(id), Some(n)) = (&id, m.get("id")) {
                let ok = id.len() == 4
                    && id.starts_with("GP")
                    && id[2..].parse::<u32>().is_ok_and(|n| (1..=28).contains(&n));
                if !ok {
                    ck.error(
                        n.pos,
                        format!("practice id `{id}` is not one of GP01..GP28"),
                    );
                }
                if self.practice_lines.contains_key(id) {
                    ck.error(n.pos, format!("practice `{id}` is defined twice"));
                }
                self.practice_lines
                    .insert(id.clone(), (ck.file.name.clone(), n.pos.line));
            }
            let title = req_text(ck, &m, "title", ctx);
            let phase = ck
                .required(&m, "phase", ctx)
                .and_then(|n| ck.one_of(n, "phase", &phases))
                .and_then(|p| Phase::from_id(&p));
            let summary = req_text(ck, &m, "summary", ctx);
            let mut assets = Vec::new();
            if let Some(n) = ck.required(&m, "assets", ctx)
                && !matches!(&n.value, Value::Str(s) if s == "all")
            {
                let ids = self.asset_ids();
                assets = ck.ids(n, "asset category", &ids, false).unwrap_or_default();
            }
            let threats = match ck.required(&m, "threats", ctx) {
                Some(n) => self.threats(ck, n),
                None => Vec::new(),
            };
            let measures_2026 = text_list(ck, &m, "measures_2026");
            if let (Some(id), Some(title), Some(phase), Some(summary)) = (id, title, phase, summary)
            {
                self.practices.push(Practice {
                    id,
                    title,
                    phase,
                    summary,
                    assets,
                    threats,
                    measures_2026,
                });
            }
        }
        for n in 1..=28 {
            let id = format!("GP{n:02}");
            if !self.practices.iter().any(|p| p.id == id) && !self.practice_lines.contains_key(&id)
            {
                ck.error(map.pos, format!("practice `{id}` is missing"))
                    .help = Some("the catalogue must describe all 28 ENISA good practices".into());
            }
        }
    }

    fn read_definitions(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        ck.known_keys(map, &["schema_version", "terms"], "definitions.yaml");
        let Some(node) = ck.required(map, "terms", "definitions.yaml") else {
            return;
        };
        let Some(items) = ck.seq(node, "`terms`") else {
            return;
        };
        for item in items {
            let Some(m) = ck.map(item, "a term") else {
                continue;
            };
            ck.known_keys(&m, &["term", "definition", "always"], "a term");
            let term = req_text(ck, &m, "term", "a term");
            let definition = req_text(ck, &m, "definition", "a term");
            let always = m
                .get("always")
                .and_then(|n| ck.boolean(n, "`always`"))
                .unwrap_or(false);
            if let (Some(t), Some(n)) = (&term, m.get("term"))
                && self.definitions.iter().any(|d| &d.term == t)
            {
                ck.error(n.pos, format!("term `{t}` is defined twice"));
            }
            if let (Some(term), Some(definition)) = (term, definition) {
                self.definitions.push(Definition {
                    term,
                    definition,
                    always,
                });
            }
        }
    }

    fn read_clauses(&mut self, ck: &mut Checker<'_>, map: &Map<'_>) {
        let file = ck.file.name.clone();
        ck.known_keys(map, &["schema_version", "clauses"], "a clause file");
        let Some(node) = ck.required(map, "clauses", "a clause file") else {
            return;
        };
        let Some(items) = ck.seq(node, "`clauses`") else {
            return;
        };
        for item in items {
            if let Some(clause) = self.read_clause(ck, item, &file) {
                self.clauses.push(clause);
            }
        }
    }

    fn read_clause(&self, ck: &mut Checker<'_>, item: &Node, file: &str) -> Option<Clause> {
        let m = ck.map(item, "a clause")?;
        const KEYS: [&str; 15] = [
            "id",
            "title",
            "practices",
            "phase",
            "role",
            "obligation",
            "weight",
            "applies_when",
            "parameters",
            "text",
            "evidence",
            "threats",
            "references",
            "rationale",
            "measures_2026",
        ];
        let id = req_text(ck, &m, "id", "a clause");
        let ctx = match &id {
            Some(id) => format!("clause `{id}`"),
            None => "a clause".to_string(),
        };
        ck.known_keys(&m, &KEYS, &ctx);
        let id_pos = m.get("id").map(|n| n.pos).unwrap_or(m.pos);
        if let Some(id) = &id {
            if !is_clause_id(id) {
                ck.error(
                    id_pos,
                    format!("clause id `{id}` is not of the form PREFIX-TOPIC-NN"),
                )
                .expected = Some("upper-case letters and digits, e.g. `MAN-PATCH-01`".into());
            }
            if let Some(other) = self.clauses.iter().find(|c| &c.id == id) {
                ck.error(id_pos, format!("clause id `{id}` is used twice"))
                    .help = Some(format!(
                    "it is also defined at {}:{}; give one of them a new id (ids are never reused)",
                    other.origin.file, other.origin.line
                ));
            }
        }
        let title = req_text(ck, &m, "title", &ctx);
        if let (Some(t), Some(n)) = (&title, m.get("title"))
            && t.ends_with('.')
        {
            ck.warning(n.pos, "a clause title should not end with a full stop");
        }

        // Practices.
        let mut practices = Vec::new();
        if let Some(n) = ck.required(&m, "practices", &ctx)
            && let Some(ps) = ck.seq(n, "`practices`")
        {
            let known: Vec<&str> = self.practices.iter().map(|p| p.id.as_str()).collect();
            for p in ps {
                let Some(s) = ck.string(p, "a practice") else {
                    continue;
                };
                if known.contains(&s.as_str()) {
                    practices.push(s);
                } else {
                    let help = did_you_mean(&s, known.iter().copied());
                    let d = ck.error(p.pos, format!("unknown practice `{s}`"));
                    d.expected = Some("one of GP01..GP28".into());
                    d.help = help;
                }
            }
            if ps.is_empty() {
                ck.error(n.pos, format!("{ctx} names no practice"));
            }
        }

        let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
        let phase = ck
            .required(&m, "phase", &ctx)
            .and_then(|n| ck.one_of(n, "phase", &phases))
            .and_then(|p| Phase::from_id(&p));
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        let role = ck
            .required(&m, "role", &ctx)
            .and_then(|n| ck.one_of(n, "role", &roles))
            .and_then(|r| Role::from_id(&r));

        // Obligation and weight go with the role.
        let obligation = m
            .get("obligation")
            .and_then(|n| ck.one_of(n, "obligation", &["mandatory", "scored"]))
            .map(|o| {
                if o == "scored" {
                    Obligation::Scored
                } else {
                    Obligation::Mandatory
                }
            });
        let weight = m
            .get("weight")
            .and_then(|n| ck.integer(n, "`weight`", 1, 100))
            .map(|w| w as u32);
        if let Some(role) = role {
            let here = m.get("obligation").map(|n| n.pos).unwrap_or(id_pos);
            match (role, obligation) {
                (Role::BuyerAction, Some(_)) => {
                    ck.error(
                        here,
                        format!("{ctx} is a buyer action and cannot carry an obligation"),
                    )
                    .help = Some(
                        "remove `obligation`: buyer actions go to the buyer's checklist".into(),
                    );
                }
                (Role::AwardCriterion, Some(Obligation::Mandatory)) => {
                    ck.error(
                        here,
                        format!("{ctx} is an award criterion, so its obligation is `scored`"),
                    );
                }
                (r, Some(Obligation::Scored)) if r != Role::AwardCriterion => {
                    ck.error(
                        here,
                        format!(
                            "only award criteria are `scored`; {ctx} is a {}",
                            r.as_str()
                        ),
                    )
                    .help = Some("use `obligation: mandatory`".into());
                }
                (r, None) if r.is_supplier() => {
                    ck.error(id_pos, format!("{ctx} has no `obligation`"))
                        .expected = Some(
                        if r == Role::AwardCriterion {
                            "`scored`"
                        } else {
                            "`mandatory`"
                        }
                        .into(),
                    );
                }
                _ => {}
            }
            match (role, weight) {
                (Role::AwardCriterion, None) => {
                    ck.error(
                        id_pos,
                        format!("{ctx} is an award criterion without a `weight`"),
                    );
                }
                (r, Some(_)) if r != Role::AwardCriterion => {
                    if let Some(n) = m.get("weight") {
                        ck.error(
                            n.pos,
                            format!(
                                "only award criteria have a `weight`; {ctx} is a {}",
                                r.as_str()
                            ),
                        );
                    }
                }
                _ => {}
            }
        }

        let applies_when = m.get("applies_when").and_then(|n| self.condition(ck, n, 0));

        // Parameters.
        let mut parameters: Vec<Parameter> = Vec::new();
        if let Some(n) = m.get("parameters")
            && let Some(pm) = ck.map(n, "`parameters`")
        {
            for (key, value) in pm.entries {
                if !text::is_name(&key.name) {
                    ck.error(
                        key.pos,
                        format!("parameter name `{}` is not lower-case snake_case", key.name),
                    );
                    continue;
                }
                if let Some(p) = read_parameter(ck, &key.name, value, key.pos.line) {
                    parameters.push(p);
                }
            }
        }

        // Text and its placeholders.
        let text = req_text(ck, &m, "text", &ctx);
        if let (Some(t), Some(n)) = (&text, m.get("text")) {
            match text::pieces(t) {
                Err(e) => {
                    ck.error(n.pos, format!("in the text of {ctx}: {e}"));
                }
                Ok(_) => {
                    // Every key under `parameters:`, even one whose declaration has an
                    // error (reported already), with where it is.
                    let keys: Vec<(&str, Pos)> = match m.get("parameters").map(|p| &p.value) {
                        Some(Value::Map(entries)) => entries
                            .iter()
                            .map(|(k, _)| (k.name.as_str(), k.pos))
                            .collect(),
                        _ => Vec::new(),
                    };
                    let declared: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
                    let used = text::param_names(t);
                    for u in &used {
                        if !declared.contains(u) {
                            let help = did_you_mean(u, declared.iter().copied())
                                .unwrap_or_else(|| format!("declare it under `parameters:`, e.g. `{u}: {{ type: integer, default: 30, min: 1, max: 365, unit: days, label: ... }}`"));
                            ck.error(n.pos, format!("the text of {ctx} uses `{{{{ {u} }}}}`, which is not a declared parameter"))
                                .help = Some(help);
                        }
                    }
                    for (d, pos) in &keys {
                        if !used.contains(d) {
                            ck.warning(*pos, format!("parameter `{d}` of {ctx} is declared but its text never uses it"));
                        }
                    }
                }
            }
        }

        // Evidence.
        let mut evidence = Vec::new();
        if let Some(n) = m.get("evidence")
            && let Some(items) = ck.seq(n, "`evidence`")
        {
            for e in items {
                let Some(em) = ck.map(e, "an evidence request") else {
                    continue;
                };
                ck.known_keys(&em, &["stage", "form", "what"], "an evidence request");
                let stage = ck
                    .required(&em, "stage", "an evidence request")
                    .and_then(|n| ck.one_of(n, "evidence stage", &EVIDENCE_STAGES));
                let form = ck
                    .required(&em, "form", "an evidence request")
                    .and_then(|n| ck.one_of(n, "evidence form", &EVIDENCE_FORMS));
                let what = req_text(ck, &em, "what", "an evidence request");
                if let (Some(stage), Some(form), Some(what)) = (stage, form, what) {
                    evidence.push(Evidence { stage, form, what });
                }
            }
        }

        let threats = match ck.required(&m, "threats", &ctx) {
            Some(n) => {
                let t = self.threats(ck, n);
                if matches!(&n.value, Value::Seq(s) if s.is_empty()) {
                    ck.error(n.pos, format!("{ctx} addresses no threat"));
                }
                t
            }
            None => Vec::new(),
        };

        // References.
        let mut references = Vec::new();
        if let Some(n) = m.get("references")
            && let Some(rm) = ck.map(n, "`references`")
        {
            let keys: Vec<&str> = self.frameworks.iter().map(|f| f.key.as_str()).collect();
            for (key, value) in rm.entries {
                if !keys.contains(&key.name.as_str()) {
                    let help = did_you_mean(&key.name, keys.iter().copied())
                        .or_else(|| Some("frameworks are declared in catalogue.yaml".into()));
                    let d = ck.error(
                        key.pos,
                        format!("unknown reference framework `{}`", key.name),
                    );
                    d.expected = Some(format!("one of {}", keys.join(", ")));
                    d.help = help;
                    continue;
                }
                let refs = match &value.value {
                    Value::Seq(items) => items
                        .iter()
                        .filter_map(|i| ck.text(i, "a reference"))
                        .collect::<Vec<_>>(),
                    _ => {
                        ck.error(
                            value.pos,
                            format!("the references to `{}` must be a list", key.name),
                        )
                        .help = Some(format!("write `{}: [\"...\"]`", key.name));
                        continue;
                    }
                };
                if refs.is_empty() {
                    ck.error(
                        value.pos,
                        format!("the list of `{}` references is empty", key.name),
                    );
                }
                references.push((key.name.clone(), refs));
            }
        }

        let rationale = req_text(ck, &m, "rationale", &ctx);
        if m.get("measures_2026").is_some() {
            text_list(ck, &m, "measures_2026");
        }

        // What supplier clauses must have.
        if let Some(role) = role
            && role.is_supplier()
        {
            if evidence.is_empty()
                && m.get("evidence")
                    .is_none_or(|n| matches!(&n.value, Value::Seq(s) if s.is_empty()))
            {
                ck.error(id_pos, format!("{ctx} asks for no evidence")).help =
                    Some("add `evidence:` with at least one `{ stage, form, what }`".into());
            }
            if references.is_empty() && m.get("references").is_none() {
                ck.error(id_pos, format!("{ctx} has no references")).help = Some(
                    "add `references:` (NIS2, MDR, GDPR, CRA, ISO/IEC 27001, IEC 62443...)".into(),
                );
            }
        }
        if let Some(phase) = phase
            && let Some(id) = &id
        {
            let expected = match phase {
                Phase::General => "GEN",
                Phase::Plan => "PLN",
                Phase::Source => "SRC",
                Phase::Manage => "MAN",
            };
            if is_clause_id(id) && !id.starts_with(&format!("{expected}-")) {
                ck.warning(id_pos, format!("{ctx} is in the {} phase; its id would be expected to start with `{expected}-`", phase.as_str()));
            }
        }

        Some(Clause {
            id: id?,
            title: title?,
            practices,
            phase: phase?,
            role: role?,
            obligation,
            weight,
            applies_when,
            parameters,
            text: text?,
            evidence,
            threats,
            references,
            rationale: rationale?,
            origin: Origin {
                file: file.to_string(),
                line: id_pos.line,
            },
            refs: Vec::new(),
        })
    }

    /// Parse a condition; every key of one mapping must hold (an implicit `all`).
    fn condition(&self, ck: &mut Checker<'_>, node: &Node, depth: usize) -> Option<Condition> {
        const KEYS: [&str; 12] = [
            "all",
            "any",
            "not",
            "asset",
            "subtype",
            "connectivity",
            "data",
            "services",
            "medical_device",
            "criticality",
            "lifecycle",
            "procedure",
        ];
        if depth > 10 {
            ck.error(node.pos, "condition is nested more than 10 levels deep");
            return None;
        }
        let m = ck.map(node, "a condition")?;
        if m.entries.is_empty() {
            ck.error(node.pos, "empty condition").help =
                Some("remove `applies_when` for a clause that always applies".into());
            return None;
        }
        ck.known_keys(&m, &KEYS, "a condition");
        let mut parts = Vec::new();
        let mut ok = true;
        let assets = self.asset_ids();
        for (key, value) in m.entries {
            let part = match key.name.as_str() {
                "all" | "any" => {
                    let items = ck.seq(value, &format!("`{}`", key.name));
                    let subs: Option<Vec<Condition>> = items.map(|items| {
                        items
                            .iter()
                            .filter_map(|i| self.condition(ck, i, depth + 1))
                            .collect()
                    });
                    match (items, subs) {
                        (Some(items), Some(subs))
                            if subs.len() == items.len() && !subs.is_empty() =>
                        {
                            Some(if key.name == "all" {
                                Condition::All(subs)
                            } else {
                                Condition::Any(subs)
                            })
                        }
                        (Some([]), _) => {
                            ck.error(value.pos, format!("`{}` with an empty list", key.name));
                            None
                        }
                        _ => None,
                    }
                }
                "not" => self
                    .condition(ck, value, depth + 1)
                    .map(|c| Condition::Not(Box::new(c))),
                "asset" => ck
                    .ids(value, "asset category", &assets, false)
                    .map(Condition::Asset),
                "subtype" => {
                    let subtypes: Vec<&str> = self
                        .assets
                        .iter()
                        .flat_map(|a| a.subtypes.iter().map(|(id, _)| id.as_str()))
                        .collect();
                    ck.ids(value, "sub-type", &subtypes, false)
                        .map(Condition::Subtype)
                }
                "connectivity" => ck
                    .ids(
                        value,
                        "connectivity",
                        &facts::ids(facts::CONNECTIVITY),
                        false,
                    )
                    .map(Condition::Connectivity),
                "data" => ck
                    .ids(value, "data", &facts::ids(facts::DATA), false)
                    .map(Condition::Data),
                "services" => ck
                    .ids(value, "service", &facts::ids(facts::SERVICES), false)
                    .map(Condition::Services),
                "procedure" => ck
                    .ids(value, "procedure", &facts::ids(facts::PROCEDURES), false)
                    .map(Condition::Procedure),
                "medical_device" => ck
                    .boolean(value, "`medical_device`")
                    .map(Condition::MedicalDevice),
                "criticality" => {
                    let Some(cm) = ck.map(value, "`criticality`") else {
                        ok = false;
                        continue;
                    };
                    ck.known_keys(
                        &cm,
                        &["patient_safety", "availability"],
                        "`criticality` in a condition",
                    );
                    let mut subs = Vec::new();
                    if let Some(n) = cm.get("patient_safety") {
                        subs.push(
                            ck.ids(
                                n,
                                "patient_safety level",
                                &facts::ids(facts::PATIENT_SAFETY),
                                false,
                            )
                            .map(Condition::PatientSafety),
                        );
                    }
                    if let Some(n) = cm.get("availability") {
                        subs.push(
                            ck.ids(
                                n,
                                "availability level",
                                &facts::ids(facts::AVAILABILITY),
                                false,
                            )
                            .map(Condition::Availability),
                        );
                    }
                    collect_parts(ck, value, subs)
                }
                "lifecycle" => {
                    let Some(lm) = ck.map(value, "`lifecycle`") else {
                        ok = false;
                        continue;
                    };
                    ck.known_keys(
                        &lm,
                        &["integrates_with_legacy", "expected_years_at_least"],
                        "`lifecycle` in a condition",
                    );
                    let mut subs = Vec::new();
                    if let Some(n) = lm.get("integrates_with_legacy") {
                        subs.push(
                            ck.boolean(n, "`integrates_with_legacy`")
                                .map(Condition::IntegratesWithLegacy),
                        );
                    }
                    if let Some(n) = lm.get("expected_years_at_least") {
                        subs.push(
                            ck.integer(n, "`expected_years_at_least`", 1, 50)
                                .map(|y| Condition::ExpectedYearsAtLeast(y as u32)),
                        );
                    }
                    collect_parts(ck, value, subs)
                }
                _ => {
                    ok = false;
                    continue;
                }
            };
            match part {
                Some(p) => {
                    if let Condition::Asset(v)
                    | Condition::Subtype(v)
                    | Condition::Connectivity(v)
                    | Condition::Data(v)
                    | Condition::Services(v)
                    | Condition::Procedure(v) = &p
                        && v.is_empty()
                    {
                        ck.error(
                            value.pos,
                            format!("`{}` with an empty list never holds", key.name),
                        );
                        ok = false;
                    }
                    parts.push(p);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Condition::All(parts)
        })
    }

    /// Checks that need the whole catalogue.
    /// A parameter name means one thing everywhere: needed by every use, because the
    /// questionnaire's `options.parameters` are checked against one declaration.
    fn check_parameters(
        &self,
        parsed: &BTreeMap<&str, (&SourceFile, Node)>,
        diags: &mut Vec<Diagnostic>,
    ) {
        // A parameter name means one thing everywhere.
        let mut first: BTreeMap<&str, (&Parameter, &Clause)> = BTreeMap::new();
        for c in &self.clauses {
            for p in &c.parameters {
                match first.get(p.name.as_str()) {
                    None => {
                        first.insert(&p.name, (p, c));
                    }
                    Some((q, other)) if !q.same_as(p) => {
                        let loc = parsed
                            .values()
                            .find(|(src, _)| src.name == c.origin.file)
                            .map(|(src, _)| {
                                let col = src
                                    .text
                                    .lines()
                                    .nth(p.line.saturating_sub(1))
                                    .map_or(1, |l| l.len() - l.trim_start().len() + 1);
                                src.location(p.line, col, p.name.chars().count())
                            });
                        diags.push(
                            Diagnostic::error(format!(
                                "parameter `{}` of clause `{}` is declared differently in clause `{}`",
                                p.name, c.id, other.id
                            ))
                            .at(loc)
                            .expected(format!("the same declaration as in {} ({}:{}): {}", other.id, other.origin.file, q.line, q.describe()))
                            .help(format!(
                                "here it is {}; a parameter name means one thing everywhere: copy the declaration, or rename one",
                                p.describe()
                            )),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// The catalogue-quality checks of `lint`.
    fn check_whole(
        &self,
        parsed: &BTreeMap<&str, (&SourceFile, Node)>,
        diags: &mut Vec<Diagnostic>,
    ) {
        // Coverage: every practice has clauses, every asset category supplier clauses.
        let min = self.meta.as_ref().map(|m| m.minimums).unwrap_or_default();
        let needed = min.clauses_per_practice.max(1);
        for p in &self.practices {
            let count = self
                .clauses
                .iter()
                .filter(|c| c.practices.contains(&p.id))
                .count();
            if count >= needed {
                continue;
            }
            let loc = self.practice_lines.get(&p.id).and_then(|(_, line)| {
                parsed.get("practices.yaml").map(|(src, _)| {
                    let col = src
                        .text
                        .lines()
                        .nth(line - 1)
                        .map_or(1, |l| l.find("GP").map_or(1, |i| i + 1));
                    src.location(*line, col, 4)
                })
            });
            let (message, help) = if count == 0 {
                (
                    format!("practice {} ({}) has no clause", p.id, p.title),
                    "every ENISA practice needs at least one clause, buyer actions included"
                        .to_string(),
                )
            } else {
                (
                    format!("practice {} ({}) has {count} clause{}; at least {needed} needed", p.id, p.title, if count == 1 { "" } else { "s" }),
                    "catalogue.yaml sets the minimum (coverage.min_clauses_per_practice); list the practice in more clauses, or add one".to_string(),
                )
            };
            diags.push(Diagnostic::error(message).at(loc).help(help));
        }
        for a in &self.assets {
            let count = self
                .clauses
                .iter()
                .filter(|c| c.role.is_supplier() && coverage::applies_to_typical(c, a))
                .count();
            if count >= min.supplier_clauses_per_asset {
                continue;
            }
            let loc = parsed.get("assets.yaml").and_then(|(src, _)| {
                let needle = format!("id: {}", a.id);
                src.text.lines().position(|l| l.contains(&needle)).map(|i| {
                    let line = src.text.lines().nth(i).unwrap_or("");
                    let col = line.find(&a.id).map_or(1, |c| c + 1);
                    src.location(i + 1, col, a.id.len())
                })
            });
            diags.push(
                Diagnostic::error(format!(
                    "a typical purchase of asset category `{}` gets {count} supplier clauses; at least {} needed",
                    a.id, min.supplier_clauses_per_asset
                ))
                .at(loc)
                .help("catalogue.yaml sets the minimum (coverage.min_supplier_clauses_per_asset); `secannex catalogue coverage` shows the matrix"),
            );
        }
        // Award criteria: every typical purchase gets some, and each keeps at least a
        // point once the weights are scaled to the security share.
        if let Some(share) = self.meta.as_ref().and_then(|m| m.award_share.as_ref()) {
            let points = match share.kind {
                ParamKind::Integer { default, .. } => default as u32,
                ParamKind::Text { .. } => 0,
            };
            for a in &self.assets {
                let weights: Vec<(&str, u32)> = self
                    .clauses
                    .iter()
                    .filter(|c| {
                        c.role == Role::AwardCriterion && coverage::applies_to_typical(c, a)
                    })
                    .map(|c| (c.id.as_str(), c.weight.unwrap_or(0)))
                    .collect();
                let scaled = crate::select::largest_remainder(
                    &weights.iter().map(|w| w.1).collect::<Vec<_>>(),
                    points,
                );
                let loc = parsed.get("catalogue.yaml").map(|(src, _)| {
                    let line = src
                        .text
                        .lines()
                        .position(|l| l.contains("security_share"))
                        .map_or(1, |i| i + 1);
                    src.location(line, 3, 14)
                });
                if weights.is_empty() {
                    diags.push(
                        Diagnostic::error(format!("a typical purchase of `{}` gets no award criterion to share the {points} security points", a.id))
                            .at(loc)
                            .help("add an award criterion that applies to this asset category"),
                    );
                } else if let Some((id, _)) = weights
                    .iter()
                    .zip(&scaled)
                    .find(|(_, s)| **s == 0)
                    .map(|(w, _)| *w)
                {
                    diags.push(
                        Diagnostic::error(format!(
                            "award criterion `{id}` gets 0 of the {points} security points in a typical purchase of `{}`",
                            a.id
                        ))
                        .at(loc)
                        .help("raise its weight or the security share, so that every criterion scores"),
                    );
                }
            }
        }
        // Clauses that refer to other clauses refer to clauses that exist.
        let mut prefixes: Vec<&str> = self
            .clauses
            .iter()
            .filter_map(|c| c.id.split('-').next())
            .collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        for c in &self.clauses {
            let mut texts = vec![c.text.as_str()];
            texts.extend(c.evidence.iter().map(|e| e.what.as_str()));
            for t in texts {
                for r in text::clause_refs(t, &prefixes) {
                    if r != c.id && !self.clauses.iter().any(|x| x.id == r) {
                        let loc = parsed
                            .values()
                            .find(|(src, _)| src.name == c.origin.file)
                            .map(|(src, _)| {
                                match src
                                    .text
                                    .lines()
                                    .enumerate()
                                    .skip(c.origin.line.saturating_sub(1))
                                    .find(|(_, l)| l.contains(r))
                                {
                                    Some((i, l)) => src.location(
                                        i + 1,
                                        l.find(r).map_or(1, |x| l[..x].chars().count() + 1),
                                        r.len(),
                                    ),
                                    None => src.location(c.origin.line, 1, 1),
                                }
                            });
                        diags.push(
                            Diagnostic::error(format!(
                                "clause `{}` refers to `{r}`, which is not in the catalogue",
                                c.id
                            ))
                            .at(loc)
                            .maybe_help(did_you_mean(
                                r,
                                self.clauses.iter().map(|x| x.id.as_str()),
                            )),
                        );
                    }
                }
            }
        }
    }
}

/// An asset's `typical` purchase: the questionnaire's profile keys, all required.
fn read_typical(ck: &mut Checker<'_>, node: &Node) -> Option<Typical> {
    let what = "`typical`";
    let m = ck.map(node, what)?;
    ck.known_keys(
        &m,
        &[
            "medical_device",
            "connectivity",
            "data",
            "services",
            "criticality",
            "lifecycle",
        ],
        what,
    );
    let medical_device = ck
        .required(&m, "medical_device", what)
        .and_then(|n| ck.boolean(n, "`medical_device`"));
    let mut list = |key: &str, vocabulary: &[(&'static str, &'static str)]| {
        ck.required(&m, key, what)
            .and_then(|n| ck.ids(n, key, &facts::ids(vocabulary), true))
    };
    let connectivity = list("connectivity", facts::CONNECTIVITY);
    let data = list("data", facts::DATA);
    let services = list("services", facts::SERVICES);
    let (mut patient_safety, mut availability) = (None, None);
    if let Some(n) = ck.required(&m, "criticality", what)
        && let Some(cm) = ck.map(n, "`criticality`")
    {
        ck.known_keys(&cm, &["patient_safety", "availability"], "`criticality`");
        patient_safety = ck
            .required(&cm, "patient_safety", "`criticality`")
            .and_then(|v| {
                ck.one_of(
                    v,
                    "patient_safety level",
                    &facts::ids(facts::PATIENT_SAFETY),
                )
            });
        availability = ck
            .required(&cm, "availability", "`criticality`")
            .and_then(|v| ck.one_of(v, "availability level", &facts::ids(facts::AVAILABILITY)));
    }
    let (mut expected_years, mut integrates_with_legacy) = (None, false);
    if let Some(n) = m.get("lifecycle")
        && let Some(lm) = ck.map(n, "`lifecycle`")
    {
        ck.known_keys(
            &lm,
            &["expected_years", "integrates_with_legacy"],
            "`lifecycle`",
        );
        expected_years = lm
            .get("expected_years")
            .and_then(|v| ck.integer(v, "`expected_years`", 1, 50))
            .map(|y| y as u32);
        integrates_with_legacy = lm
            .get("integrates_with_legacy")
            .and_then(|v| ck.boolean(v, "`integrates_with_legacy`"))
            .unwrap_or(false);
    }
    Some(Typical {
        medical_device: medical_device?,
        connectivity: connectivity?,
        data: data?,
        services: services?,
        patient_safety: patient_safety?,
        availability: availability?,
        expected_years,
        integrates_with_legacy,
    })
}

fn collect_parts(
    ck: &mut Checker<'_>,
    node: &Node,
    subs: Vec<Option<Condition>>,
) -> Option<Condition> {
    if subs.is_empty() {
        ck.error(node.pos, "empty condition");
        return None;
    }
    let mut parts: Vec<Condition> = subs.into_iter().collect::<Option<Vec<_>>>()?;
    Some(if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Condition::All(parts)
    })
}

fn read_parameter(ck: &mut Checker<'_>, name: &str, node: &Node, line: usize) -> Option<Parameter> {
    let what = format!("parameter `{name}`");
    let m = ck.map(node, &what)?;
    ck.known_keys(
        &m,
        &[
            "type",
            "default",
            "min",
            "max",
            "unit",
            "label",
            "by_availability",
            "by_patient_safety",
            "from_expected_years",
        ],
        &what,
    );
    let kind = ck
        .required(&m, "type", &what)
        .and_then(|n| ck.one_of(n, "parameter type", &["integer", "text"]))?;
    let label = req_text(ck, &m, "label", &what)?;
    let default = ck.required(&m, "default", &what)?;
    let kind = if kind == "integer" {
        let min = ck
            .required(&m, "min", &what)
            .and_then(|n| ck.integer(n, "`min`", i64::MIN, i64::MAX));
        let max = ck
            .required(&m, "max", &what)
            .and_then(|n| ck.integer(n, "`max`", i64::MIN, i64::MAX));
        let unit = req_text(ck, &m, "unit", &what);
        let (min, max, unit) = (min?, max?, unit?);
        if min > max {
            ck.error(m.pos, format!("{what} has `min` {min} above `max` {max}"));
            return None;
        }
        let default = ck.integer(default, &format!("the default of {what}"), min, max)?;
        ParamKind::Integer {
            default,
            min,
            max,
            unit,
        }
    } else {
        for k in ["min", "max", "unit"] {
            if let Some(n) = m.get(k) {
                ck.error(n.pos, format!("a text parameter has no `{k}`"));
            }
        }
        ParamKind::Text {
            default: ck.text(default, &format!("the default of {what}"))?,
        }
    };
    let derived = read_derived(ck, &m, &kind, &what)?;
    Some(Parameter {
        name: name.to_string(),
        label,
        kind,
        derived,
        line,
    })
}

/// `by_availability`, `by_patient_safety` or `from_expected_years` (at most one,
/// integer parameters only, values within the bounds). `None` on error.
fn read_derived(
    ck: &mut Checker<'_>,
    m: &Map<'_>,
    kind: &ParamKind,
    what: &str,
) -> Option<Option<Derived>> {
    let keys = [
        "by_availability",
        "by_patient_safety",
        "from_expected_years",
    ];
    let given: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| m.get(k).is_some())
        .collect();
    let Some(&key) = given.first() else {
        return Some(None);
    };
    let node = m.get(key)?;
    let ParamKind::Integer { min, max, .. } = kind else {
        ck.error(node.pos, format!("`{key}` is for integer parameters only"));
        return None;
    };
    if given.len() > 1 {
        ck.error(
            node.pos,
            format!("{what} has {}: choose one", given.join(" and ")),
        );
        return None;
    }
    if key == "from_expected_years" {
        return match ck.boolean(node, "`from_expected_years`")? {
            true => Some(Some(Derived::FromExpectedYears)),
            false => Some(None),
        };
    }
    let levels = if key == "by_availability" {
        facts::AVAILABILITY
    } else {
        facts::PATIENT_SAFETY
    };
    let lm = ck.map(node, &format!("`{key}`"))?;
    let ids = facts::ids(levels);
    ck.known_keys(&lm, &ids, &format!("`{key}`"));
    let mut values = Vec::new();
    for level in &ids {
        let v = ck.required(&lm, level, &format!("`{key}`"))?;
        values.push((
            level.to_string(),
            ck.integer(v, &format!("the {level} default"), *min, *max)?,
        ));
    }
    Some(Some(if key == "by_availability" {
        Derived::ByAvailability(values)
    } else {
        Derived::ByPatientSafety(values)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_ids() {
        assert!(is_clause_id("MAN-PATCH-01"));
        assert!(is_clause_id("SRC-SBOM-CDX-02"));
        assert!(!is_clause_id("man-patch-01"));
        assert!(!is_clause_id("MAN-PATCH-1"));
        assert!(!is_clause_id("MAN-01"));
        assert!(!is_clause_id("MANAGE-PATCH-01"));
    }
}
