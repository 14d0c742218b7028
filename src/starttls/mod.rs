//! STARTTLS: upgrading a plain-text protocol connection to TLS.
//!
//! Mail, directory and database servers often listen in plain text and switch to TLS only when
//! the client asks. [`upgrade`] speaks just enough of each protocol, as its specification writes
//! it, to reach the point where the server waits for a ClientHello; the caller then runs the TLS
//! handshake on the same stream. Everything read is bounded by [`MAX_DIALOGUE_BYTES`], and bytes
//! the server sends after agreeing are an error rather than silently dropped: a real client would
//! feed them to TLS (libpq rejects them the same way since CVE-2021-23222).

/// FTP (RFC 959, RFC 2389, RFC 4217).
mod ftp;
/// IMAP (RFC 3501, RFC 9051, RFC 2595).
mod imap;
/// LDAP (RFC 4511 §4.14): one extended operation in BER.
mod ldap;
/// MySQL (Protocol::HandshakeV10, then Protocol::SSLRequest).
mod mysql;
/// POP3 (RFC 1939, RFC 2449, RFC 2595).
mod pop3;
/// PostgreSQL ("SSL Session Encryption" in the protocol documentation).
mod postgres;
/// SMTP (RFC 5321, RFC 3207).
mod smtp;
/// XMPP client streams (RFC 6120 §5): features, `<starttls/>`, `<proceed/>`.
mod xmpp;

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
