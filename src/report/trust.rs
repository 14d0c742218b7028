//! `tlsdoctor trust` as text: the machine's stores, then the root client by client, then the
//! findings as a checklist of fixes.

use super::human::{Detail, paint, verdict_of, wrap, write_finding};
use crate::machine::Picture;
use crate::machine::layout::Family;
use owo_colors::Style;
use std::io::{self, Write};

fn mark(ok: Option<bool>) -> String {
    match ok {
        Some(true) => paint("✓", Style::new().green().bold()),
        Some(false) => paint("✗", Style::new().red().bold()),
        None => paint("?", Style::new().yellow().bold()),
    }
}

/// Fix steps for other operating systems are left out: this report is about one machine.
fn applies(platform: &str, family: Family) -> bool {
    let systems: [(&str, &[Family]); 6] = [
        ("Debian", &[Family::Debian]),
        ("Ubuntu", &[Family::Debian]),
        ("RHEL", &[Family::Rhel]),
        ("Alpine", &[Family::Alpine]),
        ("macOS", &[Family::Macos]),
        ("Windows", &[Family::Windows]),
    ];
    let named: Vec<&[Family]> = systems
        .iter()
        .filter(|(word, _)| platform.contains(word))
        .map(|(_, families)| *families)
        .collect();
    named.is_empty() || named.iter().any(|families| families.contains(&family))
}

pub fn write(p: &Picture, out: &mut dyn Write) -> io::Result<()> {
    let m = &p.machine;
    let name = m.name.clone().unwrap_or_else(|| "unknown system".into());
    let place = match &m.root_dir {
        Some(dir) => format!("the filesystem at {dir}"),
        None if m.container => "this container".to_string(),
        None => "this machine".to_string(),
    };
    writeln!(
        out,
        "{} · {place}: {name} ({:?} layout)",
        paint("tlsdoctor trust", Style::new().bold()),
        m.family
    )?;
    if let Some(command) = m.update_command {
        writeln!(out, "roots are compiled into the bundle by `{command}`")?;
    }

    writeln!(out)?;
    writeln!(out, "{}", paint("Stores", Style::new().bold()))?;
    let width = p.stores.iter().map(|s| s.path.len()).max().unwrap_or(0);
    for store in &p.stores {
        let what = match (store.kind, store.roots, &store.problem) {
            (_, _, Some(problem)) => problem.clone(),
            (_, None, None) => "absent".to_string(),
            ("directory", Some(n), _) => format!("{n} hashed names"),
            (_, Some(n), _) => format!("{n} certificates"),
        };
        let ok = store.exists && store.problem.is_none() && store.roots.is_some_and(|n| n > 0);
        writeln!(
            out,
            "  {} {:<9} {:<width$}  {what}",
            mark(Some(ok)),
            store.kind,
            store.path
        )?;
    }
    if !p.anchors.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint("Installed anchors", Style::new().bold()))?;
        for a in &p.anchors {
            let state = if !a.picked_up {
                "ignored by the update command (file name)"
            } else if a.compiled {
                "in the bundle"
            } else {
                "not in the bundle"
            };
            let ok = a.picked_up && a.compiled && a.kind == "root" && !a.expired;
            let expired = if a.expired { ", expired" } else { "" };
            writeln!(
                out,
                "  {} {}  {} {}{expired}: {state}",
                mark(Some(ok)),
                a.path,
                a.kind,
                a.subject
            )?;
        }
    }
    if !p.environment.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint("Environment", Style::new().bold()))?;
        for e in &p.environment {
            let flag = if e.dangerous {
                mark(Some(false))
            } else {
                "·".to_string()
            };
            writeln!(out, "  {flag} {}={}", e.name, e.value)?;
            wrap(out, "      ", "", e.effect)?;
        }
    }
    if let Some(root) = &p.root {
        writeln!(out)?;
        writeln!(
            out,
            "{} {}  ({}, from {})",
            paint("Root", Style::new().bold()),
            root.subject,
            root.kind,
            root.source
        )?;
        writeln!(out, "  SHA-256 {}", root.sha256)?;
        let width = p.clients.iter().map(|c| c.client.len()).max().unwrap_or(0);
        for c in &p.clients {
            let verdict = match c.trusted {
                Some(true) => "trusts it",
                Some(false) => "does not trust it",
                None => "could not tell",
            };
            writeln!(
                out,
                "  {} {:<width$}  {verdict}: reads {}",
                mark(c.trusted),
                c.client,
                c.reads.join(", ")
            )?;
            wrap(out, &" ".repeat(width + 6), "", &c.detail)?;
        }
    }
    if !p.root_programs.is_empty() {
        write_programs(p, out)?;
    }
    for r in &p.registries {
        writeln!(out)?;
        let files = if r.ca_files.is_empty() {
            "no certs.d entry".to_string()
        } else {
            r.ca_files.join(", ")
        };
        writeln!(
            out,
            "{} {}  {} {files}",
            paint("Registry", Style::new().bold()),
            r.registry,
            mark(r.trusted)
        )?;
    }

    writeln!(out)?;
    if p.findings.is_empty() {
        writeln!(out, "Nothing to fix.")?;
    } else {
        writeln!(out, "{}", paint("To fix", Style::new().bold()))?;
        for (i, f) in p.findings.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let mut here = f.clone();
            here.fix_steps.retain(|s| applies(s.platform, m.family));
            // A cause already explained above: only what differs (the detail).
            if p.findings[..i].iter().any(|before| before.cause == f.cause) {
                here.explanation = "";
                here.fix = "";
                here.fix_steps.clear();
                here.avoid = None;
            }
            write_finding(&here, None, Detail::Full, out)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", verdict_of(p.verdict, &p.findings))
}

