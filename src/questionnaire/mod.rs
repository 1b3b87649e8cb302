//! Questionnaire stage: a buyer's YAML file → a validated [`Questionnaire`].
//!
//! `load` checks the file against schema version 1 and against the catalogue (asset
//! categories, parameter names and bounds, clause ids in `options`), reporting every
//! problem at once with its line and column. Lots inherit the top-level answers and
//! override them block by block (see the README).

pub mod model;

use std::collections::BTreeMap;

pub use model::*;

use crate::catalogue::{Catalogue, ParamKind, ParamValue};
use crate::diag::{Diagnostic, did_you_mean};
use crate::facts;
use crate::yaml::{self, Checker, Map, Node, Pos, SourceFile, Value};

/// The schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;
/// Longest accepted procurement reference.
pub const MAX_REFERENCE_CHARS: usize = 100;
/// Most lots in one questionnaire.
pub const MAX_LOTS: usize = 200;

const TOP_KEYS: [&str; 10] = [
    "schema_version",
    "procurement",
    "asset",
    "connectivity",
    "data",
    "services",
    "criticality",
    "lifecycle",
    "options",
    "lots",
];
/// The answer blocks that describe a purchase; a lot may answer each again.
/// (A lot may also tailor `options`.)
pub const ANSWER_BLOCKS: [&str; 6] = [
    "asset",
    "connectivity",
    "data",
    "services",
    "criticality",
    "lifecycle",
];

/// Load and validate a questionnaire against a catalogue. `languages` are the annex
/// languages the templates provide. Returns the questionnaire if there is no error,
/// and every diagnostic found.
pub fn load(
    file: &SourceFile,
    catalogue: &Catalogue,
    languages: &[String],
) -> (Option<Questionnaire>, Vec<Diagnostic>) {
    let node = match yaml::parse(file) {
        Ok(n) => n,
        Err(d) => return (None, vec![d]),
    };
    let mut ck = Checker::new(file);
    let q = read(&mut ck, &node, catalogue, languages);
    let has_errors = ck.diags.iter().any(Diagnostic::is_error);
    (if has_errors { None } else { q }, ck.diags)
}

fn read(
    ck: &mut Checker<'_>,
    node: &Node,
    catalogue: &Catalogue,
    languages: &[String],
) -> Option<Questionnaire> {
    let map = ck.map(node, "a questionnaire")?;
    ck.known_keys(&map, &TOP_KEYS, "the questionnaire");
    match map.get("schema_version") {
        None => {
            ck.error(map.pos, "missing `schema_version`").help =
                Some("add `schema_version: 1` as the first line".into());
        }
        Some(v) if !matches!(v.value, Value::Int(SCHEMA_VERSION)) => {
            let d = ck.error(v.pos, "unsupported `schema_version`");
            d.expected = Some("1".into());
            d.help = Some("this version of secannex reads questionnaire schema version 1".into());
        }
        Some(_) => {}
    }
    let procurement = ck
        .required(&map, "procurement", "the questionnaire")
        .and_then(|n| read_procurement(ck, n, languages));

    let top = read_partial(ck, &map, catalogue);
    let mut profiles = Vec::new();
    match map.get("lots") {
        Some(lots_node) => {
            let items = ck.seq(lots_node, "`lots`")?;
            if items.is_empty() {
                ck.error(lots_node.pos, "`lots` is empty").help =
                    Some("remove `lots:` for a procurement without lots".into());
            }
            if items.len() > MAX_LOTS {
                ck.error(
                    lots_node.pos,
                    format!(
                        "{} lots; at most {MAX_LOTS} are supported in one questionnaire",
                        items.len()
                    ),
                );
                return None;
            }
            let mut seen: Vec<String> = Vec::new();
            for item in items {
                let Some(lm) = ck.map(item, "a lot") else {
                    continue;
                };
                let mut keys = vec!["id", "title", "options"];
                keys.extend(ANSWER_BLOCKS);
                ck.known_keys(&lm, &keys, "a lot");
                let id = ck.required(&lm, "id", "a lot").and_then(|n| {
                    let id = ck.text(n, "lot `id`")?;
                    if !is_lot_id(&id) {
                        let d = ck.error(n.pos, format!("lot id `{id}` is not a simple id"));
                        d.expected = Some(
                            "lower-case letters, digits and dashes, at most 40, e.g. `lot-1`"
                                .into(),
                        );
                        return None;
                    }
                    if seen.contains(&id) {
                        ck.error(n.pos, format!("lot `{id}` is defined twice"));
                        return None;
                    }
                    seen.push(id.clone());
                    Some(id)
                });
                let title = ck
                    .required(&lm, "title", "a lot")
                    .and_then(|n| ck.text(n, "lot `title`"));
                let own = read_partial(ck, &lm, catalogue);
                let (Some(id), Some(title)) = (id, title) else {
                    continue;
                };
                let merged = top.clone().overlay(own);
                let lot = Lot { id, title };
                let what = format!("lot `{}`", lot.id);
                if let Some(p) = merged.complete(
                    ck,
                    catalogue,
                    lm.pos,
                    &what,
                    Some(lot),
                    procurement.as_ref(),
                ) {
                    profiles.push(p);
                }
            }
        }
        None => {
            // Nothing to point at: the whole file lacks the answer.
            if let Some(p) = top.complete(
                ck,
                catalogue,
                Pos::default(),
                "the questionnaire",
                None,
                procurement.as_ref(),
            ) {
                profiles.push(p);
            }
        }
    }
    let procurement = procurement?;
    if profiles.is_empty() {
        return None;
    }
    Some(Questionnaire {
        procurement,
        profiles,
    })
}

