//! A client's verdict on the certificates themselves: key types and sizes, SHA-1, and the
//! findings whose weight its policy decides (the CN, the EKU, a CA leaf, strict encoding, CT).
//! Part of [`super::judge`], apart from the negotiation side because it reads only the chain.

use super::judge::{Target, Verdict};
use super::negotiation::answered;
use super::{Profile, Sha1};
use crate::causes::Cause;
use crate::chain::signature::{Hash, KeyAlgorithm};

/// Keys and signatures on the path, against the profile's sizes, types and SHA-1 rule.
pub(super) fn certificates(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    let d = target.diagnosis;
    let path = d.path();
    let public = d
        .evals
        .iter()
        .any(|e| e.path.is_anchored() && d.stores[e.store].name() == "mozilla");
    for &index in &path.certs {
        let Some(cert) = d.chain.certs.get(index) else {
            continue;
        };
        let Some(facts) = cert.facts() else { continue };
        let label = format!("[{index}] {}", cert.label());
        let kind = key_type(&facts.key.algorithm, facts.key.curve.as_deref());
        if !profile.key_types.value.contains(&kind) {
            v.fail(
                Cause::UnsupportedAlgorithm,
                format!("{label} has a key of type {kind}, which these clients cannot verify"),
            );
        }
        if facts.key.algorithm == KeyAlgorithm::Rsa
            && facts
                .key
                .bits
                .is_some_and(|bits| bits < profile.min_rsa_bits.value)
        {
            v.fail(
                Cause::WeakKey,
                format!(
                    "{label} has a {}-bit RSA key; these clients need at least {}",
                    facts.key.bits.unwrap_or_default(),
                    profile.min_rsa_bits.value
                ),
            );
        }
        // The root's own signature is never checked: only what an issuer signed.
        let sha1 = facts.signed.kind.hash() == Some(Hash::Sha1) && !facts.self_signed;
        let refused = match profile.sha1.value {
            Sha1::Allowed => false,
            Sha1::Refused => true,
            Sha1::PrivateRoots => public,
        };
        if sha1 && refused {
            v.fail(
                Cause::WeakSignature,
                format!("{label} is signed with SHA-1, which these clients refuse"),
            );
        }
    }
}

/// The profile's name for a key: `ec-p256`, `rsa-pss`, ...
fn key_type(algorithm: &KeyAlgorithm, curve: Option<&str>) -> String {
    match (algorithm, curve) {
        (KeyAlgorithm::Rsa, _) => "rsa".into(),
        (KeyAlgorithm::Ec, Some("P-256")) => "ec-p256".into(),
        (KeyAlgorithm::Ec, Some("P-384")) => "ec-p384".into(),
        (KeyAlgorithm::Ec, Some("P-521")) => "ec-p521".into(),
        (KeyAlgorithm::Ec, curve) => format!("ec-{}", curve.unwrap_or("unknown-curve")),
        (KeyAlgorithm::Ed25519, _) => "ed25519".into(),
        (KeyAlgorithm::Ed448, _) => "ed448".into(),
        (KeyAlgorithm::Other(oid), _) if oid == "1.2.840.113549.1.1.10" => "rsa-pss".into(),
        (other, _) => other.name().to_lowercase(),
    }
}

/// A CT policy the log list cannot settle leaves the clients enforcing it unknown, not ok.
pub(super) fn ct_undetermined(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    for outcome in target.diagnosis.ct.undetermined() {
        if outcome.policy == profile.ct_policy.value {
            v.unknowns
                .push(format!("whether its CT policy is met: {}", outcome.detail));
        }
    }
}

/// The findings whose verdict depends on the profile's name, EKU, CA-leaf and strictness rules.
pub(super) fn name_and_purpose(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    let any_only = target
        .diagnosis
        .chain
        .leaf()
        .and_then(|c| c.facts())
        .and_then(|f| f.eku.as_ref())
        .is_some_and(|eku| {
            eku.iter().any(|e| e == "anyExtendedKeyUsage") && !eku.iter().any(|e| e == "serverAuth")
        });
    for f in target.findings {
        let refused = match f.cause {
            Cause::NoSan => !profile.cn_fallback.value,
            // anyExtendedKeyUsage alone: some clients take it for serverAuth, some do not.
            Cause::WrongEku => profile.checks_eku.value && !(any_only && profile.any_eku.value),
            // tlsdoctor's own handshake failed: that is rustls' verdict, and for any other
            // client a question the one handshake cannot answer.
            Cause::HandshakeFailure if profile.family == "rustls" => true,
            // The client's own hello was answered: the negotiation below decides.
            Cause::HandshakeFailure if answered(profile, target) => false,
            Cause::HandshakeFailure => {
                v.unknowns.push(format!(
                    "tlsdoctor's own handshake failed ({}); whether this client's succeeds was \
                     not probed",
                    f.detail
                ));
                false
            }
            Cause::LeafIsCa => !profile.leaf_ca.value,
            Cause::ProfileViolation => profile.strict_rfc5280.value,
            Cause::WildcardOverPublicSuffix => profile.psl_wildcards.value,
            Cause::ValidityTooLong => target
                .diagnosis
                .lifetime
                .contains(&profile.lifetime_policy.value),
            // Only a client enforcing a CT policy that is not met refuses; the others never
            // look at SCTs, and the finding stays in the report for them.
            Cause::CtRequired => target
                .diagnosis
                .ct
                .refusing()
                .contains(&profile.ct_policy.value),
            Cause::SctInvalid => {
                if profile.ct_policy.value != crate::checks::ct::Policy::None {
                    v.warnings.push((f.cause, f.detail.clone()));
                }
                false
            }
            Cause::RejectedByVerifier => {
                if profile.family == "rustls" {
                    true
                } else {
                    v.unknowns.push(
                        "rustls-webpki rejects the chain for a reason no check names; whether \
                         this client does is not known"
                            .into(),
                    );
                    false
                }
            }
            _ => continue,
        };
        if refused {
            v.fail(f.cause, f.detail.clone());
        }
    }
}
