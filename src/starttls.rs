//! STARTTLS: upgrading a plain-text protocol connection to TLS.
//!
//! Mail, directory and database servers often listen in plain text and switch to TLS only when
//! the client asks. [`upgrade`] speaks just enough of each protocol, as its specification writes
//! it, to reach the point where the server waits for a ClientHello; the caller then runs the TLS
//! handshake on the same stream. Everything read is bounded by [`MAX_DIALOGUE_BYTES`], and bytes
//! the server sends after agreeing are an error rather than silently dropped: a real client would
//! feed them to TLS (libpq rejects them the same way since CVE-2021-23222).

use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bound on everything read before TLS starts.
pub const MAX_DIALOGUE_BYTES: usize = 64 * 1024;

/// Transcript bounds: the first lines show the greeting, the last ones the answer that mattered.
const HEAD_LINES: usize = 10;
const TAIL_LINES: usize = 9;
const LINE_CHARS: usize = 200;

/// How many lines of a multi-line reply are quoted in an error.
const REPLY_LINES: usize = 4;

/// The plain-text protocols that can be upgraded to TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Smtp,
    Imap,
    Pop3,
    Ftp,
    Ldap,
    Postgres,
    Mysql,
    Xmpp,
}

impl Protocol {
    /// Every protocol, for help texts and tests.
    pub const ALL: [Protocol; 8] = [
        Protocol::Smtp,
        Protocol::Imap,
        Protocol::Pop3,
        Protocol::Ftp,
        Protocol::Ldap,
        Protocol::Postgres,
        Protocol::Mysql,
        Protocol::Xmpp,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Ftp => "ftp",
            Protocol::Ldap => "ldap",
            Protocol::Postgres => "postgres",
            Protocol::Mysql => "mysql",
            Protocol::Xmpp => "xmpp",
        }
    }

    /// The protocol's name in prose: "SMTP", "PostgreSQL".
    pub fn title(self) -> &'static str {
        match self {
            Protocol::Smtp => "SMTP",
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Ftp => "FTP",
            Protocol::Ldap => "LDAP",
            Protocol::Postgres => "PostgreSQL",
            Protocol::Mysql => "MySQL",
            Protocol::Xmpp => "XMPP",
        }
    }

    /// Reads a user's name for a protocol, with the aliases people type (and `openssl s_client
    /// -starttls` uses).
    pub fn from_name(name: &str) -> Option<Protocol> {
        match name.to_ascii_lowercase().as_str() {
            "smtp" | "esmtp" | "submission" => Some(Protocol::Smtp),
            "imap" | "imap4" => Some(Protocol::Imap),
            "pop3" | "pop" => Some(Protocol::Pop3),
            "ftp" => Some(Protocol::Ftp),
            "ldap" => Some(Protocol::Ldap),
            "postgres" | "postgresql" | "pgsql" => Some(Protocol::Postgres),
            "mysql" | "mariadb" => Some(Protocol::Mysql),
            "xmpp" | "jabber" => Some(Protocol::Xmpp),
            _ => None,
        }
    }

    /// Well-known plain-text ports: 25/587 smtp, 143 imap, 110 pop3, 21 ftp, 389 ldap, 5432
    /// postgres, 3306 mysql, 5222 xmpp.
    pub fn for_port(port: u16) -> Option<Protocol> {
        match port {
            25 | 587 => Some(Protocol::Smtp),
            143 => Some(Protocol::Imap),
            110 => Some(Protocol::Pop3),
            21 => Some(Protocol::Ftp),
            389 => Some(Protocol::Ldap),
            5432 => Some(Protocol::Postgres),
            3306 => Some(Protocol::Mysql),
            5222 => Some(Protocol::Xmpp),
            _ => None,
        }
    }

    /// URL schemes that mean a STARTTLS upgrade. Implicit-TLS schemes (smtps, imaps, pop3s,
    /// ftps, ldaps) are `None`: those speak TLS from the first byte.
    pub fn for_scheme(scheme: &str) -> Option<Protocol> {
        match scheme.to_ascii_lowercase().as_str() {
            "smtp" => Some(Protocol::Smtp),
            "imap" => Some(Protocol::Imap),
            "pop3" | "pop" => Some(Protocol::Pop3),
            "ftp" => Some(Protocol::Ftp),
            "ldap" => Some(Protocol::Ldap),
            "postgres" | "postgresql" => Some(Protocol::Postgres),
            "mysql" => Some(Protocol::Mysql),
            "xmpp" => Some(Protocol::Xmpp),
            _ => None,
        }
    }

    /// The port a target without one is reached on.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Smtp => 25,
            Protocol::Imap => 143,
            Protocol::Pop3 => 110,
            Protocol::Ftp => 21,
            Protocol::Ldap => 389,
            Protocol::Postgres => 5432,
            Protocol::Mysql => 3306,
            Protocol::Xmpp => 5222,
        }
    }

    /// The implicit-TLS port clients could use instead, for fix texts. XMPP's direct TLS
    /// (XEP-0368) is found through SRV records, not a fixed port, so it has none here.
    pub fn implicit_tls_port(self) -> Option<u16> {
        match self {
            Protocol::Smtp => Some(465),
            Protocol::Imap => Some(993),
            Protocol::Pop3 => Some(995),
            Protocol::Ldap => Some(636),
            Protocol::Ftp => Some(990),
            Protocol::Postgres | Protocol::Mysql | Protocol::Xmpp => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was said before TLS started, for the report: "S: " lines from the server, "C: " from
/// us; at most 20 lines of at most 200 characters, control characters escaped, binary messages
/// described in words.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Transcript {
    /// "S: ..." from the server, "C: ..." from us, in order.
    pub lines: Vec<String>,
}

/// Why the server did not get to the point of starting TLS. Each variant carries what was said,
/// so a report can show where the dialogue stopped.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    /// The server does not advertise STARTTLS; `greeting` is its first line or banner, naming
    /// what answered.
    #[error("the server does not offer STARTTLS (it greeted: {greeting})")]
    NotOffered {
        greeting: String,
        transcript: Transcript,
    },
    /// It advertised STARTTLS (or was asked) and then refused; `reply` is what it said.
    #[error("the server refused to start TLS: {reply}")]
    Refused {
        reply: String,
        transcript: Transcript,
    },
    /// The peer did not speak the protocol as expected; `detail` says what arrived.
    #[error("the server did not answer as the protocol expects: {detail}")]
    Unexpected {
        detail: String,
        transcript: Transcript,
    },
    /// More than [`MAX_DIALOGUE_BYTES`] arrived before the upgrade.
    #[error(
        "the server sent more than {} bytes without agreeing to start TLS",
        MAX_DIALOGUE_BYTES
    )]
    TooLong { transcript: Transcript },
    /// The connection broke or closed.
    #[error("the connection failed before TLS started: {error}")]
    Io {
        #[source]
        error: io::Error,
        transcript: Transcript,
    },
}

