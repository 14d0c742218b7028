use super::{Dialogue, UpgradeError, shown};
use regex_lite::Regex;
use std::sync::LazyLock;
use tokio::io::{AsyncRead, AsyncWrite};

/// RFC 6120 §5.4.2.
const TLS_NS: &str = "urn:ietf:params:xml:ns:xmpp-tls";

/// An optional namespace prefix: servers say `stream:` but any prefix is legal XML.
macro_rules! xml_name {
    ($local:literal) => {
        concat!(r"(?:[A-Za-z0-9_.-]+:)?", $local)
    };
}

fn xml_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a constant XML pattern")
}

/// Where reading the features stops: their end, or the end of a stream error or the stream.
static FEATURES_READ: LazyLock<Regex> = LazyLock::new(|| {
    xml_regex(concat!(
        "</",
        xml_name!("features"),
        r"\s*>|<",
        xml_name!("features"),
        r"(?:\s[^>]*)?/>|</",
        xml_name!("error"),
        r"\s*>|</",
        xml_name!("stream"),
        r"\s*>"
    ))
});
static FEATURES: LazyLock<Regex> =
    LazyLock::new(|| xml_regex(concat!("<", xml_name!("features"), r"[\s/>]")));
static STREAM_HEADER: LazyLock<Regex> =
    LazyLock::new(|| xml_regex(concat!("<", xml_name!("stream"), r"\s[^>]*>")));
static STARTTLS: LazyLock<Regex> =
    LazyLock::new(|| xml_regex(concat!("<", xml_name!("starttls"), r"[\s/>]")));
/// Where reading the answer to `<starttls/>` stops.
static ANSWER_READ: LazyLock<Regex> = LazyLock::new(|| {
    xml_regex(concat!(
        "<",
        xml_name!("proceed"),
        r"\b[^>]*/>|<",
        xml_name!("proceed"),
        r"\b[^>]*>\s*</",
        xml_name!("proceed"),
        r"\s*>|<",
        xml_name!("failure"),
        r"\b[^>]*>|</",
        xml_name!("error"),
        r"\s*>|</",
        xml_name!("stream"),
        r"\s*>"
    ))
});
static PROCEED: LazyLock<Regex> =
    LazyLock::new(|| xml_regex(concat!("<", xml_name!("proceed"), r"\b")));
/// A stream error's condition: the first element inside `<stream:error>` (RFC 6120 §4.9.3).
static STREAM_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    xml_regex(concat!(
        "<",
        xml_name!("error"),
        r"\b[^>]*>\s*<([A-Za-z0-9_-]+)"
    ))
});

/// XML attribute text in single quotes.
fn xml_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// Text up to the end of the first match of `stop`; anything that is not XML ends it.
    async fn xml_until(&mut self, stop: &Regex) -> Result<String, UpgradeError> {
        loop {
            let text = match std::str::from_utf8(&self.pending) {
                Ok(text) => text,
                // A character split across reads: look at the whole ones and read on.
                Err(e) if e.error_len().is_none() => {
                    std::str::from_utf8(&self.pending[..e.valid_up_to()]).unwrap_or_default()
                }
                Err(_) => {
                    let detail = format!("bytes that are not UTF-8 XML: {}", shown(&self.pending));
                    return Err(self.unexpected(detail));
                }
            };
            if text.trim_start().chars().next().is_some_and(|c| c != '<') {
                let detail = format!("text that is not XML: {}", shown(&self.pending));
                return Err(self.unexpected(detail));
            }
            if let Some(end) = stop.find(text).map(|m| m.end()) {
                let taken: Vec<u8> = self.pending.drain(..end).collect();
                self.record.push(format!("S: {}", shown(&taken)));
                return Ok(String::from_utf8_lossy(&taken).into_owned());
            }
            self.fill().await?;
        }
    }
}

/// "stream error: <condition>" if `text` holds one.
fn stream_error(text: &str) -> Option<String> {
    let condition = STREAM_ERROR.captures(text)?.get(1)?.as_str();
    Some(format!("stream error: {condition}"))
}

/// RFC 6120 §5.4: open a client stream, find `<starttls/>` in the features, ask, expect
/// `<proceed/>`.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
    host: &str,
) -> Result<(), UpgradeError> {
    let header = format!(
        "<?xml version='1.0'?><stream:stream to='{}' xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
        xml_attribute(host)
    );
    d.send(header.as_bytes(), &header).await?;
    let received = d.xml_until(&FEATURES_READ).await?;
    if let Some(error) = stream_error(&received) {
        return Err(d.refused(error));
    }
    if !FEATURES.is_match(&received) {
        return Err(d.refused(format!(
            "the stream closed before its features: {}",
            shown(received.as_bytes())
        )));
    }
    let greeting = STREAM_HEADER.find(&received).map_or_else(
        || "XMPP server".to_string(),
        |m| shown(m.as_str().as_bytes()),
    );
    if !(STARTTLS.is_match(&received) && received.contains(TLS_NS)) {
        return Err(d.not_offered(greeting));
    }
    let starttls = format!("<starttls xmlns='{TLS_NS}'/>");
    d.send(starttls.as_bytes(), &starttls).await?;
    let answer = d.xml_until(&ANSWER_READ).await?;
    if PROCEED.is_match(&answer) {
        return Ok(());
    }
    let reply = stream_error(&answer).unwrap_or_else(|| shown(answer.trim().as_bytes()));
    Err(d.refused(reply))
}
