//! What to check: a host and port from what the user typed, and the name to verify.

use crate::error::Error;
use rustls::pki_types::ServerName;
use std::net::IpAddr;

/// The port used when none is given.
pub const DEFAULT_PORT: u16 = 443;

/// A network target, parsed from `host`, `host:port`, `https://host[:port]/path`, `[v6]:port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Exactly what the user typed, for the report.
    pub input: String,
    /// The host to connect to: a DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// The name to send as SNI and verify, when it differs from `host` (`--servername`).
    pub servername: Option<String>,
}

impl Target {
    /// Parses a target as users write it.
    pub fn parse(input: &str) -> Result<Target, Error> {
        let bad = |reason: &str| Error::Target {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = input.trim();
        let rest = match trimmed.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            Some((scheme, _)) => {
                return Err(bad(&format!(
                    "the {scheme}:// scheme is not supported; use https:// or host:port"
                )));
            }
            None => trimmed,
        };
        // Drop any path, query or fragment, then any user info.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let (host, port) = split_host_port(authority).map_err(|r| bad(&r))?;
        let host = host.strip_suffix('.').unwrap_or(host).to_string();
        if host.is_empty() {
            return Err(bad("no host name"));
        }
        if host.parse::<IpAddr>().is_err() && ServerName::try_from(host.as_str()).is_err() {
            return Err(bad("not a valid host name or IP address"));
        }
        Ok(Target {
            input: input.to_string(),
            host,
            port,
            servername: None,
        })
    }

    /// The name sent as SNI and verified: `--servername`, else the host. IP addresses send no SNI.
    pub fn server_name(&self) -> Result<ServerName<'static>, Error> {
        let name = self.servername.as_deref().unwrap_or(&self.host);
        server_name(name)
    }
}

/// Parses a DNS name or IP address into the form rustls verifies.
pub fn server_name(name: &str) -> Result<ServerName<'static>, Error> {
    let name = name.trim();
    let name = name.strip_suffix('.').unwrap_or(name);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(name.to_string()).map_err(|_| Error::Name(name.to_string()))
}

fn split_host_port(authority: &str) -> Result<(&str, u16), String> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address in brackets is missing its ']'")?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{host} is not an IPv6 address"));
        }
        return match after {
            "" => Ok((host, DEFAULT_PORT)),
            _ => match after.strip_prefix(':') {
                Some(port) => parse_port(port).map(|p| (host, p)),
                None => Err(format!("unexpected {after:?} after the address")),
            },
        };
    }
    // A bare IPv6 address has several colons and no port.
    if authority.matches(':').count() > 1 {
        return match authority.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok((authority, DEFAULT_PORT)),
            Err(_) => Err("write an IPv6 address with a port as [address]:port".to_string()),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => parse_port(port).map(|p| (host, p)),
        None => Ok((authority, DEFAULT_PORT)),
    }
}

fn parse_port(port: &str) -> Result<u16, String> {
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("{port:?} is not a port number (1-65535)")),
        Ok(p) => Ok(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> (String, u16) {
        let t = Target::parse(input).unwrap();
        (t.host, t.port)
    }

    #[test]
    fn the_forms_users_type() {
        assert_eq!(parsed("example.com"), ("example.com".into(), 443));
        assert_eq!(parsed("example.com:8443"), ("example.com".into(), 8443));
        assert_eq!(
            parsed("https://example.com/path?q=1"),
            ("example.com".into(), 443)
        );
        assert_eq!(
            parsed("https://user@example.com:9443/x"),
            ("example.com".into(), 9443)
        );
        assert_eq!(parsed("HTTPS://Example.com."), ("Example.com".into(), 443));
        assert_eq!(parsed("[::1]:443"), ("::1".into(), 443));
        assert_eq!(parsed("[::1]"), ("::1".into(), 443));
        assert_eq!(parsed("::1"), ("::1".into(), 443));
        assert_eq!(parsed("192.0.2.10:443"), ("192.0.2.10".into(), 443));
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        for bad in [
            "",
            ":443",
            "example.com:0",
            "example.com:99999",
            "ftp://x",
            "[::1",
            "a b",
        ] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid target"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn ip_targets_send_no_sni() {
        let t = Target::parse("127.0.0.1:8443").unwrap();
        assert!(matches!(t.server_name().unwrap(), ServerName::IpAddress(_)));
        let mut t = Target::parse("127.0.0.1:8443").unwrap();
        t.servername = Some("ok.test".into());
        assert!(matches!(t.server_name().unwrap(), ServerName::DnsName(_)));
    }
}