impl UpgradeError {
    /// What was said before the dialogue stopped.
    pub fn transcript(&self) -> &Transcript {
        match self {
            UpgradeError::NotOffered { transcript, .. }
            | UpgradeError::Refused { transcript, .. }
            | UpgradeError::Unexpected { transcript, .. }
            | UpgradeError::TooLong { transcript }
            | UpgradeError::Io { transcript, .. } => transcript,
        }
    }
}

/// Runs the protocol's exchange on `stream` until the server agrees to start TLS; afterwards the
/// caller runs the TLS handshake on the same stream. `host` is the name to use where the
/// protocol wants one (XMPP's `to=`). Time bounds are the caller's.
pub async fn upgrade<S>(
    protocol: Protocol,
    stream: &mut S,
    host: &str,
) -> Result<Transcript, UpgradeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut dialogue = Dialogue::new(stream);
    match protocol {
        Protocol::Smtp => smtp::start_tls(&mut dialogue).await?,
        Protocol::Imap => imap::start_tls(&mut dialogue).await?,
        Protocol::Pop3 => pop3::start_tls(&mut dialogue).await?,
        Protocol::Ftp => ftp::start_tls(&mut dialogue).await?,
        Protocol::Ldap => ldap::start_tls(&mut dialogue).await?,
        Protocol::Postgres => postgres::start_tls(&mut dialogue).await?,
        Protocol::Mysql => mysql::start_tls(&mut dialogue).await?,
        Protocol::Xmpp => xmpp::start_tls(&mut dialogue, host).await?,
    }
    dialogue.finish()
}

// ---------------------------------------------------------------------------------------------
// The dialogue: bounded reads that keep what they do not consume, and the transcript.

/// A stream under a byte budget. Reads go into `pending` and only what a step consumes is taken
/// out, so nothing is lost between steps, and [`Dialogue::finish`] can see bytes left over.
struct Dialogue<'s, S> {
    stream: &'s mut S,
    pending: Vec<u8>,
    received: usize,
    record: Record,
}

impl<'s, S: AsyncRead + AsyncWrite + Unpin> Dialogue<'s, S> {
    fn new(stream: &'s mut S) -> Self {
        Dialogue {
            stream,
            pending: Vec::new(),
            received: 0,
            record: Record::default(),
        }
    }

