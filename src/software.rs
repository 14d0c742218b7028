//! Which server software answered, from what it already said: the HTTP `Server` header, the
//! greeting of a mail or file server, the database protocol itself. Facts, not judgements: the
//! human report uses them to show the fix steps for that server first.
//!
//! The products and the words that name them are data ([`KNOWN`]), each with where the word
//! comes from, so a reviewer can audit one line.

use crate::starttls::Protocol;
use serde::Serialize;

/// One server product and how it names itself.
#[derive(Debug)]
pub struct Known {
    /// The product as reports show it.
    pub product: &'static str,
    /// Words (case-insensitive, whole words of the announcement) that name it.
    pub words: &'static [&'static str],
    /// The catalog's fix-step platforms that apply to it (`crate::causes` labels).
    pub fix_platforms: &'static [&'static str],
    /// Where the announcement is documented or can be seen.
    pub source: &'static str,
    /// When the source was last checked.
    pub checked: &'static str,
}

/// Known products, most specific first: the first entry with a matching word wins
/// (Tomcat's `Apache-Coyote` before Apache httpd's `Apache`).
pub const KNOWN: &[Known] = &[
    Known {
        product: "Tomcat",
        words: &["coyote", "tomcat"],
        fix_platforms: &["Java (Tomcat, Spring)", "Java servers"],
        source: "Tomcat HTTP connector `server` attribute, default `Apache-Coyote/1.1` before 8.5 (tomcat.apache.org/tomcat-8.5-doc/config/http.html)",
        checked: "2026-12-04",
    },
    Known {
        product: "Jetty",
        words: &["jetty"],
        fix_platforms: &["Java (Tomcat, Spring)", "Java servers"],
        source: "Jetty HttpConfiguration.setSendServerVersion: `Server: Jetty(VERSION)` (jetty.org documentation)",
        checked: "2026-12-04",
    },
    Known {
        product: "nginx",
        words: &["nginx", "openresty"],
        fix_platforms: &["nginx"],
        source: "nginx `server_tokens` directive: `Server: nginx/VERSION` or `nginx` (nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens); OpenResty is nginx",
        checked: "2026-12-04",
    },
    Known {
        product: "Apache",
        words: &["apache", "httpd"],
        fix_platforms: &["Apache"],
        source: "Apache httpd `ServerTokens` directive: `Server: Apache/VERSION (OS)` (httpd.apache.org/docs/2.4/mod/core.html#servertokens)",
        checked: "2026-12-04",
    },
    Known {
        product: "IIS",
        words: &["iis"],
        fix_platforms: &["IIS / Windows"],
        source: "IIS sends `Server: Microsoft-IIS/VERSION` unless removeServerHeader is set (learn.microsoft.com, requestFiltering)",
        checked: "2026-12-04",
    },
    Known {
        product: "Envoy",
        words: &["envoy"],
        fix_platforms: &["Envoy"],
        source: "Envoy HttpConnectionManager `server_name`, default `envoy` (Istio: `istio-envoy`) (envoyproxy.io, http_connection_manager.proto)",
        checked: "2026-12-04",
    },
    Known {
        product: "HAProxy",
        words: &["haproxy"],
        fix_platforms: &["HAProxy"],
        source: "HAProxy adds no Server header itself; configurations that do (`http-response set-header Server haproxy`) name it",
        checked: "2026-12-04",
    },
    Known {
        product: "Caddy",
        words: &["caddy"],
        fix_platforms: &[],
        source: "Caddy sends `Server: Caddy` by default (caddyserver.com/docs/caddyfile/directives/header)",
        checked: "2026-12-04",
    },
    Known {
        product: "Postfix",
        words: &["postfix"],
        fix_platforms: &["Postfix, Dovecot", "PostgreSQL, Postfix"],
        source: "Postfix `smtpd_banner`, default `$myhostname ESMTP $mail_name` with mail_name Postfix (www.postfix.org/postconf.5.html#smtpd_banner)",
        checked: "2026-12-04",
    },
    Known {
        product: "Exim",
        words: &["exim"],
        fix_platforms: &[],
        source: "Exim `smtp_banner`, default `$smtp_active_hostname ESMTP Exim $version_number $tod_full` (exim.org spec, main configuration)",
        checked: "2026-12-04",
    },
    Known {
        product: "Dovecot",
        words: &["dovecot"],
        fix_platforms: &["Postfix, Dovecot"],
        source: "Dovecot `login_greeting`, default `Dovecot ready.` (doc.dovecot.org, login_greeting setting)",
        checked: "2026-12-04",
    },
    Known {
        product: "vsftpd",
        words: &["vsftpd"],
        fix_platforms: &[],
        source: "vsftpd greets `220 (vsFTPd VERSION)` unless `ftpd_banner` is set (vsftpd.conf(5))",
        checked: "2026-12-04",
    },
    Known {
        product: "ProFTPD",
        words: &["proftpd"],
        fix_platforms: &[],
        source: "ProFTPD `ServerIdent`, default `220 ProFTPD Server (...)` (proftpd.org/docs/directives/linked/config_ref_ServerIdent.html)",
        checked: "2026-12-04",
    },
    Known {
        product: "PostgreSQL",
        words: &["postgresql"],
        fix_platforms: &["PostgreSQL", "PostgreSQL, Postfix"],
        source: "only PostgreSQL answers its SSLRequest ('S' or 'N'); it names no version before TLS (postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL)",
        checked: "2026-12-04",
    },
    Known {
        product: "MySQL",
        words: &["mysql"],
        fix_platforms: &[],
        source: "MySQL's HandshakeV10 carries the server version (dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html)",
        checked: "2026-12-04",
    },
    Known {
        product: "MariaDB",
        words: &["mariadb"],
        fix_platforms: &[],
        source: "MariaDB's HandshakeV10 server version ends in `-MariaDB` (mariadb.com/kb, Connection: initial handshake)",
        checked: "2026-12-04",
    },
];

