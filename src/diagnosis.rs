//! From a presented chain to findings: model it, ask the verifier, run the checks, and make
//! sure the verdict is never kinder than the verifier's.

use crate::causes::{Cause, Severity};
use crate::chain::Chain;
use crate::chain::path::Path;
use crate::checks::{self, Context, Finding};
use crate::trust::TrustStore;
use crate::verify::Verification;
use rustls::pki_types::{CertificateDer, ServerName};
use serde::Serialize;
use time::OffsetDateTime;

/// The overall answer for one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No error and no warning.
    Ok,
    /// Works for mainstream clients today, but something needs attention.
    Warning,
    /// A mainstream client rejects this target.
    Error,
    /// No chain could be obtained.
    Unreachable,
}

impl Verdict {
    /// The verdict a set of findings on a captured chain implies.
    pub fn of(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.cause.severity()).min() {
            Some(Severity::Error) => Verdict::Error,
            Some(Severity::Warning) => Verdict::Warning,
            _ => Verdict::Ok,
        }
    }

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warning => "warning",
            Verdict::Error => "error",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// Everything learnt about one presented chain.
pub struct Diagnosis {
    pub chain: Chain,
    pub verification: Verification,
    pub path: Path,
    /// Worst first.
    pub findings: Vec<Finding>,
}

/// The inputs of a diagnosis besides the chain.
pub struct Settings<'a> {
    pub store: &'a TrustStore,
    pub name: Option<&'a ServerName<'static>>,
    pub now: OffsetDateTime,
    pub warn_days: u32,
}

/// Diagnoses a non-empty chain, as presented.
pub fn diagnose(presented: Vec<CertificateDer<'static>>, settings: &Settings<'_>) -> Diagnosis {
    let chain = Chain::from_der(presented);
    let verification = Verification::run(&chain, settings.store, settings.name, settings.now);
    let path = match &verification.chain {
        Ok(verified) => verified.clone(),
        Err(_) => Path::build(&chain, settings.store).unwrap_or(Path {
            certs: Vec::new(),
            end: crate::chain::path::PathEnd::Unparseable,
        }),
    };
    let ctx = Context {
        chain: &chain,
        store: settings.store,
        name: settings.name,
        now: settings.now,
        warn_days: settings.warn_days,
        verification: &verification,
        path: &path,
    };
    let mut findings = checks::run_all(&ctx);
    if let Some(rejection) = unexplained_rejection(&verification, &findings) {
        findings.push(rejection);
    }
    findings.sort_by_key(|f| f.cause.severity());
    Diagnosis {
        chain,
        verification,
        path,
        findings,
    }
}

/// When webpki rejects but no check found an error, say so anyway: no false "ok".
fn unexplained_rejection(verification: &Verification, findings: &[Finding]) -> Option<Finding> {
    if findings
        .iter()
        .any(|f| f.cause.severity() == Severity::Error)
    {
        return None;
    }
    let error = match (&verification.chain, &verification.name) {
        (Err(e), _) | (Ok(_), Some(Err(e))) => e,
        _ => return None,
    };
    Some(Finding::new(
        cause_for(error),
        format!("rustls-webpki rejects the chain ({error}) and no more specific check explains it"),
    ))
}

/// The cause for a rejection no check explains. Only an unsupported algorithm is named as such:
/// for anything else a specific cause would contradict the checks that found nothing, so the
/// finding says plainly that the verifier disagrees, with its reason.
fn cause_for(error: &webpki::Error) -> Cause {
    use webpki::Error as E;
    match error {
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Cause::UnsupportedAlgorithm,
        _ => Cause::RejectedByVerifier,
    }
}
