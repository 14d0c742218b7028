//! Certificate Transparency, as the browsers that enforce it count: which SCTs the leaf has,
//! whether each verifies, and whether Chrome's, Apple's and Mozilla's policies are met. The
//! policies bind only certificates that chain to a publicly trusted root: a root the user
//! installed is exempt in every one of them.

pub mod policy;

use super::{Context, Finding, show_time};
use crate::causes::Cause;
use crate::ct::logs::LogList;
use crate::ct::verify::{self, SctStatus};
use crate::ct::{self, Sct, SctListError, SctSource};
pub use policy::{Policy, RULES, Rule};
use serde::Serialize;

/// One SCT with what became of it.
#[derive(Clone, Debug)]
pub struct JudgedSct {
    pub sct: Sct,
    pub status: SctStatus,
    /// The log's name and operator, when the list knows it.
    pub log: Option<(String, String)>,
    /// Dated after the evaluation instant.
    pub future: bool,
}

/// One policy's result for the leaf.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyOutcome {
    pub policy: Policy,
    /// Binds this certificate: publicly trusted and issued after the policy's date.
    pub applies: bool,
    pub met: bool,
    /// False when it is not met but SCTs from logs the list does not know might count: dated
    /// after the list was made (a log started since is unknown to it, not unqualified), or in a
    /// leaf that expired before the list was made (which may have dropped its logs).
    pub determined: bool,
    /// What it asks and what the leaf has, in words.
    pub detail: String,
}

/// Everything the CT check learnt about the leaf.
#[derive(Clone, Debug, Default)]
pub struct CtJudgement {
    pub scts: Vec<JudgedSct>,
    /// Lists that did not read in full.
    pub problems: Vec<(SctSource, SctListError)>,
    pub outcomes: Vec<PolicyOutcome>,
    pub notes: Vec<String>,
}

impl CtJudgement {
    /// The policies that apply and are not met: the clients enforcing them refuse the leaf.
    pub fn refusing(&self) -> Vec<Policy> {
        self.outcomes
            .iter()
            .filter(|o| o.applies && !o.met && o.determined)
            .map(|o| o.policy)
            .collect()
    }

    /// The policies that apply and that the log list cannot settle (see `determined`).
    pub fn undetermined(&self) -> Vec<&PolicyOutcome> {
        self.outcomes
            .iter()
            .filter(|o| o.applies && !o.met && !o.determined)
            .collect()
    }
}

/// SCTs from logs the list does not know, when the list's silence proves nothing: the logs may
/// have started after the list was made, or the list may have dropped them (Chrome's list drops
/// a log once every certificate it could hold has expired).
struct Unknown {
    count: usize,
    /// The leaf expired before the list was made (else: the SCTs are dated after it).
    dropped: bool,
}

impl Unknown {
    fn count(
        scts: &[JudgedSct],
        logs: Option<&LogList>,
        not_after: time::OffsetDateTime,
    ) -> Option<Unknown> {
        let list = logs?.timestamp;
        let unknown = scts.iter().filter(|s| s.status == SctStatus::UnknownLog);
        // An unknown log's SCT in a leaf still valid when the list was made, dated before the
        // list, is from a log the browsers never qualified: that one does decide.
        let dropped = not_after < list;
        let count = if dropped {
            unknown.count()
        } else {
            unknown
                .filter(|s| s.sct.timestamp().is_some_and(|t| t > list))
                .count()
        };
        (count > 0).then_some(Unknown { count, dropped })
    }

    fn explain(&self, logs: Option<&LogList>) -> String {
        let n = self.count;
        let list = logs.map_or_else(|| "none".to_string(), |l| show_time(l.timestamp));
        let sct = if n == 1 { "SCT is" } else { "SCTs are" };
        if self.dropped {
            format!(
                "; {n} {sct} from logs the list ({list}) does not know, and the leaf expired \
                 before that list was made: a list drops the logs of expired certificates, so an \
                 older list of the leaf's time (--ct-logs) may count them"
            )
        } else {
            format!(
                "; {n} {sct} from logs the list ({list}) does not know, dated after it: with a \
                 current list (--ct-logs) they may count"
            )
        }
    }
}

/// Why SCTs sent in the TLS extension are not in the report, when the chain came over TLS.
pub const TLS_UNSEEN: &str = "SCTs sent in the TLS extension are not seen: tlsdoctor's \
handshake (rustls 0.23) neither asks for nor exposes them, so only embedded and OCSP-stapled \
SCTs are counted (tlsdoctor's own TLS 1.2 probe, used when rustls cannot connect, does ask; a \
TLS 1.3 server sends them encrypted, out of its reach)";

