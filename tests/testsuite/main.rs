//! The integration test suite: one binary (see tests/README.md).

mod cli;
mod errors;
mod golden;
mod hostile;
mod support;