/// Whether each bundled root program includes the root, and its constraints, a line each.
fn write_programs(p: &Picture, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{} (tlsdoctor's bundled data)",
        paint("Root programs", Style::new().bold())
    )?;
    let width = p
        .root_programs
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    for r in &p.root_programs {
        let verdict = if r.trusted {
            "includes it"
        } else {
            "does not include it"
        };
        let limits: Vec<String> = r.constraints.iter().map(constraint_words).collect();
        let limits = match (limits.is_empty(), r.trusted) {
            (true, _) => String::new(),
            (false, true) => format!("; trusted only {}", limits.join(", or ")),
            // Removed since (webpki-roots is newer than NSS's dates): say what the data says.
            (false, false) => format!(" (its data had trusted it only {})", limits.join(", or ")),
        };
        writeln!(
            out,
            "  {} {:<width$}  {verdict}{limits}  ({}, data of {})",
            mark(match (r.trusted, r.constraints.is_empty()) {
                (false, _) => Some(false),
                (true, true) => Some(true),
                (true, false) => None,
            }),
            r.id,
            r.name,
            r.snapshot
        )?;
    }
    let missing: Vec<String> = crate::trust::programs::not_bundled()
        .into_iter()
        .map(|p| p.id)
        .collect();
    if !missing.is_empty() {
        wrap(
            out,
            "  ",
            "",
            &format!(
                "not bundled: {} (no published source to generate them from; pass an exported \
                 store with `tlsdoctor check --trust FILE`)",
                missing.join(", ")
            ),
        )?;
    }
    Ok(())
}

/// A constraint set in words: `for leaves issued by 2024-11-11T23:59:59Z (ENTRUST_TLS)`.
fn constraint_words(c: &crate::machine::programs::ConstraintReport) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &c.distrust_after {
        parts.push(format!("for leaves issued by {t}"));
    }
    if let Some(t) = &c.sct_not_after {
        parts.push(format!("for leaves logged (first SCT) by {t}"));
    }
    match (c.min_version, c.max_version_exclusive) {
        (Some(min), Some(max)) => parts.push(format!("in versions {min} to {}", max - 1)),
        (Some(min), None) => parts.push(format!("from version {min}")),
        (None, Some(max)) => parts.push(format!("before version {max}")),
        (None, None) => {}
    }
    let policy = c
        .policy
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    format!("{}{policy}", parts.join(" "))
}
