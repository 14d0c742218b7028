//! `tlsdoctor trust --root`: whether each bundled root program includes the root, and the
//! constraints it puts on it. Read from the bundled data ([`crate::trust::programs`]), which
//! is parsed only here, when a root was given.

use crate::chain::signature::sha256_hex;
use crate::trust::TrustStore;
use crate::trust::constraint::Constraint;
use crate::trust::programs::{self, Program};
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One program's answer for the root.
#[derive(Debug, Serialize)]
pub struct ProgramReport {
    pub id: String,
    pub name: String,
    /// The date of tlsdoctor's copy of the program's data (YYYY-MM-DD).
    pub snapshot: String,
    /// The program includes the root (the same name and key).
    pub trusted: bool,
    /// The constraint sets it puts on the root; any one that holds lets a leaf through.
    pub constraints: Vec<ConstraintReport>,
}

/// A constraint set as reports show it.
#[derive(Debug, Serialize)]
pub struct ConstraintReport {
    /// Leaves whose notBefore is later are refused (RFC 3339).
    pub distrust_after: Option<String>,
    /// Leaves whose earliest embedded SCT is later are refused (RFC 3339).
    pub sct_not_after: Option<String>,
    /// The client versions the set applies to (Chrome's).
    pub min_version: Option<u32>,
    pub max_version_exclusive: Option<u32>,
    /// The program's name for the rule (Java's `ENTRUST_TLS`).
    pub policy: Option<String>,
}

impl From<&Constraint> for ConstraintReport {
    fn from(c: &Constraint) -> ConstraintReport {
        ConstraintReport {
            distrust_after: c.distrust_after.map(crate::report::rfc3339),
            sct_not_after: c.sct_not_after.map(crate::report::rfc3339),
            min_version: c.min_version,
            max_version_exclusive: c.max_version_exclusive,
            policy: c.policy.clone(),
        }
    }
}

/// Every bundled program's answer for this root, in data order. A program whose data cannot
/// be read is left out (the data tests make sure none is).
pub fn judge(root: &CertificateDer<'_>) -> Vec<ProgramReport> {
    let Ok((_, cert)) = X509Certificate::from_der(root) else {
        return Vec::new();
    };
    let subject = cert.tbs_certificate.subject.as_raw();
    let spki = cert.tbs_certificate.subject_pki.raw;
    let spki_sha256 = sha256_hex(spki);
    programs::ids()
        .filter_map(|id| programs::get(id)?.ok())
        .map(|program| {
            let store = match program.anchors {
                // Mozilla's roots are webpki-roots; the data adds only constraints.
                Some(_) => TrustStore::mozilla(),
                None => TrustStore::program(&program),
            };
            report(
                &program,
                store.find_certificate(subject, spki).is_some(),
                &spki_sha256,
            )
        })
        .collect()
}

fn report(program: &Program, trusted: bool, spki_sha256: &str) -> ProgramReport {
    ProgramReport {
        id: program.id.clone(),
        name: program.name.clone(),
        snapshot: program.snapshot.clone(),
        trusted,
        constraints: program
            .roots_with_spki(spki_sha256)
            .flat_map(|r| r.constraints.iter().map(ConstraintReport::from))
            .collect(),
    }
}
