use super::{Dialogue, UpgradeError, shown};
use tokio::io::{AsyncRead, AsyncWrite};

/// The status word of an IMAP response line after its tag ("OK", "NO", "BAD", "BYE", ...).
fn status(line: &str) -> String {
    line.split_ascii_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_ascii_uppercase()
}

/// Whether a line lists STARTTLS as a capability, either as "* CAPABILITY ..." or in a
/// "[CAPABILITY ...]" response code (RFC 3501 §7.1, §7.2.1).
fn offers_starttls(line: &str) -> bool {
    let words: Vec<&str> = line.split_ascii_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| w.trim_start_matches('[').eq_ignore_ascii_case("CAPABILITY"))
    else {
        return false;
    };
    let in_code = words[at].starts_with('[');
    if !in_code && at != 1 {
        return false;
    }
    for word in &words[at + 1..] {
        if word.trim_end_matches(']').eq_ignore_ascii_case("STARTTLS") {
            return true;
        }
        if in_code && word.ends_with(']') {
            break;
        }
    }
    false
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// Lines up to the tagged completion of `tag`, which is returned with the untagged lines
    /// before it. An untagged BYE means the server is closing: that is its refusal.
    async fn imap_response(&mut self, tag: &str) -> Result<(Vec<String>, String), UpgradeError> {
        let mut untagged = Vec::new();
        loop {
            let line = self.line().await?;
            if line.split_ascii_whitespace().next() == Some(tag) {
                return Ok((untagged, line));
            }
            if line.starts_with('*') && status(&line) == "BYE" {
                return Err(self.refused(shown(line.as_bytes())));
            }
            untagged.push(line);
        }
    }
}

/// RFC 3501 §6.2.1 and RFC 2595 §3.1: CAPABILITY, look for STARTTLS, STARTTLS, expect OK.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let greeting = d.line().await?;
    let banner = shown(greeting.as_bytes());
    let untagged = greeting.starts_with("* ");
    match status(&greeting).as_str() {
        // PREAUTH leaves no state in which STARTTLS is allowed, but a server that still
        // lists it gets to say so, and its refusal is the clearer report.
        "OK" | "PREAUTH" if untagged => {}
        "BYE" if untagged => return Err(d.refused(banner)),
        _ => {
            return Err(d.unexpected(format!("an IMAP greeting that is not \"* OK\": {banner}")));
        }
    }
    d.send_line("a1 CAPABILITY").await?;
    let (lines, done) = d.imap_response("a1").await?;
    if status(&done) != "OK" {
        let detail = format!("CAPABILITY failed: {}", shown(done.as_bytes()));
        return Err(d.unexpected(detail));
    }
    let offered = [&greeting, &done]
        .into_iter()
        .chain(&lines)
        .any(|line| offers_starttls(line));
    if !offered {
        return Err(d.not_offered(banner));
    }
    d.send_line("a2 STARTTLS").await?;
    let (_, done) = d.imap_response("a2").await?;
    match status(&done).as_str() {
        "OK" => Ok(()),
        "NO" | "BAD" => Err(d.refused(shown(done.as_bytes()))),
        _ => Err(d.unexpected(format!(
            "a STARTTLS completion that is not OK, NO or BAD: {}",
            shown(done.as_bytes())
        ))),
    }
}