fn is_lot_id(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

fn read_procurement(
    ck: &mut Checker<'_>,
    node: &Node,
    languages: &[String],
) -> Option<Procurement> {
    let m = ck.map(node, "`procurement`")?;
    let ctx = "`procurement`";
    ck.known_keys(
        &m,
        &[
            "title",
            "reference",
            "buyer",
            "procedure",
            "language",
            "date",
        ],
        ctx,
    );
    let title = ck
        .required(&m, "title", ctx)
        .and_then(|n| ck.text(n, "the procurement `title`"));
    let reference = ck.required(&m, "reference", ctx).and_then(|n| {
        let r = ck.text(n, "the procurement `reference`")?;
        if r.chars().count() > MAX_REFERENCE_CHARS {
            ck.error(n.pos, format!("the reference is {} characters long; the limit is {MAX_REFERENCE_CHARS}", r.chars().count()));
            return None;
        }
        if !r.chars().any(|c| c.is_alphanumeric()) {
            let d = ck.error(n.pos, format!("the reference `{r}` has no letter or digit"));
            d.help = Some("output file names are made from the reference; use the buyer's tender reference, e.g. UHX-2027-014".into());
            return None;
        }
        Some(r)
    });
    let buyer = ck
        .required(&m, "buyer", ctx)
        .and_then(|n| ck.text(n, "the procurement `buyer`"));
    let procedure = match m.get("procedure") {
        Some(n) => ck.one_of(n, "procedure", &facts::ids(facts::PROCEDURES)),
        None => Some("open".to_string()),
    };
    let language = match m.get("language") {
        Some(n) => ck.string(n, "`language`").and_then(|l| {
            let well_formed = l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase());
            if languages.iter().any(|x| x == &l) {
                return Some(l);
            }
            let available = languages.join(", ");
            let d = ck.error(
                n.pos,
                if well_formed {
                    format!("no annex templates in language `{l}`")
                } else {
                    format!("`{l}` is not an ISO 639-1 language code")
                },
            );
            d.expected = Some(format!("one of the template languages: {available}"));
            d.help = did_you_mean(&l, languages.iter().map(String::as_str));
            None
        }),
        None => Some("en".to_string()),
    };
    let date = match m.get("date") {
        Some(n) => ck.string(n, "`date`").and_then(|d| {
            match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(_) if d.len() == 10 => Some(Some(d)),
                _ => {
                    let e = ck.error(n.pos, format!("`{d}` is not a date"));
                    e.expected = Some("a date written YYYY-MM-DD, e.g. 2027-01-15".into());
                    None
                }
            }
        }),
        None => Some(None),
    };
    Some(Procurement {
        title: title?,
        reference: reference?,
        buyer: buyer?,
        procedure: procedure?,
        language: language?,
        date: date?,
    })
}

