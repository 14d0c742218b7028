//! The chain's shape: completeness, order, extras, duplicates, the root, and the trust anchor.

use super::{Context, Finding};
use crate::aia::Outcome;
use crate::capture::legacy::MAX_HANDSHAKE_MESSAGE;
use crate::causes::Cause;
use crate::chain::MAX_LINK_CHECKS;
use crate::chain::path::{IssuerRef, PathEnd};
use rustls::pki_types::CertificateDer;

/// The most certificates Java accepts in a chain by default (jdk.tls.maxCertificateChainLength).
const JAVA_MAX_CHAIN_LENGTH: usize = 10;

/// The largest handshake message Java accepts by default (jdk.tls.maxHandshakeMessageSize).
const JAVA_MAX_HANDSHAKE_MESSAGE: usize = 32 * 1024;

/// Whether clients accept a chain this long and this big, judged on everything the server sent.
pub fn size(presented: &[CertificateDer<'_>]) -> Option<Finding> {
    // A TLS 1.2 Certificate message: a 3-byte list length, then each certificate with a 3-byte
    // length (TLS 1.3 adds 2 bytes of extensions per certificate).
    let bytes = 3 + presented.iter().map(|c| 3 + c.len() + 2).sum::<usize>();
    let count = presented.len();
    if bytes > MAX_HANDSHAKE_MESSAGE {
        return Some(Finding::new(
            Cause::ChainTooLarge,
            format!(
                "the {count} certificates make a Certificate message of about {bytes} bytes, over the \
                 {MAX_HANDSHAKE_MESSAGE} bytes rustls and Go accept"
            ),
        ));
    }
    if count > JAVA_MAX_CHAIN_LENGTH || bytes > JAVA_MAX_HANDSHAKE_MESSAGE {
        return Some(Finding::new(
            Cause::LongChain,
            format!(
                "{count} certificates in about {bytes} bytes; Java accepts at most \
                 {JAVA_MAX_CHAIN_LENGTH} certificates and {JAVA_MAX_HANDSHAKE_MESSAGE} bytes by default"
            ),
        ));
    }
    None
}

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
    interception(ctx, &mut findings);
    findings.extend(unusable_downloads(ctx));
    let unchecked = chain.unchecked_links();
    if unchecked > 0 {
        findings.push(Finding::new(
            Cause::LimitReached,
            format!(
                "{unchecked} pairs of certificates whose names say one issued the other were not                  checked: only {MAX_LINK_CHECKS} signatures (MAX_LINK_CHECKS) are checked per chain"
            ),
        ));
    }
    findings
}

/// Answers at a "CA Issuers" URL that held no usable issuer: the CA's URL is broken, whatever
/// else is wrong with the chain.
fn unusable_downloads(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.attempts
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Unusable(held) => Some(Finding::at(
                Cause::CaIssuersUnusable,
                a.for_index,
                format!(
                    "{} (the \"CA Issuers\" URL of [{}] {}): {held}",
                    a.url,
                    a.for_index,
                    ctx.chain
                        .certs
                        .get(a.for_index)
                        .map_or_else(String::new, |c| c.label())
                ),
            )),
            _ => None,
        })
        .collect()
}

/// Issuer names of TLS-inspecting proxies, gateways and antivirus products, as they appear in
/// the CA certificates those products generate.
const INTERCEPTORS: &[&str] = &[
    "zscaler",
    "blue coat",
    "bluecoat",
    "symantec web",
    "fortinet",
    "fortigate",
    "palo alto",
    "netskope",
    "mcafee web gateway",
    "skyhigh",
    "sophos",
    "check point",
    "checkpoint",
    "forcepoint",
    "websense",
    "cisco umbrella",
    "barracuda",
    "kaspersky",
    "avast",
    "eset ssl",
    "bitdefender",
    "mitmproxy",
    "charles proxy",
    "fiddler",
    "portswigger",
    "squid",
    "untangle",
    "watchguard",
    "sonicwall",
    "iboss",
    "menlo security",
    "lightspeed",
    "securly",
    "goguardian",
    "cloudflare for teams",
    "cloudflare gateway",
    "proxy ca",
    "ssl inspection",
    "tls inspection",
];

