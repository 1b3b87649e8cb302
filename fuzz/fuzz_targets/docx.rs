//! Fuzz target `docx`: see fuzz/README.md and `secannex_fuzz::docx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = secannex_fuzz::docx(data);
});
