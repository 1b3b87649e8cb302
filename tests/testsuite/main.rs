//! The integration test suite: one binary (see tests/README.md).

mod cli;
mod diff;
mod errors;
mod faults;
mod fuzz_regressions;
mod golden;
mod hostile;
mod init;
mod properties;
mod responses;
mod schema;
mod support;
