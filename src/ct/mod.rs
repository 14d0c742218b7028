//! Certificate Transparency facts: the Signed Certificate Timestamps (RFC 6962) a server's leaf
//! comes with, wherever they were delivered, read without judgement. [`logs`] knows the logs,
//! [`verify`] checks each signature, and `checks::ct` applies the browsers' policies.
//!
//! SCTs arrive three ways: embedded in the certificate (extension 1.3.6.1.4.1.11129.2.4.2), in
//! the TLS extension signed_certificate_timestamp (18), or in a stapled OCSP response
//! (single-response extension 1.3.6.1.4.1.11129.2.4.5). tlsdoctor's handshake is rustls 0.23's,
//! which neither asks for the TLS extension nor exposes it, so SCTs delivered that way are not
//! seen on a connection; the report says so rather than counting them as absent.

pub mod der;
pub mod logs;
pub mod verify;

use serde::Serialize;
use time::OffsetDateTime;

/// The most SCTs read from one list. Real certificates carry two to five; a hostile list of
/// thousands is cut here, and the cut is reported.
pub const MAX_SCTS: usize = 16;

/// The OID of the SCT list in an OCSP single response, as x509-cert names OIDs.
pub const OCSP_SCT_OID: &str = "1.3.6.1.4.1.11129.2.4.5";

/// Where an SCT was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SctSource {
    /// Embedded in the certificate: it signs the precertificate.
    Certificate,
    /// The TLS extension: it signs the certificate itself.
    Tls,
    /// A stapled OCSP response: it signs the certificate itself.
    Ocsp,
}

impl SctSource {
    /// The word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SctSource::Certificate => "certificate",
            SctSource::Tls => "tls",
            SctSource::Ocsp => "ocsp",
        }
    }
}

/// One version-1 SCT as it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sct {
    pub source: SctSource,
    /// SHA-256 of the log's public key.
    pub log_id: [u8; 32],
    /// Milliseconds since the Unix epoch, as the log wrote it.
    pub timestamp_ms: u64,
    /// The SCT's extensions, opaque (a static CT API log puts its leaf index here).
    pub extensions: Vec<u8>,
    /// TLS HashAlgorithm and SignatureAlgorithm codes (RFC 5246 §7.4.1.4.1).
    pub hash_algorithm: u8,
    pub signature_algorithm: u8,
    pub signature: Vec<u8>,
}

impl Sct {
    /// The timestamp as an instant; `None` beyond what `time` represents.
    pub fn timestamp(&self) -> Option<OffsetDateTime> {
        let nanos = i128::from(self.timestamp_ms).checked_mul(1_000_000)?;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
    }

    /// The log id in base64, as log lists write it.
    pub fn log_id_base64(&self) -> String {
        data_encoding::BASE64.encode(&self.log_id)
    }
}

/// Why an SCT list could not be read in full. What was read before the problem is kept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SctListError {
    #[error("the list is cut short ({0})")]
    Truncated(&'static str),
    #[error("{0} bytes follow the end of the list")]
    Trailing(usize),
    #[error("an SCT of version {0}, which RFC 6962 does not define")]
    UnknownVersion(u8),
    #[error("more than {MAX_SCTS} SCTs; the rest were not read")]
    TooMany,
    #[error("the extension does not hold an OCTET STRING")]
    NotOctetString,
    #[error("the list is empty")]
    Empty,
}

/// What one delivery of SCTs held: the SCTs read, and why reading stopped early, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SctList {
    pub source: SctSource,
    pub scts: Vec<Sct>,
    pub problem: Option<SctListError>,
}

/// Reads a TLS-encoded SignedCertificateTimestampList (RFC 6962 §3.3), keeping what reads.
pub fn parse_list(bytes: &[u8], source: SctSource) -> SctList {
    let mut list = SctList {
        source,
        scts: Vec::new(),
        problem: None,
    };
    let mut reader = Reader(bytes);
    let Some(body) = reader.u16_prefixed() else {
        list.problem = Some(SctListError::Truncated("the list length"));
        return list;
    };
    if !reader.0.is_empty() {
        list.problem = Some(SctListError::Trailing(reader.0.len()));
        return list;
    }
    if body.is_empty() {
        list.problem = Some(SctListError::Empty);
    }
    let mut entries = Reader(body);
    while !entries.0.is_empty() {
        if list.scts.len() == MAX_SCTS {
            list.problem = Some(SctListError::TooMany);
            break;
        }
        let Some(entry) = entries.u16_prefixed() else {
            list.problem = Some(SctListError::Truncated("an SCT's length"));
            break;
        };
        match parse_sct(entry, source) {
            Ok(sct) => list.scts.push(sct),
            Err(problem) => {
                list.problem = Some(problem);
                break;
            }
        }
    }
    list
}

