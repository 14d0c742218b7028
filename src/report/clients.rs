//! The client side of the human report: who connects and who does not, grouped so that it stays
//! short; and `tlsdoctor clients`, the profiles with their facts and sources.

use super::FindingReport;
use super::human::{Detail, paint, wrap};
use crate::clients::Profile;
use crate::clients::judge::{ClientReport, Outcome};
use owo_colors::Style;
use serde::Serialize;
use std::io::{self, Write};

/// The Clients section of one target: a cause every judged client shares is said once; then
/// the clients grouped by outcome and by the causes that are theirs alone, each cause with the
/// first client's line for it. The compact view leaves out the note on how clients are judged
/// and a client's line that only repeats a finding's detail, printed above.
pub fn write_section(
    clients: &[ClientReport],
    findings: &[FindingReport],
    detail: Detail,
    out: &mut dyn Write,
) -> io::Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", paint("Clients", Style::new().bold()))?;
    let said: Vec<&str> = match detail {
        Detail::Compact => findings.iter().map(|f| f.detail.as_str()).collect(),
        Detail::Full => {
            let note = "each client's own ClientHello sent to the server, its store and policy \
                        applied to the chain; the verdict is theirs (--clients LIST chooses others)";
            wrap(out, "  ", "", &paint(note, Style::new().dimmed()))?;
            Vec::new()
        }
    };
    let shared: Vec<&'static str> = match clients {
        [first, _, ..] => first
            .causes
            .iter()
            .copied()
            .filter(|cause| clients.iter().all(|c| c.causes.contains(cause)))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(first) = clients.first() {
        // One group only: the shared causes are the whole story, said once with every name.
        if !shared.is_empty()
            && first.outcome != Outcome::Unknown
            && clients
                .iter()
                .all(|c| c.outcome == first.outcome && c.causes.len() == shared.len())
        {
            let ids: Vec<&str> = clients.iter().map(|c| c.id.as_str()).collect();
            let text = format!(
                "every client judged ({}): {}",
                ids.join(", "),
                shared.join(", ")
            );
            let (mark, style) = mark(first.outcome);
            head_line(out, mark, &text, style)?;
            return reasons(first, &shared, &said, out);
        }
        for cause in &shared {
            let (mark, style) = mark(first.outcome);
            head_line(out, mark, &format!("every client judged: {cause}"), style)?;
            reasons(first, &[cause], &said, out)?;
        }
    }
    for outcome in [
        Outcome::Ok,
        Outcome::Warning,
        Outcome::Fail,
        Outcome::Unknown,
    ] {
        let own = |c: &ClientReport| -> Vec<&'static str> {
            c.causes
                .iter()
                .copied()
                .filter(|cause| !shared.contains(cause))
                .collect()
        };
        let mut groups: Vec<(Vec<&'static str>, Vec<&ClientReport>)> = Vec::new();
        for c in clients.iter().filter(|c| c.outcome == outcome) {
            let causes = own(c);
            match groups.iter_mut().find(|(group, _)| *group == causes) {
                Some((_, members)) => members.push(c),
                None => groups.push((causes, vec![c])),
            }
        }
        for (causes, members) in groups {
            let ids: Vec<&str> = members.iter().map(|c| c.id.as_str()).collect();
            let (mark, style) = mark(outcome);
            let also = match (causes.is_empty(), shared.is_empty()) {
                (true, false) if outcome == Outcome::Fail => ": that alone".to_string(),
                (true, _) => String::new(),
                (false, true) => format!(": {}", causes.join(", ")),
                (false, false) => format!(", also: {}", causes.join(", ")),
            };
            head_line(out, mark, &format!("{}{also}", ids.join(", ")), style)?;
            let first = members[0];
            if outcome == Outcome::Unknown {
                for reason in first
                    .reasons
                    .iter()
                    .filter(|r| !first.why.iter().any(|(_, w)| w == *r))
                {
                    wrap(out, "      ", "", reason)?;
                }
            }
            reasons(first, &causes, &said, out)?;
        }
    }
    Ok(())
}

