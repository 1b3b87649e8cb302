//! Word-level differences between two texts, as a lawyer reads a redline: whole
//! words inserted or deleted, never halves of words, and a changed phrase shown
//! as one deletion followed by one insertion rather than alternating fragments.

use serde::Serialize;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// What happened to a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// On both sides.
    Same,
    /// Only in the new text.
    Inserted,
    /// Only in the old text.
    Deleted,
}

/// A piece of text and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    /// What happened.
    pub change: Change,
    /// The text.
    pub text: String,
}

/// The pieces that turn `old` into `new`: the `Same` and `Deleted` pieces spell
/// `old`, the `Same` and `Inserted` pieces spell `new`.
pub fn diff_words(old: &str, new: &str) -> Vec<Piece> {
    let a = tokens(old);
    let b = tokens(new);
    let mut pieces: Vec<Piece> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (change, text) = match op {
            DiffOp::Equal { old_index, len, .. } => {
                (Change::Same, a[old_index..old_index + len].concat())
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => (Change::Deleted, a[old_index..old_index + old_len].concat()),
            DiffOp::Insert {
                new_index, new_len, ..
            } => (Change::Inserted, b[new_index..new_index + new_len].concat()),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(
                    &mut pieces,
                    Change::Deleted,
                    a[old_index..old_index + old_len].concat(),
                );
                (Change::Inserted, b[new_index..new_index + new_len].concat())
            }
        };
        push(&mut pieces, change, text);
    }
    tidy(pieces)
}

/// Words (letters and digits, with inner apostrophes, hyphens and dots as in
/// `ISO/IEC`, `27001:2022` or `don't` kept whole), runs of spaces, and single
/// punctuation marks.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let kind = |c: char| {
        if c.is_alphanumeric() {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let k = kind(c);
        let mut j = i + 1;
        if k == 0 {
            // A word, and what joins it to the next letter or digit.
            while j < chars.len() {
                let c = chars[j].1;
                let joins = matches!(c, '\'' | '’' | '-' | '.' | ':' | '/')
                    && chars.get(j + 1).is_some_and(|(_, n)| n.is_alphanumeric());
                if c.is_alphanumeric() || joins {
                    j += 1;
                } else {
                    break;
                }
            }
        } else if k == 1 {
            while j < chars.len() && kind(chars[j].1) == 1 {
                j += 1;
            }
        }
        let end = chars.get(j).map_or(text.len(), |(e, _)| *e);
        out.push(&text[at..end]);
        i = j;
    }
    out
}

fn push(pieces: &mut Vec<Piece>, change: Change, text: String) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.change == change => last.text.push_str(&text),
        _ => pieces.push(Piece { change, text }),
    }
}

/// Make the changes readable: a space or a short word left alone between two
/// changes joins them, and every run of changes reads as one deletion then one
/// insertion.
fn tidy(pieces: Vec<Piece>) -> Vec<Piece> {
    let is_change = |p: Option<&Piece>| p.is_some_and(|p| p.change != Change::Same);
    let mut absorbed: Vec<Piece> = Vec::with_capacity(pieces.len());
    for (i, p) in pieces.iter().enumerate() {
        let small = p.text.trim().is_empty()
            || (p.text.trim().chars().count() <= 3 && !p.text.trim().contains(' '));
        if p.change == Change::Same
            && small
            && is_change(i.checked_sub(1).and_then(|j| pieces.get(j)))
            && is_change(pieces.get(i + 1))
        {
            absorbed.push(Piece {
                change: Change::Deleted,
                text: p.text.clone(),
            });
            absorbed.push(Piece {
                change: Change::Inserted,
                text: p.text.clone(),
            });
        } else {
            absorbed.push(p.clone());
        }
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut deleted = String::new();
    let mut inserted = String::new();
    let flush = |out: &mut Vec<Piece>, deleted: &mut String, inserted: &mut String| {
        push(out, Change::Deleted, std::mem::take(deleted));
        push(out, Change::Inserted, std::mem::take(inserted));
    };
    for p in absorbed {
        match p.change {
            Change::Deleted => deleted.push_str(&p.text),
            Change::Inserted => inserted.push_str(&p.text),
            Change::Same => {
                flush(&mut out, &mut deleted, &mut inserted);
                push(&mut out, Change::Same, p.text);
            }
        }
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p.change {
                Change::Same => p.text.clone(),
                Change::Deleted => format!("[-{}-]", p.text),
                Change::Inserted => format!("{{+{}+}}", p.text),
            })
            .collect()
    }

    fn spell(pieces: &[Piece], keep: Change) -> String {
        pieces
            .iter()
            .filter(|p| p.change == Change::Same || p.change == keep)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn changes_whole_words() {
        let d = diff_words("within 60 days of notice", "within 30 days of notice");
        assert_eq!(show(&d), "within [-60-]{+30+} days of notice");
    }

    #[test]
    fn a_changed_phrase_reads_as_one_deletion_and_one_insertion() {
        let d = diff_words(
            "The Supplier shall notify the Contracting Authority promptly.",
            "The Supplier must inform the Authority in writing promptly.",
        );
        assert_eq!(
            show(&d),
            "The Supplier [-shall notify the Contracting Authority-]{+must inform the Authority in writing+} promptly."
        );
    }

    #[test]
    fn identifiers_and_versions_stay_whole() {
        assert_eq!(
            tokens("ISO/IEC 27001:2022, don't"),
            vec!["ISO/IEC", " ", "27001:2022", ",", " ", "don't"]
        );
        let d = diff_words("IEC 62443-4-1 applies", "IEC 62443-4-2 applies");
        assert_eq!(show(&d), "IEC [-62443-4-1-]{+62443-4-2+} applies");
    }

    #[test]
    fn both_texts_can_be_read_back() {
        for (a, b) in [
            ("", "new text"),
            ("old text", ""),
            ("a b c d e", "e d c b a"),
            (
                "Überprüfung der Daten, 10 Tage.",
                "Prüfung der Daten; 14 Tage!",
            ),
            ("same", "same"),
        ] {
            let d = diff_words(a, b);
            assert_eq!(spell(&d, Change::Deleted), a, "{a:?} -> {b:?}");
            assert_eq!(spell(&d, Change::Inserted), b, "{a:?} -> {b:?}");
        }
        assert!(
            diff_words("same", "same")
                .iter()
                .all(|p| p.change == Change::Same)
        );
    }
}
