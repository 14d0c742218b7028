//! From what a server (or a file) presented to the report: the one path every check takes, and
//! the one the fuzz targets drive.
//!
//! [`Presented::from_capture`] and [`Presented::from_file`] turn what arrived into a bounded
//! chain and the findings already known about it; [`judge`] downloads what is missing through
//! a [`Fetch`], asks about revocation, and judges. The judging is CPU work whose size a hostile
//! server chooses, so it runs on a blocking thread under the check's deadline: a slow judgement
//! holds up no other check, and one that cannot finish is reported as such. A chain small
//! enough that its judging is bounded well below that is judged where it is (see
//! [`INLINE_CERTS`]): the hand-off would cost more than the work.

use crate::causes::Cause;
use crate::chain::{Chain, MAX_CHAIN_CERTS};
use crate::checks::{self, Finding};
use crate::diagnosis::{self, Settings};
use crate::fetch::Fetch;
use crate::report::{ClientAuthReport, ConnectionReport, Parts, Source, TargetReport};
use crate::{Options, Target, aia, capture, clients, repair, revocation};
use rustls::pki_types::{CertificateDer, ServerName};
use std::time::Duration;
use tokio::time::Instant;

/// How long the judging of what arrived may run past the deadline: the network may use all of
/// `--timeout`, and what it brought must still be judged.
pub const JUDGING_GRACE: Duration = Duration::from_secs(1);

/// A chain as it arrived, cut to the size tlsdoctor examines, with what is already known.
pub struct Presented {
    /// Leaf first, at most [`MAX_CHAIN_CERTS`]; never empty.
    pub chain: Vec<CertificateDer<'static>>,
    /// A stapled OCSP response.
    pub staple: Option<Vec<u8>>,
    /// The SCT list of the TLS extension, when the chain was seen in the clear with it.
    pub tls_scts: Option<Vec<u8>>,
    /// The name clients use, when known.
    pub name: Option<ServerName<'static>>,
    pub parts: Parts,
    /// Findings from before the chain was judged: the size, the connection, the client side.
    pub extra: Vec<Finding>,
    pub client_auth: Option<ClientAuthReport>,
    /// What the server answered each client profile's ClientHello.
    pub asked: Option<capture::hello::Asked>,
}

impl Presented {
    /// What a connection attempt yielded: a chain to judge, or, when none was seen, the report
    /// of an unreachable target. A chain only the old-style probe saw is judged too.
    pub fn from_capture(
        target: &Target,
        name: ServerName<'static>,
        mut captured: capture::Capture,
        options: &Options,
    ) -> Result<Presented, Box<TargetReport>> {
        let name_text = checks::name::name_text(&name);
        // SCTs from the TLS extension: only tlsdoctor's own probe asks for them and can see
        // them (a TLS 1.2 ServerHello is in the clear), so only with the chain it saw.
        let mut tls_scts = None;
        if captured.chain.is_empty() {
            // A chain seen in the clear: the old-style probe's, else a client profile's.
            let legacy = captured.legacy.as_ref().filter(|l| !l.chain.is_empty());
            tls_scts = legacy.and_then(|l| l.scts.clone());
            let clear = legacy.or_else(|| captured.asked.as_ref().and_then(|a| a.chain()));
            captured.chain = clear.map(|l| l.chain.clone()).unwrap_or_default();
        }
        let legacy_negotiated = captured.legacy.as_ref().and_then(|l| {
            Some(capture::Negotiated {
                version: l.version_name()?,
                cipher_suite: l.cipher_suite_name()?,
                key_exchange: None,
                alpn: None,
            })
        });
        let sni = matches!(name, ServerName::DnsName(_)).then(|| name_text.clone());
        let parts = Parts {
            target: target.input.clone(),
            source: Source::Network,
            name: Some(name_text.clone()),
            now: options.now(),
            store_names: options.stores.names(),
            connection: Some(
                ConnectionReport::new(
                    captured.address,
                    sni,
                    captured.negotiated.as_ref().or(legacy_negotiated.as_ref()),
                    captured.ocsp.is_some(),
                )
                .with_route(&captured),
            ),
        };
        let failure = checks::connection::check(&target.endpoint().0, &name_text, &captured);
        if captured.chain.is_empty() {
            let failure = failure.unwrap_or_else(|| {
                Finding::new(
                    Cause::HandshakeFailure,
                    "the server presented no certificate",
                )
            });
            return Err(Box::new(TargetReport::unreachable(parts, failure)));
        }
        let client_chain = options
            .client
            .as_ref()
            .map(|c| Chain::from_der(c.chain.clone()));
        let client = checks::client::check(&checks::client::ClientContext {
            identity: options.client.as_deref(),
            chain: client_chain.as_ref(),
            auth: &captured.client_auth,
            failure: captured.failure.as_ref(),
            now: parts.now,
        });
        let mut extra = client.findings;
        if !client.explains_failure {
            extra.extend(failure);
        }
        if let Some(negotiated) = &captured.negotiated {
            extra.extend(checks::connection::beyond_defaults(negotiated));
        }
        let client_auth = (captured.client_auth.requested || options.client.is_some()).then(|| {
            ClientAuthReport::new(
                &captured.client_auth,
                captured.failure.as_ref(),
                client_chain.as_ref(),
                parts.now,
            )
        });
        let (chain, limits) = bounded(std::mem::take(&mut captured.chain));
        extra.extend(limits);
        Ok(Presented {
            chain,
            staple: captured.ocsp.take(),
            tls_scts,
            name: Some(name),
            parts,
            extra,
            client_auth,
            asked: captured.asked.take(),
        })
    }

