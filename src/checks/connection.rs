//! Naming why no chain (or no complete handshake) could be had.

use super::Finding;
use crate::capture::hello::{
    self, LegacyHello, MAX_HANDSHAKE_MESSAGE, rustls_supports, rustls_supports_group, version_name,
};
use crate::capture::{Capture, Failure, Phase};
use crate::causes::Cause;
use crate::proxy::ProxyError;
use crate::starttls::{Protocol, UpgradeError};
use std::io::ErrorKind;

/// The finding for a capture that stopped short, if it did.
pub fn check(host: &str, name: &str, capture: &Capture) -> Option<Finding> {
    let failure = capture.failure.as_ref()?;
    let not_tls = || {
        (capture.bytes_received > 0 && !looks_like_tls(&capture.first_bytes))
            .then(|| Finding::new(Cause::NotTls, not_tls_detail(&capture.first_bytes)))
    };
    Some(match failure {
        Failure::Resolve(e) => Finding::new(
            Cause::DnsFailure,
            format!("{host} could not be resolved: {e}"),
        ),
        Failure::NoAddresses => {
            Finding::new(Cause::DnsFailure, format!("{host} resolved to no address"))
        }
        Failure::Connect(address, e) => match e.kind() {
            ErrorKind::ConnectionRefused => Finding::new(
                Cause::ConnectionRefused,
                format!("{address} refused the connection"),
            ),
            _ => Finding::new(
                Cause::ConnectionFailed,
                format!("connecting to {address}: {e}"),
            ),
        },
        Failure::Proxy(error) => {
            proxy_finding(capture.proxy.as_deref().unwrap_or("the proxy"), error)
        }
        Failure::Starttls(protocol, error) => starttls_finding(*protocol, error, capture),
        Failure::Timeout { phase, limit } => {
            let during = match phase {
                Phase::Resolving => format!("while resolving {host}"),
                Phase::Connecting => "while opening the TCP connection".to_string(),
                Phase::Proxy => format!(
                    "while {} opened the tunnel",
                    capture.proxy.as_deref().unwrap_or("the proxy")
                ),
                Phase::Starttls => format!(
                    "during the plain-text {} exchange before STARTTLS (a server that speaks TLS \
                     from the first byte waits silently: try --starttls none)",
                    capture.starttls.map_or("STARTTLS", Protocol::title)
                ),
                Phase::Handshake if capture.bytes_received == 0 => {
                    "during the TLS handshake: the server accepted the connection but sent nothing"
                        .to_string()
                }
                Phase::Handshake => format!(
                    "during the TLS handshake, after the server sent {} bytes",
                    capture.bytes_received
                ),
            };
            Finding::new(
                Cause::Timeout,
                format!("no result within {} s, {during}", limit.as_secs_f64()),
            )
        }
        Failure::Tls(error) => match error {
            _ if capture.bytes_received > 0 && !looks_like_tls(&capture.first_bytes) => {
                Finding::new(Cause::NotTls, not_tls_detail(&capture.first_bytes))
            }
            _ if let Some(finding) = capture
                .legacy
                .as_ref()
                .and_then(|l| legacy(l, &tls_error(error))) =>
            {
                finding
            }
            rustls::Error::InvalidMessage(rustls::InvalidMessage::HandshakePayloadTooLarge) => {
                Finding::new(
                    Cause::ChainTooLarge,
                    format!(
                        "the server sent a handshake message (its certificates) over the {MAX_HANDSHAKE_MESSAGE} \
                         bytes rustls and Go accept; the chain could not be read"
                    ),
                )
            }
            rustls::Error::AlertReceived(alert) => Finding::new(
                Cause::HandshakeFailure,
                format!(
                    "the server sent the TLS alert {}{}",
                    alert_label(u8::from(*alert)),
                    alert_hint(u8::from(*alert), name)
                ),
            ),
            rustls::Error::PeerIncompatible(why) => Finding::new(
                Cause::HandshakeFailure,
                format!("the server and a modern client have nothing in common: {why:?}"),
            ),
            other => Finding::new(Cause::HandshakeFailure, format!("{other}")),
        },
        Failure::Io(e) => match not_tls() {
            Some(finding) => finding,
            None if let Some(finding) = capture
                .legacy
                .as_ref()
                .and_then(|l| legacy(l, &format!("the error: {e}"))) =>
            {
                finding
            }
            None if capture.bytes_received == 0
                && matches!(
                    e.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
                ) =>
            {
                Finding::new(
                    Cause::HandshakeFailure,
                    "the server closed the connection without answering the TLS ClientHello \
                     (often: no certificate for this SNI name, or a proxy in front that does not speak TLS)",
                )
            }
            None => Finding::new(
                Cause::HandshakeFailure,
                format!("the connection broke: {e}"),
            ),
        },
    })
}

