//! When no chain can be had, the report names why, says "unreachable" and exits 3, in time.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn check_unreachable(target: &str, extra: &[&str]) -> Run {
    let defaults = [
        ("--servername", "ok.test"),
        ("--format", "json"),
        ("--timeout", "2"),
    ];
    tlsdoctor(&with_defaults(&["check", target], &defaults, extra))
}

fn assert_unreachable(run: &Run, cause: &str) -> String {
    assert_eq!(run.code, 3, "exit code: {}{}", run.stdout, run.stderr);
    assert_eq!(run.verdict(), "unreachable");
    assert_eq!(
        run.causes(),
        vec![(cause.to_string(), None)],
        "{}",
        run.stdout
    );
    assert!(run.target()["chain"].as_array().is_some_and(Vec::is_empty));
    run.finding(cause)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_port_that_accepts_and_never_answers_times_out_within_the_limit() {
    let server = Server::silent();
    let started = Instant::now();
    let run = check_unreachable(&server.target(), &["--timeout", "1"]);
    let elapsed = started.elapsed();
    let detail = assert_unreachable(&run, "timeout");
    assert!(detail.contains("sent nothing"), "{detail}");
    // A bound on correctness (the limit is honoured), not a speed measurement.
    assert!(
        elapsed < Duration::from_secs(6),
        "took {elapsed:?} with --timeout 1"
    );
}

#[test]
fn a_plain_http_port_is_named_as_http() {
    let server = Server::plain_http();
    let detail = assert_unreachable(&check_unreachable(&server.target(), &[]), "not-tls");
    assert!(
        detail.contains("plain HTTP") && detail.contains("400 Bad Request"),
        "{detail}"
    );
}

#[test]
fn a_closed_port_is_connection_refused() {
    let target = format!("127.0.0.1:{}", closed_port());
    let detail = assert_unreachable(&check_unreachable(&target, &[]), "connection-refused");
    assert!(detail.contains(&target), "{detail}");
}

#[test]
fn garbage_bytes_are_not_tls() {
    let server = Server::sends(b"\x00\xff\x13\x37garbage\x01\x02\x03\x04\x05\x06\x07");
    let detail = assert_unreachable(&check_unreachable(&server.target(), &[]), "not-tls");
    assert!(detail.contains("not a TLS record"), "{detail}");
}

#[test]
fn an_smtp_banner_is_recognised() {
    let server = Server::sends(b"220 mail.example.test ESMTP Postfix\r\n");
    let detail = assert_unreachable(&check_unreachable(&server.target(), &[]), "not-tls");
    assert!(
        detail.contains("SMTP") && detail.contains("--starttls smtp"),
        "{detail}"
    );
}

#[test]
fn an_alert_instead_of_a_server_hello_is_named() {
    // A fatal handshake_failure alert (40) as the server's first record.
    let server = Server::sends(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    let detail = assert_unreachable(
        &check_unreachable(&server.target(), &[]),
        "handshake-failure",
    );
    assert!(detail.contains("handshake_failure (40)"), "{detail}");
}

#[test]
fn a_server_that_hangs_up_at_once_is_a_handshake_failure() {
    let server = Server::closes();
    let detail = assert_unreachable(
        &check_unreachable(&server.target(), &[]),
        "handshake-failure",
    );
    assert!(detail.contains("closed the connection"), "{detail}");
}

#[test]
fn the_human_report_says_unreachable_and_why() {
    let target = format!("127.0.0.1:{}", closed_port());
    let run = tlsdoctor(&["check", &target, "--color", "never"]);
    assert_eq!(run.code, 3);
    assert!(run.stdout.contains("connection-refused"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Verdict: UNREACHABLE"),
        "{}",
        run.stdout
    );
}

/// A resolver that knows no names, so the DNS failure path runs without leaving loopback.
struct NoSuchHost;

impl tlsdoctor::capture::Resolve for NoSuchHost {
    fn resolve<'a>(
        &'a self,
        _host: &'a str,
        _port: u16,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = std::io::Result<Vec<std::net::SocketAddr>>>
                + Send
                + 'a,
        >,
    > {
        Box::pin(async {
            Err(std::io::Error::other(
                "failed to lookup address information: Name or service not known",
            ))
        })
    }
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_dns_failure() {
    let stores = tlsdoctor::StoreSet::new(
        &[tlsdoctor::trust::StoreSpec::Mozilla],
        &[],
        Default::default(),
    )
    .expect("stores");
    let mut options = tlsdoctor::Options::new(stores);
    options.resolver = std::sync::Arc::new(NoSuchHost);
    let target = tlsdoctor::Target::parse("no-such-host.example:443").expect("target");
    let report = tlsdoctor::check_target(&target, &options)
        .await
        .expect("report");
    assert_eq!(report.verdict, tlsdoctor::diagnosis::Verdict::Unreachable);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].cause, "dns-failure");
    assert!(report.findings[0].detail.contains("no-such-host.example"));
    let report = tlsdoctor::report::Report::new(vec![report]);
    assert_eq!(report.exit_code(tlsdoctor::report::FailOn::Error), 3);
}