/// A chain that leads to no public root, seen through a proxy or issued by a CA named like an
/// inspecting product, was almost certainly replaced on the way: the server's own chain is
/// fine, and the fix is the proxy's root on this client (or a bypass), not the server.
fn interception(ctx: &Context<'_>, findings: &mut [Finding]) {
    if ctx.public_anchored {
        return;
    }
    let issuers: Vec<&str> = ctx
        .chain
        .certs
        .iter()
        .filter_map(|c| c.facts())
        .map(|f| f.issuer.as_str())
        .collect();
    let product = issuers.iter().find(|issuer| {
        let lower = issuer.to_ascii_lowercase();
        INTERCEPTORS.iter().any(|p| lower.contains(p))
    });
    let why = match (ctx.proxy, product) {
        (_, Some(issuer)) => {
            format!("the chain was issued by {issuer}, a TLS-inspecting product's CA")
        }
        (Some(proxy), None) => format!(
            "the connection went through the proxy {proxy}, and the chain leads to no public root: \
             the proxy replaced the server's certificate with one from its own CA ({})",
            issuers.last().copied().unwrap_or("unnamed")
        ),
        (None, None) => return,
    };
    for finding in findings.iter_mut() {
        if matches!(
            finding.cause,
            Cause::PrivateRoot | Cause::UnknownIssuer | Cause::UntrustedRoot
        ) {
            finding.cause = Cause::TlsInterception;
            finding.detail = format!("{why}; {}", finding.detail);
        }
    }
}

/// How the path ends says which trust cause applies.
fn trust_anchor(ctx: &Context<'_>) -> Vec<Finding> {
    let path = ctx.path;
    let top = path.top();
    let Some(facts) = ctx.chain.certs.get(top).and_then(|c| c.facts()) else {
        return Vec::new();
    };
    let stores = ctx.stores_phrase();
    let mut findings: Vec<Finding> = missing_from_server(ctx).into_iter().collect();
    findings.extend(match &path.end {
        PathEnd::Anchor(anchor) => presented_root(ctx, *anchor),
        PathEnd::SelfSigned if top == 0 => Some(Finding::at(
            Cause::SelfSignedLeaf,
            0,
            format!("{} is signed by its own key and is not in {stores}", facts.subject),
        )),
        PathEnd::SelfSigned => Some(root_not_trusted(ctx, top)),
        PathEnd::WrongIssuerKey(issuers) => Some(Finding::at(
            Cause::BadSignature,
            top,
            format!(
                "{} names its issuer {}, and {} has that name but its key did not make the signature{}",
                facts.subject,
                facts.issuer,
                describe_issuers(ctx, issuers),
                key_ids(facts.aki.as_deref(), issuers, ctx)
            ),
        )),
        PathEnd::Unverifiable(issuers) => Some(Finding::at(
            Cause::UnsupportedAlgorithm,
            top,
            format!(
                "the signature on {} ({}) by {} cannot be checked with mainstream algorithms",
                facts.subject,
                facts.signed.kind.name(),
                describe_issuers(ctx, issuers)
            ),
        )),
        PathEnd::IssuerNotFound if top == 0 => Some(Finding::at(
            Cause::MissingIntermediate,
            0,
            format!(
                "the leaf was issued by {}, which the server did not send and which is not in {stores}{}{}",
                facts.issuer,
                issuer_hints(facts.aki.as_deref(), &facts.ca_issuers),
                download_note(ctx, top)
            ),
        )),
        PathEnd::IssuerNotFound => Some(Finding::at(
            Cause::UnknownIssuer,
            top,
            format!(
                "the last certificate sent, {}, was issued by {}, which is neither sent nor in {stores}{}{}",
                facts.subject,
                facts.issuer,
                issuer_hints(facts.aki.as_deref(), &facts.ca_issuers),
                download_note(ctx, top)
            ),
        )),
        PathEnd::Unparseable => None,
    });
    findings
}

