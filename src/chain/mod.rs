//! The chain model: what each presented certificate says, and which one signed which.
//!
//! Facts only: nothing here decides whether something is wrong. A certificate that cannot be
//! parsed stays in the chain (with its size and fingerprint) so the report can point at it.

pub mod path;
pub mod signature;

use ::time::OffsetDateTime;
use rustls::pki_types::CertificateDer;
use signature::{KeyFacts, SignatureKind, SignatureStatus, SignedData, hex, sha256_hex};
use std::net::IpAddr;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::*;

/// The most certificates of one chain that are examined, sent and downloaded together. Real
/// chains have two to four; linking certificates by signature costs up to the square of the
/// count, so a hostile chain of thousands is cut here, and the cut is reported.
pub const MAX_CHAIN_CERTS: usize = 32;

/// Signatures checked to link one chain, at most. A real chain needs one per certificate; 32
/// certificates that all share one name would need nearly a thousand.
pub const MAX_LINK_CHECKS: usize = 128;

/// One certificate as presented, parsed or not.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// Position in the presented chain (0 = the leaf).
    pub index: usize,
    pub der: CertificateDer<'static>,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// The parsed facts, or why parsing failed.
    pub facts: Result<CertFacts, String>,
    /// Set when the server did not send this certificate and it was downloaded from this URL.
    pub fetched_from: Option<String>,
}

impl Certificate {
    /// The parsed facts, when the certificate could be parsed.
    pub fn facts(&self) -> Option<&CertFacts> {
        self.facts.as_ref().ok()
    }

    /// A short label for messages: the subject, or a placeholder.
    pub fn label(&self) -> String {
        match &self.facts {
            Ok(f) => f.subject.clone(),
            Err(_) => format!("unparseable certificate ({} bytes)", self.der.len()),
        }
    }
}

/// One Subject Alternative Name entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum San {
    Dns(String),
    Ip(IpAddr),
    Email(String),
    Uri(String),
    /// Any other kind, rendered as text.
    Other(String),
}

impl std::fmt::Display for San {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            San::Dns(s) => write!(f, "DNS:{s}"),
            San::Ip(ip) => write!(f, "IP:{ip}"),
            San::Email(s) => write!(f, "email:{s}"),
            San::Uri(s) => write!(f, "URI:{s}"),
            San::Other(s) => write!(f, "{s}"),
        }
    }
}

/// The basicConstraints extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u32>,
}

/// Everything the checks and the report need from one certificate, owned.
#[derive(Clone, Debug)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// Raw DER of the subject and issuer Names, for exact matching as verifiers do.
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub common_name: Option<String>,
    /// Serial number, lowercase hex.
    pub serial: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// `None` when the certificate has no subjectAltName extension at all.
    pub sans: Option<Vec<San>>,
    /// Extended key usages by name (`serverAuth`) or OID; `None` when absent.
    pub eku: Option<Vec<String>>,
    /// Key usage bits by name (`digitalSignature`); `None` when absent.
    pub key_usage: Option<Vec<&'static str>>,
    pub basic_constraints: Option<BasicConstraints>,
    pub has_name_constraints: bool,
    pub key: KeyFacts,
    /// DER SubjectPublicKeyInfo, to check what this key signed.
    pub spki_der: Vec<u8>,
    pub signed: SignedData,
    pub ca_issuers: Vec<String>,
    pub ocsp: Vec<String>,
    /// The TLS Feature extension (RFC 7633) lists status_request: OCSP must be stapled.
    pub must_staple: bool,
    /// Subject / authority key identifiers, lowercase hex.
    pub ski: Option<String>,
    pub aki: Option<String>,
    /// Subject equals issuer (by bytes).
    pub self_issued: bool,
    /// Self-issued and the signature verifies with its own key.
    pub self_signed: bool,
    /// How the certificate is encoded, for the RFC 5280 rules strict clients enforce.
    pub profile: Profile,
}

