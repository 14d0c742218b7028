//! What programs and runtimes print on their own, in their words rather than their TLS
//! library's: Go, Java, curl's exit codes, Docker, Python, .NET and the browsers. Each section
//! says where its words come from.

use super::rules::{ANY_CHAIN_PROBLEM, BORINGSSL, NO_PATH, Rule, rule};
use crate::causes::Cause::*;

pub static RULES: &[Rule] = &[
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
        // Chromium 156 also prints it for *.co.uk at foo.co.uk: a wildcard over a public suffix.
        &[
            (HostnameMismatch, 9),
            (NoSan, 5),
            (WildcardOverPublicSuffix, 3),
        ],
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
    // net/base/net_error_list.h CERT_VALIDITY_TOO_LONG (-213), set by
    // CertVerifyProc::HasTooLongValidity for a chain to a root of the Chrome Root Store.
    rule(
        "Chrome",
        &["err_cert_validity_too_long"],
        "The certificate is valid for longer than Chrome allows a publicly trusted one.",
        &[(ValidityTooLong, 10)],
    ),
    // Apple's Security framework: SecBase.h errSecCertificateValidityPeriodTooLong (-67901),
    // "The validity period in the certificate exceeds the maximum allowed."; the certificate
    // sheet of Safari and Keychain Access says "not standards compliant" for a certificate that
    // breaks HT210176 (validity, EKU, SAN, key size, SHA-1). Not recorded here: no Apple client.
    rule(
        "Apple (Safari, URLSession)",
        &[
            "errseccertificatevalidityperiodtoolong",
            "-67901",
            "validity period in the certificate exceeds the maximum allowed",
        ],
        "The certificate is valid for longer than Apple platforms allow.",
        &[(ValidityTooLong, 10)],
    ),
    rule(
        "Apple (Safari, Keychain Access)",
        &["not standards compliant"],
        "The certificate breaks Apple's requirements for TLS server certificates (HT210176): \
         at most 825 days of validity, serverAuth in the EKU, the name in the SANs, RSA of \
         2048 bits or more, no SHA-1.",
        &[
            (ValidityTooLong, 6),
            (NoSan, 4),
            (WrongEku, 4),
            (WeakKey, 3),
            (WeakSignature, 3),
        ],
    ),
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
    Rule {
        source: "Firefox security/certverifier/NSSCertDBTrustDomain.cpp: a leaf whose notBefore \
                 is after its built-in root's CKA_NSS_SERVER_DISTRUST_AFTER gets \
                 Result::ERROR_ISSUER_NO_LONGER_TRUSTED (a root the user added is exempt)",
        ..rule(
            "Firefox",
            &[
                "mozilla_pkix_error_issuer_no_longer_trusted",
                "issuer_no_longer_trusted",
            ],
            "Firefox's root store still has the root, but distrusts it for certificates issued \
             after a date, and this one was issued later.",
            &[(DistrustedRoot, 10)],
        )
    },
    Rule {
        source: "OpenJDK 17.0.19 sun/security/validator/EntrustTLSPolicy.java, \
                 SymantecTLSPolicy.java, CamerfirmaTLSPolicy.java, ChunghwaTLSPolicy.java \
                 (jdk.security.caDistrustPolicies in java.security)",
        ..rule(
            "Java (PKIX)",
            &["anchored by a distrusted legacy"],
            "Java's cacerts still has the root, but its caDistrustPolicies refuse TLS server \
             certificates from it issued after the policy's date.",
            &[(DistrustedRoot, 10)],
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
    Rule {
        source: "recorded from Firefox ESR 153.8.0 (tests/data/client-errors): a leaf whose \
                 keyUsage lacks digitalSignature, and an issuer that is CA:FALSE without \
                 keyCertSign (mozilla::pkix checks the issuer's key usage first)",
        ..rule(
            "Firefox",
            &["sec_error_inadequate_key_usage"],
            "A certificate's key usage does not allow what it is used for: the server's to sign \
             the handshake, or its issuer's to sign certificates.",
            &[(BadKeyUsage, 7), (NotACa, 6)],
        )
    },
    Rule {
        source: "mozilla::pkix Result::ERROR_INADEQUATE_KEY_SIZE (pkixcheck.cpp, \
                 CheckPublicKeySize): an RSA key below 1024 bits or an unsupported curve",
        ..rule(
            "Firefox",
            &["mozilla_pkix_error_inadequate_key_size"],
            "A certificate's key is too small for Firefox (RSA below 1024 bits).",
            &[(WeakKey, 10)],
        )
    },
    // ---- Recorded from Firefox ESR 153.8.0 (tests/data/client-errors and tests/data/clients):
    // the code its error page shows for each broken chain.
    Rule {
        source: "recorded from Firefox ESR 153.8.0: an extendedKeyUsage without serverAuth, in \
                 the leaf or in its issuer (mozilla::pkix CheckExtendedKeyUsage), and a leaf \
                 with anyExtendedKeyUsage only",
        ..rule(
            "Firefox",
            &["sec_error_inadequate_cert_type"],
            "A certificate in the chain is not meant for TLS servers: its extendedKeyUsage \
             lacks serverAuth.",
            &[(WrongEku, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0: an intermediate with the right name and \
                 the wrong key",
        ..rule(
            "Firefox",
            &["sec_error_bad_signature"],
            "A certificate's signature does not verify with its issuer's key.",
            &[(BadSignature, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0: a leaf or an intermediate signed with SHA-1",
        ..rule(
            "Firefox",
            &["sec_error_cert_signature_algorithm_disabled"],
            "A certificate is signed with an algorithm Firefox no longer accepts (SHA-1, MD5).",
            &[(WeakSignature, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0: a leaf with basicConstraints CA:TRUE",
        ..rule(
            "Firefox",
            &["mozilla_pkix_error_ca_cert_used_as_end_entity"],
            "The server's certificate is a CA certificate (basicConstraints CA:TRUE), which \
             Firefox refuses as a server certificate.",
            &[(LeafIsCa, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0: a CA below a pathlen:0 CA",
        ..rule(
            "Firefox",
            &["sec_error_path_len_constraint_invalid"],
            "A CA's pathLenConstraint allows fewer intermediates below it than the chain has.",
            &[(PathLengthExceeded, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0: a name outside its issuer's permitted \
                 subtrees",
        ..rule(
            "Firefox",
            &["sec_error_cert_not_in_name_space"],
            "The certificate's names are outside what a CA in the chain may issue for (its \
             name constraints).",
            &[(NameConstraintsViolation, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0 against plain HTTP on the port (NSS \
                 SSL_ERROR_RX_RECORD_TOO_LONG: the first bytes read as a record longer than \
                 TLS allows)",
        ..rule(
            "Firefox",
            &["ssl_error_rx_record_too_long"],
            "What answered is not TLS: most often plain HTTP on the port, or the HTTP port \
             itself.",
            &[(NotTls, 10)],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0 against a TLS 1.2 server that requires a \
                 client certificate (NSS SSL_ERROR_HANDSHAKE_FAILURE_ALERT: the server sent a \
                 handshake_failure alert after Firefox's first flight)",
        ..rule(
            "Firefox",
            &["ssl_error_handshake_failure_alert"],
            "The server aborted the handshake with handshake_failure after accepting the \
             ClientHello: most often because it wants a client certificate.",
            &[
                (ClientCertRequired, 7),
                (HandshakeFailure, 4),
                (ClientCaNotAccepted, 3),
            ],
        )
    },
    Rule {
        source: "recorded from Firefox ESR 153.8.0 against a closed port (the error page's \
                 description; its error id is connectionFailure)",
        ..rule(
            "Firefox",
            &[
                "can\u{2019}t establish a connection to the server",
                "can't establish a connection to the server",
            ],
            "Nothing accepted the connection: no server listens on that port, or a firewall \
             refuses it.",
            &[(ConnectionRefused, 10)],
        )
    },
];
