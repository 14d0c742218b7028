//! STARTTLS upgrades against in-process peers that speak the server side of each protocol as its
//! specification writes it, then present the fixture chain "good" on the same connection.

mod common;

use common::*;
use rustls::pki_types::ServerName;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlsdoctor::capture::{Capture, ClientSide, capture_stream};
use tlsdoctor::starttls::{Protocol, Transcript, UpgradeError, upgrade};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(5);

/// Starts a peer for one connection: `script` speaks the plain-text part and hands the stream
/// back if it agreed to TLS, which then presents the fixture chain "good".
async fn peer<F, Fut>(script: F) -> u16
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = Option<TcpStream>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    tokio::spawn(async move {
        if let Ok((stream, _)) = listener.accept().await {
            if let Some(stream) = script(stream).await {
                serve_tls(stream).await;
            }
        }
    });
    port
}

async fn serve_tls(stream: TcpStream) {
    let (chain, key) = load_chain("good");
    let config = server_config(chain, key, rustls::DEFAULT_VERSIONS);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    if let Ok(mut tls) = acceptor.accept(stream).await {
        let mut sink = [0u8; 1024];
        while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
    }
}

/// Upgrades, then completes the handshake as `ok.test`; both must succeed.
async fn upgrade_and_handshake(protocol: Protocol, port: u16) -> (Transcript, Capture) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let transcript = tokio::time::timeout(LIMIT, upgrade(protocol, &mut stream, "ok.test"))
        .await
        .expect("the upgrade finishes in time")
        .unwrap_or_else(|e| panic!("{protocol} upgrade failed: {e}\n{:#?}", e.transcript()));
    let name = ServerName::try_from("ok.test").expect("name");
    let client = ClientSide { identity: None };
    let capture = capture_stream(stream, "ok.test", port, name, LIMIT, client).await;
    assert_eq!(capture.chain.len(), 2, "{protocol}: {:?}", capture.failure);
    assert!(
        capture.negotiated.is_some(),
        "{protocol}: {:?}",
        capture.failure
    );
    (transcript, capture)
}

/// Runs an upgrade that must fail, and how long it took.
async fn upgrade_error(protocol: Protocol, port: u16) -> (UpgradeError, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let outcome = tokio::time::timeout(LIMIT, upgrade(protocol, &mut stream, "ok.test"))
        .await
        .expect("the upgrade finishes in time");
    match outcome {
        Ok(transcript) => panic!("{protocol} upgraded: {transcript:#?}"),
        Err(error) => (error, started.elapsed()),
    }
}

/// The server side of a line-based dialogue.
struct Lines(BufReader<TcpStream>);

impl Lines {
    fn new(stream: TcpStream) -> Lines {
        Lines(BufReader::new(stream))
    }

    async fn say(&mut self, text: &str) {
        self.0
            .get_mut()
            .write_all(text.as_bytes())
            .await
            .expect("write");
    }

    /// The client's next line without its CRLF; empty when it closed.
    async fn hear(&mut self) -> String {
        let mut line = String::new();
        let _ = self.0.read_line(&mut line).await;
        line.trim_end_matches(['\r', '\n']).to_string()
    }

    /// The stream for TLS; nothing may be buffered (a client that pipelined TLS bytes).
    fn into_stream(self) -> TcpStream {
        assert!(self.0.buffer().is_empty(), "bytes before TLS");
        self.0.into_inner()
    }
}

// ---- The server side of each protocol -------------------------------------------------------

/// RFC 5321 / RFC 3207: a multi-line greeting, EHLO listing `extensions`, STARTTLS answered
/// with `starttls_reply`.
async fn smtp_server(
    stream: TcpStream,
    extensions: &'static [&'static str],
    starttls_reply: String,
) -> Option<TcpStream> {
    let mut lines = Lines::new(stream);
    lines
        .say("220-mail.ok.test ESMTP test server\r\n220 no UCE\r\n")
        .await;
    loop {
        let command = lines.hear().await;
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                let mut reply = "250-mail.ok.test greets you\r\n".to_string();
                for (i, extension) in extensions.iter().enumerate() {
                    let sep = if i + 1 == extensions.len() { ' ' } else { '-' };
                    reply.push_str(&format!("250{sep}{extension}\r\n"));
                }
                lines.say(&reply).await;
            }
            "STARTTLS" => {
                lines.say(&starttls_reply).await;
                return starttls_reply
                    .starts_with("220")
                    .then(|| lines.into_stream());
            }
            "" => return None,
            _ => lines.say("502 5.5.2 command not recognized\r\n").await,
        }
    }
}

