//! Which client family printed a message, as data: the name `tlsdoctor check --clients` takes
//! for it, and its version when the message shows one. The next check is run as that client,
//! and causes its profile cannot produce (a CN-only name for a client that falls back to the
//! CN, a DH group for one without DHE) drop out of the ranking.

use crate::causes::Cause;
use crate::clients::{Profile, Sha1};
use regex_lite::Regex;
use std::sync::OnceLock;

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
        clients: "firefox",
        any: &["ssl_error_", "sec_error_", "mozilla_pkix_error_"],
        source: "NSS's error names (lib/ssl/SSLerrs.h, lib/util/SECerrs.h) and mozilla::pkix's \
                 (security/manager/ssl/), which Firefox shows on its error page",
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

/// Where a message shows its producer's version, the profile id it names: Python's traceback
/// paths, Node's banner under an uncaught error, curl's `OpenSSL/x.y` prefix, a JDK's version
/// line, Go's toolchain version. Only an id data/clients.toml has counts.
pub fn profile(text: &str, family: &str) -> Option<String> {
    static PATTERNS: OnceLock<Vec<(&'static str, Regex, &'static str)>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            ("python", r"python3\.(\d+)[/ ]", "python-3.{}"),
            ("node", r"node\.js v(\d+)\.", "node-{}"),
            ("openssl", r"openssl/(1\.1|3\.0)\.", "openssl-{}"),
            ("openssl", r"openssl/3\.([1-9])", "openssl-3"),
            (
                "java",
                r#"(?:openjdk|java) (?:version )?"?(\d+)[."]"#,
                "java-{}",
            ),
            ("go", r"go1\.(\d+)", "go-1.{}"),
        ]
        .into_iter()
        .filter_map(|(family, pattern, id)| Some((family, Regex::new(pattern).ok()?, id)))
        .collect()
    });
    let profiles = crate::clients::all().ok()?;
    patterns
        .iter()
        .filter(|(f, ..)| *f == family)
        .find_map(|(_, pattern, id)| {
            let version = pattern.captures(text)?.get(1)?.as_str();
            let id = id.replace("{}", version);
            profiles.iter().any(|p| p.id == id).then_some(id)
        })
}

/// Libraries on top of a client that set a policy of their own, so that the client's profile
/// does not say what they accept: urllib3 2 (and so requests) turns off Python's CN fallback
/// (urllib3 2.0 changelog; recorded: requests refuses the CN-only fixture that urllib takes).
const OWN_POLICY: &[&str] = &["urllib3", "httpsconnectionpool", "requests.exceptions"];

/// Whether the message comes through a library with a policy of its own ([`OWN_POLICY`]).
pub fn own_policy(text: &str) -> bool {
    OWN_POLICY.iter().any(|p| text.contains(p))
}

/// Whether no profile `selector` (a family or an id) names could have failed for `cause`: its
/// policy accepts what the cause is about.
pub fn rules_out(selector: &str, cause: Cause) -> bool {
    let Ok(profiles) = crate::clients::select(selector) else {
        return false;
    };
    !profiles.is_empty() && profiles.iter().all(|p| cannot_produce(p, cause))
}

fn cannot_produce(p: &Profile, cause: Cause) -> bool {
    match cause {
        Cause::NoSan => p.cn_fallback.value,
        Cause::LeafIsCa => p.leaf_ca.value,
        Cause::WrongEku => !p.checks_eku.value,
        Cause::WeakSignature => p.sha1.value == Sha1::Allowed,
        Cause::DhTooSmall => p.min_dh_bits.value == 0,
        Cause::ProfileViolation => !p.strict_rfc5280.value,
        Cause::WildcardOverPublicSuffix => !p.psl_wildcards.value,
        Cause::ValidityTooLong => p.lifetime_policy.value == crate::checks::lifetime::Policy::None,
        Cause::CtRequired => p.ct_policy.value == crate::checks::ct::Policy::None,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_in_the_message_names_the_profile() {
        let text = "file \"/usr/lib/python3.11/ssl.py\", line 1 ssl.sslcertverificationerror";
        assert_eq!(profile(text, "python").as_deref(), Some("python-3.11"));
        let text = "curl: (35) openssl/3.0.19: error:0a00018a:ssl routines::dh key too small";
        assert_eq!(profile(text, "openssl").as_deref(), Some("openssl-3.0"));
        assert_eq!(
            profile("node.js v20.20.2", "node").as_deref(),
            Some("node-20")
        );
        // A version no profile has is no profile.
        assert_eq!(profile("python3.2/ssl.py", "python"), None);
    }

    #[test]
    fn a_client_that_falls_back_to_the_cn_cannot_fail_for_a_missing_san() {
        assert!(rules_out("openssl-3.0", Cause::NoSan));
        assert!(!rules_out("go", Cause::NoSan));
        assert!(rules_out("go", Cause::DhTooSmall));
        assert!(!rules_out("go", Cause::Expired));
    }

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
