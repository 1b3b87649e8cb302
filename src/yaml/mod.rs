//! YAML input: files are parsed by serde-saphyr into a small tree of spanned nodes.
//!
//! Why a tree and not derived structs: derived structs stop at the first unknown key
//! or wrong type, and lose positions under `#[serde(flatten)]`. Hand-written forms
//! (procurement officers' questionnaires, lawyers' catalogues) deserve every problem
//! at once, a "did you mean" for misspelt keys, and `x-` keys for notes. So serde-saphyr
//! does the YAML (syntax, duplicate keys, budgets against alias bombs and deep nesting)
//! and hands us `Node`s that remember their line and column; the `questionnaire` and
//! `catalogue` modules validate those into typed models with the helpers below.

mod parse;
mod tree;

pub use parse::*;
pub use tree::{decode, encode};

use crate::diag::{Diagnostic, Location, did_you_mean};

/// Collects diagnostics while a file's node tree is checked, and knows the file so
/// it can turn node positions into locations.
pub struct Checker<'f> {
    /// The file being checked.
    pub file: &'f SourceFile,
    /// Problems found so far.
    pub diags: Vec<Diagnostic>,
    /// Keys reported as misspellings of an expected key: (mapping position, expected
    /// key). A missing key that was only misspelt is not reported a second time.
    misspelt: Vec<(Pos, String)>,
}

impl<'f> Checker<'f> {
    /// A checker for one file.
    pub fn new(file: &'f SourceFile) -> Self {
        Checker {
            file,
            diags: Vec::new(),
            misspelt: Vec::new(),
        }
    }

    /// The location of a position in this file.
    pub fn loc(&self, pos: Pos) -> Option<Location> {
        if pos.line == 0 {
            return Some(file_location(&self.file.name));
        }
        Some(self.file.location(pos.line, pos.column, pos.width))
    }

