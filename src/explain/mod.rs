//! `tlsdoctor explain`: from an error message some client printed to the likely causes, how to
//! tell them apart, and the check to run next.
//!
//! Matching is phrase search over a rule table ([`rules`]), tolerant of whole log lines,
//! stack traces, JSON escaping and case. A message that matches nothing is said to be
//! unrecognised; nothing is guessed.

mod clients;
mod deploy;
mod gnutls_tools;
mod negotiation;
mod programs;
mod rules;
mod side;
mod tell;

use crate::causes::Cause;
use regex_lite::Regex;
use serde::Serialize;
use std::sync::OnceLock;

/// How many candidate causes are shown, at most.
pub const MAX_CANDIDATES: usize = 5;
/// How much of a message is read: the end of a long log is where the error usually is.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// What a message was found to say.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub schema_version: u32,
    pub recognised: bool,
    /// Who printed it, most specific first.
    pub producers: Vec<&'static str>,
    /// What it means, in plain words.
    pub meaning: Option<&'static str>,
    /// Caveats from the matched rules.
    pub notes: Vec<std::borrow::Cow<'static, str>>,
    /// Likely causes, most likely first.
    pub candidates: Vec<Candidate>,
    /// The host and port found in the message, if any.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The tlsdoctor command to run next.
    pub next: String,
}

/// One candidate cause.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub cause: Cause,
    pub title: &'static str,
    /// Relative weight of the evidence, 0 to 1 (the top candidate has 1).
    pub score: f64,
    /// What tells this cause apart from the others.
    pub tell: String,
}

/// Explains one message.
pub fn explain(message: &str) -> Explanation {
    let text = normalise(message);
    let mut scores: Vec<(Cause, u32)> = Vec::new();
    let mut matched: Vec<&rules::Rule> = Vec::new();
    for rule in every_rule() {
        let hit = rule.any.iter().any(|p| text.contains(p))
            && rule.also.iter().all(|p| text.contains(p))
            && !rule.unless.iter().any(|p| text.contains(p));
        if !hit {
            continue;
        }
        matched.push(rule);
        for &(cause, weight) in rule.causes {
            match scores.iter_mut().find(|(c, _)| *c == cause) {
                Some((_, score)) => *score += u32::from(weight),
                None => scores.push((cause, u32::from(weight))),
            }
        }
    }
    // A server's log about the certificate its client sent: the chain causes are the client's.
    let judge = side::client_certificate_judge(&text);
    if judge.is_some() || side::about_client_certificate(&text) {
        scores = as_client_certificate(scores);
    } else if side::sends_client_certificate(&text) {
        // The pasted command sends a certificate: an alert is then most likely about it.
        for (cause, score) in &mut scores {
            if cause.id().starts_with("client-") {
                *score *= 2;
            }
        }
        scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    // Most specific rule first: the one with the strongest single weight.
    matched.sort_by_key(|r| std::cmp::Reverse(r.causes.iter().map(|c| c.1).max().unwrap_or(0)));
    scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // Read as the client that printed it: what that client's policy accepts is no cause.
    let family = clients::family(&text);
    let version = family.and_then(|f| clients::profile(&text, f));
    let selector = version.as_deref().or(family);
    let mut ruled_out = Vec::new();
    if let Some(selector) = selector.filter(|_| !clients::own_policy(&text)) {
        // A cause the message names outright (a rule of weight 8 or more) stays: the words
        // beat the profile, which may stand for a sibling program (wget for gnutls-cli).
        let named = |cause: Cause| {
            matched
                .iter()
                .any(|r| r.causes.iter().any(|&(c, w)| c == cause && w >= 8))
        };
        let (out, kept): (Vec<_>, Vec<_>) = scores
            .iter()
            .partition(|(cause, _)| !named(*cause) && clients::rules_out(selector, *cause));
        if !kept.is_empty() && !out.is_empty() {
            ruled_out = out.iter().map(|(cause, _)| cause.id()).collect();
            scores = kept;
        }
    }
    let top = scores.first().map_or(1, |s| s.1).max(1);
    let candidates: Vec<Candidate> = scores
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(cause, score)| Candidate {
            cause,
            title: cause.entry().title,
            score: f64::from(score) / f64::from(top),
            tell: tell::tell(cause, selector),
        })
        .collect();
    let mut producers: Vec<&'static str> = judge.into_iter().collect();
    let mut notes: Vec<std::borrow::Cow<'static, str>> = Vec::new();
    if judge.is_some() {
        notes.push(
            "A server wrote this about the certificate its client sent (mutual TLS): the fix is \
             the client's certificate, or the CA list the server accepts."
                .into(),
        );
    }
    for rule in &matched {
        if !producers.contains(&rule.producer) {
            producers.push(rule.producer);
        }
        if !rule.note.is_empty() && !notes.iter().any(|n| n == rule.note) {
            notes.push(rule.note.into());
        }
    }
    if let Some(selector) = selector.filter(|_| !ruled_out.is_empty()) {
        notes.push(
            format!(
                "Read as {selector}: left out {}, which that client's policy accepts.",
                ruled_out.join(", ")
            )
            .into(),
        );
    }
    let (host, port) = target(&text);
    let next = next_command(host.as_deref(), port, &candidates, &text, selector);
    Explanation {
        schema_version: crate::report::SCHEMA_VERSION,
        recognised: !candidates.is_empty(),
        producers,
        meaning: matched.first().map(|r| r.meaning),
        notes,
        candidates,
        host,
        port,
        next,
    }
}

