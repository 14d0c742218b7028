//! `--format human`: the chain as sent, then the findings worst first, each with its fix.
//!
//! By default the report is compact: a line a certificate, the stores in one line when they
//! agree, each finding with its detail and fix. `-v` (`Detail::Full`) shows every fact, why each
//! finding happens and what not to do. JSON always has everything.

use super::chain_view;
use super::{
    ClientAuthReport, FindingReport, FixStep, RepairReport, Report, Summary, TargetReport,
    WrittenFile, rfc3339,
};
use crate::diagnosis::Verdict;
use crate::revocation::{CertStatus, Responder, Revocation};
use crate::software::ServerSoftware;
use owo_colors::{OwoColorize, Stream, Style};
use std::io::{self, Write};

/// Text is wrapped to this width (the indentation included).
const WIDTH: usize = 100;

/// Which fix steps a finding shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fixes {
    /// Only the steps for the server software the target announced, when some step is for it;
    /// every step otherwise.
    #[default]
    ForServer,
    /// Every platform's steps (`--all-fixes`).
    All,
}

/// How much of each certificate and finding the report shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// A line a certificate (more for one a finding names), the stores in a line when they
    /// agree, each finding's detail and fix: one finding fits on a screen.
    #[default]
    Compact,
    /// Every fact of every certificate and store, and each finding's why and avoid (`-v`).
    Full,
}

/// What the human report shows: which fix steps, and how much detail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub fixes: Fixes,
    pub detail: Detail,
}

/// Writes every target's report, separated by a blank line.
pub fn write(report: &Report, view: View, out: &mut dyn Write) -> io::Result<()> {
    for (i, target) in report.targets.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_target(target, view, out)?;
    }
    Ok(())
}

pub(crate) fn paint(text: &str, style: Style) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.style(style))
        .to_string()
}

fn write_target(t: &TargetReport, view: View, out: &mut dyn Write) -> io::Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    write!(out, "{}", paint(&format!("tlsdoctor · {}", t.target), bold))?;
    if let Some(c) = &t.connection {
        let mut facts: Vec<String> = Vec::new();
        facts.extend(
            c.address
                .as_ref()
                .filter(|a| **a != t.target)
                .map(|a| format!("connected to {a}")),
        );
        facts.extend(c.proxy.as_ref().map(|p| format!("via {p}")));
        facts.extend(
            c.starttls
                .as_ref()
                .map(|s| format!("STARTTLS {}", s.protocol.title())),
        );
        facts.extend(c.tls_version.clone());
        facts.extend(c.cipher_suite.clone());
        facts.extend(c.key_exchange.clone());
        facts.extend(c.alpn.as_ref().map(|a| format!("ALPN {a}")));
        facts.extend(c.server_software.as_ref().map(|s| s.announced.clone()));
        if !facts.is_empty() {
            write!(out, "  {}", paint(&facts.join(", "), dim))?;
        }
    }
    writeln!(out)?;
    let name = t.name.as_deref().unwrap_or("(no name given)");
    writeln!(
        out,
        "{}",
        paint(&format!("name {name} · checked at {}", t.checked_at), dim)
    )?;
    // A dialogue that stopped before TLS: show where.
    if let Some(s) = t.connection.as_ref().and_then(|c| c.starttls.as_ref()) {
        if !s.upgraded && !s.transcript.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", paint("Before TLS", bold))?;
            for line in &s.transcript {
                writeln!(out, "  {}", paint(line, dim))?;
            }
        }
    }

    let stores_said = chain_view::write_chain(t, view.detail, out)?;
    if let Some(client) = &t.client_auth {
        writeln!(out)?;
        write_client_auth(client, t, out)?;
    }
    if let Some(revocation) = &t.revocation {
        write_revocation(revocation, out)?;
    }
    if !stores_said {
        chain_view::write_stores(&t.stores, out)?;
    }
    writeln!(out)?;
    if t.findings.is_empty() {
        writeln!(out, "{}", paint("No problems found.", Style::new().green()))?;
    } else {
        let folded = view.detail == Detail::Compact
            && t.findings
                .iter()
                .any(|f| f.avoid.is_some() || (f.severity != "info" && !f.explanation.is_empty()));
        let heading = match folded {
            true => "Findings (-v adds why each happens and what not to do)",
            false => "Findings",
        };
        writeln!(out, "{}", paint(heading, bold))?;
        for (i, finding) in t.findings.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let server = match view.fixes {
                Fixes::ForServer => t
                    .connection
                    .as_ref()
                    .and_then(|c| c.server_software.as_ref()),
                Fixes::All => None,
            };
            write_finding(finding, server, view.detail, out)?;
        }
    }
    if let Some(repair) = &t.repair {
        writeln!(out)?;
        write_repair(repair, out)?;
    }
    super::clients::write_section(&t.clients, &t.findings, view.detail, out)?;
    writeln!(out)?;
    writeln!(out, "{}", verdict_line(t))
}

