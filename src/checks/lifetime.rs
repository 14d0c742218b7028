//! How long a leaf may be valid, as the clients that enforce it count: Chromium under the roots
//! of its root store (down to the CA/Browser Forum's 200, 100 and 47 days), Apple platforms under any root (825 days) and under their preinstalled
//! roots (398 days). A limit binds by the leaf's notBefore, the date it was issued. Other
//! clients enforce none: Firefox, OpenSSL, GnuTLS, Go, Java, rustls and Android's platform
//! verifier check only that the time is inside the period.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::CertFacts;
use crate::chain::path::Path;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Which lifetime rules a client applies (the profile fact `lifetime_policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Chromium's `CertVerifyProc::HasTooLongValidity`, for publicly trusted chains.
    Chromium,
    /// Apple's Security framework (iOS 13 / macOS 10.15 and later).
    Apple,
    /// No limit beyond the validity period itself.
    None,
}

/// One limit: certificates issued on or after `from` may be valid for at most `max`.
pub struct Limit {
    pub policy: Policy,
    /// notBefore on or after this instant (Unix seconds, UTC).
    from: i64,
    /// The longest validity (notAfter − notBefore) allowed.
    max_days: i64,
    /// Only under a publicly trusted root; a root the user installed is exempt.
    public_only: bool,
    /// How the limit reads in a finding.
    pub rule: &'static str,
    /// What the client prints when it refuses.
    pub error: &'static str,
}

/// The limits, as their sources give them. Chromium's month limits are its own "maximally
/// permissive" day counts (60 months = 3×365 + 2×366 days; 39 months = 366 + 2×365 + 92 days).
pub const LIMITS: &[Limit] = &[
    // Chromium net/cert/cert_verify_proc.cc HasTooLongValidity, applied when
    // is_issued_by_known_root (the Chrome Root Store), every limit from its date on.
    Limit {
        policy: Policy::Chromium,
        from: 1_341_100_800, // 2012-07-01
        max_days: 365 * 3 + 366 * 2,
        public_only: true,
        rule: "60 months for certificates issued since 2012-07-01",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    Limit {
        policy: Policy::Chromium,
        from: 1_427_846_400, // 2015-04-01
        max_days: 366 + 365 + 365 + 31 + 31 + 30,
        public_only: true,
        rule: "39 months for certificates issued since 2015-04-01",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    Limit {
        policy: Policy::Chromium,
        from: 1_519_862_400, // 2018-03-01
        max_days: 825,
        public_only: true,
        rule: "825 days for certificates issued since 2018-03-01",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    Limit {
        policy: Policy::Chromium,
        from: 1_598_918_400, // 2020-09-01
        max_days: 398,
        public_only: true,
        rule: "398 days for certificates issued since 2020-09-01",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    // The CA/Browser Forum's schedule (ballot SC-081, Baseline Requirements 2.1.7 section
    // 6.3.2), which Chromium 150's HasTooLongValidity enforces with the same dates.
    Limit {
        policy: Policy::Chromium,
        from: 1_773_532_800, // 2026-03-15
        max_days: 200,
        public_only: true,
        rule: "200 days for certificates issued since 2026-03-15",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    Limit {
        policy: Policy::Chromium,
        from: 1_805_068_800, // 2027-03-15
        max_days: 100,
        public_only: true,
        rule: "100 days for certificates issued since 2027-03-15",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    Limit {
        policy: Policy::Chromium,
        from: 1_868_227_200, // 2029-03-15
        max_days: 47,
        public_only: true,
        rule: "47 days for certificates issued since 2029-03-15",
        error: "ERR_CERT_VALIDITY_TOO_LONG",
    },
    // Apple, "Requirements for trusted certificates in iOS 13 and macOS 10.15" (HT210176):
    // every TLS server certificate issued after 2019-07-01, whatever its root.
    Limit {
        policy: Policy::Apple,
        from: 1_561_939_200, // 2019-07-01
        max_days: 825,
        public_only: false,
        rule: "825 days for certificates issued since 2019-07-01, under any root",
        error: "the certificate is not standards compliant",
    },
    // Apple, "About upcoming limits on trusted certificates" (HT211025): certificates from the
    // preinstalled roots issued on or after 2020-09-01; user-added roots are exempt.
    Limit {
        policy: Policy::Apple,
        from: 1_598_918_400, // 2020-09-01
        max_days: 398,
        public_only: true,
        rule: "398 days for certificates from its preinstalled roots issued since 2020-09-01",
        error: "the certificate is not standards compliant",
    },
];

/// The tightest limit of `policy` that the leaf breaks, if any.
pub fn broken(policy: Policy, leaf: &CertFacts, public: bool) -> Option<&'static Limit> {
    let issued = leaf.not_before.unix_timestamp();
    let valid = leaf.not_after - leaf.not_before;
    LIMITS
        .iter()
        .filter(|l| l.policy == policy && issued >= l.from && (public || !l.public_only))
        .filter(|l| valid > Duration::days(l.max_days))
        .min_by_key(|l| l.max_days)
}

/// Every policy that refuses the leaf, with the limit it breaks.
pub fn refusals(leaf: &CertFacts, public: bool) -> Vec<&'static Limit> {
    [Policy::Chromium, Policy::Apple]
        .into_iter()
        .filter_map(|p| broken(p, leaf, public))
        .collect()
}

/// Whether the chain reaches a root of the public list, asked only when the answer matters: when
/// the leaf breaks a limit that binds publicly trusted chains alone.
pub fn publicly_trusted(ctx: &Context<'_>, leaf: &CertFacts) -> bool {
    refusals(leaf, true).len() > refusals(leaf, false).len()
        && (ctx.public_anchored
            || Path::build(ctx.chain, ctx.public).is_some_and(|p| p.is_anchored()))
}

/// The policies that refuse the leaf, for judging each client.
pub fn refusing(ctx: &Context<'_>) -> Vec<Policy> {
    let Some(leaf) = ctx.chain.leaf().and_then(|c| c.facts()) else {
        return Vec::new();
    };
    let public = publicly_trusted(ctx, leaf);
    refusals(leaf, public).iter().map(|l| l.policy).collect()
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let leaf = ctx.chain.leaf()?.facts()?;
    let public = publicly_trusted(ctx, leaf);
    let refusals = refusals(leaf, public);
    if refusals.is_empty() {
        return None;
    }
    let days = (leaf.not_after - leaf.not_before).whole_days();
    let who: Vec<String> = refusals
        .iter()
        .map(|l| match l.policy {
            Policy::Chromium => format!("Chrome and Edge allow {} ({})", l.rule, l.error),
            Policy::Apple => format!(
                "Safari and Apple platforms allow {} (\"{}\")",
                l.rule, l.error
            ),
            Policy::None => String::new(),
        })
        .collect();
    let root = if public {
        "a publicly trusted root"
    } else {
        "a root the user installed"
    };
    Some(Finding::at(
        Cause::ValidityTooLong,
        0,
        format!(
            "the leaf, issued {}, is valid for {days} days under {root}; {}; Firefox, OpenSSL, \
             GnuTLS, Go, Java and Android set no such limit",
            date(leaf.not_before),
            who.join("; ")
        ),
    ))
}

fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}
