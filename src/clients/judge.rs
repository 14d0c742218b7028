//! The outcome for each client: the findings that hold for every client, and the ones a
//! profile's policy decides (its store, key sizes and types, SHA-1, the CN, the EKU, a CA leaf,
//! downloading issuers, strict encoding), plus what the connection showed of the protocol.
//!
//! Nothing here connects. The negotiation side is judged from what the server answered the
//! client's own ClientHello ([`super::probe`]); without those answers (a file, a run that did
//! not ask), from the one handshake captured, and a client that may or may not agree with what
//! the server chose for tlsdoctor is `unknown`, never `ok`.

use super::probe::DIMENSIONS;
use super::{Profile, Sha1};
use crate::capture::hello::{self, Answer, Asked, Dimension};
use crate::causes::{Cause, Severity};
use crate::chain::signature::{Hash, KeyAlgorithm};
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

/// Keys and signatures on the path, against the profile's sizes, types and SHA-1 rule.
fn certificates(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    let d = target.diagnosis;
    let path = d.path();
    let public = d
        .evals
        .iter()
        .any(|e| e.path.is_anchored() && d.stores[e.store].name() == "mozilla");
    for &index in &path.certs {
        let Some(cert) = d.chain.certs.get(index) else {
            continue;
        };
        let Some(facts) = cert.facts() else { continue };
        let label = format!("[{index}] {}", cert.label());
        let kind = key_type(&facts.key.algorithm, facts.key.curve.as_deref());
        if !profile.key_types.value.contains(&kind) {
            v.fail(
                Cause::UnsupportedAlgorithm,
                format!("{label} has a key of type {kind}, which these clients cannot verify"),
            );
        }
        if facts.key.algorithm == KeyAlgorithm::Rsa
            && facts
                .key
                .bits
                .is_some_and(|bits| bits < profile.min_rsa_bits.value)
        {
            v.fail(
                Cause::WeakKey,
                format!(
                    "{label} has a {}-bit RSA key; these clients need at least {}",
                    facts.key.bits.unwrap_or_default(),
                    profile.min_rsa_bits.value
                ),
            );
        }
        // The root's own signature is never checked: only what an issuer signed.
        let sha1 = facts.signed.kind.hash() == Some(Hash::Sha1) && !facts.self_signed;
        let refused = match profile.sha1.value {
            Sha1::Allowed => false,
            Sha1::Refused => true,
            Sha1::PrivateRoots => public,
        };
        if sha1 && refused {
            v.fail(
                Cause::WeakSignature,
                format!("{label} is signed with SHA-1, which these clients refuse"),
            );
        }
    }
}

/// The profile's name for a key: `ec-p256`, `rsa-pss`, ...
fn key_type(algorithm: &KeyAlgorithm, curve: Option<&str>) -> String {
    match (algorithm, curve) {
        (KeyAlgorithm::Rsa, _) => "rsa".into(),
        (KeyAlgorithm::Ec, Some("P-256")) => "ec-p256".into(),
        (KeyAlgorithm::Ec, Some("P-384")) => "ec-p384".into(),
        (KeyAlgorithm::Ec, Some("P-521")) => "ec-p521".into(),
        (KeyAlgorithm::Ec, curve) => format!("ec-{}", curve.unwrap_or("unknown-curve")),
        (KeyAlgorithm::Ed25519, _) => "ed25519".into(),
        (KeyAlgorithm::Ed448, _) => "ed448".into(),
        (KeyAlgorithm::Other(oid), _) if oid == "1.2.840.113549.1.1.10" => "rsa-pss".into(),
        (other, _) => other.name().to_lowercase(),
    }
}

/// A CT policy the log list cannot settle leaves the clients enforcing it unknown, not ok.
fn ct_undetermined(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    for outcome in target.diagnosis.ct.undetermined() {
        if outcome.policy == profile.ct_policy.value {
            v.unknowns
                .push(format!("whether its CT policy is met: {}", outcome.detail));
        }
    }
}

