//! Defined terms used consistently: a lawyer reads "the Supplier" as the defined
//! party and "the supplier" as anybody. The lint warns where the operative text of a
//! supplier clause (its text and evidence requests; not titles, which are sentence
//! case, nor buyer actions, which bidders never see) writes a defined term in lower
//! case, or names a party with an undefined word ("the Vendor", "the Hospital").

use super::model::{Clause, Definition};
use crate::diag::Diagnostic;
use crate::yaml::SourceFile;

/// Party names that are not defined terms, with the defined term to use instead.
const UNDEFINED_PARTIES: [(&str, &str); 9] = [
    ("Vendor", "Supplier"),
    ("Contractor", "Supplier"),
    ("Provider", "Supplier"),
    ("Tenderer", "Bidder"),
    ("Customer", "Contracting Authority"),
    ("Buyer", "Contracting Authority"),
    ("Purchaser", "Contracting Authority"),
    ("Client", "Contracting Authority"),
    ("Hospital", "Contracting Authority"),
];

/// Single-word terms checked only after "the": alone, "supplier" or "contract" are
/// often meant generally ("a supplier of components").
const PARTY_WORDS: [&str; 3] = ["Supplier", "Bidder", "Deliverables"];

/// Check every clause; `files` are the clause files, to locate the words.
pub fn check(
    clauses: &[Clause],
    definitions: &[Definition],
    files: &[&SourceFile],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut phrases: Vec<(String, String)> = Vec::new(); // (lower-case phrase, defined form)
    for d in definitions {
        let long = d.term.split(" (").next().unwrap_or(&d.term);
        if long.contains(' ') {
            phrases.push((long.to_lowercase(), long.to_string()));
        }
    }
    for w in PARTY_WORDS {
        if definitions.iter().any(|d| d.term == w) {
            phrases.push((format!("the {}", w.to_lowercase()), format!("the {w}")));
        }
    }
    for c in clauses.iter().filter(|c| c.role.is_supplier()) {
        let mut texts: Vec<&str> = vec![&c.text];
        texts.extend(c.evidence.iter().map(|e| e.what.as_str()));
        for t in texts {
            for (lower, defined) in &phrases {
                for at in find_word(t, lower) {
                    let found = &t[at..at + lower.len()];
                    // Exactly as defined, or capitalised at a sentence start: fine.
                    if found == defined || capitalised_variant(found, defined) {
                        continue;
                    }
                    diags.push(
                        Diagnostic::warning(format!(
                            "clause `{}` writes \"{found}\" for the defined term \"{defined}\"",
                            c.id
                        ))
                        .at(locate(files, c, found))
                        .help(format!(
                            "write \"{defined}\" for the defined meaning, or rephrase"
                        )),
                    );
                }
            }
            for (word, instead) in UNDEFINED_PARTIES {
                for at in find_word(t, word) {
                    if !mid_sentence(t, at) || !t[at..].starts_with(word) {
                        continue;
                    }
                    diags.push(
                        Diagnostic::warning(format!(
                            "clause `{}` names a party \"{word}\", which is not a defined term",
                            c.id
                        ))
                        .at(locate(files, c, word))
                        .help(format!("the defined term is \"{instead}\"")),
                    );
                }
            }
        }
    }
    diags
}

/// "The Supplier" at a sentence start is the defined term too.
fn capitalised_variant(found: &str, defined: &str) -> bool {
    let mut f = found.chars();
    let mut d = defined.chars();
    match (f.next(), d.next()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b) && f.as_str() == d.as_str(),
        _ => false,
    }
}

/// Byte offsets where `needle` occurs in `text` as whole words (case-insensitive
/// for ASCII), plural `s` allowed.
fn find_word(text: &str, needle: &str) -> Vec<usize> {
    let hay = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let at = from + i;
        let end = at + needle.len();
        let before = hay[..at].chars().next_back();
        let after = hay[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before)
            && (boundary(after) || (after == Some('s') && boundary(hay[end + 1..].chars().next())))
        {
            out.push(at);
        }
        from = end;
    }
    out
}

/// True unless the word starts the text or a sentence.
fn mid_sentence(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    !(before.is_empty() || before.ends_with(['.', ':', ';', '?', '!', '(']))
}

/// The line and column of `word` in the clause's file, searching from its id line.
fn locate(files: &[&SourceFile], c: &Clause, word: &str) -> Option<crate::diag::Location> {
    let file = files.iter().find(|f| f.name == c.origin.file)?;
    for (i, line) in file
        .text
        .lines()
        .enumerate()
        .skip(c.origin.line.saturating_sub(1))
    {
        if let Some(col) = line.find(word) {
            let column = line[..col].chars().count() + 1;
            return Some(file.location(i + 1, column, word.chars().count()));
        }
    }
    Some(file.location(c.origin.line, 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_and_plurals() {
        assert_eq!(
            find_word("install security updates now", "security update"),
            vec![8]
        );
        assert!(find_word("securityupdate", "security update").is_empty());
        assert_eq!(
            find_word("The supplier and the Supplier", "the supplier").len(),
            2
        );
    }

    #[test]
    fn sentence_starts() {
        assert!(capitalised_variant("The Supplier", "the Supplier"));
        assert!(!capitalised_variant("the supplier", "the Supplier"));
        assert!(!mid_sentence("Hospital staff", 0));
        assert!(mid_sentence("the Hospital", 4));
    }
}