/// The rule tables: the TLS libraries' words, the programs' own, what servers and the path
/// between print, each client's negotiation and policy wording, then what only servers write.
fn every_rule() -> impl Iterator<Item = &'static rules::Rule> {
    rules::RULES
        .iter()
        .chain(programs::RULES)
        .chain(deploy::RULES)
        .chain(negotiation::RULES)
        .chain(gnutls_tools::RULES)
        .chain(side::RULES)
}

/// The scores with every chain cause read as the client certificate's (see [`side`]).
fn as_client_certificate(scores: Vec<(Cause, u32)>) -> Vec<(Cause, u32)> {
    let mut client: Vec<(Cause, u32)> = Vec::new();
    let mut add = |cause: Cause, weight: u32| match client.iter_mut().find(|(c, _)| *c == cause) {
        Some((_, score)) => *score += weight,
        None => client.push((cause, weight)),
    };
    for (cause, weight) in scores {
        match side::as_client_cause(cause) {
            Some(mapped) => {
                for &(to, share) in mapped {
                    add(to, weight * u32::from(share) / 10);
                }
            }
            None => add(cause, weight),
        }
    }
    client.retain(|(_, weight)| *weight > 0);
    client
}

/// Lowercase, JSON and C escapes undone, whitespace folded: how log lines are compared.
fn normalise(message: &str) -> String {
    let start = message.len().saturating_sub(MAX_MESSAGE_BYTES);
    let start = (start..=message.len())
        .find(|&i| message.is_char_boundary(i))
        .unwrap_or(0);
    let tail = &message[start..];
    let unescaped = tail
        .replace("\\r\\n", " ")
        .replace("\\n", " ")
        .replace("\\t", " ")
        .replace("\\\"", "\"")
        .replace("\\u0026", "&")
        .replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0027", "'")
        .replace("\\\\", "\\");
    unescaped
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The host and port a message names, trying the shapes clients print them in.
fn target(text: &str) -> (Option<String>, Option<u16>) {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            r#"https?://([a-z0-9][a-z0-9.-]*[a-z0-9])(?::(\d{1,5}))?"#,
            r#"host='([a-z0-9][a-z0-9.-]*)', port=(\d{1,5})"#,
            r#"connect to ([a-z0-9][a-z0-9.-]*) port (\d{1,5})"#,
            r#"(?:host name|hostname|host) '([a-z0-9][a-z0-9.-]*)'"#,
            r#"valid for [^,]*(?:, [^,]*)*, not ([a-z0-9][a-z0-9.-]*)"#,
            r#"name matching ([a-z0-9][a-z0-9.-]*) found"#,
            r#"host: ([a-z0-9][a-z0-9.-]*[a-z0-9])\.? is not in the cert"#,
            r#"dial tcp ([0-9.]+):(\d{1,5})"#,
            // nginx's error log: `host: "api.example.com:8443"`, the name the client asked for.
            r#"host: "([a-z0-9][a-z0-9.-]*[a-z0-9])(?::(\d{1,5}))?""#,
            // libpq: `connection to server at "db.example.com" (10.0.0.5), port 5432 failed`.
            r#"server at "([a-z0-9][a-z0-9.-]*)"(?: \([^)]*\))?, port (\d{1,5})"#,
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    });
    for pattern in patterns {
        if let Some(captures) = pattern.captures(text) {
            let host = captures.get(1).map(|m| m.as_str().to_string());
            let port = captures.get(2).and_then(|m| m.as_str().parse().ok());
            if host
                .as_deref()
                .is_some_and(|h| h.contains('.') || h == "localhost")
            {
                return (host, port);
            }
        }
    }
    (None, None)
}