    /// Reads whatever arrives next into `pending`, within the budget.
    async fn fill(&mut self) -> Result<(), UpgradeError> {
        let room = MAX_DIALOGUE_BYTES.saturating_sub(self.received);
        if room == 0 {
            self.record_partial();
            return Err(UpgradeError::TooLong {
                transcript: self.transcript(),
            });
        }
        let mut chunk = [0u8; 4096];
        let want = room.min(chunk.len());
        match self.stream.read(&mut chunk[..want]).await {
            Ok(0) => {
                self.record_partial();
                let closed = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                );
                Err(self.io(closed))
            }
            Ok(n) => {
                self.received += n;
                self.pending.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(error) => Err(self.io(error)),
        }
    }

    /// Shows an unfinished line in the transcript before the dialogue ends on it.
    fn record_partial(&mut self) {
        if !self.pending.is_empty() {
            let partial = format!("S: {} (unfinished)", shown(&self.pending));
            self.record.push(partial);
        }
    }

    /// One line, without its CRLF (a bare LF is tolerated).
    async fn line(&mut self) -> Result<String, UpgradeError> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.pending) {
                let mut line: Vec<u8> = self.pending.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.record.push(format!("S: {}", shown(&line)));
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            self.fill().await?;
        }
    }

    /// Exactly `count` bytes (the transcript entry is the caller's).
    async fn bytes(&mut self, count: usize) -> Result<Vec<u8>, UpgradeError> {
        if count > MAX_DIALOGUE_BYTES.saturating_sub(self.received) + self.pending.len() {
            return Err(UpgradeError::TooLong {
                transcript: self.transcript(),
            });
        }
        while self.pending.len() < count {
            self.fill().await?;
        }
        Ok(self.pending.drain(..count).collect())
    }

    async fn send(&mut self, bytes: &[u8], described: &str) -> Result<(), UpgradeError> {
        self.record.push(format!("C: {described}"));
        let sent = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        sent.await.map_err(|error| self.io(error))
    }

    async fn send_line(&mut self, line: &str) -> Result<(), UpgradeError> {
        self.send(format!("{line}\r\n").as_bytes(), line).await
    }

    /// The transcript, once the server has agreed and said nothing more.
    fn finish(self) -> Result<Transcript, UpgradeError> {
        if self.pending.is_empty() {
            return Ok(self.transcript());
        }
        Err(self.unexpected(format!(
            "{} more bytes arrived after the server agreed to start TLS: {}",
            self.pending.len(),
            shown(&self.pending)
        )))
    }

    fn transcript(&self) -> Transcript {
        self.record.transcript()
    }

    fn io(&self, error: io::Error) -> UpgradeError {
        UpgradeError::Io {
            error,
            transcript: self.transcript(),
        }
    }

    fn not_offered(&self, greeting: impl Into<String>) -> UpgradeError {
        UpgradeError::NotOffered {
            greeting: greeting.into(),
            transcript: self.transcript(),
        }
    }

    fn refused(&self, reply: impl Into<String>) -> UpgradeError {
        UpgradeError::Refused {
            reply: reply.into(),
            transcript: self.transcript(),
        }
    }

    fn unexpected(&self, detail: impl Into<String>) -> UpgradeError {
        UpgradeError::Unexpected {
            detail: detail.into(),
            transcript: self.transcript(),
        }
    }
}

/// Transcript lines as they happen, keeping the first and the last when there are too many.
#[derive(Default)]
struct Record {
    head: Vec<String>,
    tail: VecDeque<String>,
    omitted: usize,
}

impl Record {
    fn push(&mut self, line: String) {
        if self.head.len() < HEAD_LINES {
            self.head.push(line);
            return;
        }
        self.tail.push_back(line);
        if self.tail.len() > TAIL_LINES {
            self.tail.pop_front();
            self.omitted += 1;
        }
    }

    fn transcript(&self) -> Transcript {
        let mut lines = self.head.clone();
        if self.omitted > 0 {
            lines.push(format!("({} lines not shown)", self.omitted));
        }
        lines.extend(self.tail.iter().cloned());
        Transcript { lines }
    }
}

/// Bytes from the network made fit to print: lossy UTF-8, control characters escaped, at most
/// [`LINE_CHARS`] characters.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == LINE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The first lines of a (possibly multi-line) reply, for an error message.
fn summary(lines: &[String]) -> String {
    let mut parts: Vec<String> = lines
        .iter()
        .take(REPLY_LINES)
        .map(|l| shown(l.as_bytes()))
        .collect();
    if lines.len() > REPLY_LINES {
        parts.push("…".to_string());
    }
    parts.join(" / ")
}

