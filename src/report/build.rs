//! Building the report model from what the pipeline learnt.

use super::{
    AnchorReport, CertReport, ClientAuthReport, ConnectionReport, DownloadReport, FindingReport,
    FixStep, KeyReport, LocationReport, NegotiatedReport, RepairReport, Source, StarttlsReport,
    StoreReport, TargetReport, TrustReport, rfc3339,
};
use crate::capture::client_auth::{ClientAuth, Response};
use crate::capture::{Capture, Failure, Negotiated};
use crate::causes::Severity;
use crate::chain::Chain;
use crate::chain::path::PathEnd;
use crate::chain::signature::SignatureStatus;
use crate::chain::{Certificate, San};
use crate::checks::Finding;
use crate::checks::client::name_text;
use crate::checks::connection::alert_label;
use crate::clients::judge::{ClientReport, Outcome};
use crate::diagnosis::{Diagnosis, StoreEval, Verdict};
use crate::software::ServerSoftware;
use crate::trust::{StoreSource, TrustStore};
use std::net::SocketAddr;
use time::OffsetDateTime;

/// The parts a target report is made from besides the diagnosis.
#[derive(Clone, Debug)]
pub struct Parts {
    pub target: String,
    pub source: Source,
    pub name: Option<String>,
    pub now: OffsetDateTime,
    /// Store names, for reports made before any store was loaded.
    pub store_names: Vec<String>,
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
            proxy: None,
            starttls: None,
            handshake_seconds: None,
            negotiated: negotiated.map(|n| NegotiatedReport {
                tls_version: n.version.clone(),
                cipher_suite: n.cipher_suite.clone(),
                key_exchange: n.key_exchange.clone(),
                alpn: n.alpn.clone(),
            }),
            server_software: None,
        }
    }

    /// Adds what the route did: the proxy and the STARTTLS exchange.
    pub fn with_route(mut self, capture: &Capture) -> ConnectionReport {
        self.proxy = capture.proxy.clone();
        self.handshake_seconds = capture.handshake.map(|d| d.as_secs_f64());
        self.starttls = capture.starttls.map(|protocol| {
            let (upgraded, transcript) = match (&capture.upgrade, &capture.failure) {
                (Some(upgrade), _) => (true, &upgrade.transcript),
                (None, Some(Failure::Starttls(_, error))) => (false, error.transcript()),
                (None, _) => (false, &crate::starttls::Transcript::default()),
            };
            StarttlsReport {
                protocol,
                upgraded,
                transcript: transcript.lines.clone(),
            }
        });
        self.server_software = capture
            .http_server
            .as_deref()
            .and_then(ServerSoftware::from_http_header)
            .or_else(|| {
                let starttls = self.starttls.as_ref()?;
                ServerSoftware::from_transcript(starttls.protocol, &starttls.transcript)
            });
        self
    }
}

