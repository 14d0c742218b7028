//! The leaf's Signed Certificate Timestamps in the human report: one line saying how many, from
//! which logs, and which CT policies are met; with `-v`, each SCT on a line of its own.

use super::human::{Detail, paint};
use super::{CertReport, TargetReport};
use crate::checks::ct::Policy;
use owo_colors::Style;
use std::io::{self, Write};

/// Logs named on the compact line before "...".
const NAMED_LOGS: usize = 3;

/// Writes the SCT lines under `cert` when it is the leaf and there is something to say: it has
/// SCTs, or a CT policy applies to it.
pub(super) fn write_scts(
    cert: &CertReport,
    t: &TargetReport,
    detail: Detail,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(ct) = t.ct.as_ref().filter(|_| cert.index == 0) else {
        return Ok(());
    };
    let applies = ct.policies.iter().any(|p| p.applies);
    if cert.scts.is_empty() && !applies {
        return Ok(());
    }
    let indent = "      ";
    writeln!(out, "{indent}{} {}", label("scts"), summary(cert, t))?;
    if detail == Detail::Full {
        for sct in &cert.scts {
            let log = match (&sct.log, &sct.operator) {
                (Some(log), Some(operator)) if !log.starts_with(operator.as_str()) => {
                    format!("{log} ({operator})")
                }
                (Some(log), _) => log.clone(),
                (None, _) => format!("unknown log {}", sct.log_id),
            };
            let status = sct.status.as_str();
            let status = match status {
                "valid" => status.to_string(),
                "invalid" => paint(status, Style::new().red()),
                _ => paint(status, Style::new().yellow()),
            };
            writeln!(
                out,
                "{indent}          {log}  {}  {}  {status}",
                sct.source.as_str(),
                sct.timestamp.as_deref().unwrap_or("(no valid date)")
            )?;
        }
        let under = format!("{indent}          ");
        for note in &ct.notes {
            super::human::wrap(out, &under, "note: ", note)?;
        }
    }
    Ok(())
}

/// `3 SCTs (Google 'Argon2026h1', Let's Encrypt 'Oak2026h1', ...), Chrome policy met`.
fn summary(cert: &CertReport, t: &TargetReport) -> String {
    let count = cert.scts.len();
    let mut names: Vec<String> = Vec::new();
    for name in cert.scts.iter().filter_map(|s| s.log.clone()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let unknown = cert.scts.iter().filter(|s| s.log.is_none()).count();
    let mut shown = if names.len() > NAMED_LOGS {
        format!("{}, ...", names[..NAMED_LOGS].join(", "))
    } else {
        names.join(", ")
    };
    if unknown > 0 {
        let sep = if shown.is_empty() { "" } else { "; " };
        shown.push_str(&format!("{sep}{unknown} from logs not in the log list"));
    }
    let head = match count {
        0 => "no SCTs".to_string(),
        1 => format!("1 SCT ({shown})"),
        n => format!("{n} SCTs ({shown})"),
    };
    let policies: Vec<String> =
        t.ct.iter()
            .flat_map(|ct| ct.policies.iter())
            .filter(|p| p.applies)
            .map(|p| {
                let name = match p.policy {
                    Policy::Chrome => "Chrome",
                    Policy::Apple => "Apple",
                    Policy::Mozilla => "Mozilla",
                    Policy::None => "no",
                };
                if p.met {
                    format!("{name} policy met")
                } else if !p.determined {
                    paint(
                        &format!("{name} policy: cannot tell (logs newer than the list)"),
                        Style::new().yellow(),
                    )
                } else {
                    paint(&format!("{name} policy not met"), Style::new().red())
                }
            })
            .collect();
    if policies.is_empty() {
        format!(
            "{head}; no CT policy applies (not a publicly trusted root, or issued before the policies)"
        )
    } else {
        format!("{head}, {}", policies.join(", "))
    }
}

fn label(text: &str) -> String {
    paint(&format!("{text:<10}"), Style::new().dimmed())
}