/// A group's head, wrapped to the report's width, every line painted.
fn head_line(out: &mut dyn Write, mark: &str, text: &str, style: Style) -> io::Result<()> {
    let mut plain = Vec::new();
    wrap(&mut plain, "  ", &format!("{mark} "), text)?;
    for line in String::from_utf8_lossy(&plain).lines() {
        writeln!(out, "{}", paint(line, style))?;
    }
    Ok(())
}

fn mark(outcome: Outcome) -> (&'static str, Style) {
    match outcome {
        Outcome::Ok => ("✓", Style::new().green()),
        Outcome::Warning => ("!", Style::new().yellow()),
        Outcome::Fail => ("✗", Style::new().red()),
        Outcome::Unknown => ("?", Style::new().dimmed()),
    }
}

/// The client's first line for each of `causes`, unless it is one of the lines `said` already.
fn reasons(
    client: &ClientReport,
    causes: &[&'static str],
    said: &[&str],
    out: &mut dyn Write,
) -> io::Result<()> {
    for cause in causes {
        let why = client.why.iter().find(|(c, _)| c.id() == *cause);
        if let Some((_, why)) = why.filter(|(_, why)| !said.contains(&why.as_str())) {
            let line = if causes.len() > 1 {
                format!("{cause}: {why}")
            } else {
                why.clone()
            };
            wrap(out, "      ", "", &line)?;
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
    writeln!(out, "{}", paint("Root programs", Style::new().bold()))?;
    let programs = program_listing();
    let width = programs
        .bundled
        .iter()
        .map(|p| p.id.len())
        .chain(programs.not_bundled.iter().map(|p| p.id.len()))
        .max()
        .unwrap_or(0);
    for p in &programs.bundled {
        writeln!(
            out,
            "{:width$}  {}, {} roots ({} constrained), data of {}",
            p.id, p.name, p.roots, p.constrained, p.snapshot
        )?;
        wrap(
            out,
            &" ".repeat(width + 2),
            "",
            &format!(
                "from {} {}: {}",
                p.package,
                p.package_version,
                p.paths.join(", ")
            ),
        )?;
    }
    for p in &programs.not_bundled {
        writeln!(out, "{:width$}  {}: not bundled", p.id, p.name)?;
        wrap(out, &" ".repeat(width + 2), "", &p.reason)?;
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
        root_programs: ProgramListing,
    }
    let listing = Listing {
        profiles,
        root_programs: program_listing(),
    };
    serde_json::to_writer_pretty(&mut *out, &listing)?;
    writeln!(out)
}

/// The root programs: the bundled ones with where their data came from, and the others.
#[derive(Serialize)]
struct ProgramListing {
    bundled: Vec<ProgramSummary>,
    not_bundled: Vec<crate::trust::programs::NotBundled>,
}

#[derive(Serialize)]
struct ProgramSummary {
    id: String,
    name: String,
    version: String,
    snapshot: String,
    snapshot_basis: String,
    package: String,
    package_version: String,
    paths: Vec<String>,
    generated: String,
    /// Where the roots come from when the data adds only constraints (`webpki-roots`).
    anchors: Option<String>,
    roots: usize,
    constrained: usize,
}

fn program_listing() -> ProgramListing {
    use crate::trust::programs;
    let bundled = programs::ids()
        .filter_map(|id| programs::get(id)?.ok())
        .map(|p| ProgramSummary {
            id: p.id.clone(),
            name: p.name.clone(),
            version: p.version.clone(),
            snapshot: p.snapshot.clone(),
            snapshot_basis: p.snapshot_basis.clone(),
            package: p.package.clone(),
            package_version: p.package_version.clone(),
            paths: p.paths.clone(),
            generated: p.generated.clone(),
            anchors: p.anchors.clone(),
            roots: p.roots.len(),
            constrained: p.roots.iter().filter(|r| !r.constraints.is_empty()).count(),
        })
        .collect();
    ProgramListing {
        bundled,
        not_bundled: programs::not_bundled(),
    }
}
