//! tlsdoctor tells why a TLS connection fails and what to change.
//!
//! The data flows one way: a [`target::Target`] is connected to and what the server presents is
//! recorded ([`capture`]); issuers the server left out are downloaded ([`aia`]); the chain is
//! modelled ([`chain`]) and judged by the verifier ([`verify`]) against each trust store
//! ([`trust`]) and by the check families ([`checks`]); [`diagnosis`] turns that into findings
//! named from one catalog ([`causes`]); [`report`] renders them, and [`repair`] writes the
//! corrected chain when asked. [`pipeline`] is that path from what was presented to the report;
//! [`check_target`] and [`check_file`] feed it from a connection or a file, and [`serve`] runs
//! `check_target` for each Prometheus scrape.

pub mod aia;
pub mod bundle;
pub mod capture;
pub mod causes;
pub mod chain;
pub mod checks;
pub mod clients;
pub mod ct;
pub mod diagnosis;
pub mod error;
pub mod explain;
pub mod fetch;
pub mod fleet;
pub mod identity;
pub mod input;
pub mod machine;
pub mod pipeline;
pub mod proxy;
pub mod repair;
pub mod report;
pub mod revocation;
pub mod serve;
pub mod software;
pub mod starttls;
pub mod target;
pub mod trust;
pub mod verify;

use capture::{Resolve, SystemResolver};
pub use error::Error;
use pipeline::Presented;
use repair::RepairRequest;
use report::TargetReport;
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

pub use chain::MAX_CHAIN_CERTS;

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
    /// With a chain file: the server's private key, compared with the leaf (`--file`, `--key`).
    pub server_key: Option<Arc<identity::ServerKey>>,
    /// Which proxy to go through.
    pub proxy: ProxySetting,
    /// Whom to ask about revocation (`--revocation ocsp`, `--ocsp-url`); never with `--no-fetch`.
    pub revocation: revocation::Query,
    /// The client profiles to judge for (`--clients`); none by default.
    pub clients: Vec<&'static clients::Profile>,
    /// The CT log list SCTs are judged with; `None` for the bundled Chrome list.
    pub ct_logs: Option<Arc<ct::logs::LogList>>,
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
            server_key: None,
            proxy: ProxySetting::Environment,
            revocation: revocation::Query::Off,
            clients: Vec::new(),
            ct_logs: None,
        }
    }

    /// Judges SCTs with `logs` instead of the bundled list (add to the bundled one with
    /// `LogList::bundled()?.clone().with(extra)`).
    pub fn with_ct_logs(mut self, logs: ct::logs::LogList) -> Options {
        self.ct_logs = Some(Arc::new(logs));
        self
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
    let route = options.route(target)?;
    let client = capture::ClientSide {
        identity: options.client.as_ref().map(|c| &c.certified),
    };
    let resolver = options.resolver.as_ref();
    let sni = match &name {
        ServerName::DnsName(dns) => Some(dns.as_ref().to_string()),
        _ => None,
    };
    let (mut captured, asked) = futures_util::future::join(
        capture::capture(
            target,
            name.clone(),
            &route,
            resolver,
            options.timeout,
            client,
        ),
        clients::probe::ask(
            &options.clients,
            sni.as_deref(),
            target,
            &route,
            resolver,
            deadline,
        ),
    )
    .await;
    captured.asked = asked;
    let presented = match Presented::from_capture(target, name, captured, options) {
        Ok(presented) => presented,
        Err(unreachable) => return Ok(*unreachable),
    };
    let fetcher = fetch::Fetcher { resolver, deadline };
    Ok(pipeline::judge(presented, options, &fetcher, deadline).await)
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
    let presented = Presented::from_capture(target, name, captured, options).map_err(|report| {
        let why = report
            .findings
            .first()
            .map_or("the server presented no certificate", |f| f.detail.as_str());
        format!("no chain from {}: {why}", target.input)
    })?;
    let fetcher = fetch::Fetcher { resolver, deadline };
    let (chain, _) = aia::complete(presented.chain, &[], &fetcher).await;
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
    let certs = bundle::read_certificates(path)?;
    let name = host.map(target::server_name).transpose()?;
    let label = path.display().to_string();
    let presented =
        Presented::from_file(label, certs, name, options).ok_or_else(|| Error::Bundle {
            path: path.to_path_buf(),
            reason: "holds no certificate".into(),
        })?;
    let fetcher = fetch::Fetcher {
        resolver: options.resolver.as_ref(),
        deadline,
    };
    Ok(pipeline::judge(presented, options, &fetcher, deadline).await)
}
