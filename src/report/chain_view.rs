//! The certificates and the trust stores in the human report: one line a certificate by default,
//! every fact with `-v`; one line for the stores when they agree.
//!
//! A certificate a finding names keeps, in the compact view, the lines of the facts its cause is
//! about (the catalog's `about`), so the report never folds away what a failure depends on.

use super::human::{Detail, paint};
use super::{CertReport, FindingReport, StoreReport, TargetReport};
use crate::causes::{Cause, CertFact};
use owo_colors::Style;
use std::io::{self, Write};

/// A subject wider than this is not padded to align the rows after it.
const SUBJECT_COLUMN: usize = 40;

/// "Chain as sent" and the issuers downloaded to complete it; in the compact view, the trust
/// stores' one line when they agree. Returns whether that line was written (then the full
/// "Trust stores" section is not).
pub(super) fn write_chain(
    t: &TargetReport,
    detail: Detail,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let bold = Style::new().bold();
    let lists = [
        (&t.chain, None),
        (
            &t.fetched,
            Some("Downloaded to complete the chain (the server does not send these)"),
        ),
    ];
    for (certs, heading) in lists {
        if certs.is_empty() {
            continue;
        }
        writeln!(out)?;
        let presented = heading.is_none();
        let heading = heading.map(str::to_string).unwrap_or_else(|| {
            let count = certs.len();
            let plural = if count == 1 { "" } else { "s" };
            match detail {
                Detail::Compact => {
                    format!("Chain as sent ({count} certificate{plural}; -v shows each in full)")
                }
                Detail::Full => format!("Chain as sent ({count} certificate{plural})"),
            }
        });
        writeln!(out, "{}", paint(&heading, bold))?;
        let width = subject_width(certs);
        for cert in certs.iter() {
            match detail {
                Detail::Full => write_cert(cert, t, out)?,
                Detail::Compact => {
                    write_cert_row(cert, t, width, out)?;
                    // The row already says when the certificate is valid.
                    let mut facts = facts_named(cert.index, &t.findings);
                    facts.retain(|f| *f != CertFact::Validity);
                    write_facts(cert, &facts, out)?;
                }
            }
            if presented {
                super::sct_view::write_scts(cert, t, detail, out)?;
            }
        }
    }
    let listed = !t.chain.is_empty() || !t.fetched.is_empty();
    if detail == Detail::Compact && listed && stores_agree(&t.stores) {
        write_stores_line(&t.stores, out)?;
        return Ok(true);
    }
    Ok(false)
}

/// The "Trust stores" section: each store, its verdict, its anchor and where it was read from.
pub(super) fn write_stores(stores: &[StoreReport], out: &mut dyn Write) -> io::Result<()> {
    if stores.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", paint("Trust stores", Style::new().bold()))?;
    let width = stores
        .iter()
        .map(|s| s.store.chars().count())
        .max()
        .unwrap_or(0);
    for store in stores {
        write_store(store, width, out)?;
    }
    Ok(())
}

/// Every store gives the same verdict through the same anchor, and none had trouble being read:
/// one line says it all.
fn stores_agree(stores: &[StoreReport]) -> bool {
    let Some(first) = stores.first() else {
        return false;
    };
    let anchor = |s: &StoreReport| s.anchor.as_ref().map(|a| a.spki_sha256.clone());
    stores.iter().all(|s| {
        s.trusted == first.trusted
            && anchor(s) == anchor(first)
            && s.location.as_ref().is_none_or(|l| l.problems.is_empty())
    })
}

/// "✓ trusted by mozilla, system via CN=..." or "✗ not trusted by ...".
fn write_stores_line(stores: &[StoreReport], out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<&str> = stores.iter().map(|s| s.store.as_str()).collect();
    let names = names.join(", ");
    match stores.first().and_then(|s| s.anchor.as_ref()) {
        Some(anchor) => writeln!(
            out,
            "  {} trusted by {names} via {}",
            paint("✓", Style::new().green()),
            anchor.subject
        ),
        None => {
            let their = if stores.len() == 1 { "its" } else { "their" };
            writeln!(
                out,
                "  {} not trusted by {names}: the chain reaches none of {their} roots",
                paint("✗", Style::new().red())
            )
        }
    }
}

