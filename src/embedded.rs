//! Built-in catalogue, templates and fonts, compiled into the binary so that
//! `secannex` works from any directory.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Noto Sans faces, and the Hebrew and Arabic faces that typst falls back to for
/// right-to-left text (SIL Open Font License 1.1; see assets/fonts/OFL.txt).
pub static FONTS: [&[u8]; 8] = [
    include_bytes!("../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Italic.ttf"),
    include_bytes!("../assets/fonts/NotoSans-BoldItalic.ttf"),
    include_bytes!("../assets/fonts/NotoSansHebrew-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSansHebrew-Bold.ttf"),
    include_bytes!("../assets/fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSansArabic-Bold.ttf"),
];

/// True if the built-in fonts can print `c`: the PDF is PDF/A, which forbids
/// missing glyphs, so text with a character no font has (an emoji, a script
/// other than Latin, Greek, Cyrillic, Hebrew and Arabic) is refused at input,
/// where it can be pointed at, rather than failing the PDF. Whitespace and
/// invisible formatting characters (bidi marks, joiners, soft hyphen) need no glyph.
pub fn printable(c: char) -> bool {
    static COVERAGE: std::sync::OnceLock<Vec<typst::text::FontInfo>> = std::sync::OnceLock::new();
    // Noto Sans covers printable ASCII: most text never reaches the font tables.
    if matches!(c, ' '..='~') {
        return true;
    }
    let invisible = c.is_whitespace()
        || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
    invisible
        || COVERAGE
            .get_or_init(|| {
                FONTS
                    .iter()
                    .flat_map(|bytes| {
                        typst::text::Font::iter(typst::foundations::Bytes::new(*bytes))
                    })
                    .map(|font| font.info().clone())
                    .collect()
            })
            .iter()
            .any(|info| info.coverage.contains(c as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, SourceFile};

    /// The build script stores each catalogue file's tree; start-up decodes it
    /// instead of parsing. Both must give the same nodes, positions included.
    #[test]
    fn stored_trees_are_what_parsing_gives() {
        let mut checked = 0;
        for (path, text, tree) in CATALOGUE {
            if !path.ends_with(".yaml") {
                continue;
            }
            assert!(!tree.is_empty(), "{path}: the build script stored no tree");
            let source = SourceFile::new(format!("built-in:catalogue/{path}"), *text);
            let parsed = yaml::parse(&source).unwrap_or_else(|d| panic!("{path}: {d:?}"));
            assert!(
                yaml::decode(tree) == Some(parsed),
                "{path}: stored tree differs"
            );
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} catalogue files");
    }
}