// ---------------------------------------------------------------------------------------------
// Numbered replies, shared by SMTP and FTP.

/// A numbered reply (RFC 5321 §4.2, RFC 959 §4.2).
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        summary(&self.lines)
    }

    fn first_line(&self) -> String {
        self.lines
            .first()
            .map(|l| shown(l.as_bytes()))
            .unwrap_or_default()
    }
}

/// The code of a reply line: three digits, then a space, a hyphen or nothing.
fn reply_code(line: &str) -> Option<u16> {
    let bytes = line.as_bytes();
    let digits = bytes.get(..3)?;
    let valid = digits.iter().all(u8::is_ascii_digit)
        && (b'1'..=b'5').contains(&digits[0])
        && matches!(bytes.get(3), None | Some(b' ' | b'-'));
    valid.then(|| digits.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')))
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// A whole reply. "ddd-" starts a multi-line one, which ends at a line that begins "ddd " or
    /// is just "ddd"; FTP allows any text on the lines between, SMTP repeats the code on each.
    async fn reply(&mut self) -> Result<Reply, UpgradeError> {
        let first = self.line().await?;
        let Some(code) = reply_code(&first) else {
            return Err(self.unexpected(format!(
                "a reply without a reply code: {}",
                shown(first.as_bytes())
            )));
        };
        let multi = first.as_bytes().get(3) == Some(&b'-');
        let mut lines = vec![first];
        if multi {
            loop {
                let line = self.line().await?;
                let last = reply_code(&line) == Some(code) && line.as_bytes().get(3) != Some(&b'-');
                lines.push(line);
                if last {
                    break;
                }
            }
        }
        Ok(Reply { code, lines })
    }
}

// ---------------------------------------------------------------------------------------------
// The protocols, one module each.

/// SMTP (RFC 5321, RFC 3207).
mod smtp {
    use super::{Dialogue, UpgradeError};
    use tokio::io::{AsyncRead, AsyncWrite};

    /// The name EHLO announces: `.invalid` (RFC 2606) cannot belong to anyone.
    const CLIENT_NAME: &str = "tlsdoctor.invalid";

    /// RFC 3207: EHLO, look for the STARTTLS extension, STARTTLS, expect 220.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        let greeting = d.reply().await?;
        match greeting.code {
            220 => {}
            400..=599 => return Err(d.refused(greeting.text())),
            _ => {
                return Err(d.unexpected(format!(
                    "an SMTP greeting that is not 220: {}",
                    greeting.text()
                )));
            }
        }
        d.send_line(&format!("EHLO {CLIENT_NAME}")).await?;
        let ehlo = d.reply().await?;
        match ehlo.code {
            250 => {}
            // A server that does not know EHLO speaks no ESMTP, so it has no extensions at all.
            500 | 502 => return Err(d.not_offered(greeting.first_line())),
            400..=599 => return Err(d.refused(ehlo.text())),
            _ => {
                return Err(d.unexpected(format!("an EHLO reply that is not 250: {}", ehlo.text())));
            }
        }
        // The first line is the server's name; each further line starts with an extension keyword.
        let offered = ehlo.lines.iter().skip(1).any(|line| {
            line.get(4..)
                .and_then(|rest| rest.split_ascii_whitespace().next())
                .is_some_and(|keyword| keyword.eq_ignore_ascii_case("STARTTLS"))
        });
        if !offered {
            return Err(d.not_offered(greeting.first_line()));
        }
        d.send_line("STARTTLS").await?;
        let answer = d.reply().await?;
        match answer.code {
            220 => Ok(()),
            400..=599 => Err(d.refused(answer.text())),
            _ => Err(d.unexpected(format!(
                "a STARTTLS reply that is not 220: {}",
                answer.text()
            ))),
        }
    }
}

/// FTP (RFC 959, RFC 2389, RFC 4217).
mod ftp {
    use super::{Dialogue, Reply, UpgradeError};
    use tokio::io::{AsyncRead, AsyncWrite};

    /// Whether a FEAT reply (RFC 2389: one feature per line, after a space) lists AUTH with TLS
    /// among its mechanisms ("AUTH TLS", "AUTH TLS;SSL", ...).
    fn lists_auth_tls(feat: &Reply) -> bool {
        feat.lines.iter().skip(1).any(|line| {
            let mut words = line.split_ascii_whitespace();
            let label = words.next().unwrap_or_default();
            label.eq_ignore_ascii_case("AUTH")
                && words.any(|w| w.split(';').any(|m| m.eq_ignore_ascii_case("TLS")))
        })
    }