/// Answers found in one mapping (the top level or a lot); a lot's answers overlay the
/// top-level ones block by block. `Err` marks a block that was present but invalid, so
/// it is not also reported as missing.
#[derive(Clone, Default)]
struct Partial {
    category: Option<Result<String, ()>>,
    subtypes: Option<Result<Vec<(String, Pos)>, ()>>,
    /// The category the sub-types were already checked against, if any.
    subtypes_checked: Option<String>,
    description: Option<String>,
    medical_device: Option<Result<bool, ()>>,
    connectivity: Option<Result<Vec<String>, ()>>,
    data: Option<Result<Vec<String>, ()>>,
    services: Option<Result<Vec<String>, ()>>,
    patient_safety: Option<Result<String, ()>>,
    availability: Option<Result<String, ()>>,
    lifecycle: Option<Result<(Option<u32>, bool), ()>>,
    options: Option<Result<OptionsDraft, ()>>,
}

#[derive(Clone, Default)]
struct OptionsDraft {
    parameters: BTreeMap<String, ParamValue>,
    exclude: Vec<(Exclusion, Pos)>,
    include: Vec<(String, Pos)>,
}

impl Partial {
    /// This partial, overridden by `lot`: `asset` merges field by field; every other
    /// block the lot gives replaces the top-level one, except `options`, whose
    /// parameters merge by name and whose include/exclude lists add up.
    fn overlay(mut self, lot: Partial) -> Partial {
        if lot.category.is_some() {
            // Sub-types belong to a category: a lot that changes the category does
            // not inherit the top level's sub-types.
            self.category = lot.category;
            self.subtypes = None;
            self.subtypes_checked = None;
        }
        if lot.subtypes.is_some() {
            self.subtypes = lot.subtypes;
            self.subtypes_checked = lot.subtypes_checked;
        }
        if lot.description.is_some() {
            self.description = lot.description;
        }
        if lot.medical_device.is_some() {
            self.medical_device = lot.medical_device;
        }
        for (mine, theirs) in [
            (&mut self.connectivity, lot.connectivity),
            (&mut self.data, lot.data),
            (&mut self.services, lot.services),
        ] {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        if lot.patient_safety.is_some() {
            self.patient_safety = lot.patient_safety;
        }
        if lot.availability.is_some() {
            self.availability = lot.availability;
        }
        if lot.lifecycle.is_some() {
            self.lifecycle = lot.lifecycle;
        }
        self.options = match (self.options, lot.options) {
            (Some(Ok(mut top)), Some(Ok(own))) => {
                top.parameters.extend(own.parameters);
                top.exclude.extend(own.exclude);
                top.include.extend(own.include);
                Some(Ok(top))
            }
            (Some(Err(())), _) | (_, Some(Err(()))) => Some(Err(())),
            (top, None) => top,
            (None, own) => own,
        };
        self
    }

    /// A complete profile, or errors (at `pos`) for what is missing.
    fn complete(
        self,
        ck: &mut Checker<'_>,
        catalogue: &Catalogue,
        pos: Pos,
        what: &str,
        lot: Option<Lot>,
        procurement: Option<&Procurement>,
    ) -> Option<Profile> {
        let hint_place = if lot.is_some() {
            "in the lot or at the top of the file"
        } else {
            "at the top of the file"
        };
        let mut missing = |key: &str, example: &str| {
            let d = ck.error(pos, format!("{what} does not say `{key}`"));
            d.help = Some(format!(
                "add `{example}` {hint_place}{}",
                if example.ends_with("[...]") {
                    " (`[]` if there is none)"
                } else {
                    ""
                }
            ));
        };
        let category = match self.category {
            Some(c) => c.ok(),
            None => {
                missing(
                    "asset.category",
                    "asset: { category: networked-medical-device }",
                );
                None
            }
        };
        let medical_device = match self.medical_device {
            Some(m) => m.ok(),
            None => {
                missing(
                    "asset.medical_device",
                    "medical_device: true` (or `false`) under `asset:",
                );
                None
            }
        };
        let mut list = |v: Option<Result<Vec<String>, ()>>, key: &str| match v {
            Some(v) => v.ok(),
            None => {
                missing(key, &format!("{key}: [...]"));
                None
            }
        };
        let connectivity = list(self.connectivity, "connectivity");
        let data = list(self.data, "data");
        let services = list(self.services, "services");
        let mut level = |v: Option<Result<String, ()>>, key: &str, example: &str| match v {
            Some(v) => v.ok(),
            None => {
                let d = ck.error(pos, format!("{what} does not say `criticality.{key}`"));
                d.help = Some(format!(
                    "add `criticality: {{ {key}: {example} }}` {hint_place}"
                ));
                None
            }
        };
        let patient_safety = level(self.patient_safety, "patient_safety", "high");
        let availability = level(self.availability, "availability", "critical");
        let (expected_years, integrates_with_legacy) = match self.lifecycle {
            Some(Ok(l)) => l,
            Some(Err(())) => return None,
            None => (None, false),
        };
        let options = match self.options {
            Some(Ok(o)) => check_options(ck, o),
            Some(Err(())) => None,
            None => Some(Tailoring::default()),
        };
        let (subtypes, subtypes_given) = match (&category, self.subtypes) {
            (_, Some(Err(()))) => (None, true),
            (None, _) => (None, false),
            (Some(cat), given) => {
                let known: Vec<&str> = catalogue
                    .asset(cat)
                    .map(|a| a.subtypes.iter().map(|(id, _)| id.as_str()).collect())
                    .unwrap_or_default();
                match given {
                    None => (Some(known.iter().map(|s| s.to_string()).collect()), false),
                    Some(Ok(list)) if self.subtypes_checked.as_deref() == Some(cat.as_str()) => {
                        (Some(list.into_iter().map(|(id, _)| id).collect()), true)
                    }
                    Some(Ok(list)) => {
                        let mut ok = true;
                        for (id, at) in &list {
                            if !known.contains(&id.as_str()) {
                                let help = did_you_mean(id, known.iter().copied());
                                let d =
                                    ck.error(*at, format!("`{id}` is not a sub-type of `{cat}`"));
                                d.expected = Some(format!("one of {}", known.join(", ")));
                                d.help = help;
                                ok = false;
                            }
                        }
                        (
                            ok.then(|| list.into_iter().map(|(id, _)| id).collect()),
                            true,
                        )
                    }
                    Some(Err(())) => (None, true),
                }
            }
        };
        let profile = Profile {
            lot,
            category: category?,
            subtypes: subtypes?,
            subtypes_given,
            description: self.description,
            medical_device: medical_device?,
            connectivity: connectivity?,
            data: data?,
            services: services?,
            patient_safety: patient_safety?,
            availability: availability?,
            expected_years,
            integrates_with_legacy,
            procedure: procurement.map(|p| p.procedure.clone()).unwrap_or_default(),
            options: options?,
        };
        plausibility(ck, pos, what, &profile);
        Some(profile)
    }
}

/// Answers that are valid but probably not what the buyer means: each would leave
/// clauses out of the annex.
fn plausibility(ck: &mut Checker<'_>, pos: Pos, what: &str, p: &Profile) {
    let has = |v: &[String], id: &str| v.iter().any(|x| x == id);
    let maintained = has(&p.services, "maintenance") || has(&p.services, "remote-support");
    let clinical = p.medical_device
        || [
            "networked-medical-device",
            "clinical-information-system",
            "remote-care-system",
            "professional-service",
        ]
        .contains(&p.category.as_str());
    // An empty `data` is a deliberate "no data of its own"; a list without
    // patient-health next to clinical maintenance is more likely an oversight.
    if maintained && clinical && !p.data.is_empty() && !has(&p.data, "patient-health") {
        ck.warning(pos, format!("{what} buys maintenance or support of clinical equipment but does not list `patient-health` data"))
            .help = Some(
            "engineers who maintain medical devices or clinical systems usually see patient data on screens, logs and \
             storage; if they do, add `patient-health` to `data` so that the data-protection clauses apply"
                .into(),
        );
    }
    let remotely_maintained_kind = [
        "networked-medical-device",
        "clinical-information-system",
        "industrial-control-system",
        "networking-equipment",
        "remote-care-system",
    ]
    .contains(&p.category.as_str());
    if has(&p.services, "maintenance")
        && remotely_maintained_kind
        && !p.connectivity.is_empty()
        && !has(&p.connectivity, "remote-access")
        && !has(&p.services, "remote-support")
    {
        ck.warning(pos, format!("{what} buys maintenance of connected equipment without `remote-access` or `remote-support`"))
            .help = Some(
            "if the Supplier will ever maintain or support it remotely, add `remote-access` to `connectivity`; \
             otherwise the remote-access clauses are left out of the annex"
                .into(),
        );
    }
}

/// Final checks on merged options: nothing both included and excluded.
fn check_options(ck: &mut Checker<'_>, o: OptionsDraft) -> Option<Tailoring> {
    let mut ok = true;
    let mut exclude: Vec<Exclusion> = Vec::new();
    for (e, pos) in o.exclude {
        if o.include.iter().any(|(i, _)| i == &e.clause) {
            ck.error(
                pos,
                format!("clause `{}` is both included and excluded", e.clause),
            )
            .help = Some("keep it in one of `options.include` and `options.exclude`".into());
            ok = false;
        } else if exclude.iter().any(|x| x.clause == e.clause) {
            ck.warning(pos, format!("clause `{}` is excluded twice", e.clause));
        } else {
            exclude.push(e);
        }
    }
    let mut include: Vec<String> = Vec::new();
    for (i, pos) in o.include {
        if include.contains(&i) {
            ck.warning(pos, format!("clause `{i}` is included twice"));
        } else {
            include.push(i);
        }
    }
    ok.then_some(Tailoring {
        parameters: o.parameters,
        exclude,
        include,
    })
}

/// `Some(Err(()))` when `key` was misspelt in `m` (and so already reported).
fn misspelt<T>(ck: &Checker<'_>, m: &Map<'_>, key: &str) -> Option<Result<T, ()>> {
    ck.was_misspelt(m, key).then_some(Err(()))
}

/// For an unknown asset category, the category whose title, examples and
/// sub-types share the most words with it: buyers write what they buy
/// (`infusion-pump`), and the catalogue lists it as an example of a category
/// ("infusion pumps and drug library servers", a networked medical device). A word
/// found in several categories counts for less; equal best scores are all named,
/// up to three.
pub fn category_hint(assets: &[crate::catalogue::Asset], word: &str) -> Option<String> {
    fn words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_lowercase)
            .collect()
    }
    // One word, or its plural.
    fn same(a: &str, b: &str) -> bool {
        a == b || a.strip_suffix('s') == Some(b) || b.strip_suffix('s') == Some(a)
    }
    // Of (words, text) pairs, the text whose words share the most of the wanted
    // words (the shortest of equals).
    fn best_of<'a>(
        texts: impl Iterator<Item = (String, &'a String)>,
        wanted: &[String],
    ) -> Option<&'a String> {
        let shared = |text: &str| {
            let tw = words(text);
            wanted
                .iter()
                .filter(|w| tw.iter().any(|t| same(t, w)))
                .count()
        };
        texts
            .map(|(w, t)| (shared(&w), t))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, t)| (*n, std::cmp::Reverse(t.len())))
            .map(|(_, t)| t)
    }
    let mut wanted = words(word);
    wanted.sort();
    wanted.dedup();
    let texts: Vec<Vec<String>> = assets
        .iter()
        .map(|a| {
            let mut all = words(&a.id);
            all.extend(words(&a.title));
            for text in a
                .examples
                .iter()
                .chain(a.subtypes.iter().flat_map(|(id, t)| [id, t]))
            {
                all.extend(words(text));
            }
            all
        })
        .collect();
    let mut scores = vec![0.0_f64; assets.len()];
    for w in &wanted {
        let holders: Vec<usize> = (0..assets.len())
            .filter(|&i| texts[i].iter().any(|t| same(t, w)))
            .collect();
        for &i in &holders {
            scores[i] += 1.0 / holders.len() as f64;
        }
    }
    let best = scores.iter().copied().fold(0.0_f64, f64::max);
    if best == 0.0 {
        return None;
    }
    let top: Vec<usize> = (0..assets.len()).filter(|&i| scores[i] == best).collect();
    if let [i] = top[..] {
        // The example, or else the sub-type, that shares the most words: why.
        let a = &assets[i];
        let example = best_of(a.examples.iter().map(|e| (e.clone(), e)), &wanted);
        let subtype = best_of(
            a.subtypes.iter().map(|(id, t)| (format!("{id} {t}"), t)),
            &wanted,
        );
        return Some(match (example, subtype) {
            (Some(e), _) => format!("did you mean `{}`? Its examples include \"{e}\"", a.id),
            (None, Some(t)) => format!("did you mean `{}`? Its sub-types include \"{t}\"", a.id),
            (None, None) => format!("did you mean `{}` ({})?", a.id, a.title),
        });
    }
    // A word that many categories share (`system`) tells nothing.
    if top.len() > 3 {
        return None;
    }
    let ids: Vec<String> = top.iter().map(|&i| format!("`{}`", assets[i].id)).collect();
    Some(format!("did you mean {}?", ids.join(" or ")))
}