/// Reads an X.509 or OCSP extension value: an OCTET STRING around the TLS-encoded list.
pub fn parse_extension(value: &[u8], source: SctSource) -> SctList {
    match der::octet_string(value) {
        Some(inner) => parse_list(inner, source),
        None => SctList {
            source,
            scts: Vec::new(),
            problem: Some(SctListError::NotOctetString),
        },
    }
}

/// The SCTs embedded in a certificate; `None` when it has no SCT extension (or does not parse,
/// which the chain model reports on its own).
pub fn embedded(certificate: &[u8]) -> Option<SctList> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(certificate).ok()?;
    let extension = cert
        .tbs_certificate
        .extensions()
        .iter()
        .find(|e| e.oid.as_bytes() == der::SCT_LIST_OID)?;
    Some(parse_extension(extension.value, SctSource::Certificate))
}

fn parse_sct(entry: &[u8], source: SctSource) -> Result<Sct, SctListError> {
    let mut r = Reader(entry);
    let version = r.u8().ok_or(SctListError::Truncated("an SCT's version"))?;
    if version != 0 {
        return Err(SctListError::UnknownVersion(version));
    }
    let cut = SctListError::Truncated;
    let log_id: [u8; 32] = r
        .take(32)
        .and_then(|id| id.try_into().ok())
        .ok_or(cut("a log id"))?;
    let timestamp = r.take(8).ok_or(cut("a timestamp"))?;
    let timestamp_ms = timestamp.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
    let extensions = r.u16_prefixed().ok_or(cut("the extensions"))?.to_vec();
    let hash_algorithm = r.u8().ok_or(cut("the hash algorithm"))?;
    let signature_algorithm = r.u8().ok_or(cut("the signature algorithm"))?;
    let signature = r.u16_prefixed().ok_or(cut("the signature"))?.to_vec();
    if !r.0.is_empty() {
        return Err(SctListError::Trailing(r.0.len()));
    }
    Ok(Sct {
        source,
        log_id,
        timestamp_ms,
        extensions,
        hash_algorithm,
        signature_algorithm,
        signature,
    })
}

/// A cursor over TLS-encoded bytes that never reads past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16_prefixed(&mut self) -> Option<&'a [u8]> {
        let n = self.take(2)?;
        self.take(usize::from(u16::from_be_bytes([n[0], n[1]])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sct_bytes(version: u8) -> Vec<u8> {
        let mut sct = vec![version];
        sct.extend_from_slice(&[9u8; 32]);
        sct.extend_from_slice(&1_500_000_000_000u64.to_be_bytes());
        sct.extend_from_slice(&[0, 0, 4, 3, 0, 2, 0xaa, 0xbb]);
        sct
    }

    fn list_of(entries: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in entries {
            body.extend_from_slice(&(e.len() as u16).to_be_bytes());
            body.extend_from_slice(e);
        }
        let mut list = (body.len() as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&body);
        list
    }

    #[test]
    fn a_list_of_two_reads_both() {
        let list = parse_list(&list_of(&[sct_bytes(0), sct_bytes(0)]), SctSource::Tls);
        assert_eq!((list.scts.len(), list.problem), (2, None));
        assert_eq!(list.scts[0].timestamp_ms, 1_500_000_000_000);
        assert_eq!(list.scts[0].signature, vec![0xaa, 0xbb]);
    }

    #[test]
    fn hostile_lists_end_in_a_named_problem() {
        let long = list_of(&vec![sct_bytes(0); MAX_SCTS + 5]);
        let read = parse_list(&long, SctSource::Tls);
        assert_eq!(
            (read.scts.len(), read.problem),
            (MAX_SCTS, Some(SctListError::TooMany))
        );
        let mut cut = list_of(&[sct_bytes(0)]);
        cut.truncate(cut.len() - 1);
        assert!(matches!(
            parse_list(&cut, SctSource::Tls).problem,
            Some(SctListError::Truncated(_))
        ));
        let v2 = parse_list(&list_of(&[sct_bytes(1)]), SctSource::Tls);
        assert_eq!(v2.problem, Some(SctListError::UnknownVersion(1)));
        assert_eq!(
            parse_list(&[], SctSource::Tls).problem,
            Some(SctListError::Truncated("the list length"))
        );
    }
}
