//! Mutual TLS: the client's own certificate, and the server's verdict on it.

use super::connection::alert_label;
use super::{Finding, show_time};
use crate::capture::Failure;
use crate::capture::client_auth::{ClientAuth, Response};
use crate::causes::Cause;
use crate::chain::{CertFacts, Chain};
use crate::identity::ClientIdentity;
use time::OffsetDateTime;

/// Alerts with which a server refuses a client certificate it was sent.
const REJECTIONS: [u8; 9] = [42, 43, 44, 45, 46, 48, 49, 51, 116];
/// Alerts with which a server ends a handshake that lacked a required certificate.
const REQUIRED: [u8; 3] = [40, 42, 116];
const CLIENT_AUTH: &str = "clientAuth";

/// Everything the client checks look at.
pub struct ClientContext<'a> {
    pub identity: Option<&'a ClientIdentity>,
    /// The client's chain, modelled (when an identity was given).
    pub chain: Option<&'a Chain>,
    pub auth: &'a ClientAuth,
    pub failure: Option<&'a Failure>,
    pub now: OffsetDateTime,
}

/// The findings, and whether they explain the connection's failure (so it needs no other name).
pub struct ClientFindings {
    pub findings: Vec<Finding>,
    pub explains_failure: bool,
}

pub fn check(ctx: &ClientContext<'_>) -> ClientFindings {
    let mut findings = Vec::new();
    if let (Some(identity), Some(chain)) = (ctx.identity, ctx.chain) {
        findings.extend(own_certificate(ctx, identity, chain));
    }
    let refusal = server_refusal(ctx);
    let verdict = server_verdict(ctx, refusal, &findings);
    let explained = findings
        .iter()
        .any(|f| f.cause.severity() == crate::causes::Severity::Error);
    let explains_failure = refusal.is_some() && (explained || !verdict.is_empty());
    findings.extend(verdict);
    ClientFindings {
        findings,
        explains_failure,
    }
}

/// How the server refused, after it asked for a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// A TLS alert, during or just after the handshake.
    Alert(u8),
    /// The connection was dropped during the handshake, the alert (if any) unread.
    Dropped,
}

/// The server's refusal of the client's part, during or just after the handshake.
fn server_refusal(ctx: &ClientContext<'_>) -> Option<Refusal> {
    if !ctx.auth.requested {
        return None;
    }
    match (ctx.failure, &ctx.auth.response) {
        (Some(Failure::Tls(rustls::Error::AlertReceived(alert))), _) => {
            Some(Refusal::Alert(u8::from(*alert)))
        }
        (Some(Failure::Io(_)), _) => Some(Refusal::Dropped),
        (_, Some(Response::Alert(alert))) => Some(Refusal::Alert(u8::from(*alert))),
        _ => None,
    }
}

fn own_certificate(
    ctx: &ClientContext<'_>,
    identity: &ClientIdentity,
    chain: &Chain,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let cert_file = identity.cert_path.display();
    if identity.key_matches == Some(false) {
        findings.push(Finding::new(
            Cause::ClientKeyMismatch,
            format!(
                "the key in {} does not belong to the certificate in {cert_file}",
                identity.key_path.display()
            ),
        ));
    }
    if identity.key_world_readable {
        findings.push(Finding::new(
            Cause::ClientKeyExposed,
            format!("{} can be read by every user", identity.key_path.display()),
        ));
    }
    for cert in &chain.certs {
        let Some(facts) = cert.facts() else { continue };
        let which = if cert.index == 0 {
            "the client certificate"
        } else {
            "its issuer"
        };
        if ctx.now > facts.not_after {
            findings.push(Finding::new(
                Cause::ClientCertExpired,
                format!(
                    "{which} {} expired on {}",
                    facts.subject,
                    show_time(facts.not_after)
                ),
            ));
        } else if ctx.now < facts.not_before {
            findings.push(Finding::new(
                Cause::ClientCertExpired,
                format!(
                    "{which} {} is valid only from {}",
                    facts.subject,
                    show_time(facts.not_before)
                ),
            ));
        }
    }
    let Some(leaf) = chain.leaf().and_then(|c| c.facts()) else {
        return findings;
    };
    if let Some(eku) = leaf
        .eku
        .as_ref()
        .filter(|e| !e.iter().any(|u| u == CLIENT_AUTH))
    {
        findings.push(Finding::new(
            Cause::ClientWrongEku,
            format!(
                "{}'s extendedKeyUsage is {}, without clientAuth",
                leaf.subject,
                eku.join(", ")
            ),
        ));
    }
    findings.extend(reachability(ctx, chain, leaf));
    findings
}