fn read_partial(ck: &mut Checker<'_>, map: &Map<'_>, catalogue: &Catalogue) -> Partial {
    // A misspelt key was reported already: treat the answer as given (but invalid)
    // rather than report it missing too.
    let mut p = Partial {
        connectivity: misspelt(ck, map, "connectivity"),
        data: misspelt(ck, map, "data"),
        services: misspelt(ck, map, "services"),
        lifecycle: misspelt(ck, map, "lifecycle"),
        options: misspelt(ck, map, "options"),
        ..Partial::default()
    };
    if ck.was_misspelt(map, "asset") {
        p.category = Some(Err(()));
        p.medical_device = Some(Err(()));
    }
    if ck.was_misspelt(map, "criticality") {
        p.patient_safety = Some(Err(()));
        p.availability = Some(Err(()));
    }
    if let Some(n) = map.get("asset")
        && let Some(am) = ck.map(n, "`asset`")
    {
        ck.known_keys(
            &am,
            &["category", "subtypes", "description", "medical_device"],
            "`asset`",
        );
        p.category = misspelt(ck, &am, "category");
        p.medical_device = misspelt(ck, &am, "medical_device");
        if let Some(c) = am.get("category") {
            let ids: Vec<&str> = catalogue.assets.iter().map(|a| a.id.as_str()).collect();
            let category = ck.one_of_or(c, "asset category", &ids, |word| {
                category_hint(&catalogue.assets, word)
            });
            p.category = Some(category.ok_or(()));
        }
        if let Some(n) = am.get("subtypes") {
            p.subtypes = Some(
                ck.seq(n, "`subtypes`")
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| ck.string(i, "a sub-type").map(|s| (s, i.pos)))
                            .collect::<Vec<_>>()
                    })
                    .ok_or(()),
            );
        }
        // Sub-types given with their category are checked here, so that they are
        // checked even when every lot replaces the category.
        if let (Some(Ok(cat)), Some(Ok(list))) = (&p.category, &p.subtypes) {
            let known: Vec<&str> = catalogue
                .asset(cat)
                .map(|a| a.subtypes.iter().map(|(id, _)| id.as_str()).collect())
                .unwrap_or_default();
            let mut ok = true;
            for (id, at) in list {
                if !known.contains(&id.as_str()) {
                    let help = did_you_mean(id, known.iter().copied());
                    let d = ck.error(*at, format!("`{id}` is not a sub-type of `{cat}`"));
                    d.expected = Some(format!("one of {}", known.join(", ")));
                    d.help = help;
                    ok = false;
                }
            }
            if ok {
                p.subtypes_checked = Some(cat.clone());
            } else {
                p.subtypes = Some(Err(()));
            }
        }
        if let Some(d) = am.get("description") {
            p.description = ck.text(d, "the asset `description`");
        }
        if let Some(m) = am.get("medical_device") {
            p.medical_device = Some(ck.boolean(m, "`medical_device`").ok_or(()));
        }
    } else if map.get("asset").is_some() {
        p.category = Some(Err(()));
        p.medical_device = Some(Err(()));
    }
    if let Some(n) = map.get("connectivity") {
        p.connectivity = Some(
            ck.ids(n, "connectivity", &facts::ids(facts::CONNECTIVITY), true)
                .ok_or(()),
        );
    }
    if let Some(n) = map.get("data") {
        p.data = Some(ck.ids(n, "data", &facts::ids(facts::DATA), true).ok_or(()));
    }
    if let Some(n) = map.get("services") {
        p.services = Some(
            ck.ids(n, "service", &facts::ids(facts::SERVICES), true)
                .ok_or(()),
        );
    }
    if let Some(n) = map.get("criticality") {
        match ck.map(n, "`criticality`") {
            Some(cm) => {
                ck.known_keys(&cm, &["patient_safety", "availability"], "`criticality`");
                p.patient_safety = misspelt(ck, &cm, "patient_safety");
                p.availability = misspelt(ck, &cm, "availability");
                if let Some(v) = cm.get("patient_safety") {
                    p.patient_safety = Some(
                        ck.one_of(
                            v,
                            "patient_safety level",
                            &facts::ids(facts::PATIENT_SAFETY),
                        )
                        .ok_or(()),
                    );
                }
                if let Some(v) = cm.get("availability") {
                    p.availability = Some(
                        ck.one_of(v, "availability level", &facts::ids(facts::AVAILABILITY))
                            .ok_or(()),
                    );
                }
            }
            None => {
                p.patient_safety = Some(Err(()));
                p.availability = Some(Err(()));
            }
        }
    }
    if let Some(n) = map.get("lifecycle") {
        p.lifecycle = Some(read_lifecycle(ck, n).ok_or(()));
    }
    if let Some(n) = map.get("options") {
        p.options = Some(read_options(ck, n, catalogue).ok_or(()));
    }
    p
}

