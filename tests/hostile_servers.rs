//! Servers that are broken or hostile: each ends in a named cause, with the right exit code,
//! within --timeout, and never a panic.

mod common;
use common::hostile::*;
use common::*;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

fn check(target: &str, extra: &[&str]) -> Run {
    let root = root_ca();
    let defaults = [
        ("--servername", "ok.test"),
        ("--ca-file", root.as_str()),
        ("--at", AT),
        ("--format", "json"),
        ("--timeout", "3"),
    ];
    tlsdoctor(&with_defaults(
        &["check", target, "--no-fetch"],
        &defaults,
        extra,
    ))
}

fn detail(run: &Run, cause: &str) -> String {
    run.finding(cause)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn good_chain() -> Vec<rustls::pki_types::CertificateDer<'static>> {
    load_chain("good").0
}

/// A server that sends the start of a TLS record one byte a second, for a minute.
fn dripping_server() -> Server {
    Server::raw(|mut stream| async move {
        for byte in [0x16u8, 0x03, 0x03, 0x40, 0x00].iter().cycle().take(60) {
            if stream.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

#[test]
fn a_server_that_speaks_one_byte_per_second_times_out_within_the_limit() {
    let server = dripping_server();
    let started = Instant::now();
    let run = check(&server.target(), &["--timeout", "2"]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(
        detail(&run, "timeout").contains("after the server sent"),
        "{}",
        run.stdout
    );
    // The limit is honoured (a correctness bound, not a speed measurement).
    assert!(
        elapsed < Duration::from_secs(8),
        "took {elapsed:?} with --timeout 2"
    );
}

/// Every client's own ClientHello (`--clients all`: 19 distinct hellos, and more widened ones)
/// meets the same dripping server: the probes share the check's deadline, so the check still
/// ends within it.
#[test]
fn the_client_probes_of_a_dripping_server_end_within_the_limit_too() {
    let server = dripping_server();
    let started = Instant::now();
    let run = check(&server.target(), &["--timeout", "2", "--clients", "all"]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.has("timeout"), "{}", run.stdout);
    assert!(
        elapsed < Duration::from_secs(8),
        "took {elapsed:?} with --timeout 2"
    );
}

#[test]
fn a_reset_in_the_middle_of_the_handshake_is_a_named_handshake_failure() {
    let server = Server::raw(|mut stream| async move {
        if read_hello(&mut stream).await.is_none() {
            return;
        }
        // Half a ServerHello record, then an abortive close (RST).
        let _ = stream
            .write_all(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00])
            .await;
        let _ = stream.set_zero_linger();
        drop(stream);
    });
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(run.verdict(), "unreachable");
    let why = detail(&run, "handshake-failure");
    assert!(why.contains("broke") || why.contains("reset"), "{why}");
}

#[test]
fn an_ssh_banner_is_named_as_ssh() {
    let server = Server::sends(b"SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n");
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3);
    assert!(
        detail(&run, "not-tls").contains("speaks SSH"),
        "{}",
        run.stdout
    );
}

#[test]
fn random_bytes_end_in_a_named_cause() {
    // xorshift: the same "random" answer every run.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let noise: &'static [u8] = Box::leak(noise.into_boxed_slice());
    let server = Server::sends(noise);
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(
        run.has("not-tls") || run.has("handshake-failure"),
        "{:?}",
        run.causes()
    );
}

#[test]
fn a_tls_1_0_only_server_is_protocol_too_old_and_its_chain_is_still_diagnosed() {
    let server = old_server(0x0301, 0x002f, good_chain(), 70);
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.verdict(), "error");
    let why = detail(&run, "protocol-too-old");
    assert!(why.contains("TLS 1.0"), "{why}");
    assert!(
        why.contains("protocol_version (70)"),
        "names the refusal: {why}"
    );
    assert!(why.contains("2 certificates"), "{why}");
    let target = run.target();
    assert_eq!(target["connection"]["tls_version"], "TLS 1.0");
    assert_eq!(target["chain"].as_array().map(Vec::len), Some(2));
    // The chain itself is fine: the version is the only problem.
    assert_eq!(run.causes(), vec![("protocol-too-old".to_string(), None)]);
    assert_eq!(target["trust"]["trusted"], true, "{}", run.stdout);
}

#[test]
fn a_tls_1_1_only_server_is_protocol_too_old_too() {
    let server = old_server(0x0302, 0xc013, good_chain(), 70);
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(detail(&run, "protocol-too-old").contains("TLS 1.1"));
}

#[test]
fn a_server_with_only_legacy_ciphers_is_named_with_the_suite_it_chose() {
    let server = old_server(0x0303, 0x002f, good_chain(), 40);
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let why = detail(&run, "legacy-cipher-only");
    assert!(why.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), "{why}");
    assert!(why.contains("handshake_failure (40)"), "{why}");
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_ten_megabyte_certificate_message_is_refused_unread() {
    let server = oversized_certificate_message(10 * 1024 * 1024);
    let started = Instant::now();
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let why = detail(&run, "chain-too-large");
    assert!(
        why.contains("10485760"),
        "the declared size is reported: {why}"
    );
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[test]
fn a_thousand_certificate_chain_is_too_large_for_clients() {
    let (leaf, key) = many_names(0);
    let mut chain = vec![leaf];
    chain.extend(filler_certificates(1000));
    let server = Server::tls_config(server_config(chain, key, rustls::DEFAULT_VERSIONS));
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(
        detail(&run, "chain-too-large").contains("65535"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_certificate_with_a_hundred_thousand_names_is_too_large_to_serve_but_readable_from_a_file() {
    let (cert, key) = many_names(100_000);
    let server = Server::tls_config(server_config_unchecked(vec![cert.clone()], key));
    let live = check(&server.target(), &[]);
    assert_eq!(live.code, 3, "{}", live.stdout);
    assert!(live.has("chain-too-large"), "{:?}", live.causes());

    let scratch = Scratch::new("hostile-sans");
    let file = scratch.file("sans.pem", tlsdoctor::bundle::to_pem(&cert).as_bytes());
    let run = check_path(&file, &["--host", "n99999.example", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.has("chain-too-large"), "{:?}", run.causes());
    assert!(!run.has("hostname-mismatch"), "the last name matches");
    assert_eq!(
        run.target()["chain"][0]["sans"].as_array().map(Vec::len),
        Some(100_001)
    );
    let human = check_path(
        &file,
        &[
            "--host",
            "n99999.example",
            "--format",
            "human",
            "--color",
            "never",
            "-v",
        ],
    );
    // The full view lists names; it shows eight and counts the rest.
    assert!(human.stdout.contains("and 99993 more"), "{}", human.stdout);
}

#[test]
fn an_unparseable_certificate_in_a_live_chain_is_pinpointed_and_the_rest_reported() {
    let (mut chain, key) = load_chain("good");
    chain.insert(1, vec![0x30, 0x82, 0x01, 0x00, 0xde, 0xad].into());
    let server = Server::tls_config(server_config_unchecked(chain, key));
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let finding = run.finding("unparseable-certificate");
    assert_eq!(finding["cert_index"], 1);
    let why = finding["detail"].as_str().unwrap_or_default();
    assert!(why.contains("6 bytes") && why.contains("SHA-256"), "{why}");
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(3));
    assert_eq!(run.target()["chain"][0]["subject"], "CN=ok.test");
}

#[test]
fn an_unrecognized_name_alert_points_at_the_name() {
    let server = Server::raw(|mut stream| async move {
        if read_hello(&mut stream).await.is_some() {
            let _ = stream.write_all(&alert(112)).await;
        }
    });
    let run = check(&server.target(), &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let why = detail(&run, "handshake-failure");
    assert!(
        why.contains("unrecognized_name (112)") && why.contains("--servername"),
        "{why}"
    );
}

#[test]
fn an_ipv6_only_server_is_reached_by_address_and_by_a_name_that_also_resolves_to_ipv4() {
    let server = Server::tls_on("[::1]:0", "good");
    let port = server.port();
    let by_address = check(&format!("[::1]:{port}"), &[]);
    assert_eq!(by_address.code, 0, "{}", by_address.stdout);
    assert_eq!(by_address.verdict(), "ok");

    // 127.0.0.1 first (nothing listens there on this port), then ::1.
    let resolve = format!("ok.test:{port}:127.0.0.1,[::1]");
    let by_name = check(
        &format!("ok.test:{port}"),
        &["--resolve", &resolve, "--servername", "ok.test"],
    );
    assert_eq!(by_name.code, 0, "{}", by_name.stdout);
    assert_eq!(
        by_name.target()["connection"]["address"],
        format!("[::1]:{port}")
    );
}
