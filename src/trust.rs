//! Trust stores: the roots a chain is judged against, and where each set came from.
//!
//! By default a chain is judged against Mozilla's list (compiled in through webpki-roots) and
//! this machine's system store, read only once a chain is in hand. `--trust` and `--ca-file`
//! choose other stores. The system store follows `SSL_CERT_FILE` / `SSL_CERT_DIR` the way
//! OpenSSL, Go and curl do, and the report says which file or directory was read and why.

use crate::bundle;
use crate::chain::signature::sha256_hex;
use crate::error::Error;
use ::time::OffsetDateTime;
use rustls::pki_types::{CertificateDer, TrustAnchor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use x509_parser::prelude::*;

/// A store asked for on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSpec {
    /// Mozilla's list as bundled.
    Mozilla,
    /// This machine's store.
    System,
    /// The roots in a file, or in every file of a directory.
    Path(PathBuf),
}

impl std::str::FromStr for StoreSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "mozilla" => StoreSpec::Mozilla,
            "system" => StoreSpec::System,
            "" => return Err("expected mozilla, system, or a file or directory".into()),
            path => StoreSpec::Path(PathBuf::from(path)),
        })
    }
}

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
}

/// What was read for the system store, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemOrigin {
    /// The bundle file read, if any.
    pub file: Option<PathBuf>,
    /// Directories read (hashed-name directories such as /etc/ssl/certs).
    pub dirs: Vec<PathBuf>,
    /// The environment variables that chose these paths (`SSL_CERT_FILE=...`).
    pub env: Vec<String>,
    /// The operating system's own store (macOS keychain, Windows store) was read instead.
    pub platform: bool,
    /// Directories not read yet: the bundle file is read first, and its directories only when
    /// the file alone does not reach a root (on most systems they hold the same roots).
    pub deferred_dirs: Vec<PathBuf>,
    /// What went wrong while reading (a missing file, an unreadable directory).
    pub problems: Vec<String>,
}

impl SystemOrigin {
    /// True when an environment variable chose what was read.
    pub fn from_env(&self) -> bool {
        !self.env.is_empty()
    }
}

/// Where this machine keeps its roots: what the environment says, and the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemLocations {
    /// `SSL_CERT_FILE`, when set.
    pub env_file: Option<PathBuf>,
    /// `SSL_CERT_DIR`, when set (a list, like PATH).
    pub env_dirs: Option<Vec<PathBuf>>,
    /// The distribution's bundle file, as OpenSSL and Go look for it.
    pub default_file: Option<PathBuf>,
    /// The distribution's certificate directories.
    pub default_dirs: Vec<PathBuf>,
}

/// Bundle files in the order OpenSSL builds, Go and openssl-probe look for them.
#[cfg(unix)]
const BUNDLE_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine, Arch
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL, CentOS, Fedora
    "/etc/pki/tls/certs/ca-bundle.crt",   // older Fedora, RHEL 6
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/pki/tls/cacert.pem",            // OpenELEC
    "/etc/ssl/cert.pem",                  // Alpine, macOS, OpenBSD
    "/usr/local/etc/ssl/cert.pem",        // FreeBSD
];

impl SystemLocations {
    /// Reads `SSL_CERT_FILE` / `SSL_CERT_DIR` and finds the distribution's defaults.
    pub fn from_environment() -> SystemLocations {
        let env_file = std::env::var_os("SSL_CERT_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let env_dirs = std::env::var_os("SSL_CERT_DIR")
            .filter(|v| !v.is_empty())
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            });
        #[cfg(unix)]
        let default_file = BUNDLE_FILES.iter().map(PathBuf::from).find(|p| p.exists());
        #[cfg(not(unix))]
        let default_file = None;
        SystemLocations {
            env_file,
            env_dirs,
            default_file,
            default_dirs: openssl_probe::candidate_cert_dirs()
                .map(Path::to_path_buf)
                .collect(),
        }
    }

    /// True when the environment, not the defaults, decides what the system store is.
    pub fn overridden(&self) -> bool {
        self.env_file.is_some() || self.env_dirs.is_some()
    }
}

