//! From a chain to findings: ask the verifier against every trust store, run the checks, and
//! make sure the verdict is never kinder than the verifier's.

use crate::aia::Attempt;
use crate::causes::{Cause, Severity};
use crate::chain::Chain;
use crate::chain::path::{Path, PathEnd};
use crate::checks::{self, Context, Finding};
use crate::trust::{StoreSet, TrustStore};
use crate::verify::Verification;
use rustls::pki_types::ServerName;
use serde::Serialize;
use std::sync::Arc;
use time::OffsetDateTime;

/// The overall answer for one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No error and no warning.
    Ok,
    /// Works for mainstream clients today, but something needs attention.
    Warning,
    /// A mainstream client rejects this target.
    Error,
    /// No chain could be obtained.
    Unreachable,
}

impl Verdict {
    /// The verdict a set of findings on a captured chain implies.
    pub fn of(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.cause.severity()).min() {
            Some(Severity::Error) => Verdict::Error,
            Some(Severity::Warning) => Verdict::Warning,
            _ => Verdict::Ok,
        }
    }

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warning => "warning",
            Verdict::Error => "error",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// How one trust store judges the chain.
#[derive(Clone, Debug)]
pub struct StoreEval {
    /// Index into the run's stores.
    pub store: usize,
    pub verification: Verification,
    /// The verifier's path when it accepted the chain, else our own.
    pub path: Path,
}

/// Everything learnt about one chain.
pub struct Diagnosis {
    pub chain: Chain,
    pub stores: Vec<Arc<TrustStore>>,
    pub evals: Vec<StoreEval>,
    /// The eval the report leads with: the first store that trusts the chain, else the first.
    pub primary: usize,
    /// Downloads made to complete the chain.
    pub attempts: Vec<Attempt>,
    /// Worst first.
    pub findings: Vec<Finding>,
    /// The clients' lifetime policies that refuse the leaf (see `checks::lifetime`).
    pub lifetime: Vec<checks::lifetime::Policy>,
    /// The leaf's SCTs and the CT policies' outcomes (see `checks::ct`).
    pub ct: checks::ct::CtJudgement,
}

impl Diagnosis {
    /// The leading store's path.
    pub fn path(&self) -> &Path {
        &self.evals[self.primary].path
    }

    /// The leading store.
    pub fn store(&self) -> &TrustStore {
        &self.stores[self.evals[self.primary].store]
    }
}

/// The inputs of a diagnosis besides the chain.
pub struct Settings<'a> {
    pub stores: &'a StoreSet,
    pub name: Option<&'a ServerName<'static>>,
    pub now: OffsetDateTime,
    pub warn_days: u32,
    /// Whether missing issuers were looked for over the network.
    pub fetching: bool,
    /// The proxy the connection went through, as shown in reports.
    pub proxy: Option<&'a str>,
    /// SCT lists delivered beside the chain (a stapled OCSP response's).
    pub delivered_scts: &'a [crate::ct::SctList],
    /// The CT log list; `None` for the bundled one.
    pub ct_logs: Option<&'a crate::ct::logs::LogList>,
    /// The chain came over a connection (not from a file).
    pub connected: bool,
}