/// The OCSP responses read, when there are any (or the leaf demands one).
fn write_revocation(r: &Revocation, out: &mut dyn Write) -> io::Result<()> {
    if r.stapled.is_none() && r.queried.is_none() && !r.must_staple {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        paint("Revocation (OCSP, leaf)", Style::new().bold())
    )?;
    let dim = Style::new().dimmed();
    if r.must_staple {
        writeln!(out, "  must-staple  the leaf demands a stapled response")?;
    }
    let rows = [("stapled", &r.stapled), ("asked", &r.queried)];
    for (label, outcome) in rows {
        let Some(outcome) = outcome else { continue };
        let from = outcome
            .url
            .as_ref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        match (&outcome.response, &outcome.error) {
            (Some(response), _) => {
                let status = match &response.status {
                    CertStatus::Good => "good".to_string(),
                    CertStatus::Unknown => "unknown".to_string(),
                    CertStatus::Revoked { time, reason } => format!(
                        "REVOKED at {}{}",
                        rfc3339(*time),
                        reason.map(|r| format!(" ({r})")).unwrap_or_default()
                    ),
                };
                writeln!(out, "  {label:<11}  {status}{from}")?;
                let next = response.next_update.map_or("none".to_string(), rfc3339);
                let responder = match &response.responder {
                    Responder::Name(name) => name.clone(),
                    Responder::KeyHash(hash) => format!("key SHA-1 {hash}"),
                };
                let facts = format!(
                    "produced {} · next update {next} · responder {responder}",
                    rfc3339(response.produced_at)
                );
                writeln!(out, "  {:<11}  {}", "", paint(&facts, dim))?;
            }
            (None, error) => {
                let error = error.as_deref().unwrap_or("no response");
                writeln!(out, "  {label:<11}  no usable response: {error}")?;
            }
        }
    }
    Ok(())
}

fn write_client_auth(
    c: &ClientAuthReport,
    t: &TargetReport,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        paint("Client certificate (mutual TLS)", Style::new().bold())
    )?;
    let asked = match (c.requested, c.required) {
        (false, _) => "the server did not ask for one",
        (true, Some(true)) => "the server requires one",
        (true, Some(false)) => "the server asks for one but does not require it",
        (true, None) => "the server asks for one",
    };
    writeln!(out, "  {asked}")?;
    if c.requested {
        match c.acceptable_cas.as_slice() {
            [] => writeln!(
                out,
                "  it names no CA it accepts (any certificate may be tried)"
            )?,
            cas => {
                writeln!(out, "  it accepts certificates issued by:")?;
                for ca in cas {
                    writeln!(out, "    {ca}")?;
                }
            }
        }
    }
    for cert in &c.chain {
        chain_view::write_cert(cert, t, out)?;
    }
    if let Some(response) = &c.server_response {
        let sent = if c.certificate_sent {
            "after the certificate was sent"
        } else {
            "with no certificate sent"
        };
        writeln!(out, "  server's answer {sent}: {response}")?;
    }
    Ok(())
}

fn write_repair(repair: &RepairReport, out: &mut dyn Write) -> io::Result<()> {
    if let Some(file) = &repair.fixed_chain {
        if file.written {
            let count = file.subjects.len();
            let plural = if count == 1 { "" } else { "s" };
            writeln!(
                out,
                "{} {} ({count} certificate{plural}: {})",
                paint("Wrote the corrected chain to", Style::new().green().bold()),
                file.path,
                file.subjects.join(" → ")
            )?;
            let path = absolute(&file.path);
            writeln!(out, "  nginx:   ssl_certificate {path};")?;
            writeln!(out, "  Apache:  SSLCertificateFile {path}")?;
            writeln!(
                out,
                "  HAProxy: cat {path} server.key > site.pem, then `bind :443 ssl crt site.pem`"
            )?;
            writeln!(out, "  then reload the server and check again.")?;
        } else {
            write_unwritten(file, out)?;
        }
    }
    if let Some(file) = &repair.saved_root {
        if file.written {
            writeln!(
                out,
                "{} {} to {} (SHA-256 {}): check the fingerprint with the CA's owner before trusting it",
                paint("Saved the root", Style::new().green().bold()),
                file.subjects.join(", "),
                file.path,
                file.sha256.join(", ")
            )?;
        } else {
            write_unwritten(file, out)?;
        }
    }
    Ok(())
}

fn write_unwritten(file: &WrittenFile, out: &mut dyn Write) -> io::Result<()> {
    let reason = file.error.as_deref().unwrap_or("unknown reason");
    let did_not = paint("Did not write", Style::new().red().bold());
    writeln!(out, "{did_not} {}: {reason}", file.path)
}

/// Server configuration wants absolute paths.
fn absolute(path: &str) -> String {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string())
}

