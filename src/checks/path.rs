//! The chain's shape: completeness, order, extras, duplicates, the root, and the trust anchor.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::path::{IssuerRef, PathEnd};

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let chain = ctx.chain;
    for cert in &chain.certs {
        if let Err(reason) = &cert.facts {
            findings.push(Finding::at(
                Cause::UnparseableCertificate,
                cert.index,
                format!(
                    "{} bytes, SHA-256 {}: {reason}",
                    cert.der.len(),
                    cert.sha256
                ),
            ));
        }
    }
    for cert in &chain.certs {
        if let Some(first) = chain.duplicate_of(cert.index) {
            findings.push(Finding::at(
                Cause::DuplicateCertificate,
                cert.index,
                format!(
                    "[{}] is the same certificate as [{first}] ({})",
                    cert.index,
                    cert.label()
                ),
            ));
        }
    }
    findings.extend(trust_anchor(ctx));
    findings.extend(order_and_extras(ctx));
    findings
}

/// How the path ends says which trust cause applies.
fn trust_anchor(ctx: &Context<'_>) -> Vec<Finding> {
    let path = ctx.path;
    let top = path.top();
    let Some(facts) = ctx.chain.certs.get(top).and_then(|c| c.facts()) else {
        return Vec::new();
    };
    let store = ctx.store.name();
    let finding = match &path.end {
        PathEnd::Anchor(anchor) => {
            return presented_root(ctx, *anchor).into_iter().collect();
        }
        PathEnd::SelfSigned if top == 0 => Finding::at(
            Cause::SelfSignedLeaf,
            0,
            format!(
                "{} is signed by its own key and is not in the trust store ({store})",
                facts.subject
            ),
        ),
        PathEnd::SelfSigned => Finding::at(
            Cause::UntrustedRoot,
            top,
            format!(
                "the chain ends at the self-signed root {} (SHA-256 {}), which is not in the trust store ({store})",
                facts.subject, ctx.chain.certs[top].sha256
            ),
        ),
        PathEnd::WrongIssuerKey(issuers) => Finding::at(
            Cause::BadSignature,
            top,
            format!(
                "{} names its issuer {}, and {} has that name but its key did not make the signature{}",
                facts.subject,
                facts.issuer,
                describe_issuers(ctx, issuers),
                key_ids(facts.aki.as_deref(), issuers, ctx)
            ),
        ),
        PathEnd::Unverifiable(issuers) => Finding::at(
            Cause::UnsupportedAlgorithm,
            top,
            format!(
                "the signature on {} ({}) by {} cannot be checked with mainstream algorithms",
                facts.subject,
                facts.signed.kind.name(),
                describe_issuers(ctx, issuers)
            ),
        ),
        PathEnd::IssuerNotFound if top == 0 => Finding::at(
            Cause::MissingIntermediate,
            0,
            format!(
                "the leaf was issued by {}, which the server did not send and the trust store ({store}) does not hold{}",
                facts.issuer,
                issuer_hints(facts.aki.as_deref(), &facts.ca_issuers)
            ),
        ),
        PathEnd::IssuerNotFound => Finding::at(
            Cause::UnknownIssuer,
            top,
            format!(
                "the last certificate sent, {}, was issued by {}, which is neither sent nor in the trust store ({store}){}",
                facts.subject,
                facts.issuer,
                issuer_hints(facts.aki.as_deref(), &facts.ca_issuers)
            ),
        ),
        PathEnd::Unparseable => return Vec::new(),
    };
    vec![finding]
}

/// The root itself sent along: harmless, but worth a note.
fn presented_root(ctx: &Context<'_>, anchor: usize) -> Option<Finding> {
    let index = ctx.chain.certs.iter().position(|c| {
        c.facts().is_some_and(|f| {
            ctx.store.find_certificate(&f.subject_der, &f.spki_der) == Some(anchor)
        })
    })?;
    Some(Finding::at(
        Cause::RootIncluded,
        index,
        format!(
            "[{index}] {} is the trust anchor itself",
            ctx.chain.certs[index].label()
        ),
    ))
}

/// Wrong order: the path uses presented certificates out of sequence. Extras: sent, unused.
fn order_and_extras(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let path = &ctx.path.certs;
    if path
        .iter()
        .enumerate()
        .any(|(position, &index)| position != index)
    {
        let steps: Vec<String> = path.iter().map(|i| format!("[{i}]")).collect();
        findings.push(Finding::new(
            Cause::WrongOrder,
            format!(
                "each certificate's issuer should come right after it, but the path from the leaf \
                 runs {} through the certificates as sent",
                steps.join(" → ")
            ),
        ));
    }
    let blamed: Vec<usize> = match &ctx.path.end {
        PathEnd::WrongIssuerKey(issuers) | PathEnd::Unverifiable(issuers) => issuers
            .iter()
            .filter_map(|r| match r {
                IssuerRef::Presented(i) => Some(*i),
                IssuerRef::Anchor(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let anchor = match ctx.path.end {
        PathEnd::Anchor(a) => Some(a),
        _ => None,
    };
    for cert in &ctx.chain.certs {
        let i = cert.index;
        let is_anchor_copy = cert.facts().is_some_and(|f| {
            anchor.is_some() && ctx.store.find_certificate(&f.subject_der, &f.spki_der) == anchor
        });
        if path.contains(&i)
            || blamed.contains(&i)
            || is_anchor_copy
            || ctx.chain.duplicate_of(i).is_some()
            || cert.facts().is_none()
        {
            continue;
        }
        findings.push(Finding::at(
            Cause::ExtraCertificates,
            i,
            format!(
                "[{i}] {} is not on the path from the leaf to its root",
                cert.label()
            ),
        ));
    }
    findings
}

fn describe_issuers(ctx: &Context<'_>, issuers: &[IssuerRef]) -> String {
    let names: Vec<String> = issuers
        .iter()
        .map(|r| match r {
            IssuerRef::Presented(i) => format!("the sent certificate [{i}]"),
            IssuerRef::Anchor(a) => format!("the trusted root {}", ctx.store.describe(*a).subject),
        })
        .collect();
    names.join(" and ")
}

/// Key identifiers make "same name, different key" visible.
fn key_ids(aki: Option<&str>, issuers: &[IssuerRef], ctx: &Context<'_>) -> String {
    let Some(aki) = aki else {
        return String::new();
    };
    let skis: Vec<String> = issuers
        .iter()
        .filter_map(|r| match r {
            IssuerRef::Presented(i) => ctx.chain.certs[*i].facts()?.ski.clone(),
            IssuerRef::Anchor(_) => None,
        })
        .collect();
    if skis.is_empty() {
        format!(" (it expects the issuer key id {aki})")
    } else {
        format!(
            " (it expects the issuer key id {aki}; the sent issuer has {})",
            skis.join(", ")
        )
    }
}

fn issuer_hints(aki: Option<&str>, ca_issuers: &[String]) -> String {
    let mut hints = String::new();
    if let Some(aki) = aki {
        hints.push_str(&format!("; issuer key id {aki}"));
    }
    if let Some(url) = ca_issuers.first() {
        hints.push_str(&format!(
            "; the certificate says its issuer can be downloaded from {url}"
        ));
    }
    hints
}