impl TargetReport {
    /// Makes the verdict the chosen clients' (`error` when one of them fails) and says of each
    /// finding which of them it makes fail. An error no chosen client fails on stays listed, as
    /// a warning that says who does refuse it, so the rule is not silently dropped; while any
    /// client's outcome is unknown, errors stay errors.
    pub fn judged_for(&mut self, clients: Vec<ClientReport>) {
        self.clients = clients;
        if self.clients.is_empty() || self.verdict == Verdict::Unreachable {
            return;
        }
        let determined = self.clients.iter().all(|c| c.outcome != Outcome::Unknown);
        for finding in &mut self.findings {
            finding.refused_by = self
                .clients
                .iter()
                .filter(|c| c.outcome == Outcome::Fail && c.causes.contains(&finding.cause))
                .map(|c| c.id.clone())
                .collect();
            if determined
                && finding.severity == Severity::Error.as_str()
                && finding.refused_by.is_empty()
            {
                finding.severity = Severity::Warning.as_str();
                finding.detail.push_str(
                    " (an error for tlsdoctor's own client, rustls; none of the clients judged \
                     here refuses it)",
                );
            }
        }
        // A cause only some chosen clients have (an Ed25519 key for the browsers) gets a
        // finding of its own, so that its fix is shown too.
        for client in self.clients.iter().filter(|c| c.outcome == Outcome::Fail) {
            for (cause, why) in &client.why {
                if self.findings.iter().any(|f| f.cause == cause.id()) {
                    continue;
                }
                let refused_by: Vec<String> = self
                    .clients
                    .iter()
                    .filter(|c| c.outcome == Outcome::Fail && c.causes.contains(&cause.id()))
                    .map(|c| c.id.clone())
                    .collect();
                let detail = format!("for {}: {why}", refused_by.join(", "));
                let mut report = finding_report(&Finding::new(*cause, detail), &[]);
                report.refused_by = refused_by;
                self.findings.push(report);
            }
        }
        let order = |f: &FindingReport| match f.severity {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        self.findings.sort_by_key(order);
        let failed = self.clients.iter().any(|c| c.outcome == Outcome::Fail)
            || self.findings.iter().any(|f| f.severity == "error");
        let warned = self.clients.iter().any(|c| c.outcome == Outcome::Warning)
            || self.findings.iter().any(|f| f.severity == "warning");
        self.verdict = if failed {
            Verdict::Error
        } else if warned {
            Verdict::Warning
        } else {
            Verdict::Ok
        };
    }

    /// A target whose chain could not be had: only the failure is known.
    pub fn unreachable(parts: Parts, failure: Finding) -> TargetReport {
        TargetReport {
            target: parts.target,
            source: parts.source,
            name: parts.name,
            checked_at: rfc3339(parts.now),
            verdict: Verdict::Unreachable,
            connection: parts.connection,
            trust: TrustReport {
                store: parts.store_names.join(", "),
                roots: 0,
                trusted: false,
                anchor: None,
                path: Vec::new(),
                verified: false,
                verifier_error: None,
            },
            stores: Vec::new(),
            chain: Vec::new(),
            fetched: Vec::new(),
            downloads: Vec::new(),
            repair: None,
            client_auth: None,
            revocation: None,
            ct: None,
            findings: vec![finding_report(&failure, &[])],
            clients: Vec::new(),
        }
    }

    /// A target whose chain was diagnosed; `extra` holds a connection finding, if any.
    pub fn diagnosed(
        parts: Parts,
        diagnosis: &Diagnosis,
        extra: Vec<Finding>,
        repair: Option<RepairReport>,
    ) -> TargetReport {
        let mut findings = diagnosis.findings.clone();
        findings.extend(extra);
        findings.sort_by_key(|f| f.cause.severity());
        let chain = &diagnosis.chain;
        let stores: Vec<StoreReport> = diagnosis
            .evals
            .iter()
            .map(|eval| store_report(&diagnosis.stores[eval.store], eval))
            .collect();
        let lead = &stores[diagnosis.primary];
        let certs: Vec<CertReport> = chain
            .certs
            .iter()
            .map(|c| cert_report(c, diagnosis, parts.now))
            .collect();
        let (presented, fetched) = certs.split_at(chain.presented);
        TargetReport {
            target: parts.target,
            source: parts.source,
            name: parts.name,
            checked_at: rfc3339(parts.now),
            verdict: Verdict::of(&findings),
            connection: parts.connection,
            trust: TrustReport {
                store: lead.store.clone(),
                roots: lead.roots,
                trusted: lead.trusted,
                anchor: lead.anchor.clone(),
                path: diagnosis.path().certs.clone(),
                verified: lead.verified,
                verifier_error: lead.verifier_error.clone(),
            },
            chain: presented.to_vec(),
            fetched: fetched.to_vec(),
            downloads: diagnosis
                .attempts
                .iter()
                .map(|a| DownloadReport {
                    url: a.url.clone(),
                    for_index: a.for_index,
                    certificates: a.outcome.issuers(),
                    error: a.outcome.error().map(str::to_string),
                })
                .collect(),
            repair,
            client_auth: None,
            revocation: None,
            // Nothing to say about CT for a leaf without SCTs that no policy binds.
            ct: (!diagnosis.ct.scts.is_empty() || diagnosis.ct.outcomes.iter().any(|o| o.applies))
                .then(|| super::CtReport {
                    policies: diagnosis.ct.outcomes.clone(),
                    notes: diagnosis.ct.notes.clone(),
                }),
            stores,
            findings: findings
                .iter()
                .map(|f| finding_report(f, &chain.certs))
                .collect(),
            clients: Vec::new(),
        }
    }
}

fn store_report(store: &TrustStore, eval: &StoreEval) -> StoreReport {
    let anchor = match eval.path.end {
        PathEnd::Anchor(a) => Some(AnchorReport::from(store.describe(a))),
        _ => None,
    };
    let verifier_error = match (&eval.verification.chain, &eval.verification.name) {
        (Err(e), _) | (Ok(_), Some(Err(e))) => Some(e.to_string()),
        _ => None,
    };
    StoreReport {
        store: store.name(),
        kind: store.kind(),
        roots: store.len(),
        trusted: anchor.is_some(),
        anchor,
        verified: verifier_error.is_none(),
        verifier_error,
        location: store.system_origin().map(|o| LocationReport {
            file: o.file.as_ref().map(|f| f.display().to_string()),
            dirs: o.dirs.iter().map(|d| d.display().to_string()).collect(),
            env: o.env.clone(),
            platform: o.platform,
            problems: o.problems.clone(),
        }),
        snapshot: match &store.source {
            StoreSource::Program { snapshot, .. } => Some(snapshot.clone()),
            _ => None,
        },
    }
}

impl FindingReport {
    /// A finding about no particular certificate of a chain.
    pub fn plain(finding: &Finding) -> FindingReport {
        finding_report(finding, &[])
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
        fix_steps: FixStep::of(entry),
        avoid: (!entry.avoid.is_empty()).then_some(entry.avoid),
        refused_by: Vec::new(),
    }
}

fn cert_report(cert: &Certificate, diagnosis: &Diagnosis, now: OffsetDateTime) -> CertReport {
    let on_path = diagnosis.path().certs.contains(&cert.index);
    let mut report = describe_cert(cert, issued_by(cert, diagnosis), on_path, now);
    if cert.index == 0 && !diagnosis.chain.is_fetched(0) {
        report.scts = super::SctReport::of(&diagnosis.ct);
    }
    report
}

/// A certificate as the report shows it.
fn describe_cert(
    cert: &Certificate,
    issued_by: Option<usize>,
    on_path: bool,
    now: OffsetDateTime,
) -> CertReport {
    let facts = cert.facts();
    let role = match facts {
        None => "unparseable",
        Some(_) if cert.index == 0 => "leaf",
        Some(f) if f.self_signed => "root",
        Some(_) => "intermediate",
    };
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
        on_path,
        ca_issuers: facts.map(|f| f.ca_issuers.clone()).unwrap_or_default(),
        ocsp: facts.map(|f| f.ocsp.clone()).unwrap_or_default(),
        subject_key_id: facts.and_then(|f| f.ski.clone()),
        authority_key_id: facts.and_then(|f| f.aki.clone()),
        parse_error: cert.facts.as_ref().err().cloned(),
        fetched_from: cert.fetched_from.clone(),
        scts: Vec::new(),
    }
}

