//! Where each operating system family keeps its roots, and how it rebuilds its bundle.

use super::Machine;
use serde::Serialize;

/// The families whose trust stores are laid out differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Debian,
    Rhel,
    Alpine,
    Suse,
    Arch,
    Macos,
    Windows,
    Unknown,
}

/// One family's store: where administrators put roots, where clients read them, and the
/// command that turns the one into the other.
#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    pub family: Family,
    /// The distribution's own name (`PRETTY_NAME` from os-release), when known.
    pub name: Option<String>,
    /// The directories where local roots are installed.
    pub anchor_dirs: Vec<String>,
    /// The compiled bundle files clients read, the main one first.
    pub bundles: Vec<String>,
    /// The hashed-name directory OpenSSL reads.
    pub hashed_dir: Option<String>,
    /// The command that compiles the anchors into the bundle.
    pub update_command: Option<&'static str>,
    /// Anchor files must end with this to be picked up (Debian: `.crt`).
    pub required_extension: Option<&'static str>,
    /// The package that provides the store.
    pub package: Option<&'static str>,
}

impl Layout {
    /// Reads os-release (under the machine's root) and the directories that exist.
    pub fn detect(machine: &Machine) -> Layout {
        if machine.is_real() && cfg!(target_os = "macos") {
            return Layout::platform(Family::Macos, "macOS keeps roots in the keychain");
        }
        if machine.is_real() && cfg!(windows) {
            return Layout::platform(
                Family::Windows,
                "Windows keeps roots in its certificate store",
            );
        }
        let release = machine
            .read_text("/etc/os-release")
            .or_else(|| machine.read_text("/usr/lib/os-release"))
            .unwrap_or_default();
        let field = |key: &str| {
            release.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.strip_prefix('=')?;
                Some(value.trim().trim_matches('"').to_string())
            })
        };
        let ids = format!(
            "{} {}",
            field("ID").unwrap_or_default(),
            field("ID_LIKE").unwrap_or_default()
        )
        .to_ascii_lowercase();
        let has = |words: &[&str]| ids.split_whitespace().any(|id| words.contains(&id));
        let exists = |path: &str| machine.exists(path);
        let family = if has(&["alpine"]) {
            Family::Alpine
        } else if has(&["debian", "ubuntu"]) {
            Family::Debian
        } else if has(&["rhel", "fedora", "centos", "rocky", "almalinux", "amzn"]) {
            Family::Rhel
        } else if has(&["suse", "opensuse", "sles"]) {
            Family::Suse
        } else if has(&["arch"]) {
            Family::Arch
        } else if exists("/etc/pki/ca-trust") {
            Family::Rhel
        } else if exists("/etc/ca-certificates.conf") || exists("/usr/sbin/update-ca-certificates")
        {
            Family::Debian
        } else {
            Family::Unknown
        };
        let mut layout = Layout::of(family);
        layout.name = field("PRETTY_NAME");
        layout
    }

    fn platform(family: Family, name: &str) -> Layout {
        Layout {
            name: Some(name.to_string()),
            ..Layout::of(family)
        }
    }

    /// The standard layout of a family.
    pub fn of(family: Family) -> Layout {
        let make =
            |anchors: &[&str], bundles: &[&str], hashed: Option<&str>, update, extension| Layout {
                family,
                name: None,
                anchor_dirs: anchors.iter().map(|p| p.to_string()).collect(),
                bundles: bundles.iter().map(|p| p.to_string()).collect(),
                hashed_dir: hashed.map(str::to_string),
                update_command: update,
                required_extension: extension,
                package: (!bundles.is_empty()).then_some("ca-certificates"),
            };
        match family {
            Family::Debian => make(
                &["/usr/local/share/ca-certificates"],
                &["/etc/ssl/certs/ca-certificates.crt"],
                Some("/etc/ssl/certs"),
                Some("update-ca-certificates"),
                Some(".crt"),
            ),
            Family::Alpine => make(
                &["/usr/local/share/ca-certificates"],
                &["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"],
                Some("/etc/ssl/certs"),
                Some("update-ca-certificates"),
                None,
            ),
            Family::Rhel => make(
                &[
                    "/etc/pki/ca-trust/source/anchors",
                    "/usr/share/pki/ca-trust-source/anchors",
                ],
                &[
                    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                    "/etc/pki/tls/certs/ca-bundle.crt",
                ],
                Some("/etc/pki/tls/certs"),
                Some("update-ca-trust extract"),
                None,
            ),
            Family::Suse => make(
                &["/etc/pki/trust/anchors"],
                &[
                    "/var/lib/ca-certificates/ca-bundle.pem",
                    "/etc/ssl/ca-bundle.pem",
                ],
                Some("/etc/ssl/certs"),
                Some("update-ca-certificates"),
                None,
            ),
            Family::Arch => make(
                &["/etc/ca-certificates/trust-source/anchors"],
                &["/etc/ssl/certs/ca-certificates.crt"],
                Some("/etc/ssl/certs"),
                Some("trust extract-compat"),
                None,
            ),
            Family::Macos | Family::Windows => make(&[], &[], None, None, None),
            Family::Unknown => make(
                &[],
                &["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"],
                Some("/etc/ssl/certs"),
                None,
                None,
            ),
        }
    }

    /// The bundle OpenSSL-based clients read by default: the first that exists.
    pub fn main_bundle(&self, machine: &Machine) -> Option<String> {
        self.bundles
            .iter()
            .find(|b| machine.is_file(b))
            .or(self.bundles.first())
            .cloned()
    }

    /// The command to run as root after changing the anchors.
    pub fn update(&self) -> String {
        match self.update_command {
            Some(command) => format!("sudo {command}"),
            None => "the distribution's CA update command".to_string(),
        }
    }
}

/// Go's list of bundle files on Linux (crypto/x509/root_linux.go), first existing wins.
pub const GO_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Go's certificate directories on Linux (crypto/x509/root_linux.go).
pub const GO_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];