fn next_command(
    host: Option<&str>,
    port: Option<u16>,
    candidates: &[Candidate],
    text: &str,
    client: Option<&str>,
) -> String {
    let target = match (host, port) {
        (Some(h), Some(p)) if p != 443 => format!("{h}:{p}"),
        (Some(h), _) => h.to_string(),
        (None, _) => "HOST:PORT".to_string(),
    };
    let mutual = candidates
        .iter()
        .take(3)
        .any(|c| c.cause.id().starts_with("client-"));
    // Problems of the client machine are found on it, not on the server.
    match candidates.first().map(|c| c.cause) {
        Some(Cause::DockerRegistryCa) => return format!("tlsdoctor trust --registry {target}"),
        Some(
            Cause::AnchorMissing
            | Cause::AnchorNotCompiled
            | Cause::AnchorWrongExtension
            | Cause::AnchorIsLeaf
            | Cause::ClientBundleSeparate
            | Cause::StoreMinimal
            | Cause::ContainerStoreMissing,
        ) => return format!("tlsdoctor trust --host {target}"),
        _ => {}
    }
    // A key refused at start-up: no server answers yet, so the files are what to check.
    if candidates.first().map(|c| c.cause) == Some(Cause::KeyMismatch) {
        return "tlsdoctor check --file cert.pem --key key.pem".to_string();
    }
    let mut command = format!("tlsdoctor check {target}");
    if mutual {
        command.push_str(" --cert client.pem --key client.key");
    }
    // Judged as the client that printed it: its store, its policy, its own ClientHello.
    if let Some(client) = client {
        command.push_str(&format!(" --clients {client}"));
    }
    match candidates.first().map(|c| c.cause) {
        Some(Cause::StarttlsNotOffered | Cause::StarttlsRefused) => {
            if let Some(protocol) = plain_text_protocol(text) {
                command.push_str(&format!(" --starttls {protocol}"));
            }
        }
        Some(Cause::ProxyUnreachable | Cause::ProxyAuthRequired | Cause::ProxyRefused) => {
            command.push_str(" --proxy http://PROXY:PORT");
        }
        Some(Cause::Revoked | Cause::RevocationUnknown) => command.push_str(" --revocation ocsp"),
        _ => {}
    }
    command
}

/// The STARTTLS protocol a message is about, from the words its clients use.
fn plain_text_protocol(text: &str) -> Option<&'static str> {
    const WORDS: [(&str, &[&str]); 5] = [
        (
            "postgres",
            &[
                "psql",
                "postgres",
                "libpq",
                "ssl was required",
                "server does not support ssl",
            ],
        ),
        ("mysql", &["mysql", "mariadb"]),
        ("imap", &["imap"]),
        ("ldap", &["ldap"]),
        ("smtp", &["smtp", "ehlo", "starttls", "454 4.7"]),
    ];
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map(|(protocol, _)| *protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_and_json_escapes_are_tolerated() {
        let line = r#"{"ts":"2026-11-25T10:00:00Z","msg":"Get \"https://api.example.com:8443/v1\": x509: certificate signed by unknown authority"}"#;
        let e = explain(line);
        assert!(e.recognised);
        assert_eq!(e.host.as_deref(), Some("api.example.com"));
        assert_eq!(e.port, Some(8443));
        assert_eq!(e.next, "tlsdoctor check api.example.com:8443 --clients go");
        assert_eq!(e.producers[0], "Go (crypto/x509)");
    }

    #[test]
    fn a_server_log_about_a_client_certificate_names_the_clients_cause_and_the_host() {
        let line = r#"2026/12/05 05:51:02 [info] 12#12: *7 client SSL certificate verify error: (10:certificate has expired) while reading client request headers, client: 10.0.0.7, server: api.example.com, request: "GET / HTTP/1.1", host: "api.example.com:8443""#;
        let e = explain(line);
        assert_eq!(e.candidates[0].cause, Cause::ClientCertExpired);
        assert!(!e.candidates.iter().any(|c| c.cause == Cause::Expired));
        assert_eq!(
            e.next,
            "tlsdoctor check api.example.com:8443 --cert client.pem --key client.key"
        );
    }

    #[test]
    fn a_pasted_command_that_sends_a_certificate_puts_the_client_certificate_first() {
        let alert = "remote error: tls: handshake failure";
        let without = explain(alert);
        assert_eq!(without.candidates[0].cause, Cause::NoSharedCipher);
        let with = explain(&format!(
            "$ curl --cert me.pem --key me.key https://a.example/\n{alert}"
        ));
        assert_eq!(with.candidates[0].cause, Cause::ClientCertRequired);
        let named = explain("client certificate verify failed: certificate has expired");
        assert_eq!(named.candidates[0].cause, Cause::ClientCertExpired);
    }

    #[test]
    fn nothing_is_guessed_for_other_text() {
        for text in [
            "",
            "hello world",
            "\u{0}\u{1}binary\u{fffd}",
            "error: disk full",
        ] {
            let e = explain(text);
            assert!(!e.recognised, "{text:?}");
            assert!(e.candidates.is_empty());
        }
    }

    #[test]
    fn huge_input_is_read_from_its_end() {
        let mut text = "x".repeat(3 * MAX_MESSAGE_BYTES);
        text.push_str(" curl: (60) SSL certificate problem: certificate has expired");
        let e = explain(&text);
        assert_eq!(e.candidates[0].cause, Cause::Expired);
    }

    #[test]
    fn every_rule_phrase_is_lowercase() {
        for rule in every_rule() {
            for phrase in rule.any.iter().chain(rule.also).chain(rule.unless) {
                assert_eq!(*phrase, phrase.to_lowercase(), "{}", rule.producer);
            }
        }
    }
}
