//! The CT policies as data, each with its source, and the counting they share.

use super::JudgedSct;
use crate::ct::logs::{Log, LogKind, LogList, LogState};
use crate::ct::verify::SctStatus;
use crate::ct::{Sct, SctSource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

/// Which CT policy a client enforces (the profile fact `ct_policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    Chrome,
    Apple,
    Mozilla,
    /// Does not look at SCTs.
    None,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Chrome => "chrome",
            Policy::Apple => "apple",
            Policy::Mozilla => "mozilla",
            Policy::None => "none",
        }
    }
}

/// One policy's numbers, as its source gives them.
pub struct Rule {
    pub policy: Policy,
    /// Who enforces it, for findings.
    pub who: &'static str,
    /// Certificates whose notBefore is on or after this instant (Unix seconds) are bound.
    from: i64,
    /// Embedded SCTs needed for a lifetime of at most `short_days`, and beyond.
    short_days: i64,
    embedded_short: usize,
    embedded_long: usize,
    /// SCTs needed when delivered in TLS or OCSP instead.
    delivered: usize,
    /// Distinct log operators among the SCTs that count.
    operators: usize,
    /// An embedded SCT must come from a log not retired at the evaluation instant.
    needs_current_log: bool,
    pub error: &'static str,
    pub source: &'static str,
}

impl Rule {
    /// The first notBefore (Unix seconds) the rule binds.
    pub fn issued_from(&self) -> i64 {
        self.from
    }
}

/// The policies. Counting rules shared by all: only SCTs that verify count; a log that is
/// pending or rejected never counts; a retired log counts for an SCT dated before its
/// retirement (Chrome's "disqualified" rule, also the intent of Apple's and Mozilla's
/// "qualified at the time of check" wording); a static CT API log's SCT counts only with its
/// leaf index extension.
pub const RULES: &[Rule] = &[
    // Chromium 150 components/certificate_transparency/chrome_ct_policy_enforcer.cc
    // CheckCTPolicyCompliance: diverse operators, 2 distinct embedded logs for a lifetime of
    // at most 180 days, 3 beyond, at least one embedded SCT from a log not disqualified now;
    // or any one TLS/OCSP SCT with diverse operators. The Google/non-Google rule is gone.
    // Enforced for certificates issued after 2018-04-30 (Chrome CT policy): source, not
    // verified in that file.
    Rule {
        policy: Policy::Chrome,
        who: "Chrome and Edge",
        from: 1_525_132_800, // 2018-05-01
        short_days: 180,
        embedded_short: 2,
        embedded_long: 3,
        delivered: 1,
        operators: 2,
        needs_current_log: true,
        error: "ERR_CERTIFICATE_TRANSPARENCY_REQUIRED",
        source: "Chromium 150 components/certificate_transparency/chrome_ct_policy_enforcer.cc",
    },
    // Apple's Certificate Transparency policy (support.apple.com/en-us/103214): certificates
    // issued after 2018-10-15; embedded: 2 SCTs for at most 180 days, 3 beyond; TLS/OCSP: 2;
    // from distinct log operators.
    Rule {
        policy: Policy::Apple,
        who: "Safari and Apple platforms",
        from: 1_539_648_000, // 2018-10-16
        short_days: 180,
        embedded_short: 2,
        embedded_long: 3,
        delivered: 2,
        operators: 2,
        needs_current_log: false,
        error: "the certificate is not standards compliant",
        source: "Apple's Certificate Transparency policy, support.apple.com/en-us/103214",
    },
    // Mozilla's CT policy (wiki.mozilla.org/SecurityEngineering/Certificate_Transparency),
    // enforced on desktop since Firefox 135: the same counts as Chrome's for embedded SCTs, 2
    // delivered, 2 operators: source, not verified.
    Rule {
        policy: Policy::Mozilla,
        who: "Firefox (desktop, 135 and later)",
        from: 0,
        short_days: 180,
        embedded_short: 2,
        embedded_long: 3,
        delivered: 2,
        operators: 2,
        needs_current_log: false,
        error: "MOZILLA_PKIX_ERROR_INSUFFICIENT_CERTIFICATE_TRANSPARENCY",
        source: "Mozilla's CT policy and Firefox 135 release notes: source, not verified",
    },
];