/// A set of trust anchors with what is known about each.
#[derive(Clone, Debug)]
pub struct TrustStore {
    pub source: StoreSource,
    anchors: Vec<TrustAnchor<'static>>,
    /// Each anchor's certificate, when it was read from one (not for the bundled list).
    certs: Vec<Option<CertificateDer<'static>>>,
    /// Anchor certificates already parsed by [`TrustStore::anchor_chain`], by index.
    parsed: AnchorCache,
    /// Anchors already described by [`TrustStore::describe`], by index.
    described: Arc<Mutex<HashMap<usize, AnchorInfo>>>,
}

/// Parsed anchors, shared by the clones of a store; at most one entry per anchor.
type AnchorCache = Arc<Mutex<HashMap<usize, Arc<crate::chain::Chain>>>>;

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

    /// This machine's store: what `SSL_CERT_FILE` / `SSL_CERT_DIR` name, else the defaults.
    /// With `Depth::BundleFirst` the directories are left for later when a bundle file exists.
    /// Problems (a missing file, a bad certificate) are recorded, never fatal.
    pub fn system(locations: &SystemLocations, depth: Depth) -> TrustStore {
        if !locations.overridden() {
            return TrustStore::default_system(locations, depth);
        }
        let mut origin = SystemOrigin::default();
        if let Some(file) = &locations.env_file {
            origin.env.push(format!("SSL_CERT_FILE={}", file.display()));
            origin.file = Some(file.clone());
        }
        if let Some(dirs) = &locations.env_dirs {
            let joined: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            origin
                .env
                .push(format!("SSL_CERT_DIR={}", joined.join(":")));
            origin.dirs = dirs.clone();
        }
        TrustStore::load_system(origin, depth)
    }

    /// This machine's store as the distribution set it up, ignoring the environment.
    pub fn default_system(locations: &SystemLocations, depth: Depth) -> TrustStore {
        #[cfg(any(target_os = "macos", windows))]
        {
            let _ = (locations, depth);
            let loaded = rustls_native_certs::load_native_certs();
            let mut store = TrustStore::empty_system(SystemOrigin {
                platform: true,
                problems: loaded.errors.iter().map(|e| e.to_string()).collect(),
                ..SystemOrigin::default()
            });
            store.add_all(loaded.certs);
            store
        }
        #[cfg(not(any(target_os = "macos", windows)))]
        {
            let origin = SystemOrigin {
                file: locations.default_file.clone(),
                dirs: locations.default_dirs.clone(),
                ..SystemOrigin::default()
            };
            TrustStore::load_system(origin, depth)
        }
    }

    fn empty_system(origin: SystemOrigin) -> TrustStore {
        TrustStore {
            source: StoreSource::System(origin),
            anchors: Vec::new(),
            certs: Vec::new(),
            parsed: AnchorCache::default(),
            described: Default::default(),
        }
    }

    fn load_system(mut origin: SystemOrigin, depth: Depth) -> TrustStore {
        let mut certs = Vec::new();
        if let Some(file) = &origin.file {
            match bundle::read_certificates(file) {
                Ok(found) => certs.extend(found),
                Err(e) => origin.problems.push(e.to_string()),
            }
        }
        if depth == Depth::BundleFirst && !certs.is_empty() {
            origin.deferred_dirs = std::mem::take(&mut origin.dirs);
        }
        let bundle_file: Vec<&Path> = origin.file.iter().map(PathBuf::as_path).collect();
        for dir in &origin.dirs {
            match bundle::read_certificate_dir(dir, &bundle_file) {
                Ok((found, problems)) => {
                    certs.extend(found);
                    origin.problems.extend(problems);
                }
                Err(e) => origin.problems.push(e.to_string()),
            }
        }
        if origin.file.is_none() && origin.dirs.is_empty() {
            origin
                .problems
                .push("no certificate bundle or directory was found".into());
        }
        certs.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        certs.dedup();
        let mut store = TrustStore::empty_system(origin);
        store.add_all(certs);
        store
    }

    /// Adds certificates that can be anchors; records the rest as problems.
    fn add_all(&mut self, certs: Vec<CertificateDer<'static>>) {
        for der in certs {
            if let Err(e) = self.add(der) {
                if let StoreSource::System(origin) = &mut self.source {
                    origin
                        .problems
                        .push(format!("a certificate was skipped: {e:?}"));
                }
            }
        }
    }

    fn add(&mut self, der: CertificateDer<'static>) -> Result<(), webpki::Error> {
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
            StoreSource::Files { paths, label } => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                match *label {
                    "" => names.join(", "),
                    label => format!("{label} {}", names.join(", ")),
                }
            }
        }
    }

    /// `mozilla`, `system` or `file`: what kind of store this is.
    pub fn kind(&self) -> &'static str {
        match self.source {
            StoreSource::Mozilla => "mozilla",
            StoreSource::System(_) => "system",
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

/// The stores a run judges chains against, loaded when first needed.
#[derive(Debug)]
pub struct StoreSet {
    slots: Vec<Slot>,
    locations: SystemLocations,
    /// The list that says which roots are public (Mozilla's, unless replaced).
    public: Arc<TrustStore>,
    system: OnceLock<Arc<TrustStore>>,
    full_system: OnceLock<Arc<TrustStore>>,
    default_system: OnceLock<Arc<TrustStore>>,
    loaded: OnceLock<Vec<Arc<TrustStore>>>,
}

/// How much of the system store to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The bundle file only, when there is one; its directories wait until they are needed.
    BundleFirst,
    /// The bundle file and every directory.
    Full,
}

