//! The report: one serialisable model that every renderer reads.
//!
//! The JSON output is this model as-is (see docs/json-schema.md); the human renderer prints the
//! same fields. Catalog words (title, explanation, fix) are copied in from `causes`, so no
//! renderer types a message of its own.

pub mod human;
pub mod json;

use crate::capture::Negotiated;
use crate::chain::{Certificate, San};
use crate::checks::Finding;
use crate::diagnosis::{Diagnosis, Verdict};
use crate::trust::{AnchorInfo, TrustStore};
use serde::Serialize;
use std::net::SocketAddr;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Bumped only when a field changes meaning or disappears; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole output of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub targets: Vec<TargetReport>,
}

impl Report {
    pub fn new(targets: Vec<TargetReport>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            targets,
        }
    }

    /// 1 if any target has an error, else 3 if any was unreachable, else 0.
    pub fn exit_code(&self) -> u8 {
        let verdicts = || self.targets.iter().map(|t| t.verdict);
        if verdicts().any(|v| v == Verdict::Error) {
            1
        } else if verdicts().any(|v| v == Verdict::Unreachable) {
            3
        } else {
            0
        }
    }
}

/// Where the chain came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Network,
    File,
}

/// Everything about one target.
#[derive(Clone, Debug, Serialize)]
pub struct TargetReport {
    /// The target as given: `host:port` or the file path.
    pub target: String,
    pub source: Source,
    /// The name matched against the certificate (and sent as SNI), if any.
    pub name: Option<String>,
    /// The evaluation instant (RFC 3339): now, or `--at`.
    pub checked_at: String,
    pub verdict: Verdict,
    pub connection: Option<ConnectionReport>,
    pub trust: TrustReport,
    pub chain: Vec<CertReport>,
    /// Worst first.
    pub findings: Vec<FindingReport>,
}

/// What the TLS connection negotiated.
#[derive(Clone, Debug, Serialize)]
pub struct ConnectionReport {
    /// The address connected to, once a TCP connection was made.
    pub address: Option<String>,
    /// The SNI sent (none for IP addresses).
    pub sni: Option<String>,
    pub tls_version: Option<String>,
    pub cipher_suite: Option<String>,
    pub key_exchange: Option<String>,
    pub alpn: Option<String>,
    pub ocsp_stapled: bool,
}

/// The trust store used and where the chain leads in it.
#[derive(Clone, Debug, Serialize)]
pub struct TrustReport {
    pub store: String,
    pub roots: usize,
    /// The chain leads, by verified signatures, to a root in this store.
    pub trusted: bool,
    pub anchor: Option<AnchorReport>,
    /// Indices of the presented certificates on the path from the leaf up.
    pub path: Vec<usize>,
    /// Whether rustls-webpki accepts the chain (and name) at `checked_at`.
    pub verified: bool,
    /// webpki's reason when it does not.
    pub verifier_error: Option<String>,
}

/// The root a chain ends at.
#[derive(Clone, Debug, Serialize)]
pub struct AnchorReport {
    pub subject: String,
    pub spki_sha256: String,
    pub cert_sha256: Option<String>,
}

impl From<AnchorInfo> for AnchorReport {
    fn from(info: AnchorInfo) -> Self {
        AnchorReport {
            subject: info.subject,
            spki_sha256: info.spki_sha256,
            cert_sha256: info.cert_sha256,
        }
    }
}

/// One presented certificate. Fields are null when the certificate could not be parsed.
#[derive(Clone, Debug, Serialize)]
pub struct CertReport {
    pub index: usize,
    /// `leaf`, `intermediate`, `root` (self-signed) or `unparseable`.
    pub role: &'static str,
    pub sha256: String,
    pub size: usize,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub serial: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    /// Whole days from `checked_at` to `not_after` (negative once expired).
    pub days_left: Option<i64>,
    pub sans: Vec<String>,
    pub key: Option<KeyReport>,
    pub signature_algorithm: Option<String>,
    pub is_ca: Option<bool>,
    pub path_len: Option<u32>,
    pub key_usage: Option<Vec<String>>,
    pub extended_key_usage: Option<Vec<String>>,
    pub self_signed: Option<bool>,
    /// The presented certificate whose key verifiably signed this one.
    pub issued_by: Option<usize>,
    pub on_path: bool,
    pub ca_issuers: Vec<String>,
    pub ocsp: Vec<String>,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    pub parse_error: Option<String>,
}

/// A public key described.
#[derive(Clone, Debug, Serialize)]
pub struct KeyReport {
    pub algorithm: String,
    pub bits: Option<u32>,
    pub curve: Option<String>,
}

/// One finding with its catalog words.
#[derive(Clone, Debug, Serialize)]
pub struct FindingReport {
    pub cause: &'static str,
    pub severity: &'static str,
    /// Who must act: server, client, certificate, either, network or none.
    pub side: &'static str,
    pub cert_index: Option<usize>,
    /// The subject of that certificate, for readers who do not count indices.
    pub subject: Option<String>,
    pub title: &'static str,
    pub detail: String,
    pub explanation: &'static str,
    pub fix: &'static str,
}

/// RFC 3339, UTC, whole seconds.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// The parts a target report is made from.
pub struct Parts<'a> {
    pub target: String,
    pub source: Source,
    pub name: Option<String>,
    pub now: OffsetDateTime,
    pub store: &'a TrustStore,
    pub connection: Option<ConnectionReport>,
}

