//! This machine's trust setup: the half of "unknown authority" that lives on the client.
//!
//! `tlsdoctor trust` reads where this machine keeps its roots (the distribution's anchor
//! directories and compiled bundle, the environment variables that override them, the stores
//! of clients that bring their own) and, for one root, which client stacks trust it and why
//! the others do not. Every path can be re-rooted (`--root-dir`), to inspect an unpacked
//! container image or a mounted volume.

pub mod clients;
pub mod env;
pub mod layout;
pub mod programs;
pub mod registry;
pub mod resolve;
pub mod subprocess;

use crate::causes::Cause;
use crate::chain::{CertFacts, Chain};
use crate::checks::Finding;
use crate::report::FindingReport;
use layout::{Family, Layout};
use resolve::ResolveError;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// A bundle with fewer roots than this is a minimal or stub store, not a distribution's.
const MINIMAL_STORE: usize = 10;

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

/// A certificate as the trust picture identifies it.
#[derive(Clone, Debug)]
pub struct Cert {
    pub der: CertificateDer<'static>,
    pub sha256: String,
    pub facts: Option<CertFacts>,
}

impl Cert {
    pub fn new(der: CertificateDer<'static>) -> Cert {
        let chain = Chain::from_der(vec![der.clone()]);
        let (sha256, facts) = chain
            .certs
            .into_iter()
            .next()
            .map(|c| (c.sha256, c.facts.ok()))
            .unwrap_or_default();
        Cert { der, sha256, facts }
    }

    pub fn subject(&self) -> String {
        self.facts
            .as_ref()
            .map_or_else(|| "(unparseable)".to_string(), |f| f.subject.clone())
    }

    /// Root (self-signed CA), intermediate (CA issued by another), or leaf.
    pub fn kind(&self) -> &'static str {
        match &self.facts {
            None => "unparseable",
            Some(f) if f.is_ca() && f.self_signed => "root",
            Some(f) if f.is_ca() => "intermediate",
            Some(f) if f.self_signed => "self-signed leaf",
            Some(_) => "leaf",
        }
    }

    /// The same certificate, or the same name and key (a root re-issued with new dates).
    pub fn same_as(&self, other: &Cert) -> bool {
        self.sha256 == other.sha256
            || matches!((&self.facts, &other.facts), (Some(a), Some(b))
                if a.subject_der == b.subject_der && a.spki_der == b.spki_der)
    }

    /// True when `child` names this certificate as its issuer.
    fn issued(&self, child: &Cert) -> bool {
        matches!((&self.facts, &child.facts), (Some(a), Some(b))
            if b.issuer_der == a.subject_der && !b.self_issued)
    }

    fn expired(&self, now: OffsetDateTime) -> bool {
        self.facts.as_ref().is_some_and(|f| f.not_after < now)
    }
}

/// Certificates read from one place.
#[derive(Clone, Debug, Default)]
pub struct CertSet(pub Vec<Cert>);

impl CertSet {
    pub fn of(ders: Vec<CertificateDer<'static>>) -> CertSet {
        CertSet(ders.into_iter().map(Cert::new).collect())
    }

