//! Revocation: stapled OCSP responses, must-staple, and asking the OCSP responder.
//!
//! Facts, not verdicts: [`check_response`] says what an OCSP response (stapled or fetched)
//! claims, about which certificate, signed by whom and how fresh at `now`, and lists what is
//! wrong with it as [`OcspProblem`]s for the checks to judge. The ASN.1 is RustCrypto's
//! `x509-ocsp`; certificates are read and signatures checked by the chain model's helpers.

mod responder;
mod response;

pub use responder::{ocsp_request, query, query_url};
pub use response::{check_response, staple_scts};

use crate::chain::signature::{self, SignatureKind, SignatureStatus, SignedData, hex};
use crate::chain::{CertFacts, Chain};
use crate::fetch::{Fetch, FetchError};
use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Reader, SliceReader};
use rustls::pki_types::CertificateDer;
use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{BasicOcspResponse, CertId, OcspGeneralizedTime, OcspResponse};
use x509_ocsp::{OcspRequest, OcspResponseStatus, Request, ResponderId, TbsRequest, Version};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate, X509Name};

/// Largest OCSP answer accepted: real ones are a few KiB even with a responder certificate.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// OCSP URLs of one certificate that are tried; real certificates name one.
pub const MAX_URLS: usize = 4;

const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// What the responder says about the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CertStatus {
    Good,
    Revoked {
        #[serde(serialize_with = "rfc3339")]
        time: OffsetDateTime,
        /// The CRL reason as RFC 5280 spells it (`keyCompromise`), when given.
        reason: Option<&'static str>,
    },
    /// The responder does not know the certificate (often: the wrong responder was asked).
    Unknown,
}

/// Who the response says signed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "value", rename_all = "kebab-case")]
pub enum Responder {
    /// A distinguished name, `O=..., CN=...`.
    Name(String),
    /// SHA-1 of the responder's public key, lowercase hex.
    KeyHash(String),
}

/// Whose key made the response's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    /// The certificate's issuer itself.
    Issuer,
    /// A certificate included in the response; [`OcspProblem::UnauthorizedSigner`] says when
    /// it may not speak for the issuer.
    Delegated { subject: String },
}

/// What is wrong with (or worth knowing about) a response. Only [`OcspProblem::NoNextUpdate`]
/// is a note; every other problem means the status cannot be relied on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum OcspProblem {
    /// nextUpdate has passed: the answer may no longer be true.
    Stale {
        #[serde(serialize_with = "rfc3339")]
        next_update: OffsetDateTime,
    },
    /// thisUpdate is after the evaluation instant (a responder or server clock ahead).
    NotYetValid {
        #[serde(serialize_with = "rfc3339")]
        this_update: OffsetDateTime,
    },
    /// No nextUpdate: newer information may be available at any time.
    NoNextUpdate,
    /// The response is about another certificate (serial, or issuer hashes, differ).
    WrongCertificate { serial: String, expected: String },
    /// The CertID hash cannot be computed here, so only the serial was compared.
    UnsupportedCertIdHash { algorithm: String },
    /// Neither the issuer's key nor any included certificate's key made the signature.
    BadSignature,
    /// The signature algorithm cannot be checked here.
    UnsupportedSignature { algorithm: String },
    /// Signed by an included certificate that may not answer for the issuer.
    UnauthorizedSigner { subject: String, reason: String },
    /// The delegated responder's certificate is not valid at the evaluation instant.
    SignerNotValid {
        subject: String,
        #[serde(serialize_with = "rfc3339")]
        not_after: OffsetDateTime,
    },
    /// No issuer certificate was given: the signature and the issuer hashes are unchecked.
    IssuerUnknown,
}

impl OcspProblem {
    /// False for the note that does not make a response untrustworthy.
    pub fn is_defect(&self) -> bool {
        !matches!(self, OcspProblem::NoNextUpdate)
    }
}

impl std::fmt::Display for OcspProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let time = |t: &OffsetDateTime| crate::report::rfc3339(*t);
        match self {
            OcspProblem::Stale { next_update } => {
                write!(f, "stale: its nextUpdate {} has passed", time(next_update))
            }
            OcspProblem::NotYetValid { this_update } => {
                write!(f, "its thisUpdate {} is in the future", time(this_update))
            }
            OcspProblem::NoNextUpdate => write!(f, "it has no nextUpdate, so no stated lifetime"),
            OcspProblem::WrongCertificate { serial, expected } if serial == expected => {
                write!(f, "it is about serial {serial} of another issuer")
            }
            OcspProblem::WrongCertificate { serial, expected } => write!(
                f,
                "it is about serial {serial}, not this certificate's {expected}"
            ),
            OcspProblem::UnsupportedCertIdHash { algorithm } => {
                write!(
                    f,
                    "its CertID hash {algorithm} is not supported; only the serial matched"
                )
            }
            OcspProblem::BadSignature => write!(
                f,
                "its signature was not made by the issuer or by a certificate it includes"
            ),
            OcspProblem::UnsupportedSignature { algorithm } => {
                write!(f, "its signature algorithm {algorithm} cannot be checked")
            }
            OcspProblem::UnauthorizedSigner { subject, reason } => {
                write!(f, "signed by {subject}, which {reason}")
            }
            OcspProblem::SignerNotValid { subject, not_after } => write!(
                f,
                "signed by {subject}, whose certificate is not valid now (notAfter {})",
                time(not_after)
            ),
            OcspProblem::IssuerUnknown => write!(
                f,
                "the issuer is unknown, so its signature and the issuer hashes are unchecked"
            ),
        }
    }
}

