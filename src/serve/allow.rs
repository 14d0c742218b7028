//! `--allow`: which targets the exporter may probe.
//!
//! An exporter connects wherever a scraper asks, so one reachable by others is a relay into every
//! network it can reach. The allow-list names what may be probed: host-name globs, address ranges
//! and ports. Names are matched as written, never resolved: a name is allowed for what it is
//! called, and the operator who allows it trusts its DNS.

use std::net::IpAddr;

/// Why an `--allow` pattern was refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid --allow pattern {pattern:?}: {reason}")]
pub struct PatternError {
    pub pattern: String,
    pub reason: &'static str,
}

/// The patterns given; an empty list allows every target.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    patterns: Vec<Pattern>,
}

/// One `--allow`: a host part and the ports it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    host: HostPattern,
    /// Inclusive range; `None` is every port.
    ports: Option<(u16, u16)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// `:443`: any host on these ports.
    Any,
    /// `*.example.com`, `db-?.internal`: `*` is any run of characters, `?` one character.
    Glob(String),
    /// `10.0.0.0/8`, `::1`: addresses written as the target, inside this network.
    Network { base: IpAddr, prefix: u8 },
}

impl AllowList {
    /// Parses each pattern: `HOST`, `HOST:PORTS`, `:PORTS`, `CIDR`, `CIDR:PORTS` (IPv4) or
    /// `[IPV6-CIDR]:PORTS`, where PORTS is a port, a range `8000-8999`, or `*`.
    pub fn parse(patterns: &[String]) -> Result<AllowList, PatternError> {
        let patterns = patterns
            .iter()
            .map(|p| {
                Pattern::parse(p).map_err(|reason| PatternError {
                    pattern: p.clone(),
                    reason,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(AllowList { patterns })
    }

    /// No pattern was given: everything is allowed.
    pub fn is_open(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `host` (a name or an address, as the target wrote it) on `port` may be probed.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        if self.is_open() {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let address = host.parse::<IpAddr>().ok();
        self.patterns
            .iter()
            .any(|p| p.matches(&host, address, port))
    }
}

impl Pattern {
    fn parse(text: &str) -> Result<Pattern, &'static str> {
        let text = text.trim();
        let (host, ports) = split_ports(text)?;
        let ports = ports.map(parse_ports).transpose()?.flatten();
        let host = if host.is_empty() {
            if ports.is_none() {
                return Err("give a host, an address range or a port");
            }
            HostPattern::Any
        } else if let Some((base, prefix)) = host.split_once('/') {
            let base: IpAddr = base.parse().map_err(|_| "not an address before the /")?;
            let prefix: u8 = prefix
                .parse()
                .map_err(|_| "not a prefix length after the /")?;
            if prefix > max_prefix(base) {
                return Err("prefix length too long for the address");
            }
            HostPattern::Network { base, prefix }
        } else if let Ok(base) = host.parse::<IpAddr>() {
            HostPattern::Network {
                base,
                prefix: max_prefix(base),
            }
        } else {
            let glob = host.trim_end_matches('.').to_ascii_lowercase();
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.*?".contains(c);
            if glob.is_empty() || !glob.chars().all(allowed) {
                return Err("a host glob holds letters, digits, '-', '_', '.', '*' and '?' only");
            }
            HostPattern::Glob(glob)
        };
        Ok(Pattern { host, ports })
    }

    fn matches(&self, host: &str, address: Option<IpAddr>, port: u16) -> bool {
        let port_ok = self
            .ports
            .is_none_or(|(low, high)| (low..=high).contains(&port));
        port_ok
            && match &self.host {
                HostPattern::Any => true,
                HostPattern::Glob(glob) => glob_matches(glob.as_bytes(), host.as_bytes()),
                HostPattern::Network { base, prefix } => {
                    address.is_some_and(|a| in_network(a, *base, *prefix))
                }
            }
    }
}

/// Splits `host:ports`, `[v6]:ports` and `:ports`; an IPv6 address or range without brackets
/// has no port.
fn split_ports(text: &str) -> Result<(&str, Option<&str>), &'static str> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("a '[' without its ']'")?;
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(ports) => Ok((host, Some(ports))),
                None => Err("expected ':' and ports after ']'"),
            },
        };
    }
    match text.matches(':').count() {
        0 => Ok((text, None)),
        1 => {
            let (host, ports) = text.split_once(':').unwrap_or((text, ""));
            Ok((host, Some(ports)))
        }
        _ => Ok((text, None)),
    }
}