/// Reads, verifies and counts the leaf's SCTs.
pub fn judge(ctx: &Context<'_>) -> CtJudgement {
    let mut out = CtJudgement::default();
    let Some(leaf) = ctx.chain.leaf() else {
        return out;
    };
    let Some(facts) = leaf.facts() else {
        return out;
    };
    let mut lists: Vec<ct::SctList> = ct::embedded(&leaf.der).into_iter().collect();
    lists.extend(ctx.delivered_scts.iter().cloned());
    let scts: Vec<Sct> = lists.iter().flat_map(|l| l.scts.iter().cloned()).collect();
    for list in &lists {
        if let Some(problem) = &list.problem {
            out.problems.push((list.source, problem.clone()));
        }
    }
    let logs = if scts.is_empty() {
        None
    } else {
        ctx.ct_logs.or_else(|| LogList::bundled().ok())
    };
    // Only an embedded SCT needs the issuer; finding it may link the chain's signatures.
    let issuer = scts
        .iter()
        .any(|s| s.source == SctSource::Certificate)
        .then(|| issuer_spki(ctx))
        .flatten();
    out.scts = scts
        .into_iter()
        .map(|sct| {
            let log = logs.and_then(|l| l.find(&sct.log_id));
            let status = match log {
                Some(log) => verify::verify(&sct, log, &leaf.der, issuer.as_deref()),
                None => SctStatus::UnknownLog,
            };
            JudgedSct {
                future: sct.timestamp().is_none_or(|t| t > ctx.now),
                log: log.map(|l| (l.name.clone(), l.operator.clone())),
                status,
                sct,
            }
        })
        .collect();
    let public = ctx.public_anchored;
    let unknown = Unknown::count(&out.scts, logs, facts.not_after);
    let lifetime = facts.not_after - facts.not_before;
    for rule in RULES {
        let applies = public && facts.not_before.unix_timestamp() >= rule.issued_from();
        let (met, mut detail) = policy::count(rule, &out.scts, logs, lifetime, ctx.now);
        let determined = met || unknown.is_none();
        if let (false, Some(unknown)) = (determined, &unknown) {
            detail.push_str(&unknown.explain(logs));
        }
        out.outcomes.push(PolicyOutcome {
            policy: rule.policy,
            applies,
            met,
            determined,
            detail,
        });
    }
    let tls_seen = lists.iter().any(|l| l.source == SctSource::Tls);
    if ctx.connected && !tls_seen {
        out.notes.push(TLS_UNSEEN.into());
    }
    if out
        .outcomes
        .iter()
        .any(|o| o.policy == Policy::Apple && o.applies)
    {
        out.notes.push(
            "Apple's own CT log list is not bundled: Chrome's stands in for it when Apple's \
             policy is applied"
                .into(),
        );
    }
    out
}

/// The leaf's issuer's SubjectPublicKeyInfo: a presented certificate that verifiably signed it,
/// else a root of the leading store with its issuer's name.
fn issuer_spki(ctx: &Context<'_>) -> Option<Vec<u8>> {
    let chain = ctx.chain;
    let link = chain
        .issuers_of(0)
        .find(|l| l.status == crate::chain::signature::SignatureStatus::Valid);
    if let Some(link) = link {
        return chain
            .certs
            .get(link.issuer)?
            .facts()
            .map(|f| f.spki_der.clone());
    }
    let issuer_name = &chain.leaf()?.facts()?.issuer_der;
    let leaf = chain.leaf()?.facts()?;
    ctx.store.by_subject(issuer_name).find_map(|i| {
        let der = ctx.store.certificate(i)?;
        let facts = crate::chain::Chain::from_der(vec![der.clone()])
            .certs
            .first()?
            .facts()?
            .clone();
        (facts.signed(leaf) == crate::chain::signature::SignatureStatus::Valid)
            .then_some(facts.spki_der)
    })
}

/// The findings: SCTs that do not verify or are dated in the future (sct-invalid), lists that
/// do not read, and the policies a publicly trusted leaf does not meet (ct-required).
pub fn check(judgement: &CtJudgement) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut bad: Vec<String> = judgement
        .problems
        .iter()
        .map(|(source, problem)| {
            format!(
                "the SCT list delivered by {} cannot be read in full: {problem}",
                source.as_str()
            )
        })
        .collect();
    for s in &judgement.scts {
        let log = s.log.as_ref().map_or_else(
            || format!("unknown log {}", s.sct.log_id_base64()),
            |l| l.0.clone(),
        );
        let when = s
            .sct
            .timestamp()
            .map_or_else(|| "an impossible date".into(), show_time);
        let source = s.sct.source.as_str();
        if s.status == SctStatus::Invalid {
            bad.push(format!(
                "the SCT from {log} ({source}, {when}) does not verify with the log's key"
            ));
        }
        if s.future {
            bad.push(format!(
                "the SCT from {log} ({source}) is dated {when}, after the evaluation instant"
            ));
        }
    }
    if !bad.is_empty() {
        findings.push(Finding::at(Cause::SctInvalid, 0, bad.join("; ")));
    }
    let failed: Vec<String> = judgement
        .outcomes
        .iter()
        .filter(|o| o.applies && !o.met && o.determined)
        .map(|o| {
            let rule = RULES.iter().find(|r| r.policy == o.policy);
            let error = rule.map_or("", |r| r.error);
            format!("{} ({error})", o.detail)
        })
        .collect();
    if !failed.is_empty() {
        let mut detail = format!(
            "the leaf chains to a publicly trusted root and has {} SCT{}; {}",
            judgement.scts.len(),
            if judgement.scts.len() == 1 { "" } else { "s" },
            failed.join("; ")
        );
        if judgement.notes.iter().any(|n| n == TLS_UNSEEN) {
            detail.push_str(&format!(" ({TLS_UNSEEN})"));
        }
        findings.push(Finding::at(Cause::CtRequired, 0, detail));
    }
    findings
}
