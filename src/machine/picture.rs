//! The certificates the trust picture is made of, what `tlsdoctor trust` is asked, and the
//! report it returns. Kept apart from reading the machine and from the findings, so that the
//! shape of the JSON output can be read on its own.

use super::layout::Family;
use super::{clients, env, programs, registry};
use crate::chain::{CertFacts, Chain};
use crate::report::FindingReport;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use time::OffsetDateTime;

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
    pub(super) fn issued(&self, child: &Cert) -> bool {
        matches!((&self.facts, &child.facts), (Some(a), Some(b))
            if b.issuer_der == a.subject_der && !b.self_issued)
    }

    pub(super) fn expired(&self, now: OffsetDateTime) -> bool {
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