/// Intermediates that had to be downloaded: the server should have sent them.
fn missing_from_server(ctx: &Context<'_>) -> Option<Finding> {
    let chain = ctx.chain;
    let downloaded: Vec<usize> = ctx
        .path
        .certs
        .iter()
        .copied()
        .filter(|&i| chain.is_fetched(i) && !chain.certs[i].facts().is_some_and(|f| f.self_signed))
        .collect();
    downloaded.first()?;
    let last_sent = ctx
        .path
        .certs
        .iter()
        .copied()
        .take_while(|&i| !chain.is_fetched(i))
        .last()?;
    let names: Vec<String> = downloaded
        .iter()
        .map(|&i| {
            let cert = &chain.certs[i];
            let url = cert.fetched_from.as_deref().unwrap_or("?");
            format!("{} (downloaded from {url})", cert.label())
        })
        .collect();
    let what = if downloaded.len() == 1 {
        "this intermediate"
    } else {
        "these intermediates"
    };
    Some(Finding::at(
        Cause::MissingIntermediate,
        last_sent,
        format!(
            "the server did not send {what}: {}. tlsdoctor fetched it through the \"CA Issuers\" URL, \
             as browsers usually do (or take it from their cache); curl, OpenSSL, Go, Python, Java \
             (without com.sun.security.enableAIAcaIssuers=true), Node and most CI runners do not, \
             and fail with an unknown-issuer error",
            names.join(", ")
        ),
    ))
}

/// A complete chain up to a self-signed root that no store used holds: a private root, or a
/// public root missing from the chosen store.
fn root_not_trusted(ctx: &Context<'_>, top: usize) -> Finding {
    let cert = &ctx.chain.certs[top];
    let Some(facts) = cert.facts() else {
        return Finding::at(
            Cause::UntrustedRoot,
            top,
            "the chain ends at an unparseable root",
        );
    };
    let stores = ctx.stores_phrase();
    let origin = match &cert.fetched_from {
        Some(url) => format!(" (the server does not send it; it was downloaded from {url})"),
        None => String::new(),
    };
    let identity = format!(
        "{} (SHA-256 {}, SPKI SHA-256 {})",
        facts.subject,
        cert.sha256,
        crate::chain::signature::sha256_hex(&facts.spki_der)
    );
    if ctx
        .public
        .find_certificate(&facts.subject_der, &facts.spki_der)
        .is_some()
    {
        Finding::at(
            Cause::UntrustedRoot,
            top,
            format!(
                "the chain ends at the root {identity}{origin}: Mozilla's list holds it, but not {stores}"
            ),
        )
    } else {
        Finding::at(
            Cause::PrivateRoot,
            top,
            format!(
                "the chain ends at the root {identity}{origin}, which no public store holds, nor {stores}"
            ),
        )
    }
}

/// What downloading the missing issuer showed, for the detail of an incomplete chain.
fn download_note(ctx: &Context<'_>, index: usize) -> String {
    if !ctx.fetching {
        return " (downloading the issuer was turned off with --no-fetch)".to_string();
    }
    let tried: Vec<String> = ctx
        .attempts
        .iter()
        .filter(|a| a.for_index == index)
        .map(|a| match &a.outcome {
            Outcome::Issuers(_) => format!(
                "{} answered, but the issuer found there does not lead to a trusted root",
                a.url
            ),
            Outcome::Unusable(held) => format!("{} answered, but {held}", a.url),
            Outcome::Failed(reason) => format!("fetching {} failed: {reason}", a.url),
        })
        .collect();
    match (
        tried.is_empty(),
        ctx.chain.certs[index]
            .facts()
            .is_some_and(|f| f.ca_issuers.is_empty()),
    ) {
        (true, true) => {
            "; it names no \"CA Issuers\" URL, so the issuer could not be downloaded".to_string()
        }
        (true, false) => String::new(),
        (false, _) => format!("; {}", tried.join("; ")),
    }
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
    for cert in &ctx.chain.certs[..ctx.chain.presented] {
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