/// What the server said about its software.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerSoftware {
    /// The product recognised (`nginx`, `Apache`, `Postfix`, `PostgreSQL`, ...); `None` when the
    /// announcement names none tlsdoctor knows.
    pub product: Option<&'static str>,
    /// The version announced with it, when there is one.
    pub version: Option<String>,
    /// Where it was read: `http-server-header`, `smtp-greeting`, `imap-greeting`,
    /// `pop3-greeting`, `ftp-greeting`, `mysql-handshake` or `postgres-protocol`.
    pub source: &'static str,
    /// The words it was read from, as the server sent them.
    pub announced: String,
}

impl ServerSoftware {
    /// Reads an HTTP `Server` header value (`nginx/1.22.1`, `Apache/2.4.57 (Debian)`).
    pub fn from_http_header(value: &str) -> Option<ServerSoftware> {
        let value = value.trim();
        (!value.is_empty()).then(|| identify(value, "http-server-header"))
    }

    /// Reads the server's first words in a STARTTLS transcript (`S: ...` lines). PostgreSQL
    /// says nothing about itself, but only PostgreSQL speaks its protocol.
    pub fn from_transcript(protocol: Protocol, lines: &[String]) -> Option<ServerSoftware> {
        let first = lines.iter().find_map(|l| l.strip_prefix("S: "))?;
        let source = match protocol {
            Protocol::Smtp => "smtp-greeting",
            Protocol::Imap => "imap-greeting",
            Protocol::Pop3 => "pop3-greeting",
            Protocol::Ftp => "ftp-greeting",
            Protocol::Mysql => "mysql-handshake",
            Protocol::Postgres => {
                return Some(ServerSoftware {
                    product: Some("PostgreSQL"),
                    version: None,
                    source: "postgres-protocol",
                    announced: first.to_string(),
                });
            }
            Protocol::Ldap | Protocol::Xmpp => return None,
        };
        let mut software = identify(first, source);
        if protocol == Protocol::Mysql {
            // "HandshakeV10, server 8.0.36, capabilities ...": the version is the word after
            // "server"; a MariaDB server says so in it.
            software.version = first
                .split(", ")
                .find_map(|part| part.strip_prefix("server "))
                .map(str::to_string);
            software.product = software.product.or(Some("MySQL"));
        }
        Some(software)
    }

    /// The catalog fix-step platforms that apply to this server (empty when none do, or it is
    /// not recognised).
    pub fn fix_platforms(&self) -> &'static [&'static str] {
        self.product
            .and_then(|p| KNOWN.iter().find(|k| k.product == p))
            .map_or(&[], |k| k.fix_platforms)
    }
}

