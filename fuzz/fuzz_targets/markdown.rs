//! Fuzz target `markdown`: see fuzz/README.md and `secannex_fuzz::markdown`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = secannex_fuzz::markdown(data);
});