    pub fn holds(&self, cert: &Cert) -> bool {
        self.0.iter().any(|c| c.same_as(cert))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What to look at besides the picture.
#[derive(Clone, Debug)]
pub struct Request {
    /// The root to check, when one was given (or taken from a server).
    pub root: Option<CertificateDer<'static>>,
    /// Where the root came from, for the report (`ca.pem`, `the chain of host:443`).
    pub root_source: Option<String>,
    /// Registries to check the container runtimes' CA configuration for.
    pub registries: Vec<String>,
    pub now: OffsetDateTime,
}

/// The machine's trust picture, and what it means for one root.
#[derive(Debug, Serialize)]
pub struct Picture {
    pub schema_version: u32,
    pub machine: MachineReport,
    pub stores: Vec<StoreReport>,
    pub anchors: Vec<AnchorReport>,
    pub environment: Vec<env::EnvReport>,
    pub root: Option<RootReport>,
    pub clients: Vec<clients::ClientReport>,
    /// Whether each bundled root program includes the root, and its constraints on it.
    pub root_programs: Vec<programs::ProgramReport>,
    pub registries: Vec<registry::RegistryReport>,
    pub findings: Vec<FindingReport>,
    pub verdict: crate::diagnosis::Verdict,
}

#[derive(Debug, Serialize)]
pub struct MachineReport {
    /// The directory treated as `/` (`--root-dir`), or null for this machine.
    pub root_dir: Option<String>,
    pub family: Family,
    pub name: Option<String>,
    pub container: bool,
    pub update_command: Option<&'static str>,
}

/// A compiled bundle or hashed directory.
#[derive(Debug, Serialize)]
pub struct StoreReport {
    /// `bundle` or `directory`.
    pub kind: &'static str,
    pub path: String,
    pub exists: bool,
    /// How many certificates it holds, when it exists.
    pub roots: Option<usize>,
    /// Why it could not be read.
    pub problem: Option<String>,
}

/// A certificate installed in an anchor directory.
#[derive(Debug, Serialize)]
pub struct AnchorReport {
    pub path: String,
    pub subject: String,
    pub sha256: String,
    /// `root`, `intermediate`, `leaf`, `self-signed leaf` or `unparseable`.
    pub kind: &'static str,
    /// Present in the compiled bundle.
    pub compiled: bool,
    /// Picked up by the distribution's update command (Debian reads only `.crt` files).
    pub picked_up: bool,
    pub expired: bool,
}

#[derive(Debug, Serialize)]
pub struct RootReport {
    pub source: String,
    pub subject: String,
    pub sha256: String,
    pub kind: &'static str,
    pub not_after: Option<String>,
}

/// Everything `tlsdoctor trust` reports.
pub fn inspect(machine: &Machine, request: &Request) -> Picture {
    let layout = Layout::detect(machine);
    let container = machine.in_container() || !machine.is_real();
    let mut findings = Vec::new();

    // The compiled bundles, and what they hold together.
    let mut stores = Vec::new();
    let mut compiled = CertSet::default();
    for path in &layout.bundles {
        let exists = machine.is_file(path);
        let (roots, problem) = match exists.then(|| machine.read_certs(path)) {
            Some(Ok(certs)) => {
                let n = certs.len();
                compiled.0.extend(CertSet::of(certs).0);
                (Some(n), None)
            }
            Some(Err(e)) => (None, Some(e)),
            // Absent is not a problem; a link loop or an unreadable directory is.
            None => (None, unresolvable(machine, path)),
        };
        stores.push(StoreReport {
            kind: "bundle",
            path: path.clone(),
            exists,
            roots,
            problem,
        });
    }
    if let Some(dir) = &layout.hashed_dir {
        let exists = machine.is_dir(dir);
        let links = machine
            .files(dir, false)
            .iter()
            .filter(|f| is_hash_name(f))
            .count();
        stores.push(StoreReport {
            kind: "directory",
            path: dir.clone(),
            exists,
            roots: exists.then_some(links),
            problem: unresolvable(machine, dir),
        });
    }

    // What is installed as an anchor, and whether it made it into the bundle.
    let mut anchors = Vec::new();
    let mut installed = Vec::new();
    for dir in &layout.anchor_dirs {
        for file in machine.files(dir, true) {
            let certs = machine.read_certs(&file).unwrap_or_default();
            let picked_up = layout
                .required_extension
                .is_none_or(|ext| file.ends_with(ext));
            for cert in CertSet::of(certs).0 {
                let report = AnchorReport {
                    path: file.clone(),
                    subject: cert.subject(),
                    sha256: cert.sha256.clone(),
                    kind: cert.kind(),
                    compiled: compiled.holds(&cert),
                    picked_up,
                    expired: cert.expired(request.now),
                };
                findings.extend(anchor_findings(&report, &layout));
                anchors.push(report);
                installed.push((file.clone(), cert));
            }
        }
    }

    let environment = env::read(machine, &mut findings);

    let main_bundle = layout.main_bundle(machine);
    let main_count = stores
        .iter()
        .find(|s| Some(&s.path) == main_bundle.as_ref())
        .and_then(|s| s.roots)
        .unwrap_or(0);
    let package = layout.package.unwrap_or("ca-certificates");
    match &main_bundle {
        Some(path) if main_count > 0 && main_count < MINIMAL_STORE => {
            findings.push(Finding::new(
                Cause::StoreMinimal,
                format!(
                    "{path} holds only {main_count} certificate(s), where a distribution's holds over a \
                     hundred: public sites fail; restore it (`{}`) and add your roots as anchors",
                    restore(layout.family, package)
                ),
            ));
        }
        _ if container && main_count == 0 => {
            let what = match &main_bundle {
                Some(path) => format!("there is no CA bundle at {path}"),
                None => "there is no CA bundle".to_string(),
            };
            findings.push(Finding::new(
                Cause::ContainerStoreMissing,
                format!("{what}: install the {package} package in the image"),
            ));
        }
        _ => {}
    }

    let root = request.root.clone().map(Cert::new);
    let root_report = root.as_ref().map(|r| RootReport {
        source: request.root_source.clone().unwrap_or_default(),
        subject: r.subject(),
        sha256: r.sha256.clone(),
        kind: r.kind(),
        not_after: r
            .facts
            .as_ref()
            .map(|f| crate::report::rfc3339(f.not_after)),
    });
    let mut client_reports = Vec::new();
    if let Some(root) = &root {
        findings.extend(root_findings(
            root,
            request.now,
            &compiled,
            &installed,
            &layout,
        ));
        let found = clients::evaluate(machine, &layout, root, &compiled);
        findings.extend(found.findings);
        client_reports = found.reports;
    }
    let registries = registry::check(
        machine,
        &request.registries,
        root.as_ref(),
        &compiled,
        &mut findings,
    );

    findings.sort_by_key(|f| f.cause.severity());
    let verdict = crate::diagnosis::Verdict::of(&findings);
    let findings: Vec<FindingReport> = findings.iter().map(FindingReport::plain).collect();
    Picture {
        schema_version: crate::report::SCHEMA_VERSION,
        machine: MachineReport {
            root_dir: machine.root.as_ref().map(|r| r.display().to_string()),
            family: layout.family,
            name: layout.name.clone(),
            container,
            update_command: layout.update_command,
        },
        stores,
        anchors,
        environment,
        root: root_report,
        clients: client_reports,
        root_programs: request
            .root
            .as_ref()
            .map(programs::judge)
            .unwrap_or_default(),
        registries,
        findings,
        verdict,
    }
}

/// Why a path cannot even be looked up (a link loop, a directory that cannot be read), as
/// opposed to simply not existing.
fn unresolvable(machine: &Machine, path: &str) -> Option<String> {
    machine
        .resolve(path)
        .err()
        .filter(|e| !e.is_not_found())
        .map(|e| e.to_string())
}

/// The command that puts the distribution's bundle back.
fn restore(family: Family, package: &str) -> String {
    match family {
        Family::Debian => format!(
            "sudo apt-get install --reinstall {package} && sudo update-ca-certificates --fresh"
        ),
        Family::Rhel => format!("sudo dnf reinstall {package} && sudo update-ca-trust extract"),
        Family::Alpine => format!("apk fix {package} && update-ca-certificates"),
        _ => format!("reinstall {package}"),
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

/// What is wrong with one installed anchor, whatever root is being asked about.
fn anchor_findings(anchor: &AnchorReport, layout: &Layout) -> Vec<Finding> {
    let mut out = Vec::new();
    let update = layout.update();
    if !anchor.picked_up {
        let ext = layout.required_extension.unwrap_or(".crt");
        let stem = anchor
            .path
            .rsplit_once('.')
            .map_or(anchor.path.as_str(), |(stem, _)| stem);
        out.push(Finding::new(
            Cause::AnchorWrongExtension,
            format!(
                "{} ({}) is ignored: {} only reads files ending in {ext}; rename it: `sudo mv {} {stem}{ext} && {update}`",
                anchor.path,
                anchor.subject,
                layout.update_command.unwrap_or("the update command"),
                anchor.path
            ),
        ));
    } else if !anchor.compiled && anchor.kind == "root" {
        out.push(Finding::new(
            Cause::AnchorNotCompiled,
            format!(
                "{} ({}) is installed but not in the compiled bundle: run `{update}`",
                anchor.path, anchor.subject
            ),
        ));
    }
    if matches!(anchor.kind, "leaf" | "self-signed leaf" | "intermediate") {
        out.push(Finding::new(
            Cause::AnchorIsLeaf,
            format!(
                "{} holds {}, a {}: clients look for the root CA at the top of the chain, so \
                 install the root that issued it instead",
                anchor.path, anchor.subject, anchor.kind
            ),
        ));
    }
    if anchor.expired {
        out.push(Finding::new(
            Cause::AnchorExpired,
            format!(
                "{} ({}) has expired: replace it with the CA's current root",
                anchor.path, anchor.subject
            ),
        ));
    }
    out
}

/// Whether the system store holds `root`, and if not, why not.
fn root_findings(
    root: &Cert,
    now: OffsetDateTime,
    compiled: &CertSet,
    installed: &[(String, Cert)],
    layout: &Layout,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let subject = root.subject();
    if root.kind() != "root" {
        out.push(Finding::new(
            Cause::AnchorIsLeaf,
            format!(
                "the certificate given, {subject}, is a {}, not a root CA: trust the root at the top of its chain instead",
                root.kind()
            ),
        ));
    }
    if root.expired(now) {
        out.push(Finding::new(
            Cause::AnchorExpired,
            format!("the root {subject} has expired: no client accepts chains that end at it"),
        ));
    }
    if compiled.holds(root) || layout.family == Family::Macos || layout.family == Family::Windows {
        return out;
    }
    let as_installed = installed.iter().any(|(_, c)| c.same_as(root));
    let below = installed
        .iter()
        .find(|(_, c)| root.issued(c))
        .map(|(path, c)| (path, c.subject()));
    if !as_installed {
        let mut detail =
            format!("{subject} is neither in the compiled bundle nor among the installed anchors");
        if let Some((path, child)) = below {
            detail.push_str(&format!(
                "; {path} holds {child}, which it issued: install the root itself"
            ));
        }
        let dir = layout
            .anchor_dirs
            .first()
            .cloned()
            .unwrap_or_else(|| "the anchors directory".into());
        let ext = layout.required_extension.unwrap_or(".crt");
        if layout.update_command.is_some() {
            detail.push_str(&format!(
                "; install it: `sudo cp root.pem {dir}/NAME{ext} && {}`",
                layout.update()
            ));
        }
        out.push(Finding::new(Cause::AnchorMissing, detail));
    }
    out
}