impl CertFacts {
    /// True when basicConstraints says CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// Whole days from `now` until notAfter (negative once expired).
    pub fn days_left(&self, now: OffsetDateTime) -> i64 {
        (self.not_after - now).whole_days()
    }

    /// Checks whether this certificate's key made `child`'s signature.
    pub fn signed(&self, child: &CertFacts) -> SignatureStatus {
        signature::verify(&child.signed, &self.spki_der)
    }
}

/// A presented certificate whose subject matches another's issuer, and whether it signed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub child: usize,
    pub issuer: usize,
    pub status: SignatureStatus,
}

/// The presented chain (plus any issuers downloaded to complete it) with its issuer links.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// The presented certificates first, in order, then the downloaded ones.
    pub certs: Vec<Certificate>,
    /// How many of `certs` the server (or file) presented.
    pub presented: usize,
    /// Name-matching (child, issuer) pairs among distinct certificates, with the signature
    /// result; worked out on first use, since a chain the verifier accepted rarely needs them.
    links: std::sync::OnceLock<Links>,
}

/// The issuer links of a chain, and how many name-matching pairs went unchecked.
#[derive(Clone, Debug, Default)]
struct Links {
    checked: Vec<Link>,
    /// Pairs left out once [`MAX_LINK_CHECKS`] signatures had been checked.
    unchecked: usize,
}

impl Chain {
    /// Builds the model from DER certificates in presented order.
    pub fn from_der(ders: Vec<CertificateDer<'static>>) -> Chain {
        Chain::with_fetched(ders, Vec::new())
    }

    /// Builds the model from the presented certificates and issuers downloaded from URLs.
    pub fn with_fetched(
        presented: Vec<CertificateDer<'static>>,
        fetched: Vec<(CertificateDer<'static>, String)>,
    ) -> Chain {
        let count = presented.len();
        let certs: Vec<Certificate> = presented
            .into_iter()
            .map(|der| (der, None))
            .chain(fetched.into_iter().map(|(der, url)| (der, Some(url))))
            .enumerate()
            .map(|(index, (der, fetched_from))| Certificate {
                index,
                sha256: sha256_hex(&der),
                facts: parse(&der),
                der,
                fetched_from,
            })
            .collect();
        Chain {
            certs,
            presented: count,
            links: std::sync::OnceLock::new(),
        }
    }

    /// True when certificate `index` was downloaded rather than presented.
    pub fn is_fetched(&self, index: usize) -> bool {
        index >= self.presented
    }

    /// The DER of the certificates as presented.
    pub fn presented_der(&self) -> Vec<CertificateDer<'static>> {
        self.certs[..self.presented]
            .iter()
            .map(|c| c.der.clone())
            .collect()
    }

    /// The leaf (first presented certificate), if any was presented. A downloaded issuer is
    /// never the leaf.
    pub fn leaf(&self) -> Option<&Certificate> {
        self.certs.first().filter(|_| self.presented > 0)
    }

    /// Index of the first earlier certificate with the same bytes, if this one is a repeat.
    pub fn duplicate_of(&self, index: usize) -> Option<usize> {
        let sha = &self.certs.get(index)?.sha256;
        self.certs[..index].iter().position(|c| &c.sha256 == sha)
    }

    /// Every name-matching (child, issuer) pair with its signature result, within
    /// [`MAX_LINK_CHECKS`].
    pub fn links(&self) -> &[Link] {
        &self.links.get_or_init(|| link(&self.certs)).checked
    }

    /// Name-matching pairs whose signature was not checked because the budget ran out; zero
    /// when the links were never needed.
    pub fn unchecked_links(&self) -> usize {
        self.links.get().map_or(0, |l| l.unchecked)
    }

    /// Certificates whose subject matches `child`'s issuer, with the signature result.
    pub fn issuers_of(&self, child: usize) -> impl Iterator<Item = &Link> {
        self.links().iter().filter(move |l| l.child == child)
    }
}

