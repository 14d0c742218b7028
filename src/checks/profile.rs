//! RFC 5280's encoding rules that some mainstream clients enforce although rustls-webpki does
//! not: on every certificate of the path, and on the trusted root's own certificate, which no
//! verifier of a path otherwise reads (webpki uses only the root's name and key).

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::CertFacts;
use crate::chain::path::PathEnd;

/// Python 3.13 and later set VERIFY_X509_STRICT in their default context.
const STRICT: &str = "Python 3.13+ (whose default context sets VERIFY_X509_STRICT) rejects it";

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for &index in &ctx.path.certs {
        let Some(cert) = ctx.chain.certs.get(index) else {
            continue;
        };
        let Some(facts) = cert.facts() else {
            continue;
        };
        let role = if index == 0 { "the leaf" } else { "the issuer" };
        for problem in problems(facts, index == 0, false) {
            findings.push(Finding::at(
                Cause::ProfileViolation,
                index,
                format!("{role} {}: {problem}", facts.subject),
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
            for problem in problems(facts, false, true) {
                findings.push(Finding::new(
                    Cause::ProfileViolation,
                    format!("the trusted root {}: {problem}", facts.subject),
                ));
            }
        }
    }
    findings
}

/// What is wrong with one certificate, each with the clients that refuse it.
fn problems(facts: &CertFacts, leaf: bool, root: bool) -> Vec<String> {
    let p = &facts.profile;
    let mut out = Vec::new();
    for malformed in &p.malformed {
        out.push(format!(
            "the extension {malformed} does not decode; Go and Chrome reject it"
        ));
    }
    for oid in &p.unknown_critical {
        out.push(format!(
            "it has a critical extension {oid} that clients do not understand; OpenSSL, Go and \
             rustls reject it"
        ));
    }
    if p.aki_critical {
        out.push("its authorityKeyIdentifier is marked critical, which RFC 5280 forbids; OpenSSL rejects it".into());
    }
    if p.ski_critical {
        out.push("its subjectKeyIdentifier is marked critical, which RFC 5280 forbids; OpenSSL rejects it".into());
    }
    if p.empty_subject && !p.san_critical && facts.sans.is_some() {
        out.push("its subject is empty and its subjectAltName is not marked critical (RFC 5280 requires it then); Chrome rejects it".into());
    }
    let ca = facts.is_ca();
    let key_cert_sign = facts
        .key_usage
        .as_ref()
        .is_some_and(|ku| ku.contains(&"keyCertSign"));
    if leaf && !ca && key_cert_sign {
        out.push("it is not a CA but its keyUsage allows keyCertSign; Chrome rejects it".into());
    }
    if leaf
        && !ca
        && facts
            .basic_constraints
            .as_ref()
            .is_some_and(|bc| bc.path_len.is_some())
    {
        out.push("it is not a CA but sets a pathLenConstraint; Chrome rejects it".into());
    }
    if (ca || root) && facts.key_usage.is_some() && !key_cert_sign {
        out.push("it is a CA whose keyUsage lacks keyCertSign; OpenSSL rejects it".into());
    }
    // OpenSSL's strict checks apply to version 3 certificates only.
    if p.version >= 3 {
        if (ca || root) && facts.basic_constraints.is_some() && !p.basic_constraints_critical {
            out.push(format!(
                "its basicConstraints is not marked critical; {STRICT}"
            ));
        }
        if (ca || root) && facts.ski.is_none() {
            out.push(format!("it has no subjectKeyIdentifier; {STRICT}"));
        }
        // A trusted certificate ends the path whoever issued it (partial-chain trust, as curl,
        // Go and Python set it up), so its own issuer's identifier is not asked for.
        if !root && !facts.self_issued && facts.aki.is_none() {
            out.push(format!("it has no authorityKeyIdentifier; {STRICT}"));
        }
    }
    if root {
        out.extend(root_problems(facts));
    }
    out
}

/// A trusted root that OpenSSL or Go would not take for one.
fn root_problems(facts: &CertFacts) -> Vec<String> {
    let p = &facts.profile;
    let mut out = Vec::new();
    match &facts.basic_constraints {
        None if p.version >= 3 => out.push(
            "it is a version 3 certificate without basicConstraints, so it is not a CA; Go rejects chains that end at it".to_string(),
        ),
        Some(bc) if !bc.ca => out.push("its basicConstraints say it is not a CA; clients reject chains that end at it".to_string()),
        _ => {}
    }
    if p.empty_subject {
        out.push("its subject is empty; OpenSSL does not take it for a root".into());
    }
    // A trusted certificate that is not self-issued is a deliberately trusted intermediate,
    // which curl, Go, Python and rustls accept as the end of a path. One that claims to be its
    // own issuer but whose key identifiers say otherwise is a broken root.
    let not_own_issuer = if !facts.self_issued {
        None
    } else if matches!((&facts.aki, &facts.ski), (Some(aki), Some(ski)) if aki != ski) {
        Some("its authorityKeyIdentifier differs from its own subjectKeyIdentifier")
    } else if let Some((issuer, serial)) = &p.aki_issuer_serial {
        let wrong_issuer = issuer.as_ref().is_some_and(|i| *i != facts.issuer_der);
        let wrong_serial = serial.as_ref().is_some_and(|s| *s != facts.serial);
        (wrong_issuer || wrong_serial).then_some(
            "its authorityKeyIdentifier names an issuer or serial number that is not its own",
        )
    } else {
        None
    };
    if let Some(why) = not_own_issuer {
        out.push(format!(
            "{why}, so OpenSSL does not take it for a self-signed root and rejects chains that end at it (unless -partial_chain)"
        ));
    }
    out
}
