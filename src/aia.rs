//! Completing a chain the server left short, from its certificates' "CA Issuers" URLs.
//!
//! This is what browsers do quietly and what most other clients never do; tlsdoctor does it to
//! name the missing certificate and to tell a server at fault from a private CA, and never to
//! excuse the server (the diagnosis stays `missing-intermediate`).

use crate::bundle;
use crate::chain::Chain;
use crate::chain::path::{Path, PathEnd};
use crate::fetch::Fetcher;
use crate::trust::TrustStore;
use rustls::pki_types::CertificateDer;
use std::sync::Arc;

/// Downloads attempted per target, at most.
pub const MAX_FETCHES: usize = 6;
/// Issuers chained one above another, at most.
pub const MAX_HOPS: usize = 4;

/// One download attempt and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub url: String,
    /// The certificate whose issuer was sought.
    pub for_index: usize,
    /// How many issuer certificates it yielded, or why it yielded none.
    pub outcome: Result<usize, String>,
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
    fetcher: &Fetcher<'_>,
) -> (Chain, Vec<Attempt>) {
    let mut fetched: Vec<(CertificateDer<'static>, String)> = Vec::new();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut chain = Chain::from_der(presented.clone());
    for _ in 0..MAX_HOPS {
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
        let issuer_der = facts.issuer_der.clone();
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
                Err(e) => Err(e.to_string()),
                Ok(download) => match bundle::parse_certificates(&download.body) {
                    Err(reason) => Err(format!("the answer {reason}")),
                    Ok(certs) => {
                        found = issuers_among(certs, &issuer_der, &chain);
                        match found.len() {
                            0 => {
                                Err("the answer holds no certificate with the issuer's name".into())
                            }
                            n => Ok(n),
                        }
                    }
                },
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

/// The downloaded certificates whose subject is the sought issuer and that are not already in
/// the chain.
fn issuers_among(
    certs: Vec<CertificateDer<'static>>,
    issuer_der: &[u8],
    chain: &Chain,
) -> Vec<CertificateDer<'static>> {
    certs
        .into_iter()
        .filter(|der| {
            let named = x509_parser::parse_x509_certificate(der)
                .is_ok_and(|(_, c)| c.subject().as_raw() == issuer_der);
            named && !chain.certs.iter().any(|c| c.der.as_ref() == der.as_ref())
        })
        .collect()
}
