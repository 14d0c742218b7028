//! A PKI made at test time (rcgen) for chains whose "CA Issuers" URLs must point at a server the
//! test starts: its port is only known then. Dates match the fixtures (evaluate at `AT`).

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::macros::datetime;

/// A root, an intermediate and a leaf for `ok.test`, each pointing at its issuer's URL.
pub struct AiaPki {
    pub root: CertificateDer<'static>,
    pub intermediate: CertificateDer<'static>,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: PrivateKeyDer<'static>,
}

impl AiaPki {
    /// `root_url` goes into the intermediate's AIA, `intermediate_url` into the leaf's.
    pub fn new(root_url: &str, intermediate_url: &str) -> AiaPki {
        let root_key = KeyPair::generate().expect("key");
        let root_params = ca_params("tlsdoctor AIA Test Root", None);
        let root = root_params.self_signed(&root_key).expect("root");
        let root_issuer = Issuer::new(root_params, root_key);

        let int_key = KeyPair::generate().expect("key");
        let int_params = ca_params("tlsdoctor AIA Test Intermediate", Some(root_url));
        let intermediate = int_params
            .signed_by(&int_key, &root_issuer)
            .expect("intermediate");
        let int_issuer = Issuer::new(int_params, int_key);

        let leaf_key = KeyPair::generate().expect("key");
        let mut leaf_params =
            CertificateParams::new(vec!["ok.test".to_string(), "127.0.0.1".to_string()])
                .expect("leaf params");
        leaf_params.distinguished_name = name("ok.test");
        leaf_params.not_before = datetime!(2026-01-01 0:00 UTC);
        leaf_params.not_after = datetime!(2027-01-01 0:00 UTC);
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.custom_extensions.push(aia(intermediate_url));
        let leaf = leaf_params.signed_by(&leaf_key, &int_issuer).expect("leaf");

        AiaPki {
            root: root.der().clone(),
            intermediate: intermediate.der().clone(),
            leaf: leaf.der().clone(),
            leaf_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        }
    }