/// One OCSP response read for one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OcspReport {
    pub status: CertStatus,
    #[serde(serialize_with = "rfc3339")]
    pub produced_at: OffsetDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub this_update: OffsetDateTime,
    #[serde(serialize_with = "rfc3339_option")]
    pub next_update: Option<OffsetDateTime>,
    pub responder: Responder,
    /// `None` when no key could be shown to have made the signature (see `problems`).
    pub signed_by: Option<Signer>,
    /// Subjects of the certificates included in the response.
    pub certificates: Vec<String>,
    /// The serial the single response is about, lowercase hex.
    pub serial: String,
    /// The CertID hash (`sha1`, `sha256`, ...).
    pub cert_id_hash: String,
    pub problems: Vec<OcspProblem>,
}

impl OcspReport {
    /// True when nothing but notes was found: the status can be relied on.
    pub fn is_trustworthy(&self) -> bool {
        !self.problems.iter().any(OcspProblem::is_defect)
    }
}

/// Why a response could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OcspError {
    #[error("not an OCSP response: {0}")]
    Unparseable(String),
    /// The responder answered, but with a refusal instead of a status.
    #[error("the responder answered {}: {}", .0.name(), .0.meaning())]
    Unsuccessful(Refusal),
    #[error("the response is of type {0}, not a basic OCSP response")]
    UnsupportedType(String),
    /// The leaf or the issuer given to check against cannot be parsed.
    #[error("the certificate cannot be parsed: {0}")]
    BadCertificate(String),
}

/// A responseStatus other than successful (RFC 6960 4.2.1): the responder gave no status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Refusal {
    MalformedRequest,
    InternalError,
    TryLater,
    SigRequired,
    Unauthorized,
}

impl Refusal {
    /// The RFC 6960 name, e.g. `tryLater`.
    pub fn name(self) -> &'static str {
        match self {
            Refusal::MalformedRequest => "malformedRequest",
            Refusal::InternalError => "internalError",
            Refusal::TryLater => "tryLater",
            Refusal::SigRequired => "sigRequired",
            Refusal::Unauthorized => "unauthorized",
        }
    }

    /// What the refusal usually means, for a human.
    pub fn meaning(self) -> &'static str {
        match self {
            Refusal::MalformedRequest => "it could not read the request",
            Refusal::InternalError => "it failed internally",
            Refusal::TryLater => "it is busy or has no answer ready yet",
            Refusal::SigRequired => "it wants signed requests",
            Refusal::Unauthorized => "it does not answer for this certificate's issuer",
        }
    }
}

/// Why asking a responder gave no report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the certificate names no OCSP responder (no OCSP URL in its AIA extension)")]
    NoUrl,
    /// The leaf or issuer cannot be made into a request.
    #[error("cannot build the OCSP request: {0}")]
    Request(String),
    #[error("{url}: {error}")]
    Fetch { url: String, error: FetchError },
    /// The answer is not DER OCSP: an HTML error page, a captive portal, garbage.
    #[error("{url} did not answer with an OCSP response: {detail}")]
    NotOcsp {
        url: String,
        content_type: Option<String>,
        detail: String,
    },
    #[error("{url}: {error}")]
    Response { url: String, error: OcspError },
}

/// What was learnt about the leaf's revocation: the stapled response and, when asked for, the
/// responder's answer. Facts for `checks::revocation` and the report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Revocation {
    /// The leaf's TLS Feature extension demands a staple (RFC 7633).
    pub must_staple: bool,
    /// The response the server stapled; null when it stapled none (or for files).
    pub stapled: Option<Outcome>,
    /// `--revocation ocsp`: the responder's answer; null when not asked.
    pub queried: Option<Outcome>,
}

/// One OCSP response, or why there is none.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The responder asked (queried responses only).
    pub url: Option<String>,
    pub response: Option<OcspReport>,
    /// Why no response could be read.
    pub error: Option<String>,
}

impl Outcome {
    fn of(url: Option<String>, result: Result<OcspReport, String>) -> Outcome {
        match result {
            Ok(report) => Outcome {
                url,
                response: Some(report),
                error: None,
            },
            Err(error) => Outcome {
                url,
                response: None,
                error: Some(error),
            },
        }
    }
}

