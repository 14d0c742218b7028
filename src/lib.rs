//! tlsdoctor tells why a TLS connection fails and what to change.
//!
//! The data flows one way: a [`target::Target`] is connected to and what the server presents is
//! recorded ([`capture`]); the chain is modelled ([`chain`]) and judged by the verifier
//! ([`verify`]) and the check families ([`checks`]); [`diagnosis`] turns that into findings
//! named from one catalog ([`causes`]); [`report`] renders them. [`check_target`] and
//! [`check_file`] run the whole pipeline.

pub mod bundle;
pub mod capture;
pub mod causes;
pub mod chain;
pub mod checks;
pub mod diagnosis;
pub mod error;
pub mod report;
pub mod target;
pub mod trust;
pub mod verify;

use capture::{Resolve, SystemResolver};
use causes::Cause;
use checks::Finding;
use diagnosis::Settings;
pub use error::Error;
use report::{ConnectionReport, Parts, Source, TargetReport};
use rustls::pki_types::ServerName;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
pub use target::Target;
use time::OffsetDateTime;
pub use trust::TrustStore;

/// The default `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default `--warn-days`.
pub const DEFAULT_WARN_DAYS: u32 = 30;

/// How to check: which roots, at what instant, how patiently.
#[derive(Clone)]
pub struct Options {
    pub store: TrustStore,
    /// The evaluation instant; `None` means now.
    pub at: Option<OffsetDateTime>,
    pub warn_days: u32,
    /// Bounds the whole network part of a check.
    pub timeout: Duration,
    pub resolver: Arc<dyn Resolve>,
}

impl Options {
    /// Defaults for everything but the trust store.
    pub fn new(store: TrustStore) -> Options {
        Options {
            store,
            at: None,
            warn_days: DEFAULT_WARN_DAYS,
            timeout: DEFAULT_TIMEOUT,
            resolver: Arc::new(SystemResolver),
        }
    }

    /// The evaluation instant in whole seconds: certificate times have no finer grain, and
    /// webpki compares in seconds too.
    fn now(&self) -> OffsetDateTime {
        let now = self.at.unwrap_or_else(OffsetDateTime::now_utc);
        now.replace_nanosecond(0).unwrap_or(now)
    }
}

/// Connects to a server and diagnoses what it presents. Unreachable servers are reports too;
/// only an unusable name is an `Err`.
pub async fn check_target(target: &Target, options: &Options) -> Result<TargetReport, Error> {
    let name = target.server_name()?;
    let name_text = checks::name::name_text(&name);
    let now = options.now();
    let captured = capture::capture(
        target,
        name.clone(),
        options.resolver.as_ref(),
        options.timeout,
    )
    .await;
    let sni = matches!(name, ServerName::DnsName(_)).then(|| name_text.clone());
    let parts = Parts {
        target: target.input.clone(),
        source: Source::Network,
        name: Some(name_text.clone()),
        now,
        store: &options.store,
        connection: Some(ConnectionReport::new(
            captured.address,
            sni,
            captured.negotiated.as_ref(),
            captured.ocsp.is_some(),
        )),
    };
    let failure = checks::connection::check(&target.host, &name_text, &captured);
    if captured.chain.is_empty() {
        let failure = failure.unwrap_or_else(|| {
            Finding::new(
                Cause::HandshakeFailure,
                "the server presented no certificate",
            )
        });
        return Ok(TargetReport::unreachable(parts, failure));
    }
    let settings = Settings {
        store: &options.store,
        name: Some(&name),
        now,
        warn_days: options.warn_days,
    };
    let diagnosis = diagnosis::diagnose(captured.chain, &settings);
    Ok(TargetReport::diagnosed(parts, &diagnosis, failure))
}

/// Diagnoses a chain file (PEM or DER, leaf first) as if a server had presented it.
pub fn check_file(
    path: &Path,
    host: Option<&str>,
    options: &Options,
) -> Result<TargetReport, Error> {
    let presented = bundle::read_certificates(path)?;
    let name = host.map(target::server_name).transpose()?;
    let now = options.now();
    let settings = Settings {
        store: &options.store,
        name: name.as_ref(),
        now,
        warn_days: options.warn_days,
    };
    let diagnosis = diagnosis::diagnose(presented, &settings);
    let parts = Parts {
        target: path.display().to_string(),
        source: Source::File,
        name: name.as_ref().map(checks::name::name_text),
        now,
        store: &options.store,
        connection: None,
    };
    Ok(TargetReport::diagnosed(parts, &diagnosis, None))
}
