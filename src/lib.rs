//! secannex writes the cybersecurity annex of a hospital's call for tenders.
//!
//! The pipeline, one module per stage, each with one entry function:
//!
//! ```text
//! questionnaire.yaml ─ questionnaire::load ─> Questionnaire ─┐
//! catalogue/*.yaml ─── catalogue::load ─────> Catalogue ─────┼─ select::select ─> Selection
//!                                                            │
//! render::render (tera) ─> Markdown ─ document::parse ─> Document ─ write::{docx,pdf} ─> bytes
//! ```
//!
//! `generate` strings the stages together for one questionnaire and returns the
//! output files as bytes. The library never prints, never reads the clock or the
//! environment and never writes files: the CLI (`src/cli`) does.

pub mod catalogue;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod document;
pub mod embedded;
pub mod facts;
pub mod generate;
pub mod init;
pub mod questionnaire;
pub mod render;
pub mod responses;
pub mod schema;
pub mod select;
pub mod write;
pub mod yaml;

/// Tool name and version, as written in manifests.
pub const TOOL: &str = concat!("secannex ", env!("CARGO_PKG_VERSION"));
