//! `--format json` and `jsonl`: the report model, serialised. The schema is docs/json-schema.md.

use super::{Report, SCHEMA_VERSION, TargetReport};
use serde::Serialize;
use std::io::{self, Write};

/// Writes the report as one pretty-printed JSON document followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// One `--format jsonl` line: a target object with the schema version beside its fields.
#[derive(Serialize)]
struct Line<'a> {
    schema_version: u32,
    #[serde(flatten)]
    target: &'a TargetReport,
}

/// Writes one target as a single line of JSON, for streaming.
pub fn write_line(target: &TargetReport, out: &mut dyn Write) -> io::Result<()> {
    let line = Line {
        schema_version: SCHEMA_VERSION,
        target,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