    /// RFC 4217: AUTH TLS, expect 234.
    ///
    /// FEAT is asked first, only to name a refusal: a server that answers FEAT lists the AUTH it
    /// supports (RFC 4217 §6), and servers without TLS often answer AUTH like any command before
    /// login ("530 Please login with USER and PASS", vsftpd), which is "not offered" when FEAT
    /// did not list it.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        let mut greeting = d.reply().await?;
        // RFC 959 §5.4: "120 ready in nnn minutes" comes before the 220.
        while greeting.code == 120 {
            greeting = d.reply().await?;
        }
        match greeting.code {
            220 => {}
            400..=599 => return Err(d.refused(greeting.text())),
            _ => {
                return Err(d.unexpected(format!(
                    "an FTP greeting that is not 220: {}",
                    greeting.text()
                )));
            }
        }
        d.send_line("FEAT").await?;
        let feat = d.reply().await?;
        let unlisted = feat.code == 211 && !lists_auth_tls(&feat);
        d.send_line("AUTH TLS").await?;
        let answer = d.reply().await?;
        match answer.code {
            234 => Ok(()),
            // Command unknown or not implemented (RFC 959), or mechanism unknown (RFC 2228 §4).
            500 | 502 | 504 => Err(d.not_offered(greeting.first_line())),
            400..=599 if unlisted => Err(d.not_offered(greeting.first_line())),
            400..=599 => Err(d.refused(answer.text())),
            _ => Err(d.unexpected(format!(
                "an AUTH TLS reply that is not 234: {}",
                answer.text()
            ))),
        }
    }
}

/// IMAP (RFC 3501, RFC 9051, RFC 2595).
mod imap {
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
        async fn imap_response(
            &mut self,
            tag: &str,
        ) -> Result<(Vec<String>, String), UpgradeError> {
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
                return Err(
                    d.unexpected(format!("an IMAP greeting that is not \"* OK\": {banner}"))
                );
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
}

/// POP3 (RFC 1939, RFC 2449, RFC 2595).
mod pop3 {
    use super::{Dialogue, UpgradeError, shown};
    use tokio::io::{AsyncRead, AsyncWrite};

    /// POP3 status indicators (RFC 1939 §3), read case-insensitively as servers vary.
    fn status(line: &str) -> Option<bool> {
        let word = line.split_ascii_whitespace().next().unwrap_or_default();
        if word.eq_ignore_ascii_case("+OK") {
            Some(true)
        } else if word.eq_ignore_ascii_case("-ERR") {
            Some(false)
        } else {
            None
        }
    }

    /// RFC 2595 §4 and RFC 2449: CAPA, look for STLS, STLS, expect +OK.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        let greeting = d.line().await?;
        let banner = shown(greeting.as_bytes());
        match status(&greeting) {
            Some(true) => {}
            Some(false) => return Err(d.refused(banner)),
            None => return Err(d.unexpected(format!("a POP3 greeting that is not +OK: {banner}"))),
        }
        d.send_line("CAPA").await?;
        let answer = d.line().await?;
        match status(&answer) {
            Some(true) => {}
            // No CAPA means no way to advertise STLS, which RFC 2595 requires be advertised.
            Some(false) => return Err(d.not_offered(banner)),
            None => {
                let detail = format!(
                    "a CAPA reply that is not +OK or -ERR: {}",
                    shown(answer.as_bytes())
                );
                return Err(d.unexpected(detail));
            }
        }
        let mut offered = false;
        loop {
            let line = d.line().await?;
            if line == "." {
                break;
            }
            let keyword = line.split_ascii_whitespace().next().unwrap_or_default();
            offered |= keyword.eq_ignore_ascii_case("STLS");
        }
        if !offered {
            return Err(d.not_offered(banner));
        }
        d.send_line("STLS").await?;
        let answer = d.line().await?;
        match status(&answer) {
            Some(true) => Ok(()),
            Some(false) => Err(d.refused(shown(answer.as_bytes()))),
            None => Err(d.unexpected(format!(
                "an STLS reply that is not +OK or -ERR: {}",
                shown(answer.as_bytes())
            ))),
        }
    }
}

/// LDAP (RFC 4511 §4.14): one extended operation in BER.
mod ldap {
    use super::{Dialogue, UpgradeError, shown};
    use std::fmt;
    use tokio::io::{AsyncRead, AsyncWrite};

    /// RFC 4511 §4.14.1: the StartTLS extended request's name.
    const START_TLS_OID: &str = "1.3.6.1.4.1.1466.20037";
    const _: () = assert!(START_TLS_OID.len() == 22);