/// Why the plain-text exchange did not get to TLS.
fn starttls_finding(protocol: Protocol, error: &UpgradeError, capture: &Capture) -> Finding {
    let title = protocol.title();
    let port = capture
        .address
        .map(|a| format!(" on {}", a.port()))
        .unwrap_or_default();
    match error {
        UpgradeError::NotOffered { greeting, .. } => {
            let implicit = protocol
                .implicit_tls_port()
                .map(|p| format!(", or use its implicit-TLS port {p} if the server has one"))
                .unwrap_or_default();
            Finding::new(
                Cause::StarttlsNotOffered,
                format!(
                    "this is {title}{port} without STARTTLS: the server does not offer the upgrade \
                     (it greeted: \"{greeting}\"); enable TLS on it{implicit}"
                ),
            )
        }
        UpgradeError::Refused { reply, .. } => Finding::new(
            Cause::StarttlsRefused,
            format!("the {title} server{port} was asked to start TLS and answered \"{reply}\""),
        ),
        UpgradeError::Unexpected { detail, .. } => Finding::new(
            Cause::NotTls,
            format!(
                "the port does not speak {title} as --starttls {protocol} expects: {detail}; if it \
                 speaks TLS from the first byte, use --starttls none"
            ),
        ),
        UpgradeError::TooLong { .. } => Finding::new(
            Cause::NotTls,
            format!(
                "the server sent more than {} bytes of {title} dialogue without agreeing to start \
                 TLS; tlsdoctor stopped reading",
                crate::starttls::MAX_DIALOGUE_BYTES
            ),
        ),
        UpgradeError::Io { error, .. } => Finding::new(
            Cause::ConnectionFailed,
            format!(
                "the connection broke during the {title} exchange, before TLS started: {error}"
            ),
        ),
    }
}

/// Why the proxy opened no tunnel.
fn proxy_finding(proxy: &str, error: &ProxyError) -> Finding {
    match error {
        ProxyError::Unreachable(why) => Finding::new(
            Cause::ProxyUnreachable,
            format!("the proxy {proxy} could not be reached: {why}"),
        ),
        ProxyError::AuthRequired { status, scheme } => Finding::new(
            Cause::ProxyAuthRequired,
            format!(
                "the proxy {proxy} answered CONNECT with \"{status}\"{}: put the credentials in the \
                 proxy URL (http://USER:PASSWORD@host:port)",
                scheme
                    .as_ref()
                    .map(|s| format!(" and asks for {s}"))
                    .unwrap_or_default()
            ),
        ),
        ProxyError::Refused { status } => Finding::new(
            Cause::ProxyRefused,
            format!("the proxy {proxy} answered CONNECT with \"{status}\""),
        ),
        ProxyError::Garbage { detail } => Finding::new(
            Cause::ProxyRefused,
            format!("the proxy {proxy} opened no tunnel: {detail}"),
        ),
        ProxyError::Io(e) => Finding::new(
            Cause::ProxyRefused,
            format!("the connection to the proxy {proxy} broke while it was asked to CONNECT: {e}"),
        ),
    }
}

/// "the alert protocol_version (70)", or rustls' words for other errors.
fn tls_error(error: &rustls::Error) -> String {
    match error {
        rustls::Error::AlertReceived(alert) => {
            format!("the alert {}", alert_label(u8::from(*alert)))
        }
        other => format!("the error: {other}"),
    }
}

/// What the old-style probe shows about a server rustls could not talk to.
fn legacy(hello: &LegacyHello, error: &str) -> Option<Finding> {
    if let Some(size) = hello.oversized_certificate_message {
        return Some(Finding::new(
            Cause::ChainTooLarge,
            format!(
                "the server's Certificate message declares {size} bytes, over the {MAX_HANDSHAKE_MESSAGE} \
                 bytes rustls and Go accept; it was not read"
            ),
        ));
    }
    let version = hello.version?;
    let suite = hello
        .cipher_suite_name()
        .unwrap_or_else(|| "an unknown suite".into());
    let chain = match hello.chain.len() {
        0 => "it sent no certificate, so no chain could be read".to_string(),
        1 => "its certificate was read from that unencrypted handshake".to_string(),
        n => format!("its {n} certificates were read from that unencrypted handshake"),
    };
    let refused = format!("a TLS 1.2/1.3 ClientHello got {error}");
    if version < 0x0303 {
        return Some(Finding::new(
            Cause::ProtocolTooOld,
            format!(
                "offered TLS 1.0 to 1.2, the server chose {} with {suite}; {refused}; {chain}",
                version_name(version)
            ),
        ));
    }
    let suite_id = hello.cipher_suite?;
    // Finite-field DHE and AES-CCM are modern enough; rustls, Go and browsers just lack them.
    let modern = suite.contains("_DHE_") || suite.contains("CCM");
    if version == 0x0303 && !rustls_supports(suite_id) && modern {
        return Some(Finding::new(
            Cause::NoSharedCipher,
            format!(
                "offered every common suite, the server chose {suite}, which rustls (tlsdoctor's \
                 own client), Go and Chromium do not offer; {refused}; {chain}"
            ),
        ));
    }
    if version == 0x0303 && !rustls_supports(suite_id) {
        return Some(Finding::new(
            Cause::LegacyCipherOnly,
            format!(
                "offered modern and legacy suites, the server chose {suite}; {refused}; {chain}"
            ),
        ));
    }
    let group = hello.group.filter(|g| !rustls_supports_group(*g))?;
    Some(Finding::new(
        Cause::NoSharedGroup,
        format!(
            "offered every common group, the server chose {} with {suite}; rustls (tlsdoctor's own \
             client) offers only X25519, P-256 and P-384, so {refused}; {chain}",
            hello::group_name(group)
        ),
    ))
}

