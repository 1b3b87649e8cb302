//! The YAML parser: text to a tree of nodes that remember their line and column.
//! Self-contained (it needs only `crate::diag`), so that the build script can
//! compile it too and parse the built-in catalogue when secannex is built.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Location};

/// Largest YAML file we read, in bytes. Questionnaires are a few kilobytes and the
/// whole built-in catalogue is well under this.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Deepest nesting accepted. The deepest real structure (a condition) needs about 12.
pub const MAX_DEPTH: usize = 32;
/// Longest free text (a title, a description, a clause) in characters: about
/// three pages. Longer text is a pasted document, not an answer.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Most values (mappings, lists and scalars, aliases expanded) in one file. The
/// largest built-in catalogue file has about 3500; a questionnaire a few hundred.
pub const MAX_NODES: usize = 100_000;

/// One input file: its name as the user gave it and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name used in messages (a path, or `built-in:catalogue/x.yaml`).
    pub name: String,
    /// Full text.
    pub text: String,
}

impl SourceFile {
    /// A file from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Decode bytes read from disk: UTF-8 only, a leading byte-order mark is dropped.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Self, Diagnostic> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Diagnostic::error(format!(
                "file is too large ({} bytes); the limit is {} bytes",
                bytes.len(),
                MAX_FILE_BYTES
            ))
            .at(Some(file_location(name)))
            .help("a questionnaire is a few kilobytes: check that this is the right file"));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                // The valid prefix is UTF-8 by construction.
                let prefix = String::from_utf8_lossy(good);
                let line = prefix.matches('\n').count() + 1;
                let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
                let column = prefix[line_start..].chars().count() + 1;
                Err(Diagnostic::error("file is not valid UTF-8 text")
                    .at(Some(Location {
                        file: name.to_string(),
                        line,
                        column,
                        width: 1,
                        source_line: prefix[line_start..].to_string(),
                    }))
                    .help("save the file as UTF-8 (most editors offer this in \"Save as\")"))
            }
        }
    }

    /// The location of a 1-based line and column, `width` characters wide.
    pub fn location(&self, line: usize, column: usize, width: usize) -> Location {
        let source_line = lines(&self.text).nth(line.saturating_sub(1)).unwrap_or("");
        let rest = source_line
            .chars()
            .count()
            .saturating_sub(column.saturating_sub(1));
        Location {
            file: self.name.clone(),
            line,
            column,
            width: width.clamp(1, rest.max(1)),
            source_line: source_line.to_string(),
        }
    }
}

/// The lines of a text as YAML counts them: `\r\n`, `\n` and a lone `\r` each end
/// a line (YAML 1.2, 5.4), where `str::lines` knows only the first two.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.find(['\n', '\r']) {
            Some(i) => {
                let skip = if r[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&r[i + skip..]).filter(|s| !s.is_empty());
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// A location that names only a file (no line).
pub fn file_location(name: &str) -> Location {
    Location {
        file: name.to_string(),
        line: 0,
        column: 0,
        width: 0,
        source_line: String::new(),
    }
}

/// Where a node sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line (0 = unknown).
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// Length in characters of the node's text on its first line.
    pub width: usize,
}

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is.
    pub pos: Pos,
}

/// The YAML value kinds we distinguish.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false` (only those spellings: `no` stays text).
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Str(String),
    /// `[a, b]` or a block list.
    Seq(Vec<Node>),
    /// A mapping, keys in file order.
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where it is.
    pub pos: Pos,
}

impl Value {
    /// How the value is described in "found ..." messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

fn pos_of(loc: &serde_saphyr::Location) -> Pos {
    let span = loc.span();
    Pos {
        line: loc.line() as usize,
        column: loc.column() as usize,
        width: span.len() as usize,
    }
}

// Raw values as serde-saphyr hands them over; converted to `Node` right after parsing.
enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<String>, Spanned<RawValue>)>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
        i64::try_from(v)
            .map(RawValue::Int)
            .map_err(|_| E::custom("number is too large"))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawValue, E> {
        i64::try_from(v)
            .map(RawValue::Int)
            .map_err(|_| E::custom("number is too large"))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
        i64::try_from(v)
            .map(RawValue::Int)
            .map_err(|_| E::custom("number is too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<RawValue>>()?;
            entries.push((key, value));
        }
        Ok(RawValue::Map(entries))
    }
}