/// The first known product named by a word of `announced`, and the version written after it.
fn identify(announced: &str, source: &'static str) -> ServerSoftware {
    let words: Vec<&str> = announced
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let found = KNOWN.iter().find_map(|known| {
        let at = words.iter().position(|w| {
            known
                .words
                .iter()
                .any(|k| w.trim_end_matches('.').eq_ignore_ascii_case(k))
        })?;
        Some((known.product, at))
    });
    let version = found.and_then(|(_, at)| {
        words
            .get(at + 1)
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .map(|w| w.trim_end_matches('.').to_string())
    });
    ServerSoftware {
        product: found.map(|(product, _)| product),
        version,
        source,
        announced: announced.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(header: &str) -> (Option<&'static str>, Option<String>) {
        let s = ServerSoftware::from_http_header(header).expect("a header");
        (s.product, s.version)
    }

    #[test]
    fn server_headers_name_the_product_and_version() {
        assert_eq!(
            product("nginx/1.22.1"),
            (Some("nginx"), Some("1.22.1".into()))
        );
        assert_eq!(product("nginx"), (Some("nginx"), None));
        assert_eq!(
            product("Apache/2.4.57 (Debian)"),
            (Some("Apache"), Some("2.4.57".into()))
        );
        assert_eq!(product("Apache-Coyote/1.1").0, Some("Tomcat"));
        assert_eq!(
            product("Microsoft-IIS/10.0"),
            (Some("IIS"), Some("10.0".into()))
        );
        assert_eq!(product("istio-envoy").0, Some("Envoy"));
        assert_eq!(product("Jetty(9.4.53.v20231009)").0, Some("Jetty"));
        assert_eq!(product("gws"), (None, None));
        assert_eq!(ServerSoftware::from_http_header("  "), None);
    }

    #[test]
    fn greetings_and_handshakes_name_the_product() {
        let lines = |s: &str| vec![format!("S: {s}"), "C: EHLO tlsdoctor.invalid".into()];
        let smtp = ServerSoftware::from_transcript(
            Protocol::Smtp,
            &lines("220 mx.example.com ESMTP Postfix (Debian/GNU)"),
        );
        assert_eq!(smtp.and_then(|s| s.product), Some("Postfix"));
        let imap = ServerSoftware::from_transcript(
            Protocol::Imap,
            &lines("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready."),
        );
        assert_eq!(imap.and_then(|s| s.product), Some("Dovecot"));
        let ftp = ServerSoftware::from_transcript(Protocol::Ftp, &lines("220 (vsFTPd 3.0.3)"));
        assert_eq!(
            ftp.map(|s| (s.product, s.version)),
            Some((Some("vsftpd"), Some("3.0.3".into())))
        );
        let mysql = ServerSoftware::from_transcript(
            Protocol::Mysql,
            &lines("HandshakeV10, server 10.11.6-MariaDB-0+deb12u1, capabilities 0xf7fe"),
        );
        assert_eq!(
            mysql.map(|s| (s.product, s.version)),
            Some((Some("MariaDB"), Some("10.11.6-MariaDB-0+deb12u1".into())))
        );
        let pg = ServerSoftware::from_transcript(Protocol::Postgres, &lines("'S' (proceed)"));
        assert_eq!(pg.and_then(|s| s.product), Some("PostgreSQL"));
        assert_eq!(ServerSoftware::from_transcript(Protocol::Smtp, &[]), None);
    }

    #[test]
    fn known_products_are_sourced_and_their_platforms_are_in_the_catalog() {
        let labels: Vec<&str> = crate::causes::Cause::ALL
            .iter()
            .flat_map(|c| c.entry().platforms.iter().map(|(label, _)| *label))
            .collect();
        for known in KNOWN {
            assert!(!known.words.is_empty(), "{}", known.product);
            assert!(known.source.len() > 20, "{} has no source", known.product);
            assert!(
                time::Date::parse(
                    known.checked,
                    time::macros::format_description!("[year]-[month]-[day]")
                )
                .is_ok(),
                "{}",
                known.product
            );
            for platform in known.fix_platforms {
                assert!(
                    labels.contains(platform),
                    "{}: no catalog step is for {platform}",
                    known.product
                );
            }
        }
    }
}