/// Finds, among distinct certificates, every issuer-name match and checks its signature, at
/// most [`MAX_LINK_CHECKS`] of them: pairs whose key identifiers agree (or are absent) first,
/// as verifiers try them, so a pile of look-alikes cannot crowd out the real issuer.
fn link(certs: &[Certificate]) -> Links {
    let distinct: Vec<(usize, &CertFacts)> = certs
        .iter()
        .enumerate()
        .filter(|(i, c)| certs[..*i].iter().all(|e| e.sha256 != c.sha256))
        .filter_map(|(i, c)| c.facts().map(|f| (i, f)))
        .collect();
    let mut pairs: Vec<(bool, usize, usize)> = Vec::new();
    for &(child, child_facts) in &distinct {
        for &(issuer, issuer_facts) in &distinct {
            if issuer != child && issuer_facts.subject_der == child_facts.issuer_der {
                let ids_differ = matches!(
                    (&child_facts.aki, &issuer_facts.ski),
                    (Some(aki), Some(ski)) if aki != ski
                );
                pairs.push((ids_differ, child, issuer));
            }
        }
    }
    pairs.sort_by_key(|&(ids_differ, child, issuer)| (ids_differ, child, issuer));
    let unchecked = pairs.len().saturating_sub(MAX_LINK_CHECKS);
    pairs.truncate(MAX_LINK_CHECKS);
    // Back in (child, issuer) order, the order paths are built in.
    pairs.sort_by_key(|&(_, child, issuer)| (child, issuer));
    let facts = |i: usize| certs[i].facts();
    let checked = pairs
        .into_iter()
        .filter_map(|(_, child, issuer)| {
            let status = facts(issuer)?.signed(facts(child)?);
            Some(Link {
                child,
                issuer,
                status,
            })
        })
        .collect();
    Links { checked, unchecked }
}

/// Encoding details that only the profile checks look at.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// X.509 version: 1, 2 or 3.
    pub version: u32,
    /// Critical extensions no parser here understands, by OID.
    pub unknown_critical: Vec<String>,
    /// Extensions whose contents do not decode: "name: why".
    pub malformed: Vec<String>,
    pub aki_critical: bool,
    pub ski_critical: bool,
    /// basicConstraints present and marked critical.
    pub basic_constraints_critical: bool,
    pub san_critical: bool,
    /// The subject Name has no attributes.
    pub empty_subject: bool,
    /// An AKI that names an issuer or serial which are not this certificate's issuer's: for a
    /// self-issued certificate, ones that are not its own.
    pub aki_issuer_serial: Option<(Option<Vec<u8>>, Option<String>)>,
    /// An authorityKeyIdentifier is present (with or without its keyIdentifier field).
    pub has_aki: bool,
    pub eku_critical: bool,
    pub name_constraints_critical: bool,
    /// DNS name constraints written with a leading period (`.example.com`), which RFC 5280's
    /// DNS syntax lacks.
    pub leading_period_dns_constraints: Vec<String>,
    /// policyConstraints present: whether it is critical.
    pub policy_constraints_critical: Option<bool>,
}

/// The TLS Feature extension (RFC 7633), which x509-parser leaves unparsed.
const TLS_FEATURE: x509_parser::der_parser::oid::Oid<'static> =
    x509_parser::der_parser::oid!(1.3.6.1.5.5.7.1.24);
/// The TLS extension number of status_request (RFC 6066), as a TLS Feature lists it.
const STATUS_REQUEST: u16 = 5;

