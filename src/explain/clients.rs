//! Which client family printed a message, as data: the name `tlsdoctor check --clients` takes
//! for it. A negotiation failure depends on what that client offers, so the next check is run
//! as that client.

/// Words only one client family prints, and the `--clients` name of that family.
pub struct Family {
    /// The `--clients` value (a family or profile id of data/clients.toml).
    pub clients: &'static str,
    /// Any of these phrases (lowercase) in the message names the family.
    pub any: &'static [&'static str],
    /// Where the words come from.
    // For reviewers and the data tests; the matcher does not need it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
}

/// Most specific first: Python and Node print OpenSSL's words inside their own, and curl may be
/// built on GnuTLS, so the wrappers are tried before the libraries.
pub static FAMILIES: &[Family] = &[
    Family {
        clients: "chrome",
        any: &[
            "net::err_",
            "err_ssl_version_or_cipher_mismatch",
            "err_cert_",
        ],
        source: "Chromium's net error names (net/base/net_error_list.h), recorded from Chromium \
                 156 in tests/data/clients/outcomes.json",
    },
    Family {
        clients: "java",
        any: &["javax.net.ssl", "sun.security.", "java.security.cert"],
        source: "JSSE's exception classes, recorded from OpenJDK 17.0.15",
    },
    Family {
        clients: "python",
        any: &[
            "[ssl: ",
            "ssl.sslerror",
            "sslcertverificationerror",
            "urlopen error",
            "(_ssl.c:",
        ],
        source: "Python's ssl module wording ([SSL: REASON] ... (_ssl.c:LINE)), recorded from \
                 Python 3.11.7",
    },
    Family {
        clients: "node",
        any: &[
            "deps/openssl/",
            "code: eproto",
            "err_ossl_",
            "err_tls_",
            "err_ssl_sslv3_alert",
            "err_ssl_tlsv1_alert",
        ],
        source: "Node's error codes and its bundled OpenSSL's file paths, recorded from Node \
                 20.20.2",
    },
    Family {
        clients: "go",
        any: &[
            "remote error: tls:",
            "x509: ",
            "tls: failed to verify",
            "tls: no cipher suite supported",
            "tls: first record does not look",
        ],
        source: "Go's crypto/tls and crypto/x509 error strings, recorded from Go 1.19.8",
    },
    Family {
        clients: "gnutls",
        any: &[
            "gnutls",
            "*** fatal error:",
            "a tls fatal alert has been received",
            "error: the certificate of ",
        ],
        source: "gnutls-cli 3.7.9 and wget 1.21.3 (GnuTLS), recorded in \
                 tests/data/clients/outcomes.json",
    },
    Family {
        clients: "openssl",
        any: &["openssl/", "ssl routines", "curl: ("],
        source: "OpenSSL 3.0's error queue (error:XXXXXXXX:SSL routines::reason) as curl 7.88 \
                 and s_client print it",
    },
];

/// The `--clients` name of the family that printed `text` (normalised), when it says.
pub fn family(text: &str) -> Option<&'static str> {
    FAMILIES
        .iter()
        .find(|f| f.any.iter().any(|p| text.contains(p)))
        .map(|f| f.clients)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_a_clients_name_with_a_source() {
        let profiles = crate::clients::all().expect("data/clients.toml parses");
        for f in FAMILIES {
            assert!(!f.source.is_empty(), "{}", f.clients);
            assert!(
                profiles
                    .iter()
                    .any(|p| p.family == f.clients || p.id == f.clients),
                "--clients {} names no profile",
                f.clients
            );
            for phrase in f.any {
                assert_eq!(*phrase, phrase.to_lowercase(), "{}", f.clients);
            }
        }
    }
}
