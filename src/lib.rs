//! tlsdoctor tells why a TLS connection fails and what to change.
//!
//! The data flows one way: a [`target::Target`] is connected to and what the server presents is
//! recorded ([`capture`]); issuers the server left out are downloaded ([`aia`]); the chain is
//! modelled ([`chain`]) and judged by the verifier ([`verify`]) against each trust store
//! ([`trust`]) and by the check families ([`checks`]); [`diagnosis`] turns that into findings
//! named from one catalog ([`causes`]); [`report`] renders them, and [`repair`] writes the
//! corrected chain when asked. [`check_target`] and [`check_file`] run the whole pipeline.

pub mod aia;
pub mod bundle;
pub mod capture;
pub mod causes;
pub mod chain;
pub mod checks;
pub mod diagnosis;
pub mod error;
pub mod explain;
pub mod fetch;
pub mod fleet;
pub mod identity;
pub mod input;
pub mod machine;
pub mod proxy;
pub mod repair;
pub mod report;
pub mod revocation;
pub mod starttls;
pub mod target;
pub mod trust;
pub mod verify;

use capture::{Resolve, SystemResolver};
use causes::Cause;
use chain::Chain;
use checks::Finding;
use diagnosis::Settings;
pub use error::Error;
use repair::RepairRequest;
use report::{ConnectionReport, Parts, Source, TargetReport};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
pub use target::Target;
use time::OffsetDateTime;
use tokio::time::Instant;
pub use trust::{StoreSet, TrustStore};

/// The default `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default `--warn-days`.
pub const DEFAULT_WARN_DAYS: u32 = 30;

/// The most certificates of one chain that are examined. Real chains have two to four; linking
/// certificates by signature costs up to the square of the count, so a hostile chain of
/// thousands is cut here, and the cut is reported.
pub const MAX_CHAIN_CERTS: usize = 32;

/// How to check: which roots, at what instant, how patiently, and what to write.
#[derive(Clone)]
pub struct Options {
    pub stores: Arc<StoreSet>,
    /// The evaluation instant; `None` means now.
    pub at: Option<OffsetDateTime>,
    pub warn_days: u32,
    /// Bounds the whole network part of a check, downloads included.
    pub timeout: Duration,
    pub resolver: Arc<dyn Resolve>,
    /// Download issuers the server left out (AIA "CA Issuers").
    pub fetch: bool,
    pub repair: RepairRequest,
    /// The client certificate to present when a server asks (`--cert`, `--key`).
    pub client: Option<Arc<identity::ClientIdentity>>,
    /// Which proxy to go through.
    pub proxy: ProxySetting,
    /// Whom to ask about revocation (`--revocation ocsp`, `--ocsp-url`); never with `--no-fetch`.
    pub revocation: revocation::Query,
}

/// Where the proxy comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// HTTPS_PROXY / ALL_PROXY (and NO_PROXY), as curl reads them.
    #[default]
    Environment,
    /// `--proxy URL`, for every target.
    Explicit(proxy::Proxy),
    /// `--proxy none`: connect directly whatever the environment says.
    Direct,
}

impl Options {
    /// Defaults for everything but the trust stores.
    pub fn new(stores: StoreSet) -> Options {
        Options {
            stores: Arc::new(stores),
            at: None,
            warn_days: DEFAULT_WARN_DAYS,
            timeout: DEFAULT_TIMEOUT,
            resolver: Arc::new(SystemResolver),
            fetch: true,
            repair: RepairRequest::default(),
            client: None,
            proxy: ProxySetting::Environment,
            revocation: revocation::Query::Off,
        }
    }

    /// How to reach `target`: through the proxy that applies to it, if any, then STARTTLS if
    /// its protocol has it. HTTPS_PROXY is for HTTPS, as in curl: STARTTLS protocols go through
    /// a proxy only when `--proxy` names one.
    pub fn route(&self, target: &Target) -> Result<capture::Route, Error> {
        let (host, port) = target.endpoint();
        let proxy = match &self.proxy {
            ProxySetting::Explicit(proxy) => Some(proxy.clone()),
            ProxySetting::Direct => None,
            ProxySetting::Environment if target.starttls.is_some() => None,
            ProxySetting::Environment => {
                proxy::Proxy::from_env(|name| std::env::var(name).ok(), &host, port)?
            }
        };
        Ok(capture::Route {
            proxy,
            starttls: target.starttls,
        })
    }

    /// The evaluation instant in whole seconds: certificate times have no finer grain, and
    /// webpki compares in seconds too.
    pub fn now(&self) -> OffsetDateTime {
        let now = self.at.unwrap_or_else(OffsetDateTime::now_utc);
        now.replace_nanosecond(0).unwrap_or(now)
    }
}

