//! Which client stacks trust a root: each reads its own store, in its own way.

use super::env::java_trust_store;
use super::layout::{GO_BUNDLES, GO_DIRS, Layout};
use super::subprocess;
use super::{Cert, CertSet, Machine};
use crate::causes::Cause;
use crate::checks::Finding;
use serde::Serialize;
use std::ffi::OsStr;
use std::path::Path;

/// One client stack's answer for the root.
#[derive(Debug, Serialize)]
pub struct ClientReport {
    /// `OpenSSL`, `Go`, `Python requests`, `Node.js`, `Java`.
    pub client: &'static str,
    /// The stores it reads, as paths of the inspected machine.
    pub reads: Vec<String>,
    /// Whether the root is among them; null when that could not be determined.
    pub trusted: Option<bool>,
    pub detail: String,
}

pub struct Evaluation {
    pub reports: Vec<ClientReport>,
    pub findings: Vec<Finding>,
}

/// Looks the root up in every client stack present on the machine.
pub fn evaluate(machine: &Machine, layout: &Layout, root: &Cert, compiled: &CertSet) -> Evaluation {
    let mut reports = Vec::new();
    let mut findings = Vec::new();
    // OpenSSL looks certificates up in a directory by hashed name; Go reads every file in it.
    let holds = |paths: &[String]| paths.iter().any(|p| store_at(machine, p, true).holds(root));
    let go_holds = |paths: &[String]| {
        paths
            .iter()
            .any(|p| store_at(machine, p, false).holds(root))
    };

    // OpenSSL: SSL_CERT_FILE / SSL_CERT_DIR, else the distribution's bundle and directory.
    let env_file = machine.var("SSL_CERT_FILE").filter(|v| !v.is_empty());
    let env_dirs: Option<Vec<String>> =
        machine
            .var("SSL_CERT_DIR")
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.split(':')
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            });
    let openssl_reads: Vec<String> = env_file
        .map(str::to_string)
        .or_else(|| layout.main_bundle(machine))
        .into_iter()
        .chain(
            env_dirs
                .clone()
                .unwrap_or_else(|| layout.hashed_dir.iter().cloned().collect()),
        )
        .collect();
    let openssl = holds(&openssl_reads);
    if (env_file.is_some() || env_dirs.is_some()) && !openssl && compiled.holds(root) {
        let set: Vec<String> = [
            ("SSL_CERT_FILE", env_file.map(str::to_string)),
            (
                "SSL_CERT_DIR",
                machine.var("SSL_CERT_DIR").map(str::to_string),
            ),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}={v}")))
        .collect();
        findings.push(Finding::new(
            Cause::EnvOverrideMissingRoot,
            format!(
                "the system bundle holds {}, but {} points OpenSSL-based clients and Go elsewhere, and that lacks it",
                root.subject(),
                set.join(" and ")
            ),
        ));
    }
    reports.push(report(
        "OpenSSL",
        openssl_reads,
        Some(openssl),
        "curl, Python ssl, Ruby, PHP, git, wget",
    ));

    // Go: SSL_CERT_FILE, else the first bundle of its list; SSL_CERT_DIR, else its directories.
    let go_file = env_file.map(str::to_string).or_else(|| {
        GO_BUNDLES
            .iter()
            .find(|b| machine.is_file(b))
            .map(|b| b.to_string())
    });
    let go_reads: Vec<String> = go_file
        .into_iter()
        .chain(env_dirs.unwrap_or_else(|| GO_DIRS.iter().map(|d| d.to_string()).collect()))
        .collect();
    let go = go_holds(&go_reads);
    reports.push(report("Go", go_reads, Some(go), "crypto/x509 on Linux"));

    // Python requests: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi's own bundle.
    let requests_env = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]
        .iter()
        .find_map(|name| {
            machine
                .var(name)
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v.to_string()))
        });
    let requests_bundle = match &requests_env {
        Some((_, bundle)) => Ok(Some(bundle.clone())),
        None => certifi_bundle(machine),
    };
    if let Err(why) = &requests_bundle {
        reports.push(report(
            "Python requests",
            vec!["certifi's cacert.pem, located by python3".to_string()],
            None,
            why,
        ));
    }
    if let Ok(Some(bundle)) = requests_bundle {
        let trusted = holds(std::slice::from_ref(&bundle));
        let how = match &requests_env {
            Some((name, _)) => format!("{name} chooses this bundle"),
            None => "certifi's own copy of Mozilla's list, not the system store".to_string(),
        };
        if !trusted {
            findings.push(Finding::new(
                Cause::ClientBundleSeparate,
                format!(
                    "Python requests reads {bundle} ({how}), which lacks {}: set \
                     REQUESTS_CA_BUNDLE={} for the service, or `pip install truststore` and call \
                     truststore.inject_into_ssl()",
                    root.subject(),
                    layout
                        .main_bundle(machine)
                        .unwrap_or_else(|| "/etc/ssl/certs/ca-certificates.crt".into())
                ),
            ));
        }
        reports.push(report("Python requests", vec![bundle], Some(trusted), &how));
    }

    // Node.js: its compiled-in copy of Mozilla's list, plus NODE_EXTRA_CA_CERTS.
    if program(machine, "node") {
        let extra = machine.var("NODE_EXTRA_CA_CERTS").filter(|v| !v.is_empty());
        let system = machine
            .var("NODE_OPTIONS")
            .is_some_and(|o| o.contains("--use-openssl-ca") || o.contains("--use-system-ca"));
        let bundled = root.facts.as_ref().is_some_and(|f| {
            crate::trust::TrustStore::mozilla()
                .find_certificate(&f.subject_der, &f.spki_der)
                .is_some()
        });
        let from_extra = extra.is_some_and(|e| holds(&[e.to_string()]));
        let trusted = bundled || from_extra || (system && openssl);
        let mut reads = vec!["its bundled copy of Mozilla's list".to_string()];
        reads.extend(extra.map(str::to_string));
        if system {
            reads.push("the system store (NODE_OPTIONS)".into());
        }
        if !trusted {
            findings.push(Finding::new(
                Cause::ClientBundleSeparate,
                format!(
                    "Node.js trusts its own bundled list{}, which lacks {}: start it with \
                     NODE_EXTRA_CA_CERTS=/path/root.pem (read once, at start), or with \
                     NODE_OPTIONS=--use-openssl-ca to use the system store",
                    extra.map(|e| format!(" and {e}")).unwrap_or_default(),
                    root.subject()
                ),
            ));
        }
        reports.push(report(
            "Node.js",
            reads,
            Some(trusted),
            "its own store, not the system's",
        ));
    }

    // Java: cacerts (or -Djavax.net.ssl.trustStore), listed with keytool.
    if let Some((store, password)) = java_store(machine) {
        let listed = java_certificates(machine, &store, password.as_deref());
        let (trusted, detail) = match &listed {
            Ok(certs) => (
                Some(certs.holds(root)),
                format!("{} certificates, listed with keytool", certs.len()),
            ),
            Err(why) => (None, why.clone()),
        };
        if trusted == Some(false) {
            let debian = store == "/etc/ssl/certs/java/cacerts";
            let hint = if debian {
                format!(
                    "on Debian and Ubuntu this file is rebuilt from the system store by `{}` \
                     (package ca-certificates-java), so install the root there first",
                    layout.update()
                )
            } else {
                format!(
                    "`keytool -importcert -keystore {store} -alias NAME -file root.pem` (password changeit unless changed), then restart the JVM"
                )
            };
            findings.push(Finding::new(
                Cause::ClientBundleSeparate,
                format!("Java reads {store}, which lacks {}: {hint}", root.subject()),
            ));
        }
        reports.push(report("Java", vec![store], trusted, &detail));
    }
    Evaluation { reports, findings }
}