impl ClientAuthReport {
    /// Describes what happened on the client-certificate side of a connection.
    pub fn new(
        auth: &ClientAuth,
        failure: Option<&Failure>,
        chain: Option<&Chain>,
        now: OffsetDateTime,
    ) -> ClientAuthReport {
        let during = match failure {
            Some(Failure::Tls(rustls::Error::AlertReceived(a))) if auth.requested => Some(format!(
                "alert {} during the handshake",
                alert_label(u8::from(*a))
            )),
            Some(Failure::Io(e)) if auth.requested => {
                Some(format!("dropped the connection during the handshake ({e})"))
            }
            _ => None,
        };
        let after = auth.response.as_ref().map(|response| match response {
            Response::Alert(a) => {
                format!("alert {} after the handshake", alert_label(u8::from(*a)))
            }
            Response::Http { text, .. } => text.clone(),
            Response::Data => "went on with application data (accepted)".to_string(),
            Response::Closed => {
                "closed the connection without an alert (no sign of a refusal)".to_string()
            }
            Response::Silent => "no complaint after the handshake (accepted)".to_string(),
        });
        let server_response = during.or(after);
        ClientAuthReport {
            requested: auth.requested,
            required: crate::checks::client::required(auth, failure),
            acceptable_cas: auth.acceptable_cas.iter().map(|n| name_text(n)).collect(),
            signature_schemes: auth
                .signature_schemes
                .iter()
                .map(|s| s.as_str().map_or_else(|| format!("{s:?}"), str::to_string))
                .collect(),
            certificate_sent: auth.sent_certificate,
            server_response,
            chain: chain
                .map(|chain| {
                    chain
                        .certs
                        .iter()
                        .map(|c| {
                            let issuer = chain
                                .issuers_of(c.index)
                                .find(|l| l.status == SignatureStatus::Valid)
                                .map(|l| l.issuer);
                            describe_cert(c, issuer, true, now)
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The presented certificate whose key signed this one. On the path that is the next one (or,
/// at the top, a presented copy of the anchor), which spares checking every signature again.
fn issued_by(cert: &Certificate, diagnosis: &Diagnosis) -> Option<usize> {
    let path = diagnosis.path();
    if let Some(position) = path.certs.iter().position(|&i| i == cert.index) {
        if let Some(&next) = path.certs.get(position + 1) {
            return Some(next);
        }
        match path.end {
            PathEnd::Anchor(anchor) => {
                let store = diagnosis.store();
                return diagnosis.chain.certs.iter().position(|c| {
                    c.facts().is_some_and(|f| {
                        store.find_certificate(&f.subject_der, &f.spki_der) == Some(anchor)
                    })
                });
            }
            PathEnd::SelfSigned => return None,
            _ => {}
        }
    }
    diagnosis
        .chain
        .issuers_of(cert.index)
        .find(|l| l.status == SignatureStatus::Valid)
        .map(|l| l.issuer)
}
