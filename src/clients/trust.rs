//! A client's trust in the chain: does the path reach a root of its store (its bundled root
//! program's, when the run did not judge against that store), would it need a download it
//! does not make, and do its program's constraints let this leaf through. Part of
//! [`super::judge`].

use super::judge::{Target, Verdict};
use super::{Profile, Store};
use crate::causes::Cause;
use crate::chain::path::{Path, PathEnd};
use crate::checks::distrust;

/// Whether the chain reaches a root this client trusts, downloading issuers if it does, and
/// whether its root program's constraints let this leaf through.
pub(super) fn trust(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    let d = target.diagnosis;
    let store = profile.store.value;
    let program = profile.program_id();
    let evals: Vec<&crate::diagnosis::StoreEval> = if target.user_stores {
        d.evals.iter().collect()
    } else {
        d.evals
            .iter()
            .filter(|e| {
                let name = d.stores[e.store].name();
                Some(name.as_str()) == program || (store == Store::System && name == "system")
            })
            .collect()
    };
    // A bundled program the run did not judge against: its path is built here.
    let (path, anchor_store) = match evals.iter().find(|e| e.path.is_anchored()) {
        Some(eval) => (eval.path.clone(), d.stores[eval.store].clone()),
        None if evals.is_empty() && !target.user_stores => {
            let Some(program_store) = program.and_then(|id| target.stores.program_store(id)) else {
                v.unknowns.push(format!(
                    "its trust store ({}) is not among the stores judged here; run with \
                     --ca-file or --trust to judge against given roots",
                    store.as_str()
                ));
                return;
            };
            let path = Path::build(&d.chain, &program_store).unwrap_or(Path {
                certs: Vec::new(),
                end: PathEnd::Unparseable,
            });
            if !path.is_anchored() {
                // What the run found about the chain's root holds here too (a private root is
                // in no program); what it found about this machine's store does not.
                let chain_causes = [
                    Cause::MissingIntermediate,
                    Cause::UnknownIssuer,
                    Cause::PrivateRoot,
                    Cause::UntrustedRoot,
                ];
                for f in target.findings.iter() {
                    if chain_causes.contains(&f.cause) {
                        v.fail(f.cause, f.detail.clone());
                    }
                }
                if v.fails.is_empty() {
                    let cause = match path.end {
                        PathEnd::SelfSigned => Cause::UntrustedRoot,
                        _ => Cause::UnknownIssuer,
                    };
                    let why = format!(
                        "the chain reaches no root of its store ({})",
                        program_store.name()
                    );
                    v.fail(cause, why);
                }
                return;
            }
            (path, program_store)
        }
        None => {
            for f in target.findings.iter().filter(|f| is_trust_cause(f.cause)) {
                v.fail(f.cause, f.detail.clone());
            }
            if v.fails.is_empty() {
                v.fail(
                    Cause::UnknownIssuer,
                    format!(
                        "the chain reaches no root of its store ({})",
                        store.as_str()
                    ),
                );
            }
            return;
        }
    };
    let downloaded = path.certs.iter().any(|&i| d.chain.is_fetched(i));
    if downloaded && !profile.aia_fetch.value {
        let detail = target
            .findings
            .iter()
            .find(|f| f.cause == Cause::MissingIntermediate)
            .map_or_else(
                || "the server does not send an intermediate the path needs".to_string(),
                |f| f.detail.clone(),
            );
        v.fail(Cause::MissingIntermediate, detail);
    }
    if let PathEnd::Anchor(anchor) = path.end {
        constraints(
            profile,
            target,
            &anchor_store.describe(anchor).spki_sha256,
            v,
        );
    }
}

/// The client's root program still includes the root; does it refuse this leaf?
fn constraints(profile: &Profile, target: &Target<'_>, spki_sha256: &str, v: &mut Verdict) {
    let Some(program) = profile
        .constraints_program()
        .and_then(|id| target.stores.constraining_program(id, spki_sha256))
    else {
        return;
    };
    let Some(leaf) = distrust::leaf_facts(&target.diagnosis.chain, &target.diagnosis.ct) else {
        return;
    };
    let version = profile.program_version.as_ref().map(|v| v.value);
    if let Some(why) = distrust::refusal(&program, spki_sha256, &leaf, version) {
        v.fail(
            Cause::DistrustedRoot,
            format!(
                "{} still includes the root but refuses this leaf: {why} (data of {})",
                program.name, program.snapshot
            ),
        );
    }
}

fn is_trust_cause(cause: Cause) -> bool {
    matches!(
        cause,
        Cause::MissingIntermediate
            | Cause::UnknownIssuer
            | Cause::PrivateRoot
            | Cause::UntrustedRoot
            | Cause::OutdatedSystemStore
            | Cause::EnvOverrideMissingRoot
    )
}
