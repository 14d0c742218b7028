//! Certificate Transparency at test time: logs whose keys the test holds, SCTs they sign, and
//! leaves that embed them, issued by a root the test can mark public. The signed data is built
//! here from RFC 6962 §3.2 on its own, not with tlsdoctor's code, so a mistake there shows.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, SerialNumber,
};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// A DER OCTET STRING around `contents`.
fn octet_string(contents: &[u8]) -> Vec<u8> {
    let n = contents.len();
    let mut out = vec![0x04];
    match n {
        0..=127 => out.push(n as u8),
        128..=255 => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(contents);
    out
}

/// The DER prefix of a P-256 SubjectPublicKeyInfo, before the 65-byte point.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A CT log whose key the test holds.
pub struct TestLog {
    pub name: String,
    pub operator: String,
    key: EcdsaKeyPair,
    pub spki: Vec<u8>,
}

impl TestLog {
    pub fn new(name: &str, operator: &str) -> TestLog {
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("log key");
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .expect("log key");
        let mut spki = P256_SPKI_PREFIX.to_vec();
        spki.extend_from_slice(key.public_key().as_ref());
        TestLog {
            name: name.into(),
            operator: operator.into(),
            key,
            spki,
        }
    }

    pub fn id(&self) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, &self.spki)
            .as_ref()
            .to_vec()
    }

    /// A serialized v1 SCT over a precertificate entry (RFC 6962 §3.2).
    pub fn sign_precert(&self, at: OffsetDateTime, issuer_spki: &[u8], tbs: &[u8]) -> Vec<u8> {
        let mut entry = vec![0, 1]; // precert_entry
        entry.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, issuer_spki).as_ref());
        entry.extend_from_slice(&u24(tbs.len()));
        entry.extend_from_slice(tbs);
        self.sct(at, &entry)
    }

    /// A serialized v1 SCT over an X.509 entry: what a server sends in TLS or OCSP.
    pub fn sign_x509(&self, at: OffsetDateTime, leaf: &[u8]) -> Vec<u8> {
        let mut entry = vec![0, 0]; // x509_entry
        entry.extend_from_slice(&u24(leaf.len()));
        entry.extend_from_slice(leaf);
        self.sct(at, &entry)
    }

    fn sct(&self, at: OffsetDateTime, entry: &[u8]) -> Vec<u8> {
        let timestamp = (at.unix_timestamp_nanos() / 1_000_000) as u64;
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend_from_slice(&timestamp.to_be_bytes());
        signed.extend_from_slice(entry);
        signed.extend_from_slice(&[0, 0]); // no extensions
        let signature = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .expect("sign")
            .as_ref()
            .to_vec();
        let mut sct = vec![0u8];
        sct.extend_from_slice(&self.id());
        sct.extend_from_slice(&timestamp.to_be_bytes());
        sct.extend_from_slice(&[0, 0, 4, 3]); // no extensions; sha256, ecdsa
        sct.extend_from_slice(&(signature.len() as u16).to_be_bytes());
        sct.extend_from_slice(&signature);
        sct
    }
}

fn u24(n: usize) -> [u8; 3] {
    let b = (n as u32).to_be_bytes();
    [b[1], b[2], b[3]]
}

/// A log list in Chrome's v3 schema holding `logs`, each usable since 2020, made 2026-01-01.
pub fn log_list(logs: &[&TestLog]) -> String {
    log_list_made(logs, "2026-01-01T00:00:00Z")
}

/// [`log_list`] as made at `timestamp` (RFC 3339).
pub fn log_list_made(logs: &[&TestLog], timestamp: &str) -> String {
    let mut operators: Vec<(String, Vec<String>)> = Vec::new();
    for log in logs {
        let entry = format!(
            r#"{{"description": "{}", "log_id": "{}", "key": "{}", "url": "https://ct.test/", "mmd": 86400, "state": {{"usable": {{"timestamp": "2020-01-01T00:00:00Z"}}}}}}"#,
            log.name,
            b64(&log.id()),
            b64(&log.spki)
        );
        match operators.iter_mut().find(|(name, _)| *name == log.operator) {
            Some((_, entries)) => entries.push(entry),
            None => operators.push((log.operator.clone(), vec![entry])),
        }
    }
    let operators: Vec<String> = operators
        .into_iter()
        .map(|(name, logs)| {
            format!(
                r#"{{"name": "{name}", "email": ["ct@example.test"], "logs": [{}]}}"#,
                logs.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"version": "1.0", "log_list_timestamp": "{timestamp}", "operators": [{}]}}"#,
        operators.join(", ")
    )
}

/// A TLS-encoded SignedCertificateTimestampList.
pub fn sct_list(scts: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    for sct in scts {
        body.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        body.extend_from_slice(sct);
    }
    let mut list = (body.len() as u16).to_be_bytes().to_vec();
    list.extend_from_slice(&body);
    list
}

/// A root and a leaf for `ok.test` valid `days` from 2026-05-01, embedding the SCTs `sign`
/// makes from the precertificate TBS and the root's SubjectPublicKeyInfo.
pub struct CtPki {
    pub root: CertificateDer<'static>,
    pub root_pem: String,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: PrivateKeyDer<'static>,
}

/// When the test leaves are issued.
pub fn issued() -> OffsetDateTime {
    time::macros::datetime!(2026-05-01 0:00 UTC)
}

impl CtPki {
    pub fn new(days: i64, sign: impl FnOnce(&[u8], &[u8]) -> Vec<Vec<u8>>) -> CtPki {
        let root_key = KeyPair::generate().expect("key");
        let mut root_params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "tlsdoctor CT Test Root");
        root_params.distinguished_name = dn;
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root_params.not_before = time::macros::datetime!(2020-01-01 0:00 UTC);
        root_params.not_after = time::macros::datetime!(2035-01-01 0:00 UTC);
        let root = root_params.self_signed(&root_key).expect("root");
        let (_, parsed_root) = X509Certificate::from_der(root.der()).expect("root parses");
        let root_spki = parsed_root.tbs_certificate.subject_pki.raw.to_vec();
        let issuer = Issuer::new(root_params, root_key);

        let leaf_key = KeyPair::generate().expect("key");
        let leaf_params = || {
            let mut params =
                CertificateParams::new(vec!["ok.test".to_string()]).expect("leaf params");
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CommonName, "ok.test");
            params.distinguished_name = dn;
            params.serial_number = Some(SerialNumber::from_slice(&[0x01, 0x23, 0x45]));
            params.not_before = issued();
            params.not_after = issued() + Duration::days(days);
            params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
            params.use_authority_key_identifier_extension = true;
            params
        };
        // The precertificate: the same TBS without the SCT list (rcgen writes custom
        // extensions last, so removing it gives these bytes back).
        let precert = leaf_params()
            .signed_by(&leaf_key, &issuer)
            .expect("precert");
        let (_, parsed) = X509Certificate::from_der(precert.der()).expect("precert parses");
        let scts = sign(parsed.tbs_certificate.as_ref(), &root_spki);
        let mut params = leaf_params();
        if !scts.is_empty() {
            let value = octet_string(&sct_list(&scts));
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
                    value,
                ));
        }
        let leaf = params.signed_by(&leaf_key, &issuer).expect("leaf");
        CtPki {
            root: root.der().clone(),
            root_pem: root.pem(),
            leaf: leaf.der().clone(),
            leaf_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        }
    }

    /// The leaf and the root, PEM, as a chain file.
    pub fn chain_pem(&self) -> String {
        let leaf = pem("CERTIFICATE", &self.leaf);
        format!("{leaf}{}", self.root_pem)
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = data_encoding::BASE64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
