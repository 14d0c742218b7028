//! The root programs bundled as data (data/root-programs/, made by its update.py from the
//! programs' source packages): which roots each trusts, the constraints it puts on them, and
//! where and when that was read. Compiled in, parsed only when a program is asked for, so a
//! run that needs none pays nothing.

use super::constraint::{Constraint, RawConstraint};
use crate::chain::signature::sha256_hex;
use rustls::pki_types::CertificateDer;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Each bundled manifest, by program id.
const MANIFESTS: [(&str, &str); 3] = [
    (
        "chrome",
        include_str!("../../data/root-programs/chrome.toml"),
    ),
    (
        "java-17",
        include_str!("../../data/root-programs/java-17.toml"),
    ),
    (
        "mozilla",
        include_str!("../../data/root-programs/mozilla.toml"),
    ),
];

/// Every certificate a manifest names, once.
const ROOTS_PEM: &str = include_str!("../../data/root-programs/roots.pem");

/// The programs named but not bundled, and why.
const NOT_BUNDLED: &str = include_str!("../../data/root-programs/not-bundled.toml");

/// Why bundled program data cannot be used: a defect of the data, caught by its tests.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    #[error("data/root-programs/{id}.toml does not parse: {reason}")]
    Manifest { id: String, reason: String },
    #[error("data/root-programs/{id}.toml: root {sha256}: {reason}")]
    Root {
        id: String,
        sha256: String,
        reason: String,
    },
    #[error("data/root-programs/roots.pem: {0}")]
    Bundle(String),
}

/// One root program's snapshot: what it trusts and where that was read.
#[derive(Clone, Debug)]
pub struct Program {
    pub id: String,
    pub name: String,
    /// The program's own version of its list (`version_major 33`, `17.0.19+10`).
    pub version: String,
    /// The date of the data (YYYY-MM-DD), and what that date is.
    pub snapshot: String,
    pub snapshot_basis: String,
    /// The source package the data was generated from, its version and the files read in it.
    pub package: String,
    pub package_version: String,
    pub paths: Vec<String>,
    /// When update.py generated the data.
    pub generated: String,
    /// How the program applies its constraints, in a sentence.
    pub semantics: String,
    /// Where the anchors come from when this data only adds constraints (`webpki-roots`).
    pub anchors: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo of every constrained root.
    pub constrained_spki: Vec<String>,
    pub roots: Vec<ProgramRoot>,
    /// Each root's SPKI SHA-256, computed when a check first matches a root by its key.
    spki: OnceLock<Vec<Option<String>>>,
}

/// A root of a program, with the constraints the program puts on it.
#[derive(Clone, Debug)]
pub struct ProgramRoot {
    /// SHA-256 of the certificate, lower-case hex.
    pub sha256: String,
    /// The program's name for it (Chrome's comment, Java's alias, NSS's label).
    pub name: String,
    pub cert: CertificateDer<'static>,
    /// Any one set that holds lets the leaf through; none given means no constraint.
    pub constraints: Vec<Constraint>,
}

/// A program named by client profiles but not bundled.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NotBundled {
    pub id: String,
    pub name: String,
    pub reason: String,
    /// How to export the store from a device, to pass it with `--trust FILE`.
    pub export: String,
    pub checked: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    id: String,
    name: String,
    version: String,
    snapshot: String,
    snapshot_basis: String,
    package: String,
    package_version: String,
    paths: Vec<String>,
    generated: String,
    semantics: String,
    anchors: Option<String>,
    constrained_spki_sha256: Vec<String>,
    count: usize,
    #[serde(default)]
    roots: Vec<RawRoot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoot {
    sha256: String,
    name: String,
    #[serde(default)]
    constraints: Vec<RawConstraint>,
}

/// The ids of the bundled programs, in data order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    MANIFESTS.iter().map(|(id, _)| *id)
}

/// True when `--trust ID` selects a bundled store of this id (mozilla's is webpki-roots).
pub fn is_bundled_store(id: &str) -> bool {
    id != "mozilla" && ids().any(|known| known == id)
}

/// The bundled program `id`, parsed on first use; `None` when no program has that id.
pub fn get(id: &str) -> Option<Result<Arc<Program>, &'static ProgramError>> {
    static LOADED: [OnceLock<Result<Arc<Program>, ProgramError>>; MANIFESTS.len()] =
        [const { OnceLock::new() }; MANIFESTS.len()];
    let position = MANIFESTS.iter().position(|(known, _)| *known == id)?;
    Some(
        LOADED[position]
            .get_or_init(|| parse(MANIFESTS[position].1, certificates()?).map(Arc::new))
            .as_ref()
            .map(Arc::clone),
    )
}