/// Whom to ask with `--revocation ocsp`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Query {
    /// Nobody (the default, and always with `--no-fetch`).
    #[default]
    Off,
    /// The responders in the leaf's AIA extension.
    FromCertificate,
    /// This URL instead (`--ocsp-url`).
    Url(String),
}

/// Reads the staple about the chain's leaf and, when `query` says so, asks its responder,
/// within the fetcher's deadline. The issuer is the presented (or downloaded) certificate whose
/// key signed the leaf; without one, the staple's signature cannot be checked and the
/// responder cannot be asked.
pub async fn learn(
    chain: &Chain,
    staple: Option<&[u8]>,
    query: &Query,
    fetcher: &dyn Fetch,
    now: OffsetDateTime,
) -> Revocation {
    let Some(leaf) = chain.leaf() else {
        return Revocation::default();
    };
    let must_staple = leaf.facts().is_some_and(|f| f.must_staple);
    // Finding the issuer checks signatures: only worth it when there is something to ask.
    if staple.is_none() && *query == Query::Off {
        return Revocation {
            must_staple,
            stapled: None,
            queried: None,
        };
    }
    let issuer = chain
        .issuers_of(leaf.index)
        .find(|l| l.status == SignatureStatus::Valid)
        .and_then(|l| chain.certs.get(l.issuer))
        .map(|c| c.der.as_ref());
    let stapled = staple.map(|der| {
        Outcome::of(
            None,
            check_response(der, &leaf.der, issuer, now).map_err(|e| e.to_string()),
        )
    });
    let queried = match (query, issuer) {
        (Query::Off, _) => None,
        (_, None) => Some(Outcome::of(
            None,
            Err("the leaf's issuer is not in the chain, so no OCSP request can name it".into()),
        )),
        (Query::Url(url), Some(issuer)) => {
            let result = query_url(url, &leaf.der, issuer, fetcher, now).await;
            Some(Outcome::of(
                Some(url.clone()),
                result.map_err(|e| e.to_string()),
            ))
        }
        (Query::FromCertificate, Some(issuer)) => {
            let urls = ocsp_urls(&leaf.der);
            let mut outcome = Outcome::of(None, Err(QueryError::NoUrl.to_string()));
            for url in urls.iter().take(MAX_URLS) {
                let result = query_url(url, &leaf.der, issuer, fetcher, now).await;
                outcome = Outcome::of(Some(url.clone()), result.map_err(|e| e.to_string()));
                if outcome.response.is_some() {
                    break;
                }
            }
            Some(outcome)
        }
    };
    Revocation {
        must_staple,
        stapled,
        queried,
    }
}

/// True when the certificate demands a stapled OCSP response: its TLS Feature extension
/// (RFC 7633) lists status_request. The chain model reads it; this is for one loose certificate.
pub fn must_staple(leaf_der: &[u8]) -> bool {
    facts_of(leaf_der).is_ok_and(|f| f.must_staple)
}

/// The OCSP responder URLs in the certificate's Authority Information Access extension.
pub fn ocsp_urls(leaf_der: &[u8]) -> Vec<String> {
    facts_of(leaf_der).map(|f| f.ocsp).unwrap_or_default()
}

/// The chain model's facts for one DER certificate.
fn facts_of(der: &[u8]) -> Result<CertFacts, String> {
    let chain = Chain::from_der(vec![CertificateDer::from(der.to_vec())]);
    match chain.certs.into_iter().next() {
        Some(cert) => cert.facts,
        None => Err("no certificate".into()),
    }
}

/// The subjectPublicKey bits, which the CertID's key hash covers (not the whole SPKI).
fn key_bits(cert: &CertFacts) -> Vec<u8> {
    SubjectPublicKeyInfo::from_der(&cert.spki_der)
        .map(|(_, spki)| spki.subject_public_key.data.to_vec())
        .unwrap_or_default()
}

fn cert_id_hash(
    oid: &ObjectIdentifier,
) -> Option<(&'static ring::digest::Algorithm, &'static str)> {
    Some(match oid.to_string().as_str() {
        "1.3.14.3.2.26" => (&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, "sha1"),
        "2.16.840.1.101.3.4.2.1" => (&ring::digest::SHA256, "sha256"),
        "2.16.840.1.101.3.4.2.2" => (&ring::digest::SHA384, "sha384"),
        "2.16.840.1.101.3.4.2.3" => (&ring::digest::SHA512, "sha512"),
        _ => return None,
    })
}

fn digest(algorithm: &'static ring::digest::Algorithm, bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(algorithm, bytes).as_ref().to_vec()
}

fn rfc3339<S: Serializer>(time: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::report::rfc3339(*time))
}

fn rfc3339_option<S: Serializer>(time: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => rfc3339(time, s),
        None => s.serialize_none(),
    }
}
