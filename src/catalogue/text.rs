//! Clause text with `{{ name }}` parameter placeholders.
//!
//! Clause text is trusted catalogue content, but it is plain text: parameters are the
//! only thing substituted, so a small scanner is enough and keeps tera out of
//! legal wording.

/// A piece of clause text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Literal(&'a str),
    /// A parameter placeholder, by name.
    Param(&'a str),
}

/// Split text into literal pieces and placeholders. The error says what is wrong.
pub fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Literal(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("`{{` without a closing `}}`".to_string());
        };
        let name = after[..end].trim();
        if name.is_empty() || !is_name(name) {
            return Err(format!(
                "`{{{{ {name} }}}}` is not a parameter placeholder: write `{{{{ name }}}}` with a lower-case name"
            ));
        }
        out.push(Piece::Param(name));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err("`}}` without an opening `{{`".to_string());
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    Ok(out)
}

/// True for lower-case snake_case names.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The parameter names a text uses, in order of first use.
pub fn param_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for p in pieces(text).unwrap_or_default() {
        if let Piece::Param(n) = p
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    names
}

/// Substitute placeholders with values from `lookup` (placeholders it does not know
/// are left as they are; lint makes sure that cannot happen for catalogue text).
/// A value of 1 takes the singular of the unit written after it in the text, so
/// that a buyer's `1` reads "1 hour of data", not "1 hours of data".
pub fn fill(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let Ok(pieces) = pieces(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut after_one = false;
    for p in pieces {
        match p {
            Piece::Literal(s) => {
                out.push_str(&if after_one {
                    singular_unit(s)
                } else {
                    s.to_string()
                });
                after_one = false;
            }
            Piece::Param(n) => match lookup(n) {
                Some(v) => {
                    after_one = v == "1";
                    out.push_str(&v);
                }
                None => {
                    out.push_str("{{ ");
                    out.push_str(n);
                    out.push_str(" }}");
                }
            },
        }
    }
    out
}

/// Units that catalogue texts write after a number, plural and singular; longer
/// phrases first, so that "Business Days" is not read as "Business".
const UNITS: [(&str, &str); 12] = [
    ("Business Days", "Business Day"),
    ("calendar days", "calendar day"),
    ("days", "day"),
    ("hours", "hour"),
    ("weeks", "week"),
    ("months", "month"),
    ("years", "year"),
    ("minutes", "minute"),
    ("seconds", "second"),
    ("points", "point"),
    ("bits", "bit"),
    ("times", "time"),
];

/// `text` (what follows a value of 1) with its leading unit in the singular.
fn singular_unit(text: &str) -> String {
    if let Some(rest) = text.strip_prefix(' ') {
        for (plural, singular) in UNITS {
            if let Some(tail) = rest.strip_prefix(plural)
                && !tail.starts_with(|c: char| c.is_alphanumeric())
            {
                return format!(" {singular}{tail}");
            }
        }
    }
    text.to_string()
}

/// Paragraphs of a text: separated by blank lines, inner line breaks folded to spaces.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// Clause ids a text mentions (`MAN-CLOUD-02`), given the id prefixes in use, in
/// order of first mention.
pub fn clause_refs<'t>(text: &'t str, prefixes: &[&str]) -> Vec<&'t str> {
    // Tokens are runs of ASCII capitals, digits and hyphens: scanning bytes finds
    // them without visiting the empty pieces between lowercase letters (this runs
    // over every clause text at every start).
    let is_token = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-';
    let bytes = text.as_bytes();
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_token(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_token(bytes[i]) {
            i += 1;
        }
        // Both ends are ASCII, so this slice is on character boundaries.
        let token = text[start..i].trim_matches('-');
        let prefix = token.split('-').next().unwrap_or("");
        if prefixes.contains(&prefix) && super::is_clause_id(token) && !out.contains(&token) {
            out.push(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_fills() {
        let t = "within {{ days }} days, {{days}} again";
        assert_eq!(param_names(t), vec!["days"]);
        let filled = fill(t, |n| (n == "days").then(|| "14".to_string()));
        assert_eq!(filled, "within 14 days, 14 again");
    }

    #[test]
    fn a_value_of_one_takes_a_singular_unit() {
        let t = "within {{ n }} hours of data, {{ n }} Business Days later, {{ n }} daysx, \
                 {{ n }} % and {{ n }}";
        let one = fill(t, |_| Some("1".to_string()));
        assert_eq!(
            one,
            "within 1 hour of data, 1 Business Day later, 1 daysx, 1 % and 1"
        );
        let two = fill(t, |_| Some("2".to_string()));
        assert_eq!(
            two,
            "within 2 hours of data, 2 Business Days later, 2 daysx, 2 % and 2"
        );
        assert_eq!(fill("{{ n }} days", |_| Some("11".into())), "11 days");
    }

    #[test]
    fn rejects_broken_placeholders() {
        assert!(pieces("a {{ days").is_err());
        assert!(pieces("a {{ Days }}").is_err());
        assert!(pieces("a }} b").is_err());
        assert!(pieces("a {{ }} b").is_err());
    }

    #[test]
    fn finds_clause_references() {
        let t = "as in MAN-CLOUD-02 (see also GEN-UPD-01, NIST SP-800-88 and CVE-2024-1234).";
        assert_eq!(
            clause_refs(t, &["MAN", "GEN"]),
            vec!["MAN-CLOUD-02", "GEN-UPD-01"]
        );
        // Non-ASCII neighbours, hyphens around an id, repeats, and ids cut short.
        let t = "§GEN-UPD-01—then -MAN-CLOUD-02- and GEN-UPD-01 again; MAN-CLOUD, MAN-";
        assert_eq!(
            clause_refs(t, &["MAN", "GEN"]),
            vec!["GEN-UPD-01", "MAN-CLOUD-02"]
        );
    }

    #[test]
    fn paragraphs_fold_lines() {
        let t = "one\ntwo\n\n\nthree\n";
        assert_eq!(paragraphs(t), vec!["one two", "three"]);
    }
}
