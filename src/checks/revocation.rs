//! Revocation: what the stapled and the queried OCSP responses say about the leaf.

use super::Finding;
use crate::causes::Cause;
use crate::report::rfc3339;
use crate::revocation::{CertStatus, OcspProblem, OcspReport, Outcome, Revocation};

/// Findings about the leaf's revocation. `connection` is false for files, which cannot staple.
pub fn check(revocation: &Revocation, connection: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut revoked = false;
    let mut staple_usable = false;
    if let Some(stapled) = &revocation.stapled {
        match usable(stapled) {
            Ok(report) if matches!(report.status, CertStatus::Revoked { .. }) => {
                revoked = true;
                findings.push(revoked_finding("the OCSP response the server staples", report));
            }
            Ok(_) => staple_usable = true,
            Err(why) if revocation.must_staple => findings.push(Finding::at(
                Cause::MustStapleMissing,
                0,
                format!(
                    "the leaf requires a stapled OCSP response (must-staple) and the one the server \
                     sends is not usable: {why}"
                ),
            )),
            Err(why) => findings.push(Finding::at(
                Cause::OcspStapleInvalid,
                0,
                format!("the stapled OCSP response {why}"),
            )),
        }
    } else if revocation.must_staple && connection {
        findings.push(Finding::at(
            Cause::MustStapleMissing,
            0,
            "the leaf requires a stapled OCSP response (TLS Feature status_request) and the server \
             sent none",
        ));
    }
    if let Some(queried) = &revocation.queried {
        let asked = queried
            .url
            .as_deref()
            .map_or("the OCSP responder".to_string(), |u| {
                format!("the OCSP responder {u}")
            });
        match usable(queried) {
            Ok(report) if matches!(report.status, CertStatus::Revoked { .. }) => {
                if !revoked {
                    findings.push(revoked_finding(&asked, report));
                }
            }
            Ok(_) => {}
            // A staple that says "good" already answered the question.
            Err(_) if staple_usable => {}
            Err(why) => {
                let what = match (&queried.response, &queried.error) {
                    (None, Some(error)) => format!("no revocation status: {error}"),
                    _ => format!("{asked} answered, but its response {why}"),
                };
                findings.push(Finding::at(
                    Cause::RevocationUnknown,
                    0,
                    format!("{what}; the certificate may or may not be revoked"),
                ));
            }
        }
    }
    findings
}

/// The response when its status can be relied on; otherwise what is wrong with it ("is
/// stale: ..."), as the end of a sentence about it. A revoked answer that is only out of date
/// still counts: revocation is permanent.
fn usable(outcome: &Outcome) -> Result<&OcspReport, String> {
    let report = match (&outcome.response, &outcome.error) {
        (Some(report), _) => report,
        (None, Some(error)) => return Err(format!("could not be read: {error}")),
        (None, None) => return Err("is missing".to_string()),
    };
    let revoked = matches!(report.status, CertStatus::Revoked { .. });
    let defects: Vec<String> = report
        .problems
        .iter()
        .filter(|p| p.is_defect())
        .filter(|p| !(revoked && matches!(p, OcspProblem::Stale { .. })))
        .map(ToString::to_string)
        .collect();
    if !defects.is_empty() {
        return Err(format!("cannot be relied on: {}", defects.join("; ")));
    }
    if report.status == CertStatus::Unknown {
        return Err(
            "says \"unknown\": the responder does not know this certificate (often: it is not \
             this CA's responder)"
                .to_string(),
        );
    }
    Ok(report)
}

fn revoked_finding(source: &str, report: &OcspReport) -> Finding {
    let CertStatus::Revoked { time, reason } = &report.status else {
        return Finding::at(Cause::Revoked, 0, format!("{source} says it is revoked"));
    };
    let reason = reason.map_or(String::new(), |r| format!(", reason {r}"));
    Finding::at(
        Cause::Revoked,
        0,
        format!(
            "{source} says serial {} was revoked at {}{reason} (response produced at {})",
            report.serial,
            rfc3339(*time),
            rfc3339(report.produced_at)
        ),
    )
}
