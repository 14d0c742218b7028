//! `--fix-chain` and `--save-root`: writing out the chain the server should send, and the root
//! clients need, once the diagnosis knows them.

use crate::bundle;
use crate::chain::Chain;
use crate::chain::path::PathEnd;
use crate::diagnosis::Diagnosis;
use crate::report::{RepairReport, WrittenFile};
use crate::verify::Verification;
use rustls::pki_types::CertificateDer;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// What the user asked to have written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairRequest {
    pub fix_chain: Option<PathBuf>,
    pub save_root: Option<PathBuf>,
    /// Overwrite existing files.
    pub force: bool,
}

impl RepairRequest {
    /// A file that exists and may not be overwritten, so the run can stop before connecting.
    pub fn refused_target(&self) -> Option<&Path> {
        if self.force {
            return None;
        }
        [&self.fix_chain, &self.save_root]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .find(|p| p.exists())
    }
}

/// Writes what was asked for and reports what happened. `now` is the evaluation instant.
pub fn apply(diagnosis: &Diagnosis, request: &RepairRequest, now: OffsetDateTime) -> RepairReport {
    RepairReport {
        fixed_chain: request.fix_chain.as_ref().map(|path| {
            let chain = fixed_chain(diagnosis, now);
            write(path, chain, request.force)
        }),
        saved_root: request
            .save_root
            .as_ref()
            .map(|path| write(path, root(diagnosis).map(|r| vec![r]), request.force)),
    }
}

/// The leaf and the intermediates on its path to the leading store's root, in order, without
/// the root; verified again, as a chain of its own, before anyone is told to deploy it.
fn fixed_chain(
    diagnosis: &Diagnosis,
    now: OffsetDateTime,
) -> Result<Vec<CertificateDer<'static>>, String> {
    let path = diagnosis.path();
    if !path.is_anchored() {
        return Err(format!(
            "the chain does not reach a root in the trust store ({}); choose the store that \
             should trust it with --trust (a private root: --trust root.pem)",
            diagnosis.store().name()
        ));
    }
    let chain: Vec<CertificateDer<'static>> = path
        .certs
        .iter()
        .map(|&i| diagnosis.chain.certs[i].der.clone())
        .collect();
    let rebuilt = Chain::from_der(chain.clone());
    let check = Verification::run(&rebuilt, diagnosis.store(), None, now);
    match check.chain {
        Ok(_) => Ok(chain),
        Err(e) => Err(format!("the rebuilt chain still fails verification: {e}")),
    }
}

/// The root the chain ends at, when its certificate is at hand.
fn root(diagnosis: &Diagnosis) -> Result<CertificateDer<'static>, String> {
    let path = diagnosis.path();
    match path.end {
        PathEnd::SelfSigned => Ok(diagnosis.chain.certs[path.top()].der.clone()),
        PathEnd::Anchor(anchor) => {
            diagnosis
                .store()
                .certificate(anchor)
                .cloned()
                .ok_or_else(|| {
                    "the root is in Mozilla's list, which is compiled in without the certificates; \
             every mainstream client already has it"
                        .to_string()
                })
        }
        _ => Err("the chain does not end at a root (its issuer is unknown)".to_string()),
    }
}

fn write(
    path: &Path,
    certs: Result<Vec<CertificateDer<'static>>, String>,
    force: bool,
) -> WrittenFile {
    let mut report = WrittenFile {
        path: path.display().to_string(),
        written: false,
        subjects: Vec::new(),
        sha256: Vec::new(),
        error: None,
    };
    let certs = match certs {
        Ok(certs) => certs,
        Err(reason) => {
            report.error = Some(reason);
            return report;
        }
    };
    for der in &certs {
        report.subjects.push(
            x509_parser::parse_x509_certificate(der)
                .map(|(_, c)| c.subject().to_string())
                .unwrap_or_default(),
        );
        report.sha256.push(crate::chain::signature::sha256_hex(der));
    }
    let pem: String = certs.iter().map(|der| bundle::to_pem(der)).collect();
    match write_atomically(path, pem.as_bytes(), force) {
        Ok(()) => report.written = true,
        Err(e) => report.error = Some(e),
    }
    report
}

/// Writes through a temporary file in the same directory and a rename, so a reader never sees
/// half a chain.
fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "{} exists; add --force to replace it",
            path.display()
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tlsdoctor-{}", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    Ok(())
}
