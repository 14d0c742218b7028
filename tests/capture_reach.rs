//! Servers that speak only what rustls leaves out, but that curl, Python, Java and browsers talk
//! to: the capture still gets their chain and says what was negotiated. Real `openssl s_server`s
//! on loopback, from the configurations in tests/data/clients/servers.json; `-tls1_3` takes away
//! the TLS 1.2 fallback, where the plaintext Certificate would show the chain anyway.

mod common;

use common::Run;
use common::clients::{OpensslServer, ThrowawayPki, pyopenssl_python};
use common::programs::require;
use common::tlsdoctor;

/// `tlsdoctor check` as `localhost`, trusting the throwaway root, in JSON.
fn check(server: &OpensslServer) -> Run {
    check_for(server, "none")
}

/// The same, judged for `clients`.
fn check_for(server: &OpensslServer, clients: &str) -> Run {
    let root = ThrowawayPki::shared().root().display().to_string();
    let target = format!("127.0.0.1:{}", server.port);
    tlsdoctor(&[
        "check",
        &target,
        "--servername",
        "localhost",
        "--ca-file",
        &root,
        "--format",
        "json",
        "--timeout",
        "10",
        "--clients",
        clients,
    ])
}

/// Reaching the chain with what rustls lacks is no "ok": tlsdoctor's own verdict names the
/// cause, and the verdict for a client that has it (`able`) is not an error.
fn assert_beyond_rustls(server: &OpensslServer, run: &Run, cause: &str, able: &str) {
    assert_eq!(run.verdict(), "error", "{}", run.stdout);
    assert!(run.has(cause), "{}", run.stdout);
    let judged = check_for(server, able);
    assert!(
        matches!(judged.verdict().as_str(), "ok" | "warning"),
        "{able}: {}",
        judged.stdout
    );
}

/// The handshake completed with what the server was forced to, and the chain it sent was
/// recorded: leaf and intermediate.
fn assert_reached(run: &Run, version: &str, suite: &str, group: &str) {
    let target = run.target();
    assert_ne!(run.verdict(), "unreachable", "{}", run.stdout);
    let chain = target["chain"].as_array().cloned().unwrap_or_default();
    assert_eq!(chain.len(), 2, "leaf and intermediate: {}", run.stdout);
    assert_eq!(chain[0]["subject"], "CN=localhost", "{}", run.stdout);
    let negotiated = &target["connection"]["negotiated"];
    assert_eq!(negotiated["tls_version"], version, "{}", run.stdout);
    assert_eq!(negotiated["cipher_suite"], suite, "{}", run.stdout);
    assert_eq!(negotiated["key_exchange"], group, "{}", run.stdout);
}

#[test]
fn tls13_only_server_with_an_rsa_pss_key_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("leaf-rsa-pss", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "X25519");
    assert!(!run.has("handshake-failure"), "{}", run.stdout);
}

/// ring verifies no RSA key under 2048 bits, but Node, Java and GnuTLS accept RSA-1024: the
/// handshake must complete, and the key be named weak, not the server's signature bad.
#[test]
fn tls13_only_server_with_an_rsa_1024_key_completes_the_handshake() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("leaf-rsa-1024", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "X25519");
    assert!(!run.has("handshake-failure"), "{}", run.stdout);
    assert_beyond_rustls(&server, &run, "weak-key", "node-20,java-17,gnutls-3.7");
}

#[test]
fn tls13_server_with_only_ffdhe2048_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve("tls1.3-ffdhe2048-only");
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "FFDHE2048");
    assert_beyond_rustls(&server, &run, "no-shared-group", "openssl-3.0,java-17");
}

#[test]
fn tls13_server_with_only_aes_128_ccm_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve("tls1.3-aes128-ccm-only");
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_128_CCM_SHA256", "X25519");
    assert_beyond_rustls(&server, &run, "no-shared-cipher", "gnutls-3.7");
}

#[test]
fn tls13_server_with_only_aes_128_ccm_8_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let suite = ["-ciphersuites", "TLS_AES_128_CCM_8_SHA256"];
    let server = ThrowawayPki::shared().serve_with("tls1.3-only", &suite);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_128_CCM_8_SHA256", "X25519");
}

#[test]
fn tls13_server_with_only_p521_key_exchange_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("group-secp521r1-only", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "secp521r1");
    assert_beyond_rustls(&server, &run, "no-shared-group", "openssl-3.0,go-1.22");
}

#[test]
fn tls13_only_server_with_a_p521_key_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("leaf-ecdsa-p521", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "X25519");
    assert!(!run.has("handshake-failure"), "{}", run.stdout);
}

#[test]
fn tls13_server_with_only_x448_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("group-x448-only", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "X448");
    assert_beyond_rustls(
        &server,
        &run,
        "no-shared-group",
        "openssl-3.0,gnutls-3.7,java-17",
    );
}

#[test]
fn tls13_only_server_with_an_ed448_key_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let server = ThrowawayPki::shared().serve_with("leaf-ed448", &["-tls1_3"]);
    let run = check(&server);
    assert_reached(&run, "TLS 1.3", "TLS13_AES_256_GCM_SHA384", "X25519");
    assert_beyond_rustls(
        &server,
        &run,
        "unsupported-algorithm",
        "openssl-3.0,gnutls-3.7,java-17",
    );
    // A TLS 1.2 client is refused for its version first; the alert says so.
    let old = check_for(&server, "android-7");
    let client = &old.target()["clients"][0];
    let causes = client["causes"].as_array().cloned().unwrap_or_default();
    assert!(
        causes.contains(&"no-shared-version".into()),
        "{}",
        old.stdout
    );
}

/// The post-quantum hybrid alone: Chrome, Firefox and OpenSSL 3.5 offer it first, so they
/// connect; served by OpenSSL 3.5+ through pyOpenSSL, since the system's OpenSSL 3.0 lacks it.
#[test]
fn tls13_server_with_only_x25519mlkem768_shows_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    let Some(python) = pyopenssl_python() else {
        return;
    };
    let server = ThrowawayPki::shared().serve_pyopenssl("good", &python, "X25519MLKEM768");
    let run = check(&server);
    assert_reached(
        &run,
        "TLS 1.3",
        "TLS13_AES_256_GCM_SHA384",
        "X25519MLKEM768",
    );
    assert_beyond_rustls(&server, &run, "no-shared-group", "chrome,firefox,openssl-3");
    // The finding names who lacks the group from the profiles: Go before 1.24 among them.
    let detail = run.finding("no-shared-group")["detail"].to_string();
    assert!(detail.contains("go"), "{detail}");
    assert!(!detail.contains("chrome"), "{detail}");
}