    /// LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest { [0] requestName } }: every
    /// length fits the short form, so the encoding is written out.
    fn start_tls_request() -> Vec<u8> {
        let mut request = vec![0x30, 29, 0x02, 1, 1, 0x77, 24, 0x80, 22];
        request.extend_from_slice(START_TLS_OID.as_bytes());
        request
    }

    /// One BER element with a one-byte tag and a definite length (all LDAP needs, RFC 4511 §5.1):
    /// its tag, contents and what follows it.
    fn ber_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (length, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            let digits = rest.get(..count).filter(|_| (1..=4).contains(&count))?;
            let length = digits.iter().fold(0, |n, b| n << 8 | usize::from(*b));
            (length, &rest[count..])
        };
        let contents = rest.get(..length)?;
        Some((tag, contents, &rest[length..]))
    }

    /// A BER INTEGER or ENUMERATED of at most eight bytes.
    fn ber_integer(contents: &[u8]) -> Option<i64> {
        let (&first, _) = contents.split_first()?;
        if contents.len() > 8 {
            return None;
        }
        let start = if first & 0x80 == 0 { 0 } else { -1 };
        Some(contents.iter().fold(start, |n, b| n << 8 | i64::from(*b)))
    }

    /// Names of the LDAP result codes a StartTLS answer can carry (RFC 4511 Appendix A).
    fn result_name(code: i64) -> &'static str {
        match code {
            0 => "success",
            1 => "operationsError",
            2 => "protocolError",
            3 => "timeLimitExceeded",
            8 => "strongerAuthRequired",
            11 => "adminLimitExceeded",
            12 => "unavailableCriticalExtension",
            13 => "confidentialityRequired",
            50 => "insufficientAccessRights",
            51 => "busy",
            52 => "unavailable",
            53 => "unwillingToPerform",
            80 => "other",
            _ => "unknown",
        }
    }

    /// What an LDAP server answered to StartTLS.
    struct Answer {
        message_id: i64,
        result_code: i64,
        diagnostic: String,
    }

    impl fmt::Display for Answer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let name = result_name(self.result_code);
            write!(f, "resultCode {} ({name})", self.result_code)?;
            if !self.diagnostic.is_empty() {
                write!(f, ": {}", self.diagnostic)?;
            }
            Ok(())
        }
    }

    /// Reads messageID and the ExtendedResponse's resultCode and diagnosticMessage
    /// (RFC 4511 §4.1.1, §4.1.9, §4.12); `Err` says what did not fit.
    fn parse_answer(message: &[u8]) -> Result<Answer, String> {
        let malformed = || "a malformed LDAP message".to_string();
        let (_, fields, _) = ber_element(message).ok_or_else(malformed)?;
        let (tag, id, rest) = ber_element(fields).ok_or_else(malformed)?;
        let message_id = ber_integer(id)
            .filter(|_| tag == 0x02)
            .ok_or_else(malformed)?;
        let (tag, response, _) = ber_element(rest).ok_or_else(malformed)?;
        if tag != 0x78 {
            return Err(format!(
                "an LDAP message of type [APPLICATION {}] where an ExtendedResponse (24) \
                 was expected",
                tag & 0x1f
            ));
        }
        let (tag, code, rest) = ber_element(response).ok_or_else(malformed)?;
        let result_code = ber_integer(code)
            .filter(|_| tag == 0x0a)
            .ok_or_else(malformed)?;
        let (_, _matched_dn, rest) = ber_element(rest).ok_or_else(malformed)?;
        let (_, diagnostic, _) = ber_element(rest).ok_or_else(malformed)?;
        Ok(Answer {
            message_id,
            result_code,
            diagnostic: shown(diagnostic),
        })
    }

    impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
        /// One LDAPMessage, header and contents, within the budget.
        async fn ber_message(&mut self) -> Result<Vec<u8>, UpgradeError> {
            if self.pending.is_empty() {
                self.fill().await?;
            }
            if self.pending.first() != Some(&0x30) {
                let detail = format!(
                    "a reply that is not an LDAP message: {}",
                    shown(&self.pending)
                );
                return Err(self.unexpected(detail));
            }
            let mut message = self.bytes(2).await?;
            let first = message[1];
            let length = if first < 0x80 {
                usize::from(first)
            } else {
                let count = usize::from(first & 0x7f);
                if !(1..=4).contains(&count) {
                    let detail = format!("an LDAP message with a length of form {first:#04x}");
                    return Err(self.unexpected(detail));
                }
                let digits = self.bytes(count).await?;
                message.extend_from_slice(&digits);
                digits.iter().fold(0, |n, b| n << 8 | usize::from(*b))
            };
            let contents = self.bytes(length).await?;
            message.extend_from_slice(&contents);
            Ok(message)
        }
    }

    /// RFC 4511 §4.14: the StartTLS extended operation, expect resultCode success.
    ///
    /// §4.14.2 gives protocolError as the answer of a server that does not support TLS (and of
    /// one that does not know the operation at all, §4.12), so resultCode 2 is "not offered";
    /// OpenLDAP without certificates answers just that ("unsupported extended operation"). Every
    /// other failure (unavailable, operationsError, unwillingToPerform, ...) comes from a server
    /// that knows StartTLS and declined it now: a refusal, with the server's diagnostic message.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        let described = format!("ExtendedRequest StartTLS ({START_TLS_OID}), messageID 1");
        d.send(&start_tls_request(), &described).await?;
        let message = d.ber_message().await?;
        let answer = match parse_answer(&message) {
            Ok(answer) => answer,
            Err(detail) => {
                d.record.push(format!("S: {} bytes of BER", message.len()));
                return Err(d.unexpected(detail));
            }
        };
        let id = answer.message_id;
        d.record
            .push(format!("S: ExtendedResponse (messageID {id}), {answer}"));
        match (id, answer.result_code) {
            (1, 0) => Ok(()),
            (1, 2) => Err(d.not_offered(format!("LDAP server answering {answer}"))),
            (1, _) => Err(d.refused(answer.to_string())),
            // RFC 4511 §4.4.1: messageID 0 is an unsolicited notice, such as a disconnection.
            (0, _) => Err(d.refused(format!("notice of disconnection, {answer}"))),
            _ => Err(d.unexpected(format!("an answer to messageID {id} where 1 was asked"))),
        }
    }
}

