//! Fuzz target `catalogue`: see fuzz/README.md and `secannex_fuzz::catalogue`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = secannex_fuzz::catalogue(data);
});
