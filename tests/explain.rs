//! `tlsdoctor explain` against what real clients print, recorded by
//! tests/data/client-errors/record.py, and the command line around it.

mod common;
use common::*;
use serde_json::Value;
use tlsdoctor::explain::{MAX_CANDIDATES, explain};

fn recorded() -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/client-errors/messages.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("recorded messages"))
            .expect("JSON");
    doc["messages"].as_array().cloned().unwrap_or_default()
}

/// How many different true causes a client printed this very text for. When it is more than
/// two, the message alone cannot put every one of them first or second: the text carries
/// nothing that tells them apart (tests/data/client-errors/README.md lists these).
fn causes_sharing_the_text(messages: &[Value], text: &str) -> usize {
    let mut causes: Vec<&str> = messages
        .iter()
        .filter(|m| m["message"].as_str() == Some(text))
        .filter_map(|m| m["cause"].as_str())
        .collect();
    causes.sort_unstable();
    causes.dedup();
    causes.len()
}

#[test]
fn every_recorded_message_is_explained_with_its_true_cause_first_or_second() {
    let messages = recorded();
    assert!(messages.len() > 300, "the recording looks truncated");
    let mut ranks = [0usize; MAX_CANDIDATES + 1];
    let mut misses = Vec::new();
    let mut indistinguishable = Vec::new();
    for m in &messages {
        let text = m["message"].as_str().unwrap_or_default();
        let truth = m["cause"].as_str().unwrap_or_default();
        let e = explain(text);
        let rank = e.candidates.iter().position(|c| c.cause.id() == truth);
        ranks[rank.unwrap_or(MAX_CANDIDATES)] += 1;
        let sharing = causes_sharing_the_text(&messages, text);
        let allowed = sharing.max(2);
        let label = format!("{} / {}", m["client"], m["scenario"]);
        match rank {
            Some(rank) if rank < 2 => {}
            Some(rank) if rank < allowed => {
                indistinguishable.push(format!("{label}: {truth} {}", rank + 1));
            }
            _ => {
                let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
                misses.push(format!(
                    "{label}: {truth} not in the first {allowed} of {got:?} \
                     ({sharing} causes share this text): {text}"
                ));
            }
        }
    }
    eprintln!(
        "rank of the true cause (1st, 2nd, ...; last = missing): {ranks:?} of {}",
        messages.len()
    );
    eprintln!(
        "below second only because the same text is recorded for more than two causes: {}",
        indistinguishable.join("; ")
    );
    assert!(
        misses.is_empty(),
        "{} of {} messages rank their cause too low:\n{}",
        misses.len(),
        messages.len(),
        misses.join("\n")
    );
}