    pub fn root_pem(&self) -> String {
        tlsdoctor::bundle::to_pem(&self.root)
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn ca_params(common_name: &str, issuer_url: Option<&str>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = datetime!(2020-01-01 0:00 UTC);
    params.not_after = datetime!(2035-01-01 0:00 UTC);
    params.use_authority_key_identifier_extension = issuer_url.is_some();
    if let Some(url) = issuer_url {
        params.custom_extensions.push(aia(url));
    }
    params
}

/// An Authority Information Access extension with one "CA Issuers" URI (RFC 5280 4.2.2.1).
fn aia(url: &str) -> CustomExtension {
    let mut description = vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    description.extend(tlv(0x86, url.as_bytes()));
    CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 5, 5, 7, 1, 1],
        tlv(0x30, &tlv(0x30, &description)),
    )
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n => out.extend([0x81, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// A root with a chosen name and a leaf it issues for `host`: for chains whose issuer's name
/// matters (an inspection product's CA).
pub struct NamedPki {
    pub root: CertificateDer<'static>,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: PrivateKeyDer<'static>,
}

impl NamedPki {
    pub fn new(root_name: &str, host: &str) -> NamedPki {
        NamedPki::with(root_name, host, |_| {}, |_| {})
    }

    /// Like [`NamedPki::new`], with the root's and the leaf's parameters adjusted first.
    pub fn with(
        root_name: &str,
        host: &str,
        root_edit: impl FnOnce(&mut CertificateParams),
        leaf_edit: impl FnOnce(&mut CertificateParams),
    ) -> NamedPki {
        let root_key = KeyPair::generate().expect("key");
        let mut root_params = ca_params(root_name, None);
        root_edit(&mut root_params);
        let root = root_params.self_signed(&root_key).expect("root");
        let issuer = Issuer::new(root_params, root_key);
        let leaf_key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(vec![host.to_string()]).expect("leaf params");
        params.distinguished_name = name(host);
        params.not_before = datetime!(2026-01-01 0:00 UTC);
        params.not_after = datetime!(2027-01-01 0:00 UTC);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        leaf_edit(&mut params);
        let leaf = params.signed_by(&leaf_key, &issuer).expect("leaf");
        NamedPki {
            root: root.der().clone(),
            leaf: leaf.der().clone(),
            leaf_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        }
    }
}

/// A root, a CA that allows no CA below it (pathlen:0), a second CA with that CA's own name
/// and a new key (self-issued, as at a key rollover) signed by it, and a leaf for `ok.test`
/// from the second. RFC 5280 (6.1.4 (l)) does not count a self-issued CA against pathlen, so
/// the chain is valid by the RFC; rustls-webpki and Go count it, and reject the chain.
pub struct SelfIssuedPki {
    pub root: CertificateDer<'static>,
    /// Leaf, self-issued CA, pathlen:0 CA: what the server sends.
    pub chain: Vec<CertificateDer<'static>>,
}

impl SelfIssuedPki {
    pub fn new() -> SelfIssuedPki {
        let root_key = KeyPair::generate().expect("key");
        let root_params = ca_params("tlsdoctor Pathlen Test Root", None);
        let root = root_params.self_signed(&root_key).expect("root");
        let root_issuer = Issuer::new(root_params, root_key);

        let limited = || {
            let mut params = ca_params("tlsdoctor Pathlen Test CA", None);
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.use_authority_key_identifier_extension = true;
            params
        };
        let ca_key = KeyPair::generate().expect("key");
        let ca = limited().signed_by(&ca_key, &root_issuer).expect("ca");
        let ca_issuer = Issuer::new(limited(), ca_key);

        let rollover_key = KeyPair::generate().expect("key");
        let rollover = limited()
            .signed_by(&rollover_key, &ca_issuer)
            .expect("self-issued ca");
        let rollover_issuer = Issuer::new(limited(), rollover_key);

        let leaf_key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(vec!["ok.test".to_string()]).expect("leaf params");
        params.distinguished_name = name("ok.test");
        params.not_before = datetime!(2026-01-01 0:00 UTC);
        params.not_after = datetime!(2027-01-01 0:00 UTC);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let leaf = params.signed_by(&leaf_key, &rollover_issuer).expect("leaf");
        SelfIssuedPki {
            root: root.der().clone(),
            chain: vec![leaf.der().clone(), rollover.der().clone(), ca.der().clone()],
        }
    }
}

/// What the client `id` made of `report`: its outcome (`ok`, `warning`, `fail`, `unknown`) and
/// its causes; a panic naming the judged clients when `id` is not among them.
pub fn client_outcome(
    report: &tlsdoctor::report::TargetReport,
    id: &str,
) -> (&'static str, Vec<&'static str>) {
    let client = report
        .clients
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| {
            let ids: Vec<&str> = report.clients.iter().map(|c| c.id.as_str()).collect();
            panic!("no client {id} among {ids:?}")
        });
    (client.outcome.as_str(), client.causes.clone())
}

/// `check --file` of the PKI's leaf for `host` at `at`, as if its root were a publicly trusted
/// one: it stands in for Mozilla's list (the public list and the `mozilla` store) and for the
/// bundled root programs' stores, since no test can hold the key of a real public root.
/// `clients` are judged as `--clients` would.
pub fn check_as_public(
    pki: &NamedPki,
    host: &str,
    at: time::OffsetDateTime,
    clients: &str,
) -> tlsdoctor::report::TargetReport {
    let scratch = super::Scratch::new("as-public");
    let chain = scratch.file("chain.pem", tlsdoctor::bundle::to_pem(&pki.leaf).as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    let public = tlsdoctor::TrustStore::from_paths(&[root.into()], "").expect("root store");
    let stores = tlsdoctor::StoreSet::new(
        &[tlsdoctor::trust::StoreSpec::Mozilla],
        &[],
        tlsdoctor::trust::SystemLocations::default(),
    )
    .expect("stores")
    .with_public_list(public);
    let stores = ["chrome", "java-17"]
        .into_iter()
        .fold(stores, |stores, id| {
            stores.with_program(tlsdoctor::trust::programs::Program::custom(
                id,
                vec![(pki.root.clone(), Vec::new())],
            ))
        });
    let mut options = tlsdoctor::Options::new(stores);
    options.at = Some(at);
    options.fetch = false;
    options.clients = tlsdoctor::clients::select(clients).expect("profiles");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime
        .block_on(tlsdoctor::check_file(
            std::path::Path::new(&chain),
            Some(host),
            &options,
        ))
        .expect("report")
}