/// A TLS record starts with a content type (20-24) and a 3.x version byte.
fn looks_like_tls(bytes: &[u8]) -> bool {
    match bytes {
        [kind, ..] if !(0x14..=0x18).contains(kind) => false,
        [_, major, ..] => *major == 0x03,
        _ => true,
    }
}

/// Names the protocol the server spoke, when it is recognisable.
fn not_tls_detail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let first_line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .flat_map(char::escape_default)
        .collect();
    let upper = text.to_ascii_uppercase();
    let protocol = if upper.starts_with("HTTP/") {
        Some("plain HTTP: this is an http:// port, not https://")
    } else if upper.starts_with("<?XML") || upper.starts_with("<STREAM") {
        Some("XMPP: add --starttls xmpp")
    } else if upper.starts_with("<") {
        Some("HTML without HTTP headers")
    } else if upper.starts_with("SSH-") {
        Some("SSH")
    } else if upper.starts_with("220") && upper.contains("FTP") {
        Some("FTP: add --starttls ftp (AUTH TLS), or use its implicit-TLS port 990")
    } else if upper.starts_with("220") {
        Some("SMTP: add --starttls smtp, or use the implicit-TLS port 465")
    } else if upper.starts_with("+OK") {
        Some("POP3: add --starttls pop3, or use the implicit-TLS port 995")
    } else if upper.starts_with("* OK") {
        Some("IMAP: add --starttls imap, or use the implicit-TLS port 993")
    } else if upper.starts_with("-ERR") || upper.starts_with("+PONG") {
        Some("Redis, without TLS")
    } else if bytes.get(4) == Some(&0x0a) && bytes.len() > 5 {
        Some("MySQL: add --starttls mysql (it upgrades inside its own protocol)")
    } else if bytes.first() == Some(&b'E') && bytes.get(5) == Some(&b'S') {
        Some("PostgreSQL: add --starttls postgres (it upgrades with an SSLRequest)")
    } else {
        None
    };
    match protocol {
        Some(p) => format!("the server speaks {p}; it answered \"{first_line}\""),
        None => format!(
            "the server's first bytes are not a TLS record: \"{}\"",
            bytes
                .iter()
                .take(32)
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect::<String>()
        ),
    }
}

/// "certificate_required (116)": an alert as the RFCs and other tools' messages name it.
pub fn alert_label(alert: u8) -> String {
    let name = match alert {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "unknown_alert",
    };
    format!("{name} ({alert})")
}

fn alert_hint(alert: u8, name: &str) -> String {
    let hint = match alert {
        40 => "no protocol version, cipher suite or signature algorithm in common, or the server wants something the client did not send".to_string(),
        70 => "the server does not accept TLS 1.2 or 1.3".to_string(),
        112 => format!("the server has no certificate for the name {name}; check --servername"),
        116 | 42 | 48 | 49 => "the server requires a client certificate".to_string(),
        80 => "the server failed internally, often because no certificate is configured for this name".to_string(),
        120 => "the server insists on an application protocol (ALPN) other than h2 or http/1.1".to_string(),
        _ => return String::new(),
    };
    format!(": {hint}")
}

