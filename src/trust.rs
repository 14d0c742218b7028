//! Trust stores: the roots a chain is judged against.
//!
//! The default is Mozilla's root list as bundled by webpki-roots (no file access, nothing to
//! load at start). `--ca-file` replaces it with the user's own roots.

use crate::bundle;
use crate::chain::signature::sha256_hex;
use crate::error::Error;
use ::time::OffsetDateTime;
use rustls::pki_types::{CertificateDer, TrustAnchor};
use std::path::PathBuf;
use x509_parser::prelude::*;

/// Where a store's roots came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSource {
    /// Mozilla's list, compiled in through webpki-roots.
    Mozilla,
    /// Root certificates read from these files.
    Files(Vec<PathBuf>),
}

/// A set of trust anchors with what is known about each.
#[derive(Clone, Debug)]
pub struct TrustStore {
    pub source: StoreSource,
    anchors: Vec<TrustAnchor<'static>>,
    /// Each anchor's certificate, when it was read from one (not for the bundled list).
    certs: Vec<Option<CertificateDer<'static>>>,
}

/// A trust anchor described for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorInfo {
    pub subject: String,
    /// SHA-256 of the anchor's SubjectPublicKeyInfo (stable across re-issued root certificates).
    pub spki_sha256: String,
    /// SHA-256 of the root certificate, when the store holds the certificate itself.
    pub cert_sha256: Option<String>,
}

impl TrustStore {
    /// Mozilla's root list as bundled in this binary.
    pub fn mozilla() -> TrustStore {
        let anchors = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        TrustStore {
            source: StoreSource::Mozilla,
            certs: vec![None; anchors.len()],
            anchors,
        }
    }

    /// The roots in these PEM/DER files, and nothing else.
    pub fn from_files(paths: &[PathBuf]) -> Result<TrustStore, Error> {
        let mut anchors = Vec::new();
        let mut certs = Vec::new();
        for path in paths {
            for der in bundle::read_certificates(path)? {
                let anchor = webpki::anchor_from_trusted_cert(&der).map_err(|e| Error::Bundle {
                    path: path.clone(),
                    reason: format!("holds a certificate that cannot be a trust anchor ({e:?})"),
                })?;
                anchors.push(anchor.to_owned());
                certs.push(Some(der));
            }
        }
        Ok(TrustStore {
            source: StoreSource::Files(paths.to_vec()),
            anchors,
            certs,
        })
    }

    /// A short name for reports: `mozilla` or `ca-file root.pem`.
    pub fn name(&self) -> String {
        match &self.source {
            StoreSource::Mozilla => "mozilla".to_string(),
            StoreSource::Files(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                format!("ca-file {}", names.join(", "))
            }
        }
    }

    /// The anchors, in the form rustls-webpki takes.
    pub fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when the store holds no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Indices of anchors whose subject is exactly this DER Name (with its SEQUENCE header).
    pub fn by_subject<'a>(&'a self, name_der: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        let contents = sequence_contents(name_der);
        self.anchors
            .iter()
            .enumerate()
            .filter(move |(_, a)| Some(a.subject.as_ref()) == contents)
            .map(|(i, _)| i)
    }

    /// The index of the anchor that is this certificate (same subject and key), if any.
    pub fn find_certificate(&self, subject_der: &[u8], spki_der: &[u8]) -> Option<usize> {
        let spki = sequence_contents(spki_der)?;
        self.by_subject(subject_der)
            .find(|&i| self.anchors[i].subject_public_key_info.as_ref() == spki)
    }

    /// The anchor's SubjectPublicKeyInfo as full DER.
    pub fn spki_der(&self, index: usize) -> Vec<u8> {
        webpki::spki_for_anchor(&self.anchors[index])
            .as_ref()
            .to_vec()
    }

    /// Describes one anchor for the report.
    pub fn describe(&self, index: usize) -> AnchorInfo {
        let anchor = &self.anchors[index];
        let subject_der = wrap_sequence(anchor.subject.as_ref());
        let subject = X509Name::from_der(&subject_der)
            .ok()
            .and_then(|(_, name)| name.to_string_with_registry(oid_registry()).ok())
            .unwrap_or_else(|| "<undecodable name>".to_string());
        AnchorInfo {
            subject,
            spki_sha256: sha256_hex(&self.spki_der(index)),
            cert_sha256: self.certificate(index).map(|der| sha256_hex(der)),
        }
    }

    /// The anchor's certificate, when the store was read from certificates.
    pub fn certificate(&self, index: usize) -> Option<&CertificateDer<'static>> {
        self.certs.get(index)?.as_ref()
    }

    /// The anchor certificate's validity period, when the store holds the certificate.
    ///
    /// webpki ignores an anchor's dates, but OpenSSL, Go and GnuTLS reject a chain whose root
    /// has expired, so the checks need them.
    pub fn validity(&self, index: usize) -> Option<(OffsetDateTime, OffsetDateTime)> {
        let (_, cert) = X509Certificate::from_der(self.certificate(index)?).ok()?;
        let validity = cert.validity();
        Some((
            validity.not_before.to_datetime(),
            validity.not_after.to_datetime(),
        ))
    }
}

/// The contents of a DER SEQUENCE (without its tag and length), if `der` is one.
fn sequence_contents(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len_bytes = rest.get(..n)?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(n..)?.get(..len)
}

/// Wraps contents in a DER SEQUENCE header.
fn wrap_sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut out = vec![0x30];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_round_trip() {
        for len in [0usize, 5, 127, 128, 300, 70_000] {
            let contents = vec![7u8; len];
            let wrapped = wrap_sequence(&contents);
            assert_eq!(sequence_contents(&wrapped), Some(contents.as_slice()));
        }
    }

    #[test]
    fn mozilla_store_is_bundled_and_describable() {
        let store = TrustStore::mozilla();
        assert!(store.len() > 100);
        let info = store.describe(0);
        assert!(info.subject.contains('='), "{}", info.subject);
        assert_eq!(info.spki_sha256.len(), 64);
    }
}
