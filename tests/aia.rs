//! Missing issuers are downloaded from "CA Issuers" URLs to name them, to tell a server at fault
//! from a private CA, and to write the chain the server should send.

mod common;
use common::http::Reply;
use common::pki::AiaPki;
use common::programs::require;
use common::*;
use std::time::{Duration, Instant};

/// An AIA server plus a PKI whose URLs point at it; `intermediate` is what /int.cer serves,
/// and /real.cer always serves the intermediate (a redirect target).
fn aia_setup(intermediate: impl Fn(&AiaPki) -> Reply) -> (Server, AiaPki) {
    // The port must be known before the certificates are made: bind, make, then serve.
    let port = closed_port();
    let base = format!("http://127.0.0.1:{port}");
    let pki = AiaPki::new(&format!("{base}/root.cer"), &format!("{base}/int.cer"));
    let routes = vec![
        ("/int.cer", intermediate(&pki)),
        ("/root.cer", Reply::Body(pki.root.to_vec())),
        ("/real.cer", Reply::Body(pki.intermediate.to_vec())),
    ];
    let server = http_server_on(port, routes);
    (server, pki)
}

fn http_server_on(port: u16, routes: Vec<(&'static str, Reply)>) -> Server {
    common::http::http_server_at(&format!("127.0.0.1:{port}"), routes)
}

/// Serves only the leaf, like a server whose chain file lacks the intermediate.
fn leaf_only_server(pki: &AiaPki) -> Server {
    Server::tls_config(server_config(
        vec![pki.leaf.clone()],
        pki.leaf_key.clone_key(),
        rustls::DEFAULT_VERSIONS,
    ))
}

fn check_with_root(server: &Server, scratch: &Scratch, pki: &AiaPki, extra: &[&str]) -> Run {
    let root = scratch.file("root.pem", pki.root_pem().as_bytes());
    let mut args = vec!["--ca-file", root.as_str()];
    args.extend_from_slice(extra);
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    check_live(server, &refs)
}

#[test]
fn a_server_sending_only_its_leaf_is_completed_and_still_named_missing_intermediate() {
    let (_aia, pki) = aia_setup(|pki| Reply::Body(pki.intermediate.to_vec()));
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("aia");
    let run = check_with_root(&server, &scratch, &pki, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let finding = run.finding("missing-intermediate");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("CN=tlsdoctor AIA Test Intermediate"),
        "{detail}"
    );
    assert!(detail.contains("/int.cer"), "{detail}");
    assert!(
        detail.contains("curl, OpenSSL, Go"),
        "says which clients fail: {detail}"
    );
    let target = run.target();
    assert_eq!(
        target["fetched"][0]["subject"],
        "CN=tlsdoctor AIA Test Intermediate"
    );
    assert!(
        target["fetched"][0]["fetched_from"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/int.cer")
    );
    assert_eq!(target["downloads"][0]["certificates"], 1);
    assert_eq!(
        target["trust"]["trusted"], true,
        "the completed chain reaches the root"
    );
    assert_eq!(
        target["trust"]["verified"], false,
        "as sent, a verifier rejects it"
    );
}

#[test]
fn issuers_published_as_pem_are_read_too() {
    assert_issuer_read(|pki| {
        Reply::Body(tlsdoctor::bundle::to_pem(&pki.intermediate).into_bytes())
    });
}

#[test]
fn issuers_published_as_pkcs7_are_read_too() {
    if !require(&["openssl"]) {
        return;
    }
    assert_issuer_read(|pki| {
        Reply::Body(pkcs7_of(
            tlsdoctor::bundle::to_pem(&pki.intermediate).as_bytes(),
        ))
    });
}

/// The intermediate served by the leaf's "CA Issuers" URL as `reply` makes it is downloaded.
fn assert_issuer_read(reply: impl Fn(&AiaPki) -> Reply) {
    let (_aia, pki) = aia_setup(reply);
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("aia-formats");
    let run = check_with_root(&server, &scratch, &pki, &[]);
    assert_eq!(
        run.target()["downloads"][0]["certificates"],
        1,
        "{}",
        run.stdout
    );
    assert!(run.has("missing-intermediate"));
}

#[test]
fn a_failed_download_is_said_and_the_server_is_still_blamed() {
    for (reply, says) in [
        (Reply::Status(404), "HTTP 404"),
        (Reply::Endless { announced: true }, "larger than 1024 KiB"),
        (Reply::Endless { announced: false }, "larger than 1024 KiB"),
        (
            Reply::Body(b"<html>not a certificate</html>".to_vec()),
            "neither PEM nor DER",
        ),
    ] {
        let (_aia, pki) = aia_setup(move |_| reply.clone());
        let server = leaf_only_server(&pki);
        let scratch = Scratch::new("aia-fail");
        let run = check_with_root(&server, &scratch, &pki, &[]);
        assert_eq!(run.code, 1);
        let detail = run.finding("missing-intermediate")["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(detail.contains(says), "expected {says:?} in {detail}");
        assert!(
            run.target()["fetched"]
                .as_array()
                .is_some_and(Vec::is_empty)
        );
    }
}

#[test]
fn http_redirects_are_followed_but_not_to_other_schemes() {
    let (_aia, pki) = aia_setup(|_| Reply::Redirect("/real.cer"));
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("aia-redirect");
    let run = check_with_root(&server, &scratch, &pki, &[]);
    assert_eq!(
        run.target()["downloads"][0]["certificates"],
        1,
        "{}",
        run.stdout
    );

    let (_aia, pki) = aia_setup(|_| Reply::Redirect("file:///etc/passwd"));
    let server = leaf_only_server(&pki);
    let run = check_with_root(&server, &scratch, &pki, &[]);
    let detail = run.finding("missing-intermediate")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("the file: scheme is not fetched"),
        "{detail}"
    );
}

#[test]
fn a_download_that_never_answers_ends_within_the_timeout() {
    let (_aia, pki) = aia_setup(|_| Reply::Silent);
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("aia-silent");
    let started = Instant::now();
    let run = check_with_root(&server, &scratch, &pki, &["--timeout", "1"]);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        run.code, 1,
        "the chain was seen, so this is an error, not unreachable"
    );
    let detail = run.finding("missing-intermediate")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("no answer before the check's time limit"),
        "{detail}"
    );
}