/// Messages from producers that cannot run here, typed from their published wording; each
/// case says where the words come from.
#[test]
fn starttls_proxy_and_revocation_messages_lead_with_their_cause() {
    let cases: &[(&str, &str)] = &[
        // Recorded against PostgreSQL 15 with ssl = off, and Postfix 3.7 with TLS off.
        (
            "psql: error: connection to server at \"127.0.0.1\", port 5439 failed: server does not support SSL, but SSL was required",
            "starttls-not-offered",
        ),
        ("curl: (64) STARTTLS not supported.", "starttls-not-offered"),
        (
            "smtplib.SMTPNotSupportedError: STARTTLS extension not supported by server.",
            "starttls-not-offered",
        ),
        (
            "Didn't find STARTTLS in server response, trying anyway...",
            "starttls-not-offered",
        ),
        (
            "smtplib.SMTPResponseException: (454, b'4.7.0 TLS not available due to local problem')",
            "starttls-refused",
        ),
        // Recorded against tinyproxy with BasicAuth, and a closed proxy port.
        (
            "curl: (56) CONNECT tunnel failed, response 407",
            "proxy-auth-required",
        ),
        (
            "HTTPSConnectionPool(host='ok.test', port=443): Max retries exceeded with url: / (Caused by ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 Proxy Authentication Required')))",
            "proxy-auth-required",
        ),
        (
            "curl: (56) CONNECT tunnel failed, response 403",
            "proxy-refused",
        ),
        (
            "HTTPSConnectionPool(host='ok.test', port=443): Max retries exceeded with url: / (Caused by ProxyError('Unable to connect to proxy', NewConnectionError(\"HTTPSConnection(host='127.0.0.1', port=8898): Failed to establish a new connection: [Errno 111] Connection refused\")))",
            "proxy-unreachable",
        ),
        // Browser and platform names (Firefox secerr.h and mozilla::pkix, Chromium
        // net_error_list.h, Windows CRYPT_E_*).
        ("Error code: SEC_ERROR_REVOKED_CERTIFICATE", "revoked"),
        ("NET::ERR_CERT_REVOKED", "revoked"),
        (
            "java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: KEY_COMPROMISE",
            "revoked",
        ),
        (
            "Error code: MOZILLA_PKIX_ERROR_REQUIRED_TLS_FEATURE_MISSING",
            "must-staple-missing",
        ),
        ("SEC_ERROR_OCSP_OLD_RESPONSE", "ocsp-staple-invalid"),
        (
            "curl: (35) schannel: next InitializeSecurityContext failed: Unknown error (0x80092013) - The revocation function was unable to check revocation because the revocation server was offline.",
            "revocation-unknown",
        ),
    ];
    let mut failures = Vec::new();
    for (message, cause) in cases {
        let e = explain(message);
        let first = e.candidates.first().map(|c| c.cause.id());
        if first != Some(*cause) {
            let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
            failures.push(format!("{message:?}: expected {cause} first, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The next check speaks the protocol, or goes through the proxy, the message is about.
    let psql = explain(
        "psql: error: connection to server at \"db.example.com\" (10.0.0.5), port 5439 failed: server does not support SSL, but SSL was required",
    );
    assert_eq!(
        psql.next,
        "tlsdoctor check db.example.com:5439 --starttls postgres"
    );
    let proxy = explain("curl: (56) CONNECT tunnel failed, response 407");
    assert!(
        proxy.next.ends_with("--proxy http://PROXY:PORT"),
        "{}",
        proxy.next
    );
}

#[test]
fn producers_that_cannot_run_here_are_recognised() {
    let cases: &[(&str, &str)] = &[
        // Chromium, net/base/net_error_list.h (the code shown on the interstitial page).
        (
            "Your connection is not private NET::ERR_CERT_AUTHORITY_INVALID",
            "private-root",
        ),
        ("NET::ERR_CERT_COMMON_NAME_INVALID", "hostname-mismatch"),
        ("NET::ERR_CERT_DATE_INVALID", "expired"),
        ("ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "handshake-failure"),
        ("ERR_BAD_SSL_CLIENT_AUTH_CERT", "client-cert-rejected"),
        // Firefox, security/nss/lib/util/secerr.h and mozilla::pkix error names.
        (
            "Error code: SEC_ERROR_UNKNOWN_ISSUER",
            "missing-intermediate",
        ),
        (
            "Error code: MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT",
            "self-signed-leaf",
        ),
        ("SSL_ERROR_BAD_CERT_DOMAIN", "hostname-mismatch"),
        ("SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE", "expired"),
        ("MOZILLA_PKIX_ERROR_MITM_DETECTED", "tls-interception"),
        (
            "Error code: MOZILLA_PKIX_ERROR_ISSUER_NO_LONGER_TRUSTED",
            "distrusted-root",
        ),
        (
            "Error code: MOZILLA_PKIX_ERROR_INSUFFICIENT_CERTIFICATE_TRANSPARENCY",
            "ct-required",
        ),
        // OpenJDK sun/security/validator/*TLSPolicy.java (jdk.security.caDistrustPolicies).
        (
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: TLS \
             Server certificate issued after 2024-11-11 and anchored by a distrusted legacy \
             Entrust root CA: CN=Entrust Root Certification Authority - G2",
            "distrusted-root",
        ),
        // .NET, System.Net.Security.SslPolicyErrors and X509ChainStatusFlags names.
        (
            "The remote certificate is invalid because of errors in the certificate chain: PartialChain",
            "missing-intermediate",
        ),
        (
            "The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch",
            "hostname-mismatch",
        ),
        (
            "RemoteCertificateChainErrors: UntrustedRoot",
            "private-root",
        ),
        ("X509ChainStatusFlags.NotTimeValid", "expired"),
        // Envoy/Istio access logs: BoringSSL reason names inside "TLS error".
        (
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
            "missing-intermediate",
        ),
        (
            "TLS error: 268436502:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED",
            "client-cert-expired",
        ),
        (
            "TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA",
            "client-ca-not-accepted",
        ),
        // rustls, the Display of rustls::Error and CertificateError.
        ("invalid peer certificate: UnknownIssuer", "unknown-issuer"),
        (
            "invalid peer certificate: certificate not valid for name \"a.example\"; certificate is only valid for DnsName(\"b.example\")",
            "hostname-mismatch",
        ),
        // nginx error.log lines and its 400 pages (ngx_http_request.c, ngx_http_special_response.c).
        (
            "2026/11/25 10:00:00 [info] 12#12: *3 client SSL certificate verify error: (20:unable to get local issuer certificate) while reading client request headers",
            "client-missing-intermediate",
        ),
        (
            "client SSL certificate verify error: (10:certificate has expired) while reading client request headers",
            "client-cert-expired",
        ),
        (
            "<html><head><title>400 No required SSL certificate was sent</title></head>",
            "client-cert-required",
        ),
        (
            "<center>The SSL certificate error</center>",
            "client-cert-rejected",
        ),
        (
            "SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking, client: 10.0.0.7",
            "missing-intermediate",
        ),
        // Go, crypto/x509 verify.go (HostnameError for IP addresses).
        (
            "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs",
            "hostname-mismatch",
        ),
        // Java, sun.security.ssl Alert names and CertificateExpiredException.
        (
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown",
            "client-cert-rejected",
        ),
        (
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate",
            "client-cert-rejected",
        ),
        (
            "java.security.cert.CertificateExpiredException: NotAfter: Thu Jan 01 00:00:00 UTC 2026",
            "expired",
        ),
        // curl exit codes from libcurl-errors(3).
        (
            "curl: (51) SSL: certificate subject name 'a.example' does not match target host name 'b.example'",
            "hostname-mismatch",
        ),
        (
            "curl: (58) unable to set private key file: 'client.key' type PEM",
            "client-key-mismatch",
        ),
        (
            "curl: (77) error setting certificate verify locations: CAfile: /etc/ssl/missing.pem CApath: none",
            "env-override-missing-root",
        ),
        (
            "curl: (35) OpenSSL/3.0.11: error:0A000412:SSL routines::sslv3 alert bad certificate",
            "client-cert-rejected",
        ),
        // Oversized chains: Go's handshake_messages.go, Java's CertificateMessage, OpenSSL's
        // SSL_R_EXCESSIVE_MESSAGE_SIZE reason string.
        (
            "tls: handshake message of length 1589300 bytes exceeds maximum of 65536 bytes",
            "chain-too-large",
        ),
        (
            "The certificate chain length (11) exceeds the maximum allowed length (10)",
            "long-chain",
        ),
        (
            "error:0A000098:SSL routines::excessive message size",
            "chain-too-large",
        ),
        ("tls: protocol version not supported", "protocol-too-old"),
        // docker pull against a private registry: the daemon's wrapping of Go's error.
        (
            "Error response from daemon: Get \"https://registry.internal:5000/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
            "docker-registry-ca",
        ),
        // OpenSSL verify codes alone, with the version caveat.
        ("verify error:num=20", "missing-intermediate"),
        // TLS alerts by number.
        ("SSL alert number 112", "handshake-failure"),
        ("SSL alert number 80", "handshake-failure"),
        ("SSL alert number 49", "client-cert-policy"),
        ("SSL alert number 44", "client-cert-rejected"),
        ("SSL alert number 70", "handshake-failure"),
    ];
    let mut failures = Vec::new();
    for (message, cause) in cases {
        let e = explain(message);
        if !e.candidates.iter().any(|c| c.cause.id() == *cause) {
            let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
            failures.push(format!("{message:?}: {cause} not in {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // BoringSSL's CERTIFICATE_VERIFY_FAILED is Envoy's, not Python's, and points at the chain.
    let envoy = explain(
        "transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
    );
    assert_eq!(envoy.producers, ["Envoy / Istio"]);
    assert_ne!(envoy.candidates[0].cause.id(), "handshake-failure");
    let numeric = explain("verify error:num=20");
    assert!(
        numeric
            .notes
            .iter()
            .any(|n| n.contains("differ across versions")),
        "{:?}",
        numeric.notes
    );
}

#[test]
fn the_command_explains_a_go_message_and_fills_in_the_next_check() {
    let run = tlsdoctor(&[
        "explain",
        r#"level=error msg="request failed" err="Get \"https://api.example.com:8443/v1/users\": x509: certificate signed by unknown authority""#,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["recognised"], true);
    assert_eq!(doc["producers"][0], "Go (crypto/x509)");
    // Judged as Go: its store and policy, its own ClientHello.
    assert_eq!(
        doc["next"],
        "tlsdoctor check api.example.com:8443 --clients go"
    );
    assert_eq!(doc["candidates"][0]["cause"], "missing-intermediate");
    assert_documented(&doc);

    let human = tlsdoctor(&[
        "explain",
        "--color",
        "never",
        "PKIX path building failed: unable to find valid certification path to requested target",
    ]);
    assert_eq!(human.code, 0);
    for needle in [
        "Java (PKIX)",
        "missing-intermediate",
        "tlsdoctor check HOST:PORT",
        "cacerts",
    ] {
        assert!(
            human.stdout.contains(needle),
            "no {needle:?} in\n{}",
            human.stdout
        );
    }
}

#[test]
fn unrecognised_text_and_hostile_input_exit_1_without_a_guess() {
    let run = tlsdoctor(&["explain", "the printer is on fire"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.to_lowercase().contains("not recognised"),
        "{}",
        run.stdout
    );

    for input in [
        Vec::new(),
        vec![0xff, 0xfe, 0x00, 0x80],
        vec![b'a'; 10 * 1024 * 1024],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
            .args(["explain", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                let mut stdin = child.stdin.take().expect("stdin");
                let writer = std::thread::spawn(move || stdin.write_all(&input));
                let out = child.wait_with_output();
                let _ = writer.join();
                out
            })
            .expect("run");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_cause_id_prints_its_catalog_entry_and_causes_lists_them_all() {
    let run = tlsdoctor(&["explain", "missing-intermediate", "--color", "never"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("The server does not send its intermediate certificate")
    );
    assert!(
        run.stdout.contains("nginx:"),
        "platform steps shown:\n{}",
        run.stdout
    );

    let run = tlsdoctor(&["explain", "missing-intermediate", "--format", "json"]);
    assert_eq!(run.code, 0);
    let entry = run.json();
    assert_eq!(entry["cause"]["id"], "missing-intermediate");
    assert!(
        entry["cause"]["fix_steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["platform"] == "nginx"))
    );
    assert_documented(&entry);

    let run = tlsdoctor(&["causes", "--format", "json"]);
    let doc = run.json();
    let ids: Vec<&str> = doc["causes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), tlsdoctor::causes::Cause::ALL.len());
    assert!(ids.contains(&"private-root"));
    assert_documented(&doc);
}

/// docs/causes.md is generated from the catalog; it must be regenerated when the catalog changes.
#[test]
fn the_causes_document_is_generated_from_the_catalog() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/causes.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = tlsdoctor(&["causes", "--format", "markdown"]).stdout;
    assert!(
        on_disk == generated,
        "docs/causes.md is stale: run `cargo run -- causes --format markdown > docs/causes.md`"
    );
}

/// A key that does not belong to its certificate, as real programs say it when they load the
/// pair (recorded 2026-12-04: OpenSSL 3.0.19 s_server, Python 3.11.7, Node 20.20.2, Go 1.19.8,
/// nginx 1.22.1 `nginx -t`, each given good.pem and another fixture's key): the server's key is
/// named first, and the next step checks the two files before any server loads them.
#[test]
fn a_key_that_does_not_match_its_certificate_is_named_and_checked_from_the_files() {
    let recorded = [
        "40B772ACCB7F0000:error:05800074:x509 certificate routines:X509_check_private_key:key values mismatch:../crypto/x509/x509_cmp.c:403:",
        "ssl.SSLError: [X509: KEY_VALUES_MISMATCH] key values mismatch (_ssl.c:3926)",
        "error:05800074:x509 certificate routines::key values mismatch ERR_OSSL_X509_KEY_VALUES_MISMATCH",
        "tls: private key does not match public key",
        "2026/12/04 17:41:20 [emerg] 20377#20377: SSL_CTX_use_PrivateKey(\"/etc/nginx/key.pem\") failed (SSL: error:05800074:x509 certificate routines::key values mismatch)",
    ];
    for message in recorded {
        let e = explain(message);
        assert!(e.recognised, "{message}");
        assert_eq!(e.candidates[0].cause.id(), "key-mismatch", "{message}");
        assert_eq!(e.next, "tlsdoctor check --file cert.pem --key key.pem");
    }
    // nginx says which side: only the server's key.
    let nginx = explain(recorded[4]);
    assert_eq!(nginx.candidates.len(), 1, "{:?}", nginx.candidates.len());
}

/// The `--clients` name of each client of tests/data/clients, for the next check it should get.
const CLIENT_FAMILIES: &[(&str, &str)] = &[
    ("curl", "openssl"),
    ("wget", "gnutls"),
    ("gnutls-cli", "gnutls"),
    ("python-urllib", "python"),
    ("node-https", "node"),
    ("go-net-http", "go"),
    ("java", "java"),
    ("chromium", "chrome"),
    ("firefox", "firefox"),
];

fn read_json(relative: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    serde_json::from_str(&std::fs::read_to_string(path).expect(relative)).expect("JSON")
}

/// One recorded failure: who printed what, and the cause it had.
struct Failure {
    label: String,
    client: String,
    text: String,
    truth: String,
}

/// Every failure of tests/data/clients/outcomes.json, with the cause causes.json gives its
/// configuration, or that client on it.
fn client_failures(truths: &Value) -> Vec<Failure> {
    let outcomes = read_json("tests/data/clients/outcomes.json");
    let mut failures = Vec::new();
    for (configuration, clients) in outcomes["outcomes"].as_object().into_iter().flatten() {
        for (client, outcome) in clients.as_object().into_iter().flatten() {
            if outcome["connected"] != false {
                continue;
            }
            let entry = &truths["configurations"][configuration];
            let truth = entry["clients"][client.as_str()]
                .as_str()
                .or_else(|| entry["cause"].as_str());
            failures.push(Failure {
                label: format!("{client} / {configuration}"),
                client: client.clone(),
                text: outcome["error"].as_str().unwrap_or_default().to_string(),
                truth: truth
                    .unwrap_or_else(|| panic!("causes.json has no cause for {configuration}"))
                    .to_string(),
            });
        }
    }
    failures
}

/// A message's lines with the host name taken out: the two recordings dial `localhost` and
/// `ok.test`, which is no difference in what the client says.
fn words(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.replace("localhost", "HOST").replace("ok.test", "HOST"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether recordings by the two recorders say the same. They keep different lines of the same
/// output (Python prints its ssl error, then urllib's wrapping of it; client-errors keeps one
/// line, clients both), so one's lines all among the other's is the same words. Within one
/// recorder a missing line means the client did not print it (wget prints a reason line only
/// for some statuses), so there the words must be equal.
fn same_words(a: &[String], b: &[String], same_recorder: bool) -> bool {
    if same_recorder {
        return a == b;
    }
    a.iter().all(|l| b.contains(l)) || b.iter().all(|l| a.contains(l))
}

/// Real clients (curl, wget, gnutls-cli, Python, Node, Go, Java, Chromium, Firefox) against the servers
/// of tests/data/clients, on which they disagree: versions, suites, groups, signature schemes,
/// and certificate policies. For every failure, `explain` on the client's own error text must
/// rank the configuration's true cause (tests/data/clients/causes.json) first.
///
/// Two exceptions, both because the words cannot tell the causes apart, never because a rule
/// was bent for one input:
/// - the same words are recorded for k > 1 different causes, here or in
///   tests/data/client-errors: Go's bare `remote error: tls: handshake failure` is what Go
///   prints for no shared suite, group or signature scheme and for a withheld client
///   certificate (k = 5), Chromium's `ERR_SSL_VERSION_OR_CIPHER_MISMATCH` for no shared
///   version, suite, group or scheme (k = 4). Then all k causes must be listed: the true cause
///   within the first N = k (at most MAX_CANDIDATES = 5). Which of them it is, only
///   `tlsdoctor check --clients` can say, and the next command names it;
/// - Chromium's certificate errors that its source maps from several causes, listed with the
///   reason in causes.json `ambiguous`: the true cause may be second.
#[test]
fn every_real_client_failure_on_disagreeing_servers_is_explained() {
    let truths = read_json("tests/data/clients/causes.json");
    let failures = client_failures(&truths);
    assert_eq!(
        failures.len(),
        97,
        "outcomes.json has changed: review causes.json"
    );
    let old: Vec<(Vec<String>, String)> = recorded()
        .iter()
        .map(|m| {
            let text = m["message"].as_str().unwrap_or_default();
            let cause = m["cause"].as_str().unwrap_or_default();
            (words(text), cause.to_string())
        })
        .collect();
    let new: Vec<(Vec<String>, String)> = failures
        .iter()
        .map(|f| (words(&f.text), f.truth.clone()))
        .collect();
    let ambiguous = truths["ambiguous"].as_array().cloned().unwrap_or_default();

    let mut ranks = [0usize; MAX_CANDIDATES + 1];
    let mut shared_words = Vec::new();
    let mut misses = Vec::new();
    for f in &failures {
        assert!(
            tlsdoctor::causes::Cause::from_id(&f.truth).is_some(),
            "{}: {} is no cause",
            f.label,
            f.truth
        );
        let e = explain(&f.text);
        let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
        let rank = got.iter().position(|c| *c == f.truth);
        ranks[rank.unwrap_or(MAX_CANDIDATES)] += 1;

        let mine = words(&f.text);
        let mut sharing: Vec<&str> = old
            .iter()
            .filter(|(w, _)| same_words(w, &mine, false))
            .chain(new.iter().filter(|(w, _)| same_words(w, &mine, true)))
            .map(|(_, c)| c.as_str())
            .collect();
        sharing.sort_unstable();
        sharing.dedup();
        assert!(sharing.len() <= MAX_CANDIDATES, "{}: {sharing:?}", f.label);
        let documented = ambiguous.iter().find(|a| {
            a["client"] == f.client.as_str()
                && a["text"].as_str().is_some_and(|t| f.text.contains(t))
        });
        let allowed = if sharing.len() > 1 {
            shared_words.push(format!("{}: {} of {sharing:?}", f.label, f.truth));
            sharing.len()
        } else if let Some(entry) = documented {
            let causes: Vec<&str> = entry["causes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            assert!(causes.contains(&f.truth.as_str()), "{}", f.label);
            assert!(!entry["why"].as_str().unwrap_or_default().is_empty());
            for cause in &causes {
                if !got.iter().take(causes.len()).any(|c| c == cause) {
                    misses.push(format!(
                        "{}: {cause} not in the first {}",
                        f.label,
                        causes.len()
                    ));
                }
            }
            2
        } else {
            1
        };
        if rank.is_none_or(|r| r >= allowed) {
            misses.push(format!(
                "{}: {} not in the first {allowed} of {got:?}: {}",
                f.label, f.truth, f.text
            ));
        }
        // A negotiation failure sends the reader to that client's own ClientHello.
        let negotiation = [
            "protocol-too-old",
            "no-shared-version",
            "legacy-cipher-only",
            "no-shared-cipher",
            "no-shared-group",
            "no-shared-signature-scheme",
            "dh-too-small",
        ];
        if negotiation.contains(&f.truth.as_str()) {
            let family = CLIENT_FAMILIES
                .iter()
                .find(|(client, _)| *client == f.client)
                .map(|(_, family)| *family)
                .unwrap_or("?");
            // The family, or one of its profiles when the message shows the version.
            let flag = format!("--clients {family}");
            let named = e.next.ends_with(&flag) || e.next.contains(&format!("{flag}-"));
            if !named {
                misses.push(format!(
                    "{}: next is {:?}, not with {flag}",
                    f.label, e.next
                ));
            }
            let told = e.candidates.iter().find(|c| c.cause.id() == f.truth);
            if !told.is_some_and(|c| c.tell.contains(&flag)) {
                misses.push(format!("{}: the tell does not name {flag}", f.label));
            }
        }
    }
    eprintln!(
        "clients corpus: rank of the true cause (1st, 2nd, ...; last = missing): {ranks:?} of {}",
        failures.len()
    );
    eprintln!(
        "clients corpus: words recorded for several causes: {}",
        shared_words.join("; ")
    );
    assert!(
        misses.is_empty(),
        "{} of {} client failures are explained wrongly:\n{}",
        misses.len(),
        failures.len(),
        misses.join("\n")
    );
}

/// What real servers (nginx, Apache httpd, HAProxy, openssl s_server) log when they refuse a
/// client's certificate, recorded by tests/data/server-logs/record.py. The certificate in
/// question is the client's: every message must be explained with its true `client-*` cause
/// first or second, and never with a server-chain cause ahead of it. Where the server logs the
/// same words for k causes (HAProxy's "SSL client certificate not trusted", nginx's "400 The SSL
/// certificate error" page) all k must be listed, the true one within the first k.
#[test]
fn every_recorded_server_log_names_the_clients_certificate_cause() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/server-logs/messages.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("server logs")).expect("JSON");
    let messages: Vec<Value> = doc["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["cause"].is_string())
        .cloned()
        .collect();
    assert!(messages.len() >= 40, "the recording looks truncated");
    let mut ranks = [0usize; MAX_CANDIDATES + 1];
    let mut misses = Vec::new();
    for m in &messages {
        let text = m["message"].as_str().unwrap_or_default();
        let truth = m["cause"].as_str().unwrap_or_default();
        let e = explain(text);
        let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
        let rank = got.iter().position(|c| *c == truth);
        ranks[rank.unwrap_or(MAX_CANDIDATES)] += 1;
        let allowed = causes_sharing_the_text(&messages, text).max(2);
        let label = format!("{} / {} ({})", m["server"], m["scenario"], m["source"]);
        if rank.is_none_or(|r| r >= allowed) {
            misses.push(format!(
                "{label}: {truth} not in the first {allowed} of {got:?}: {text}"
            ));
        }
        if let Some(first) = got.first()
            && !first.starts_with("client-")
            && *first != "handshake-failure"
        {
            misses.push(format!(
                "{label}: a server-chain cause first ({first}): {text}"
            ));
        }
    }
    eprintln!(
        "server logs: rank of the true cause (1st, 2nd, ...; last = missing): {ranks:?} of {}",
        messages.len()
    );
    assert!(
        misses.is_empty(),
        "{} of {} server log messages are explained wrongly:\n{}",
        misses.len(),
        messages.len(),
        misses.join("\n")
    );
}

/// git (libcurl-gnutls) and apt's https method, the GnuTLS programs of Debian and Ubuntu, on
/// the scenarios of tests/data/client-errors, recorded by tests/data/gnutls-tools/record.py.
/// Held out: recorded and measured before rules were written from it (docs/explain-corpus.md).
/// The true cause first or second; where the program prints the same words for k causes, all
/// within the first k, and where k is more than fit (git's "server certificate verification
/// failed" for a dozen chain problems), every candidate listed must be one of them.
/// Words a program prints when it has no reason to give, with why they say nothing.
const UNINFORMATIVE: &[(&str, &str)] = &[(
    "Undetermined Error",
    "apt's fallback when its https method fails without an error set; recorded once, for a \
     server whose leaf lacks serverAuth, which GnuTLS itself would have named",
)];

#[test]
fn every_git_and_apt_message_is_explained() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gnutls-tools/messages.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("git/apt")).expect("JSON");
    let messages: Vec<Value> = doc["messages"].as_array().cloned().unwrap_or_default();
    assert!(messages.len() >= 50, "the recording looks truncated");
    let mut ranks = [0usize; MAX_CANDIDATES + 1];
    let mut misses = Vec::new();
    for m in &messages {
        let text = m["message"].as_str().unwrap_or_default();
        let truth = m["cause"].as_str().unwrap_or_default();
        let e = explain(text);
        let got: Vec<&str> = e.candidates.iter().map(|c| c.cause.id()).collect();
        let rank = got.iter().position(|c| *c == truth);
        ranks[rank.unwrap_or(MAX_CANDIDATES)] += 1;
        let mut sharing: Vec<&str> = messages
            .iter()
            .filter(|o| o["message"].as_str() == Some(text))
            .filter_map(|o| o["cause"].as_str())
            .collect();
        sharing.sort_unstable();
        sharing.dedup();
        let label = format!("{} / {}", m["client"], m["scenario"]);
        if let Some((_, why)) = UNINFORMATIVE.iter().find(|(words, _)| text.contains(words)) {
            // Nothing to read: explain must not invent a cause.
            if !got.is_empty() {
                misses.push(format!(
                    "{label}: {got:?} guessed from words that say nothing ({why})"
                ));
            }
            continue;
        }
        if sharing.len() > MAX_CANDIDATES {
            if got.len() < MAX_CANDIDATES || got.iter().any(|c| !sharing.contains(c)) {
                misses.push(format!(
                    "{label}: {got:?} not all among {sharing:?}: {text}"
                ));
            }
            continue;
        }
        let allowed = sharing.len().max(2);
        if rank.is_none_or(|r| r >= allowed) {
            misses.push(format!(
                "{label}: {truth} not in the first {allowed} of {got:?}: {text}"
            ));
        }
    }
    eprintln!(
        "git and apt: rank of the true cause (1st, 2nd, ...; last = missing): {ranks:?} of {}",
        messages.len()
    );
    assert!(
        misses.is_empty(),
        "{} of {} git and apt messages are explained wrongly:\n{}",
        misses.len(),
        messages.len(),
        misses.join("\n")
    );
}