fn write_store(store: &StoreReport, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let dim = Style::new().dimmed();
    let plural = if store.roots == 1 { "" } else { "s" };
    let (mark, verdict) = match &store.anchor {
        Some(a) => (
            paint("✓", Style::new().green()),
            format!(
                "trusted via {}  {}",
                a.subject,
                paint(&format!("(SPKI SHA-256 {})", a.spki_sha256), dim)
            ),
        ),
        None => (
            paint("✗", Style::new().red()),
            "not trusted: the chain reaches none of its roots".to_string(),
        ),
    };
    writeln!(out, "  {mark} {:<width$}  {verdict}", store.store)?;
    let mut facts = vec![format!("{} root{plural}", store.roots)];
    facts.extend(store.snapshot.as_ref().map(|s| format!("data of {s}")));
    if let Some(location) = &store.location {
        facts.extend(location.file.as_ref().map(|f| format!("file {f}")));
        facts.extend(location.dirs.iter().map(|d| format!("dir {d}")));
        if location.platform {
            facts.push("the operating system's store".into());
        }
        facts.extend(location.env.iter().map(|e| format!("chosen by {e}")));
        facts.extend(location.problems.iter().cloned());
    }
    writeln!(out, "    {:<width$}  {}", "", paint(&facts.join("; "), dim))
}

/// The facts the findings naming certificate `index` are about, in the order lines are written.
fn facts_named(index: usize, findings: &[FindingReport]) -> Vec<CertFact> {
    let about: Vec<CertFact> = findings
        .iter()
        .filter(|f| f.cert_index == Some(index))
        .flat_map(|f| Cause::from_id(f.cause).map_or(CertFact::ALL, |c| c.entry().about))
        .copied()
        .collect();
    CertFact::ALL
        .iter()
        .copied()
        .filter(|fact| about.contains(fact))
        .collect()
}

/// The CN of a subject (`O=Example, CN=www.example.com` → `CN=www.example.com`), or the whole
/// subject when it has none.
fn common_name(subject: &str) -> &str {
    subject
        .rsplit(", ")
        .find(|part| part.starts_with("CN="))
        .unwrap_or(subject)
}

fn subject_width(certs: &[CertReport]) -> usize {
    certs
        .iter()
        .filter_map(|c| c.subject.as_deref())
        .map(|s| common_name(s).chars().count())
        .filter(|&w| w <= SUBJECT_COLUMN)
        .max()
        .unwrap_or(0)
}

/// `[0] leaf  CN=ok.test  until 2027-01-01, 214 days left  EC P-256`.
fn write_cert_row(
    cert: &CertReport,
    t: &TargetReport,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(subject) = &cert.subject else {
        return write_unparseable(cert, out);
    };
    let mut facts: Vec<String> = Vec::new();
    facts.extend(validity(cert, &t.checked_at));
    facts.extend(cert.key.as_ref().map(|key| match (&key.curve, key.bits) {
        (Some(curve), _) => format!("{} {curve}", key.algorithm),
        (None, Some(bits)) => format!("{} {bits}", key.algorithm),
        _ => key.algorithm.clone(),
    }));
    let name = format!("{:<width$}", common_name(subject));
    writeln!(
        out,
        "  [{}] {:<13}{}  {}{}",
        cert.index,
        cert.role,
        paint(&name, Style::new().bold()),
        facts.join("  "),
        paint(place(cert, t), Style::new().yellow())
    )?;
    if let Some(url) = &cert.fetched_from {
        writeln!(out, "      {} {url}", label("from"))?;
    }
    Ok(())
}

/// "until 2027-01-01, 214 days left", "expired 2026-01-01, 151 days ago" or "not valid before
/// 2026-09-01", coloured as the full view colours them.
fn validity(cert: &CertReport, checked_at: &str) -> Option<String> {
    let (from, until, days) = (
        cert.not_before.as_deref()?,
        cert.not_after.as_deref()?,
        cert.days_left?,
    );
    // Both instants are RFC 3339 in UTC, written alike, so they compare as text.
    Some(if from > checked_at {
        paint(
            &format!("not valid before {}", day(from)),
            Style::new().red(),
        )
    } else if days < 0 {
        let text = format!("expired {}, {} days ago", day(until), -days);
        paint(&text, Style::new().red())
    } else if days < 30 {
        let text = format!("until {}, {days} days left", day(until));
        paint(&text, Style::new().yellow())
    } else {
        format!("until {}, {days} days left", day(until))
    })
}

