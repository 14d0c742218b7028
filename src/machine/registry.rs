//! Container registries with a private CA: Docker, containerd and Podman each look for the
//! registry's CA in their own `certs.d` directory, not (only) in the system store.

use super::{Cert, CertSet, Machine};
use crate::causes::Cause;
use crate::checks::Finding;
use serde::Serialize;

/// What the container runtimes would trust for one registry.
#[derive(Debug, Serialize)]
pub struct RegistryReport {
    pub registry: String,
    /// The CA files found for it, as paths of the inspected machine.
    pub ca_files: Vec<String>,
    /// Whether those files (or the system store) hold the root; null without a root to check.
    pub trusted: Option<bool>,
}

/// Checks each registry's `certs.d` entries.
pub fn check(
    machine: &Machine,
    registries: &[String],
    root: Option<&Cert>,
    system: &CertSet,
    findings: &mut Vec<Finding>,
) -> Vec<RegistryReport> {
    registries
        .iter()
        .map(|registry| {
            let ca_files = ca_files(machine, registry);
            let mut held = CertSet::default();
            for file in &ca_files {
                held.0.extend(CertSet::of(machine.read_certs(file).unwrap_or_default()).0);
            }
            let trusted = root.map(|r| held.holds(r) || system.holds(r));
            let docker_dir = format!("/etc/docker/certs.d/{registry}");
            let fix = format!(
                "`sudo mkdir -p {docker_dir} && sudo cp root.pem {docker_dir}/ca.crt` (Docker reads \
                 it at each pull; containerd: `ca = \"/etc/containerd/certs.d/{registry}/ca.crt\"` \
                 in /etc/containerd/certs.d/{registry}/hosts.toml; Podman and CRI-O: \
                 /etc/containers/certs.d/{registry}/ca.crt)"
            );
            match (root, trusted) {
                (Some(root), Some(false)) => {
                    let found = if ca_files.is_empty() {
                        "there is no certs.d entry for it".to_string()
                    } else {
                        format!("its CA files ({}) hold another CA", ca_files.join(", "))
                    };
                    findings.push(Finding::new(
                        Cause::DockerRegistryCa,
                        format!(
                            "pulling from {registry} fails: {found}, and the system store lacks {}; {fix}",
                            root.subject()
                        ),
                    ));
                }
                (None, _) if ca_files.is_empty() => findings.push(Finding::new(
                    Cause::DockerRegistryCa,
                    format!(
                        "there is no certs.d entry for {registry}: unless its certificate comes from a \
                         CA in the system store, pulls fail with \"x509: certificate signed by unknown \
                         authority\"; {fix}"
                    ),
                )),
                _ => {}
            }
            RegistryReport {
                registry: registry.clone(),
                ca_files,
                trusted,
            }
        })
        .collect()
}

/// CA files for a registry: `*.crt` in Docker's and Podman's `certs.d/<registry>/`, and the
/// `ca` entries of containerd's `hosts.toml`.
fn ca_files(machine: &Machine, registry: &str) -> Vec<String> {
    let mut out = Vec::new();
    for base in ["/etc/docker/certs.d", "/etc/containers/certs.d"] {
        out.extend(
            machine
                .files(&format!("{base}/{registry}"), false)
                .into_iter()
                .filter(|f| f.ends_with(".crt")),
        );
    }
    let hosts = format!("/etc/containerd/certs.d/{registry}/hosts.toml");
    if let Some(text) = machine.read_text(&hosts) {
        for line in text.lines() {
            let Some(value) = line.trim().strip_prefix("ca").map(str::trim_start) else {
                continue;
            };
            let Some(value) = value.strip_prefix('=') else {
                continue;
            };
            for part in value.split(',') {
                let path = part
                    .trim()
                    .trim_matches(|c| c == '[' || c == ']' || c == '"' || c == '\'');
                if !path.is_empty() {
                    let path = if path.starts_with('/') {
                        path.to_string()
                    } else {
                        format!("/etc/containerd/certs.d/{registry}/{path}")
                    };
                    out.push(path);
                }
            }
        }
    }
    out
}