/// Parses one DER certificate into owned facts.
fn parse(der: &[u8]) -> Result<CertFacts, String> {
    let (rest, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!(
            "{} bytes of trailing data after the certificate",
            rest.len()
        ));
    }
    let tbs = &cert.tbs_certificate;
    let mut facts = CertFacts {
        subject: name_text(tbs.subject()),
        issuer: name_text(tbs.issuer()),
        subject_der: tbs.subject().as_raw().to_vec(),
        issuer_der: tbs.issuer().as_raw().to_vec(),
        common_name: tbs
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string),
        serial: hex(tbs.raw_serial()),
        not_before: tbs.validity().not_before.to_datetime(),
        not_after: tbs.validity().not_after.to_datetime(),
        sans: None,
        eku: None,
        key_usage: None,
        basic_constraints: None,
        has_name_constraints: false,
        key: KeyFacts::of(tbs.public_key()),
        spki_der: tbs.public_key().raw.to_vec(),
        signed: SignedData {
            tbs: tbs.as_ref().to_vec(),
            signature: cert.signature_value.data.to_vec(),
            kind: SignatureKind::of(&cert.signature_algorithm),
        },
        ca_issuers: Vec::new(),
        ocsp: Vec::new(),
        must_staple: false,
        ski: None,
        aki: None,
        self_issued: tbs.subject().as_raw() == tbs.issuer().as_raw(),
        self_signed: false,
        profile: Profile {
            version: tbs.version.0 + 1,
            empty_subject: tbs.subject().iter_attributes().next().is_none(),
            ..Profile::default()
        },
    };
    for ext in tbs.extensions() {
        let parsed = ext.parsed_extension();
        let profile = &mut facts.profile;
        match parsed {
            ParsedExtension::UnsupportedExtension { .. } if ext.critical => {
                profile.unknown_critical.push(ext.oid.to_id_string());
            }
            ParsedExtension::ParseError { error } => profile.malformed.push(format!(
                "{}: {error}",
                extension_name(&ext.oid.to_id_string())
            )),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                profile.aki_critical = ext.critical;
                profile.has_aki = true;
                let issuer = aki.authority_cert_issuer.as_ref().and_then(|names| {
                    names.iter().find_map(|n| match n {
                        GeneralName::DirectoryName(name) => Some(name.as_raw().to_vec()),
                        _ => None,
                    })
                });
                let serial = aki.authority_cert_serial.map(hex);
                if issuer.is_some() || serial.is_some() {
                    profile.aki_issuer_serial = Some((issuer, serial));
                }
            }
            ParsedExtension::SubjectKeyIdentifier(_) => profile.ski_critical = ext.critical,
            ParsedExtension::BasicConstraints(_) => {
                profile.basic_constraints_critical = ext.critical;
            }
            ParsedExtension::SubjectAlternativeName(_) => profile.san_critical = ext.critical,
            ParsedExtension::ExtendedKeyUsage(_) => profile.eku_critical = ext.critical,
            ParsedExtension::PolicyConstraints(_) => {
                profile.policy_constraints_critical = Some(ext.critical);
            }
            ParsedExtension::NameConstraints(nc)
                if nc.permitted_subtrees.is_none() && nc.excluded_subtrees.is_none() =>
            {
                profile
                    .malformed
                    .push("nameConstraints: neither permitted nor excluded subtrees".into());
            }
            ParsedExtension::NameConstraints(nc) => {
                profile.name_constraints_critical = ext.critical;
                let subtrees = [&nc.permitted_subtrees, &nc.excluded_subtrees];
                for subtree in subtrees.into_iter().flatten().flatten() {
                    if let GeneralName::DNSName(dns) = subtree.base
                        && dns.starts_with('.')
                    {
                        profile.leading_period_dns_constraints.push(dns.to_string());
                    }
                }
            }
            _ => {}
        }
        if ext.oid == TLS_FEATURE {
            facts.must_staple = <Vec<u16> as der::Decode>::from_der(ext.value)
                .is_ok_and(|features| features.contains(&STATUS_REQUEST));
        }
        read_extension(parsed, &mut facts);
    }
    facts.self_signed = facts.self_issued
        && signature::verify(&facts.signed, &facts.spki_der) == SignatureStatus::Valid;
    Ok(facts)
}