/// RFC 3501: greeting, CAPABILITY listing `capabilities`, STARTTLS.
async fn imap_server(stream: TcpStream, capabilities: &str) -> Option<TcpStream> {
    let mut lines = Lines::new(stream);
    lines
        .say("* OK [CAPABILITY IMAP4rev1 LITERAL+] imap.ok.test ready\r\n")
        .await;
    loop {
        let command = lines.hear().await;
        let mut words = command.split(' ');
        let tag = words.next().unwrap_or_default().to_string();
        match words
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
            .as_str()
        {
            "CAPABILITY" => {
                let reply =
                    format!("* CAPABILITY {capabilities}\r\n{tag} OK CAPABILITY completed\r\n");
                lines.say(&reply).await;
            }
            "STARTTLS" => {
                lines
                    .say(&format!("{tag} OK Begin TLS negotiation now\r\n"))
                    .await;
                return Some(lines.into_stream());
            }
            "" => return None,
            _ => lines.say(&format!("{tag} BAD unknown command\r\n")).await,
        }
    }
}

/// RFC 1939 / RFC 2449 / RFC 2595.
async fn pop3_server(stream: TcpStream) -> Option<TcpStream> {
    let mut lines = Lines::new(stream);
    lines.say("+OK pop.ok.test POP3 ready\r\n").await;
    loop {
        match lines.hear().await.to_ascii_uppercase().as_str() {
            "CAPA" => {
                lines
                    .say(
                        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\nSASL PLAIN\r\n.\r\n",
                    )
                    .await;
            }
            "STLS" => {
                lines.say("+OK Begin TLS negotiation\r\n").await;
                return Some(lines.into_stream());
            }
            "" => return None,
            _ => lines.say("-ERR unknown command\r\n").await,
        }
    }
}

/// RFC 959 / RFC 2389 / RFC 4217: FEAT lists `features`; AUTH TLS is accepted if it is one.
async fn ftp_server(stream: TcpStream, features: &'static [&'static str]) -> Option<TcpStream> {
    let mut lines = Lines::new(stream);
    lines
        .say("220-ftp.ok.test\r\n welcome, text lines may say anything\r\n220 ready\r\n")
        .await;
    loop {
        match lines.hear().await.to_ascii_uppercase().as_str() {
            "FEAT" => {
                let mut reply = "211-Features:\r\n".to_string();
                for feature in features {
                    reply.push_str(&format!(" {feature}\r\n"));
                }
                lines.say(&format!("{reply}211 End\r\n")).await;
            }
            "AUTH TLS" if features.contains(&"AUTH TLS") => {
                lines.say("234 AUTH TLS successful\r\n").await;
                return Some(lines.into_stream());
            }
            "" => return None,
            // What vsftpd without TLS answers to any command before login.
            _ => lines.say("530 Please login with USER and PASS.\r\n").await,
        }
    }
}

const FTP_FEATURES: &[&str] = &["AUTH TLS", "PBSZ", "PROT", "EPSV", "SIZE"];

/// BER with short lengths, enough for the test peers.
fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, u8::try_from(contents.len()).expect("short")];
    out.extend_from_slice(contents);
    out
}

/// RFC 4511 §4.14: reads an ExtendedRequest for StartTLS and answers `result_code`.
async fn ldap_server(mut stream: TcpStream, result_code: u8, message: &str) -> Option<TcpStream> {
    let mut header = [0u8; 2];
    stream.read_exact(&mut header).await.ok()?;
    assert_eq!(header[0], 0x30, "an LDAPMessage");
    let mut body = vec![0u8; usize::from(header[1])];
    stream.read_exact(&mut body).await.ok()?;
    let id = body[2];
    let oid = b"1.3.6.1.4.1.1466.20037";
    assert!(body.windows(oid.len()).any(|w| w == oid), "StartTLS OID");
    let mut response = tlv(0x0a, &[result_code]);
    response.extend(tlv(0x04, b""));
    response.extend(tlv(0x04, message.as_bytes()));
    if result_code == 0 {
        response.extend(tlv(0x8a, oid));
    }
    let mut fields = tlv(0x02, &[id]);
    fields.extend(tlv(0x78, &response));
    stream.write_all(&tlv(0x30, &fields)).await.ok()?;
    (result_code == 0).then_some(stream)
}

