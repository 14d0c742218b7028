//! Negotiation and certificate-policy errors as each client words them: what it prints when it
//! shares no version, suite, group or signature scheme with the server, or refuses a key, hash,
//! name or purpose its policy forbids. Most are recorded from real clients against the
//! `openssl s_server` configurations of tests/data/clients (outcomes.json, 2026-12-04); each
//! rule's `source` says which, or which source file prints the words.

use super::rules::{NO_PATH, Rule, rule};
use crate::causes::Cause::*;

/// wget's lines that give a reason; "is not trusted" alone means a status it does not word.
const WGET_REASONS: &[&str] = &[
    "known issuer",
    "has been revoked",
    "was not a ca",
    "insecure algorithm",
    "is not yet activated",
    "has expired",
];

pub static RULES: &[Rule] = &[
    // ---- Chromium's net errors. ----
    Rule {
        note: "Chromium offers no DHE suites, no AES-CCM, no X448, P-521 or ffdhe groups, and no \
               Ed25519, ECDSA P-521 or RSA-PSS-key (rsa_pss_pss_*) signature schemes.",
        source: "recorded from Chromium 156 against TLS 1.0/1.1-only, DHE-only, AES-CCM-only, \
                 X448/ffdhe2048/P-521-only servers and RSA-PSS, Ed25519 and P-521 leaves",
        ..rule(
            "Chrome",
            &["err_ssl_version_or_cipher_mismatch"],
            "Chromium and the server share no TLS version, cipher suite, key-exchange group or \
             signature scheme: the server refused its ClientHello.",
            &[
                (ProtocolTooOld, 7),
                (NoSharedCipher, 6),
                (NoSharedSignatureScheme, 5),
                (NoSharedGroup, 4),
                (HandshakeFailure, 3),
            ],
        )
    },
    Rule {
        source: "recorded from Chromium 156 against a SHA-1-signed leaf and intermediate, a \
                 clientAuth-only leaf and a name-constraints violation",
        ..rule(
            "Chrome",
            &["err_cert_invalid"],
            "Chromium's verifier refused a certificate for a reason it has no separate error \
             for: a SHA-1 signature, a leaf without serverAuth, a CA's name constraints.",
            &[
                (WeakSignature, 5),
                (WrongEku, 5),
                (NameConstraintsViolation, 4),
                (NotACa, 2),
                (BadKeyUsage, 2),
            ],
        )
    },
    // ---- Go (crypto/tls, crypto/x509). ----
    Rule {
        source: "recorded from Go 1.19.8 net/http against DHE-only, AES-CCM-only, X448-only and \
                 ffdhe2048-only servers and an RSA-PSS leaf",
        ..rule(
            "Go (crypto/tls)",
            &["remote error: tls: handshake failure"],
            "The server refused Go's ClientHello. Go offers no DHE or AES-CCM suites, no X448 or \
             ffdhe groups and no RSA-PSS-key (rsa_pss_pss_*) signature schemes.",
            &[
                (NoSharedCipher, 1),
                (NoSharedGroup, 1),
                (NoSharedSignatureScheme, 1),
            ],
        )
    },
    Rule {
        source: "Go crypto/tls handshake_server.go (Go 1.19), the server side",
        ..rule(
            "Go (crypto/tls)",
            &["tls: no cipher suite supported by both client and server"],
            "A Go server found no suite in the client's offer that it accepts.",
            &[(NoSharedCipher, 9), (LegacyCipherOnly, 4)],
        )
    },
    Rule {
        source: "Go crypto/tls handshake_client.go (Go 1.19): the server chose a version outside \
                 MinVersion..MaxVersion (TLS 1.2 and 1.3 by default since Go 1.18)",
        ..rule(
            "Go (crypto/tls)",
            &["tls: server selected unsupported protocol version"],
            "The server answered with an older TLS version than Go accepts.",
            &[(ProtocolTooOld, 10), (NoSharedVersion, 4)],
        )
    },
    Rule {
        source: "Go crypto/x509 x509.go and parser.go (Go 1.19)",
        ..rule(
            "Go (crypto/x509)",
            &[
                "x509: unsupported elliptic curve",
                "x509: cannot verify signature: algorithm unimplemented",
                "x509: unknown public key algorithm",
            ],
            "A certificate uses a key or signature algorithm Go does not implement.",
            &[(UnsupportedAlgorithm, 9), (NoSharedSignatureScheme, 3)],
        )
    },
    // ---- Python (ssl, on OpenSSL). ----
    Rule {
        source: "recorded from Python 3.11.7 (OpenSSL 3.0.19) against an RSA-key-exchange-only \
                 and an AES-CCM-only server; create_default_context()'s cipher string leaves out \
                 RSA key exchange, SHA-1 CBC suites and AES-CCM (Modules/_ssl.c, 3.10+)",
        ..rule(
            "Python (ssl)",
            &["[ssl: sslv3_alert_handshake_failure]"],
            "The server refused Python's ClientHello. Python's default context offers fewer \
             suites than OpenSSL's: no RSA key exchange, no SHA-1 CBC suites, no AES-CCM.",
            &[(LegacyCipherOnly, 2)],
        )
    },
    // ---- OpenSSL's reason strings for the other dimensions (ssl/ssl_err.c, 3.0). ----
    Rule {
        source: "OpenSSL 3.0 ssl/ssl_err.c (SSL_R_NO_SHARED_GROUPS, SSL_R_NO_SUITABLE_KEY_SHARE)",
        ..rule(
            "OpenSSL",
            &[
                "no shared groups",
                "no_shared_groups",
                "no suitable key share",
                "no_suitable_key_share",
            ],
            "No key-exchange group in common.",
            &[(NoSharedGroup, 10)],
        )
    },
    Rule {
        source: "OpenSSL 3.0 ssl/ssl_err.c (SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS, \
                 SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM)",
        ..rule(
            "OpenSSL",
            &[
                "no shared signature algorithms",
                "no_shared_signature_algorithms",
                "no suitable signature algorithm",
                "no_suitable_signature_algorithm",
            ],
            "The server's key signs in none of the signature schemes the client offers.",
            &[(NoSharedSignatureScheme, 10), (UnsupportedAlgorithm, 3)],
        )
    },
    Rule {
        source: "the alert's name as OpenSSL (tlsv1 alert insufficient security) and JSSE \
                 (Received fatal alert: insufficient_security) print it",
        ..rule(
            "TLS alert 71 (insufficient_security)",
            &["insufficient_security", "alert number 71", "alert [71]"],
            "The server requires stronger parameters than the client offered: suites, or a \
             larger key exchange.",
            &[
                (NoSharedCipher, 7),
                (LegacyCipherOnly, 5),
                (NoSharedGroup, 3),
            ],
        )
    },
    // ---- GnuTLS (lib/errors.c, 3.7) and wget on GnuTLS (src/gnutls.c, 1.21). ----
    Rule {
        source: "GnuTLS 3.7 lib/errors.c (GNUTLS_E_NO_CIPHER_SUITES, GNUTLS_E_UNKNOWN_CIPHER_SUITE)",
        ..rule(
            "GnuTLS",
            &[
                "no supported cipher suites have been found",
                "could not negotiate a supported cipher suite",
            ],
            "No cipher suite in common.",
            &[(NoSharedCipher, 9), (LegacyCipherOnly, 5)],
        )
    },
    Rule {
        source: "GnuTLS 3.7 lib/errors.c (GNUTLS_E_UNSUPPORTED_VERSION_PACKET)",
        ..rule(
            "GnuTLS",
            &["a packet with illegal or unsupported version was received"],
            "The peer answered with a TLS version GnuTLS does not accept.",
            &[(ProtocolTooOld, 8), (NoSharedVersion, 5)],
        )
    },
    Rule {
        also: &["the certificate of "],
        source: "recorded from wget 1.21.3 (GnuTLS 3.7) against a server sending only its leaf",
        ..rule(
            "wget (GnuTLS)",
            &["doesn't have a known issuer", "hasn't got a known issuer"],
            "GnuTLS could not link the certificate to a trusted root.",
            NO_PATH,
        )
    },
    Rule {
        also: &["the certificate of "],
        source: "recorded from wget 1.21.3 (GnuTLS 3.7) against a SHA-1-signed leaf and \
                 intermediate",
        ..rule(
            "wget (GnuTLS)",
            &["was signed using an insecure algorithm"],
            "A certificate is signed with a broken hash (GnuTLS's insecure-algorithm status).",
            &[(WeakSignature, 9), (WeakKey, 4)],
        )
    },
    Rule {
        source: "wget 1.21 src/gnutls.c (GNUTLS_CERT_SIGNER_NOT_CA)",
        ..rule(
            "wget (GnuTLS)",
            &["certificate signer of "],
            "An issuing certificate is not a CA.",
            &[(NotACa, 9)],
        )
    },
    Rule {
        also: &["the certificate of "],
        source: "wget 1.21 src/gnutls.c (GNUTLS_CERT_NOT_ACTIVATED, GNUTLS_CERT_EXPIRED)",
        ..rule(
            "wget (GnuTLS)",
            &["is not yet activated"],
            "A certificate in the chain is not valid yet.",
            &[(NotYetValid, 9)],
        )
    },
    Rule {
        also: &["the certificate of "],
        source: "wget 1.21 src/gnutls.c (GNUTLS_CERT_EXPIRED)",
        ..rule(
            "wget (GnuTLS)",
            &["has expired"],
            "A certificate in the chain has expired.",
            &[(Expired, 9)],
        )
    },
    Rule {
        also: &["the certificate of "],
        unless: WGET_REASONS,
        source: "recorded from wget 1.21.3 (GnuTLS 3.7) against a name-constraints violation; \
                 src/gnutls.c words only the statuses in WGET_REASONS",
        ..rule(
            "wget (GnuTLS)",
            &["is not trusted"],
            "GnuTLS refused the chain for a reason wget does not word: a CA's constraints (name \
             constraints, path length) or a signature that does not verify. gnutls-cli names it.",
            &[
                (NameConstraintsViolation, 5),
                (PathLengthExceeded, 4),
                (BadSignature, 3),
            ],
        )
    },
    // ---- Java (JSSE and its CertPath checks). ----
    Rule {
        source: "JDK 11+ sun/security/ssl/HandshakeContext.java: every version or suite the \
                 client enables is disabled by jdk.tls.disabledAlgorithms (TLSv1 and TLSv1.1 \
                 since 11.0.11 and 8u291)",
        ..rule(
            "Java (JSSE)",
            &["no appropriate protocol"],
            "Java has no protocol version left to offer: the application enables only versions \
             the JDK disables (usually TLSv1 or TLSv1.1, pinned for an old server).",
            &[
                (ProtocolTooOld, 7),
                (NoSharedVersion, 6),
                (LegacyCipherOnly, 3),
            ],
        )
    },
    Rule {
        source: "JDK 17 sun/security/provider/certpath/AlgorithmChecker.java",
        ..rule(
            "Java (PKIX)",
            &[
                "check failed on signature algorithm",
                "check failed on disabled signature algorithm",
                "check failed on disabled algorithm",
            ],
            "A certificate's signature algorithm is disabled by jdk.certpath.disabledAlgorithms \
             (SHA-1, MD5).",
            &[(WeakSignature, 9), (UnsupportedAlgorithm, 3)],
        )
    },
    Rule {
        source: "JDK 17 sun/security/provider/certpath/AlgorithmChecker.java",
        ..rule(
            "Java (PKIX)",
            &["check failed on keysize limits", "check failed on key "],
            "A certificate's key is smaller than jdk.certpath.disabledAlgorithms allows.",
            &[(WeakKey, 9)],
        )
    },
    Rule {
        unless: &["check failed on"],
        source: "JDK 17 sun/security/ssl/X509TrustManagerImpl.java (algorithm constraints on \
                 the chain)",
        ..rule(
            "Java (JSSE)",
            &["certificates do not conform to algorithm constraints"],
            "A certificate's signature or key is refused by the JDK's algorithm constraints.",
            &[(WeakSignature, 6), (WeakKey, 5), (UnsupportedAlgorithm, 3)],
        )
    },
    Rule {
        source: "recorded from OpenJDK 17.0.15 against an AES-CCM-only server",
        ..rule(
            "Java (JSSE)",
            &["received fatal alert: handshake_failure"],
            "The server refused Java's ClientHello. Java 17 offers no AES-CCM suites.",
            &[(NoSharedCipher, 1)],
        )
    },
    // ---- Firefox (NSS), Chrome's policy errors, and a few that name no chain. ----
    Rule {
        source: "NSS lib/ssl/sslerr.h and SSLerrs.h: SSL_ERROR_NO_CYPHER_OVERLAP, 'Cannot \
                 communicate securely with peer: no common encryption algorithm(s).' Recorded \
                 from Firefox ESR 153.8.0 (tests/data/clients) for every server that refuses \
                 its ClientHello: DHE-only and AES-CCM-only suites, an X448-only group, and \
                 RSA-PSS, Ed25519 and Ed448 keys (no signature scheme it offers)",
        ..rule(
            "Firefox / NSS",
            &[
                "ssl_error_no_cypher_overlap",
                "no common encryption algorithm",
            ],
            "Firefox and the server share no cipher suite, key-exchange group or signature \
             scheme: NSS names all three the same (Firefox has no DHE, AES-CCM, X448, Ed25519 \
             or RSA-PSS-key support).",
            &[
                (NoSharedCipher, 8),
                (NoSharedSignatureScheme, 7),
                (NoSharedGroup, 7),
                (LegacyCipherOnly, 5),
                (ProtocolTooOld, 3),
            ],
        )
    },
    Rule {
        source: "NSS lib/ssl/SSLerrs.h: SSL_ERROR_UNSUPPORTED_VERSION and \
                 SSL_ERROR_PROTOCOL_VERSION_ALERT",
        ..rule(
            "Firefox / NSS",
            &[
                "ssl_error_unsupported_version",
                "ssl_error_protocol_version_alert",
            ],
            "Firefox and the server share no protocol version.",
            &[(ProtocolTooOld, 8), (NoSharedVersion, 6)],
        )
    },
    Rule {
        source: "Chromium net/base/net_error_list.h, CERTIFICATE_TRANSPARENCY_REQUIRED (-214)",
        ..rule(
            "Chrome",
            &[
                "err_certificate_transparency_required",
                "certificate_transparency_required",
            ],
            "Chrome trusts the CA, but the certificate carries no (or too few) Certificate \
             Transparency timestamps, which Chrome requires of publicly trusted certificates.",
            &[(CtRequired, 10)],
        )
    },
    Rule {
        source: "Firefox security/manager/ssl (mozilla::pkix Result \
                 ERROR_INSUFFICIENT_CERTIFICATE_TRANSPARENCY), listed among the certificate \
                 errors without a user fix in browser/components/certerror; Firefox enforces CT \
                 on the desktop since version 135",
        ..rule(
            "Firefox",
            &[
                "mozilla_pkix_error_insufficient_certificate_transparency",
                "insufficient_certificate_transparency",
            ],
            "Firefox trusts the CA, but the certificate does not carry enough Certificate \
             Transparency timestamps (SCTs) for its policy, or they are too late for a root \
             Firefox distrusts after a date.",
            &[(CtRequired, 10)],
        )
    },
    Rule {
        source: "OpenSSL crypto/x509/x509_txt.c, X509_V_ERR_UNABLE_TO_GET_CRL (3): printed when \
                 CRL checking is on (curl --crlfile, openssl -crl_check, a server's \
                 ssl_crl) and no CRL for the certificate's issuer was loaded",
        ..rule(
            "OpenSSL",
            &["unable to get certificate crl", "unable_to_get_crl"],
            "CRL checking is on and no CRL was loaded for an issuer in the chain: the \
             revocation status could not be learnt.",
            &[(RevocationUnknown, 9)],
        )
    },
    Rule {
        source: "Go net/http transport.go: the TLS handshake's first record looked like an HTTP \
                 response",
        ..rule(
            "Go (net/http)",
            &["server gave http response to https client"],
            "The port answered in plain HTTP: TLS is not enabled on it, or it is the HTTP port.",
            &[(NotTls, 10)],
        )
    },
    // ---- A DHE group below the client's floor. ----
    Rule {
        source: "recorded from curl 7.88.1 (OpenSSL 3.0.19) and Python 3.11 urllib against a \
                 TLS 1.2 server whose DHE suites use a 1024-bit group",
        ..rule(
            "OpenSSL",
            &["dh key too small", "dh_key_too_small"],
            "The server's Diffie-Hellman group is smaller than OpenSSL's security level allows \
             (2048 bits at level 2, Debian's and Ubuntu's default).",
            &[(DhTooSmall, 10)],
        )
    },
    Rule {
        source: "Node.js lib/internal/errors.js, ERR_TLS_DH_PARAM_SIZE, raised by \
                 lib/_tls_wrap.js when the group is below tls.connect()'s minDHSize",
        ..rule(
            "Node.js",
            &["err_tls_dh_param_size", "dh parameter size"],
            "The server's Diffie-Hellman group is smaller than Node's minDHSize (1024 bits \
             unless set).",
            &[(DhTooSmall, 10)],
        )
    },
    Rule {
        source: "GnuTLS lib/errors.c, GNUTLS_E_DH_PRIME_UNACCEPTABLE",
        ..rule(
            "GnuTLS",
            &["diffie-hellman prime sent by the server is not acceptable"],
            "The server's Diffie-Hellman prime is shorter than the priority string's security \
             level allows.",
            &[(DhTooSmall, 10)],
        )
    },
    Rule {
        source: "JDK 17 sun/security/ssl/DHServerKeyExchange.java: the ServerKeyExchange fails \
                 jdk.tls.disabledAlgorithms (DH keySize < 1024)",
        ..rule(
            "Java (JSSE)",
            &["dh serverkeyexchange does not comply to algorithm constraints"],
            "The server's Diffie-Hellman group is smaller than jdk.tls.disabledAlgorithms \
             allows (1024 bits by default).",
            &[(DhTooSmall, 10)],
        )
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_negotiation_rule_says_where_its_words_come_from() {
        for rule in RULES {
            assert!(!rule.source.is_empty(), "{}: {:?}", rule.producer, rule.any);
        }
    }
}