/// Diagnoses a non-empty chain.
pub fn diagnose(chain: Chain, attempts: Vec<Attempt>, settings: &Settings<'_>) -> Diagnosis {
    let mut stores = settings.stores.stores().to_vec();
    let mut evals: Vec<StoreEval> = stores
        .iter()
        .enumerate()
        .map(|(index, store)| evaluate(&chain, store, index, settings))
        .collect();
    // The system store was read from its bundle file alone; before calling it untrusting,
    // read its directories too.
    for eval in evals.iter_mut().filter(|e| !e.path.is_anchored()) {
        let deferred = stores[eval.store]
            .system_origin()
            .is_some_and(|o| !o.deferred_dirs.is_empty());
        if let Some(full) = deferred.then(|| settings.stores.full_system()).flatten() {
            stores[eval.store] = full.clone();
            *eval = evaluate(&chain, &stores[eval.store], eval.store, settings);
        }
    }
    let primary = evals
        .iter()
        .position(|e| e.verification.chain.is_ok())
        .or_else(|| evals.iter().position(|e| e.path.is_anchored()))
        .unwrap_or(0);
    // A store that is the public list itself answers for it. Otherwise a path is built, but
    // only when some certificate names a public root as its issuer: building links the chain's
    // signatures, which a private chain (a fleet's, say) should not pay for on every target.
    let public = settings.stores.public();
    let public_anchored = evals
        .iter()
        .any(|e| e.path.is_anchored() && std::ptr::eq(&*stores[e.store], public))
        || (chain
            .certs
            .iter()
            .filter_map(|c| c.facts())
            .any(|f| public.by_subject(&f.issuer_der).next().is_some())
            && Path::build(&chain, public).is_some_and(|p| p.is_anchored()));
    let default_system_anchored = needs_default_system(&stores, &evals).then(|| {
        Path::build(&chain, settings.stores.default_system()).is_some_and(|p| p.is_anchored())
    });
    let eval = &evals[primary];
    let ctx = Context {
        chain: &chain,
        store: &stores[eval.store],
        stores: &stores,
        evals: &evals,
        public: settings.stores.public(),
        programs: settings.stores,
        public_anchored,
        default_system_anchored,
        name: settings.name,
        now: settings.now,
        warn_days: settings.warn_days,
        verification: &eval.verification,
        path: &eval.path,
        attempts: &attempts,
        fetching: settings.fetching,
        proxy: settings.proxy,
        delivered_scts: settings.delivered_scts,
        ct_logs: settings.ct_logs,
        connected: settings.connected,
    };
    let mut findings = checks::run_all(&ctx);
    let ct = checks::ct::judge(&ctx);
    findings.extend(checks::ct::check(&ct));
    // Chrome's SCT-not-after constraints count the SCTs the CT check verified.
    findings.extend(checks::distrust::check(&ctx, &ct));
    if let Some(rejection) = unexplained_rejection(&eval.verification, &findings) {
        findings.push(rejection);
    }
    // Which clients refuse a long-lived leaf: asked again only when one does.
    let lifetime = if findings.iter().any(|f| f.cause == Cause::ValidityTooLong) {
        checks::lifetime::refusing(&ctx)
    } else {
        Vec::new()
    };
    findings.sort_by_key(|f| f.cause.severity());
    Diagnosis {
        chain,
        stores,
        evals,
        primary,
        attempts,
        findings,
        lifetime,
        ct,
    }
}

fn evaluate(chain: &Chain, store: &TrustStore, index: usize, settings: &Settings<'_>) -> StoreEval {
    let verification = Verification::run(chain, store, settings.name, settings.now);
    let path = match &verification.chain {
        // The verifier only saw what was presented; a path that needed downloads is ours.
        Ok(verified) if chain.presented == chain.certs.len() => verified.clone(),
        _ => Path::build(chain, store).unwrap_or(Path {
            certs: Vec::new(),
            end: PathEnd::Unparseable,
        }),
    };
    StoreEval {
        store: index,
        verification,
        path,
    }
}

/// The distribution's own store is read only when an environment override fails the chain.
fn needs_default_system(stores: &[Arc<TrustStore>], evals: &[StoreEval]) -> bool {
    evals.iter().any(|e| {
        !e.path.is_anchored()
            && stores[e.store]
                .system_origin()
                .is_some_and(|origin| origin.from_env())
    })
}

/// When webpki rejects but no check found an error, say so anyway: no false "ok".
fn unexplained_rejection(verification: &Verification, findings: &[Finding]) -> Option<Finding> {
    if findings
        .iter()
        .any(|f| f.cause.severity() == Severity::Error)
    {
        return None;
    }
    let error = match (&verification.chain, &verification.name) {
        (Err(e), _) | (Ok(_), Some(Err(e))) => e,
        _ => return None,
    };
    Some(Finding::new(
        cause_for(error),
        format!("rustls-webpki rejects the chain ({error}) and no more specific check explains it"),
    ))
}

/// The cause for a rejection no check explains. Only an unsupported algorithm is named as such:
/// for anything else a specific cause would contradict the checks that found nothing, so the
/// finding says plainly that the verifier disagrees, with its reason.
fn cause_for(error: &webpki::Error) -> Cause {
    use webpki::Error as E;
    match error {
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Cause::UnsupportedAlgorithm,
        _ => Cause::RejectedByVerifier,
    }
}
