//! What servers, proxies and the path between print, whatever the client: a key that is not
//! its certificate's, an oversized chain, a connection that never reached TLS, Envoy and nginx
//! logs, STARTTLS and proxy refusals, revocation that could not be learned.

use super::rules::{ANY_CHAIN_PROBLEM, BORINGSSL, NGINX_CLIENT_VERIFY, Rule, rule};
use crate::causes::Cause::*;

pub static RULES: &[Rule] = &[
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