/// Whether the SCTs meet `rule`, and the sentence saying so.
pub fn count(
    rule: &Rule,
    scts: &[JudgedSct],
    logs: Option<&LogList>,
    lifetime: Duration,
    now: OffsetDateTime,
) -> (bool, String) {
    let log_of = |s: &JudgedSct| logs.and_then(|l| l.find(&s.sct.log_id));
    // Verified SCTs from logs that may count at all.
    let usable: Vec<(&JudgedSct, &Log)> = scts
        .iter()
        .filter(|s| s.status == SctStatus::Valid && !s.future)
        .filter_map(|s| Some((s, log_of(s)?)))
        .filter(|(_, log)| !matches!(log.state, LogState::Pending | LogState::Rejected))
        .filter(|(s, log)| log.kind == LogKind::Rfc6962 || has_leaf_index(&s.sct))
        .collect();
    let retired_now = |log: &Log| log.retired_at().is_some_and(|at| now >= at);
    // Chrome's issuance date: the earliest SCT from a log not retired now.
    let issued = usable
        .iter()
        .filter(|(_, log)| !retired_now(log))
        .filter_map(|(s, _)| s.sct.timestamp())
        .min();
    let counts = |(s, log): &&(&JudgedSct, &Log)| match log.retired_at() {
        Some(at) if now >= at => {
            s.sct.timestamp().is_some_and(|t| t < at) && issued.is_some_and(|i| i < at)
        }
        _ => true,
    };
    let embedded: BTreeSet<[u8; 32]> = usable
        .iter()
        .filter(|pair| pair.0.sct.source == SctSource::Certificate && counts(pair))
        .map(|(s, _)| s.sct.log_id)
        .collect();
    let current_embedded = usable
        .iter()
        .any(|(s, log)| s.sct.source == SctSource::Certificate && !retired_now(log));
    let delivered: Vec<&(&JudgedSct, &Log)> = usable
        .iter()
        .filter(|(s, log)| s.sct.source != SctSource::Certificate && !retired_now(log))
        .collect();
    let operators: BTreeSet<&str> = usable
        .iter()
        .filter(|(s, log)| s.sct.source == SctSource::Certificate || !retired_now(log))
        .map(|(_, log)| log.operator.as_str())
        .collect();
    let needed = if lifetime > Duration::days(rule.short_days) {
        rule.embedded_long
    } else {
        rule.embedded_short
    };
    let diverse = operators.len() >= rule.operators;
    let by_delivery = delivered.len() >= rule.delivered && diverse;
    let by_embedding =
        embedded.len() >= needed && diverse && (current_embedded || !rule.needs_current_log);
    let names: Vec<String> = usable
        .iter()
        .map(|(_, log)| log.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let detail = format!(
        "{} need {needed} embedded SCTs (the leaf is valid {} days) or {} delivered in TLS or \
         OCSP, from at least {} log operators; it has {} embedded and {} delivered that count, \
         from {} operator{}{}",
        rule.who,
        lifetime.whole_days(),
        rule.delivered,
        rule.operators,
        embedded.len(),
        delivered.len(),
        operators.len(),
        if operators.len() == 1 { "" } else { "s" },
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", names.join(", "))
        },
    );
    (by_delivery || by_embedding, detail)
}

/// A static CT API log's SCT carries its leaf index: extension type 0 with (at least) five
/// bytes, once (chrome_ct_policy_enforcer.cc HasValidLeafIndex).
fn has_leaf_index(sct: &Sct) -> bool {
    let mut rest = sct.extensions.as_slice();
    let mut found = None;
    while let [kind, high, low, tail @ ..] = rest {
        let n = usize::from(u16::from_be_bytes([*high, *low]));
        let Some(data) = tail.get(..n) else {
            return false;
        };
        if *kind == 0 {
            if found.is_some() {
                return false;
            }
            found = Some(data.len() >= 5);
        }
        rest = &tail[n..];
    }
    rest.is_empty() && found == Some(true)
}
