//! The client side of the human report: who connects and who does not, grouped so that it stays
//! short; and `tlsdoctor clients`, the profiles with their facts and sources.

use super::human::{paint, wrap};
use crate::clients::Profile;
use crate::clients::judge::{ClientReport, Outcome};
use owo_colors::Style;
use serde::Serialize;
use std::io::{self, Write};

/// The Clients section of one target: clients that connect on one line, the others grouped by
/// what stops them, each group with its first reason.
pub fn write_section(clients: &[ClientReport], out: &mut dyn Write) -> io::Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", paint("Clients", Style::new().bold()))?;
    let note = "judged from the certificates and the one handshake captured; the verdict below \
                does not follow these outcomes yet";
    writeln!(out, "  {}", paint(note, Style::new().dimmed()))?;
    for outcome in [
        Outcome::Ok,
        Outcome::Warning,
        Outcome::Fail,
        Outcome::Unknown,
    ] {
        let mut groups: Vec<(Vec<&'static str>, Vec<&ClientReport>)> = Vec::new();
        for c in clients.iter().filter(|c| c.outcome == outcome) {
            match groups.iter_mut().find(|(causes, _)| *causes == c.causes) {
                Some((_, members)) => members.push(c),
                None => groups.push((c.causes.clone(), vec![c])),
            }
        }
        for (causes, members) in groups {
            let ids: Vec<&str> = members.iter().map(|c| c.id.as_str()).collect();
            let (mark, style) = match outcome {
                Outcome::Ok => ("✓", Style::new().green()),
                Outcome::Warning => ("!", Style::new().yellow()),
                Outcome::Fail => ("✗", Style::new().red()),
                Outcome::Unknown => ("?", Style::new().dimmed()),
            };
            let head = format!("{mark} {}", ids.join(", "));
            writeln!(out, "  {}", paint(&head, style))?;
            let first = members[0];
            let why = match (causes.is_empty(), first.reasons.first()) {
                (true, None) => continue,
                (true, Some(reason)) => reason.clone(),
                (false, reason) => format!(
                    "{}: {}",
                    causes.join(", "),
                    reason.map_or("", String::as_str)
                ),
            };
            wrap(out, "      ", "", &why)?;
        }
    }
    Ok(())
}

/// `tlsdoctor clients`: one line a profile.
pub fn write_table(profiles: &[&Profile], out: &mut dyn Write) -> io::Result<()> {
    let width = profiles.iter().map(|p| p.id.len()).max().unwrap_or(0);
    for p in profiles {
        let store = p.store.value.as_str();
        let checked = p
            .runs_here
            .as_deref()
            .map(|client| format!("  (checked against {client})"))
            .unwrap_or_default();
        writeln!(out, "{:width$}  {:9}  {}{checked}", p.id, store, p.name)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Every fact with its source: tlsdoctor clients ID --format json (data/clients.toml). \
         Profiles checked against a real client agree with its recorded outcomes \
         (tests/data/clients); the others rest on the sources they cite."
    )
}

/// `tlsdoctor clients --format json`: every profile with every fact and its source.
pub fn write_json(profiles: &[&Profile], out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Listing<'a> {
        profiles: &'a [&'a Profile],
    }
    serde_json::to_writer_pretty(&mut *out, &Listing { profiles })?;
    writeln!(out)
}
