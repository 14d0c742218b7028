//! A set of trust anchors, with their certificates when known and what reports say of them.

use super::der::{sequence_contents, wrap_sequence};
use super::programs::Program;
use super::system::SystemOrigin;
use crate::bundle;
use crate::chain::signature::sha256_hex;
use crate::error::Error;
use ::time::OffsetDateTime;
use rustls::pki_types::{CertificateDer, TrustAnchor};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use x509_parser::prelude::*;

/// Where a store's roots came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSource {
    /// Mozilla's list, compiled in through webpki-roots.
    Mozilla,
    /// This machine's store.
    System(SystemOrigin),
    /// Root certificates read from these files or directories (`--trust PATH`, `--ca-file`).
    Files {
        paths: Vec<PathBuf>,
        label: &'static str,
    },
    /// A root program bundled as data (`--trust chrome`), with the date of its snapshot.
    Program { id: String, snapshot: String },
}

/// A set of trust anchors with what is known about each.
#[derive(Clone, Debug)]
pub struct TrustStore {
    pub source: StoreSource,
    pub(super) anchors: Vec<TrustAnchor<'static>>,
    /// Each anchor's certificate, when it was read from one (not for the bundled list).
    pub(super) certs: Vec<Option<CertificateDer<'static>>>,
    /// Anchor certificates already parsed by [`TrustStore::anchor_chain`], by index.
    pub(super) parsed: AnchorCache,
    /// Anchors already described by [`TrustStore::describe`], by index.
    pub(super) described: Arc<Mutex<HashMap<usize, AnchorInfo>>>,
}

/// Parsed anchors, shared by the clones of a store; at most one entry per anchor.
pub(super) type AnchorCache = Arc<Mutex<HashMap<usize, Arc<crate::chain::Chain>>>>;

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
            parsed: AnchorCache::default(),
            described: Default::default(),
            anchors,
        }
    }

    /// The roots a program trusts, each with its certificate. A root webpki cannot take as an
    /// anchor is left out; the data tests make sure there is none.
    pub fn program(program: &Program) -> TrustStore {
        let mut store = TrustStore {
            source: StoreSource::Program {
                id: program.id.clone(),
                snapshot: program.snapshot.clone(),
            },
            parsed: AnchorCache::default(),
            described: Default::default(),
            anchors: Vec::new(),
            certs: Vec::new(),
        };
        for root in &program.roots {
            let _ = store.add(root.cert.clone());
        }
        store
    }

    /// The roots in these PEM/DER/PKCS#7 files (or every file in a directory), and nothing else.
    pub fn from_paths(paths: &[PathBuf], label: &'static str) -> Result<TrustStore, Error> {
        let mut store = TrustStore {
            source: StoreSource::Files {
                paths: paths.to_vec(),
                label,
            },
            parsed: AnchorCache::default(),
            described: Default::default(),
            anchors: Vec::new(),
            certs: Vec::new(),
        };
        for path in paths {
            let certs = if path.is_dir() {
                bundle::read_certificate_dir(path, &[])?.0
            } else {
                bundle::read_certificates(path)?
            };
            for der in certs {
                store.add(der).map_err(|e| Error::Bundle {
                    path: path.clone(),
                    reason: format!("holds a certificate that cannot be a trust anchor ({e:?})"),
                })?;
            }
        }
        Ok(store)
    }

    pub(super) fn add(&mut self, der: CertificateDer<'static>) -> Result<(), webpki::Error> {
        let anchor = webpki::anchor_from_trusted_cert(&der)?.to_owned();
        self.anchors.push(anchor);
        self.certs.push(Some(der));
        Ok(())
    }

    /// A short name for reports: `mozilla`, `system`, `ca-file root.pem`, or the path.
    pub fn name(&self) -> String {
        match &self.source {
            StoreSource::Mozilla => "mozilla".to_string(),
            StoreSource::System(_) => "system".to_string(),
            StoreSource::Program { id, .. } => id.clone(),
            StoreSource::Files { paths, label } => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                match *label {
                    "" => names.join(", "),
                    label => format!("{label} {}", names.join(", ")),
                }
            }
        }
    }

    /// `mozilla`, `system`, `program` or `file`: what kind of store this is.
    pub fn kind(&self) -> &'static str {
        match self.source {
            StoreSource::Mozilla => "mozilla",
            StoreSource::System(_) => "system",
            StoreSource::Program { .. } => "program",
            StoreSource::Files { .. } => "file",
        }
    }

    /// The system store's origin, for system stores.
    pub fn system_origin(&self) -> Option<&SystemOrigin> {
        match &self.source {
            StoreSource::System(origin) => Some(origin),
            _ => None,
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

    /// The index of an anchor with the same subject and key as `other`'s anchor `index`.
    pub fn find_anchor(&self, other: &TrustStore, index: usize) -> Option<usize> {
        let wanted = other.anchors.get(index)?;
        self.anchors.iter().position(|a| {
            a.subject == wanted.subject
                && a.subject_public_key_info == wanted.subject_public_key_info
        })
    }

    /// The anchor's SubjectPublicKeyInfo as full DER.
    pub fn spki_der(&self, index: usize) -> Vec<u8> {
        webpki::spki_for_anchor(&self.anchors[index])
            .as_ref()
            .to_vec()
    }

    /// Describes one anchor for the report.
    pub fn describe(&self, index: usize) -> AnchorInfo {
        // Once per anchor and store: every target whose path ends at it is reported with it.
        let mut described = self.described.lock().unwrap_or_else(|p| p.into_inner());
        described
            .entry(index)
            .or_insert_with(|| self.describe_now(index))
            .clone()
    }

    fn describe_now(&self, index: usize) -> AnchorInfo {
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

    /// The anchor's certificate as the chain model describes it, parsed once per store: every
    /// target whose path ends at this anchor asks for it, and parsing checks its signature.
    pub fn anchor_chain(&self, index: usize) -> Option<Arc<crate::chain::Chain>> {
        let der = self.certificate(index)?;
        let mut parsed = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
        let chain = parsed
            .entry(index)
            .or_insert_with(|| Arc::new(crate::chain::Chain::from_der(vec![der.clone()])));
        Some(chain.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mozilla_store_is_bundled_and_describable() {
        let store = TrustStore::mozilla();
        assert!(store.len() > 100);
        let info = store.describe(0);
        assert!(info.subject.contains('='), "{}", info.subject);
        assert_eq!(info.spki_sha256.len(), 64);
    }
}
