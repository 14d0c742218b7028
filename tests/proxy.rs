//! Checking through an HTTP proxy: `--proxy`, HTTPS_PROXY with NO_PROXY, credentials, every way
//! a proxy refuses, and a proxy that intercepts TLS.

mod common;
use common::*;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads a request head, byte by byte, and returns the CONNECT authority and the head.
async fn read_connect(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 || head.len() > 8192 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let authority = head
        .strip_prefix("CONNECT ")?
        .split(' ')
        .next()?
        .to_string();
    Some((authority, head))
}

/// An HTTP proxy that tunnels CONNECT requests, optionally only with these Basic credentials
/// (base64 of "user:password").
fn tunnelling_proxy(credentials: Option<&'static str>) -> Server {
    Server::raw(move |mut client| async move {
        let Some((authority, head)) = read_connect(&mut client).await else {
            return;
        };
        if let Some(token) = credentials {
            if !head.contains(&format!("Proxy-Authorization: Basic {token}")) {
                let _ = client
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            }
        }
        let Ok(mut upstream) = TcpStream::connect(&authority).await else {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
            return;
        };
        let _ = client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    })
}

/// A proxy that answers every CONNECT with `answer`.
fn answering_proxy(answer: &'static [u8]) -> Server {
    Server::raw(move |mut client| async move {
        if read_connect(&mut client).await.is_some() {
            let _ = client.write_all(answer).await;
        }
    })
}

fn detail(run: &Run, cause: &str) -> String {
    run.finding(cause)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_check_goes_through_the_proxy_named_by_flag_and_reports_it() {
    let server = Server::tls("good");
    let proxy = tunnelling_proxy(None);
    let url = format!("http://{}", proxy.target());
    let run = check_address_env(&server.target(), &["--proxy", &url], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let connection = &run.target()["connection"];
    assert_eq!(connection["proxy"], format!("{url} (from --proxy)"));
    assert_eq!(
        connection["address"],
        proxy.target(),
        "the TCP peer is the proxy"
    );
    assert_documented(&run.json());
}

#[test]
fn https_proxy_applies_unless_no_proxy_exempts_the_host() {
    let server = Server::tls("good");
    let proxy = tunnelling_proxy(None);
    let url = format!("http://{}", proxy.target());
    let run = check_address_env(&server.target(), &[], &[("HTTPS_PROXY", &url)]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.target()["connection"]["proxy"],
        format!("{url} (from HTTPS_PROXY)")
    );

    let exempt = check_address_env(
        &server.target(),
        &[],
        &[("HTTPS_PROXY", &url), ("NO_PROXY", "localhost,127.0.0.1")],
    );
    assert_eq!(exempt.code, 0, "{}", exempt.stdout);
    assert!(exempt.target()["connection"]["proxy"].is_null());

    let direct = check_address_env(
        &server.target(),
        &["--proxy", "none"],
        &[("HTTPS_PROXY", &url)],
    );
    assert!(direct.target()["connection"]["proxy"].is_null());
}

#[test]
fn a_proxy_that_wants_credentials_is_proxy_auth_required_until_the_url_has_them() {
    let server = Server::tls("good");
    // base64("alice:s3cret")
    let proxy = tunnelling_proxy(Some("YWxpY2U6czNjcmV0"));
    let bare = format!("http://{}", proxy.target());
    let run = check_address_env(&server.target(), &["--proxy", &bare], &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let why = detail(&run, "proxy-auth-required");
    assert!(
        why.contains("407") && why.contains("Basic realm=\"corp\""),
        "{why}"
    );

    let with_credentials = format!("http://alice:s3cret@{}", proxy.target());
    let run = check_address_env(&server.target(), &["--proxy", &with_credentials], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let shown = run.target()["connection"]["proxy"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !shown.contains("s3cret"),
        "the password is never shown: {shown}"
    );
}

#[test]
fn a_proxy_that_refuses_or_answers_garbage_is_proxy_refused() {
    let forbidden = answering_proxy(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    let url = format!("http://{}", forbidden.target());
    let run = check_address_env("127.0.0.1:9", &["--proxy", &url], &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(detail(&run, "proxy-refused").contains("HTTP/1.1 403 Forbidden"));

    let garbage = answering_proxy(b"\x16\x03\x01\x00\x05hello");
    let url = format!("http://{}", garbage.target());
    let run = check_address_env("127.0.0.1:9", &["--proxy", &url], &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(
        detail(&run, "proxy-refused").contains("not HTTP"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_proxy_nobody_answers_at_is_proxy_unreachable() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let run = check_address_env("127.0.0.1:9", &["--proxy", &url], &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(detail(&run, "proxy-unreachable").contains("could not be reached"));
}

#[test]
fn a_proxy_that_answers_with_its_own_certificate_is_tls_interception() {
    // The proxy accepts the CONNECT, then terminates TLS itself with a chain from its own CA.
    let (chain, key) = load_chain("untrusted-root");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(
        chain,
        key,
        rustls::DEFAULT_VERSIONS,
    )));
    let proxy = Server::raw(move |mut client| {
        let acceptor = acceptor.clone();
        async move {
            if read_connect(&mut client).await.is_none() {
                return;
            }
            let _ = client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await;
            if let Ok(mut tls) = acceptor.accept(client).await {
                let mut sink = [0u8; 256];
                let _ = tls.read(&mut sink).await;
            }
        }
    });
    let url = format!("http://{}", proxy.target());
    let run = check_address_env("ok.test:443", &["--proxy", &url, "--no-fetch"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let why = detail(&run, "tls-interception");
    assert!(why.contains(&url) && why.contains("Other Root CA"), "{why}");
    assert!(!run.has("private-root"), "named once, as interception");
}

#[test]
fn a_chain_issued_by_an_inspection_product_is_tls_interception_without_a_proxy() {
    let pki = pki::NamedPki::new("Zscaler Root CA", "ok.test");
    let server = Server::tls_config(server_config(
        vec![pki.leaf.clone(), pki.root.clone()],
        pki.leaf_key.clone_key(),
        rustls::DEFAULT_VERSIONS,
    ));
    let run = check_address_env(&server.target(), &["--no-fetch"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(detail(&run, "tls-interception").contains("Zscaler Root CA"));
}
