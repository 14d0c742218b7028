//! HTTP proxies: reaching a target through `CONNECT`, the way curl does.
//!
//! A proxy is named with `--proxy URL` or by the environment (`HTTPS_PROXY`, `https_proxy`,
//! `ALL_PROXY`, `all_proxy`, with `NO_PROXY` / `no_proxy` exempting hosts, by curl's rules).
//! The tunnel is opened with `CONNECT host:port`, with Basic credentials when the URL has them.

use crate::capture::Resolve;
use crate::error::Error;
use data_encoding::BASE64;
use std::io;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a proxy may send before its CONNECT answer ends: headers, never a body.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// A proxy to tunnel through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    /// User and password from the URL, sent as Basic credentials.
    credentials: Option<(String, String)>,
    /// Where it came from: `--proxy`, or the variable's name.
    pub source: String,
}

impl Proxy {
    /// Parses `http://[user[:password]@]host[:port]` (port 1080 by default, as curl).
    pub fn parse(url: &str, source: &str) -> Result<Proxy, Error> {
        let bad = |reason: &str| Error::Target {
            input: url.to_string(),
            reason: format!("as a proxy: {reason}"),
        };
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(bad(&format!(
                    "{scheme}:// proxies are not supported; use an http:// proxy URL"
                )));
            }
            None => url,
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (credentials, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                (
                    Some((percent_decode(user), percent_decode(password))),
                    hostport,
                )
            }
            None => (None, authority),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') && !port.contains(']') => (
                host,
                port.parse::<u16>()
                    .map_err(|_| bad("the port is not a number"))?,
            ),
            _ => (hostport, 1080),
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Proxy {
            host,
            port,
            credentials,
            source: source.to_string(),
        })
    }

    /// The proxy the environment names for an https target, unless NO_PROXY exempts it.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        host: &str,
        port: u16,
    ) -> Result<Option<Proxy>, Error> {
        let named = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            .iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()).map(|v| (*name, v)));
        let Some((name, url)) = named else {
            return Ok(None);
        };
        let exempt = ["no_proxy", "NO_PROXY"].iter().find_map(|n| var(n));
        if exempt.is_some_and(|list| exempted(&list, host, port)) {
            return Ok(None);
        }
        Proxy::parse(&url, name).map(Some)
    }

    /// "http://proxy:3128 (from HTTPS_PROXY)".
    pub fn described(&self) -> String {
        format!("{} (from {})", self.shown(), self.source)
    }

    /// The URL as shown in reports: never the password.
    pub fn shown(&self) -> String {
        let user = self
            .credentials
            .as_ref()
            .map(|(user, _)| format!("{user}:***@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("http://{user}{host}:{}", self.port)
    }
}

/// curl's NO_PROXY: `*`, or a comma-separated list of host names (matching the name and its
/// subdomains, a leading dot ignored), IP addresses, and `host:port` entries.
pub fn exempted(list: &str, host: &str, port: u16) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (name, entry_port) = match entry.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') => (n, p.parse::<u16>().ok()),
                _ => (entry, None),
            };
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            let name = name
                .trim_start_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            if let (Ok(a), Ok(b)) = (name.parse::<IpAddr>(), host.parse::<IpAddr>()) {
                return a == b;
            }
            host == name || host.ends_with(&format!(".{name}"))
        })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why no tunnel was opened.
#[derive(Debug)]
pub enum ProxyError {
    /// The proxy's name did not resolve, or it refused or dropped the connection.
    Unreachable(String),
    /// It answered 407: it wants (other) credentials.
    AuthRequired {
        status: String,
        scheme: Option<String>,
    },
    /// It answered CONNECT with another status.
    Refused { status: String },
    /// It answered something that is not HTTP, or too much of it.
    Garbage { detail: String },
    /// The connection broke while waiting for the answer.
    Io(io::Error),
}