/// Does the client's chain reach a CA the server names? Predicts unknown_ca before it happens.
fn reachability(ctx: &ClientContext<'_>, chain: &Chain, leaf: &CertFacts) -> Option<Finding> {
    let accepted = &ctx.auth.acceptable_cas;
    if !ctx.auth.requested || accepted.is_empty() {
        return None;
    }
    let named = |der: &[u8]| accepted.iter().any(|a| same_name(a, der));
    let reaches = chain
        .certs
        .iter()
        .filter_map(|c| c.facts())
        .any(|f| named(&f.issuer_der) || (f.is_ca() && named(&f.subject_der)));
    if reaches {
        return None;
    }
    let names = accepted_names(accepted);
    if chain.certs.len() == 1 && !leaf.self_signed {
        Some(Finding::new(
            Cause::ClientMissingIntermediate,
            format!(
                "the client certificate was issued by {}, which the server does not name, and the \
                 file holds no intermediate; the server accepts: {names}. If {} is an intermediate \
                 below one of these, append it to the file; if not, the certificate is from a CA \
                 the server does not accept",
                leaf.issuer, leaf.issuer
            ),
        ))
    } else {
        Some(Finding::new(
            Cause::ClientCaNotAccepted,
            format!(
                "no certificate in the client's chain was issued by a CA the server names; it \
                 accepts: {names}; the chain ends at {}",
                chain.certs.last().map(|c| c.label()).unwrap_or_default()
            ),
        ))
    }
}

/// Whether the server refused to go on without a client certificate: `Some(true)` when it
/// asked, none was sent, and it refused; `Some(false)` when it went on; `None` when a
/// certificate was sent (or none was asked for), so the question was not put.
pub fn required(auth: &ClientAuth, failure: Option<&Failure>) -> Option<bool> {
    if !auth.requested || auth.sent_certificate {
        return None;
    }
    let ctx = ClientContext {
        identity: None,
        chain: None,
        auth,
        failure,
        now: OffsetDateTime::UNIX_EPOCH,
    };
    Some(!server_verdict(&ctx, server_refusal(&ctx), &[]).is_empty())
}

