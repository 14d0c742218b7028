//! Judgements: each family looks at the facts and returns findings. None prints anything.

pub mod connection;
pub mod crypto;
pub mod name;
pub mod path;
pub mod purpose;
pub mod validity;

use crate::causes::Cause;
use crate::chain::Chain;
use crate::chain::path::Path;
use crate::trust::TrustStore;
use crate::verify::Verification;
use rustls::pki_types::ServerName;
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
    pub store: &'a TrustStore,
    /// The name clients use, when known.
    pub name: Option<&'a ServerName<'static>>,
    pub now: OffsetDateTime,
    pub warn_days: u32,
    pub verification: &'a Verification,
    /// The path the chain takes: the verifier's when it accepted the chain, else our own.
    pub path: &'a Path,
}

/// Runs every chain check family, in report order.
pub fn run_all(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(path::check(ctx));
    findings.extend(validity::check(ctx));
    findings.extend(name::check(ctx));
    findings.extend(purpose::check(ctx));
    findings.extend(crypto::check(ctx));
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