/// The lines of `facts` for one certificate, as the full view writes them.
fn write_facts(cert: &CertReport, facts: &[CertFact], out: &mut dyn Write) -> io::Result<()> {
    if cert.subject.is_none() {
        return Ok(());
    }
    let indent = "      ";
    for fact in facts {
        match fact {
            CertFact::Issuer => {
                writeln!(out, "{indent}{} {}", label("issuer"), issued_by(cert))?;
            }
            CertFact::Validity => {
                if let Some(line) = valid_line(cert) {
                    writeln!(out, "{indent}{} {line}", label("valid"))?;
                }
            }
            CertFact::Names => {
                if !cert.sans.is_empty() {
                    writeln!(out, "{indent}{} {}", label("names"), names(cert))?;
                }
            }
            CertFact::Key => {
                if let Some(line) = key_line(cert) {
                    writeln!(out, "{indent}{} {line}", label("key"))?;
                }
            }
        }
    }
    Ok(())
}

/// A certificate with every fact the report has a line for (`-v`).
pub(super) fn write_cert(
    cert: &CertReport,
    t: &TargetReport,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(subject) = &cert.subject else {
        return write_unparseable(cert, out);
    };
    writeln!(
        out,
        "  [{}] {:<13}{}{}",
        cert.index,
        cert.role,
        paint(subject, Style::new().bold()),
        paint(place(cert, t), Style::new().yellow())
    )?;
    if let Some(url) = &cert.fetched_from {
        writeln!(out, "      {} {url}", label("from"))?;
    }
    write_facts(cert, CertFact::ALL, out)
}

fn write_unparseable(cert: &CertReport, out: &mut dyn Write) -> io::Result<()> {
    let reason = cert.parse_error.as_deref().unwrap_or("unknown error");
    writeln!(
        out,
        "  [{}] {}  {} bytes, SHA-256 {}: {reason}",
        cert.index,
        paint("unparseable", Style::new().red()),
        cert.size,
        cert.sha256
    )
}

/// Where a certificate stands relative to the path: the anchor itself, or off the path.
fn place(cert: &CertReport, t: &TargetReport) -> &'static str {
    let is_anchor = cert.self_signed == Some(true)
        && t.trust
            .anchor
            .as_ref()
            .is_some_and(|a| Some(&a.subject) == cert.subject.as_ref());
    if is_anchor {
        "  (the trust anchor itself)"
    } else if cert.on_path || t.trust.path.is_empty() {
        ""
    } else {
        "  (not on the path)"
    }
}

fn label(text: &str) -> String {
    paint(&format!("{text:<10}"), Style::new().dimmed())
}

fn issued_by(cert: &CertReport) -> String {
    let issuer = cert.issuer.as_deref().unwrap_or_default();
    match cert.issued_by {
        Some(i) => format!("[{i}] {issuer}"),
        None if cert.self_signed == Some(true) => "itself (self-signed)".to_string(),
        None => issuer.to_string(),
    }
}

/// "2026-01-01 → 2027-01-01  (214 days left)".
fn valid_line(cert: &CertReport) -> Option<String> {
    let (from, until, days) = (
        cert.not_before.as_ref()?,
        cert.not_after.as_ref()?,
        cert.days_left?,
    );
    let left = match days {
        d if d < 0 => paint(&format!("expired {} days ago", -d), Style::new().red()),
        d if d < 30 => paint(&format!("{d} days left"), Style::new().yellow()),
        d => format!("{d} days left"),
    };
    Some(format!("{} → {}  ({left})", day(from), day(until)))
}

/// The first eight names, and how many more there are.
fn names(cert: &CertReport) -> String {
    let shown: Vec<&str> = cert.sans.iter().take(8).map(String::as_str).collect();
    let more = match cert.sans.len() {
        n if n > 8 => format!(" and {} more", n - 8),
        _ => String::new(),
    };
    format!("{}{more}", shown.join(", "))
}

/// "EC P-256, signed with sha256WithRSAEncryption".
fn key_line(cert: &CertReport) -> Option<String> {
    let key = cert.key.as_ref()?;
    let size = match (&key.curve, key.bits) {
        (Some(curve), _) => format!(" {curve}"),
        (None, Some(bits)) => format!(" {bits}"),
        _ => String::new(),
    };
    let sig = cert.signature_algorithm.as_deref().unwrap_or("unknown");
    Some(format!("{}{size}, signed with {sig}", key.algorithm))
}

/// `2026-06-01T00:00:00Z` → `2026-06-01`.
fn day(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}