impl ConnectionReport {
    /// Describes a connection from what capture recorded.
    pub fn new(
        address: Option<SocketAddr>,
        sni: Option<String>,
        negotiated: Option<&Negotiated>,
        ocsp_stapled: bool,
    ) -> ConnectionReport {
        ConnectionReport {
            address: address.map(|a| a.to_string()),
            sni,
            tls_version: negotiated.map(|n| n.version.clone()),
            cipher_suite: negotiated.map(|n| n.cipher_suite.clone()),
            key_exchange: negotiated.and_then(|n| n.key_exchange.clone()),
            alpn: negotiated.and_then(|n| n.alpn.clone()),
            ocsp_stapled,
        }
    }
}

impl TargetReport {
    /// A target whose chain could not be had: only the failure is known.
    pub fn unreachable(parts: Parts<'_>, failure: Finding) -> TargetReport {
        TargetReport {
            target: parts.target,
            source: parts.source,
            name: parts.name,
            checked_at: rfc3339(parts.now),
            verdict: Verdict::Unreachable,
            connection: parts.connection,
            trust: TrustReport {
                store: parts.store.name(),
                roots: parts.store.len(),
                trusted: false,
                anchor: None,
                path: Vec::new(),
                verified: false,
                verifier_error: None,
            },
            chain: Vec::new(),
            findings: vec![finding_report(&failure, &[])],
        }
    }

    /// A target whose chain was diagnosed; `extra` holds connection findings.
    pub fn diagnosed(
        parts: Parts<'_>,
        diagnosis: &Diagnosis,
        extra: Option<Finding>,
    ) -> TargetReport {
        let mut findings = diagnosis.findings.clone();
        findings.extend(extra);
        findings.sort_by_key(|f| f.cause.severity());
        let certs = &diagnosis.chain.certs;
        let anchor = match diagnosis.path.end {
            crate::chain::path::PathEnd::Anchor(a) => Some(parts.store.describe(a).into()),
            _ => None,
        };
        let verifier_error = match (&diagnosis.verification.chain, &diagnosis.verification.name) {
            (Err(e), _) | (Ok(_), Some(Err(e))) => Some(e.to_string()),
            _ => None,
        };
        TargetReport {
            target: parts.target,
            source: parts.source,
            name: parts.name,
            checked_at: rfc3339(parts.now),
            verdict: Verdict::of(&findings),
            connection: parts.connection,
            trust: TrustReport {
                store: parts.store.name(),
                roots: parts.store.len(),
                trusted: anchor.is_some(),
                anchor,
                path: diagnosis.path.certs.clone(),
                verified: verifier_error.is_none(),
                verifier_error,
            },
            chain: certs
                .iter()
                .map(|c| cert_report(c, diagnosis, parts.now))
                .collect(),
            findings: findings.iter().map(|f| finding_report(f, certs)).collect(),
        }
    }
}

fn finding_report(finding: &Finding, certs: &[Certificate]) -> FindingReport {
    let entry = finding.cause.entry();
    FindingReport {
        cause: entry.id,
        severity: entry.severity.as_str(),
        side: entry.side.as_str(),
        cert_index: finding.cert_index,
        subject: finding
            .cert_index
            .and_then(|i| certs.get(i))
            .and_then(|c| c.facts())
            .map(|f| f.subject.clone()),
        title: entry.title,
        detail: finding.detail.clone(),
        explanation: entry.explanation,
        fix: entry.fix,
    }
}

fn cert_report(cert: &Certificate, diagnosis: &Diagnosis, now: OffsetDateTime) -> CertReport {
    let facts = cert.facts();
    let role = match facts {
        None => "unparseable",
        Some(_) if cert.index == 0 => "leaf",
        Some(f) if f.self_signed => "root",
        Some(_) => "intermediate",
    };
    let issued_by = diagnosis
        .chain
        .issuers_of(cert.index)
        .find(|l| l.status == crate::chain::signature::SignatureStatus::Valid)
        .map(|l| l.issuer);
    CertReport {
        index: cert.index,
        role,
        sha256: cert.sha256.clone(),
        size: cert.der.len(),
        subject: facts.map(|f| f.subject.clone()),
        issuer: facts.map(|f| f.issuer.clone()),
        serial: facts.map(|f| f.serial.clone()),
        not_before: facts.map(|f| rfc3339(f.not_before)),
        not_after: facts.map(|f| rfc3339(f.not_after)),
        days_left: facts.map(|f| f.days_left(now)),
        sans: facts
            .and_then(|f| f.sans.as_ref())
            .map(|s| s.iter().map(San::to_string).collect())
            .unwrap_or_default(),
        key: facts.map(|f| KeyReport {
            algorithm: f.key.algorithm.name(),
            bits: f.key.bits,
            curve: f.key.curve.clone(),
        }),
        signature_algorithm: facts.map(|f| f.signed.kind.name()),
        is_ca: facts.map(|f| f.is_ca()),
        path_len: facts
            .and_then(|f| f.basic_constraints)
            .and_then(|b| b.path_len),
        key_usage: facts
            .and_then(|f| f.key_usage.as_ref())
            .map(|k| k.iter().map(|s| s.to_string()).collect()),
        extended_key_usage: facts.and_then(|f| f.eku.clone()),
        self_signed: facts.map(|f| f.self_signed),
        issued_by,
        on_path: diagnosis.path.certs.contains(&cert.index),
        ca_issuers: facts.map(|f| f.ca_issuers.clone()).unwrap_or_default(),
        ocsp: facts.map(|f| f.ocsp.clone()).unwrap_or_default(),
        subject_key_id: facts.and_then(|f| f.ski.clone()),
        authority_key_id: facts.and_then(|f| f.aki.clone()),
        parse_error: cert.facts.as_ref().err().cloned(),
    }
}
