//! Rules that bind the CA issuing a certificate and that no mainstream client enforces: RFC
//! 5280's certificate profile and the CA/Browser Forum Baseline Requirements (BR). Breaking one
//! changes no client's verdict, so the finding is `nonconforming-certificate` (info), or
//! `misissued-certificate` (warning) when the chain reaches a public root, whose CA must revoke
//! such a certificate. Clients that do reject a broken rule are `profile.rs`'s business.

use super::name::wildcard_over_public_suffix;
use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::path::PathEnd;
use crate::chain::signature::KeyAlgorithm;
use crate::chain::{CertFacts, San};

/// Who else looks at these rules, said in every finding.
const ENFORCED_BY: &str =
    "no mainstream client rejects it; linters (zlint, pkilint) and the x509-limbo suite flag it";

/// Where on the path a certificate sits, which decides the rules that bind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Leaf,
    Intermediate,
    /// The trusted certificate the path ends at, read from the store.
    Root,
}

const ANY: &[Role] = &[Role::Leaf, Role::Intermediate, Role::Root];
const LEAF: &[Role] = &[Role::Leaf];
const CA: &[Role] = &[Role::Intermediate, Role::Root];
const ROOT: &[Role] = &[Role::Root];

/// One rule: where it is written, what it binds, and how a certificate breaks it.
struct Rule {
    /// The section that states it: `RFC 5280 4.1.2.2`, `BR 6.1.5`.
    source: &'static str,
    binds: &'static [Role],
    /// Breaking it in a publicly trusted certificate is misissuance under the BR (which
    /// incorporate RFC 5280's profile), unless the BR explicitly allow what RFC 5280 forbids.
    misissuance: bool,
    /// How `facts` breaks the rule, said about that certificate; `None` when it keeps it.
    broken: fn(&CertFacts) -> Option<String>,
}