fn to_node(raw: Spanned<RawValue>) -> Node {
    let pos = pos_of(&raw.referenced);
    let value = match raw.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(x) => Value::Float(x),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => Value::Seq(items.into_iter().map(to_node).collect()),
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: pos_of(&k.referenced),
                        name: k.value,
                    };
                    (key, to_node(v))
                })
                .collect(),
        ),
    };
    Node { value, pos }
}

/// Parse a YAML file into a node tree. Syntax errors, duplicate keys and budget
/// breaches (alias bombs, nesting deeper than `MAX_DEPTH`) come back as one diagnostic.
pub fn parse(file: &SourceFile) -> Result<Node, Diagnostic> {
    let blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    if lines(&file.text).all(blank) {
        let message = if file.text.trim().is_empty() {
            "file is empty"
        } else {
            "file has only comments"
        };
        return Err(Diagnostic::error(message)
            .at(Some(file_location(&file.name)))
            .help("copy one of the questionnaires in samples/ and adapt it"));
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_events: 400_000,
            max_total_scalar_bytes: MAX_FILE_BYTES * 4,
        },
    };
    match serde_saphyr::from_str_with_options::<Spanned<RawValue>>(&file.text, options) {
        Ok(raw) => Ok(to_node(raw)),
        Err(err) => Err(parse_error(file, &err)),
    }
}

fn parse_error(file: &SourceFile, err: &serde_saphyr::Error) -> Diagnostic {
    let plain = err.without_snippet().to_string();
    // serde-saphyr appends " at line L column C"; we show the location ourselves.
    let message = match plain.rfind(" at line ") {
        Some(i) => plain[..i].to_string(),
        None => plain,
    };
    let message = first_lowercase(message.trim());
    let location = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| file.location(l.line() as usize, l.column() as usize, 1))
        .or_else(|| Some(file_location(&file.name)));
    // serde-saphyr words some messages for Rust programmers; say them for authors.
    let (message, help) = if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        (
            format!("the key `{key}` appears twice in the same block"),
            Some("keep one of the two entries".to_string()),
        )
    } else if message.contains("budget") && message.contains("Depth") {
        (
            format!("the file is nested more than {MAX_DEPTH} levels deep"),
            Some(
                "a questionnaire needs a few levels at most: look for unbalanced `[` or `{` \
                 or indentation that keeps growing"
                    .to_string(),
            ),
        )
    } else if message.contains("budget") {
        // An alias bomb, or a file with more values than any real input has.
        (
            format!(
                "the file holds more than {MAX_NODES} values once its aliases (`*name`) \
                 are expanded"
            ),
            Some("write the values out instead of using anchors and aliases".to_string()),
        )
    } else if message == "expected string scalar" {
        // Keys are read as text: `? [a, b]` or `{x: 1}: y` cannot be one.
        (
            "a key must be plain text, not a list or a mapping".to_string(),
            Some("write `key: value`, with a word such as `title` as the key".to_string()),
        )
    } else if message.starts_with("multiple YAML documents") {
        (
            "the file holds more than one YAML document (a `---` line starts another)".to_string(),
            Some("keep one questionnaire per file: split the file at the `---` line".to_string()),
        )
    } else if let Some(c) = message
        .strip_prefix("unexpected character: `")
        .and_then(|rest| rest.chars().next())
        .filter(|c| c.is_control() || *c == '\\')
    {
        // serde-saphyr shows the character escaped (`\u{0}`): name it as U+0000.
        let code = message
            .split_once("\\u{")
            .and_then(|(_, rest)| rest.split_once('}'))
            .and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok())
            .unwrap_or(c as u32);
        (
            format!("the file contains the control character U+{code:04X}"),
            Some("remove it: a questionnaire is plain text".to_string()),
        )
    } else if message.contains("tab") {
        (message, Some("indent with spaces, not tabs".to_string()))
    } else {
        let help = "check this line and the one above it: an unclosed `[` or `{`, a missing space \
                    after `:`, or a value containing `: ` or starting with a special character \
                    (put such a value in quotes)";
        (message, Some(help.to_string()))
    };
    Diagnostic::error(format!("invalid YAML: {message}"))
        .at(location)
        .maybe_help(help)
}

fn first_lowercase(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
