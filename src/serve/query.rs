//! The `/probe` query: the few parameters a scrape may set, and nothing that names a file, a
//! proxy or a URL.

use super::allow::AllowList;
use super::config::valid_name;
use crate::Target;
use crate::target::StarttlsChoice;

/// The parameters `/probe` takes; any other is refused, so a typo or an attempt to set
/// something else (`ca_file=`, `proxy=`) is an error the scraper sees, not silently ignored.
pub const PARAMETERS: [&str; 4] = ["target", "module", "servername", "starttls"];

/// Longest query accepted: a host name is at most 253 characters.
const MAX_QUERY: usize = 2048;

/// What a scrape asked for.
#[derive(Debug)]
pub struct ProbeQuery {
    pub target: Target,
    pub module: Option<String>,
}

/// Why a probe request was refused, as its HTTP status says.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the request is malformed.
    BadRequest(String),
    /// 403: the target is not on the allow-list.
    Forbidden(String),
}

impl ProbeQuery {
    /// Parses and validates the query string (without the `?`).
    pub fn parse(query: &str, allow: &AllowList) -> Result<ProbeQuery, Refusal> {
        let bad = |reason: String| Refusal::BadRequest(reason);
        if query.len() > MAX_QUERY {
            return Err(bad(format!("the query is longer than {MAX_QUERY} bytes")));
        }
        let mut values: [Option<String>; 4] = Default::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).ok_or_else(|| bad("a parameter is not valid UTF-8".into()))?;
            let Some(slot) = PARAMETERS.iter().position(|p| *p == name) else {
                return Err(bad(format!(
                    "unknown parameter {name:?}: /probe takes {}",
                    PARAMETERS.join(", ")
                )));
            };
            if values[slot].is_some() {
                return Err(bad(format!("parameter {name} is given twice")));
            }
            let value =
                decode(value).ok_or_else(|| bad(format!("parameter {name} is not valid UTF-8")))?;
            if value.chars().any(char::is_control) {
                return Err(bad(format!("parameter {name} holds control characters")));
            }
            values[slot] = Some(value);
        }
        let [target, module, servername, starttls] = values;
        let target = target
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("missing parameter target (target=HOST[:PORT])".into()))?;
        let mut target = parse_target(&target).map_err(bad)?;
        if let Some(module) = &module
            && !valid_name(module)
        {
            return Err(bad(format!(
                "module {module:?} is not a module name (letters, digits, '-', '_')"
            )));
        }
        if let Some(name) = servername {
            crate::target::server_name(&name).map_err(|e| bad(e.to_string()))?;
            target.servername = Some(name);
        }
        if let Some(choice) = starttls {
            let choice: StarttlsChoice = choice
                .parse()
                .map_err(|e: String| bad(format!("starttls: {e}")))?;
            target.choose_starttls(choice);
        }
        if !allow.allows(&target.host, target.port) {
            return Err(Refusal::Forbidden(format!(
                "target {}:{} is not allowed by this exporter's --allow list",
                target.host, target.port
            )));
        }
        Ok(ProbeQuery { target, module })
    }
}

/// `HOST[:PORT]`, `[IPv6]:PORT`, or `SCHEME://HOST[:PORT]` for https and the STARTTLS
/// protocols; no path, query, user or fragment, which the exporter would otherwise drop
/// silently.
fn parse_target(text: &str) -> Result<Target, String> {
    let target = Target::parse(text).map_err(|e| e.to_string())?;
    let authority = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "target {text:?} is not HOST[:PORT]: the exporter probes a host and port, not a \
             path, a query or a user"
        ));
    }
    Ok(target)
}

/// Percent-decoding, with `+` as a space as in HTML forms; `None` for bytes that are not UTF-8.
/// A malformed escape is kept as written, as browsers do.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<ProbeQuery, Refusal> {
        ProbeQuery::parse(query, &AllowList::default())
    }

    #[test]
    fn a_prometheus_encoded_target_is_decoded() {
        let q = parse("target=127.0.0.1%3A8443&servername=ok.test").unwrap();
        assert_eq!((q.target.host.as_str(), q.target.port), ("127.0.0.1", 8443));
        assert_eq!(q.target.servername.as_deref(), Some("ok.test"));
    }

    #[test]
    fn unknown_repeated_and_malformed_parameters_are_refused() {
        for query in [
            "",
            "target=",
            "target=a.test&ca_file=/etc/passwd",
            "target=a.test&target=b.test",
            "target=a.test&module=../x",
            "target=a.test/path",
            "target=http://a.test",
            "target=https://user@a.test",
            "target=a.test%0d%0a",
            "target=%ff",
            "target=a.test&starttls=gopher",
        ] {
            assert!(
                matches!(parse(query), Err(Refusal::BadRequest(_))),
                "{query}"
            );
        }
    }

    #[test]
    fn schemes_the_exporter_speaks_are_accepted() {
        assert_eq!(parse("target=https://a.test/").unwrap().target.port, 443);
        let smtp = parse("target=smtp://mx.a.test").unwrap();
        assert!(smtp.target.starttls.is_some());
    }
}