#[test]
fn no_fetch_downloads_nothing_and_says_so() {
    let (_aia, pki) = aia_setup(|pki| Reply::Body(pki.intermediate.to_vec()));
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("aia-nofetch");
    let run = check_with_root(&server, &scratch, &pki, &["--no-fetch"]);
    assert!(
        run.target()["downloads"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let detail = run.finding("missing-intermediate")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("--no-fetch"), "{detail}");
}

#[test]
fn fix_chain_writes_the_chain_the_server_should_send_and_it_passes() {
    let (_aia, pki) = aia_setup(|pki| Reply::Body(pki.intermediate.to_vec()));
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("fix-chain");
    let out = scratch.path("fullchain.pem");
    let run = check_with_root(&server, &scratch, &pki, &["--fix-chain", &out]);
    assert_eq!(run.code, 1, "the server is still wrong: {}", run.stdout);
    let written = &run.target()["repair"]["fixed_chain"];
    assert_eq!(written["written"], true, "{written}");
    assert_eq!(written["subjects"].as_array().map(Vec::len), Some(2));

    let root = scratch.path("root.pem");
    let again = tlsdoctor(&[
        "check",
        "--file",
        &out,
        "--host",
        "ok.test",
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(again.verdict(), "ok", "{:?}", again.causes());

    // The human report tells how to use it.
    let human = check_with_root(
        &server,
        &scratch,
        &pki,
        &[
            "--fix-chain",
            &out,
            "--force",
            "--format",
            "human",
            "--color",
            "never",
        ],
    );
    assert!(
        human.stdout.contains("ssl_certificate") && human.stdout.contains("SSLCertificateFile"),
        "{}",
        human.stdout
    );
}

#[test]
fn openssl_verifies_the_chain_fix_chain_writes() {
    if !require(&["openssl"]) {
        return;
    }
    let (_aia, pki) = aia_setup(|pki| Reply::Body(pki.intermediate.to_vec()));
    let server = leaf_only_server(&pki);
    let scratch = Scratch::new("fix-chain-openssl");
    let out = scratch.path("fullchain.pem");
    let run = check_with_root(&server, &scratch, &pki, &["--fix-chain", &out]);
    assert_eq!(run.target()["repair"]["fixed_chain"]["written"], true);
    let root = scratch.path("root.pem");

    // The leaf verifies with the written intermediates and the root.
    let pem = std::fs::read_to_string(&out).expect("written chain");
    let blocks: Vec<&str> = pem.split_inclusive("-----END CERTIFICATE-----\n").collect();
    let leaf = scratch.file("leaf.pem", blocks[0].as_bytes());
    let rest = scratch.file("rest.pem", blocks[1..].concat().as_bytes());
    let verify = std::process::Command::new("openssl")
        .args([
            "verify",
            "-attime",
            "1780272000",
            "-CAfile",
            &root,
            "-untrusted",
            &rest,
            &leaf,
        ])
        .output()
        .expect("openssl");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn fix_chain_never_overwrites_without_force() {
    let scratch = Scratch::new("fix-force");
    let out = scratch.file("existing.pem", b"keep me");
    let run = check_file("wrong-order", &["--fix-chain", &out]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read(&out).expect("file"), b"keep me");

    let forced = check_file("wrong-order", &["--fix-chain", &out, "--force"]);
    assert_eq!(forced.target()["repair"]["fixed_chain"]["written"], true);
    let fixed = check_path(&out, &[]);
    assert!(!fixed.has("wrong-order"), "{:?}", fixed.causes());
    assert_eq!(fixed.verdict(), "ok");
}

#[test]
fn a_private_ca_is_told_apart_and_its_root_can_be_saved() {
    let (_aia, pki) = aia_setup(|pki| Reply::Body(pki.intermediate.to_vec()));
    // The server sends leaf and intermediate; the root (a private one) is only at its URL.
    let server = Server::tls_config(server_config(
        vec![pki.leaf.clone(), pki.intermediate.clone()],
        pki.leaf_key.clone_key(),
        rustls::DEFAULT_VERSIONS,
    ));
    let scratch = Scratch::new("private-root");
    let saved = scratch.path("root.pem");
    let run = check_live(&server, &["--trust", "mozilla", "--save-root", &saved]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        !run.has("missing-intermediate"),
        "the server sends all it should: {:?}",
        run.causes()
    );
    let finding = run.finding("private-root");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("CN=tlsdoctor AIA Test Root") && detail.contains("/root.cer"),
        "{detail}"
    );
    assert_eq!(finding["side"], "client");
    let written = &run.target()["repair"]["saved_root"];
    assert_eq!(written["written"], true);
    assert_eq!(
        std::fs::read(&saved).expect("root"),
        pki.root_pem().into_bytes()
    );

    let trusted = check_live(&server, &["--trust", &saved]);
    assert_eq!(trusted.verdict(), "ok", "{:?}", trusted.causes());
}
