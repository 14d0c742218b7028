//! What a client would negotiate with the server: from the answers to its own ClientHello when
//! they were asked for, else from the one handshake captured, and which cause names a refusal.
//! Part of [`super::judge`], apart from the certificate side because it reads only the protocol.

use super::Profile;
use super::judge::{Target, Verdict};
use super::probe::DIMENSIONS;
use crate::capture::hello::{self, Answer, Asked, Dimension};
use crate::causes::Cause;

/// (version, suite, group) this client would get, judged from the captured handshake.
type Negotiated = (String, String, Option<String>);

pub(super) fn negotiation(
    profile: &Profile,
    target: &Target<'_>,
    v: &mut Verdict,
) -> Option<Negotiated> {
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
pub(super) fn answered(profile: &Profile, target: &Target<'_>) -> bool {
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
