//! The outcome for each client: the findings that hold for every client, and the ones a
//! profile's policy decides (its store, key sizes and types, SHA-1, the CN, the EKU, a CA leaf,
//! downloading issuers, strict encoding), plus what the connection showed of the protocol.
//!
//! Nothing here connects. The negotiation side is judged from what the server answered the
//! client's own ClientHello ([`super::probe`]); without those answers (a file, a run that did
//! not ask), from the one handshake captured, and a client that may or may not agree with what
//! the server chose for tlsdoctor is `unknown`, never `ok`.

use super::Profile;
use super::certificates::{certificates, ct_undetermined, name_and_purpose};
use super::negotiation::negotiation;
use crate::capture::hello::Asked;
use crate::causes::{Cause, Severity};
use crate::checks::Finding;
use crate::diagnosis::Diagnosis;
use crate::report::ConnectionReport;
use serde::Serialize;

/// What one client would make of the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    /// Connects, but a finding every client shares needs attention.
    Warning,
    /// Refuses the connection.
    Fail,
    /// Could not be determined from what was captured; the reasons say what is missing.
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Warning => "warning",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
        }
    }
}

/// One client's outcome, as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct ClientReport {
    pub id: String,
    pub name: String,
    pub outcome: Outcome,
    /// The causes that make it fail (or warn), from the one catalog.
    pub causes: Vec<&'static str>,
    /// One line per cause, and what could not be determined.
    pub reasons: Vec<String>,
    /// What it would negotiate, when the captured handshake shows it.
    pub version: Option<String>,
    pub cipher_suite: Option<String>,
    pub group: Option<String>,
    /// Each cause with its line, in order (what `causes` and `reasons` say, paired).
    #[serde(skip)]
    pub why: Vec<(Cause, String)>,
}

/// What the judgement reads besides the profile.
pub struct Target<'a> {
    pub diagnosis: &'a Diagnosis,
    /// Every finding about the target, the connection's included.
    pub findings: &'a [Finding],
    pub connection: Option<&'a ConnectionReport>,
    /// The user named the roots (`--ca-file`, `--trust FILE`): every client is judged as if
    /// they were installed in its store.
    pub user_stores: bool,
    /// What the server answered each profile's ClientHello, when it was asked.
    pub asked: Option<&'a Asked>,
    /// The server name the hellos carried.
    pub sni: Option<&'a str>,
    /// The run's stores and root programs: a client's own program is judged from them.
    pub stores: &'a crate::trust::StoreSet,
}

/// Causes whose verdict a profile's policy decides; every other error holds for every client.
const POLICY: &[Cause] = &[
    Cause::MissingIntermediate,
    Cause::UnknownIssuer,
    Cause::PrivateRoot,
    Cause::UntrustedRoot,
    Cause::DistrustedRoot,
    Cause::OutdatedSystemStore,
    Cause::EnvOverrideMissingRoot,
    Cause::WeakKey,
    Cause::WeakSignature,
    Cause::UnsupportedAlgorithm,
    Cause::NoSan,
    Cause::WrongEku,
    Cause::LeafIsCa,
    Cause::ProfileViolation,
    Cause::WildcardOverPublicSuffix,
    Cause::ValidityTooLong,
    Cause::CtRequired,
    Cause::SctInvalid,
    Cause::RejectedByVerifier,
    Cause::ProtocolTooOld,
    Cause::LegacyCipherOnly,
    Cause::NoSharedVersion,
    Cause::NoSharedCipher,
    Cause::NoSharedGroup,
    Cause::NoSharedSignatureScheme,
    Cause::DhTooSmall,
    Cause::HandshakeFailure,
];

/// Judges every profile in `profiles` against the target.
pub fn judge_all(profiles: &[&Profile], target: &Target<'_>) -> Vec<ClientReport> {
    profiles.iter().map(|p| judge(p, target)).collect()
}

/// A judgement in progress.
pub(super) struct Verdict {
    pub(super) fails: Vec<(Cause, String)>,
    pub(super) warnings: Vec<(Cause, String)>,
    pub(super) unknowns: Vec<String>,
}

impl Verdict {
    pub(super) fn fail(&mut self, cause: Cause, why: String) {
        if !self.fails.iter().any(|(c, w)| *c == cause && *w == why) {
            self.fails.push((cause, why));
        }
    }
}

/// One profile's outcome.
pub fn judge(profile: &Profile, target: &Target<'_>) -> ClientReport {
    let mut v = Verdict {
        fails: Vec::new(),
        warnings: Vec::new(),
        unknowns: Vec::new(),
    };
    for f in target.findings {
        if POLICY.contains(&f.cause) {
            continue;
        }
        match f.cause.severity() {
            Severity::Error => v.fail(f.cause, f.detail.clone()),
            Severity::Warning => v.warnings.push((f.cause, f.detail.clone())),
            Severity::Info => {}
        }
    }
    super::trust::trust(profile, target, &mut v);
    certificates(profile, target, &mut v);
    name_and_purpose(profile, target, &mut v);
    ct_undetermined(profile, target, &mut v);
    let negotiated = negotiation(profile, target, &mut v);
    let outcome = if !v.fails.is_empty() {
        Outcome::Fail
    } else if !v.unknowns.is_empty() {
        Outcome::Unknown
    } else if !v.warnings.is_empty() {
        Outcome::Warning
    } else {
        Outcome::Ok
    };
    let shown = if v.fails.is_empty() {
        &v.warnings
    } else {
        &v.fails
    };
    let why: Vec<(Cause, String)> = shown.clone();
    let mut causes: Vec<&'static str> = Vec::new();
    for (cause, _) in &why {
        if !causes.contains(&cause.id()) {
            causes.push(cause.id());
        }
    }
    let mut reasons: Vec<String> = shown.iter().map(|(_, why)| why.clone()).collect();
    reasons.extend(v.unknowns);
    ClientReport {
        id: profile.id.clone(),
        name: profile.name.clone(),
        outcome,
        causes,
        reasons,
        version: negotiated.as_ref().map(|n| n.0.clone()),
        cipher_suite: negotiated.as_ref().map(|n| n.1.clone()),
        group: negotiated.and_then(|n| n.2),
        why,
    }
}
