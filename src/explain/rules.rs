//! What error messages say, as data: each rule is a set of phrases a producer prints, what they
//! mean, and the causes behind them with a weight (how strongly the phrase points at the cause).
//! Phrases are matched lowercase against the normalised message. Where a rule's words are
//! recorded from a real client, `tests/data/client-errors` holds the recording; rules for
//! producers that cannot run here (browsers, .NET, Envoy) say where their words come from.

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

const NONE: &[&str] = &[];

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
const ANY_CHAIN_PROBLEM: &[(Cause, u8)] = &[
    (MissingIntermediate, 2),
    (UnknownIssuer, 2),
    (PrivateRoot, 2),
    (Expired, 1),
    (HostnameMismatch, 1),
];

/// Messages that mean "this side is a server and the client refused our chain".
const SERVER_LOG: &[&str] = &["ssl_do_handshake() failed", "while ssl handshaking"];
const NGINX_CLIENT_VERIFY: &[&str] = &["client ssl certificate verify error"];
/// BoringSSL's error strings: Envoy, Istio, gRPC and Chromium-based clients print these.
const BORINGSSL: &[&str] = &["openssl_internal"];

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
    // ---- Go crypto/x509 and crypto/tls. ----
    rule(
        "Go (crypto/x509)",
        &["x509: certificate signed by unknown authority"],
        "Go could not build a path from the server's certificate to a root in its pool (the system \
         store, or SSL_CERT_FILE/SSL_CERT_DIR).",
        NO_PATH,
    ),
    rule(
        "Go (crypto/x509)",
        &[
            "crypto/rsa: verification error",
            "ecdsa verification failure",
            "verification error\" while trying to verify candidate authority",
        ],
        "Go found an issuer with the right name whose key did not make the signature.",
        &[(BadSignature, 10)],
    ),
    rule(
        "Go (crypto/x509)",
        &[
            "parent certificate cannot sign this kind of certificate",
            "not authorized to sign other certificates",
        ],
        "An issuing certificate is not a CA.",
        &[(NotACa, 10)],
    ),
    rule(
        "Go (crypto/x509)",
        &["insecure algorithm sha1", "insecure algorithm md5"],
        "A certificate is signed with a broken hash.",
        &[(WeakSignature, 10)],
    ),
    rule(
        "Go (crypto/x509)",
        &[
            "x509: certificate is valid for",
            "cannot validate certificate for",
            "doesn't contain any ip sans",
            "certificate is not valid for any names",
        ],
        "The name (or IP address) connected to is not in the certificate.",
        &[(HostnameMismatch, 9), (NoSan, 2)],
    ),
    rule(
        "Go (crypto/x509)",
        &["relies on legacy common name field"],
        "The certificate names its host only in the Common Name; Go requires SANs.",
        &[(NoSan, 10)],
    ),
    Rule {
        also: &[" is after "],
        ..rule(
            "Go (crypto/x509)",
            &["certificate has expired or is not yet valid"],
            "A certificate has expired (the current time is after its notAfter).",
            &[(Expired, 9)],
        )
    },
    Rule {
        also: &[" is before "],
        ..rule(
            "Go (crypto/x509)",
            &["certificate has expired or is not yet valid"],
            "A certificate is not valid yet (the current time is before its notBefore).",
            &[(NotYetValid, 9)],
        )
    },
    rule(
        "Go (crypto/x509)",
        &["certificate has expired or is not yet valid"],
        "A certificate is outside its validity period.",
        &[(Expired, 4), (NotYetValid, 3)],
    ),
    rule(
        "Go (crypto/x509)",
        &["incompatible key usage"],
        "A certificate's extendedKeyUsage does not allow server authentication.",
        &[(WrongEku, 8), (BadKeyUsage, 4)],
    ),
    rule(
        "Go (crypto/x509)",
        &["too many intermediates for path length constraint"],
        "A CA's path length limit is exceeded.",
        &[(PathLengthExceeded, 10)],
    ),
    rule(
        "Go (crypto/x509)",
        &[
            "is not permitted by any constraint",
            "not authorized to sign for this name",
            "is excluded by constraint",
        ],
        "A CA's name constraints forbid the certificate's names.",
        &[(NameConstraintsViolation, 10)],
    ),
    rule(
        "Go (crypto/tls)",
        &["first record does not look like a tls handshake"],
        "What came back was not TLS: plain HTTP, or another protocol.",
        &[(NotTls, 10)],
    ),
    rule(
        "Go (crypto/tls)",
        &["tls: protocol version not supported"],
        "No TLS version in common.",
        &[(ProtocolTooOld, 9), (HandshakeFailure, 4)],
    ),
    // ---- Java. ----
    Rule {
        note: "Java reads its own truststore (the JDK's cacerts, or javax.net.ssl.trustStore), \
               not the system store.",
        ..rule(
            "Java (PKIX)",
            &[
                "pkix path building failed",
                "unable to find valid certification path to requested target",
                "suncertpathbuilderexception",
            ],
            "Java could not build a path to a root in its truststore.",
            NO_PATH,
        )
    },
    rule(
        "Java (PKIX)",
        &["pkix path validation failed"],
        "Java built a path, and a check on it failed (the words after it say which).",
        &[
            (Expired, 2),
            (BadSignature, 2),
            (NotACa, 2),
            (NameConstraintsViolation, 1),
            (PathLengthExceeded, 1),
        ],
    ),
    rule(
        "Java (PKIX)",
        &[
            "validity check failed",
            "certificateexpiredexception",
            "certificate expired on",
        ],
        "A certificate on the path has expired.",
        &[(Expired, 8), (NotYetValid, 4)],
    ),
    rule(
        "Java (PKIX)",
        &["certificatenotyetvalidexception"],
        "A certificate on the path is not valid yet.",
        &[(NotYetValid, 10)],
    ),
    rule(
        "Java (PKIX)",
        &["signature check failed"],
        "A signature on the path does not verify.",
        &[(BadSignature, 9)],
    ),
    rule(
        "Java (PKIX)",
        &["name constraints check failed"],
        "A CA's name constraints forbid the certificate's names.",
        &[(NameConstraintsViolation, 10)],
    ),
    rule(
        "Java (PKIX)",
        &["pathlenconstraint violated"],
        "A CA's path length limit is exceeded.",
        &[(PathLengthExceeded, 10)],
    ),
    rule(
        "Java (PKIX)",
        &["ca key usage check failed", "this is not a ca certificate"],
        "An issuing certificate is not a CA (or its keyUsage lacks keyCertSign).",
        &[(NotACa, 10)],
    ),
    rule(
        "Java",
        &[
            "no subject alternative dns name matching",
            "no subject alternative names matching",
            "no name matching",
        ],
        "The name connected to is not among the certificate's SANs.",
        &[(HostnameMismatch, 9)],
    ),
    rule(
        "Java",
        &["no subject alternative names present"],
        "The certificate has no SAN extension.",
        &[(NoSan, 9), (HostnameMismatch, 3)],
    ),
    rule(
        "Java",
        &["extended key usage does not permit use for tls server authentication"],
        "The certificate's EKU lacks serverAuth.",
        &[(WrongEku, 10)],
    ),
    rule(
        "Java",
        &["keyusage does not allow digital signatures"],
        "The leaf's keyUsage lacks digitalSignature.",
        &[(BadKeyUsage, 10)],
    ),
    rule(
        "Java",
        &["unsupported or unrecognized ssl message"],
        "What came back was not TLS: plain HTTP, or another protocol.",
        &[(NotTls, 10)],
    ),
    rule(
        "Java",
        &["remote host terminated the handshake"],
        "The server closed the connection during the handshake.",
        &[(HandshakeFailure, 5), (ClientCertRequired, 3)],
    ),
    // ---- curl's exit codes (stable across versions). ----
    rule(
        "curl",
        &[
            "curl: (60)",
            "curl error 60",
            "exit code 60",
            "exit status 60",
            "curle_peer_failed_verification",
        ],
        "curl could not verify the server's certificate (error 60); the words after it say why.",
        ANY_CHAIN_PROBLEM,
    ),
    rule(
        "curl",
        &[
            "curl: (35)",
            "curl error 35",
            "exit code 35",
            "exit status 35",
        ],
        "curl's TLS handshake failed (error 35, SSL connect error).",
        // Light: the OpenSSL or GnuTLS reason after the number says more than the number.
        &[(HandshakeFailure, 2), (NotTls, 1), (ClientCertRequired, 1)],
    ),
    rule(
        "curl",
        &[
            "curl: (51)",
            "curl error 51",
            "exit code 51",
            "exit status 51",
        ],
        "The certificate does not match the host name (error 51, older curl).",
        &[(HostnameMismatch, 7)],
    ),
    // ---- A key that does not belong to its certificate, at start-up or when loading them.
    // Recorded 2026-12-04 with a certificate and another certificate's key, from OpenSSL 3.0.19
    // (s_server), Python 3.11.7 (load_cert_chain), Node 20.20.2 (createSecureContext), Go 1.19.8
    // (tls.LoadX509KeyPair) and nginx 1.22.1 (`nginx -t`). The same words come from a server's
    // key (key-mismatch) or a client's for mutual TLS (client-key-mismatch): the server's is
    // the common case at deploy time.
    Rule {
        unless: &["ssl_ctx_use_privatekey"],
        ..rule(
            "OpenSSL (loading a certificate and its key)",
            &[
                "key values mismatch",
                "key_values_mismatch",
                "x509_check_private_key",
            ],
            "The private key given does not belong to the certificate: its public half differs \
             from the certificate's. Node says ERR_OSSL_X509_KEY_VALUES_MISMATCH, Python \
             [X509: KEY_VALUES_MISMATCH].",
            &[(KeyMismatch, 8), (ClientKeyMismatch, 6)],
        )
    },
    Rule {
        also: &["mismatch"],
        ..rule(
            "nginx",
            &["ssl_ctx_use_privatekey"],
            "nginx could not load ssl_certificate_key: the key does not belong to \
             ssl_certificate, so the configuration is refused.",
            &[(KeyMismatch, 10)],
        )
    },
    rule(
        "Go (crypto/tls)",
        &["private key does not match public key"],
        "tls.LoadX509KeyPair or X509KeyPair was given a key that does not belong to the \
         certificate.",
        &[(KeyMismatch, 8), (ClientKeyMismatch, 6)],
    ),
    rule(
        "curl",
        &[
            "curl: (58)",
            "curl error 58",
            "exit code 58",
            "exit status 58",
            "unable to set private key file",
            "unable to use client certificate",
        ],
        "curl could not use the local client certificate or key (error 58).",
        &[(ClientKeyMismatch, 7), (ClientCertRejected, 2)],
    ),
    rule(
        "curl",
        &[
            "curl: (77)",
            "curl error 77",
            "exit code 77",
            "exit status 77",
            "error setting certificate verify locations",
            "error setting certificate file",
        ],
        "curl could not read its CA bundle (error 77): --cacert, CURL_CA_BUNDLE or SSL_CERT_FILE names a missing or unreadable file.",
        &[(EnvOverrideMissingRoot, 8)],
    ),
    rule(
        "curl",
        &[
            "curl: (28)",
            "operation timed out",
            "ssl connection timeout",
        ],
        "curl gave up waiting (error 28).",
        &[(Timeout, 9)],
    ),
    rule(
        "curl",
        &[
            "curl: (7)",
            "couldn't connect to server",
            "failed to connect to",
        ],
        "curl could not open the TCP connection (error 7).",
        &[(ConnectionRefused, 7), (ConnectionFailed, 3)],
    ),
    rule(
        "curl",
        &["curl: (6)", "could not resolve host"],
        "curl could not resolve the host name (error 6).",
        &[(DnsFailure, 10)],
    ),
    rule(
        "curl",
        &["ssl certificate verification failed"],
        "curl's peer verification failed during the handshake, which for a client certificate often means the server refused it.",
        &[
            (ClientCertExpired, 3),
            (ClientCertRejected, 3),
            (ClientCaNotAccepted, 2),
        ],
    ),
    // ---- Oversized chains (rustls' InvalidMessage, Go's handshake_messages.go, OpenSSL's
    // SSL_R_EXCESSIVE_MESSAGE_SIZE, Java's SSLEngine and CertificateMessage limits). ----
    rule(
        "rustls / Go / OpenSSL",
        &[
            "handshakepayloadtoolarge",
            "excessive message size",
            "exceeds maximum of",
            "exceeds the maximum allowed size",
        ],
        "A handshake message, in practice the server's certificates, is larger than the client \
         accepts.",
        &[(ChainTooLarge, 9), (LongChain, 4)],
    ),
    rule(
        "Java",
        &["certificate chain length", "maxcertificatechainlength"],
        "The server sent more certificates than Java accepts (10 by default).",
        &[(LongChain, 10), (ExtraCertificates, 4)],
    ),
    // ---- Docker pulling from a registry (the daemon wraps Go's crypto/x509 error). ----
    Rule {
        also: &["/v2/"],
        ..rule(
            "Docker",
            &[
                "error response from daemon",
                "failed to do request",
                "failed to resolve reference",
            ],
            "The container runtime could not verify the registry's certificate: it reads the system \
             store plus /etc/docker/certs.d/HOST:PORT/ on the node that pulls.",
            &[
                (DockerRegistryCa, 8),
                (PrivateRoot, 3),
                (MissingIntermediate, 2),
            ],
        )
    },
    // ---- Python. ----
    Rule {
        unless: BORINGSSL,
        ..rule(
            "Python (ssl / requests)",
            &["certificate_verify_failed", "certificate verify failed"],
            "Python's ssl module (OpenSSL underneath) rejected the server's certificate; the words after \
             \"certificate verify failed:\" say why.",
            ANY_CHAIN_PROBLEM,
        )
    },
    // ---- Connection failures, any stack. ----
    rule(
        "the network",
        &["connection refused", "econnrefused", "connectexception"],
        "Nothing listens on that port, or a firewall rejects the connection.",
        &[(ConnectionRefused, 9)],
    ),
    rule(
        "the network",
        &[
            "could not resolve",
            "enotfound",
            "no such host",
            "name or service not known",
            "unknownhostexception",
            "nodename nor servname",
            "temporary failure in name resolution",
        ],
        "The host name does not resolve.",
        &[(DnsFailure, 10)],
    ),
    rule(
        "the network",
        &[
            "timed out",
            "timeout",
            "etimedout",
            "the operation was aborted",
            "abort_err",
            "deadline exceeded",
        ],
        "No answer in time.",
        &[(Timeout, 8), (ConnectionFailed, 2)],
    ),
    rule(
        "the network",
        &["connection reset", "econnreset", "broken pipe"],
        "The connection was dropped, often by the server during the handshake.",
        &[
            (HandshakeFailure, 4),
            (ClientCertRequired, 2),
            (ConnectionFailed, 3),
        ],
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
    // ---- .NET (names of SslPolicyErrors and X509ChainStatusFlags, from the .NET API docs). ----
    rule(
        ".NET",
        &["remotecertificatenamemismatch"],
        "The certificate is not valid for the name connected to.",
        &[(HostnameMismatch, 9), (NoSan, 2)],
    ),
    rule(
        ".NET",
        &[
            "remotecertificatechainerrors",
            "the remote certificate is invalid",
        ],
        ".NET could not validate the server's chain (the chain status says why).",
        ANY_CHAIN_PROBLEM,
    ),
    rule(
        ".NET",
        &["partialchain"],
        "The chain stops before a trusted root.",
        &[(MissingIntermediate, 9), (UnknownIssuer, 4)],
    ),
    rule(
        ".NET",
        &["untrustedroot"],
        "The chain ends at a root this machine does not trust.",
        &[(PrivateRoot, 7), (UntrustedRoot, 6), (SelfSignedLeaf, 3)],
    ),
    rule(
        ".NET",
        &["nottimevalid"],
        "A certificate is outside its validity period.",
        &[(Expired, 8), (NotYetValid, 4)],
    ),
    // ---- Browsers (Chromium's net_error_list.h and Firefox's error codes). ----
    Rule {
        note: "Chrome downloads missing intermediates itself, so a server that omits one usually \
               still works in Chrome; curl and API clients fail.",
        ..rule(
            "Chrome",
            &["err_cert_authority_invalid"],
            "Chrome does not trust the certificate's issuer.",
            // Chromium 156 printed it for a server sending only its leaf, whose leaf names no
            // "CA Issuers" URL to download the intermediate from (tests/data/clients).
            &[
                (PrivateRoot, 6),
                (MissingIntermediate, 5),
                (SelfSignedLeaf, 4),
                (UnknownIssuer, 4),
            ],
        )
    },
    rule(
        "Chrome",
        &["err_cert_common_name_invalid"],
        "The certificate is not valid for the site's name.",
        &[(HostnameMismatch, 9), (NoSan, 5)],
    ),
    Rule {
        note: "Check this computer's clock first: a wrong clock gives the same error for every site.",
        ..rule(
            "Chrome",
            &["err_cert_date_invalid"],
            "A certificate is expired or not yet valid.",
            &[(Expired, 8), (NotYetValid, 5)],
        )
    },
    rule(
        "Chrome",
        &["err_cert_weak_signature_algorithm"],
        "A certificate is signed with SHA-1 or MD5.",
        &[(WeakSignature, 10)],
    ),
    rule(
        "Chrome",
        &["err_ssl_protocol_error"],
        "The TLS handshake failed.",
        &[(HandshakeFailure, 5), (NotTls, 3), (ClientCertRequired, 2)],
    ),
    rule(
        "Chrome",
        &["err_bad_ssl_client_auth_cert"],
        "The server refused the browser's client certificate.",
        &[(ClientCertRejected, 8), (ClientCaNotAccepted, 4)],
    ),
    Rule {
        note: "Firefox does not download missing intermediates, but knows many public ones already.",
        ..rule(
            "Firefox",
            &["sec_error_unknown_issuer"],
            "Firefox does not know the certificate's issuer.",
            &[
                (MissingIntermediate, 6),
                (PrivateRoot, 5),
                (UnknownIssuer, 4),
                (SelfSignedLeaf, 2),
            ],
        )
    },
    rule(
        "Firefox",
        &["mozilla_pkix_error_self_signed_cert"],
        "The site's certificate is self-signed.",
        &[(SelfSignedLeaf, 10)],
    ),
    rule(
        "Firefox",
        &["ssl_error_bad_cert_domain"],
        "The certificate is not valid for the site's name.",
        &[(HostnameMismatch, 9), (NoSan, 3)],
    ),
    rule(
        "Firefox",
        &[
            "sec_error_expired_certificate",
            "sec_error_expired_issuer_certificate",
        ],
        "A certificate in the chain has expired.",
        &[(Expired, 10)],
    ),
    rule(
        "Firefox",
        &[
            "not_yet_valid_certificate",
            "not_yet_valid_issuer_certificate",
        ],
        "A certificate in the chain is not valid yet.",
        &[(NotYetValid, 10)],
    ),
    rule(
        "Firefox",
        &["mozilla_pkix_error_mitm_detected"],
        "Software between the browser and the site (a TLS-inspecting proxy or antivirus) replaced the certificate with one from its own CA.",
        &[(TlsInterception, 10), (PrivateRoot, 4)],
    ),
    rule(
        "Firefox",
        &[
            "sec_error_inadequate_key_usage",
            "mozilla_pkix_error_inadequate_key_size",
        ],
        "A certificate's key usage or key size is not acceptable.",
        &[(BadKeyUsage, 6), (WeakKey, 5)],
    ),
    // ---- Envoy / Istio (BoringSSL's names inside "TLS error: ..." strings). ----
    // The reason strings are BoringSSL's (ssl/ssl_lib and err_data), printed as
    // "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED".
    Rule {
        also: BORINGSSL,
        ..rule(
            "Envoy / Istio",
            &["certificate_verify_failed"],
            "Envoy (BoringSSL) could not verify the upstream's certificate against its validation \
             context's trusted_ca: run the check against the upstream with that CA file.",
            ANY_CHAIN_PROBLEM,
        )
    },
    rule(
        "Envoy / Istio",
        &["upstream connect error or disconnect/reset before headers"],
        "Envoy could not reach the upstream; with \"TLS error\" the upstream's TLS failed (the reason follows).",
        &[(HandshakeFailure, 1)],
    ),
    // ---- nginx. ----
    rule(
        "nginx (verifying a client certificate)",
        &["client ssl certificate verify error"],
        "nginx could not verify a client certificate (the reason is in parentheses).",
        &[(ClientMissingIntermediate, 5), (ClientCaNotAccepted, 5)],
    ),
    Rule {
        also: NGINX_CLIENT_VERIFY,
        ..rule(
            "nginx (verifying a client certificate)",
            &["certificate has expired"],
            "The client certificate has expired.",
            &[(ClientCertExpired, 10)],
        )
    },
    Rule {
        also: NGINX_CLIENT_VERIFY,
        ..rule(
            "nginx (verifying a client certificate)",
            &[
                "unsuitable certificate purpose",
                "unsupported certificate purpose",
            ],
            "The client certificate's EKU lacks clientAuth.",
            &[(ClientWrongEku, 10)],
        )
    },
    Rule {
        also: NGINX_CLIENT_VERIFY,
        ..rule(
            "nginx (verifying a client certificate)",
            &["unable to get local issuer certificate"],
            "The client's chain does not reach a CA in ssl_client_certificate: a missing client intermediate, or a CA nginx does not trust.",
            &[(ClientMissingIntermediate, 6), (ClientCaNotAccepted, 6)],
        )
    },
    rule(
        "nginx",
        &["no required ssl certificate was sent"],
        "nginx requires a client certificate and none was sent.",
        &[(ClientCertRequired, 10)],
    ),
    rule(
        "nginx",
        &["the ssl certificate error"],
        "nginx refused the client certificate it was sent; its error log (at info) says why.",
        // The same page for a CA it does not list, an expired certificate, a purpose without
        // clientAuth and a bad signature (recorded, tests/data/server-logs).
        &[
            (ClientCaNotAccepted, 6),
            (ClientCertRejected, 6),
            (ClientCertExpired, 5),
            (ClientWrongEku, 5),
        ],
    ),
    rule(
        "nginx (as a proxy)",
        &["upstream ssl certificate verify error"],
        "nginx could not verify the upstream server's certificate (proxy_ssl_verify on).",
        &[
            (MissingIntermediate, 3),
            (UnknownIssuer, 3),
            (PrivateRoot, 3),
        ],
    ),
    // ---- STARTTLS. Recorded by hand against Postfix 3.7 with TLS off and PostgreSQL 15 with
    // ssl = off (libpq, curl 7.88, Python smtplib, openssl s_client); the JDBC, MySQL,
    // JavaMail and Postfix-client strings are from their sources.
    rule(
        "libpq (psql, psycopg, Rails, Django, most PostgreSQL clients)",
        &["server does not support ssl, but ssl was required"],
        "The client asked PostgreSQL for TLS (sslmode=require or stricter) and the server answered that it has TLS off.",
        &[(StarttlsNotOffered, 10)],
    ),
    rule(
        "PostgreSQL JDBC",
        &["the server does not support ssl"],
        "The client asked PostgreSQL for TLS and the server has TLS off.",
        &[(StarttlsNotOffered, 10)],
    ),
    rule(
        "MySQL / MariaDB client",
        &["ssl is required but the server doesn't support it"],
        "The client requires TLS and the MySQL server's handshake does not offer it.",
        &[(StarttlsNotOffered, 10)],
    ),
    rule(
        "SMTP clients (curl, Python smtplib, openssl s_client -starttls, JavaMail, Postfix)",
        &[
            "starttls not supported",
            "starttls extension not supported by server",
            "didn't find starttls in server response",
            "host does not support starttls",
            "tls is required, but was not offered",
        ],
        "The mail server's EHLO reply does not offer STARTTLS, and the client requires TLS.",
        &[(StarttlsNotOffered, 10)],
    ),
    rule(
        "SMTP",
        &["refused to start tls", "tls not available"],
        "The server offers STARTTLS and then refuses it (454: TLS not available), usually because it cannot load its certificate or key.",
        &[(StarttlsRefused, 10)],
    ),
    rule(
        "curl",
        &["requested ssl level failed"],
        "curl asked to upgrade with TLS (--ssl-reqd) and the server did not agree.",
        &[(StarttlsNotOffered, 7), (StarttlsRefused, 6)],
    ),
    // ---- Proxies. Recorded by hand against tinyproxy with BasicAuth and a closed port (curl
    // 7.88, Python requests); Go's and Java's wording is from their sources.
    rule(
        "HTTP proxy (curl, requests, Java, Go)",
        &[
            "connect tunnel failed, response 407",
            "407 proxy authentication required",
            "received http code 407 from proxy",
            "proxy authentication required",
        ],
        "The proxy answered the CONNECT request with 407: it wants credentials.",
        &[(ProxyAuthRequired, 10)],
    ),
    Rule {
        unless: &["407"],
        ..rule(
            "HTTP proxy (curl, requests, Java)",
            &[
                "connect tunnel failed, response",
                "tunnel connection failed",
                "unable to tunnel through proxy",
            ],
            "The proxy refused to open a tunnel to the server (the status in the message says why).",
            &[(ProxyRefused, 9), (TlsInterception, 1)],
        )
    },
    Rule {
        unless: &["407", "tunnel connection failed"],
        ..rule(
            "HTTP proxy (requests, Go, curl)",
            &[
                "unable to connect to proxy",
                "cannot connect to proxy",
                "proxyconnect tcp",
                "could not resolve proxy",
                "failed to connect to proxy",
            ],
            "The proxy itself could not be reached: its name does not resolve, or nothing answers at its port.",
            &[(ProxyUnreachable, 10)],
        )
    },
    // ---- Revocation: Firefox and Chromium error names, Java's CertPathValidator, Windows
    // (curl with Schannel, .NET) status names.
    Rule {
        unless: &["alert"],
        ..rule(
            "browsers, Java, Windows, OpenSSL",
            &[
                "sec_error_revoked_certificate",
                "err_cert_revoked",
                "certificate has been revoked",
                "crypt_e_revoked",
                "certificate revoked",
                "the certificate is revoked",
            ],
            "The CA has revoked the server's certificate.",
            &[(Revoked, 10)],
        )
    },
    rule(
        "Firefox",
        &["mozilla_pkix_error_required_tls_feature_missing"],
        "The certificate demands a stapled OCSP response (must-staple) and the server sent none.",
        &[(MustStapleMissing, 10)],
    ),
    rule(
        "Firefox",
        &[
            "sec_error_ocsp_old_response",
            "sec_error_ocsp_future_response",
            "sec_error_ocsp_invalid_signing_cert",
            "sec_error_ocsp_unauthorized_response",
            "sec_error_ocsp_malformed_response",
        ],
        "The OCSP response (usually the stapled one) is out of date or not properly signed.",
        &[(OcspStapleInvalid, 9), (MustStapleMissing, 3)],
    ),
    rule(
        "Windows (curl with Schannel, .NET), Chromium",
        &[
            "crypt_e_revocation_offline",
            "crypt_e_no_revocation_check",
            "revocationstatusunknown",
            "offlinerevocation",
            "unable to check revocation",
            "err_cert_unable_to_check_revocation",
        ],
        "The client could not learn whether the certificate is revoked: the CA's OCSP or CRL server did not answer (often a proxy or firewall in the way).",
        &[(RevocationUnknown, 10), (ProxyUnreachable, 2)],
    ),
];
