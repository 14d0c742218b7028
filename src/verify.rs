//! The verdict of a standard verifier (rustls-webpki, as used by rustls clients).
//!
//! tlsdoctor's own checks explain *why* a chain fails; this module is the reference they answer
//! to. If webpki rejects a chain that no check flagged as an error, diagnosis adds a finding
//! anyway, so the tool can never call a chain healthy that rustls would refuse.

use crate::chain::Chain;
use crate::chain::path::{Path, PathEnd};
use crate::trust::TrustStore;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::time::Duration;
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};

/// What webpki concluded about a chain.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The path webpki built (presented indices and anchor), or its error.
    pub chain: Result<Path, webpki::Error>,
    /// The name check, when a name was given.
    pub name: Option<Result<(), webpki::Error>>,
}

impl Verification {
    /// Runs webpki over the presented chain at `now`, for TLS server authentication.
    pub fn run(
        chain: &Chain,
        store: &TrustStore,
        name: Option<&ServerName<'static>>,
        now: OffsetDateTime,
    ) -> Verification {
        let Some(leaf) = chain.leaf() else {
            return Verification {
                chain: Err(webpki::Error::BadDer),
                name: None,
            };
        };
        let end_entity = match EndEntityCert::try_from(&leaf.der) {
            Ok(ee) => ee,
            Err(e) => {
                return Verification {
                    chain: Err(e.clone()),
                    name: name.map(|_| Err(e)),
                };
            }
        };
        // Only what was presented: a client that does not download issuers sees nothing else.
        let intermediates: Vec<CertificateDer<'_>> = chain
            .certs
            .get(1..chain.presented)
            .unwrap_or_default()
            .iter()
            .map(|c| c.der.clone())
            .collect();
        let provider = crate::capture::provider();
        let algorithms = provider.signature_verification_algorithms.all;
        let result = end_entity
            .verify_for_usage(
                algorithms,
                store.anchors(),
                &intermediates,
                unix_time(now),
                KeyUsage::server_auth(),
                None,
                None,
            )
            .map(|verified| {
                // webpki yields the leaf's issuer first, then upwards, like our paths.
                let mut certs = vec![0];
                for cert in verified.intermediate_certificates() {
                    let position = chain.certs[1..]
                        .iter()
                        .position(|c| c.der.as_ref() == cert.der().as_ref());
                    certs.extend(position.map(|p| p + 1));
                }
                let anchor = verified.anchor();
                let anchor_index = store
                    .anchors()
                    .iter()
                    .position(|a| a == anchor)
                    .unwrap_or_default();
                Path {
                    certs,
                    end: PathEnd::Anchor(anchor_index),
                }
            });
        Verification {
            chain: result,
            name: name.map(|n| end_entity.verify_is_valid_for_subject_name(n)),
        }
    }
}

fn unix_time(now: OffsetDateTime) -> UnixTime {
    let secs = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}