#[derive(Debug)]
enum Slot {
    Ready(Arc<TrustStore>),
    Mozilla,
    System,
}

impl StoreSet {
    /// The stores named by `--trust` (in order) plus one store of all `--ca-file` roots. With
    /// neither, Mozilla's list and the system store. Files are read now, so a bad path is an
    /// error before any connection; the system store is read on first use.
    pub fn new(
        specs: &[StoreSpec],
        ca_files: &[PathBuf],
        locations: SystemLocations,
    ) -> Result<StoreSet, Error> {
        let mut slots = Vec::new();
        for spec in specs {
            slots.push(match spec {
                StoreSpec::Mozilla => Slot::Mozilla,
                StoreSpec::System => Slot::System,
                StoreSpec::Path(path) => Slot::Ready(Arc::new(TrustStore::from_paths(
                    std::slice::from_ref(path),
                    "",
                )?)),
            });
        }
        if !ca_files.is_empty() {
            slots.push(Slot::Ready(Arc::new(TrustStore::from_paths(
                ca_files, "ca-file",
            )?)));
        }
        if slots.is_empty() {
            slots = vec![Slot::Mozilla, Slot::System];
        }
        Ok(StoreSet {
            slots,
            locations,
            public: Arc::new(TrustStore::mozilla()),
            system: OnceLock::new(),
            full_system: OnceLock::new(),
            default_system: OnceLock::new(),
            loaded: OnceLock::new(),
        })
    }

    /// Replaces the list that defines public roots (and backs `mozilla`), e.g. with a test PKI.
    pub fn with_public_list(mut self, public: TrustStore) -> StoreSet {
        self.public = Arc::new(TrustStore {
            source: StoreSource::Mozilla,
            ..public
        });
        self
    }

    /// True when the user named roots of their own (`--ca-file`, `--trust FILE`): the clients
    /// are then judged as if those roots were installed in each client's store.
    pub fn user_given(&self) -> bool {
        self.slots.iter().any(|slot| matches!(slot, Slot::Ready(_)))
    }

    /// Every store, in order, loading the system store (its bundle file first) if it is one.
    pub fn stores(&self) -> &[Arc<TrustStore>] {
        self.loaded.get_or_init(|| {
            self.slots
                .iter()
                .map(|slot| match slot {
                    Slot::Ready(store) => store.clone(),
                    Slot::Mozilla => self.public.clone(),
                    Slot::System => self.system().clone(),
                })
                .collect()
        })
    }

