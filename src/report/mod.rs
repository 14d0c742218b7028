//! The report: one serialisable model that every renderer reads.
//!
//! The JSON output is this model as-is (see docs/json-schema.md); the human renderer prints the
//! same fields. Catalog words (title, explanation, fix) are copied in from `causes`, so no
//! renderer types a message of its own.

mod build;
mod chain_view;
pub mod clients;
pub mod explain;
pub mod human;
pub mod json;
pub mod prometheus;
pub mod schema;
mod sct_view;
pub mod trust;

pub use build::Parts;

use crate::diagnosis::Verdict;
use crate::trust::AnchorInfo;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Bumped only when a field changes meaning or disappears; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 2;

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

    /// The exit code for these targets; see [`Summary::exit_code`].
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        let mut summary = Summary::default();
        self.targets.iter().for_each(|t| summary.add(t));
        summary.exit_code(fail_on)
    }
}

/// What makes the exit code non-zero (`--fail-on`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    /// An error finding (exit 1) or an unreachable target (exit 3).
    #[default]
    Error,
    /// A warning too (exit 1).
    Warning,
    /// Nothing: exit 0 whatever was found (2 still means the run itself failed).
    Never,
}

/// Targets counted per verdict, kept while reports stream past.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub ok: usize,
    pub warning: usize,
    pub error: usize,
    pub unreachable: usize,
    /// Files asked for (--fix-chain, --save-root) that were not written.
    pub unwritten: usize,
}

impl Summary {
    /// Counts one target.
    pub fn add(&mut self, target: &TargetReport) {
        match target.verdict {
            Verdict::Ok => self.ok += 1,
            Verdict::Warning => self.warning += 1,
            Verdict::Error => self.error += 1,
            Verdict::Unreachable => self.unreachable += 1,
        }
        if let Some(repair) = &target.repair {
            self.unwritten += [&repair.fixed_chain, &repair.saved_root]
                .into_iter()
                .flatten()
                .filter(|f| !f.written)
                .count();
        }
    }

    /// How many targets were counted.
    pub fn total(&self) -> usize {
        self.ok + self.warning + self.error + self.unreachable
    }

    /// 2 if a file asked for was not written; else 1 if a target fails `fail_on`; else 3 if a
    /// target was unreachable (unless `fail_on` is never); else 0.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        let failed = match fail_on {
            FailOn::Error => self.error > 0,
            FailOn::Warning => self.error + self.warning > 0,
            FailOn::Never => false,
        };
        if self.unwritten > 0 {
            2
        } else if failed {
            1
        } else if self.unreachable > 0 && fail_on != FailOn::Never {
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
    /// The leading trust store's view: the first store that trusts the chain, else the first.
    pub trust: TrustReport,
    /// Every trust store and how it judges the chain (empty when unreachable).
    pub stores: Vec<StoreReport>,
    /// The certificates as presented.
    pub chain: Vec<CertReport>,
    /// Issuers the server did not send, downloaded from "CA Issuers" URLs to complete the path.
    pub fetched: Vec<CertReport>,
    /// Every download attempted.
    pub downloads: Vec<DownloadReport>,
    /// Files written by --fix-chain / --save-root, when asked for.
    pub repair: Option<RepairReport>,
    /// Client certificates (mutual TLS): when the server asked for one or `--cert` was given.
    pub client_auth: Option<ClientAuthReport>,
    /// What the stapled and the queried OCSP responses say about the leaf; null when no chain
    /// was diagnosed.
    pub revocation: Option<crate::revocation::Revocation>,
    /// What the Certificate Transparency policies make of the leaf's SCTs (listed under the
    /// leaf); null when no chain was diagnosed, or when the leaf has no SCTs and no policy binds
    /// it (a private root's certificate without SCTs).
    pub ct: Option<CtReport>,
    /// Worst first.
    pub findings: Vec<FindingReport>,
    /// The outcome for each client profile judged (`--clients`); empty when none was asked.
    pub clients: Vec<crate::clients::judge::ClientReport>,
}

/// The client-certificate side of the connection (mutual TLS).
#[derive(Clone, Debug, Serialize)]
pub struct ClientAuthReport {
    /// The server asked for a client certificate.
    pub requested: bool,
    /// Whether it refused to go on without one; `null` when a certificate was sent.
    pub required: Option<bool>,
    /// The CA names the server said it accepts (may be empty: then it names none).
    pub acceptable_cas: Vec<String>,
    /// The signature schemes it accepts for the client's proof.
    pub signature_schemes: Vec<String>,
    pub certificate_sent: bool,
    /// What the server did after the client's part of the handshake.
    pub server_response: Option<String>,
    /// The client's chain from `--cert` (the key is never reported).
    pub chain: Vec<CertReport>,
}

/// One trust store's judgement.
#[derive(Clone, Debug, Serialize)]
pub struct StoreReport {
    pub store: String,
    /// `mozilla`, `system`, `program` or `file`.
    pub kind: &'static str,
    pub roots: usize,
    pub trusted: bool,
    pub anchor: Option<AnchorReport>,
    pub verified: bool,
    pub verifier_error: Option<String>,
    /// For the system store: what was read and why.
    pub location: Option<LocationReport>,
    /// For a bundled root program: the date of its data, so a verdict says how old its list is.
    pub snapshot: Option<String>,
}