fn report(
    client: &'static str,
    reads: Vec<String>,
    trusted: Option<bool>,
    detail: &str,
) -> ClientReport {
    ClientReport {
        client,
        reads,
        trusted,
        detail: detail.to_string(),
    }
}

/// The certificates at a path of the machine: a bundle file, or the files of a directory (only
/// those with OpenSSL's hashed names when `hashed_only`).
fn store_at(machine: &Machine, path: &str, hashed_only: bool) -> CertSet {
    if machine.is_dir(path) {
        CertSet::of(machine.read_dir_certs(path, hashed_only))
    } else {
        CertSet::of(machine.read_certs(path).unwrap_or_default())
    }
}

/// True when an executable of this name is installed: on PATH for this machine, in the usual
/// bin directories for a re-rooted one.
fn program(machine: &Machine, name: &str) -> bool {
    let dirs: Vec<String> = if machine.is_real() {
        machine
            .var("PATH")
            .unwrap_or("/usr/local/bin:/usr/bin:/bin")
            .split(':')
            .map(str::to_string)
            .collect()
    } else {
        ["/usr/local/bin", "/usr/bin", "/bin"]
            .iter()
            .map(|d| d.to_string())
            .collect()
    };
    dirs.iter().any(|d| machine.is_file(format!("{d}/{name}")))
}

