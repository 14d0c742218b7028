//! Completing a chain the server left short, from its certificates' "CA Issuers" URLs.
//!
//! This is what browsers do quietly and what most other clients never do; tlsdoctor does it to
//! name the missing certificate and to tell a server at fault from a private CA, and never to
//! excuse the server (the diagnosis stays `missing-intermediate`).
//!
//! What a URL serves is outside data: an answer may hold thousands of certificates named like
//! the issuer. Only those whose key made the child's signature are kept, a few at most, and the
//! signatures tried per answer are bounded, so the work stays small whatever was served.

use crate::bundle;
use crate::chain::path::{Path, PathEnd};
use crate::chain::signature::{self, SignatureStatus, SignedData};
use crate::chain::{Chain, MAX_CHAIN_CERTS};
use crate::fetch::Fetch;
use crate::trust::TrustStore;
use rustls::pki_types::CertificateDer;
use std::sync::Arc;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Downloads attempted per target, at most.
pub const MAX_FETCHES: usize = 6;
/// Issuers chained one above another, at most.
pub const MAX_HOPS: usize = 4;
/// Issuer certificates kept from one answer: a CA publishes its certificate, or a few
/// cross-signed versions of it.
pub const MAX_ISSUERS_PER_ANSWER: usize = 2;
/// Signatures checked per answer, at most, key-identifier matches first.
pub const MAX_SIGNATURE_TRIES: usize = 8;

/// One download attempt and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub url: String,
    /// The certificate whose issuer was sought.
    pub for_index: usize,
    pub outcome: Outcome,
}

/// What one download gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// This many issuer certificates were taken from the answer.
    Issuers(usize),
    /// No answer: the network, HTTP or a limit said no.
    Failed(String),
    /// An answer came, but it holds no usable issuer: what it held.
    Unusable(String),
}

impl Outcome {
    /// Issuer certificates taken.
    pub fn issuers(&self) -> usize {
        match self {
            Outcome::Issuers(n) => *n,
            _ => 0,
        }
    }

    /// Why nothing was taken, if nothing was.
    pub fn error(&self) -> Option<&str> {
        match self {
            Outcome::Issuers(_) => None,
            Outcome::Failed(why) | Outcome::Unusable(why) => Some(why),
        }
    }
}

/// The path that matters for completion: the first one that reaches an anchor, else the first.
pub fn best_path(chain: &Chain, stores: &[Arc<TrustStore>]) -> Option<Path> {
    let paths: Vec<Path> = stores
        .iter()
        .filter_map(|s| Path::build(chain, s))
        .collect();
    paths
        .iter()
        .find(|p| p.is_anchored())
        .or(paths.first())
        .cloned()
}