/// PostgreSQL ("SSL Session Encryption" in the protocol documentation).
mod postgres {
    use super::{Dialogue, UpgradeError, shown};
    use tokio::io::{AsyncRead, AsyncWrite};

    /// "SSL Session Encryption": Int32 length 8, Int32 80877103 (1234 << 16 | 5679).
    const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

    /// How much of an error message after 'E' is read.
    const PG_ERROR_BYTES: usize = 4096;

    /// The text of an ErrorResponse after its 'E': protocol 3 fields (Int32 length, then typed
    /// strings; 'S' severity, 'M' message, 'C' SQLSTATE) or a protocol 2 string; `None` until it
    /// has all arrived.
    fn error_text(bytes: &[u8]) -> Option<String> {
        let declared = bytes
            .get(..4)
            .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]));
        let Some(length) = declared
            .and_then(|l| usize::try_from(l).ok())
            .filter(|l| (5..=PG_ERROR_BYTES).contains(l))
        else {
            let end = memchr::memchr(0, bytes)?;
            return Some(shown(&bytes[..end]));
        };
        let mut fields = bytes.get(4..length)?;
        let (mut severity, mut message, mut code) = (String::new(), String::new(), String::new());
        while let Some((&kind, rest)) = fields.split_first() {
            let Some(end) = memchr::memchr(0, rest) else {
                break;
            };
            let value = shown(&rest[..end]);
            match kind {
                b'S' => severity = value,
                b'M' => message = value,
                b'C' => code = value,
                _ => {}
            }
            fields = &rest[end + 1..];
        }
        Some(format!("{severity}: {message} (SQLSTATE {code})"))
    }

    impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
        /// The error message that follows an 'E', as much as arrives before the server closes.
        async fn postgres_error(&mut self) -> String {
            loop {
                if let Some(text) = error_text(&self.pending) {
                    return text;
                }
                if self.pending.len() >= PG_ERROR_BYTES || self.fill().await.is_err() {
                    let end = self.pending.len().min(PG_ERROR_BYTES);
                    return shown(&self.pending[..end]);
                }
            }
        }
    }

    /// PostgreSQL's SSLRequest: 'S' proceeds, 'N' means the server has ssl off.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        d.send(&SSL_REQUEST, "SSLRequest").await?;
        let answer = d.bytes(1).await?;
        match answer.as_slice() {
            b"S" => {
                d.record.push("S: 'S' (proceed)".to_string());
                Ok(())
            }
            b"N" => {
                d.record.push("S: 'N' (no TLS)".to_string());
                Err(d.not_offered("PostgreSQL server answering 'N' to SSLRequest"))
            }
            b"E" => {
                let text = d.postgres_error().await;
                d.record.push(format!("S: 'E' ErrorResponse: {text}"));
                Err(d.unexpected(format!("an ErrorResponse to SSLRequest: {text}")))
            }
            _ => {
                let mut arrived = answer;
                arrived.extend_from_slice(&d.pending);
                let detail = format!(
                    "an answer to SSLRequest that is neither 'S' nor 'N': {}",
                    shown(&arrived)
                );
                Err(d.unexpected(detail))
            }
        }
    }
}

