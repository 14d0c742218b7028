//! Which certificate a message is about. A server that verifies its clients (mutual TLS) logs
//! the same OpenSSL words a client prints — "certificate has expired", "unable to get local
//! issuer certificate" — but about the certificate the *client* sent. When a message carries a
//! server's marks of that, the chain causes the words point at are read as the client
//! certificate's: `expired` becomes `client-cert-expired`, and so on.
//!
//! The marks are recorded from the real servers (tests/data/server-logs, 2026-12-05) or, for
//! Envoy, taken from its source; each says which.

use super::rules::{Rule, rule};
use crate::causes::Cause::{self, *};

/// One server's marks of a log line about its client's certificate.
pub struct Mark {
    pub producer: &'static str,
    /// Any of these (lowercase) in the message.
    pub any: &'static [&'static str],
    /// Where the words come from.
    // For reviewers and the data tests; the matcher does not need it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
}

pub static MARKS: &[Mark] = &[
    Mark {
        producer: "nginx (verifying a client certificate)",
        any: &[
            "client ssl certificate verify error",
            "client sent no required ssl certificate",
            "no required ssl certificate was sent",
            "the ssl certificate error",
        ],
        source: "recorded from nginx 1.22.1 (error_log at info, and the 400 pages) with \
                 ssl_verify_client on",
    },
    Mark {
        producer: "Apache httpd (mod_ssl, verifying a client certificate)",
        any: &[
            "ah02276",
            "ah02039",
            "certificate verification: error",
            "peer did not return a certificate -- no cas known to server",
        ],
        source: "recorded from Apache 2.4.71 (mod_ssl, LogLevel ssl:info) with SSLVerifyClient \
                 require",
    },
    Mark {
        producer: "HAProxy (verifying a client certificate)",
        any: &[
            "ssl client certificate not trusted",
            "ssl client ca chain cannot be verified",
        ],
        source: "recorded from HAProxy 2.6.12 with `verify required` on the bind line (\"not \
                 trusted\"); \"CA chain cannot be verified\" is the other client-certificate \
                 error of its connection error strings (src/connection.c, conn_err_code_str)",
    },
    Mark {
        producer: "OpenSSL as a server (s_server, and servers that log its errors)",
        any: &[
            "tls_process_client_certificate",
            "peer did not return a certificate",
        ],
        source: "recorded from openssl s_server 3.0.19 with -Verify 1 -verify_return_error",
    },
    Mark {
        producer: "Envoy (downstream TLS)",
        any: &[
            "peer_did_not_return_a_certificate",
            "ssl.fail_verify_no_cert",
            "ssl.fail_verify_error",
            "ssl.fail_verify_cert_hash",
            "ssl.fail_verify_san",
        ],
        source: "Envoy source/common/tls/context_impl.cc (the ssl.fail_verify_* statistics) and \
                 BoringSSL's PEER_DID_NOT_RETURN_A_CERTIFICATE reason",
    },
];

/// Server-side wording that no client prints.
pub static RULES: &[Rule] = &[
    Rule {
        source: "recorded from nginx 1.22.1, Apache 2.4.71 and openssl s_server 3.0.19 when the \
                 client sends no certificate",
        ..rule(
            "a TLS server requiring a client certificate",
            &[
                "client sent no required ssl certificate",
                "peer did not return a certificate",
                "peer_did_not_return_a_certificate",
                "ssl.fail_verify_no_cert",
            ],
            "The server requires a client certificate and the client sent none: it has none \
             configured, or (Go, Java) it withheld one the server's CA list does not name.",
            &[(ClientCertRequired, 10), (ClientCaNotAccepted, 3)],
        )
    },
    Rule {
        source: "recorded from HAProxy 2.6.12: the same words for a client certificate from a \
                 CA it does not list, an expired one, one without clientAuth and a bad signature",
        ..rule(
            "HAProxy (verifying a client certificate)",
            &["ssl client certificate not trusted"],
            "HAProxy refused the client certificate (verify required): the CA is not in its \
             ca-file, or the certificate is expired, lacks clientAuth or is badly signed.",
            &[
                (ClientCaNotAccepted, 6),
                (ClientCertExpired, 5),
                (ClientWrongEku, 5),
                (ClientCertRejected, 5),
                (ClientMissingIntermediate, 3),
            ],
        )
    },
    // A handshake signature that does not verify, on the server: the client's CertificateVerify
    // was made with a key that is not its certificate's.
    Rule {
        source: "recorded from openssl s_server 3.0.19 when the client signs with another key \
                 than its certificate's",
        ..rule(
            "OpenSSL as a server (s_server, and servers that log its errors)",
            &["tls_process_cert_verify:bad signature"],
            "The client's handshake signature does not verify with the public key of the \
             certificate it sent: its key is not that certificate's.",
            &[(ClientKeyMismatch, 10)],
        )
    },
    Rule {
        also: &["ssl_do_handshake() failed"],
        source: "recorded from nginx 1.22.1 when the client signs with another key than its \
                 certificate's",
        ..rule(
            "nginx (verifying a client certificate)",
            &["routines::bad signature"],
            "The client's handshake signature does not verify with its certificate's key.",
            &[(ClientKeyMismatch, 9), (ClientCertRejected, 3)],
        )
    },
    Rule {
        also: &["ah02008"],
        source: "recorded from Apache 2.4.71 (mod_ssl) when the client signs with another key \
                 than its certificate's",
        ..rule(
            "Apache httpd (mod_ssl, verifying a client certificate)",
            &["routines::bad signature"],
            "The client's handshake signature does not verify with its certificate's key.",
            &[(ClientKeyMismatch, 9), (ClientCertRejected, 3)],
        )
    },
    Rule {
        source: "HAProxy src/connection.c conn_err_code_str, CO_ER_SSL_CA_FAIL",
        ..rule(
            "HAProxy (verifying a client certificate)",
            &["ssl client ca chain cannot be verified"],
            "HAProxy could not build the client certificate's chain to a CA in its ca-file.",
            &[(ClientCaNotAccepted, 8), (ClientMissingIntermediate, 6)],
        )
    },
    Rule {
        note: "HAProxy logs this for every handshake a client did not finish: a client that \
               refused HAProxy's certificate, shared no version or suite, or (with verify \
               required) sent no certificate. The client's own error says which.",
        source: "recorded from HAProxy 2.6.12 (`verify required`, no client certificate); \
                 src/connection.c, CO_ER_SSL_HANDSHAKE",
        ..rule(
            "HAProxy (a frontend's connection log)",
            &["ssl handshake failure"],
            "A client did not complete the TLS handshake with this HAProxy frontend.",
            // Recorded for a missing client certificate and for a client key that does not
            // match its certificate; the others are what it also means on any frontend.
            &[
                (ClientCertRequired, 5),
                (ClientKeyMismatch, 4),
                (HandshakeFailure, 3),
                (NoSharedCipher, 3),
                (MissingIntermediate, 2),
            ],
        )
    },
];