fn read_lifecycle(ck: &mut Checker<'_>, node: &Node) -> Option<(Option<u32>, bool)> {
    let m = ck.map(node, "`lifecycle`")?;
    ck.known_keys(
        &m,
        &["expected_years", "integrates_with_legacy"],
        "`lifecycle`",
    );
    let years = match m.get("expected_years") {
        Some(n) => Some(Some(ck.integer(n, "`expected_years`", 1, 50)? as u32)),
        None => Some(None),
    };
    let legacy = match m.get("integrates_with_legacy") {
        Some(n) => ck.boolean(n, "`integrates_with_legacy`"),
        None => Some(false),
    };
    Some((years?, legacy?))
}

fn read_options(ck: &mut Checker<'_>, node: &Node, catalogue: &Catalogue) -> Option<OptionsDraft> {
    let m = ck.map(node, "`options`")?;
    ck.known_keys(&m, &["parameters", "exclude", "include"], "`options`");
    let mut ok = true;
    let mut draft = OptionsDraft::default();
    let clause_ids: Vec<&str> = catalogue.clauses.iter().map(|c| c.id.as_str()).collect();
    let clause_id = |ck: &mut Checker<'_>, n: &Node| -> Option<String> {
        let id = ck.string(n, "a clause id")?;
        if clause_ids.contains(&id.as_str()) {
            return Some(id);
        }
        let help = did_you_mean(&id, clause_ids.iter().copied())
            .or_else(|| Some("`secannex catalogue list` shows every clause id".into()));
        ck.error(n.pos, format!("unknown clause `{id}`")).help = help;
        None
    };
    if let Some(n) = m.get("parameters")
        && let Some(pm) = ck.map(n, "`options.parameters`")
    {
        let names = catalogue.parameter_names();
        for (key, value) in pm.entries {
            if key.name.starts_with("x-") {
                continue;
            }
            let Some(decl) = catalogue.parameter(&key.name) else {
                let help = did_you_mean(&key.name, names.iter().copied())
                    .or_else(|| Some("`secannex catalogue export` lists every parameter".into()));
                let d = ck.error(key.pos, format!("unknown parameter `{}`", key.name));
                d.help = help;
                ok = false;
                continue;
            };
            let what = format!("parameter `{}` ({})", key.name, decl.label);
            let v = match &decl.kind {
                ParamKind::Integer { min, max, .. } => ck
                    .integer(value, &what, *min, *max)
                    .map(ParamValue::Integer),
                ParamKind::Text { .. } => ck.text(value, &what).map(ParamValue::Text),
            };
            match v {
                Some(v) => {
                    draft.parameters.insert(key.name.clone(), v);
                }
                None => ok = false,
            }
        }
    }
    if let Some(n) = m.get("exclude")
        && let Some(items) = ck.seq(n, "`options.exclude`")
    {
        for item in items {
            let Some(em) = ck.map(item, "an exclusion") else {
                if let Some(last) = ck.diags.last_mut() {
                    last.help =
                        Some("write `- { clause: ID, reason: why it does not apply }`".into());
                }
                ok = false;
                continue;
            };
            ck.known_keys(&em, &["clause", "reason"], "an exclusion");
            let clause = ck
                .required(&em, "clause", "an exclusion")
                .and_then(|c| clause_id(ck, c));
            let reason = match em.get("reason") {
                Some(r) => ck.text(r, "the reason of an exclusion"),
                None => {
                    let d = ck.error(em.pos, "an exclusion needs a `reason`");
                    d.help = Some("say why the clause does not apply, e.g. `reason: covered by the framework contract`".into());
                    None
                }
            };
            match (clause, reason) {
                (Some(clause), Some(reason)) => {
                    draft.exclude.push((Exclusion { clause, reason }, item.pos))
                }
                _ => ok = false,
            }
        }
    }
    if let Some(n) = m.get("include")
        && let Some(items) = ck.seq(n, "`options.include`")
    {
        for item in items {
            match clause_id(ck, item) {
                Some(id) => draft.include.push((id, item.pos)),
                None => ok = false,
            }
        }
    }
    ok.then_some(draft)
}