/// MySQL (Protocol::HandshakeV10, then Protocol::SSLRequest).
mod mysql {
    use super::{Dialogue, MAX_DIALOGUE_BYTES, UpgradeError, shown};
    use tokio::io::{AsyncRead, AsyncWrite};

    const CLIENT_PROTOCOL_41: u32 = 0x0000_0200;
    const CLIENT_SSL: u32 = 0x0000_0800;
    const CLIENT_SECURE_CONNECTION: u32 = 0x0000_8000;
    const MAX_PACKET: u32 = 16 * 1024 * 1024;
    /// utf8_general_ci: understood by every server version.
    const CHARSET: u8 = 33;

    /// What the server's initial handshake says about it.
    struct Hello {
        version: String,
        capabilities: u32,
    }

    /// Protocol::HandshakeV10: version string, connection id (4), auth-plugin-data part 1 (8),
    /// filler (1), capability flags lower half (2), then optionally charset (1), status (2) and the
    /// upper half (2).
    fn parse_hello(payload: &[u8]) -> Option<Hello> {
        let rest = payload.get(1..)?;
        let end = memchr::memchr(0, rest)?;
        let version = shown(&rest[..end]);
        let rest = rest.get(end + 1..)?;
        let lower = rest.get(13..15)?;
        let mut capabilities = u32::from(u16::from_le_bytes([lower[0], lower[1]]));
        if let Some(upper) = rest.get(18..20) {
            capabilities |= u32::from(u16::from_le_bytes([upper[0], upper[1]])) << 16;
        }
        Some(Hello {
            version,
            capabilities,
        })
    }

    /// An ERR_Packet: 0xff, error code (2), an optional "#" and SQLSTATE (5), the message.
    fn error_text(payload: &[u8]) -> String {
        let code = payload
            .get(1..3)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .unwrap_or_default();
        let message = payload.get(3..).unwrap_or_default();
        let message = match message.first() {
            Some(b'#') => message.get(6..).unwrap_or_default(),
            _ => message,
        };
        format!("ERROR {code}: {}", shown(message))
    }

    impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
        /// One packet: a 3-byte little-endian length, a sequence id, the payload.
        async fn mysql_packet(&mut self) -> Result<(u8, Vec<u8>), UpgradeError> {
            let header = self.bytes(4).await?;
            let length =
                usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
            if length > MAX_DIALOGUE_BYTES {
                let mut arrived = header;
                arrived.extend_from_slice(&self.pending);
                let detail = format!(
                    "a first packet declaring {length} bytes, not a MySQL handshake: {}",
                    shown(&arrived)
                );
                return Err(self.unexpected(detail));
            }
            let payload = self.bytes(length).await?;
            Ok((header[3], payload))
        }
    }

    /// MySQL: read the handshake, check CLIENT_SSL, send SSLRequest.
    pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
        d: &mut Dialogue<'_, S>,
    ) -> Result<(), UpgradeError> {
        let (sequence, payload) = d.mysql_packet().await?;
        match payload.first() {
            Some(10) => {}
            Some(0xff) => {
                let text = error_text(&payload);
                d.record.push(format!("S: ERR_Packet {text}"));
                return Err(d.refused(text));
            }
            _ => {
                let detail = format!(
                    "a MySQL handshake that is not version 10: {}",
                    shown(&payload)
                );
                return Err(d.unexpected(detail));
            }
        }
        let Some(hello) = parse_hello(&payload) else {
            let detail = format!("a truncated MySQL handshake: {}", shown(&payload));
            return Err(d.unexpected(detail));
        };
        let (version, capabilities) = (&hello.version, hello.capabilities);
        d.record.push(format!(
            "S: HandshakeV10, server {version}, capabilities {capabilities:#010x}"
        ));
        if capabilities & CLIENT_SSL == 0 {
            return Err(d.not_offered(format!("MySQL {version}")));
        }
        let flags = CLIENT_SSL | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION;
        let mut request = vec![32, 0, 0, sequence.wrapping_add(1)];
        request.extend_from_slice(&flags.to_le_bytes());
        request.extend_from_slice(&MAX_PACKET.to_le_bytes());
        request.push(CHARSET);
        request.extend_from_slice(&[0; 23]);
        d.send(&request, &format!("SSLRequest, capabilities {flags:#010x}"))
            .await
    }
}

/// XMPP client streams (RFC 6120 §5): features, `<starttls/>`, `<proceed/>`.
mod xmpp {
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
                        let detail =
                            format!("bytes that are not UTF-8 XML: {}", shown(&self.pending));
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
}
