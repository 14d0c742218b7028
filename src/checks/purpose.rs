//! Purpose and constraints: may each certificate do what the chain asks of it?

use super::{Context, Finding};
use crate::causes::Cause;

const SERVER_AUTH: &str = "serverAuth";

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let chain = ctx.chain;
    if let Some(leaf) = chain.leaf().and_then(|c| c.facts()) {
        if leaf.is_ca() {
            findings.push(Finding::at(
                Cause::LeafIsCa,
                0,
                "the leaf has basicConstraints CA:TRUE",
            ));
        }
        if let Some(eku) = leaf
            .eku
            .as_ref()
            .filter(|e| !e.iter().any(|u| u == SERVER_AUTH))
        {
            findings.push(Finding::at(
                Cause::WrongEku,
                0,
                format!(
                    "the leaf's extendedKeyUsage is {}, without serverAuth",
                    list(eku)
                ),
            ));
        }
        if let Some(ku) = leaf
            .key_usage
            .as_ref()
            .filter(|ku| !ku.contains(&"digitalSignature"))
        {
            findings.push(Finding::at(
                Cause::BadKeyUsage,
                0,
                format!(
                    "the leaf's keyUsage is {}, without digitalSignature",
                    list(ku)
                ),
            ));
        }
    }
    let path = &ctx.path.certs;
    for (position, &index) in path.iter().enumerate().skip(1) {
        let Some(ca) = chain.certs[index].facts() else {
            continue;
        };
        let child = path[position - 1];
        match ca.basic_constraints {
            None => findings.push(Finding::at(
                Cause::NotACa,
                index,
                format!(
                    "{} has no basicConstraints extension, yet it issued [{child}]",
                    ca.subject
                ),
            )),
            Some(bc) if !bc.ca => findings.push(Finding::at(
                Cause::NotACa,
                index,
                format!(
                    "{} has basicConstraints CA:FALSE, yet it issued [{child}]",
                    ca.subject
                ),
            )),
            Some(bc) => {
                if let Some(ku) = ca
                    .key_usage
                    .as_ref()
                    .filter(|ku| !ku.contains(&"keyCertSign"))
                {
                    findings.push(Finding::at(
                        Cause::NotACa,
                        index,
                        format!(
                            "{}'s keyUsage is {}, without keyCertSign, yet it issued [{child}]",
                            ca.subject,
                            list(ku)
                        ),
                    ));
                }
                // Intermediates between this CA and the leaf; self-issued ones do not count
                // (RFC 5280 6.1.4 (l)).
                let below = path[1..position]
                    .iter()
                    .filter(|&&i| !chain.certs[i].facts().is_some_and(|f| f.self_issued))
                    .count();
                if let Some(limit) = bc.path_len.filter(|&n| below as u64 > u64::from(n)) {
                    findings.push(Finding::at(
                        Cause::PathLengthExceeded,
                        index,
                        format!(
                            "{} allows {limit} intermediate(s) below it (pathlen:{limit}); this chain has {below}",
                            ca.subject
                        ),
                    ));
                }
            }
        }
        if let Some(eku) = ca
            .eku
            .as_ref()
            .filter(|e| !e.iter().any(|u| u == SERVER_AUTH))
        {
            findings.push(Finding::at(
                Cause::WrongEku,
                index,
                format!(
                    "this CA's extendedKeyUsage is {}, without serverAuth, which restricts everything it issued",
                    list(eku)
                ),
            ));
        }
    }
    if let Err(webpki::Error::NameConstraintViolation) = ctx.verification.chain {
        let constrained = path.iter().copied().find(|&i| {
            chain.certs[i]
                .facts()
                .is_some_and(|f| f.has_name_constraints)
        });
        let detail = "the verifier found a name outside a CA's permitted names (nameConstraints)";
        findings.push(match constrained {
            Some(i) => Finding::at(Cause::NameConstraintsViolation, i, detail),
            None => Finding::new(Cause::NameConstraintsViolation, detail),
        });
    }
    findings
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "empty".to_string();
    }
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}