/// The findings whose verdict depends on the profile's name, EKU, CA-leaf and strictness rules.
fn name_and_purpose(profile: &Profile, target: &Target<'_>, v: &mut Verdict) {
    let any_only = target
        .diagnosis
        .chain
        .leaf()
        .and_then(|c| c.facts())
        .and_then(|f| f.eku.as_ref())
        .is_some_and(|eku| {
            eku.iter().any(|e| e == "anyExtendedKeyUsage") && !eku.iter().any(|e| e == "serverAuth")
        });
    for f in target.findings {
        let refused = match f.cause {
            Cause::NoSan => !profile.cn_fallback.value,
            // anyExtendedKeyUsage alone: some clients take it for serverAuth, some do not.
            Cause::WrongEku => profile.checks_eku.value && !(any_only && profile.any_eku.value),
            // tlsdoctor's own handshake failed: that is rustls' verdict, and for any other
            // client a question the one handshake cannot answer.
            Cause::HandshakeFailure if profile.family == "rustls" => true,
            // The client's own hello was answered: the negotiation below decides.
            Cause::HandshakeFailure if answered(profile, target) => false,
            Cause::HandshakeFailure => {
                v.unknowns.push(format!(
                    "tlsdoctor's own handshake failed ({}); whether this client's succeeds was \
                     not probed",
                    f.detail
                ));
                false
            }
            Cause::LeafIsCa => !profile.leaf_ca.value,
            Cause::ProfileViolation => profile.strict_rfc5280.value,
            Cause::WildcardOverPublicSuffix => profile.psl_wildcards.value,
            Cause::ValidityTooLong => target
                .diagnosis
                .lifetime
                .contains(&profile.lifetime_policy.value),
            // Only a client enforcing a CT policy that is not met refuses; the others never
            // look at SCTs, and the finding stays in the report for them.
            Cause::CtRequired => target
                .diagnosis
                .ct
                .refusing()
                .contains(&profile.ct_policy.value),
            Cause::SctInvalid => {
                if profile.ct_policy.value != crate::checks::ct::Policy::None {
                    v.warnings.push((f.cause, f.detail.clone()));
                }
                false
            }
            Cause::RejectedByVerifier => {
                if profile.family == "rustls" {
                    true
                } else {
                    v.unknowns.push(
                        "rustls-webpki rejects the chain for a reason no check names; whether \
                         this client does is not known"
                            .into(),
                    );
                    false
                }
            }
            _ => continue,
        };
        if refused {
            v.fail(f.cause, f.detail.clone());
        }
    }
}

/// (version, suite, group) this client would get, judged from the captured handshake.
type Negotiated = (String, String, Option<String>);

fn negotiation(profile: &Profile, target: &Target<'_>, v: &mut Verdict) -> Option<Negotiated> {
    if let Some(asked) = target.asked {
        return asked_negotiation(profile, asked, target.sni, v);
    }
    let connection = target.connection?;
    let version = connection.tls_version.as_deref().map(version_id);
    let suite = connection.cipher_suite.as_deref().map(suite_id);
    let group = connection
        .key_exchange
        .as_deref()
        .map(str::to_ascii_lowercase);
    let old_only = target
        .findings
        .iter()
        .any(|f| f.cause == Cause::ProtocolTooOld);
    let legacy_only = target
        .findings
        .iter()
        .any(|f| f.cause == Cause::LegacyCipherOnly);
    let (Some(version), Some(suite)) = (version, suite) else {
        v.unknowns
            .push("the handshake did not complete, so the protocol is unknown".into());
        return None;
    };
    let has_version = profile.versions.value.contains(&version);
    let has_suite = profile.cipher_suites.value.contains(&suite);
    let has_group = group
        .as_ref()
        .is_none_or(|g| profile.groups.value.contains(g));
    if old_only && !has_version {
        v.fail(
            Cause::ProtocolTooOld,
            format!(
                "the server speaks only {version}; these clients offer {}",
                profile.versions.value.join(", ")
            ),
        );
        return None;
    }
    if has_version && has_suite && has_group {
        return Some((version, suite, group));
    }
    if legacy_only && !has_suite {
        v.unknowns.push(format!(
            "the server accepts only suites tlsdoctor's own client lacks and chose {suite}, which \
             this client does not offer; whether it accepts another of its suites was not probed"
        ));
        return None;
    }
    let missing: Vec<String> = [
        (!has_version).then(|| version.clone()),
        (!has_suite).then(|| suite.clone()),
        (!has_group).then(|| group.clone().unwrap_or_default()),
    ]
    .into_iter()
    .flatten()
    .collect();
    v.unknowns.push(format!(
        "the server chose {} for tlsdoctor's client, which this client does not offer; whether \
         it accepts what this client offers was not probed",
        missing.join(", ")
    ));
    None
}

/// `TLS 1.3` → `TLSv1.3`.
fn version_id(shown: &str) -> String {
    shown.replace("TLS ", "TLSv")
}

/// rustls' `TLS13_AES_256_GCM_SHA384` → IANA's `TLS_AES_256_GCM_SHA384`.
fn suite_id(shown: &str) -> String {
    shown.replacen("TLS13_", "TLS_", 1)
}

/// True when the server answered this profile's own ClientHello.
fn answered(profile: &Profile, target: &Target<'_>) -> bool {
    target
        .asked
        .and_then(|a| a.get(&profile.offer(target.sni)))
        .is_some_and(|answer| answer.is_some())
}