    /// Record an error at a position.
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(message).at(self.loc(pos));
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// Record a warning at a position.
    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::warning(message).at(self.loc(pos));
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// The entries of a mapping node; an error if it is something else.
    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<Map<'n>> {
        match &node.value {
            Value::Map(entries) => Some(Map {
                entries,
                pos: node.pos,
            }),
            other => {
                let found = other.kind();
                self.error(node.pos, format!("{what} must be a mapping, found {found}"))
                    .expected = Some("`key: value` lines indented under it".into());
                None
            }
        }
    }

    /// Report every key of `map` not in `allowed` (keys starting with `x-` are notes).
    pub fn known_keys(&mut self, map: &Map<'_>, allowed: &[&str], context: &str) {
        for (key, _) in map.entries {
            if key.name.starts_with("x-") || allowed.contains(&key.name.as_str()) {
                continue;
            }
            let suggestion = closest(&key.name, allowed);
            if let Some(s) = suggestion {
                self.misspelt.push((map.pos, s.to_string()));
            }
            let help = did_you_mean(&key.name, allowed.iter().copied()).or_else(|| {
                Some("remove it, or prefix it with `x-` to keep it as a note".to_string())
            });
            let d = self.error(key.pos, format!("unknown key `{}` in {context}", key.name));
            d.expected = Some(format!("one of {}", allowed.join(", ")));
            d.help = help;
        }
    }

    /// True if `key` is absent from `map` only because it was misspelt (already reported).
    pub fn was_misspelt(&self, map: &Map<'_>, key: &str) -> bool {
        self.misspelt.iter().any(|(p, k)| *p == map.pos && k == key)
    }

    /// A required entry; an error at the mapping if it is missing.
    pub fn required<'n>(&mut self, map: &Map<'n>, key: &str, context: &str) -> Option<&'n Node> {
        let found = map.get(key);
        if found.is_none() && !self.was_misspelt(map, key) {
            self.error(map.pos, format!("missing `{key}` in {context}"));
        }
        found
    }

    /// Text. Numbers are not silently turned into text, with a hint to quote them.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                self.error(
                    node.pos,
                    format!("{what} must be text, found {}", node.value.kind()),
                )
                .help = Some("put the value in quotes, e.g. \"2027\"".into());
                None
            }
            other => {
                let found = other.kind();
                self.error(node.pos, format!("{what} must be text, found {found}"));
                None
            }
        }
    }

    /// Non-empty single-line-or-more text with no control characters.
    pub fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        let s = self.string(node, what)?;
        if s.trim().is_empty() {
            self.error(node.pos, format!("{what} is empty"));
            return None;
        }
        // One pass over the text for its length and its first control or
        // unprintable character (the catalogue's texts are read at every start).
        let (mut chars, mut control, mut unprintable) = (0, None, None);
        for c in s.chars() {
            chars += 1;
            if control.is_none() && c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                control = Some(c);
            }
            if unprintable.is_none() && !crate::embedded::printable(c) {
                unprintable = Some(c);
            }
        }
        if chars > MAX_TEXT_CHARS {
            self.error(
                node.pos,
                format!("{what} is {chars} characters long; the limit is {MAX_TEXT_CHARS}"),
            )
            .help =
                Some("shorten it: an annex states facts, the tender documents give details".into());
            return None;
        }
        if let Some(c) = control {
            self.error(
                node.pos,
                format!("{what} contains the control character U+{:04X}", c as u32),
            )
            .help = Some("remove it: documents cannot contain control characters".into());
            return None;
        }
        if let Some(c) = unprintable {
            self.error(
                node.pos,
                format!(
                    "{what} contains `{c}` (U+{:04X}), which the annex fonts cannot print",
                    c as u32
                ),
            )
            .help = Some(
                "write it in words: the fonts cover Latin, Greek, Cyrillic, Hebrew and Arabic \
                 script, not emoji or other scripts"
                    .into(),
            );
            return None;
        }
        Some(s)
    }

    /// A whole number within bounds.
    pub fn integer(&mut self, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
        match &node.value {
            Value::Int(i) if (min..=max).contains(i) => Some(*i),
            Value::Int(i) => {
                self.error(node.pos, format!("{what} is {i}, out of range"))
                    .expected = Some(format!("a whole number from {min} to {max}"));
                None
            }
            other => {
                let found = other.kind();
                self.error(
                    node.pos,
                    format!("{what} must be a whole number, found {found}"),
                )
                .expected = Some(format!("a whole number from {min} to {max}"));
                None
            }
        }
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            other => {
                let found = other.kind();
                self.error(
                    node.pos,
                    format!("{what} must be true or false, found {found}"),
                );
                None
            }
        }
    }

    /// The items of a list node.
    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            other => {
                let found = other.kind();
                self.error(node.pos, format!("{what} must be a list, found {found}"))
                    .help = Some("write it as `[a, b]` or as `- a` lines".into());
                None
            }
        }
    }

    /// One id out of a closed set, with "did you mean".
    pub fn one_of(&mut self, node: &Node, what: &str, allowed: &[&str]) -> Option<String> {
        self.one_of_or(node, what, allowed, |_| None)
    }

    /// As `one_of`, with `hint` for a word that is neither close to an id nor a
    /// known synonym of one (an asset category found from its examples, say).
    pub fn one_of_or(
        &mut self,
        node: &Node,
        what: &str,
        allowed: &[&str],
        hint: impl FnOnce(&str) -> Option<String>,
    ) -> Option<String> {
        let s = self.string(node, what)?;
        if allowed.contains(&s.as_str()) {
            return Some(s);
        }
        let help = crate::facts::suggest(&s, allowed, hint);
        let d = self.error(node.pos, format!("unknown {what} `{s}`"));
        d.expected = Some(format!("one of {}", allowed.join(", ")));
        d.help = help;
        None
    }

    /// A list of ids out of a closed set; duplicates are dropped with a warning.
    /// `none_means_empty` accepts `[none]` as the empty list.
    pub fn ids(
        &mut self,
        node: &Node,
        what: &str,
        allowed: &[&str],
        none_means_empty: bool,
    ) -> Option<Vec<String>> {
        let items = self.seq(node, what)?;
        let mut out: Vec<String> = Vec::new();
        let mut ok = true;
        for item in items {
            if none_means_empty && matches!(&item.value, Value::Str(s) if s == "none") {
                if items.len() > 1 {
                    self.error(
                        item.pos,
                        format!("`none` cannot be combined with other {what} values"),
                    );
                    ok = false;
                }
                continue;
            }
            match self.one_of(item, what, allowed) {
                Some(id) if out.contains(&id) => {
                    self.warning(item.pos, format!("{what} `{id}` is listed twice"));
                }
                Some(id) => out.push(id),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// The allowed key closest to a misspelt one, if it is close enough.
fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let hint = did_you_mean(word, allowed.iter().copied())?;
    allowed
        .iter()
        .copied()
        .find(|a| hint == format!("did you mean `{a}`?"))
}

/// A mapping node's entries, with lookup by key.
#[derive(Clone, Copy)]
pub struct Map<'n> {
    /// Entries in file order.
    pub entries: &'n [(Key, Node)],
    /// Position of the mapping itself.
    pub pos: Pos,
}

impl<'n> Map<'n> {
    /// The value of a key, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(text: &str) -> Node {
        parse(&SourceFile::new("t.yaml", text)).unwrap()
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let n = node("a: 1\nb:\n  - x\n  - \"007\"\n");
        let Value::Map(entries) = &n.value else {
            panic!()
        };
        assert_eq!(entries[1].0.name, "b");
        assert_eq!((entries[1].0.pos.line, entries[1].0.pos.column), (2, 1));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Str("007".into()));
        assert_eq!((items[1].pos.line, items[1].pos.column), (4, 5));
    }

    #[test]
    fn norway_stays_text_and_leading_zeros_too() {
        let n = node("language: no\nref: 0042\nflag: true\n");
        let Value::Map(e) = &n.value else { panic!() };
        assert_eq!(e[0].1.value, Value::Str("no".into()));
        assert_eq!(e[1].1.value, Value::Str("0042".into()));
        assert_eq!(e[2].1.value, Value::Bool(true));
    }

    #[test]
    fn duplicate_keys_are_errors_with_a_line() {
        let f = SourceFile::new("t.yaml", "a: 1\na: 2\n");
        let d = parse(&f).unwrap_err();
        assert_eq!(
            d.message,
            "invalid YAML: the key `a` appears twice in the same block"
        );
        assert_eq!(d.location.unwrap().line, 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let d = parse(&SourceFile::new("bomb.yaml", text)).unwrap_err();
        assert!(d.message.starts_with("invalid YAML"), "{}", d.message);
    }

    #[test]
    fn bom_is_dropped_and_bad_utf8_located() {
        let f = SourceFile::from_bytes("t.yaml", b"\xEF\xBB\xBFa: 1\n").unwrap();
        assert_eq!(f.text, "a: 1\n");
        let d = SourceFile::from_bytes("t.yaml", b"a: 1\nb: \xFF\n").unwrap_err();
        let loc = d.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 4));
    }
}