/// A handshake completed only with what tlsdoctor's capture adds to rustls' defaults (an
/// FFDHE or P-521 group, an AES-CCM suite): the server refused rustls' own lists, so clients
/// with lists like them fail. Named so that reaching the chain never reads as "ok".
pub fn beyond_defaults(negotiated: &crate::capture::Negotiated) -> Vec<Finding> {
    let defaults = crate::capture::provider();
    let mut findings = Vec::new();
    if let Some(group) = &negotiated.key_exchange
        && !defaults
            .kx_groups
            .iter()
            .any(|g| g.name().as_str() == Some(group.as_str()))
    {
        let name = group.to_ascii_lowercase();
        findings.push(Finding::new(
            Cause::NoSharedGroup,
            format!(
                "the handshake worked only with {group}, which tlsdoctor offers after rustls' \
                 X25519, P-256 and P-384: the server accepts none of those, so clients without \
                 {group} fail ({})",
                lacking(|p| !p.groups.value.contains(&name))
            ),
        ));
    }
    let suite = &negotiated.cipher_suite;
    let name = suite.replacen("TLS13_", "TLS_", 1);
    if suite.contains("CCM")
        && !defaults
            .cipher_suites
            .iter()
            .any(|s| s.suite().as_str() == Some(suite.as_str()))
    {
        findings.push(Finding::new(
            Cause::NoSharedCipher,
            format!(
                "the handshake worked only with {name}, which tlsdoctor offers after rustls' \
                 AES-GCM and ChaCha20 suites: clients without it fail ({})",
                lacking(|p| !p.cipher_suites.value.contains(&name))
            ),
        ));
    }
    findings
}

/// Which client profiles `lacks` holds for, by family (`go`, or `python-3.8, python-3.9` when
/// only some versions of a family lack it), from the profile data rather than a list kept here.
fn lacking(lacks: impl Fn(&crate::clients::Profile) -> bool) -> String {
    let Ok(profiles) = crate::clients::all() else {
        return "the client profiles could not be read".into();
    };
    let mut families: Vec<(&str, Vec<&str>, usize)> = Vec::new();
    for p in profiles {
        let at = match families.iter().position(|(f, ..)| *f == p.family) {
            Some(at) => at,
            None => {
                families.push((&p.family, Vec::new(), 0));
                families.len() - 1
            }
        };
        families[at].2 += 1;
        if lacks(p) {
            families[at].1.push(&p.id);
        }
    }
    let named: Vec<String> = families
        .iter()
        .filter(|(_, ids, _)| !ids.is_empty())
        .map(|(family, ids, all)| match ids.len() == *all {
            true => family.to_string(),
            false => ids.join(", "),
        })
        .collect();
    match named.is_empty() {
        true => "no client profile lacks it".into(),
        false => format!("of the client profiles: {}", named.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_like_the_rfc() {
        assert_eq!(alert_label(40), "handshake_failure (40)");
        assert_eq!(alert_label(48), "unknown_ca (48)");
        assert_eq!(alert_label(116), "certificate_required (116)");
    }

    fn failed(failure: Failure) -> Capture {
        Capture {
            failure: Some(failure),
            ..Capture::default()
        }
    }

    fn cause_of(capture: &Capture) -> Cause {
        check("example.test", "example.test", capture)
            .map(|f| f.cause)
            .unwrap_or(Cause::RejectedByVerifier)
    }

    #[test]
    fn network_failures_map_to_their_causes() {
        let address = "192.0.2.1:443".parse().unwrap();
        let unreachable = std::io::Error::from(ErrorKind::NetworkUnreachable);
        assert_eq!(
            cause_of(&failed(Failure::Connect(address, unreachable))),
            Cause::ConnectionFailed
        );
        let refused = std::io::Error::from(ErrorKind::ConnectionRefused);
        assert_eq!(
            cause_of(&failed(Failure::Connect(address, refused))),
            Cause::ConnectionRefused
        );
        assert_eq!(cause_of(&failed(Failure::NoAddresses)), Cause::DnsFailure);
        let resolve = std::io::Error::other("Name or service not known");
        assert_eq!(
            cause_of(&failed(Failure::Resolve(resolve))),
            Cause::DnsFailure
        );
        let timeout = Failure::Timeout {
            phase: Phase::Connecting,
            limit: std::time::Duration::from_secs(3),
        };
        assert_eq!(cause_of(&failed(timeout)), Cause::Timeout);
        assert!(check("h", "h", &Capture::default()).is_none());
    }

    #[test]
    fn protocols_are_recognised() {
        assert!(not_tls_detail(b"HTTP/1.1 400 Bad Request\r\n").contains("plain HTTP"));
        assert!(not_tls_detail(b"SSH-2.0-OpenSSH_9.2\r\n").contains("SSH"));
        assert!(not_tls_detail(b"220 mail.example.com ESMTP Postfix\r\n").contains("SMTP"));
        assert!(not_tls_detail(b"* OK IMAP4rev1 ready\r\n").contains("IMAP"));
        assert!(not_tls_detail(&[0xde, 0xad, 0xbe, 0xef]).contains("not a TLS record"));
        assert!(looks_like_tls(&[0x16, 0x03, 0x03]));
        assert!(!looks_like_tls(b"HTTP/1.1"));
    }
}