/// "SSL Session Encryption": reads SSLRequest, answers `answer`.
async fn postgres_server(mut stream: TcpStream, answer: u8) -> Option<TcpStream> {
    let mut request = [0u8; 8];
    stream.read_exact(&mut request).await.ok()?;
    assert_eq!(request, [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f], "SSLRequest");
    stream.write_all(&[answer]).await.ok()?;
    (answer == b'S').then_some(stream)
}

/// Protocol::HandshakeV10 with `capabilities`, then Protocol::SSLRequest.
async fn mysql_server(mut stream: TcpStream, capabilities: u32) -> Option<TcpStream> {
    let mut payload = vec![10];
    payload.extend_from_slice(b"8.0.36-test\0");
    payload.extend_from_slice(&7u32.to_le_bytes());
    payload.extend_from_slice(b"abcdefgh\0");
    payload.extend_from_slice(&capabilities.to_le_bytes()[..2]);
    payload.extend_from_slice(&[255, 2, 0]);
    payload.extend_from_slice(&capabilities.to_le_bytes()[2..]);
    payload.push(21);
    payload.extend_from_slice(&[0; 10]);
    payload.extend_from_slice(b"ijklmnopqrst\0caching_sha2_password\0");
    let length = u32::try_from(payload.len()).expect("short").to_le_bytes();
    let mut packet = vec![length[0], length[1], length[2], 0];
    packet.extend(payload);
    stream.write_all(&packet).await.ok()?;
    let mut request = [0u8; 36];
    stream.read_exact(&mut request).await.ok()?;
    assert_eq!(request[..4], [32, 0, 0, 1], "SSLRequest header");
    let flags = u32::from_le_bytes([request[4], request[5], request[6], request[7]]);
    assert_eq!(flags & 0x0800, 0x0800, "CLIENT_SSL");
    Some(stream)
}

/// RFC 6120 §5: reads the stream header, offers `features`, answers <starttls/> with proceed.
async fn xmpp_server(stream: TcpStream, features: &str) -> Option<TcpStream> {
    let mut reader = BufReader::new(stream);
    let mut element = Vec::new();
    loop {
        element.clear();
        reader.read_until(b'>', &mut element).await.ok()?;
        if element.is_empty() {
            return None;
        }
        if String::from_utf8_lossy(&element).contains("<stream:stream") {
            break;
        }
    }
    let header = format!(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' id='c2s1' from='ok.test' version='1.0'>\
         <stream:features>{features}</stream:features>"
    );
    reader.get_mut().write_all(header.as_bytes()).await.ok()?;
    element.clear();
    reader.read_until(b'>', &mut element).await.ok()?;
    assert!(
        String::from_utf8_lossy(&element).contains("<starttls"),
        "starttls"
    );
    let proceed = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    reader.get_mut().write_all(proceed).await.ok()?;
    assert!(reader.buffer().is_empty(), "bytes before TLS");
    Some(reader.into_inner())
}

const XMPP_FEATURES: &str = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>\
     </starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
     </mechanisms>";

const SMTP_EXTENSIONS: &[&str] = &["PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME"];

// ---- Upgrades that succeed ------------------------------------------------------------------

#[tokio::test]
async fn smtp_upgrades_after_ehlo_lists_starttls() {
    let port = peer(|s| {
        smtp_server(
            s,
            SMTP_EXTENSIONS,
            "220 2.0.0 Ready to start TLS\r\n".into(),
        )
    })
    .await;
    let (transcript, _) = upgrade_and_handshake(Protocol::Smtp, port).await;
    assert!(
        transcript
            .lines
            .contains(&"C: EHLO tlsdoctor.invalid".to_string())
    );
    assert_eq!(
        transcript.lines.last().map(String::as_str),
        Some("S: 220 2.0.0 Ready to start TLS")
    );
}

#[tokio::test]
async fn imap_upgrades_after_capability_lists_starttls() {
    let port = peer(|s| imap_server(s, "IMAP4rev1 STARTTLS LOGINDISABLED")).await;
    upgrade_and_handshake(Protocol::Imap, port).await;
}

#[tokio::test]
async fn pop3_upgrades_after_capa_lists_stls() {
    let port = peer(pop3_server).await;
    upgrade_and_handshake(Protocol::Pop3, port).await;
}

#[tokio::test]
async fn ftp_upgrades_after_auth_tls() {
    let port = peer(|s| ftp_server(s, FTP_FEATURES)).await;
    upgrade_and_handshake(Protocol::Ftp, port).await;
}

