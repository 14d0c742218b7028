//! `--format json`: the report model, serialised. The schema is docs/json-schema.md.

use super::Report;
use std::io::{self, Write};

/// Writes the report as one pretty-printed JSON document followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
