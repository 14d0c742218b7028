//! This machine's trust setup: the half of "unknown authority" that lives on the client.
//!
//! `tlsdoctor trust` reads where this machine keeps its roots (the distribution's anchor
//! directories and compiled bundle, the environment variables that override them, the stores
//! of clients that bring their own) and, for one root, which client stacks trust it and why
//! the others do not. Every path can be re-rooted (`--root-dir`), to inspect an unpacked
//! container image or a mounted volume.

pub mod clients;
pub mod env;
mod findings;
mod inspect;
pub mod layout;
mod picture;
pub mod programs;
pub mod registry;
pub mod resolve;
pub mod subprocess;

pub use inspect::inspect;
pub use picture::{
    AnchorReport, Cert, CertSet, MachineReport, Picture, Request, RootReport, StoreReport,
};
use resolve::ResolveError;
use rustls::pki_types::CertificateDer;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The filesystem and environment being inspected.
#[derive(Clone, Debug)]
pub struct Machine {
    /// `None` for this machine; `Some(dir)` to treat `dir` as `/`.
    root: Option<PathBuf>,
    env: BTreeMap<String, String>,
    /// How long each client program asked (`keytool`, `python3`) may take.
    program_time: std::time::Duration,
}

impl Machine {
    /// This machine, with this process's environment.
    pub fn real() -> Machine {
        Machine {
            root: None,
            env: std::env::vars().collect(),
            program_time: subprocess::TIME_LIMIT,
        }
    }

    /// The filesystem under `dir`, seen as `/`, with the given environment.
    pub fn rooted(dir: PathBuf, env: BTreeMap<String, String>) -> Machine {
        Machine {
            root: Some(dir),
            env,
            program_time: subprocess::TIME_LIMIT,
        }
    }

    /// Gives each client program run at most `limit` (`trust --timeout`).
    pub fn with_program_time(mut self, limit: std::time::Duration) -> Machine {
        self.program_time = limit;
        self
    }

    /// The bounds of one client program run.
    pub fn program_limits(&self) -> subprocess::Limits {
        subprocess::Limits {
            time: self.program_time,
            ..subprocess::Limits::default()
        }
    }

    pub fn is_real(&self) -> bool {
        self.root.is_none()
    }

    /// An environment variable, if set.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// Where a path of the inspected machine is on this one. For this machine, the path itself,
    /// left to the OS as before; under `--root-dir`, resolved inside the root with every
    /// symbolic link followed there ([`resolve::resolve_in_root`]), so that what is read next is
    /// the image's file and never this machine's.
    pub fn resolve(&self, path: impl AsRef<Path>) -> Result<PathBuf, ResolveError> {
        match &self.root {
            None => Ok(path.as_ref().to_path_buf()),
            Some(root) => resolve::resolve_in_root(root, path.as_ref()),
        }
    }

    /// True when a file exists at this path of the inspected machine (links followed inside it).
    pub fn is_file(&self, path: impl AsRef<Path>) -> bool {
        self.resolve(path).is_ok_and(|p| p.is_file())
    }

    /// True when a directory exists at this path of the inspected machine.
    pub fn is_dir(&self, path: impl AsRef<Path>) -> bool {
        self.resolve(path).is_ok_and(|p| p.is_dir())
    }

    /// True when anything exists at this path of the inspected machine.
    pub fn exists(&self, path: impl AsRef<Path>) -> bool {
        self.resolve(path).is_ok_and(|p| p.exists())
    }

    /// A small text file of the inspected machine (os-release, hosts.toml), read with the same
    /// bounds as any input; `None` when it cannot be read.
    pub fn read_text(&self, path: &str) -> Option<String> {
        let real = self.resolve(path).ok()?;
        let bytes = crate::input::read(&real).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The names in a directory of the inspected machine, sorted; empty when it cannot be
    /// listed. Names only: each is resolved again before anything reads it.
    pub fn entry_names(&self, dir: &str) -> Vec<String> {
        let Ok(real) = self.resolve(dir) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(real) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every certificate in a file of the inspected machine; `Err` says why none could be read.
    pub fn read_certs(&self, path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
        let real = self.resolve(path).map_err(|e| e.to_string())?;
        crate::bundle::read_certificates(&real).map_err(|e| self.strip(e.to_string()))
    }

    /// The certificates in the files of a directory (all, or only OpenSSL's hashed names),
    /// each file once.
    pub fn read_dir_certs(&self, dir: &str, hashed_only: bool) -> Vec<CertificateDer<'static>> {
        let mut certs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for file in self.files(dir, false) {
            if hashed_only && !is_hash_name(&file) {
                continue;
            }
            let Ok(real) = self.resolve(&file) else {
                continue;
            };
            if seen.insert(real.clone()) {
                certs.extend(crate::bundle::read_certificates(&real).unwrap_or_default());
            }
        }
        certs
    }

    /// The files in a directory of the inspected machine (and its subdirectories, if asked),
    /// as paths of that machine, sorted. Entries that are links are resolved like any path.
    pub fn files(&self, dir: &str, recursive: bool) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_files(dir, recursive, &mut Default::default(), &mut out);
        out
    }

    /// [`Machine::files`], remembering the directories already listed: under `--root-dir` a
    /// resolved path holds no links, so a directory link pointing back up is listed once, not
    /// followed round.
    fn collect_files(
        &self,
        dir: &str,
        recursive: bool,
        listed: &mut std::collections::HashSet<PathBuf>,
        out: &mut Vec<String>,
    ) {
        if !self.is_real() && self.resolve(dir).is_ok_and(|real| !listed.insert(real)) {
            return;
        }
        for name in self.entry_names(dir) {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            let Ok(real) = self.resolve(&path) else {
                continue;
            };
            if real.is_dir() && recursive {
                self.collect_files(&path, true, listed, out);
            } else if real.is_file() {
                out.push(path);
            }
        }
    }

    /// A message about a real path, shown as the inspected machine's path.
    fn strip(&self, text: String) -> String {
        match &self.root {
            Some(root) => text.replace(&root.display().to_string(), ""),
            None => text,
        }
    }

    /// A container: the marker files Docker and Podman leave, or the cgroup of PID 1.
    fn in_container(&self) -> bool {
        if self.exists("/.dockerenv") || self.exists("/run/.containerenv") {
            return true;
        }
        self.is_real()
            && std::fs::read_to_string("/proc/1/cgroup").is_ok_and(|c| {
                ["docker", "kubepods", "containerd", "libpod"]
                    .iter()
                    .any(|w| c.contains(w))
            })
    }
}

/// OpenSSL's hashed names: eight hex digits, a dot, a number (`a1b2c3d4.0`).
fn is_hash_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split_once('.').is_some_and(|(hash, n)| {
        hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}
