//! The environment variables that change what some client trusts, or whether it checks at all.

use super::Machine;
use crate::causes::Cause;
use crate::checks::Finding;
use serde::Serialize;

/// One variable that is set and matters.
#[derive(Debug, Serialize)]
pub struct EnvReport {
    pub name: String,
    pub value: String,
    /// Who reads it and what it does.
    pub effect: &'static str,
    /// It turns verification off or weakens it.
    pub dangerous: bool,
}

/// Variables that name a bundle or directory instead of the default, and who reads them.
pub const PATH_VARIABLES: &[(&str, &str)] = &[
    (
        "SSL_CERT_FILE",
        "OpenSSL-based clients (curl, Python ssl, Ruby, PHP, git) and Go read this bundle instead of the system's",
    ),
    (
        "SSL_CERT_DIR",
        "OpenSSL-based clients and Go read these directories instead of the system's",
    ),
    (
        "REQUESTS_CA_BUNDLE",
        "Python requests reads this bundle instead of certifi's",
    ),
    (
        "CURL_CA_BUNDLE",
        "curl and Python requests read this bundle",
    ),
    (
        "NODE_EXTRA_CA_CERTS",
        "Node.js adds these roots to its bundled list (read once, at start)",
    ),
    ("GIT_SSL_CAINFO", "git reads this bundle"),
    ("AWS_CA_BUNDLE", "the AWS CLI and SDKs read this bundle"),
    ("PIP_CERT", "pip reads this bundle"),
    (
        "HTTPLIB2_CA_CERTS",
        "httplib2 (Google API clients) reads this bundle",
    ),
    ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "gRPC reads this bundle"),
    ("NIX_SSL_CERT_FILE", "Nix-built programs read this bundle"),
    (
        "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
        "the Google Cloud SDK reads this bundle",
    ),
];

/// Settings that switch verification off: (variable, the value that does it, what it does).
const DISABLING: &[(&str, &str, &str)] = &[
    (
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "0",
        "Node.js accepts every certificate",
    ),
    (
        "PYTHONHTTPSVERIFY",
        "0",
        "Python's urllib and http.client accept every certificate",
    ),
    ("GIT_SSL_NO_VERIFY", "*", "git accepts every certificate"),
    (
        "CURL_CA_BUNDLE",
        "",
        "Python requests has treated an empty CURL_CA_BUNDLE as \"do not verify\"",
    ),
];

/// GODEBUG settings that re-enable what Go rejects by default.
const GODEBUG_WEAKENING: &[(&str, &str)] = &[
    ("x509sha1=1", "Go accepts SHA-1 signed certificates"),
    ("x509ignorecn=0", "Go matches host names against the CN"),
    ("tlsrsakex=1", "Go offers RSA key exchange"),
    ("tls10server=1", "Go servers accept TLS 1.0"),
    ("x509negativeserial=1", "Go accepts negative serial numbers"),
    ("tlsunsafeekm=1", "Go allows unsafe exported key material"),
];

/// The Java options variables that can carry `-Djavax.net.ssl.trustStore`.
pub const JAVA_OPTION_VARIABLES: &[&str] =
    &["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"];

/// Reports every variable that is set and matters, and adds findings for the dangerous ones and
/// for paths that do not exist.
pub fn read(machine: &Machine, findings: &mut Vec<Finding>) -> Vec<EnvReport> {
    let mut out = Vec::new();
    for (name, effect) in PATH_VARIABLES {
        let Some(value) = machine.var(name) else {
            continue;
        };
        let disabling = DISABLING.iter().find(|(n, v, _)| n == name && value == *v);
        if let Some((_, _, what)) = disabling {
            findings.push(Finding::new(
                Cause::VerificationDisabled,
                format!("{name} is set but empty: {what}"),
            ));
            out.push(report(name, value, what, true));
            continue;
        }
        for path in std::env::split_paths(value).filter(|p| !p.as_os_str().is_empty()) {
            let path = path.display().to_string();
            if !machine.exists(&path) {
                findings.push(Finding::new(
                    Cause::EnvOverrideMissingRoot,
                    format!("{name}={value} names {path}, which does not exist: {effect}, so they trust nothing"),
                ));
            }
        }
        out.push(report(name, value, effect, false));
    }
    for (name, bad, what) in DISABLING {
        let Some(value) = machine.var(name) else {
            continue;
        };
        if PATH_VARIABLES.iter().any(|(n, _)| n == name) {
            continue;
        }
        let on = match *bad {
            "*" => !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false"),
            bad => value == bad,
        };
        if on {
            findings.push(Finding::new(
                Cause::VerificationDisabled,
                format!("{name}={value}: {what}, an attacker's included"),
            ));
        }
        out.push(report(name, value, what, on));
    }
    if let Some(options) = machine.var("NODE_OPTIONS") {
        if options.contains("--use-openssl-ca") || options.contains("--use-system-ca") {
            out.push(report(
                "NODE_OPTIONS",
                options,
                "Node.js uses the system (OpenSSL) store instead of its bundled list",
                false,
            ));
        }
    }
    for name in JAVA_OPTION_VARIABLES {
        if let Some(value) = machine
            .var(name)
            .filter(|v| v.contains("javax.net.ssl.trustStore"))
        {
            out.push(report(
                name,
                value,
                "Java reads the trust store named by -Djavax.net.ssl.trustStore instead of cacerts",
                false,
            ));
        }
    }
    if let Some(value) = machine.var("GODEBUG") {
        let lower = value.to_ascii_lowercase();
        let weakened: Vec<&str> = GODEBUG_WEAKENING
            .iter()
            .filter(|(setting, _)| lower.split(',').any(|s| s.trim() == *setting))
            .map(|(_, what)| *what)
            .collect();
        if !weakened.is_empty() {
            findings.push(Finding::new(
                Cause::VerificationWeakened,
                format!("GODEBUG={value}: {}", weakened.join("; ")),
            ));
        }
        out.push(report(
            "GODEBUG",
            value,
            "Go runtime settings, some of which relax certificate checks",
            !weakened.is_empty(),
        ));
    }
    out
}

fn report(name: &str, value: &str, effect: &'static str, dangerous: bool) -> EnvReport {
    EnvReport {
        name: name.to_string(),
        value: value.to_string(),
        effect,
        dangerous,
    }
}

/// The trust store path in `-Djavax.net.ssl.trustStore=PATH`, and its password if given.
pub fn java_trust_store(machine: &Machine) -> Option<(String, Option<String>)> {
    let option = |text: &str, key: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(key).map(str::to_string))
    };
    JAVA_OPTION_VARIABLES.iter().find_map(|name| {
        let value = machine.var(name)?;
        let path = option(value, "-Djavax.net.ssl.trustStore=")?;
        Some((path, option(value, "-Djavax.net.ssl.trustStorePassword=")))
    })
}
