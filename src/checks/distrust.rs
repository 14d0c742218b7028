//! Roots a program still includes but no longer trusts for every leaf: Mozilla's and Java's
//! distrust-after dates (by the leaf's notBefore), Chrome's SCT-not-after dates (by the
//! earliest SCT that verified, from any source) and the Chrome versions they apply to. The constraints are
//! data (data/root-programs/, [`crate::trust::programs`]); this module only applies them.

use super::ct::CtJudgement;
use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::Chain;
use crate::chain::path::PathEnd;
use crate::ct::verify::SctStatus;
use crate::trust::constraint::{self, LeafFacts};
use crate::trust::programs::Program;

/// One finding per program whose constraints refuse the leaf, at the current browser version.
pub fn check(ctx: &Context<'_>, ct: &CtJudgement) -> Vec<Finding> {
    let Some(spki) = anchor_spki(ctx) else {
        return Vec::new();
    };
    let Some(leaf) = leaf_facts(ctx.chain, ct) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for program in ctx.programs.constraining(&spki) {
        let Some(why) = refusal(&program, &spki, &leaf, None) else {
            continue;
        };
        findings.push(Finding::at(
            Cause::DistrustedRoot,
            0,
            format!(
                "{} ({}, data of {}) still includes the root but refuses this leaf: {why}; this \
                 breaks {}",
                program.name,
                program.id,
                program.snapshot,
                clients_of(&program.id)
            ),
        ));
    }
    findings
}

/// SHA-256 of the SubjectPublicKeyInfo of the root the chain reaches in some store.
fn anchor_spki(ctx: &Context<'_>) -> Option<String> {
    ctx.evals.iter().find_map(|e| match e.path.end {
        PathEnd::Anchor(a) => Some(ctx.stores[e.store].describe(a).spki_sha256),
        _ => None,
    })
}

/// What constraints are judged on: the leaf's notBefore and the earliest of its SCTs that
/// verified against a known log. Chromium counts only those (`ValidScts` in
/// net/cert/cert_verify_proc_builtin.cc, version 150), from the certificate, TLS or OCSP alike,
/// so an SCT that is forged, or from a log it does not know, does not vouch for a date.
pub fn leaf_facts(chain: &Chain, ct: &CtJudgement) -> Option<LeafFacts> {
    let leaf = chain.leaf()?;
    let earliest_sct = ct
        .scts
        .iter()
        .filter(|s| s.status == SctStatus::Valid)
        .filter_map(|s| s.sct.timestamp())
        .min();
    Some(LeafFacts {
        not_before: leaf.facts()?.not_before,
        earliest_sct,
    })
}

/// Why `program` refuses a leaf under the root whose key has this SPKI hash, for a client of
/// `version` (`None`: a current release). A root the program also lists without constraint
/// (the same key in another certificate) lets the leaf through.
pub fn refusal(
    program: &Program,
    spki_sha256: &str,
    leaf: &LeafFacts,
    version: Option<u32>,
) -> Option<String> {
    let mut why = None;
    for root in program.roots_with_spki(spki_sha256) {
        match constraint::refusal(&root.constraints, leaf, version) {
            None => return None,
            Some(reason) => {
                why.get_or_insert(reason);
            }
        }
    }
    why
}

/// The client profiles that apply this program's constraints, for the finding's words.
fn clients_of(program: &str) -> String {
    let names: Vec<String> = crate::clients::all()
        .map(|all| {
            all.iter()
                .filter(|p| p.constraints_program() == Some(program))
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default();
    match names.is_empty() {
        true => format!("the clients that use the {program} store"),
        false => names.join("; "),
    }
}
