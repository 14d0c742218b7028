//! Roots a program still includes but no longer trusts for every leaf: Mozilla's and Java's
//! distrust-after dates (by the leaf's notBefore), Chrome's SCT-not-after dates (by the
//! leaf's earliest embedded SCT) and the Chrome versions they apply to. The constraints are
//! data (data/root-programs/, [`crate::trust::programs`]); this module only applies them.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::Chain;
use crate::chain::path::PathEnd;
use crate::trust::constraint::{self, LeafFacts};
use crate::trust::programs::Program;
use ::time::OffsetDateTime;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

/// One finding per program whose constraints refuse the leaf, at the current browser version.
pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(spki) = anchor_spki(ctx) else {
        return Vec::new();
    };
    let Some(leaf) = leaf_facts(ctx.chain) else {
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

/// What constraints are judged on: the leaf's notBefore and its earliest embedded SCT.
pub fn leaf_facts(chain: &Chain) -> Option<LeafFacts> {
    let leaf = chain.leaf()?;
    Some(LeafFacts {
        not_before: leaf.facts()?.not_before,
        earliest_sct: earliest_sct(&leaf.der),
    })
}

/// The earliest timestamp of the SCTs embedded in a certificate (RFC 6962 section 3.3).
pub fn earliest_sct(der: &[u8]) -> Option<OffsetDateTime> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let millis = cert
        .extensions()
        .iter()
        .filter_map(|e| match e.parsed_extension() {
            ParsedExtension::SCT(list) => Some(list.iter().map(|sct| sct.timestamp)),
            _ => None,
        })
        .flatten()
        .min()?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One SCT (RFC 6962 3.2) with this timestamp, as TLS-encoded bytes with its length.
    fn sct(millis: u64) -> Vec<u8> {
        let mut body = vec![0u8]; // v1
        body.extend([7u8; 32]); // log id
        body.extend(millis.to_be_bytes());
        body.extend([0, 0]); // no extensions
        body.extend([4, 3, 0, 2, 0xAB, 0xCD]); // SHA-256/ECDSA, a 2-byte "signature"
        let mut out = (body.len() as u16).to_be_bytes().to_vec();
        out.extend(body);
        out
    }

    fn with_scts(timestamps: &[u64]) -> Vec<u8> {
        let list: Vec<u8> = timestamps.iter().flat_map(|t| sct(*t)).collect();
        let mut tls = (list.len() as u16).to_be_bytes().to_vec();
        tls.extend(list);
        // The extension's value is an OCTET STRING holding the TLS-encoded list.
        let mut octets = vec![0x04, tls.len() as u8];
        octets.extend(tls);
        let mut params = rcgen::CertificateParams::new(vec!["ok.test".into()]).unwrap();
        if !timestamps.is_empty() {
            params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
                octets,
            )];
        }
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn the_earliest_embedded_sct_is_the_one_chrome_judges() {
        let der = with_scts(&[1_761_955_300_000, 1_761_955_200_000]);
        let earliest = earliest_sct(&der).unwrap();
        assert_eq!(earliest.unix_timestamp(), 1_761_955_200);
    }

    #[test]
    fn a_certificate_without_scts_has_no_earliest_sct() {
        let der = with_scts(&[]);
        assert!(X509Certificate::from_der(&der).is_ok());
        assert_eq!(earliest_sct(&der), None);
    }
}