fn read_extension(ext: &ParsedExtension<'_>, facts: &mut CertFacts) {
    match ext {
        ParsedExtension::SubjectAlternativeName(san) => {
            facts.sans = Some(san.general_names.iter().map(san_entry).collect());
        }
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let mut names: Vec<String> = [
                (eku.any, "anyExtendedKeyUsage"),
                (eku.server_auth, "serverAuth"),
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
            ]
            .into_iter()
            .filter(|(set, _)| *set)
            .map(|(_, name)| name.to_string())
            .collect();
            names.extend(eku.other.iter().map(|oid| oid.to_id_string()));
            facts.eku = Some(names);
        }
        ParsedExtension::KeyUsage(ku) => {
            let bits = [
                (ku.digital_signature(), "digitalSignature"),
                (ku.non_repudiation(), "nonRepudiation"),
                (ku.key_encipherment(), "keyEncipherment"),
                (ku.data_encipherment(), "dataEncipherment"),
                (ku.key_agreement(), "keyAgreement"),
                (ku.key_cert_sign(), "keyCertSign"),
                (ku.crl_sign(), "cRLSign"),
                (ku.encipher_only(), "encipherOnly"),
                (ku.decipher_only(), "decipherOnly"),
            ];
            facts.key_usage = Some(
                bits.into_iter()
                    .filter(|(set, _)| *set)
                    .map(|(_, n)| n)
                    .collect(),
            );
        }
        ParsedExtension::BasicConstraints(bc) => {
            facts.basic_constraints = Some(BasicConstraints {
                ca: bc.ca,
                path_len: bc.path_len_constraint,
            });
        }
        ParsedExtension::NameConstraints(_) => facts.has_name_constraints = true,
        ParsedExtension::SubjectKeyIdentifier(id) => facts.ski = Some(hex(id.0)),
        ParsedExtension::AuthorityKeyIdentifier(aki) => {
            facts.aki = aki.key_identifier.as_ref().map(|id| hex(id.0));
        }
        ParsedExtension::AuthorityInfoAccess(aia) => {
            for desc in aia.iter() {
                if let GeneralName::URI(uri) = desc.access_location {
                    match desc.access_method.to_id_string().as_str() {
                        "1.3.6.1.5.5.7.48.2" => facts.ca_issuers.push(uri.to_string()),
                        "1.3.6.1.5.5.7.48.1" => facts.ocsp.push(uri.to_string()),
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
}

fn san_entry(name: &GeneralName<'_>) -> San {
    match name {
        GeneralName::DNSName(s) => San::Dns(s.to_string()),
        GeneralName::RFC822Name(s) => San::Email(s.to_string()),
        GeneralName::URI(s) => San::Uri(s.to_string()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => San::Ip(IpAddr::from(
                <[u8; 4]>::try_from(*bytes).unwrap_or_default(),
            )),
            16 => San::Ip(IpAddr::from(
                <[u8; 16]>::try_from(*bytes).unwrap_or_default(),
            )),
            _ => San::Other(format!("IP:invalid ({} bytes)", bytes.len())),
        },
        other => San::Other(other.to_string()),
    }
}

/// The usual name of an extension, for messages.
fn extension_name(oid: &str) -> String {
    match oid {
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess".into(),
        "2.5.29.17" => "subjectAltName".into(),
        "2.5.29.19" => "basicConstraints".into(),
        "2.5.29.15" => "keyUsage".into(),
        "2.5.29.37" => "extKeyUsage".into(),
        "2.5.29.30" => "nameConstraints".into(),
        "2.5.29.35" => "authorityKeyIdentifier".into(),
        "2.5.29.14" => "subjectKeyIdentifier".into(),
        "2.5.29.31" => "cRLDistributionPoints".into(),
        "2.5.29.32" => "certificatePolicies".into(),
        other => other.to_string(),
    }
}

/// Renders a Name as `CN=..., O=...`, falling back to hex for names that do not decode.
fn name_text(name: &X509Name<'_>) -> String {
    name.to_string_with_registry(oid_registry())
        .unwrap_or_else(|_| format!("<undecodable name {}>", hex(name.as_raw())))
}