    /// A chain read from a file, as if a server had presented it (with the server's key, when
    /// given, compared with its leaf); `None` when it holds no certificate.
    pub fn from_file(
        label: String,
        certs: Vec<CertificateDer<'static>>,
        name: Option<ServerName<'static>>,
        options: &Options,
    ) -> Option<Presented> {
        if certs.is_empty() {
            return None;
        }
        let parts = Parts {
            target: label,
            source: Source::File,
            name: name.as_ref().map(checks::name::name_text),
            now: options.now(),
            store_names: options.stores.names(),
            connection: None,
        };
        let (chain, mut extra) = bounded(certs);
        if let Some(key) = &options.server_key {
            extra.extend(checks::key::check(&chain, key));
        }
        Some(Presented {
            chain,
            staple: None,
            tls_scts: None,
            name,
            parts,
            extra,
            client_auth: None,
            asked: None,
        })
    }
}

/// Judges the chain of the whole message clients see, then cuts it to [`MAX_CHAIN_CERTS`]
/// and says so.
fn bounded(
    mut certs: Vec<CertificateDer<'static>>,
) -> (Vec<CertificateDer<'static>>, Vec<Finding>) {
    let mut findings: Vec<Finding> = checks::path::size(&certs).into_iter().collect();
    if certs.len() > MAX_CHAIN_CERTS {
        findings.push(Finding::new(
            Cause::LimitReached,
            format!(
                "the chain holds {} certificates; only the first {MAX_CHAIN_CERTS} (MAX_CHAIN_CERTS) were examined",
                certs.len()
            ),
        ));
        certs.truncate(MAX_CHAIN_CERTS);
    }
    (certs, findings)
}

/// Completes the chain through `fetch` (unless `--no-fetch`), asks about revocation, judges,
/// repairs when asked, and reports; the network part ends at `deadline`, the judging within
/// [`JUDGING_GRACE`] after it.
pub async fn judge(
    presented: Presented,
    options: &Options,
    fetch: &dyn Fetch,
    deadline: Instant,
) -> TargetReport {
    let Presented {
        chain,
        staple,
        tls_scts,
        name,
        parts,
        extra,
        client_auth,
        asked,
    } = presented;
    let (chain, attempts) = if options.fetch {
        aia::complete(chain, options.stores.stores(), fetch).await
    } else {
        (Chain::from_der(chain), Vec::new())
    };
    let query = if options.fetch {
        &options.revocation
    } else {
        &revocation::Query::Off
    };
    let mut delivered_scts: Vec<crate::ct::SctList> = staple
        .as_deref()
        .zip(chain.leaf())
        .and_then(|(staple, leaf)| revocation::staple_scts(staple, &leaf.der))
        .into_iter()
        .collect();
    delivered_scts.extend(
        tls_scts
            .as_deref()
            .map(|list| crate::ct::parse_list(list, crate::ct::SctSource::Tls)),
    );
    let revocation = revocation::learn(&chain, staple.as_deref(), query, fetch, parts.now).await;
    let judgement = Judgement {
        chain,
        attempts,
        revocation,
        name,
        parts,
        extra,
        client_auth,
        asked,
        delivered_scts,
        options: options.clone(),
    };
    let limit = deadline + JUDGING_GRACE;
    // No time left at all: start nothing that cannot finish.
    if Instant::now() >= limit {
        return judgement.unfinished(judgement.too_late());
    }
    if judged_inline(&judgement.chain, options) {
        return judge_now(judgement);
    }
    let parts = judgement.parts.clone();
    let too_late = judgement.too_late();
    let unfinished = |why: String| {
        TargetReport::unreachable(parts.clone(), Finding::new(Cause::JudgingIncomplete, why))
    };
    let judging = tokio::task::spawn_blocking(move || judge_now(judgement));
    match tokio::time::timeout_at(limit, judging).await {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => unfinished(format!("the judging stopped on an internal error: {error}")),
        Err(_) => unfinished(too_late),
    }
}

