//! Rendering `tlsdoctor explain` and the cause catalog (`tlsdoctor causes`, docs/causes.md).

use crate::causes::{Cause, CauseEntry};
use crate::explain::Explanation;
use owo_colors::{OwoColorize, Stream, Style};
use serde::Serialize;
use std::io::{self, Write};

fn paint(text: &str, style: Style) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.style(style))
        .to_string()
}

/// The human answer to `tlsdoctor explain MESSAGE`.
pub fn write_explanation(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    let bold = Style::new().bold();
    if !e.recognised {
        writeln!(
            out,
            "{}",
            paint(
                "Not recognised: this message names no TLS problem tlsdoctor knows.",
                bold
            )
        )?;
        writeln!(
            out,
            "If it came from a TLS connection, check the server directly: {}",
            e.next
        )?;
        return Ok(());
    }
    writeln!(out, "{} {}", paint("From:", bold), e.producers.join(", "))?;
    if let Some(meaning) = e.meaning {
        writeln!(out, "{} {meaning}", paint("Means:", bold))?;
    }
    for note in &e.notes {
        writeln!(out, "{} {note}", paint("Note:", bold))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", paint("Likely causes, most likely first", bold))?;
    for (rank, c) in e.candidates.iter().enumerate() {
        writeln!(
            out,
            "  {}. {}  {}",
            rank + 1,
            paint(c.cause.id(), Style::new().bold()),
            c.title
        )?;
        writeln!(
            out,
            "     {}",
            paint(&format!("tell it by: {}", c.tell), Style::new().dimmed())
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{} {}", paint("Next:", bold), e.next)?;
    let how = if e.next.starts_with("tlsdoctor trust") {
        "it reads this machine's trust stores and names which of these it is"
    } else if e.next.contains(" --file ") {
        "it reads the files and names which of these it is"
    } else {
        "it connects, captures the chain and names which of these it is"
    };
    writeln!(out, "  ({how})")
}

/// The human form of one catalog entry (`tlsdoctor explain CAUSE-ID`).
pub fn write_entry(cause: Cause, out: &mut dyn Write) -> io::Result<()> {
    let e = cause.entry();
    writeln!(out, "{}  {}", paint(e.id, Style::new().bold()), e.title)?;
    writeln!(
        out,
        "severity {} · who acts: {}",
        e.severity.as_str(),
        e.side.as_str()
    )?;
    writeln!(out)?;
    writeln!(out, "{}", e.explanation)?;
    writeln!(out)?;
    writeln!(out, "{} {}", paint("Fix:", Style::new().bold()), e.fix)?;
    for (platform, step) in e.platforms {
        writeln!(out, "  {platform}: {step}")?;
    }
    if !e.avoid.is_empty() {
        writeln!(out, "{} {}", paint("Avoid:", Style::new().bold()), e.avoid)?;
    }
    Ok(())
}

/// `tlsdoctor causes`: one line per cause.
pub fn write_catalog(out: &mut dyn Write) -> io::Result<()> {
    for cause in Cause::ALL {
        let e = cause.entry();
        writeln!(
            out,
            "{:<28} {:<8} {:<12} {}",
            e.id,
            e.severity.as_str(),
            e.side.as_str(),
            e.title
        )?;
    }
    Ok(())
}

/// A catalog entry as JSON.
#[derive(Serialize)]
struct EntryJson {
    id: &'static str,
    severity: &'static str,
    side: &'static str,
    title: &'static str,
    explanation: &'static str,
    fix: &'static str,
    fix_steps: Vec<crate::report::FixStep>,
    avoid: Option<&'static str>,
}

impl From<&CauseEntry> for EntryJson {
    fn from(e: &CauseEntry) -> EntryJson {
        EntryJson {
            id: e.id,
            severity: e.severity.as_str(),
            side: e.side.as_str(),
            title: e.title,
            explanation: e.explanation,
            fix: e.fix,
            fix_steps: crate::report::FixStep::of(e),
            avoid: (!e.avoid.is_empty()).then_some(e.avoid),
        }
    }
}

/// `tlsdoctor causes --format json`: every entry.
pub fn write_catalog_json(out: &mut dyn Write) -> io::Result<()> {
    let causes: Vec<EntryJson> = Cause::ALL
        .iter()
        .map(|c| EntryJson::from(c.entry()))
        .collect();
    let doc =
        serde_json::json!({ "schema_version": crate::report::SCHEMA_VERSION, "causes": causes });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// `tlsdoctor explain CAUSE-ID --format json`: that one entry.
pub fn write_entry_json(cause: Cause, out: &mut dyn Write) -> io::Result<()> {
    let doc = serde_json::json!({
        "schema_version": crate::report::SCHEMA_VERSION,
        "cause": EntryJson::from(cause.entry()),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// docs/causes.md, generated: `tlsdoctor causes --format markdown > docs/causes.md`.
pub fn write_catalog_markdown(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# Causes")?;
    writeln!(out)?;
    writeln!(
        out,
        "Every cause tlsdoctor names, from its catalog (`src/causes/catalog.rs`). This file is \
         generated by `tlsdoctor causes --format markdown`; a test fails when it is stale."
    )?;
    writeln!(out)?;
    writeln!(out, "| cause | severity | who acts | title |")?;
    writeln!(out, "|---|---|---|---|")?;
    for cause in Cause::ALL {
        let e = cause.entry();
        writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} |",
            e.id,
            e.id,
            e.severity.as_str(),
            e.side.as_str(),
            e.title
        )?;
    }
    for cause in Cause::ALL {
        let e = cause.entry();
        writeln!(out)?;
        writeln!(out, "## {}", e.id)?;
        writeln!(out)?;
        writeln!(
            out,
            "**{}** ({}; who acts: {})",
            e.title,
            e.severity.as_str(),
            e.side.as_str()
        )?;
        writeln!(out)?;
        writeln!(out, "{}", e.explanation)?;
        writeln!(out)?;
        writeln!(out, "**Fix.** {}", e.fix)?;
        if !e.platforms.is_empty() {
            writeln!(out)?;
            for (platform, step) in e.platforms {
                writeln!(out, "- {platform}: {step}")?;
            }
        }
        if !e.avoid.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Avoid.** {}", e.avoid)?;
        }
    }
    Ok(())
}
