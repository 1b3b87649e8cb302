//! Built-in catalogue, templates and fonts, compiled into the binary so that
//! `secannex` works from any directory.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Noto Sans faces (SIL Open Font License 1.1; see assets/fonts/OFL.txt).
pub static FONTS: [&[u8]; 4] = [
    include_bytes!("../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../assets/fonts/NotoSans-Italic.ttf"),
    include_bytes!("../assets/fonts/NotoSans-BoldItalic.ttf"),
];
