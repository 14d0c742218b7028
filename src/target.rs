//! What to check: a host and port from what the user typed, the name to verify, and where to
//! connect when that is somewhere else (a staging address checked with the production name).

use crate::error::Error;
use crate::starttls::Protocol;
use rustls::pki_types::ServerName;
use std::net::IpAddr;
use std::str::FromStr;

/// The port used when none is given.
pub const DEFAULT_PORT: u16 = 443;

/// URL schemes that speak TLS from the first byte, with their default ports.
const IMPLICIT_TLS_SCHEMES: [(&str, u16); 7] = [
    ("https", 443),
    ("smtps", 465),
    ("imaps", 993),
    ("pop3s", 995),
    ("ldaps", 636),
    ("ftps", 990),
    ("xmpps", 5223),
];

/// A network target, parsed from `host`, `host:port`, `https://host[:port]/path`, `[v6]:port`,
/// or a URL of a protocol that upgrades with STARTTLS (`smtp://mx.example`, `postgres://db:5432`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Exactly what the user typed, for the report.
    pub input: String,
    /// The host to connect to: a DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// The name to send as SNI and verify, when it differs from `host` (`--servername`).
    pub servername: Option<String>,
    /// Where to connect instead of `host:port` (`--connect-to`, `connect=` in a targets file).
    pub connect: Option<Endpoint>,
    /// Addresses to connect to instead of resolving (`--resolve`).
    pub addresses: Vec<IpAddr>,
    /// The plain-text protocol to upgrade with STARTTLS before the handshake: from the URL
    /// scheme, else from a well-known port (25 is SMTP), else none.
    pub starttls: Option<Protocol>,
}

/// What `--starttls` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StarttlsChoice {
    /// From the URL scheme or the port (the default).
    #[default]
    Auto,
    /// Plain TLS from the first byte, whatever the port.
    Off,
    /// This protocol, whatever the port.
    Protocol(Protocol),
}

impl FromStr for StarttlsChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(StarttlsChoice::Auto),
            "none" | "off" | "no" => Ok(StarttlsChoice::Off),
            other => Protocol::from_name(other)
                .map(StarttlsChoice::Protocol)
                .ok_or_else(|| {
                    let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
                    format!(
                        "{s:?} is not a protocol; use {}, none or auto",
                        names.join(", ")
                    )
                }),
        }
    }
}