/// True when the manifest of `id` names a constrained root with this SPKI hash. Only its
/// `constrained_spki_sha256` line is read (once), so that the many chains under unconstrained
/// roots never parse the data, and a fleet does not search the whole text per target.
pub fn may_constrain(id: &str, spki_sha256: &str) -> bool {
    static SETS: [OnceLock<HashSet<&'static str>>; MANIFESTS.len()] =
        [const { OnceLock::new() }; MANIFESTS.len()];
    let Some(position) = MANIFESTS.iter().position(|(known, _)| *known == id) else {
        return false;
    };
    SETS[position]
        .get_or_init(|| constrained_line(MANIFESTS[position].1))
        .contains(spki_sha256)
}

/// The hashes on a manifest's `constrained_spki_sha256 = [...]` line.
fn constrained_line(text: &'static str) -> HashSet<&'static str> {
    text.lines()
        .find_map(|l| l.strip_prefix("constrained_spki_sha256 = "))
        .map(|list| {
            list.split('"')
                .filter(|part| part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit()))
                .collect()
        })
        .unwrap_or_default()
}

/// The programs named but not bundled.
pub fn not_bundled() -> Vec<NotBundled> {
    #[derive(Deserialize)]
    struct File {
        program: Vec<NotBundled>,
    }
    // Checked by the tests; a defect here leaves the list empty rather than failing a run.
    toml::from_str::<File>(NOT_BUNDLED)
        .map(|f| f.program)
        .unwrap_or_default()
}

/// roots.pem by SHA-256, decoded on first use.
fn certificates() -> Result<&'static HashMap<String, CertificateDer<'static>>, ProgramError> {
    static CERTS: OnceLock<Result<HashMap<String, CertificateDer<'static>>, String>> =
        OnceLock::new();
    CERTS
        .get_or_init(|| parse_bundle(ROOTS_PEM))
        .as_ref()
        .map_err(|e| ProgramError::Bundle(e.clone()))
}

/// Every PEM certificate in `text`, keyed by the SHA-256 of its DER.
pub fn parse_bundle(text: &str) -> Result<HashMap<String, CertificateDer<'static>>, String> {
    let mut certs = HashMap::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        match (line.trim(), &mut body) {
            ("-----BEGIN CERTIFICATE-----", None) => body = Some(String::new()),
            ("-----END CERTIFICATE-----", Some(b64)) => {
                let der = data_encoding::BASE64
                    .decode(b64.as_bytes())
                    .map_err(|e| format!("a certificate is not base64: {e}"))?;
                certs.insert(sha256_hex(&der), CertificateDer::from(der));
                body = None;
            }
            (text, Some(b64)) => b64.push_str(text),
            _ => {}
        }
    }
    if body.is_some() {
        return Err("the last certificate has no END line".into());
    }
    Ok(certs)
}

/// One manifest, its roots resolved against the certificates.
pub fn parse(
    text: &str,
    certs: &HashMap<String, CertificateDer<'static>>,
) -> Result<Program, ProgramError> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| ProgramError::Manifest {
        id: "?".into(),
        reason: e.to_string(),
    })?;
    let manifest_error = |reason: String| ProgramError::Manifest {
        id: raw.id.clone(),
        reason,
    };
    if raw.roots.len() != raw.count {
        return Err(manifest_error(format!(
            "count says {} roots, {} are listed",
            raw.count,
            raw.roots.len()
        )));
    }
    let mut roots = Vec::with_capacity(raw.roots.len());
    for root in &raw.roots {
        let root_error = |reason: String| ProgramError::Root {
            id: raw.id.clone(),
            sha256: root.sha256.clone(),
            reason,
        };
        let cert = certs
            .get(&root.sha256)
            .ok_or_else(|| root_error("no certificate in roots.pem".into()))?;
        let constraints = root
            .constraints
            .iter()
            .map(Constraint::from_raw)
            .collect::<Result<Vec<_>, _>>()
            .map_err(root_error)?;
        roots.push(ProgramRoot {
            sha256: root.sha256.clone(),
            name: root.name.clone(),
            cert: cert.clone(),
            constraints,
        });
    }
    Ok(Program {
        id: raw.id,
        name: raw.name,
        version: raw.version,
        snapshot: raw.snapshot,
        snapshot_basis: raw.snapshot_basis,
        package: raw.package,
        package_version: raw.package_version,
        paths: raw.paths,
        generated: raw.generated,
        semantics: raw.semantics,
        anchors: raw.anchors,
        constrained_spki: raw.constrained_spki_sha256,
        roots,
        spki: OnceLock::new(),
    })
}

impl Program {
    /// A program made in code, for tests and tools that inject their own PKI.
    pub fn custom(id: &str, roots: Vec<(CertificateDer<'static>, Vec<Constraint>)>) -> Program {
        let roots: Vec<ProgramRoot> = roots
            .into_iter()
            .map(|(cert, constraints)| ProgramRoot {
                sha256: sha256_hex(&cert),
                name: String::new(),
                cert,
                constraints,
            })
            .collect();
        Program {
            id: id.to_string(),
            name: id.to_string(),
            version: String::new(),
            snapshot: String::new(),
            snapshot_basis: "made in code".into(),
            package: String::new(),
            package_version: String::new(),
            paths: Vec::new(),
            generated: String::new(),
            semantics: String::new(),
            anchors: None,
            constrained_spki: Vec::new(),
            roots,
            spki: OnceLock::new(),
        }
    }

    /// The roots whose key has this SPKI SHA-256: how an anchor known only by its name and key
    /// (webpki-roots) is found in a program.
    pub fn roots_with_spki<'a>(
        &'a self,
        spki_sha256: &'a str,
    ) -> impl Iterator<Item = &'a ProgramRoot> + 'a {
        let hashes = self.spki.get_or_init(|| {
            self.roots
                .iter()
                .map(|r| {
                    let (_, cert) = X509Certificate::from_der(&r.cert).ok()?;
                    Some(sha256_hex(cert.tbs_certificate.subject_pki.raw))
                })
                .collect()
        });
        self.roots
            .iter()
            .zip(hashes)
            .filter(move |(_, h)| h.as_deref() == Some(spki_sha256))
            .map(|(r, _)| r)
    }

    /// The root with this certificate SHA-256, if the program lists it.
    pub fn root(&self, sha256: &str) -> Option<&ProgramRoot> {
        self.roots.iter().find(|r| r.sha256 == sha256)
    }
}