/// The negotiation as the server answered this client's own ClientHello; for a refusal, the
/// cause is the first dimension whose widening the server accepted.
fn asked_negotiation(
    profile: &Profile,
    asked: &Asked,
    sni: Option<&str>,
    v: &mut Verdict,
) -> Option<Negotiated> {
    let offer = profile.offer(sni);
    let answer = match asked.get(&offer) {
        Some(Some(answer)) => answer,
        Some(None) => {
            v.unknowns.push(
                "the server did not answer this client's ClientHello within --timeout".into(),
            );
            return None;
        }
        None => {
            v.unknowns
                .push("this client's ClientHello was not sent to the server".into());
            return None;
        }
    };
    if hello::agreed(&offer, answer) {
        if let Some(bits) = answer
            .dh_bits
            .filter(|&b| b < profile.min_dh_bits.value as usize)
        {
            v.fail(
                Cause::DhTooSmall,
                format!(
                    "the server chose {} with a {bits}-bit group; this client needs at least {}",
                    answer.cipher_suite_name().unwrap_or_default(),
                    profile.min_dh_bits.value
                ),
            );
            return None;
        }
        return Some((
            answer
                .version_name()
                .map(|n| version_id(&n))
                .unwrap_or_default(),
            answer.cipher_suite_name().unwrap_or_default(),
            answer.group_name(),
        ));
    }
    let refusal = refusal(answer);
    // A version the client did not offer (an old server ignoring the hello's): that is the cause.
    if answer.version.is_some_and(|v| !offer.versions.contains(&v)) {
        let (cause, why) = named(profile, Dimension::Version, answer, &refusal);
        v.fail(cause, why);
        return None;
    }
    for dimension in DIMENSIONS {
        let widened = offer.widened(dimension);
        let Some(Some(wide)) = asked.get(&widened) else {
            continue;
        };
        if !hello::agreed(&widened, wide) {
            continue;
        }
        let (cause, why) = named(profile, dimension, wide, &refusal);
        v.fail(cause, why);
        return None;
    }
    // protocol_version says the versions differ (RFC 8446 §6.2), even when no hello that
    // differs in versions alone got through because something else differs too.
    if answer.alert == Some(PROTOCOL_VERSION_ALERT) {
        let widened_refused = [Dimension::Version, Dimension::OldVersion]
            .iter()
            .any(|&d| matches!(asked.get(&offer.widened(d)), Some(Some(_))));
        let more = if widened_refused {
            "; with newer or older versions added it still refused, so a second difference \
             (suites, groups or signature schemes) remains"
        } else {
            ""
        };
        v.fail(
            Cause::NoSharedVersion,
            format!(
                "the server speaks none of the versions this client offers ({}) ({refusal}){more}",
                list(&profile.versions.value)
            ),
        );
        return None;
    }
    v.fail(
        Cause::HandshakeFailure,
        format!(
            "the server refused this client's ClientHello ({refusal}), and accepted no hello \
             that differs from it in versions, suites, groups or signature schemes alone"
        ),
    );
    None
}

/// The alert a server sends when it speaks none of the offered versions.
const PROTOCOL_VERSION_ALERT: u8 = 70;

fn list(values: &[String]) -> String {
    values.join(", ")
}

/// What the server did with a hello it did not go on with.
fn refusal(answer: &Answer) -> String {
    match (answer.alert, answer.version) {
        (Some(alert), _) => format!("alert {}", crate::checks::connection::alert_label(alert)),
        (None, Some(version)) => format!(
            "it chose {}, which the client does not accept",
            hello::version_name(version)
        ),
        (None, None) => "it closed the connection".into(),
    }
}

/// The cause and its line for a refusal that widening `dimension` turned into `wide`.
fn named(profile: &Profile, dimension: Dimension, wide: &Answer, refusal: &str) -> (Cause, String) {
    match dimension {
        Dimension::Version | Dimension::OldVersion => {
            let chosen = wide.version_name().unwrap_or_default();
            let cause = if wide.version.is_some_and(|v| v < 0x0303) {
                Cause::ProtocolTooOld
            } else {
                Cause::NoSharedVersion
            };
            (
                cause,
                format!(
                    "the server speaks {chosen}; this client accepts only {} ({refusal})",
                    list(&profile.versions.value)
                ),
            )
        }
        Dimension::Suite => {
            let chosen = wide.cipher_suite_name().unwrap_or_default();
            let legacy = wide.version == Some(0x0303)
                && wide
                    .cipher_suite
                    .is_some_and(|s| !hello::rustls_supports(s));
            let cause = if legacy && !chosen.contains("_DHE_") && !chosen.contains("CCM") {
                Cause::LegacyCipherOnly
            } else {
                Cause::NoSharedCipher
            };
            (
                cause,
                format!(
                    "the server accepts {chosen}, a suite this client does not offer ({refusal})"
                ),
            )
        }
        Dimension::Group => (
            Cause::NoSharedGroup,
            format!(
                "the server accepts {} for key exchange; this client offers {} ({refusal})",
                wide.group_name().unwrap_or_else(|| "a group".into()),
                list(&profile.groups.value)
            ),
        ),
        Dimension::Scheme => (
            Cause::NoSharedSignatureScheme,
            format!(
                "the server's key signs in none of the schemes this client offers ({}) ({refusal})",
                list(&profile.signature_schemes.value)
            ),
        ),
    }
}
