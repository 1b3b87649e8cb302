//! Fuzz target `questionnaire`: see fuzz/README.md and `secannex_fuzz::questionnaire`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = secannex_fuzz::questionnaire(data);
});