/// `443`, `8000-8999`, or `*` (every port: `None`).
fn parse_ports(text: &str) -> Result<Option<(u16, u16)>, &'static str> {
    const BAD: &str = "ports are a number, a range like 8000-8999, or *";
    if text == "*" {
        return Ok(None);
    }
    let (low, high) = text.split_once('-').unwrap_or((text, text));
    let low: u16 = low.parse().map_err(|_| BAD)?;
    let high: u16 = high.parse().map_err(|_| BAD)?;
    if low == 0 || low > high {
        return Err(BAD);
    }
    Ok(Some((low, high)))
}

fn max_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn in_network(address: IpAddr, base: IpAddr, prefix: u8) -> bool {
    let (address, base, bits) = match (address, base) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        // An IPv4-mapped IPv6 target is compared as the IPv4 address it is.
        (IpAddr::V6(a), IpAddr::V4(_)) => {
            return a
                .to_ipv4_mapped()
                .is_some_and(|v4| in_network(IpAddr::V4(v4), base, prefix));
        }
        (IpAddr::V4(_), IpAddr::V6(_)) => return false,
    };
    let shift = bits - u32::from(prefix);
    let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
    address & mask == base & mask
}

/// `*` matches any run of bytes (dots included), `?` one byte: the greedy algorithm with one
/// backtrack point, linear in practice and never exponential.
fn glob_matches(glob: &[u8], text: &[u8]) -> bool {
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some(b'*') => {
                star = Some((g, t));
                g += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                g += 1;
                t += 1;
            }
            _ => match star {
                Some((star_g, star_t)) => {
                    g = star_g + 1;
                    t = star_t + 1;
                    star = Some((star_g, star_t + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(patterns: &[&str]) -> AllowList {
        let owned: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        AllowList::parse(&owned).unwrap()
    }

    #[test]
    fn host_globs_match_names_at_any_depth_and_no_further() {
        let allow = list(&["*.example.com", "db-?.internal:5432"]);
        assert!(allow.allows("www.example.com", 443));
        assert!(allow.allows("a.b.EXAMPLE.com.", 8443));
        assert!(!allow.allows("example.com", 443));
        assert!(!allow.allows("example.com.evil.test", 443));
        assert!(allow.allows("db-1.internal", 5432));
        assert!(!allow.allows("db-1.internal", 443));
        assert!(!allow.allows("db-12.internal", 5432));
    }

    #[test]
    fn address_ranges_match_addresses_never_names() {
        let allow = list(&["10.0.0.0/8:443", "[fd00::/8]:*", "127.0.0.1"]);
        assert!(allow.allows("10.1.2.3", 443));
        assert!(!allow.allows("10.1.2.3", 22));
        assert!(!allow.allows("11.0.0.1", 443));
        assert!(allow.allows("fd12::1", 22));
        assert!(allow.allows("127.0.0.1", 9));
        assert!(!allow.allows("localhost", 443));
        assert!(allow.allows("::ffff:10.0.0.1", 443));
    }

    #[test]
    fn port_only_patterns_and_ranges() {
        let allow = list(&[":443", ":8000-8999"]);
        assert!(allow.allows("anything.test", 443));
        assert!(allow.allows("10.0.0.1", 8080));
        assert!(!allow.allows("anything.test", 9000));
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in [
            "",
            ":",
            "a b",
            "10.0.0.0/33",
            "x/8",
            ":0",
            ":9-1",
            "[::1",
            "h:p",
        ] {
            assert!(AllowList::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_pattern_allows_everything() {
        assert!(AllowList::default().allows("anywhere.test", 1));
    }
}
