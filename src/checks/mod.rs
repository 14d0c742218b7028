//! Judgements: each family looks at the facts and returns findings. None prints anything.

pub mod client;
pub mod connection;
pub mod crypto;
pub mod ct;
pub mod distrust;
pub mod issuance;
pub mod key;
pub mod lifetime;
pub mod name;
pub mod path;
pub mod profile;
pub mod purpose;
pub mod revocation;
pub mod stores;
pub mod validity;

use crate::aia::Attempt;
use crate::causes::Cause;
use crate::chain::Chain;
use crate::chain::path::Path;
use crate::diagnosis::StoreEval;
use crate::trust::{StoreSet, TrustStore};
use crate::verify::Verification;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use time::OffsetDateTime;

/// One thing found wrong (or worth saying), about one certificate or the whole target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub cause: Cause,
    /// The presented certificate it is about, if any.
    pub cert_index: Option<usize>,
    /// What exactly, for this target: names, dates, indices. The catalog has the rest.
    pub detail: String,
}

impl Finding {
    /// A finding about the target as a whole.
    pub fn new(cause: Cause, detail: impl Into<String>) -> Finding {
        Finding {
            cause,
            cert_index: None,
            detail: detail.into(),
        }
    }

    /// A finding about presented certificate `index`.
    pub fn at(cause: Cause, index: usize, detail: impl Into<String>) -> Finding {
        Finding {
            cause,
            cert_index: Some(index),
            detail: detail.into(),
        }
    }
}

/// Everything a check may look at. Time is an input, so every check is testable with `--at`.
pub struct Context<'a> {
    pub chain: &'a Chain,
    /// The leading store: the first that trusts the chain, else the first.
    pub store: &'a TrustStore,
    /// Every store, and how each judged the chain (`evals[i].store` indexes `stores`).
    pub stores: &'a [Arc<TrustStore>],
    pub evals: &'a [StoreEval],
    /// The list that says which roots are public (Mozilla's).
    pub public: &'a TrustStore,
    /// The run's stores and root programs, for the programs' constraints on roots.
    pub programs: &'a StoreSet,
    /// The chain reaches a root of the public list.
    pub public_anchored: bool,
    /// Whether the distribution's own system store (ignoring SSL_CERT_FILE/DIR) reaches a root;
    /// known only when an environment override failed the chain.
    pub default_system_anchored: Option<bool>,
    /// The name clients use, when known.
    pub name: Option<&'a ServerName<'static>>,
    pub now: OffsetDateTime,
    pub warn_days: u32,
    /// The leading store's verification and path.
    pub verification: &'a Verification,
    pub path: &'a Path,
    /// Downloads made to complete the chain, and whether downloading was allowed.
    pub attempts: &'a [Attempt],
    pub fetching: bool,
    /// The proxy the connection went through, as shown in reports.
    pub proxy: Option<&'a str>,
    /// SCT lists delivered beside the chain (a stapled OCSP response's).
    pub delivered_scts: &'a [crate::ct::SctList],
    /// The CT log list to judge SCTs with; `None` for the bundled one.
    pub ct_logs: Option<&'a crate::ct::logs::LogList>,
    /// The chain came over a connection (not from a file).
    pub connected: bool,
}

impl Context<'_> {
    /// The names of every store, for messages: `mozilla, system`.
    pub fn store_names(&self) -> String {
        let names: Vec<String> = self.stores.iter().map(|s| s.name()).collect();
        names.join(", ")
    }

    /// "the trust store (mozilla)" or "the trust stores (mozilla, system)", for messages.
    pub fn stores_phrase(&self) -> String {
        match self.stores.len() {
            1 => format!("the trust store ({})", self.store_names()),
            _ => format!("the trust stores ({})", self.store_names()),
        }
    }
}

/// Runs every chain check family, in report order.
pub fn run_all(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(path::check(ctx));
    findings.extend(stores::check(ctx));
    findings.extend(validity::check(ctx));
    findings.extend(lifetime::check(ctx));
    findings.extend(name::check(ctx));
    findings.extend(purpose::check(ctx));
    findings.extend(crypto::check(ctx));
    findings.extend(profile::check(ctx));
    findings.extend(issuance::check(ctx));
    findings
}

/// Formats an instant the way reports show dates: `2026-06-01 00:00 UTC`.
pub fn show_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
