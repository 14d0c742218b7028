//! What error messages say, as data: each rule is a set of phrases a producer prints, what they
//! mean, and the causes behind them with a weight (how strongly the phrase points at the cause).
//! Phrases are matched lowercase against the normalised message. Where a rule's words are
//! recorded from a real client, `tests/data/client-errors` holds the recording; rules for
//! producers that cannot run here (Safari, Edge, .NET, Envoy) say where their words come from.
//! This file holds the rule type and the TLS libraries' words (OpenSSL, TLS alerts, GnuTLS,
//! rustls); `programs` the programs' own, `deploy` what servers and the path between print.

use crate::causes::Cause::{self, *};

/// One way an error message can read.
pub struct Rule {
    /// Who prints it.
    pub producer: &'static str,
    /// Any of these phrases (lowercase) makes the rule match...
    pub any: &'static [&'static str],
    /// ...provided all of these are present too...
    pub also: &'static [&'static str],
    /// ...and none of these (a more specific reading applies).
    pub unless: &'static [&'static str],
    /// What the message means, in plain words.
    pub meaning: &'static str,
    /// The causes it points at, with weights from 1 (barely) to 10 (certainly).
    pub causes: &'static [(Cause, u8)],
    /// A caveat worth showing when the rule matches.
    pub note: &'static str,
    /// Where the words come from: the client, library and version they were recorded from, or
    /// the source file that prints them. Older rules say it in a comment above them.
    // For reviewers and the data tests; the matcher does not need it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
}

pub(super) const NONE: &[&str] = &[];

pub(super) const fn rule(
    producer: &'static str,
    any: &'static [&'static str],
    meaning: &'static str,
    causes: &'static [(Cause, u8)],
) -> Rule {
    Rule {
        producer,
        any,
        also: NONE,
        unless: NONE,
        meaning,
        causes,
        note: "",
        source: "",
    }
}

/// The chain did not lead to a trusted root: the family of "unknown authority" errors.
pub(super) const NO_PATH: &[(Cause, u8)] = &[
    (MissingIntermediate, 5),
    (UnknownIssuer, 5),
    (PrivateRoot, 4),
    (SelfSignedLeaf, 3),
    (OutdatedSystemStore, 2),
];

/// Whatever the chain problem: the generic "verification failed" family.
pub(super) const ANY_CHAIN_PROBLEM: &[(Cause, u8)] = &[
    (MissingIntermediate, 2),
    (UnknownIssuer, 2),
    (PrivateRoot, 2),
    (Expired, 1),
    (HostnameMismatch, 1),
];

/// Messages that mean "this side is a server and the client refused our chain".
pub(super) const SERVER_LOG: &[&str] = &["ssl_do_handshake() failed", "while ssl handshaking"];
pub(super) const NGINX_CLIENT_VERIFY: &[&str] = &["client ssl certificate verify error"];
/// BoringSSL's error strings: Envoy, Istio, gRPC and Chromium-based clients print these.
pub(super) const BORINGSSL: &[&str] = &["openssl_internal"];

