//! The JSON Schemas of the JSON outputs, shipped in `schema/` and printed by `tlsdoctor schema`.
//!
//! They are the machine-readable half of docs/json-schema.md: a script can validate what it
//! reads, and the project's tests validate every JSON output against them, so the two cannot
//! drift apart.

/// The schema (draft 2020-12) of `check --format json` and of each `--format jsonl` line.
pub const CHECK: &str = include_str!("../../schema/check.schema.json");

/// The schema (draft 2020-12) of `explain --format json` and `causes --format json`.
pub const EXPLAIN: &str = include_str!("../../schema/explain.schema.json");

/// The schema (draft 2020-12) of `trust --format json`.
pub const TRUST: &str = include_str!("../../schema/trust.schema.json");
