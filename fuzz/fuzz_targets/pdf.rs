//! Fuzz target `pdf`: see fuzz/README.md and `secannex_fuzz::pdf`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = secannex_fuzz::pdf(data);
});