/// Connects to the proxy and opens a tunnel to `host:port`. Time bounds are the caller's.
pub async fn connect(
    proxy: &Proxy,
    host: &str,
    port: u16,
    resolver: &dyn Resolve,
) -> Result<TcpStream, ProxyError> {
    let addresses: Vec<SocketAddr> = match proxy.host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, proxy.port)],
        Err(_) => resolver
            .resolve(&proxy.host, proxy.port)
            .await
            .map_err(|e| {
                ProxyError::Unreachable(format!("{} does not resolve: {e}", proxy.host))
            })?,
    };
    let mut last = format!("{} resolved to no address", proxy.host);
    let mut stream = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("{address}: {e}"),
        }
    }
    let mut stream = stream.ok_or(ProxyError::Unreachable(last))?;
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((user, password)) = &proxy.credentials {
        let token = BASE64.encode(format!("{user}:{password}").as_bytes());
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("User-Agent: tlsdoctor\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(ProxyError::Io)?;
    let head = read_head(&mut stream).await?;
    let status_line = head.lines().next().unwrap_or_default().trim().to_string();
    let code = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|c| c.parse::<u16>().ok());
    match code {
        Some(200..=299) => Ok(stream),
        Some(407) => Err(ProxyError::AuthRequired {
            scheme: head.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("proxy-authenticate")
                    .then(|| value.trim().to_string())
            }),
            status: status_line,
        }),
        Some(_) => Err(ProxyError::Refused {
            status: status_line,
        }),
        None => Err(ProxyError::Garbage {
            detail: format!("it answered CONNECT with {:?}", truncate(&status_line, 80)),
        }),
    }
}

/// Reads the answer's head, up to the blank line, one byte at a time so that nothing of the
/// tunnel (the server's TLS bytes) is consumed.
async fn read_head(stream: &mut TcpStream) -> Result<String, ProxyError> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_ANSWER_BYTES {
            return Err(ProxyError::Garbage {
                detail: format!(
                    "its answer to CONNECT went on for more than {MAX_ANSWER_BYTES} bytes"
                ),
            });
        }
        match stream.read(&mut byte).await {
            Ok(0) if head.is_empty() => {
                return Err(ProxyError::Garbage {
                    detail: "it closed the connection without answering CONNECT".into(),
                });
            }
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(ProxyError::Io(e)),
        }
        if head.len() == 5 && !head.starts_with(b"HTTP/") {
            return Err(ProxyError::Garbage {
                detail: format!(
                    "it answered CONNECT with bytes that are not HTTP: {:?}",
                    String::from_utf8_lossy(&head)
                ),
            });
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_read_like_curl() {
        let p = Proxy::parse("http://alice:s%40cret@proxy.corp:3128", "--proxy").expect("url");
        assert_eq!((p.host.as_str(), p.port), ("proxy.corp", 3128));
        assert_eq!(p.credentials, Some(("alice".into(), "s@cret".into())));
        assert_eq!(p.shown(), "http://alice:***@proxy.corp:3128");
        assert_eq!(Proxy::parse("proxy.corp", "x").expect("bare").port, 1080);
        assert!(Proxy::parse("socks5://proxy:1080", "x").is_err());
        assert_eq!(
            Proxy::parse("http://[::1]:8080/", "x").expect("v6").host,
            "::1"
        );
    }

    #[test]
    fn no_proxy_follows_curls_rules() {
        assert!(exempted("*", "anything.example", 443));
        assert!(exempted("example.com", "api.example.com", 443));
        assert!(exempted(".example.com", "example.com", 443));
        assert!(!exempted("example.com", "notexample.com", 443));
        assert!(exempted("localhost, 127.0.0.1", "127.0.0.1", 8443));
        assert!(exempted("internal:8443", "internal", 8443));
        assert!(!exempted("internal:8443", "internal", 443));
        assert!(exempted("::1", "::1", 443));
    }

    #[test]
    fn the_environment_names_a_proxy_unless_exempted() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let vars = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "internal.example"),
        ]);
        let chosen = Proxy::from_env(vars, "example.com", 443).expect("parse");
        assert_eq!(chosen.map(|p| p.source), Some("HTTPS_PROXY".to_string()));
        assert_eq!(
            Proxy::from_env(vars, "db.internal.example", 443).expect("parse"),
            None
        );
    }
}