/// certifi's cacert.pem in the usual site-packages directories, else where this machine's
/// python3 says it is; `Ok(None)` when certifi is not installed, `Err` when python3 gave no
/// answer within its bounds.
fn certifi_bundle(machine: &Machine) -> Result<Option<String>, String> {
    for base in ["/usr/lib", "/usr/local/lib", "/usr/lib64"] {
        let pythons: Vec<String> = machine
            .entry_names(base)
            .into_iter()
            .filter(|n| n.starts_with("python3"))
            .collect();
        for python in pythons.iter().rev() {
            for packages in ["dist-packages", "site-packages"] {
                let path = format!("{base}/{python}/{packages}/certifi/cacert.pem");
                if machine.is_file(&path) {
                    return Ok(Some(path));
                }
            }
        }
    }
    if !(machine.is_real() && program(machine, "python3")) {
        return Ok(None);
    }
    let output = subprocess::run(
        Path::new("python3"),
        ["-c", "import certifi; print(certifi.where())"],
        machine.program_limits(),
    )
    .map_err(|e| format!("could not determine certifi's bundle: python3 {e}"))?;
    // A failure here is `import certifi` failing: certifi is not installed.
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok((output.status.success() && !path.is_empty()).then_some(path))
}

/// Java's trust store: -Djavax.net.ssl.trustStore, else the distribution's or the JDK's cacerts.
fn java_store(machine: &Machine) -> Option<(String, Option<String>)> {
    if let Some(found) = java_trust_store(machine) {
        return Some(found);
    }
    let mut candidates = vec![
        "/etc/ssl/certs/java/cacerts".to_string(),
        "/etc/pki/ca-trust/extracted/java/cacerts".to_string(),
    ];
    if let Some(home) = machine.var("JAVA_HOME") {
        candidates.push(format!("{home}/lib/security/cacerts"));
    }
    for jvm in machine.entry_names("/usr/lib/jvm") {
        candidates.push(format!("/usr/lib/jvm/{jvm}/lib/security/cacerts"));
        candidates.push(format!("/usr/lib/jvm/{jvm}/jre/lib/security/cacerts"));
    }
    candidates
        .into_iter()
        .find(|c| machine.is_file(c))
        .map(|c| (c, None))
}

/// Lists a Java keystore with this machine's keytool.
fn java_certificates(
    machine: &Machine,
    store: &str,
    password: Option<&str>,
) -> Result<CertSet, String> {
    let real = machine.resolve(store).map_err(|e| e.to_string())?;
    let args = [
        OsStr::new("-list"),
        OsStr::new("-rfc"),
        OsStr::new("-keystore"),
        real.as_os_str(),
        OsStr::new("-storepass"),
        OsStr::new(password.unwrap_or("changeit")),
    ];
    let output = subprocess::run(Path::new("keytool"), args, machine.program_limits())
        .map_err(|e| format!("could not determine: keytool {e}, so {store} was not read"))?;
    if !output.status.success() {
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let why = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no reason given")
            .to_string();
        return Err(format!("keytool could not list {store}: {why}"));
    }
    crate::bundle::parse_certificates(&output.stdout)
        .map(CertSet::of)
        .map_err(|e| format!("keytool's listing of {store} {e}"))
}