/// Certificates a chain may hold, at most, to be judged on the async thread that captured it.
pub const INLINE_CERTS: usize = 4;
/// Bytes those certificates may hold together, at most, to be judged there.
pub const INLINE_BYTES: usize = 16 * 1024;

/// Whether judging this chain is small work of a known bound, done quicker where it is than
/// handed to the blocking pool (a hand-off costs about as much CPU as judging a common chain):
/// a few certificates of ordinary size, so every parse, signature and name comparison is
/// bounded well below the grace; no client profiles or repairs, which do more; and no store
/// left to read from disk. Anything else goes to the pool, under the deadline.
fn judged_inline(chain: &Chain, options: &Options) -> bool {
    let bytes: usize = chain.certs.iter().map(|c| c.der.len()).sum();
    chain.certs.len() <= INLINE_CERTS
        && bytes <= INLINE_BYTES
        && options.clients.is_empty()
        && options.repair.fix_chain.is_none()
        && options.repair.save_root.is_none()
        && options.stores.all_read()
}

/// What the judging needs, gathered to be moved to wherever it runs.
struct Judgement {
    chain: Chain,
    attempts: Vec<aia::Attempt>,
    revocation: revocation::Revocation,
    name: Option<ServerName<'static>>,
    parts: Parts,
    extra: Vec<Finding>,
    client_auth: Option<ClientAuthReport>,
    asked: Option<capture::hello::Asked>,
    /// SCT lists from the stapled OCSP response.
    delivered_scts: Vec<crate::ct::SctList>,
    options: Options,
}

impl Judgement {
    /// Why nothing was concluded when the judging ran out of time.
    fn too_late(&self) -> String {
        format!(
            "judging the {} certificates sent and {} downloaded did not finish within --timeout \
             ({} s) and {} s more; nothing was concluded about them",
            self.chain.presented,
            self.chain.certs.len() - self.chain.presented,
            self.options.timeout.as_secs_f64(),
            JUDGING_GRACE.as_secs()
        )
    }

    /// The report of a judgement that was not made.
    fn unfinished(&self, why: String) -> TargetReport {
        TargetReport::unreachable(
            self.parts.clone(),
            Finding::new(Cause::JudgingIncomplete, why),
        )
    }
}

/// Diagnoses the chain, judges the client profiles, repairs when asked, and builds the report.
fn judge_now(judgement: Judgement) -> TargetReport {
    let Judgement {
        chain,
        attempts,
        revocation,
        name,
        parts,
        mut extra,
        client_auth,
        asked,
        delivered_scts,
        options,
    } = judgement;
    let settings = Settings {
        stores: &options.stores,
        name: name.as_ref(),
        now: parts.now,
        warn_days: options.warn_days,
        fetching: options.fetch,
        proxy: parts.connection.as_ref().and_then(|c| c.proxy.as_deref()),
        delivered_scts: &delivered_scts,
        ct_logs: options.ct_logs.as_deref(),
        connected: parts.source == Source::Network,
    };
    let diagnosis = diagnosis::diagnose(chain, attempts, &settings);
    extra.extend(checks::revocation::check(
        &revocation,
        parts.source == Source::Network,
    ));
    let clients = judge_clients(
        &options,
        &diagnosis,
        &extra,
        parts.connection.as_ref(),
        asked.as_ref(),
    );
    let asked = options.repair.fix_chain.is_some() || options.repair.save_root.is_some();
    let repair = asked.then(|| repair::apply(&diagnosis, &options.repair, parts.now));
    let mut report = TargetReport::diagnosed(parts, &diagnosis, extra, repair);
    report.revocation = Some(revocation);
    report.client_auth = client_auth;
    report.judged_for(clients);
    report
}

/// The outcome for each profile asked for, from the diagnosis and every other finding.
fn judge_clients(
    options: &Options,
    diagnosis: &diagnosis::Diagnosis,
    extra: &[Finding],
    connection: Option<&ConnectionReport>,
    asked: Option<&capture::hello::Asked>,
) -> Vec<clients::judge::ClientReport> {
    if options.clients.is_empty() {
        return Vec::new();
    }
    let mut findings = diagnosis.findings.clone();
    findings.extend(extra.iter().cloned());
    let target = clients::judge::Target {
        diagnosis,
        findings: &findings,
        connection,
        user_stores: options.stores.user_given(),
        asked,
        sni: connection.and_then(|c| c.sni.as_deref()),
        stores: &options.stores,
    };
    clients::judge::judge_all(&options.clients, &target)
}