/// What the system store was read from.
#[derive(Clone, Debug, Serialize)]
pub struct LocationReport {
    pub file: Option<String>,
    pub dirs: Vec<String>,
    /// The environment variables that chose it (`SSL_CERT_FILE=...`); empty for the defaults.
    pub env: Vec<String>,
    /// The operating system's store (macOS, Windows) was read.
    pub platform: bool,
    pub problems: Vec<String>,
}

/// One download of a missing issuer.
#[derive(Clone, Debug, Serialize)]
pub struct DownloadReport {
    pub url: String,
    /// The certificate whose issuer was sought.
    pub for_index: usize,
    /// Issuer certificates obtained (0 on failure).
    pub certificates: usize,
    pub error: Option<String>,
}

/// What --fix-chain and --save-root wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RepairReport {
    pub fixed_chain: Option<WrittenFile>,
    pub saved_root: Option<WrittenFile>,
}

/// A file tlsdoctor was asked to write.
#[derive(Clone, Debug, Serialize)]
pub struct WrittenFile {
    pub path: String,
    pub written: bool,
    /// Subjects and SHA-256 fingerprints of the certificates in it, in order.
    pub subjects: Vec<String>,
    pub sha256: Vec<String>,
    /// Why nothing was written.
    pub error: Option<String>,
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
    /// The proxy the connection was tunnelled through, and where that setting came from.
    pub proxy: Option<String>,
    /// The plain-text exchange before TLS, for STARTTLS protocols.
    pub starttls: Option<StarttlsReport>,
    /// Seconds from the ClientHello to the end of the handshake, when it completed.
    pub handshake_seconds: Option<f64>,
    /// The version, suite, group and ALPN together (the same values as the flat fields above);
    /// null when no handshake completed.
    pub negotiated: Option<NegotiatedReport>,
    /// The server software, as the server announced it (HTTP `Server` header, greeting,
    /// protocol); null when it said nothing about it.
    pub server_software: Option<crate::software::ServerSoftware>,
}

/// What the handshake settled on.
#[derive(Clone, Debug, Serialize)]
pub struct NegotiatedReport {
    pub tls_version: String,
    pub cipher_suite: String,
    pub key_exchange: Option<String>,
    pub alpn: Option<String>,
}

/// A STARTTLS upgrade: the protocol, whether the server agreed, and what was said.
#[derive(Clone, Debug, Serialize)]
pub struct StarttlsReport {
    pub protocol: crate::starttls::Protocol,
    /// The server agreed and the TLS handshake started.
    pub upgraded: bool,
    /// "S: ..." and "C: ..." lines, shortened and escaped.
    pub transcript: Vec<String>,
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
    /// For downloaded issuers: the URL it came from.
    pub fetched_from: Option<String>,
    /// The Signed Certificate Timestamps it came with (embedded, or delivered for the leaf).
    pub scts: Vec<SctReport>,
}

/// One Signed Certificate Timestamp and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct SctReport {
    /// The log's name in the log list; null when the list does not know the log.
    pub log: Option<String>,
    pub operator: Option<String>,
    /// The log id (SHA-256 of its key), base64.
    pub log_id: String,
    /// RFC 3339, to the second; null for a date no calendar holds.
    pub timestamp: Option<String>,
    pub source: crate::ct::SctSource,
    pub status: crate::ct::verify::SctStatus,
}

/// The CT policies' outcomes for the leaf, and what the SCT list could not show.
#[derive(Clone, Debug, Serialize)]
pub struct CtReport {
    pub policies: Vec<crate::checks::ct::PolicyOutcome>,
    pub notes: Vec<String>,
}

impl SctReport {
    /// The report of each judged SCT, in order.
    pub fn of(judgement: &crate::checks::ct::CtJudgement) -> Vec<SctReport> {
        judgement
            .scts
            .iter()
            .map(|s| SctReport {
                log: s.log.as_ref().map(|l| l.0.clone()),
                operator: s.log.as_ref().map(|l| l.1.clone()),
                log_id: s.sct.log_id_base64(),
                timestamp: s.sct.timestamp().map(rfc3339),
                source: s.sct.source,
                status: s.status,
            })
            .collect()
    }
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
    /// The fix step by step for each platform or server where it matters.
    pub fix_steps: Vec<FixStep>,
    /// The tempting wrong fixes, when there are any.
    pub avoid: Option<&'static str>,
    /// The judged clients (`--clients`) this finding makes fail; empty when none was judged.
    pub refused_by: Vec<String>,
}

/// One platform's way of applying a fix.
#[derive(Clone, Debug, Serialize)]
pub struct FixStep {
    pub platform: &'static str,
    pub step: &'static str,
}

impl FixStep {
    /// A catalog entry's steps, in the catalog's order.
    pub fn of(entry: &crate::causes::CauseEntry) -> Vec<FixStep> {
        entry
            .platforms
            .iter()
            .map(|&(platform, step)| FixStep { platform, step })
            .collect()
    }
}

/// RFC 3339, UTC, whole seconds.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}
