//! This machine's store: where it is, what the environment says, and reading it.

use super::set::Depth;
use super::store::{AnchorCache, StoreSource, TrustStore};
use crate::bundle;
use rustls::pki_types::CertificateDer;
use std::path::{Path, PathBuf};

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

impl TrustStore {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