/// One finding with its fix. With `server`, the steps for that server alone, when it has some;
/// with `Detail::Full`, also why it happens and what not to do.
pub(crate) fn write_finding(
    f: &FindingReport,
    server: Option<&ServerSoftware>,
    detail: Detail,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (mark, style) = match f.severity {
        "error" => ("✗ error  ", Style::new().red().bold()),
        "warning" => ("! warning", Style::new().yellow().bold()),
        _ => ("· info   ", Style::new().cyan()),
    };
    let at = f.cert_index.map(|i| format!(" [{i}]")).unwrap_or_default();
    writeln!(
        out,
        "  {} {}{at}  {}",
        paint(mark, style),
        paint(f.cause, Style::new().bold()),
        f.title
    )?;
    let indent = "              ";
    wrap(out, indent, "", &f.detail)?;
    let full = detail == Detail::Full;
    if full && f.severity != "info" && !f.explanation.is_empty() {
        wrap(out, indent, "why: ", f.explanation)?;
    }
    if !f.fix.is_empty() {
        wrap(out, indent, "fix: ", f.fix)?;
    }
    let platforms = server.map_or(&[][..], ServerSoftware::fix_platforms);
    let for_server: Vec<&FixStep> = f
        .fix_steps
        .iter()
        .filter(|s| platforms.contains(&s.platform))
        .collect();
    let steps = match for_server.is_empty() {
        true => f.fix_steps.iter().collect(),
        false => for_server,
    };
    for step in &steps {
        wrap(out, indent, &format!("     {}: ", step.platform), step.step)?;
    }
    let hidden = f.fix_steps.len() - steps.len();
    if let (Some(product), true) = (server.and_then(|s| s.product), hidden > 0) {
        let plural = if hidden == 1 { "" } else { "s" };
        let note = format!(
            "(the steps for {product}, which answered; {hidden} more platform{plural} with --all-fixes)"
        );
        wrap(out, indent, "     ", &note)?;
    }
    if let Some(avoid) = f.avoid.filter(|_| full) {
        wrap(out, indent, "avoid: ", avoid)?;
    }
    Ok(())
}

fn verdict_line(t: &TargetReport) -> String {
    verdict_of(t.verdict, &t.findings)
}

/// "Verdict: ERROR (2 errors, 0 warnings)".
pub(crate) fn verdict_of(verdict: Verdict, findings: &[FindingReport]) -> String {
    let count = |s: &str| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count("error"), count("warning"));
    let style = match verdict {
        Verdict::Ok => Style::new().green().bold(),
        Verdict::Warning => Style::new().yellow().bold(),
        Verdict::Error | Verdict::Unreachable => Style::new().red().bold(),
    };
    let summary = match verdict {
        Verdict::Unreachable => "the chain could not be checked".to_string(),
        _ => format!(
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ),
    };
    format!(
        "Verdict: {} ({summary})",
        paint(&verdict.as_str().to_uppercase(), style)
    )
}

/// Word-wraps `text` to WIDTH, every line indented, the first one prefixed.
pub(crate) fn wrap(out: &mut dyn Write, indent: &str, prefix: &str, text: &str) -> io::Result<()> {
    let room = WIDTH.saturating_sub(indent.len()).max(40);
    let mut line = String::from(prefix);
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            writeln!(out, "{indent}{}", line.trim_end())?;
            line.clear();
            line.push_str(&" ".repeat(prefix.len()));
        }
        if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        writeln!(out, "{indent}{}", line.trim_end())?;
    }
    Ok(())
}

/// One line for a target in a list of many: verdict, target, first cause, days left.
pub fn write_line(t: &TargetReport, out: &mut dyn Write) -> io::Result<()> {
    let (mark, style) = match t.verdict {
        Verdict::Ok => ("✓", Style::new().green()),
        Verdict::Warning => ("!", Style::new().yellow()),
        Verdict::Error | Verdict::Unreachable => ("✗", Style::new().red()),
    };
    let verdict = format!("{mark} {:<11}", t.verdict.as_str());
    let mut facts: Vec<String> = Vec::new();
    if let Some(first) = t.findings.iter().find(|f| f.severity != "info") {
        let more = t.findings.iter().filter(|f| f.severity != "info").count() - 1;
        facts.push(match more {
            0 => first.cause.to_string(),
            n => format!("{} (+{n} more)", first.cause),
        });
    }
    let earliest = t
        .chain
        .iter()
        .filter(|c| c.on_path)
        .filter_map(|c| c.days_left)
        .min();
    facts.extend(earliest.map(|d| format!("{d} days left")));
    writeln!(
        out,
        "{} {:<38} {}",
        paint(&verdict, style.bold()),
        t.target,
        facts.join(" · ")
    )
}

/// The closing line of a list: targets counted per verdict.
pub fn write_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let total = summary.total();
    let plural = if total == 1 { "" } else { "s" };
    writeln!(
        out,
        "{}",
        paint(
            &format!(
                "{total} target{plural}: {} ok, {} warning, {} error, {} unreachable",
                summary.ok, summary.warning, summary.error, summary.unreachable
            ),
            Style::new().bold()
        )
    )
}
