//! `--format prometheus`: the text exposition format, for node_exporter's textfile collector.
//!
//! Names follow Prometheus conventions: a `tlsdoctor_` prefix, base units (seconds) in the
//! names of time metrics, one metric family per name with HELP and TYPE.

use super::TargetReport;
use crate::clients::judge::Outcome;
use crate::diagnosis::Verdict;
use std::collections::BTreeMap;
use std::io::{self, Write};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const VERDICTS: [Verdict; 4] = [
    Verdict::Ok,
    Verdict::Warning,
    Verdict::Error,
    Verdict::Unreachable,
];

/// Writes the metric families for all targets.
/// Every client outcome, in the order the series are written.
const CLIENT_OUTCOMES: [Outcome; 4] = [
    Outcome::Ok,
    Outcome::Warning,
    Outcome::Fail,
    Outcome::Unknown,
];

pub fn write(targets: &[TargetReport], out: &mut dyn Write) -> io::Result<()> {
    family(
        out,
        "tlsdoctor_up",
        "1 if the target's chain could be checked, 0 if it was unreachable.",
    )?;
    for t in targets {
        let up = u8::from(t.verdict != Verdict::Unreachable);
        writeln!(
            out,
            "tlsdoctor_up{{{}}} {up}",
            labels(&[("target", &t.target)])
        )?;
    }

    family(
        out,
        "tlsdoctor_verdict",
        "The target's verdict: 1 for the verdict it has, 0 for the others.",
    )?;
    for t in targets {
        for verdict in VERDICTS {
            let value = u8::from(t.verdict == verdict);
            let l = labels(&[("target", &t.target), ("verdict", verdict.as_str())]);
            writeln!(out, "tlsdoctor_verdict{{{l}}} {value}")?;
        }
    }

    family(
        out,
        "tlsdoctor_earliest_expiry_timestamp_seconds",
        "When the first certificate on the target's path to its root expires, as a Unix time.",
    )?;
    for t in targets {
        let earliest = t
            .chain
            .iter()
            .chain(&t.fetched)
            .filter(|c| c.on_path)
            .filter_map(|c| unix(c.not_after.as_deref()?))
            .min();
        if let Some(earliest) = earliest {
            writeln!(
                out,
                "tlsdoctor_earliest_expiry_timestamp_seconds{{{}}} {earliest}",
                labels(&[("target", &t.target)])
            )?;
        }
    }

    family(
        out,
        "tlsdoctor_certificate_expiry_timestamp_seconds",
        "When each presented certificate expires, as a Unix time.",
    )?;
    for t in targets {
        for cert in &t.chain {
            if let Some(not_after) = cert.not_after.as_deref().and_then(unix) {
                let l = cert_labels(t, cert);
                writeln!(
                    out,
                    "tlsdoctor_certificate_expiry_timestamp_seconds{{{l}}} {not_after}"
                )?;
            }
        }
    }

    // Time left per certificate, in the base unit: divide by 86400 for days.
    family(
        out,
        "tlsdoctor_certificate_remaining_seconds",
        "Seconds from the check until each presented certificate expires; negative once expired.",
    )?;
    for t in targets {
        let Some(checked) = unix(&t.checked_at) else {
            continue;
        };
        for cert in &t.chain {
            if let Some(not_after) = cert.not_after.as_deref().and_then(unix) {
                let l = cert_labels(t, cert);
                let left = not_after - checked;
                writeln!(out, "tlsdoctor_certificate_remaining_seconds{{{l}}} {left}")?;
            }
        }
    }

    family(
        out,
        "tlsdoctor_findings",
        "Findings on the target, per cause.",
    )?;
    for t in targets {
        let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for f in &t.findings {
            *counts.entry((f.cause, f.severity)).or_default() += 1;
        }
        for ((cause, severity), count) in counts {
            let l = labels(&[
                ("target", &t.target),
                ("cause", cause),
                ("severity", severity),
            ]);
            writeln!(out, "tlsdoctor_findings{{{l}}} {count}")?;
        }
    }

    family(
        out,
        "tlsdoctor_handshake_duration_seconds",
        "How long the TLS handshake took, when it completed.",
    )?;
    for t in targets {
        let took = t.connection.as_ref().and_then(|c| c.handshake_seconds);
        if let Some(took) = took {
            let l = labels(&[("target", &t.target)]);
            writeln!(out, "tlsdoctor_handshake_duration_seconds{{{l}}} {took}")?;
        }
    }

    family(
        out,
        "tlsdoctor_tls_version_info",
        "The TLS version the handshake settled on, as a label; always 1.",
    )?;
    for t in targets {
        let version = t.connection.as_ref().and_then(|c| c.tls_version.as_deref());
        if let Some(version) = version {
            let l = labels(&[("target", &t.target), ("version", version)]);
            writeln!(out, "tlsdoctor_tls_version_info{{{l}}} 1")?;
        }
    }

    family(
        out,
        "tlsdoctor_client_outcome",
        "Each client profile judged (--clients): 1 for the outcome it has, 0 for the others.",
    )?;
    for t in targets {
        for c in &t.clients {
            for outcome in CLIENT_OUTCOMES {
                let value = u8::from(c.outcome == outcome);
                let l = labels(&[
                    ("target", &t.target),
                    ("client", &c.id),
                    ("outcome", outcome.as_str()),
                ]);
                writeln!(out, "tlsdoctor_client_outcome{{{l}}} {value}")?;
            }
        }
    }

    family(
        out,
        "tlsdoctor_check_timestamp_seconds",
        "The instant the target was judged at, as a Unix time.",
    )?;
    for t in targets {
        if let Some(at) = unix(&t.checked_at) {
            writeln!(
                out,
                "tlsdoctor_check_timestamp_seconds{{{}}} {at}",
                labels(&[("target", &t.target)])
            )?;
        }
    }
    Ok(())
}

fn family(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

fn cert_labels(t: &TargetReport, cert: &super::CertReport) -> String {
    let position = cert.index.to_string();
    labels(&[
        ("target", &t.target),
        ("position", &position),
        ("role", cert.role),
        ("subject", cert.subject.as_deref().unwrap_or_default()),
    ])
}

/// `a="x",b="y"`, values escaped as the exposition format requires.
fn labels(pairs: &[(&str, &str)]) -> String {
    let escaped: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            let value = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{name}=\"{value}\"")
        })
        .collect();
    escaped.join(",")
}

/// An RFC 3339 time from the report as Unix seconds.
fn unix(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            labels(&[("s", "CN=\"x\"\\y\nz")]),
            "s=\"CN=\\\"x\\\"\\\\y\\nz\""
        );
    }

    #[test]
    fn report_times_round_trip() {
        let now = OffsetDateTime::from_unix_timestamp(1_780_272_000).unwrap();
        assert_eq!(unix(&crate::report::rfc3339(now)), Some(1_780_272_000));
    }
}