/// A file-name-safe form of a reference or lot id: letters, digits, `.`, `_` and `-`
/// kept, anything else (including `/` and `\`) becomes `-`; no leading dot; reserved
/// device names get a `_` suffix. Never empty for a validated reference.
pub fn sanitise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // A dot stays only between two letters or digits (`v1.2`, `nul.txt`), so
        // that no `..` survives, even inside a name.
        let dot_ok = || {
            i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        };
        let keep = c.is_alphanumeric() || matches!(c, '_' | '-') || (c == '.' && dot_ok());
        let c = if keep { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.').to_string();
    let mut name = if trimmed.is_empty() {
        "annex".to_string()
    } else {
        trimmed
    };
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    const RESERVED: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if RESERVED.contains(&stem.as_str()) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    #[test]
    fn sanitised_names_stay_inside_the_directory() {
        assert_eq!(sanitise("UHX-2027-014"), "UHX-2027-014");
        assert_eq!(sanitise("RHPC/FA/2027-07"), "RHPC-FA-2027-07");
        assert_eq!(sanitise("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitise("..\\x"), "x");
        assert_eq!(sanitise("CON"), "CON_");
        assert_eq!(sanitise("nul.txt"), "nul.txt_");
        assert_eq!(sanitise("Ärzte 2027"), "Ärzte-2027");
        assert_eq!(sanitise("///"), "annex");
        assert_eq!(sanitise("a/../../b"), "a-b");
        assert_eq!(sanitise("x..y"), "x-y");
        assert_eq!(sanitise("v1.2"), "v1.2");
    }
}
