//! Mutual TLS: what the server asks of the client, and why it refuses a client certificate.

mod common;
use common::*;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::server::WebPkiClientVerifier;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client_file(name: &str) -> std::path::PathBuf {
    fixtures().join("client").join(name)
}

/// How a test server treats client certificates.
struct ClientPolicy {
    /// The CA the server trusts for clients (a file in fixtures/client).
    ca: &'static str,
    required: bool,
    /// Name the accepted CAs in the CertificateRequest.
    hints: bool,
    tls12: bool,
}

const REQUIRED: ClientPolicy = ClientPolicy {
    ca: "client-root.pem",
    required: true,
    hints: true,
    tls12: false,
};

/// A server presenting the `good` chain that asks for client certificates, and greets clients
/// it accepted with a line, so the client learns the verdict at once.
fn mtls_server(policy: ClientPolicy) -> Server {
    let (chain, key) = load_chain("good");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(client_file(policy.ca)).expect("client CA");
    roots.add(ca).expect("root");
    let mut builder =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if !policy.required {
        builder = builder.allow_unauthenticated();
    }
    if !policy.hints {
        builder = builder.clear_root_hint_subjects();
    }
    let verifier = builder.build().expect("client verifier");
    let versions: &[&'static rustls::SupportedProtocolVersion] = if policy.tls12 {
        &[&rustls::version::TLS12]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    Server::raw(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                let _ = tls.write_all(b"hello\n").await;
                let mut sink = [0u8; 256];
                while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
            }
        }
    })
}

/// Copies a client certificate and its key to a scratch directory, the key readable by its
/// owner only (git does not keep file modes), and returns `--cert`/`--key` arguments.
fn identity(scratch: &Scratch, cert: &str, key: &str) -> [String; 4] {
    let cert_path = scratch.file(cert, &std::fs::read(client_file(cert)).expect("cert"));
    let key_path = scratch.file(key, &std::fs::read(client_file(key)).expect("key"));
    set_mode(&key_path, 0o600);
    ["--cert".into(), cert_path, "--key".into(), key_path]
}