const RULES: &[Rule] = &[
    Rule {
        source: "RFC 5280 4.1.2.2",
        binds: ANY,
        misissuance: true,
        broken: serial_number,
    },
    Rule {
        source: "BR 6.1.5",
        binds: ANY,
        misissuance: true,
        broken: |f| match (&f.key.algorithm, f.key.bits) {
            (KeyAlgorithm::Rsa, Some(bits)) if bits % 8 != 0 => Some(format!(
                "its RSA modulus is {bits} bits long, not a multiple of 8"
            )),
            _ => None,
        },
    },
    Rule {
        source: "BR 7.1.2.7.6",
        binds: LEAF,
        misissuance: true,
        broken: |f| {
            (f.eku.is_none() && !f.is_ca()).then(|| {
                "it has no extKeyUsage; a TLS server certificate must list serverAuth".into()
            })
        },
    },
    Rule {
        source: "BR 7.1.2.7.6",
        binds: LEAF,
        misissuance: true,
        broken: |f| {
            f.profile
                .eku_critical
                .then(|| "its extKeyUsage is marked critical".into())
        },
    },
    Rule {
        source: "BR 7.1.2.7.10",
        binds: LEAF,
        misissuance: true,
        broken: |f| {
            f.eku
                .as_ref()
                .is_some_and(|eku| eku.iter().any(|e| e == "anyExtendedKeyUsage"))
                .then(|| "its extKeyUsage lists anyExtendedKeyUsage".into())
        },
    },
    Rule {
        source: "BR 7.1.4.3",
        binds: LEAF,
        misissuance: true,
        broken: common_name_not_a_san,
    },
    Rule {
        source: "BR 7.1.2.7.12",
        binds: LEAF,
        misissuance: true,
        broken: |f| {
            (f.profile.san_critical && !f.profile.empty_subject).then(|| {
                "its subjectAltName is marked critical although its subject is not empty".into()
            })
        },
    },
    Rule {
        source: "RFC 5280 4.2.1.6",
        binds: ANY,
        misissuance: true,
        broken: |f| {
            let names: Vec<&str> = f
                .sans
                .iter()
                .flatten()
                .filter_map(|san| match san {
                    San::Dns(dns) if dns.contains('_') => Some(dns.as_str()),
                    _ => None,
                })
                .collect();
            (!names.is_empty()).then(|| {
                format!(
                    "its DNS name {} has an underscore, outside the preferred name syntax",
                    names.join(", ")
                )
            })
        },
    },
    // Over an ICANN suffix Chrome refuses the match: name.rs says so when the name needs it.
    // The BR let a CA issue it to whoever controls the whole namespace below the suffix.
    Rule {
        source: "BR 3.2.2.6",
        binds: LEAF,
        misissuance: false,
        broken: |f| {
            let names: Vec<String> = f
                .sans
                .iter()
                .flatten()
                .filter_map(|san| match san {
                    San::Dns(dns) => match wildcard_over_public_suffix(dns) {
                        Some((suffix, psl::Type::Private)) => Some(format!("{dns} ({suffix})")),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            (!names.is_empty()).then(|| {
                format!(
                    "its wildcard {} sits directly over a public suffix of the Public Suffix \
                     List's PRIVATE section",
                    names.join(", ")
                )
            })
        },
    },
    Rule {
        source: "RFC 5280 4.2.1.10",
        binds: LEAF,
        misissuance: true,
        broken: |f| {
            (f.has_name_constraints && !f.is_ca()).then(|| {
                "it is not a CA but carries nameConstraints, which only a CA may carry".into()
            })
        },
    },
    // The BR let a CA leave nameConstraints non-critical for the sake of old clients.
    Rule {
        source: "RFC 5280 4.2.1.10",
        binds: CA,
        misissuance: false,
        broken: |f| {
            (f.has_name_constraints && !f.profile.name_constraints_critical)
                .then(|| "its nameConstraints is not marked critical".into())
        },
    },
    // Chrome reads `.example.com` as "subdomains only"; whether the BR hold the spelling against
    // a public CA is not settled here, so it is never called misissuance.
    Rule {
        source: "RFC 5280 4.2.1.10",
        binds: CA,
        misissuance: false,
        broken: |f| {
            let written = &f.profile.leading_period_dns_constraints;
            (!written.is_empty()).then(|| {
                format!(
                    "its DNS name constraint {} starts with a period, which only URI \
                     constraints may",
                    written.join(", ")
                )
            })
        },
    },
    Rule {
        source: "RFC 5280 4.2.1.11",
        binds: CA,
        misissuance: true,
        broken: |f| {
            (f.profile.policy_constraints_critical == Some(false))
                .then(|| "its policyConstraints is not marked critical".into())
        },
    },
    Rule {
        source: "BR 7.1.2.1.2",
        binds: ROOT,
        misissuance: true,
        broken: |f| {
            f.eku
                .is_some()
                .then(|| "it is a root with an extKeyUsage, which a root must not carry".into())
        },
    },
    Rule {
        source: "BR 7.1.2.1.3",
        binds: ROOT,
        misissuance: true,
        broken: |f| {
            (f.profile.has_aki && f.aki.is_none()).then(|| {
                "its authorityKeyIdentifier has no keyIdentifier, which a root's must have".into()
            })
        },
    },
    // A trusted certificate that is not self-issued is trusted as it stands (partial-chain
    // trust), so verifiers never look for its issuer; a CA still had to write the identifier.
    Rule {
        source: "RFC 5280 4.2.1.1",
        binds: ROOT,
        misissuance: true,
        broken: |f| {
            (!f.self_issued && f.aki.is_none()).then(|| {
                "it is not self-issued but has no authorityKeyIdentifier keyIdentifier".into()
            })
        },
    },
];

/// Every rule of [`RULES`] that a certificate of the path, or the trusted root it ends at,
/// breaks: one finding each, never an error, since no mainstream client enforces them.
pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    // A public root was accepted by the root programs as it is, and no server can change it:
    // what it breaks is worth knowing, never a warning on every site that chains to it.
    let cause = |rule: &Rule, role: Role| {
        if ctx.public_anchored && rule.misissuance && role != Role::Root {
            Cause::MisissuedCertificate
        } else {
            Cause::NonconformingCertificate
        }
    };
    let mut findings = Vec::new();
    for &index in &ctx.path.certs {
        let Some(facts) = ctx.chain.certs.get(index).and_then(|c| c.facts()) else {
            continue;
        };
        let (role, name) = match index {
            0 => (Role::Leaf, "the leaf"),
            _ => (Role::Intermediate, "the issuer"),
        };
        for (rule, problem) in broken(facts, role) {
            findings.push(Finding::at(
                cause(rule, role),
                index,
                format!("{name} {}: {}", facts.subject, said(rule, &problem)),
            ));
        }
    }
    if let PathEnd::Anchor(anchor) = ctx.path.end {
        let root = ctx.store.anchor_chain(anchor);
        if let Some(facts) = root
            .as_ref()
            .and_then(|c| c.certs.first())
            .and_then(|c| c.facts())
        {
            for (rule, problem) in broken(facts, Role::Root) {
                findings.push(Finding::new(
                    cause(rule, Role::Root),
                    format!(
                        "the trusted root {}: {}",
                        facts.subject,
                        said(rule, &problem)
                    ),
                ));
            }
        }
    }
    findings
}

/// Every rule binding `role` that `facts` breaks, with how.
fn broken(facts: &CertFacts, role: Role) -> Vec<(&'static Rule, String)> {
    RULES
        .iter()
        .filter(|rule| rule.binds.contains(&role))
        .filter_map(|rule| (rule.broken)(facts).map(|problem| (rule, problem)))
        .collect()
}

fn said(rule: &Rule, problem: &str) -> String {
    format!("{problem} ({}); {ENFORCED_BY}", rule.source)
}

/// RFC 5280: a positive integer of at most 20 octets.
fn serial_number(facts: &CertFacts) -> Option<String> {
    serial_problem(&facts.serial)
}

/// What is wrong with a serial number given as the lowercase hex of its DER content octets.
fn serial_problem(hex: &str) -> Option<String> {
    if hex.is_empty() {
        return None;
    }
    if hex.bytes().all(|d| d == b'0') {
        return Some("its serial number is 0, and it must be positive".into());
    }
    if hex
        .as_bytes()
        .first()
        .is_some_and(|d| b"89abcdef".contains(d))
    {
        return Some("its serial number is negative, and it must be positive".into());
    }
    // The value's octets, without the zero octet DER puts before a high first bit.
    let octets = hex.trim_start_matches("00").len().div_ceil(2);
    (octets > 20).then(|| format!("its serial number is {octets} octets long, more than 20"))
}

/// BR 7.1.4.3: a leaf's Common Name, when present, is a copy of one of its SANs: a DNS name
/// character for character, an IP address in its canonical text (RFC 5952 for IPv6).
fn common_name_not_a_san(facts: &CertFacts) -> Option<String> {
    if facts.is_ca() {
        return None;
    }
    let cn = facts.common_name.as_deref()?;
    // Without a SAN the Common Name is all there is: no-san names that.
    let sans = facts.sans.as_ref()?;
    let copied = sans.iter().any(|san| match san {
        San::Dns(dns) => dns == cn,
        San::Ip(ip) => ip.to_string() == cn,
        _ => false,
    });
    (!copied).then(|| {
        format!("its Common Name {cn:?} is not a copy of one of its subjectAltName entries")
    })
}

#[cfg(test)]
mod tests {
    use super::serial_problem;

    #[test]
    fn a_serial_number_is_positive_and_at_most_20_octets() {
        assert!(serial_problem("00").is_some_and(|p| p.contains("is 0")));
        assert!(serial_problem("ff01").is_some_and(|p| p.contains("negative")));
        // 20 octets with the high bit set: DER adds a zero octet, which does not count.
        let twenty = format!("00{}", "ab".repeat(20));
        assert_eq!(serial_problem(&twenty), None);
        let twenty_one = "7f".repeat(21);
        assert!(serial_problem(&twenty_one).is_some_and(|p| p.contains("21 octets")));
        assert_eq!(serial_problem("01"), None);
    }
}