pub static RULES: &[Rule] = &[
    // ---- OpenSSL verify errors (OpenSSL, curl, Python, Node, PHP, Ruby, nginx). ----
    Rule {
        unless: NGINX_CLIENT_VERIFY,
        ..rule(
            "OpenSSL",
            &[
                "unable to get local issuer certificate",
                "unable_to_get_issuer_cert_locally",
            ],
            "The client could not find the CA that issued the last certificate, neither among the \
             certificates the server sent nor in its trust store: the chain stops short of a \
             trusted root.",
            // OpenSSL takes a sent certificate as an issuer only when its name and key identifier
            // match (X509_check_issued), so a stale intermediate with another key is skipped and
            // ends here too. A private root that is sent is error 19 ("self-signed certificate in
            // certificate chain"); one that is not sent leaves the chain at an intermediate,
            // which is an unknown issuer unless the root can be downloaded.
            &[
                (MissingIntermediate, 6),
                (UnknownIssuer, 5),
                (BadSignature, 4),
                (OutdatedSystemStore, 2),
                (PrivateRoot, 1),
            ],
        )
    },
    rule(
        "OpenSSL",
        &[
            "unable to get issuer certificate",
            "unable_to_get_issuer_cert",
        ],
        "An issuer further up the chain is missing: neither sent nor trusted.",
        &[
            (MissingIntermediate, 5),
            (UnknownIssuer, 5),
            (PrivateRoot, 2),
        ],
    ),
    rule(
        "OpenSSL / Node.js",
        &[
            "unable to verify the first certificate",
            "unable_to_verify_leaf_signature",
        ],
        "The client could not verify the server's first certificate: its issuer was neither sent \
         nor trusted, or the certificate sent as its issuer has another key.",
        // "The first certificate" is the leaf: the issuer not found is the leaf's own. A chain
        // that sends its intermediate and stops there reads "unable to get local issuer
        // certificate" instead (Node 20 with OpenSSL 3.0, in tests/data/client-errors).
        &[
            (MissingIntermediate, 7),
            (BadSignature, 5),
            (UnknownIssuer, 2),
            (PrivateRoot, 2),
        ],
    ),
    rule(
        "OpenSSL / Node.js",
        &[
            "self-signed certificate in certificate chain",
            "self signed certificate in certificate chain",
            "self_signed_cert_in_chain",
        ],
        "The chain the server sent ends at a self-signed root the client does not trust: a \
         private CA, a TLS-inspecting proxy, or an outdated trust store.",
        &[
            (PrivateRoot, 7),
            (UntrustedRoot, 5),
            (OutdatedSystemStore, 2),
        ],
    ),
    Rule {
        unless: &["in certificate chain", "cert_in_chain"],
        ..rule(
            "OpenSSL / Node.js",
            &[
                "self-signed certificate",
                "self signed certificate",
                "depth_zero_self_signed_cert",
            ],
            "The server's own certificate is self-signed: no CA vouches for it.",
            &[(SelfSignedLeaf, 9)],
        )
    },
    Rule {
        unless: &[
            "or is not yet valid",
            "alert certificate expired",
            "client ssl certificate verify error",
        ],
        ..rule(
            "OpenSSL / Node.js",
            &["certificate has expired", "cert_has_expired"],
            "A certificate in the chain is past its notAfter date (or this machine's clock is ahead).",
            &[(Expired, 9)],
        )
    },
    rule(
        "OpenSSL / Node.js",
        &["certificate is not yet valid", "cert_not_yet_valid"],
        "A certificate in the chain is not valid yet (or this machine's clock is behind).",
        &[(NotYetValid, 9)],
    ),
    Rule {
        unless: NGINX_CLIENT_VERIFY,
        ..rule(
            "OpenSSL / Node.js",
            &[
                "unsuitable certificate purpose",
                "invalid_purpose",
                "unsupported certificate purpose",
            ],
            "A certificate's extendedKeyUsage or keyUsage does not allow its use for a TLS server.",
            &[(WrongEku, 6), (BadKeyUsage, 5), (NotACa, 2)],
        )
    },
    rule(
        "OpenSSL / Node.js",
        &["invalid ca certificate", "invalid_ca"],
        "A certificate that signed another is not a CA certificate.",
        &[(NotACa, 9)],
    ),
    rule(
        "OpenSSL",
        &["key usage does not include certificate signing"],
        "An issuing certificate's keyUsage lacks keyCertSign.",
        &[(NotACa, 9)],
    ),
    rule(
        "OpenSSL",
        &["path length constraint exceeded"],
        "A CA's pathLenConstraint is exceeded.",
        &[(PathLengthExceeded, 10)],
    ),
    rule(
        "OpenSSL",
        &[
            "permitted subtree violation",
            "excluded subtree violation",
            "name constraints violation",
        ],
        "A CA's name constraints forbid the certificate's names.",
        &[(NameConstraintsViolation, 10)],
    ),
    rule(
        "OpenSSL / curl / Python / Node.js",
        &[
            "hostname mismatch",
            "no alternative certificate subject name matches",
            "err_tls_cert_altname_invalid",
            "is not in the cert's altnames",
            "doesn't match certificate's altnames",
            "certificate is not valid for '",
        ],
        "The name the client connected to is not among the certificate's names.",
        &[(HostnameMismatch, 8), (NoSan, 3)],
    ),
    rule(
        "OpenSSL",
        &[
            "ca md too weak",
            "ee md too weak",
            "signature digest algorithm too weak",
        ],
        "A certificate is signed with SHA-1 or MD5.",
        &[(WeakSignature, 10)],
    ),
    rule(
        "OpenSSL",
        &["ca key too small", "ee key too small", "key too weak"],
        "A certificate's key is too small (RSA below 2048 bits).",
        &[(WeakKey, 10)],
    ),
    rule(
        "OpenSSL",
        &["certificate signature failure"],
        "A signature in the chain does not verify with its issuer's key.",
        &[(BadSignature, 9)],
    ),
    Rule {
        note: "OpenSSL's verify error numbers are stable for the common codes but differ across \
               versions and forks (LibreSSL, BoringSSL); the words after the number are what counts.",
        ..rule(
            "OpenSSL (by number)",
            &["num=20", "num=2:", "num=21", "error 20 at", "error 21 at"],
            "OpenSSL verify code 20/21/2: an issuer that is neither sent nor trusted.",
            // A private root that is sent is code 19, below.
            &[(MissingIntermediate, 3), (UnknownIssuer, 3)],
        )
    },
    Rule {
        note: "OpenSSL's verify error numbers differ across versions and forks; the words count.",
        ..rule(
            "OpenSSL (by number)",
            &["num=19", "error 19 at"],
            "OpenSSL verify code 19: a self-signed root in the chain.",
            &[(PrivateRoot, 3), (UntrustedRoot, 3)],
        )
    },
    Rule {
        note: "OpenSSL's verify error numbers differ across versions and forks; the words count.",
        ..rule(
            "OpenSSL (by number)",
            &["num=18", "error 18 at"],
            "OpenSSL verify code 18: a self-signed leaf.",
            &[(SelfSignedLeaf, 4)],
        )
    },
    Rule {
        note: "OpenSSL's verify error numbers differ across versions and forks; the words count.",
        ..rule(
            "OpenSSL (by number)",
            &["num=10", "error 10 at"],
            "OpenSSL verify code 10: an expired certificate.",
            &[(Expired, 4)],
        )
    },
    Rule {
        note: "OpenSSL's verify error numbers differ across versions and forks; the words count.",
        ..rule(
            "OpenSSL (by number)",
            &["num=62", "error 62 at"],
            "OpenSSL verify code 62: a host name mismatch.",
            &[(HostnameMismatch, 4)],
        )
    },
    rule(
        "OpenSSL",
        &[
            "wrong version number",
            "wrong_version_number",
            "packet length too long",
            "http_request",
            "unknown protocol",
        ],
        "What came back was not TLS: typically plain HTTP on the port, or another protocol.",
        &[(NotTls, 9), (HandshakeFailure, 2)],
    ),
    rule(
        "OpenSSL",
        &[
            "legacy sigalg disallowed",
            "unsupported protocol",
            "unsupported_protocol",
            "no protocols available",
            "no_protocols_available",
            "tlsv1 alert protocol version",
            "protocol version not supported",
            "protocol_version",
            "alert number 70",
            "alert [70]",
        ],
        "No TLS version in common: the server only speaks TLS 1.0/1.1 (or the client is limited to \
         old versions).",
        &[
            (ProtocolTooOld, 9),
            (HandshakeFailure, 5),
            (NoSharedVersion, 4),
        ],
    ),
    rule(
        "OpenSSL",
        &[
            "no shared cipher",
            "no_shared_cipher",
            "no cipher suites in common",
            "no ciphers available",
            "alert insufficient security",
        ],
        "No cipher suite in common.",
        // A server limited to legacy suites is the common case; one limited to a modern family
        // the client lacks (DHE, AES-CCM) is the rest. Chromium's VERSION_OR_CIPHER_MISMATCH
        // has its own rule (negotiation.rs).
        &[
            (NoSharedCipher, 9),
            (LegacyCipherOnly, 7),
            (HandshakeFailure, 3),
        ],
    ),
    // ---- TLS alerts, as every stack words them. In a client's message they come from the
    // server; in a server's log (SSL_do_handshake() failed) they come from the client. ----
    Rule {
        unless: SERVER_LOG,
        ..rule(
            "TLS alert 48 (unknown_ca)",
            &[
                "alert unknown ca",
                "alert_unknown_ca",
                "alert number 48",
                "alert [48]",
                "unknown_ca",
                "unknown certificate authority",
                "ca is unknown",
            ],
            "The server does not trust the CA of the client certificate it was shown (mutual TLS).",
            &[(ClientCaNotAccepted, 8), (ClientMissingIntermediate, 5)],
        )
    },
    Rule {
        also: SERVER_LOG,
        ..rule(
            "a TLS server's log",
            &[
                "unknown ca",
                "unknown_ca",
                "alert number 48",
                "bad certificate",
                "certificate unknown",
                "alert number 42",
                "alert number 46",
            ],
            "A client refused this server's certificate chain (it sent the alert while the server \
             was handshaking): most often the server omits its intermediate, or the CA is private.",
            &[
                (MissingIntermediate, 7),
                (UnknownIssuer, 5),
                (PrivateRoot, 5),
                (Expired, 2),
            ],
        )
    },
    Rule {
        unless: SERVER_LOG,
        ..rule(
            "TLS alert 40 (handshake_failure)",
            &[
                "alert handshake failure",
                "alert_handshake_failure",
                "alert number 40",
                "alert [40]",
                "fatal alert: handshake_failure",
                "tls: handshake failure",
                "handshake failed",
            ],
            "The server ended the handshake: no cipher suite, key-exchange group or signature \
             scheme in common with what the client offered, or (TLS 1.2 with mutual TLS) no \
             acceptable client certificate.",
            // A version mismatch is protocol_version (alert 70), not this. Which of the others
            // depends on what the client offers: the client rules in negotiation.rs add that.
            &[
                (NoSharedCipher, 5),
                (ClientCertRequired, 5),
                (ClientCaNotAccepted, 3),
                (HandshakeFailure, 2),
                (LegacyCipherOnly, 2),
                (NoSharedGroup, 2),
                (NoSharedSignatureScheme, 2),
            ],
        )
    },
    // Go and Java send no client certificate when its issuer is not among the CAs the server
    // names in its CertificateRequest (Go: crypto/tls getClientCertificate skips chains that
    // fail CertificateRequestInfo.SupportsCertificate; Java: X509KeyManager.chooseClientAlias is
    // given the server's issuers and finds no alias). A TLS 1.2 server that requires a
    // certificate then answers handshake_failure, exactly as when none is configured; OpenSSL
    // clients send the certificate anyway and get unknown_ca.
    rule(
        "Go (crypto/tls) / Java (JSSE) as a mutual-TLS client",
        &[
            "remote error: tls: handshake failure",
            "received fatal alert: handshake_failure",
        ],
        "The server ended the handshake; for a Go or Java client that holds a certificate, it \
         may have withheld it because the server does not accept its CA.",
        &[(ClientCaNotAccepted, 1)],
    ),
    rule(
        "TLS alert 116 (certificate_required)",
        &[
            "certificate required",
            "certificate_required",
            "alert number 116",
            "alert [116]",
        ],
        "The server requires a client certificate and got none it would take.",
        &[(ClientCertRequired, 8), (ClientCaNotAccepted, 4)],
    ),
    rule(
        "TLS alert 45 (certificate_expired)",
        &[
            "alert certificate expired",
            "alert_certificate_expired",
            "alert number 45",
            "alert [45]",
            "fatal alert: certificate_expired",
            "tls: expired certificate",
        ],
        "The server refused the client certificate as expired.",
        &[(ClientCertExpired, 9), (Expired, 2)],
    ),
    rule(
        "TLS alert 43 (unsupported_certificate)",
        &[
            "alert unsupported certificate",
            "alert_unsupported_certificate",
            "alert number 43",
            "alert [43]",
            "unsupported_certificate",
            "tls: unsupported certificate",
        ],
        "The server refused the client certificate's type or purpose (usually an EKU without \
         clientAuth).",
        &[(ClientWrongEku, 8), (ClientCertRejected, 4)],
    ),
    rule(
        "TLS alert 51 (decrypt_error)",
        &[
            "alert decrypt error",
            "alert_decrypt_error",
            "alert number 51",
            "alert [51]",
            "decrypt_error",
            "error decrypting message",
        ],
        "The server could not verify a signature from the client: the client key does not match \
         its certificate, or the certificate was signed by another key than the CA the server \
         trusts (another environment's CA of the same name).",
        &[
            (ClientCertRejected, 6),
            (ClientKeyMismatch, 5),
            (ClientCaNotAccepted, 5),
        ],
    ),
    Rule {
        unless: SERVER_LOG,
        ..rule(
            "TLS alert 42 (bad_certificate)",
            &[
                "alert bad certificate",
                "alert_bad_certificate",
                "alert number 42",
                "alert [42]",
                "bad_certificate",
                "tls: bad certificate",
            ],
            "The server rejected the client certificate.",
            &[
                (ClientCertRejected, 7),
                (ClientMissingIntermediate, 3),
                (ClientCaNotAccepted, 3),
            ],
        )
    },
    rule(
        "TLS alert 44 (certificate_revoked)",
        &[
            "alert certificate revoked",
            "certificate_revoked",
            "alert number 44",
            "alert [44]",
        ],
        "The peer says the certificate it was shown is revoked.",
        &[(ClientCertRejected, 7), (Revoked, 4)],
    ),
    Rule {
        unless: SERVER_LOG,
        ..rule(
            "TLS alert 46 (certificate_unknown)",
            &[
                "alert certificate unknown",
                "certificate_unknown",
                "alert number 46",
                "alert [46]",
            ],
            "The peer rejected the certificate it was shown without saying why. Java servers log it \
             when a client refuses the server's chain; in a client it is the server refusing the \
             client certificate.",
            &[
                (ClientCertRejected, 4),
                (MissingIntermediate, 3),
                (UnknownIssuer, 3),
                (PrivateRoot, 3),
            ],
        )
    },
    rule(
        "TLS alert 49 (access_denied)",
        &[
            "alert access denied",
            "access_denied",
            "alert number 49",
            "alert [49]",
        ],
        "The peer refused access after authentication: a policy on the client certificate.",
        &[(ClientCertPolicy, 6), (ClientCertRejected, 5)],
    ),
    rule(
        "TLS alert 112 (unrecognized_name)",
        &[
            "unrecognized name",
            "unrecognized_name",
            "alert number 112",
            "alert [112]",
        ],
        "The server has no certificate for the name sent as SNI.",
        &[(HandshakeFailure, 7), (HostnameMismatch, 3)],
    ),
    rule(
        "TLS alert 80 (internal_error)",
        &[
            "alert internal error",
            "internal_error",
            "alert number 80",
            "alert [80]",
        ],
        "The server failed internally during the handshake, often because no certificate is \
         configured for this name.",
        &[(HandshakeFailure, 7)],
    ),
    // ---- GnuTLS (gnutls-cli and programs built on GnuTLS: wget, git on Debian, ...). ----
    rule(
        "GnuTLS",
        &["the certificate issuer is unknown"],
        "GnuTLS could not link the certificate to a trusted root.",
        &[
            (MissingIntermediate, 5),
            (UnknownIssuer, 5),
            (PrivateRoot, 4),
            (SelfSignedLeaf, 3),
            (BadSignature, 3),
        ],
    ),
    rule(
        "GnuTLS",
        &["the certificate chain uses expired certificate"],
        "A certificate in the chain has expired.",
        &[(Expired, 10)],
    ),
    rule(
        "GnuTLS",
        &["the certificate chain uses not yet valid certificate"],
        "A certificate in the chain is not valid yet.",
        &[(NotYetValid, 10)],
    ),
    rule(
        "GnuTLS",
        &["the certificate chain uses insecure algorithm"],
        "A certificate is signed with a broken hash, or has a weak key.",
        &[(WeakSignature, 8), (WeakKey, 6)],
    ),
    rule(
        "GnuTLS",
        &["the name in the certificate does not match the expected"],
        "The certificate is not valid for the name connected to.",
        &[(HostnameMismatch, 9), (NoSan, 2)],
    ),
    rule(
        "GnuTLS",
        &["the certificate issuer is not a ca"],
        "An issuing certificate is not a CA.",
        &[(NotACa, 10)],
    ),
    rule(
        "GnuTLS",
        &["violates the signer's constraints"],
        "A CA's constraints (CA flag, path length or name constraints) are violated.",
        &[
            (NameConstraintsViolation, 6),
            (PathLengthExceeded, 6),
            (NotACa, 5),
        ],
    ),
    rule(
        "GnuTLS",
        &["does not match the intended purpose"],
        "A certificate's extendedKeyUsage does not allow server authentication.",
        &[(WrongEku, 9)],
    ),
    rule(
        "GnuTLS",
        &[
            "signature in the certificate is invalid",
            "the certificate signature failed",
        ],
        "A signature in the chain does not verify.",
        &[(BadSignature, 9)],
    ),
    rule(
        "GnuTLS",
        &["key usage violation"],
        "A certificate's keyUsage does not allow its use here.",
        &[(BadKeyUsage, 9)],
    ),
    rule(
        "GnuTLS",
        &[
            "an unexpected tls packet was received",
            "received record packet of unknown type",
        ],
        "What came back was not TLS.",
        &[(NotTls, 9)],
    ),
    rule(
        "GnuTLS",
        &["the certificate is not trusted", "error in the certificate"],
        "GnuTLS did not trust the certificate (the status line says why).",
        ANY_CHAIN_PROBLEM,
    ),
    // ---- rustls (wording from rustls' error Display implementations). ----
    rule(
        "rustls",
        &["invalid peer certificate: unknownissuer", "unknownissuer"],
        "rustls could not build a path to a trusted root.",
        NO_PATH,
    ),
    rule(
        "rustls",
        &[
            "invalid peer certificate: expired",
            "certificate expired: verification time",
        ],
        "A certificate has expired.",
        &[(Expired, 9)],
    ),
    rule(
        "rustls",
        &["notvalidyet", "certificate not valid yet"],
        "A certificate is not valid yet.",
        &[(NotYetValid, 9)],
    ),
    rule(
        "rustls",
        &["notvalidforname", "certificate not valid for name"],
        "The certificate is not valid for the name connected to.",
        &[(HostnameMismatch, 9), (NoSan, 2)],
    ),
    rule(
        "rustls",
        &["invalid peer certificate: badsignature"],
        "A signature in the chain does not verify.",
        &[(BadSignature, 8)],
    ),
    rule(
        "rustls",
        &["causedasendentity"],
        "The server's certificate is a CA certificate.",
        &[(LeafIsCa, 10)],
    ),
];
