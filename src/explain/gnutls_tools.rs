//! What git (git-remote-https over libcurl-gnutls) and apt's https method print, the two GnuTLS
//! programs most people meet on Debian and Ubuntu. GnuTLS's own verification words ("The
//! certificate issuer is unknown", ...) are in the general table; these are the programs' own
//! frames around GnuTLS, and the alert names libcurl and apt print instead of a reason.
//! Recorded from git 2.47.3 and apt 2.6 against the scenarios of tests/data/client-errors
//! (tests/data/gnutls-tools, 2026-12-05), except where a rule says otherwise.

use super::rules::{Rule, rule};
use crate::causes::Cause::*;

/// The client certificate's causes, when all a program saw is that the server ended the
/// connection with an alert after the handshake: in TLS 1.3 the server's verdict on the client
/// certificate arrives only then, and git and apt print the alert, not its name.
const AFTER_TLS13_HANDSHAKE: &[(crate::causes::Cause, u8)] = &[
    (ClientCertRequired, 5),
    (ClientCaNotAccepted, 5),
    (ClientCertExpired, 4),
    (ClientWrongEku, 4),
    (ClientCertRejected, 4),
];

pub static RULES: &[Rule] = &[
    Rule {
        note: "libcurl over GnuTLS does not say why it did not trust the server: \
               `gnutls-cli HOST -p PORT` or `tlsdoctor check` names the reason. The CAfile it \
               names is the bundle it read: a private CA must be in it (or GIT_SSL_CAINFO).",
        source: "recorded from git 2.47.3 for every chain problem of the client-errors fixtures; \
                 curl lib/vtls/gtls.c prints the line",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["server certificate verification failed. cafile:"],
            "The server's certificate chain did not verify against the CA bundle named.",
            &[
                (MissingIntermediate, 4),
                (UnknownIssuer, 4),
                (PrivateRoot, 3),
                (Expired, 3),
                (SelfSignedLeaf, 2),
            ],
        )
    },
    Rule {
        source: "recorded from git 2.47.3 (a leaf for another name, a wildcard for another \
                 domain); curl lib/vtls/gtls.c",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["does not match target host name"],
            "The certificate is not valid for the host name connected to.",
            &[(HostnameMismatch, 9), (NoSan, 2)],
        )
    },
    Rule {
        source: "recorded from git 2.47.3: libcurl prints gnutls_alert_get_name of the alert \
                 the server sent (certificate_expired, 45) about the client certificate",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["gnutls_handshake() failed: certificate is expired"],
            "The server refused the client certificate as expired.",
            &[(ClientCertExpired, 9)],
        )
    },
    Rule {
        source: "recorded from git 2.47.3: the server's unsupported_certificate (43) alert, sent \
                 for a client certificate without clientAuth",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["gnutls_handshake() failed: certificate is not supported"],
            "The server refused the client certificate's purpose or type.",
            &[(ClientWrongEku, 8), (ClientCertRejected, 4)],
        )
    },
    Rule {
        source: "recorded from git 2.47.3: the server's decrypt_error (51) alert, for a client \
                 certificate signed by another key than the CA of its name",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["gnutls_handshake() failed: decrypt error"],
            "The server could not verify a signature from the client: the client certificate \
             was signed by another key than the CA it names, or the client key does not match.",
            &[
                (ClientCertRejected, 6),
                (ClientKeyMismatch, 5),
                (ClientCaNotAccepted, 5),
            ],
        )
    },
    Rule {
        note: "In TLS 1.3 a server refuses a client certificate after the handshake, so the \
               client sees only that an alert came. The server's log says why.",
        source: "recorded from git 2.47.3 against a TLS 1.3 server refusing five kinds of \
                 client certificate (or none)",
        ..rule(
            "git / curl (libcurl with GnuTLS)",
            &["gnutls recv error (-12): a tls fatal alert has been received"],
            "The server sent a fatal alert after the handshake.",
            AFTER_TLS13_HANDSHAKE,
        )
    },
    Rule {
        note: "apt prints no alert name: with a client certificate configured \
               (Acquire::https::SslCert) it is most often that certificate; the server's log \
               says why.",
        source: "recorded from apt 2.6 (apt-helper download-file) against a TLS 1.2 server \
                 refusing five kinds of client certificate (or none), and one sharing no suite",
        ..rule(
            "apt (https method, GnuTLS)",
            &["could not handshake: a tls fatal alert has been received"],
            "The server ended the handshake with a fatal alert.",
            &[
                (ClientCertRequired, 5),
                (ClientCaNotAccepted, 5),
                (NoSharedCipher, 4),
                (ClientCertExpired, 3),
                (ClientWrongEku, 3),
                (ClientCertRejected, 3),
            ],
        )
    },
    Rule {
        note: "apt says \"Connection failed\" when reading fails after the handshake: in TLS \
               1.3 that is how a refused client certificate arrives.",
        source: "recorded from apt 2.6 against a TLS 1.3 server refusing five kinds of client \
                 certificate (or none)",
        also: &["failed to fetch"],
        ..rule(
            "apt (https method, GnuTLS)",
            &["connection failed [ip:"],
            "The connection broke after the TLS handshake.",
            AFTER_TLS13_HANDSHAKE,
        )
    },
    Rule {
        source: "recorded from wget 1.21.3 (GnuTLS) against the wildcard fixture \
                 (*.wild.test) asked as 127.0.0.1; wget src/gnutls.c prints it",
        ..rule(
            "wget (GnuTLS)",
            &["the certificate's owner does not match hostname"],
            "The certificate is not valid for the host name wget connected to.",
            &[(HostnameMismatch, 9), (NoSan, 3)],
        )
    },
    Rule {
        note: "The server closed the connection without a TLS alert: often a server that \
               refuses the SNI name or the client's offer silently, or (TLS 1.3) one that \
               dropped a client it wanted a certificate from.",
        source: "GnuTLS lib/errors.c, GNUTLS_E_PREMATURE_TERMINATION, as wget and gnutls-cli \
                 print it",
        ..rule(
            "GnuTLS",
            &["the tls connection was non-properly terminated"],
            "The server closed the connection in the middle of the TLS exchange.",
            &[
                (HandshakeFailure, 6),
                (ClientCertRequired, 3),
                (ProtocolTooOld, 2),
                (NotTls, 2),
            ],
        )
    },
    Rule {
        note: "In TLS 1.3 a server refuses a client certificate after the handshake; wget \
               then fails writing its request. The server's log says why.",
        source: "recorded from wget 1.21.3 (GnuTLS) against a TLS 1.3 openssl s_server that \
                 requires a client certificate, none sent; GnuTLS lib/errors.c, \
                 GNUTLS_E_INVALID_SESSION",
        ..rule(
            "wget (GnuTLS)",
            &["the specified session has been invalidated for some reason"],
            "The server ended the session right after the handshake.",
            AFTER_TLS13_HANDSHAKE,
        )
    },
    Rule {
        note: "wget prints its reason on the line before this one (\"GnuTLS: ...\", \
               \"ERROR: The certificate of ...\"): paste both lines.",
        source: "wget src/http.c, after any failed TLS connection",
        ..rule(
            "wget",
            &["unable to establish ssl connection"],
            "wget could not set up TLS with the server.",
            &[(HandshakeFailure, 3)],
        )
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_says_where_its_words_come_from() {
        for rule in RULES {
            assert!(!rule.source.is_empty(), "{}: {:?}", rule.producer, rule.any);
        }
    }
}