#[tokio::test]
async fn ldap_upgrades_after_the_start_tls_extended_operation() {
    let port = peer(|s| ldap_server(s, 0, "")).await;
    upgrade_and_handshake(Protocol::Ldap, port).await;
}

#[tokio::test]
async fn postgres_upgrades_after_ssl_request() {
    let port = peer(|s| postgres_server(s, b'S')).await;
    upgrade_and_handshake(Protocol::Postgres, port).await;
}

#[tokio::test]
async fn mysql_upgrades_after_ssl_request() {
    let port = peer(|s| mysql_server(s, 0x00ff_ffff)).await;
    upgrade_and_handshake(Protocol::Mysql, port).await;
}

#[tokio::test]
async fn xmpp_upgrades_after_features_offer_starttls() {
    let port = peer(|s| xmpp_server(s, XMPP_FEATURES)).await;
    upgrade_and_handshake(Protocol::Xmpp, port).await;
}

// ---- Servers that do not offer, or refuse ---------------------------------------------------

#[tokio::test]
async fn smtp_without_starttls_is_not_offered_and_names_the_greeting() {
    let port = peer(|s| smtp_server(s, &["PIPELINING", "8BITMIME"], String::new())).await;
    match upgrade_error(Protocol::Smtp, port).await.0 {
        UpgradeError::NotOffered { greeting, .. } => {
            assert_eq!(greeting, "220-mail.ok.test ESMTP test server");
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn imap_without_starttls_is_not_offered_and_names_the_greeting() {
    let port = peer(|s| imap_server(s, "IMAP4rev1 AUTH=PLAIN")).await;
    match upgrade_error(Protocol::Imap, port).await.0 {
        UpgradeError::NotOffered { greeting, .. } => {
            assert!(greeting.contains("imap.ok.test ready"), "{greeting}");
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn smtp_454_after_starttls_is_refused_with_the_reply() {
    let reply = "454 4.7.0 TLS not available due to temporary reason";
    let port = peer(move |s| smtp_server(s, SMTP_EXTENSIONS, format!("{reply}\r\n"))).await;
    match upgrade_error(Protocol::Smtp, port).await.0 {
        UpgradeError::Refused { reply: said, .. } => assert_eq!(said, reply),
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn ftp_without_auth_tls_in_feat_is_not_offered_despite_a_530() {
    let port = peer(|s| ftp_server(s, &["EPSV", "SIZE"])).await;
    match upgrade_error(Protocol::Ftp, port).await.0 {
        UpgradeError::NotOffered {
            greeting,
            transcript,
        } => {
            assert_eq!(greeting, "220-ftp.ok.test");
            let last = transcript.lines.last().map(String::as_str);
            assert_eq!(last, Some("S: 530 Please login with USER and PASS."));
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn smtp_554_greeting_is_refused_with_the_greeting() {
    let port = peer(|s| async move {
        let mut lines = Lines::new(s);
        lines
            .say("554 5.7.1 mail.ok.test: no service for you\r\n")
            .await;
        None
    })
    .await;
    match upgrade_error(Protocol::Smtp, port).await.0 {
        UpgradeError::Refused { reply, .. } => {
            assert_eq!(reply, "554 5.7.1 mail.ok.test: no service for you");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn ldap_protocol_error_is_not_offered() {
    let port = peer(|s| ldap_server(s, 2, "unsupported extended operation")).await;
    match upgrade_error(Protocol::Ldap, port).await.0 {
        UpgradeError::NotOffered { greeting, .. } => {
            assert!(
                greeting.contains("resultCode 2 (protocolError)"),
                "{greeting}"
            );
            assert!(
                greeting.contains("unsupported extended operation"),
                "{greeting}"
            );
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn ldap_unavailable_is_refused_with_the_diagnostic() {
    let port = peer(|s| ldap_server(s, 52, "Could not initialize TLS")).await;
    match upgrade_error(Protocol::Ldap, port).await.0 {
        UpgradeError::Refused { reply, .. } => {
            assert_eq!(
                reply,
                "resultCode 52 (unavailable): Could not initialize TLS"
            );
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn postgres_answering_n_is_not_offered() {
    let port = peer(|s| postgres_server(s, b'N')).await;
    match upgrade_error(Protocol::Postgres, port).await.0 {
        UpgradeError::NotOffered {
            greeting,
            transcript,
        } => {
            assert!(greeting.contains("'N'"), "{greeting}");
            assert_eq!(transcript.lines, ["C: SSLRequest", "S: 'N' (no TLS)"]);
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn mysql_without_client_ssl_is_not_offered() {
    let port = peer(|s| mysql_server(s, 0x00ff_f7ff)).await;
    match upgrade_error(Protocol::Mysql, port).await.0 {
        UpgradeError::NotOffered { greeting, .. } => assert_eq!(greeting, "MySQL 8.0.36-test"),
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

#[tokio::test]
async fn mysql_error_packet_is_refused_with_its_message() {
    let port = peer(|mut s| async move {
        let message = b"Host '127.0.0.1' is not allowed to connect to this MySQL server";
        let mut payload = vec![0xff, 0x6a, 0x04];
        payload.extend_from_slice(message);
        let mut packet = vec![u8::try_from(payload.len()).expect("short"), 0, 0, 0];
        packet.extend(payload);
        let _ = s.write_all(&packet).await;
        None
    })
    .await;
    match upgrade_error(Protocol::Mysql, port).await.0 {
        UpgradeError::Refused { reply, .. } => assert_eq!(
            reply,
            "ERROR 1130: Host '127.0.0.1' is not allowed to connect to this MySQL server"
        ),
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn xmpp_without_starttls_is_not_offered() {
    let features = "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";
    let port = peer(move |s| xmpp_server(s, features)).await;
    match upgrade_error(Protocol::Xmpp, port).await.0 {
        UpgradeError::NotOffered { greeting, .. } => {
            assert!(greeting.contains("from='ok.test'"), "{greeting}");
        }
        other => panic!("expected NotOffered, got {other:?}"),
    }
}

// ---- Peers that misbehave -------------------------------------------------------------------

#[tokio::test]
async fn endless_greeting_is_too_long_and_stops_quickly() {
    let port = peer(|mut s| async move {
        let line = format!("220-{}\r\n", "x".repeat(70));
        while s.write_all(line.as_bytes()).await.is_ok() {}
        None
    })
    .await;
    let (error, took) = upgrade_error(Protocol::Smtp, port).await;
    assert!(matches!(error, UpgradeError::TooLong { .. }), "{error:?}");
    assert!(
        error.transcript().lines.len() <= 20,
        "{:?}",
        error.transcript()
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[tokio::test]
async fn every_dialect_calls_an_http_answer_unexpected() {
    for protocol in Protocol::ALL {
        let port = peer(|mut s| async move {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            let mut sink = [0u8; 512];
            while matches!(s.read(&mut sink).await, Ok(n) if n > 0) {}
            None
        })
        .await;
        match upgrade_error(protocol, port).await.0 {
            UpgradeError::Unexpected { detail, .. } => {
                assert!(detail.contains("HTTP/1.1 400"), "{protocol}: {detail}");
            }
            other => panic!("{protocol}: expected Unexpected, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn bytes_after_the_go_ahead_are_unexpected() {
    let port = peer(|s| {
        smtp_server(
            s,
            SMTP_EXTENSIONS,
            "220 go ahead\r\n250 injected\r\n".into(),
        )
    })
    .await;
    match upgrade_error(Protocol::Smtp, port).await.0 {
        UpgradeError::Unexpected { detail, .. } => {
            assert!(detail.contains("after the server agreed"), "{detail}");
            assert!(detail.contains("250 injected"), "{detail}");
        }
        other => panic!("expected Unexpected, got {other:?}"),
    }
}

// ---- Names ----------------------------------------------------------------------------------

#[test]
fn protocols_are_found_by_name_port_and_scheme() {
    for protocol in Protocol::ALL {
        assert_eq!(Protocol::from_name(protocol.name()), Some(protocol));
        assert_eq!(Protocol::for_port(protocol.default_port()), Some(protocol));
        assert_eq!(Protocol::for_scheme(protocol.name()), Some(protocol));
    }
    assert_eq!(Protocol::from_name("PostgreSQL"), Some(Protocol::Postgres));
    assert_eq!(Protocol::from_name("pop"), Some(Protocol::Pop3));
    assert_eq!(Protocol::for_port(587), Some(Protocol::Smtp));
    assert_eq!(Protocol::for_port(443), None);
    assert_eq!(Protocol::for_scheme("smtps"), None);
    assert_eq!(Protocol::Imap.implicit_tls_port(), Some(993));
    assert_eq!(Protocol::Postgres.implicit_tls_port(), None);
    assert_eq!(
        serde_json::to_string(&Protocol::Pop3).expect("json"),
        "\"pop3\""
    );
}

// ---- `tlsdoctor check` through STARTTLS ------------------------------------------------------

/// A loopback SMTP server for the real binary: `extensions` in its EHLO reply, `reply` to
/// STARTTLS, then the fixture chain "good" when it agreed.
fn smtp_peer(extensions: &'static [&'static str], reply: &'static str) -> Server {
    Server::raw(move |stream| async move {
        if let Some(stream) = smtp_server(stream, extensions, reply.to_string()).await {
            serve_tls(stream).await;
        }
    })
}

#[test]
fn check_smtp_url_upgrades_and_diagnoses_the_chain() {
    let server = smtp_peer(SMTP_EXTENSIONS, "220 2.0.0 Ready to start TLS\r\n");
    let run = check_address(&format!("smtp://{}", server.target()), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.verdict(), "ok");
    let connection = &run.target()["connection"];
    assert_eq!(connection["starttls"]["protocol"], "smtp");
    assert_eq!(connection["starttls"]["upgraded"], true);
    let transcript = connection["starttls"]["transcript"].to_string();
    assert!(
        transcript.contains("C: EHLO") && transcript.contains("C: STARTTLS"),
        "{transcript}"
    );
    assert_eq!(
        connection["negotiated"]["tls_version"],
        connection["tls_version"]
    );
    assert!(connection["negotiated"]["cipher_suite"].is_string());
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(2));
}

#[test]
fn starttls_flag_upgrades_any_port_and_human_output_names_it() {
    let server = Server::raw(|stream| async move {
        if let Some(stream) = postgres_server(stream, b'S').await {
            serve_tls(stream).await;
        }
    });
    let run = check_live(&server, &["--starttls", "postgres", "--format", "human"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("STARTTLS PostgreSQL"), "{}", run.stdout);
}

#[test]
fn smtp_without_starttls_is_named_with_its_greeting() {
    let server = smtp_peer(&["PIPELINING", "8BITMIME"], "");
    let run = check_live(&server, &["--starttls", "smtp"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(
        run.causes(),
        vec![("starttls-not-offered".to_string(), None)]
    );
    let detail = run.finding("starttls-not-offered")["detail"].to_string();
    assert!(
        detail.contains(&format!(
            "this is SMTP on {} without STARTTLS",
            server.port()
        )) && detail.contains("mail.ok.test ESMTP"),
        "{detail}"
    );
    assert_eq!(run.target()["connection"]["starttls"]["upgraded"], false);
}

#[test]
fn smtp_refusing_starttls_quotes_the_reply() {
    let server = smtp_peer(
        SMTP_EXTENSIONS,
        "454 4.7.0 TLS not available due to local problem\r\n",
    );
    let run = check_live(&server, &["--starttls", "smtp"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let detail = run.finding("starttls-refused")["detail"].to_string();
    assert!(detail.contains("454 4.7.0 TLS not available"), "{detail}");
}

#[test]
fn an_endless_greeting_ends_in_a_named_cause_within_the_timeout() {
    let server = Server::raw(|mut s| async move {
        let line = format!("220-{}\r\n", "x".repeat(70));
        while s.write_all(line.as_bytes()).await.is_ok() {}
    });
    let started = Instant::now();
    let run = check_live(&server, &["--starttls", "smtp", "--timeout", "3"]);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    let detail = run.finding("not-tls")["detail"].to_string();
    assert!(detail.contains("without agreeing to start TLS"), "{detail}");
}

#[test]
fn a_tls_port_checked_with_the_wrong_protocol_says_so() {
    let server = Server::tls("good");
    let run = check_live(&server, &["--starttls", "imap", "--timeout", "2"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    // IMAP waits for a greeting; a TLS server waits for a ClientHello.
    let detail = run.finding("timeout")["detail"].to_string();
    assert!(
        detail.contains("IMAP exchange") && detail.contains("--starttls none"),
        "{detail}"
    );
}

#[test]
fn a_plain_smtp_port_checked_as_tls_suggests_starttls() {
    let server = Server::sends(b"220 mail.ok.test ESMTP\r\n");
    let run = check_live(&server, &["--starttls", "none", "--timeout", "2"]);
    let detail = run.finding("not-tls")["detail"].to_string();
    assert!(detail.contains("add --starttls smtp"), "{detail}");
}