fn set_mode(path: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn check_with(server: &Server, identity: &[String]) -> Run {
    let args: Vec<&str> = identity.iter().map(String::as_str).collect();
    check_live(server, &args)
}

#[test]
fn a_server_requiring_a_client_certificate_says_so_and_names_its_cas() {
    for tls12 in [false, true] {
        let server = mtls_server(ClientPolicy { tls12, ..REQUIRED });
        let run = check_live(&server, &[]);
        assert_eq!(run.code, 1, "tls12={tls12}: {}", run.stdout);
        let finding = run.finding("client-cert-required");
        assert!(
            finding["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("--cert"),
            "{finding}"
        );
        assert!(
            !run.has("handshake-failure"),
            "the failure is named once: {:?}",
            run.causes()
        );
        let auth = &run.target()["client_auth"];
        assert_eq!(auth["requested"], true);
        assert_eq!(auth["required"], true);
        assert_eq!(auth["certificate_sent"], false);
        assert_eq!(
            auth["acceptable_cas"][0],
            "O=tlsdoctor test PKI, CN=tlsdoctor Client Root CA"
        );
        assert!(
            auth["signature_schemes"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        );
        // The server's own chain was still captured and judged.
        assert_eq!(run.target()["trust"]["trusted"], true);
    }
}

#[test]
fn an_optional_client_certificate_is_reported_and_is_no_problem() {
    let server = mtls_server(ClientPolicy {
        required: false,
        ..REQUIRED
    });
    let run = check_live(&server, &[]);
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
    let auth = &run.target()["client_auth"];
    assert_eq!(auth["requested"], true);
    assert_eq!(auth["required"], false);
}

#[test]
fn a_good_client_certificate_in_every_key_format_is_accepted() {
    let server = mtls_server(REQUIRED);
    let scratch = Scratch::new("mtls-ok");
    for (cert, key) in [
        ("client.pem", "client.key"),
        ("client-rsa.pem", "client-rsa.key"),
        ("client-sec1.pem", "client-sec1.key"),
        ("client-ed25519.pem", "client-ed25519.key"),
        ("client-chain.pem", "client-chain.key"),
    ] {
        let run = check_with(&server, &identity(&scratch, cert, key));
        assert_eq!(run.verdict(), "ok", "{cert}: {:?}", run.causes());
        let auth = &run.target()["client_auth"];
        assert_eq!(auth["certificate_sent"], true, "{cert}");
        assert!(
            auth["server_response"]
                .as_str()
                .unwrap_or_default()
                .contains("accepted"),
            "{cert}: {auth}"
        );
        assert_eq!(auth["chain"][0]["subject"], "CN=client.test");
        assert_documented(&run.json());
    }
}

#[test]
fn each_client_certificate_problem_is_named() {
    let server = mtls_server(REQUIRED);
    let scratch = Scratch::new("mtls-causes");
    for (cert, key, cause) in [
        (
            "client-other.pem",
            "client-other.key",
            "client-ca-not-accepted",
        ),
        (
            "client-leaf-only.pem",
            "client-leaf-only.key",
            "client-missing-intermediate",
        ),
        (
            "client-serverauth.pem",
            "client-serverauth.key",
            "client-wrong-eku",
        ),
        (
            "client-expired.pem",
            "client-expired.key",
            "client-cert-expired",
        ),
        ("client.pem", "unrelated.key", "client-key-mismatch"),
    ] {
        let run = check_with(&server, &identity(&scratch, cert, key));
        assert_eq!(run.code, 1, "{cert}: {}", run.stdout);
        let finding = run.finding(cause);
        assert!(
            finding["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{finding}"
        );
        assert!(!run.has("handshake-failure"), "{cert}: {:?}", run.causes());
    }
}

#[test]
fn the_wrong_environments_ca_is_told_apart_from_an_unrelated_one() {
    let server = mtls_server(REQUIRED);
    let scratch = Scratch::new("mtls-staging");
    let run = check_with(
        &server,
        &identity(&scratch, "client-staging.pem", "client-staging.key"),
    );
    let detail = run.finding("client-ca-not-accepted")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("share a name") && detail.contains("tlsdoctor Client Root CA"),
        "{detail}"
    );

    let run = check_with(
        &server,
        &identity(&scratch, "client-other.pem", "client-other.key"),
    );
    let detail = run.finding("client-ca-not-accepted")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("tlsdoctor Client Root CA") && !detail.contains("share a name"),
        "{detail}"
    );
}

#[test]
fn a_server_that_names_no_ca_still_gets_a_certificate() {
    let server = mtls_server(ClientPolicy {
        hints: false,
        ..REQUIRED
    });
    let run = check_live(&server, &[]);
    assert!(run.has("client-cert-required"));
    assert!(
        run.target()["client_auth"]["acceptable_cas"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let scratch = Scratch::new("mtls-nohints");
    let run = check_with(&server, &identity(&scratch, "client.pem", "client.key"));
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
}

#[test]
fn a_key_every_user_can_read_is_a_warning_and_never_printed() {
    let server = mtls_server(REQUIRED);
    let scratch = Scratch::new("mtls-exposed");
    let args = identity(&scratch, "client.pem", "client.key");
    set_mode(&args[3], 0o644);
    let run = check_with(&server, &args);
    assert_eq!(run.verdict(), "warning");
    assert!(run.has("client-key-exposed"));
    let key_text = std::fs::read_to_string(&args[3]).expect("key");
    let secret_line = key_text.lines().nth(1).unwrap_or("never matches");
    assert!(
        !run.stdout.contains(secret_line),
        "the key leaked into the report"
    );
}

#[test]
fn a_server_that_asks_for_nothing_reports_no_client_section_unless_a_cert_was_given() {
    let server = Server::tls("good");
    let run = check_live(&server, &[]);
    assert!(run.target()["client_auth"].is_null());
    let scratch = Scratch::new("mtls-unasked");
    let run = check_with(&server, &identity(&scratch, "client.pem", "client.key"));
    assert_eq!(run.target()["client_auth"]["requested"], false);
    assert_eq!(run.target()["client_auth"]["certificate_sent"], false);
}

#[test]
fn bad_client_files_exit_2_with_a_message() {
    let scratch = Scratch::new("mtls-bad");
    let encrypted = scratch.file(
        "enc.key",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    let cert = client_file("client.pem").display().to_string();
    let run = tlsdoctor(&[
        "check",
        "example.test",
        "--cert",
        &cert,
        "--key",
        &encrypted,
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("encrypted"), "{}", run.stderr);
    let run = tlsdoctor(&["check", "example.test", "--cert", &cert]);
    assert_eq!(run.code, 2, "--cert needs --key");
}
