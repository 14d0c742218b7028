//! `inspect`: reads the stores, anchors and environment of the machine into the [`Picture`],
//! collecting the findings on the way. Separate from [`super::Machine`], which only reads
//! files, and from the report types it fills in.

use super::findings::{anchor_findings, root_findings};
use super::layout::{Family, Layout};
use super::picture::{
    AnchorReport, Cert, CertSet, MachineReport, Picture, Request, RootReport, StoreReport,
};
use super::{Machine, clients, env, is_hash_name, programs, registry};
use crate::causes::Cause;
use crate::checks::Finding;
use crate::report::FindingReport;

/// A bundle with fewer roots than this is a minimal or stub store, not a distribution's.
const MINIMAL_STORE: usize = 10;

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