/// The server whose marks `text` (normalised) carries, if it is about a client certificate.
pub fn client_certificate_judge(text: &str) -> Option<&'static str> {
    MARKS
        .iter()
        .find(|m| m.any.iter().any(|p| text.contains(p)))
        .map(|m| m.producer)
}

/// Words that say the certificate in question is a client's, without a server's marks: a
/// verifier's message naming it so ("client certificate ... verify failed").
const ABOUT_CLIENT_CERTIFICATE: &[&str] = &[
    "client certificate",
    "client cert ",
    "peer certificate of the client",
];

/// Words of a pasted command that sends a client certificate (curl, openssl s_client, wget,
/// git's and psql's settings): an alert the server sent is then most likely about it.
const SENDS_CLIENT_CERTIFICATE: &[&str] = &[
    "--cert ",
    " -cert ",
    "--certificate=",
    "sslcert",
    "http.sslcert",
    "--client-cert",
];

/// Whether the text names the certificate in question as a client's.
pub fn about_client_certificate(text: &str) -> bool {
    ABOUT_CLIENT_CERTIFICATE.iter().any(|p| text.contains(p))
        && !text.contains("no client certificate")
}

/// Whether the pasted text shows a client that sends a certificate (mutual TLS).
pub fn sends_client_certificate(text: &str) -> bool {
    SENDS_CLIENT_CERTIFICATE.iter().any(|p| text.contains(p))
}

/// What a chain cause means when the chain is the client's: the causes it becomes, with the
/// share of the weight each gets. `None`: the cause is not about a certificate chain (a
/// handshake, a protocol) and stays as it is.
pub fn as_client_cause(cause: Cause) -> Option<&'static [(Cause, u8)]> {
    Some(match cause {
        Expired | NotYetValid => &[(ClientCertExpired, 10)],
        WrongEku | BadKeyUsage => &[(ClientWrongEku, 10)],
        // The issuer was not found: from the server's side, most often a CA it does not list.
        UnknownIssuer | PrivateRoot | UntrustedRoot | SelfSignedLeaf | OutdatedSystemStore => {
            &[(ClientCaNotAccepted, 10)]
        }
        MissingIntermediate => &[(ClientCaNotAccepted, 10), (ClientMissingIntermediate, 9)],
        BadSignature | NotACa | PathLengthExceeded | NameConstraintsViolation | Revoked => {
            &[(ClientCertRejected, 10)]
        }
        WeakKey | WeakSignature | UnsupportedAlgorithm => &[(ClientCertPolicy, 10)],
        KeyMismatch => &[(ClientKeyMismatch, 10)],
        // A server does not check its client's name against a host.
        HostnameMismatch | NoSan => &[],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_rule_says_where_its_words_come_from() {
        for rule in RULES {
            assert!(!rule.source.is_empty(), "{}: {:?}", rule.producer, rule.any);
        }
    }

    #[test]
    fn every_mark_is_lowercase_and_sourced() {
        for mark in MARKS {
            assert!(!mark.source.is_empty(), "{}", mark.producer);
            for phrase in mark.any {
                assert_eq!(*phrase, phrase.to_lowercase(), "{}", mark.producer);
            }
        }
    }

    #[test]
    fn chain_causes_become_client_causes() {
        for cause in [Expired, WrongEku, UnknownIssuer, BadSignature, KeyMismatch] {
            let mapped = as_client_cause(cause).unwrap_or_default();
            assert!(!mapped.is_empty(), "{cause:?}");
            assert!(mapped.iter().all(|(c, _)| c.id().starts_with("client-")));
        }
        assert!(as_client_cause(HandshakeFailure).is_none());
    }
}