/// A host (name or IP address) and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Target {
    /// Parses a target as users write it.
    pub fn parse(input: &str) -> Result<Target, Error> {
        let bad = |reason: &str| Error::Target {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = input.trim();
        // From the scheme: the port when none is written, and whether to upgrade (None: the
        // scheme speaks TLS from the start; no scheme: decided by the port below).
        let (rest, scheme) = match trimmed.split_once("://") {
            Some((scheme, rest)) => {
                let lower = scheme.to_ascii_lowercase();
                let known = IMPLICIT_TLS_SCHEMES
                    .iter()
                    .find(|(name, _)| *name == lower)
                    .map(|(_, port)| (*port, None))
                    .or_else(|| Protocol::for_scheme(&lower).map(|p| (p.default_port(), Some(p))));
                match known {
                    Some(known) => (rest, Some(known)),
                    None => {
                        return Err(bad(&format!(
                            "the {scheme}:// scheme is not supported; use https://, a STARTTLS \
                             protocol (smtp://, imap://, postgres://, ...) or host:port"
                        )));
                    }
                }
            }
            None => (trimmed, None),
        };
        // Drop any path, query or fragment, then any user info.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let default_port = scheme.map_or(DEFAULT_PORT, |(port, _)| port);
        let (host, port) = split_host_port(authority, default_port).map_err(|r| bad(&r))?;
        let host = host.strip_suffix('.').unwrap_or(host).to_string();
        if host.is_empty() {
            return Err(bad("no host name"));
        }
        if host.parse::<IpAddr>().is_err() && ServerName::try_from(host.as_str()).is_err() {
            return Err(bad("not a valid host name or IP address"));
        }
        let starttls = match scheme {
            Some((_, protocol)) => protocol,
            None => Protocol::for_port(port),
        };
        Ok(Target {
            input: input.to_string(),
            host,
            port,
            servername: None,
            connect: None,
            addresses: Vec::new(),
            starttls,
        })
    }

    /// Parses one line of a targets file: a target, then optional `servername=NAME`,
    /// `connect=HOST[:PORT]` and `starttls=PROTO|none`. Blank lines and `#` comments give `None`.
    pub fn parse_line(line: &str) -> Result<Option<Target>, Error> {
        let line = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim();
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else {
            return Ok(None);
        };
        let mut target = Target::parse(first)?;
        for word in words {
            let bad = |reason: String| Error::Target {
                input: line.to_string(),
                reason,
            };
            match word.split_once('=') {
                Some(("servername", name)) => {
                    server_name(name)?;
                    target.servername = Some(name.to_string());
                }
                Some(("starttls", choice)) => {
                    let choice = choice.parse::<StarttlsChoice>().map_err(bad)?;
                    target.choose_starttls(choice);
                }
                Some(("connect", to)) => {
                    let (host, port) = split_host_port(to, DEFAULT_PORT).map_err(bad)?;
                    let port = if to.ends_with(']') || !to.contains(':') {
                        target.port
                    } else {
                        port
                    };
                    target.connect = Some(Endpoint {
                        host: host.to_string(),
                        port,
                    });
                }
                _ => {
                    return Err(bad(format!(
                        "{word:?} is not an option; use servername=NAME, connect=HOST[:PORT] or \
                         starttls=PROTO"
                    )));
                }
            }
        }
        target.server_name()?;
        // The whole line names the target in reports: two lines may share a host.
        target.input = line.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Some(target))
    }

    /// Applies `--starttls`: `auto` keeps what the scheme or port said.
    pub fn choose_starttls(&mut self, choice: StarttlsChoice) {
        match choice {
            StarttlsChoice::Auto => {}
            StarttlsChoice::Off => self.starttls = None,
            StarttlsChoice::Protocol(p) => self.starttls = Some(p),
        }
    }

    /// Applies `--connect-to` and `--resolve` rules, the first matching rule of each, as curl does.
    pub fn apply(&mut self, connect_to: &[ConnectTo], resolve: &[ResolveRule]) {
        if self.connect.is_none() {
            if let Some(rule) = connect_to.iter().find(|r| r.matches(&self.host, self.port)) {
                self.connect = Some(Endpoint {
                    host: rule.to_host.clone().unwrap_or_else(|| self.host.clone()),
                    port: rule.to_port.unwrap_or(self.port),
                });
            }
        }
        let (host, port) = self.endpoint();
        if let Some(rule) = resolve.iter().find(|r| r.matches(&host, port)) {
            self.addresses = rule.addresses.clone();
        }
    }

    /// Where the connection goes: the `connect` endpoint, else `host:port`.
    pub fn endpoint(&self) -> (String, u16) {
        match &self.connect {
            Some(e) => (e.host.clone(), e.port),
            None => (self.host.clone(), self.port),
        }
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

/// Reads a targets list (`--targets FILE`), naming the line of any error.
pub fn parse_targets(text: &str) -> Result<Vec<Target>, Error> {
    let mut targets = Vec::new();
    for (number, line) in text.lines().enumerate() {
        match Target::parse_line(line) {
            Ok(Some(target)) => targets.push(target),
            Ok(None) => {}
            Err(e) => {
                return Err(Error::TargetLine {
                    line: number + 1,
                    error: Box::new(e),
                });
            }
        }
    }
    Ok(targets)
}

/// A curl-style `--connect-to HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`: connections to
/// HOST:PORT go to the other endpoint instead. An empty part matches (or keeps) anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub to_host: Option<String>,
    pub to_port: Option<u16>,
}

impl ConnectTo {
    fn matches(&self, host: &str, port: u16) -> bool {
        self.host
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(host))
            && self.port.is_none_or(|p| p == port)
    }
}

impl FromStr for ConnectTo {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts = split_colons(s);
        let [host, port, to_host, to_port] = parts.as_slice() else {
            return Err("expected HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT".into());
        };
        Ok(ConnectTo {
            host: optional_host(host),
            port: optional_port(port)?,
            to_host: optional_host(to_host),
            to_port: optional_port(to_port)?,
        })
    }
}

/// A curl-style `--resolve HOST:PORT:ADDR[,ADDR...]`: HOST:PORT resolves to these addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveRule {
    pub host: String,
    pub port: Option<u16>,
    pub addresses: Vec<IpAddr>,
}

impl ResolveRule {
    fn matches(&self, host: &str, port: u16) -> bool {
        (self.host == "*" || self.host.eq_ignore_ascii_case(host))
            && self.port.is_none_or(|p| p == port)
    }
}

impl FromStr for ResolveRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts = split_colons(s.trim_start_matches('+'));
        let [host, port, addresses] = parts.as_slice() else {
            return Err("expected HOST:PORT:ADDRESS[,ADDRESS...]".into());
        };
        let host = optional_host(host).ok_or("the host is missing")?;
        let addresses = addresses
            .split(',')
            .map(|a| {
                a.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .map_err(|_| format!("{a:?} is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResolveRule {
            host,
            port: optional_port(port)?,
            addresses,
        })
    }
}

/// Splits on colons that are not inside [brackets] (IPv6 addresses).
fn split_colons(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn optional_host(s: &str) -> Option<String> {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    (!s.is_empty()).then(|| s.to_string())
}

fn optional_port(s: &str) -> Result<Option<u16>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    parse_port(s).map(Some)
}