    /// This machine's store (following the environment), its bundle file read first.
    pub fn system(&self) -> &Arc<TrustStore> {
        self.system
            .get_or_init(|| Arc::new(TrustStore::system(&self.locations, Depth::BundleFirst)))
    }

    /// The system store with its directories read too, when [`StoreSet::system`] left some.
    pub fn full_system(&self) -> Option<&Arc<TrustStore>> {
        let quick = self.system();
        if quick
            .system_origin()
            .is_none_or(|o| o.deferred_dirs.is_empty())
        {
            return None;
        }
        Some(
            self.full_system
                .get_or_init(|| Arc::new(TrustStore::system(&self.locations, Depth::Full))),
        )
    }

    /// This machine's store as the distribution set it up, ignoring the environment, read in
    /// full. When the environment names exactly the default paths, that is the same store.
    pub fn default_system(&self) -> &Arc<TrustStore> {
        if self.env_is_default() {
            return self.full_system().unwrap_or_else(|| self.system());
        }
        self.default_system
            .get_or_init(|| Arc::new(TrustStore::default_system(&self.locations, Depth::Full)))
    }

    /// Reads now every store a judgement may consult: the set itself and, when the system
    /// store is one of them, its directories and the distribution's own store. A run of many
    /// targets calls it once, off the async threads, so that judging then reads no file.
    pub fn read_all(&self) {
        self.stores();
        if self.slots.iter().any(|slot| matches!(slot, Slot::System)) {
            self.full_system();
            self.default_system();
        }
    }

    /// True when every store a judgement may consult has been read (see
    /// [`StoreSet::read_all`]): judging then reads no file and waits for no other thread.
    pub fn all_read(&self) -> bool {
        if self.loaded.get().is_none() {
            return false;
        }
        if !self.slots.iter().any(|slot| matches!(slot, Slot::System)) {
            return true;
        }
        let Some(system) = self.system.get() else {
            return false;
        };
        let deferred = system
            .system_origin()
            .is_some_and(|o| !o.deferred_dirs.is_empty());
        (!deferred || self.full_system.get().is_some())
            && (self.env_is_default() || self.default_system.get().is_some())
    }

    /// The environment names exactly the distribution's paths (or none), so the system store
    /// and the distribution's own are the same.
    fn env_is_default(&self) -> bool {
        let l = &self.locations;
        l.env_file
            .as_ref()
            .is_none_or(|f| Some(f) == l.default_file.as_ref())
            && l.env_dirs.as_ref().is_none_or(|d| *d == l.default_dirs)
    }

    /// The list that says which roots are public.
    pub fn public(&self) -> &TrustStore {
        &self.public
    }

    /// The store names without loading anything, for reports made before a chain is seen.
    pub fn names(&self) -> Vec<String> {
        self.slots
            .iter()
            .map(|slot| match slot {
                Slot::Ready(store) => store.name(),
                Slot::Mozilla => "mozilla".to_string(),
                Slot::System => "system".to_string(),
            })
            .collect()
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

    #[test]
    fn store_specs_parse() {
        assert_eq!("mozilla".parse::<StoreSpec>(), Ok(StoreSpec::Mozilla));
        assert_eq!("system".parse::<StoreSpec>(), Ok(StoreSpec::System));
        assert_eq!(
            "ca.pem".parse::<StoreSpec>(),
            Ok(StoreSpec::Path("ca.pem".into()))
        );
    }

    #[test]
    fn a_missing_env_file_is_a_recorded_problem_not_a_failure() {
        let locations = SystemLocations {
            env_file: Some(PathBuf::from("/nonexistent/tlsdoctor/bundle.pem")),
            ..SystemLocations::default()
        };
        let store = TrustStore::system(&locations, Depth::Full);
        let origin = store.system_origin().unwrap();
        assert!(store.is_empty());
        assert!(origin.from_env());
        assert!(!origin.problems.is_empty());
    }
}