/// Downloads missing issuers until the path reaches an anchor or a root, or the bounds are hit.
/// Returns the completed chain and every attempt made.
pub async fn complete(
    presented: Vec<CertificateDer<'static>>,
    stores: &[Arc<TrustStore>],
    fetcher: &dyn Fetch,
) -> (Chain, Vec<Attempt>) {
    let mut fetched: Vec<(CertificateDer<'static>, String)> = Vec::new();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut chain = Chain::from_der(presented.clone());
    for _ in 0..MAX_HOPS {
        let room = MAX_CHAIN_CERTS.saturating_sub(chain.certs.len());
        if room == 0 {
            break;
        }
        let Some(path) = best_path(&chain, stores) else {
            break;
        };
        if path.end != PathEnd::IssuerNotFound {
            break;
        }
        let top = path.top();
        let Some(facts) = chain.certs[top].facts() else {
            break;
        };
        let sought = Sought {
            issuer_der: facts.issuer_der.clone(),
            aki: facts.aki.clone(),
            signed: facts.signed.clone(),
            known: chain.certs.iter().map(|c| c.der.clone()).collect(),
            room: room.min(MAX_ISSUERS_PER_ANSWER),
        };
        let urls: Vec<String> = facts
            .ca_issuers
            .iter()
            .filter(|u| !attempts.iter().any(|a| &a.url == *u))
            .cloned()
            .collect();
        let mut found = Vec::new();
        for url in urls {
            if attempts.len() >= MAX_FETCHES || !found.is_empty() {
                break;
            }
            let outcome = match fetcher.get(&url).await {
                Err(e) => Outcome::Failed(e.to_string()),
                Ok(download) => {
                    let (issuers, outcome) = sought.examine(download.body).await;
                    found = issuers;
                    outcome
                }
            };
            attempts.push(Attempt {
                url: url.clone(),
                for_index: top,
                outcome,
            });
            fetched.extend(found.iter().cloned().map(|der| (der, url.clone())));
        }
        if found.is_empty() {
            break;
        }
        chain = Chain::with_fetched(presented.clone(), fetched.clone());
    }
    (chain, attempts)
}

/// The issuer one certificate needs, as an answer is searched for it.
#[derive(Clone)]
struct Sought {
    issuer_der: Vec<u8>,
    /// The child's authority key identifier, lowercase hex.
    aki: Option<String>,
    /// The child's signature, which the issuer's key must have made.
    signed: SignedData,
    /// Certificates already in the chain, not taken twice.
    known: Vec<CertificateDer<'static>>,
    /// How many issuers may be taken from this answer.
    room: usize,
}

impl Sought {
    /// Reads an answer off the async executor (its size is the server's choice) and keeps what
    /// is usable.
    async fn examine(&self, body: Vec<u8>) -> (Vec<CertificateDer<'static>>, Outcome) {
        let sought = self.clone();
        tokio::task::spawn_blocking(move || sought.select(&body))
            .await
            .unwrap_or_else(|e| {
                let why = format!("reading the answer stopped on an internal error: {e}");
                (Vec::new(), Outcome::Unusable(why))
            })
    }

    /// The certificates in `body` whose subject is the sought issuer and whose key verifiably
    /// made the child's signature (or whose algorithm cannot be checked here), trying those
    /// whose key identifier matches first.
    fn select(&self, body: &[u8]) -> (Vec<CertificateDer<'static>>, Outcome) {
        let certs = match bundle::parse_certificates(body) {
            Ok(certs) => certs,
            Err(reason) => {
                return (
                    Vec::new(),
                    Outcome::Unusable(format!("the answer {reason}")),
                );
            }
        };
        let mut named: Vec<(bool, CertificateDer<'static>, Vec<u8>)> = certs
            .iter()
            .filter(|der| !self.known.iter().any(|k| k.as_ref() == der.as_ref()))
            .filter_map(|der| {
                let (_, cert) = X509Certificate::from_der(der).ok()?;
                if cert.subject().as_raw() != self.issuer_der.as_slice() {
                    return None;
                }
                let key_id_matches = self.aki.is_some() && ski(&cert) == self.aki;
                Some((key_id_matches, der.clone(), cert.public_key().raw.to_vec()))
            })
            .collect();
        // Key-identifier matches first; otherwise the order the CA chose.
        named.sort_by_key(|(matches, _, _)| !matches);
        let mut taken = Vec::new();
        let mut tried = 0;
        for (_, der, spki) in &named {
            if taken.len() >= self.room || tried >= MAX_SIGNATURE_TRIES {
                break;
            }
            tried += 1;
            if signature::verify(&self.signed, spki) != SignatureStatus::Invalid {
                taken.push(der.clone());
            }
        }
        let outcome = match taken.len() {
            0 => Outcome::Unusable(describe(body.len(), certs.len(), named.len(), tried)),
            n => Outcome::Issuers(n),
        };
        (taken, outcome)
    }
}

/// What an answer without a usable issuer held, for the report.
fn describe(bytes: usize, certs: usize, named: usize, tried: usize) -> String {
    let held = match certs {
        1 => "1 certificate".to_string(),
        n => format!("{n} certificates"),
    };
    match named {
        0 => format!("the answer ({bytes} bytes) holds {held}, none with the issuer's name"),
        _ if tried < named => format!(
            "the answer ({bytes} bytes) holds {held}, {named} with the issuer's name; none of the \
             {tried} tried (MAX_SIGNATURE_TRIES) made the certificate's signature"
        ),
        _ => format!(
            "the answer ({bytes} bytes) holds {held}, {named} with the issuer's name; none of them \
             made the certificate's signature"
        ),
    }
}

/// The subject key identifier, lowercase hex, as the chain model writes it.
fn ski(cert: &X509Certificate<'_>) -> Option<String> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(signature::hex(id.0)),
            _ => None,
        })
}