fn split_host_port(authority: &str, default_port: u16) -> Result<(&str, u16), String> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address in brackets is missing its ']'")?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{host} is not an IPv6 address"));
        }
        return match after {
            "" => Ok((host, default_port)),
            _ => match after.strip_prefix(':') {
                Some(port) => parse_port(port).map(|p| (host, p)),
                None => Err(format!("unexpected {after:?} after the address")),
            },
        };
    }
    // A bare IPv6 address has several colons and no port.
    if authority.matches(':').count() > 1 {
        return match authority.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok((authority, default_port)),
            Err(_) => Err("write an IPv6 address with a port as [address]:port".to_string()),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => parse_port(port).map(|p| (host, p)),
        None => Ok((authority, default_port)),
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
    fn schemes_and_ports_choose_the_starttls_protocol() {
        let t = |input: &str| {
            let t = Target::parse(input).unwrap();
            (t.port, t.starttls)
        };
        assert_eq!(t("smtp://mx.example.com"), (25, Some(Protocol::Smtp)));
        assert_eq!(t("smtp://mx.example.com:587"), (587, Some(Protocol::Smtp)));
        assert_eq!(
            t("postgres://db.example.com/app"),
            (5432, Some(Protocol::Postgres))
        );
        assert_eq!(
            t("postgresql://u@db.example.com:6432"),
            (6432, Some(Protocol::Postgres))
        );
        assert_eq!(t("ldap://dir.example.com"), (389, Some(Protocol::Ldap)));
        assert_eq!(t("imap://[::1]"), (143, Some(Protocol::Imap)));
        // Well-known plain ports upgrade without being told; implicit-TLS ports do not.
        assert_eq!(t("mx.example.com:25"), (25, Some(Protocol::Smtp)));
        assert_eq!(t("db.example.com:5432"), (5432, Some(Protocol::Postgres)));
        assert_eq!(t("mx.example.com:465"), (465, None));
        assert_eq!(t("smtps://mx.example.com"), (465, None));
        assert_eq!(t("imaps://mail.example.com"), (993, None));
        assert_eq!(t("ldaps://dir.example.com"), (636, None));
        // An explicit https:// on a mail port means TLS from the first byte.
        assert_eq!(t("https://mx.example.com:25"), (25, None));

        let mut target = Target::parse("mx.example.com:25").unwrap();
        target.choose_starttls("none".parse().unwrap());
        assert_eq!(target.starttls, None);
        target.choose_starttls("postgresql".parse().unwrap());
        assert_eq!(target.starttls, Some(Protocol::Postgres));
        let err = "smpt".parse::<StarttlsChoice>().unwrap_err();
        assert!(err.contains("smtp, imap"), "{err}");
        let line = Target::parse_line("10.0.0.7:2525 starttls=smtp servername=mx.example.com")
            .unwrap()
            .unwrap();
        assert_eq!(line.starttls, Some(Protocol::Smtp));
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        for bad in [
            "",
            ":443",
            "example.com:0",
            "example.com:99999",
            "gopher://x",
            "[::1",
            "a b",
        ] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid target"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn targets_files_carry_per_target_options() {
        let text = "# staging\n\napi.example.com connect=10.0.0.5 # via the staging VIP\n\
                    10.0.0.6:8443 servername=api.example.com\n[::1]:443 connect=[::1]:9443\n";
        let targets = parse_targets(text).unwrap();
        assert_eq!(targets.len(), 3);
        assert_eq!(targets[0].endpoint(), ("10.0.0.5".to_string(), 443));
        assert_eq!(targets[1].servername.as_deref(), Some("api.example.com"));
        assert_eq!(targets[2].endpoint(), ("::1".to_string(), 9443));
        let err = parse_targets("ok.example\nbad.example colour=blue\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("colour=blue"),
            "{err}"
        );
    }

    #[test]
    fn connect_to_and_resolve_follow_curl() {
        let rule: ConnectTo = "api.example.com:443:10.0.0.5:8443".parse().unwrap();
        let any: ConnectTo = "::[::1]:".parse().unwrap();
        let mut t = Target::parse("api.example.com").unwrap();
        t.apply(std::slice::from_ref(&rule), &[]);
        assert_eq!(t.endpoint(), ("10.0.0.5".to_string(), 8443));
        let mut other = Target::parse("other.example.com:443").unwrap();
        other.apply(&[rule, any], &[]);
        assert_eq!(other.endpoint(), ("::1".to_string(), 443));
        let resolve: ResolveRule = "api.example.com:443:192.0.2.1,[2001:db8::1]"
            .parse()
            .unwrap();
        let mut t = Target::parse("api.example.com").unwrap();
        t.apply(&[], &[resolve]);
        assert_eq!(t.addresses.len(), 2);
        assert!("a:b".parse::<ConnectTo>().is_err());
        assert!("host:443:not-an-ip".parse::<ResolveRule>().is_err());
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