/// What the server's alert or HTTP answer says about the client certificate.
fn server_verdict(
    ctx: &ClientContext<'_>,
    refusal: Option<Refusal>,
    known: &[Finding],
) -> Vec<Finding> {
    let auth = ctx.auth;
    let mut findings = Vec::new();
    let http = match &auth.response {
        Some(Response::Http { status, text }) => Some((*status, text.as_str())),
        _ => None,
    };
    let how = match refusal {
        Some(Refusal::Alert(a)) => format!(
            "the server ended the connection with the alert {}",
            alert_label(a)
        ),
        Some(Refusal::Dropped) => {
            "the server dropped the connection during the handshake".to_string()
        }
        None => http
            .map(|(_, text)| format!("the server answered \"{text}\""))
            .unwrap_or_default(),
    };
    if auth.requested && !auth.sent_certificate {
        let refused = match refusal {
            Some(Refusal::Alert(a)) => REQUIRED.contains(&a),
            Some(Refusal::Dropped) => true,
            None => http.is_some_and(|(status, text)| {
                status == 400
                    && text
                        .to_ascii_lowercase()
                        .contains("no required ssl certificate")
            }),
        };
        if refused {
            findings.push(Finding::new(
                Cause::ClientCertRequired,
                format!(
                    "{how}; no client certificate was sent (use --cert and --key){}",
                    accepts(auth)
                ),
            ));
        }
        return findings;
    }
    // Nothing sent, or a problem already found in the client's own certificate is what the
    // server refused.
    if !auth.sent_certificate
        || known
            .iter()
            .any(|f| f.cause.severity() == crate::causes::Severity::Error)
    {
        return findings;
    }
    let same_name = same_name_ca(ctx);
    match (refusal, http) {
        (Some(Refusal::Alert(48)), _) => {
            findings.push(Finding::new(Cause::ClientCaNotAccepted, ca_detail(&how, same_name)))
        }
        (Some(Refusal::Alert(42 | 46 | 51)), _) if same_name.is_some() => {
            findings.push(Finding::new(Cause::ClientCaNotAccepted, ca_detail(&how, same_name)))
        }
        (Some(Refusal::Alert(a)), _) if REJECTIONS.contains(&a) => {
            findings.push(Finding::new(Cause::ClientCertRejected, how))
        }
        (Some(Refusal::Dropped), _) => findings.push(Finding::new(Cause::ClientCertRejected, how)),
        (_, Some((400, _))) if same_name.is_some() => {
            findings.push(Finding::new(Cause::ClientCaNotAccepted, ca_detail(&how, same_name)))
        }
        (_, Some((400, _))) => findings.push(Finding::new(Cause::ClientCertRejected, how)),
        (_, Some((status @ (401 | 403), text))) => findings.push(Finding::new(
            Cause::ClientCertPolicy,
            format!("the TLS handshake accepted the certificate, then the application answered {status}: \"{text}\""),
        )),
        _ => {}
    }
    findings
}

/// The CA name the server accepts that is the client certificate's issuer, when the server
/// still refused: then its CA of that name is not the one that signed (another key).
fn same_name_ca(ctx: &ClientContext<'_>) -> Option<(String, Option<String>)> {
    let chain = ctx.chain?;
    chain
        .certs
        .iter()
        .filter_map(|c| c.facts())
        .find(|f| {
            ctx.auth
                .acceptable_cas
                .iter()
                .any(|a| same_name(a, &f.issuer_der))
        })
        .map(|f| (f.issuer.clone(), f.aki.clone()))
}

fn ca_detail(how: &str, same_name: Option<(String, Option<String>)>) -> String {
    match same_name {
        Some((issuer, aki)) => format!(
            "{how}, although it names {issuer} as a CA it accepts: its CA of that name is not \
             the one that signed this certificate (authority key id {}), as when a staging CA \
             and a production CA share a name",
            aki.as_deref().unwrap_or("unknown")
        ),
        None => format!("{how}: it does not trust the CA that issued the client certificate"),
    }
}

fn accepts(auth: &ClientAuth) -> String {
    match auth.acceptable_cas.is_empty() {
        true => String::new(),
        false => format!(
            "; the server accepts certificates from: {}",
            accepted_names(&auth.acceptable_cas)
        ),
    }
}

/// The CA names as text, joined.
pub fn accepted_names(names: &[Vec<u8>]) -> String {
    let texts: Vec<String> = names.iter().map(|n| name_text(n)).collect();
    texts.join("; ")
}

/// A DER Name (with or without its SEQUENCE header) as text.
pub fn name_text(der: &[u8]) -> String {
    use x509_parser::prelude::*;
    let wrapped = with_sequence(der);
    X509Name::from_der(&wrapped)
        .ok()
        .and_then(|(_, n)| n.to_string_with_registry(oid_registry()).ok())
        .unwrap_or_else(|| format!("<undecodable name, {} bytes>", der.len()))
}

fn same_name(hint: &[u8], name_der: &[u8]) -> bool {
    with_sequence(hint) == with_sequence(name_der)
}

/// Names on the wire come with their SEQUENCE header; be tolerant of ones without.
fn with_sequence(der: &[u8]) -> Vec<u8> {
    if der.first() == Some(&0x30) {
        return der.to_vec();
    }
    crate::trust::der::wrap_sequence(der)
}