/// Connects to a server and diagnoses what it presents. Unreachable servers are reports too;
/// only an unusable name is an `Err`.
pub async fn check_target(target: &Target, options: &Options) -> Result<TargetReport, Error> {
    let deadline = Instant::now() + options.timeout;
    let name = target.server_name()?;
    let name_text = checks::name::name_text(&name);
    let client = capture::ClientSide {
        identity: options.client.as_ref().map(|c| &c.certified),
    };
    let route = options.route(target)?;
    let captured = capture::capture(
        target,
        name.clone(),
        &route,
        options.resolver.as_ref(),
        options.timeout,
        client,
    )
    .await;
    let mut captured = captured;
    // rustls saw no chain, but the old-style probe did: diagnose that one.
    if captured.chain.is_empty() {
        captured.chain = captured
            .legacy
            .as_ref()
            .map(|l| l.chain.clone())
            .unwrap_or_default();
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
        return Ok(TargetReport::unreachable(parts, failure));
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
    let client_auth = (captured.client_auth.requested || options.client.is_some()).then(|| {
        report::ClientAuthReport::new(
            &captured.client_auth,
            captured.failure.as_ref(),
            client_chain.as_ref(),
            parts.now,
        )
    });
    let staple = captured.ocsp.take();
    let mut report = judge(
        captured.chain,
        staple.as_deref(),
        Some(&name),
        options,
        deadline,
        parts,
        extra,
    )
    .await;
    report.client_auth = client_auth;
    Ok(report)
}

/// The root a server's chain ends at (`tlsdoctor trust --host`): the self-signed CA it sends or
/// that its "CA Issuers" URLs lead to, else its top issuer as this machine's store holds it.
pub async fn root_of_server(
    target: &Target,
    options: &Options,
) -> Result<CertificateDer<'static>, String> {
    let deadline = Instant::now() + options.timeout;
    let name = target.server_name().map_err(|e| e.to_string())?;
    let client = capture::ClientSide { identity: None };
    let resolver = options.resolver.as_ref();
    let route = options.route(target).map_err(|e| e.to_string())?;
    let captured = capture::capture(
        target,
        name.clone(),
        &route,
        resolver,
        options.timeout,
        client,
    )
    .await;
    let mut presented = captured.chain.clone();
    if presented.is_empty() {
        presented = captured
            .legacy
            .as_ref()
            .map(|l| l.chain.clone())
            .unwrap_or_default();
    }
    if presented.is_empty() {
        let name_text = checks::name::name_text(&name);
        let why = checks::connection::check(&target.endpoint().0, &name_text, &captured)
            .map_or_else(
                || "the server presented no certificate".to_string(),
                |f| f.detail,
            );
        return Err(format!("no chain from {}: {why}", target.input));
    }
    let fetcher = fetch::Fetcher { resolver, deadline };
    let (chain, _) = aia::complete(presented, &[], &fetcher).await;
    let facts = |c: &chain::Certificate| c.facts().cloned();
    if let Some(root) = chain
        .certs
        .iter()
        .find(|c| facts(c).is_some_and(|f| f.self_signed && f.is_ca()))
    {
        return Ok(root.der.clone());
    }
    let Some(top) = chain.certs.last().and_then(|c| c.facts()) else {
        return Err(format!("the chain of {} could not be parsed", target.input));
    };
    let system = options.stores.default_system();
    let from_store = system
        .by_subject(&top.issuer_der)
        .find_map(|i| system.certificate(i).cloned());
    from_store.ok_or_else(|| {
        format!(
            "the chain of {} ends at {}, which the server does not send, which could not be \
             downloaded and which this machine's store does not hold: pass the root with --root",
            target.input, top.issuer
        )
    })
}

/// Diagnoses a chain file (PEM, DER or PKCS#7, leaf first) as if a server had presented it.
pub async fn check_file(
    path: &Path,
    host: Option<&str>,
    options: &Options,
) -> Result<TargetReport, Error> {
    let deadline = Instant::now() + options.timeout;
    let presented = bundle::read_certificates(path)?;
    let name = host.map(target::server_name).transpose()?;
    let parts = Parts {
        target: path.display().to_string(),
        source: Source::File,
        name: name.as_ref().map(checks::name::name_text),
        now: options.now(),
        store_names: options.stores.names(),
        connection: None,
    };
    Ok(judge(
        presented,
        None,
        name.as_ref(),
        options,
        deadline,
        parts,
        Vec::new(),
    )
    .await)
}

/// Completes (downloads missing issuers), diagnoses, repairs if asked, and reports.
async fn judge(
    presented: Vec<CertificateDer<'static>>,
    staple: Option<&[u8]>,
    name: Option<&ServerName<'static>>,
    options: &Options,
    deadline: Instant,
    parts: Parts,
    extra: Vec<Finding>,
) -> TargetReport {
    let mut extra = extra;
    extra.extend(checks::path::size(&presented));
    let mut presented = presented;
    if presented.len() > MAX_CHAIN_CERTS {
        extra.push(Finding::new(
            Cause::LimitReached,
            format!(
                "the chain holds {} certificates; only the first {MAX_CHAIN_CERTS} (MAX_CHAIN_CERTS) were examined",
                presented.len()
            ),
        ));
        presented.truncate(MAX_CHAIN_CERTS);
    }
    let stores = options.stores.stores();
    let fetcher = fetch::Fetcher {
        resolver: options.resolver.as_ref(),
        deadline,
    };
    let (chain, attempts) = if options.fetch {
        aia::complete(presented, stores, &fetcher).await
    } else {
        (Chain::from_der(presented), Vec::new())
    };
    let settings = Settings {
        stores: &options.stores,
        name,
        now: parts.now,
        warn_days: options.warn_days,
        fetching: options.fetch,
        proxy: parts.connection.as_ref().and_then(|c| c.proxy.as_deref()),
    };
    let diagnosis = diagnosis::diagnose(chain, attempts, &settings);
    let query = if options.fetch {
        &options.revocation
    } else {
        &revocation::Query::Off
    };
    let revocation = revocation::learn(&diagnosis.chain, staple, query, &fetcher, parts.now).await;
    let connection = parts.source == Source::Network;
    extra.extend(checks::revocation::check(&revocation, connection));
    let asked = options.repair.fix_chain.is_some() || options.repair.save_root.is_some();
    let repair = asked.then(|| repair::apply(&diagnosis, &options.repair, parts.now));
    let mut report = TargetReport::diagnosed(parts, &diagnosis, extra, repair);
    report.revocation = Some(revocation);
    report
}
