//! Every chain defect is named, with its fix, on a live server and in a file.

mod common;
use common::*;

/// A chain fixture with one defect, and what the check must say about it.
struct Defect {
    fixture: &'static str,
    /// The cause it must produce...
    cause: &'static str,
    /// ...about this certificate...
    index: Option<u64>,
    /// ...with this verdict.
    verdict: &'static str,
    /// Other error-severity causes that are right for this chain too; each says why below.
    also_errors: &'static [&'static str],
}

const fn defect(
    fixture: &'static str,
    cause: &'static str,
    index: Option<u64>,
    verdict: &'static str,
) -> Defect {
    Defect {
        fixture,
        cause,
        index,
        verdict,
        also_errors: &[],
    }
}

const DEFECTS: &[Defect] = &[
    defect("leaf-only", "missing-intermediate", Some(0), "error"),
    defect("wrong-order", "wrong-order", None, "warning"),
    defect("root-included", "root-included", Some(2), "ok"),
    defect(
        "extra-certificates",
        "extra-certificates",
        Some(2),
        "warning",
    ),
    defect(
        "duplicate-certificate",
        "duplicate-certificate",
        Some(2),
        "warning",
    ),
    defect("expired-leaf", "expired", Some(0), "error"),
    defect("expired-intermediate", "expired", Some(1), "error"),
    defect("not-yet-valid", "not-yet-valid", Some(0), "error"),
    defect("no-san", "no-san", Some(0), "error"),
    defect("wildcard", "hostname-mismatch", Some(0), "error"),
    defect("unknown-issuer", "unknown-issuer", Some(1), "error"),
    defect("untrusted-root", "private-root", Some(2), "error"),
    defect("self-signed-leaf", "self-signed-leaf", Some(0), "error"),
    defect("bad-signature", "bad-signature", Some(0), "error"),
    defect("not-a-ca", "not-a-ca", Some(1), "error"),
    defect("wrong-eku", "wrong-eku", Some(0), "error"),
    defect("intermediate-wrong-eku", "wrong-eku", Some(1), "error"),
    defect("weak-signature", "weak-signature", Some(0), "error"),
    defect("weak-key", "weak-key", Some(1), "error"),
    defect("leaf-is-ca", "leaf-is-ca", Some(0), "error"),
    defect("path-length", "path-length-exceeded", Some(2), "error"),
    defect(
        "name-constraints",
        "name-constraints-violation",
        Some(1),
        "error",
    ),
    Defect {
        // The leaf's keyUsage is keyCertSign alone: besides lacking digitalSignature, a
        // certificate that is not a CA may not assert keyCertSign (RFC 5280 4.2.1.3), which
        // Chrome refuses on its own. Two defects of one extension, both real.
        also_errors: &["profile-violation"],
        ..defect("bad-key-usage", "bad-key-usage", Some(0), "error")
    },
    Defect {
        // The garbage is not the intermediate (fixtures/README.md): the leaf's issuer is
        // really absent, and clients fail on that as well as on the bytes they cannot parse.
        also_errors: &["missing-intermediate"],
        ..defect("unparseable", "unparseable-certificate", Some(1), "error")
    },
];

/// Chains with nothing wrong.
const HEALTHY: &[&str] = &["good", "long-good", "good-rsa", "good-ed25519"];

fn assert_named(run: &Run, defect: &Defect) {
    let Defect {
        fixture,
        cause,
        index,
        verdict,
        also_errors,
    } = *defect;
    let finding = run.finding(cause);
    assert_eq!(
        finding["cert_index"].as_u64(),
        index,
        "{fixture}: {cause} is about the wrong certificate: {finding}"
    );
    for field in ["title", "detail", "explanation", "fix"] {
        assert!(
            finding[field].as_str().is_some_and(|s| s.len() > 10),
            "{fixture}: {cause} has no {field}: {finding}"
        );
    }
    assert_eq!(run.verdict(), verdict, "{fixture}: {}", run.stdout);
    let unexpected: Vec<String> = errors(run)
        .into_iter()
        .filter(|c| c != cause && !also_errors.contains(&c.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{fixture}: errors besides {cause}: {unexpected:?}\n{}",
        run.stdout
    );
    for also in also_errors {
        assert!(run.has(also), "{fixture}: no {also}: {:?}", run.causes());
    }
    let expected_code = if verdict == "error" { 1 } else { 0 };
    assert_eq!(
        run.code, expected_code,
        "{fixture}: exit code; stderr {}",
        run.stderr
    );
}

/// The causes of the run's error-severity findings.
fn errors(run: &Run) -> Vec<String> {
    run.target()["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| f["severity"] == "error")
                .filter_map(|f| f["cause"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_defect_is_named_on_a_live_server_and_nothing_else_is_an_error() {
    for defect in DEFECTS {
        let server = Server::tls(defect.fixture);
        let run = check_live(&server, &[]);
        assert_named(&run, defect);
    }
}

#[test]
fn every_defect_is_named_in_a_chain_file_and_nothing_else_is_an_error() {
    for defect in DEFECTS {
        let run = check_file(defect.fixture, &[]);
        assert_named(&run, defect);
    }
}

#[test]
fn every_defect_is_named_with_its_fix_in_the_human_report() {
    for &Defect {
        fixture,
        cause,
        verdict,
        ..
    } in DEFECTS
    {
        let server = Server::tls(fixture);
        for run in [
            check_live(&server, &["--format", "human", "--color", "never"]),
            check_file(fixture, &["--format", "human", "--color", "never"]),
        ] {
            let fix = tlsdoctor::causes::Cause::from_id(cause)
                .map(|c| c.entry().fix)
                .unwrap_or_else(|| panic!("{cause} is not in the catalog"));
            let fix_start: String = fix.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
            assert!(
                run.stdout.contains(cause),
                "{fixture}: no {cause} in\n{}",
                run.stdout
            );
            assert!(
                run.stdout.contains(&format!("fix: {fix_start}")),
                "{fixture}: no fix in\n{}",
                run.stdout
            );
            let verdict_line = format!("Verdict: {}", verdict.to_uppercase());
            assert!(
                run.stdout.contains(&verdict_line),
                "{fixture}: no {verdict_line:?}"
            );
        }
    }
}

#[test]
fn several_ca_files_make_one_store() {
    let other = ca_path("other-root").display().to_string();
    let root = root_ca();
    let run = check_file("untrusted-root", &["--ca-file", &other, "--ca-file", &root]);
    assert_eq!(run.target()["trust"]["roots"], 2);
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
    assert!(run.has("root-included"));
}

#[test]
fn healthy_chains_are_ok_live_and_in_files() {
    for fixture in HEALTHY {
        for run in [
            check_live(&Server::tls(fixture), &[]),
            check_file(fixture, &[]),
        ] {
            assert_eq!(run.verdict(), "ok", "{fixture}: {}", run.stdout);
            assert_eq!(run.code, 0, "{fixture}");
            assert_eq!(run.causes(), vec![], "{fixture}");
            let trust = &run.target()["trust"];
            assert_eq!(trust["trusted"], true, "{fixture}");
            assert_eq!(trust["verified"], true, "{fixture}");
            assert!(
                trust["anchor"]["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("tlsdoctor Test Root CA")
            );
        }
    }
}

#[test]
fn the_server_that_sends_only_its_leaf_is_told_to_send_the_intermediate() {
    let run = check_live(&Server::tls("leaf-only"), &[]);
    assert_eq!(run.code, 1);
    let finding = run.finding("missing-intermediate");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("tlsdoctor Test Intermediate CA"),
        "names the missing issuer: {detail}"
    );
    assert!(
        detail.contains("http://127.0.0.1:9/intermediate.cer"),
        "says where to get it: {detail}"
    );
    assert_eq!(finding["side"], "server");
    assert!(fix_step(&finding, "nginx").contains("ssl_certificate"));
}

#[test]
fn a_private_ca_without_its_root_is_an_unknown_issuer_for_the_mozilla_store() {
    let server = Server::tls("good");
    let target = server.target();
    let run = tlsdoctor(&[
        "check",
        &target,
        "--servername",
        "ok.test",
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.target()["trust"]["store"], "mozilla");
    let finding = run.finding("unknown-issuer");
    assert_eq!(finding["cert_index"], 1);
    assert!(fix_step(&finding, "Debian/Ubuntu").contains("update-ca-certificates"));
    assert!(fix_step(&finding, "check").contains("--ca-file"));
    assert!(
        finding["avoid"]
            .as_str()
            .unwrap_or_default()
            .contains("InsecureSkipVerify")
    );
}

#[test]
fn the_same_chain_is_judged_at_the_instant_asked_for() {
    let server = Server::tls("good");
    let soon = check_live(&server, &["--at", "2026-12-20T00:00:00Z"]);
    assert_eq!(soon.verdict(), "warning");
    assert_eq!(soon.code, 0);
    assert!(
        soon.finding("expiring-soon")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("12 days left")
    );

    let quieter = check_live(
        &server,
        &["--at", "2026-12-20T00:00:00Z", "--warn-days", "7"],
    );
    assert_eq!(quieter.verdict(), "ok", "{}", quieter.stdout);

    let later = check_live(&server, &["--at", "2027-02-01"]);
    assert_eq!(later.verdict(), "error");
    assert_eq!(later.finding("expired")["cert_index"], 0);
    assert_eq!(later.target()["checked_at"], "2027-02-01T00:00:00Z");
}

#[test]
fn staging_ip_checked_with_a_name_the_certificate_lacks_is_a_mismatch() {
    let run = check_live(&Server::tls("good"), &["--servername", "api.example.com"]);
    assert_eq!(run.code, 1);
    let detail = run.finding("hostname-mismatch")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("api.example.com") && detail.contains("DNS:ok.test"),
        "{detail}"
    );
    assert_eq!(run.target()["name"], "api.example.com");
    assert_eq!(run.target()["connection"]["sni"], "api.example.com");
}

#[test]
fn wildcards_cover_exactly_one_label() {
    let server = Server::tls("wildcard");
    let one_label = check_live(&server, &["--servername", "a.wild.test"]);
    assert_eq!(one_label.verdict(), "ok", "{}", one_label.stdout);
    let apex = check_live(&server, &["--servername", "wild.test"]);
    assert!(
        apex.finding("hostname-mismatch")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("does not cover wild.test itself")
    );
    let deeper = check_live(&server, &["--servername", "a.b.wild.test"]);
    assert!(
        deeper.finding("hostname-mismatch")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("exactly one label")
    );
}

#[test]
fn an_ip_target_is_matched_against_ip_sans_without_sni() {
    let server = Server::tls("good");
    let run = check_by_address(&server.target(), &[]);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert_eq!(run.target()["name"], "127.0.0.1");
    assert!(run.target()["connection"]["sni"].is_null());

    let no_ip_sans = Server::tls("wildcard");
    let run = check_by_address(&no_ip_sans.target(), &[]);
    let detail = run.finding("hostname-mismatch")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("no IP address SANs") && detail.contains("--servername"),
        "{detail}"
    );
}

#[test]
fn the_connection_is_described() {
    let run = check_live(&Server::tls12("good-rsa"), &[]);
    let connection = &run.target()["connection"];
    assert_eq!(connection["tls_version"], "TLS 1.2");
    assert!(
        connection["cipher_suite"]
            .as_str()
            .unwrap_or_default()
            .starts_with("TLS_ECDHE_RSA")
    );
    assert_eq!(connection["alpn"], serde_json::Value::Null);
    assert_eq!(connection["address"], run.target()["target"]);

    let run = check_live(&Server::tls("good"), &[]);
    assert_eq!(run.target()["connection"]["tls_version"], "TLS 1.3");
}

#[test]
fn a_stale_intermediate_with_the_right_name_is_told_apart_by_key_id() {
    let run = check_file("bad-signature", &[]);
    let detail = run.finding("bad-signature")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("expects the issuer key id"), "{detail}");
    assert!(
        !run.has("extra-certificates"),
        "the wrong intermediate is blamed once: {:?}",
        run.causes()
    );
}

#[test]
fn the_chain_is_reported_as_sent_with_its_facts() {
    let run = check_file("wrong-order", &[]);
    let chain = run.target()["chain"].clone();
    assert_eq!(chain.as_array().map(Vec::len), Some(3));
    assert_eq!(chain[0]["role"], "leaf");
    assert_eq!(chain[0]["subject"], "CN=ok.test");
    assert_eq!(chain[0]["issued_by"], 2);
    assert_eq!(chain[2]["issued_by"], 1);
    assert_eq!(chain[0]["sans"][0], "DNS:ok.test");
    assert_eq!(chain[0]["key"]["algorithm"], "EC");
    assert_eq!(chain[0]["key"]["curve"], "P-256");
    assert_eq!(chain[0]["extended_key_usage"][0], "serverAuth");
    assert_eq!(chain[0]["days_left"], 214);
    assert_eq!(chain[0]["not_after"], "2027-01-01T00:00:00Z");
    assert_eq!(chain[1]["is_ca"], true);
    assert_eq!(chain[0]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(run.target()["trust"]["path"], serde_json::json!([0, 2, 1]));
}

#[test]
fn an_unparseable_certificate_is_shown_by_size_and_fingerprint() {
    let run = check_file("unparseable", &[]);
    let cert = &run.target()["chain"][1];
    assert_eq!(cert["role"], "unparseable");
    assert_eq!(cert["size"], 300);
    assert!(cert["parse_error"].is_string());
    let detail = run.finding("unparseable-certificate")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("300 bytes") && detail.contains(cert["sha256"].as_str().unwrap_or("?")),
        "{detail}"
    );
}

#[test]
fn a_der_chain_file_is_read_like_pem() {
    let file = fixtures().join("chains/good.der").display().to_string();
    let root = root_ca();
    let run = tlsdoctor(&[
        "check",
        "--file",
        &file,
        "--host",
        "ok.test",
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(run.verdict(), "ok", "{}{}", run.stdout, run.stderr);
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(2));
    assert_eq!(run.target()["source"], "file");
}

#[test]
fn a_file_without_a_host_says_the_name_was_not_checked() {
    let file = chain_path("good").display().to_string();
    let root = root_ca();
    let run = tlsdoctor(&[
        "check",
        "--file",
        &file,
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(run.verdict(), "ok");
    assert_eq!(run.finding("name-not-checked")["severity"], "info");
}

#[test]
fn an_expired_trusted_root_is_reported_though_webpki_ignores_root_dates() {
    let run = check_file("good", &["--at", "2040-06-01"]);
    let root_expired = run.target()["findings"]
        .as_array()
        .and_then(|fs| {
            fs.iter()
                .find(|f| f["cause"] == "expired" && f["cert_index"].is_null())
                .cloned()
        })
        .unwrap_or_else(|| panic!("no expired finding for the root: {:?}", run.causes()));
    assert!(
        root_expired["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("trusted root")
    );
}

#[test]
fn an_ipv6_target_in_brackets_is_checked() {
    let Ok(probe) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    };
    drop(probe);
    let server = Server::tls_on("[::1]:0", "good");
    let run = check_by_address(&format!("[::1]:{}", server.port()), &[]);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert_eq!(run.target()["name"], "::1");
    assert_eq!(
        run.target()["connection"]["address"],
        format!("[::1]:{}", server.port())
    );
}

#[test]
fn sub_second_instants_are_judged_in_whole_seconds_like_verifiers_do() {
    // The good leaf's notAfter is 2027-01-01T00:00:00Z; half a second later is still that second.
    let run = check_file("good", &["--at", "2027-01-01T00:00:00.5Z"]);
    assert!(!run.has("expired"), "{:?}", run.causes());
    assert!(run.has("expiring-soon"));
    assert_eq!(run.target()["checked_at"], "2027-01-01T00:00:00Z");
}

/// The leaf and root of a test PKI as files, checked offline as `ok.test` against that root.
fn check_pki(pki: &pki::NamedPki, label: &str) -> Run {
    let scratch = Scratch::new(label);
    let chain = scratch.file("chain.pem", tlsdoctor::bundle::to_pem(&pki.leaf).as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    check_path(&chain, &["--ca-file", &root])
}

#[test]
fn a_well_formed_test_pki_passes_the_profile_checks() {
    let run = check_pki(
        &pki::NamedPki::new("Profile Test Root", "ok.test"),
        "profile-ok",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.has("profile-violation"));
}

#[test]
fn a_leaf_without_authority_key_identifier_is_rejected_by_strict_clients() {
    let pki = pki::NamedPki::with(
        "Profile Test Root",
        "ok.test",
        |_| {},
        |leaf| {
            leaf.use_authority_key_identifier_extension = false;
        },
    );
    let run = check_pki(&pki, "profile-aki");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let finding = run.finding("profile-violation");
    assert_eq!(finding["cert_index"], 0);
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("authorityKeyIdentifier") && detail.contains("Python 3.13"),
        "{detail}"
    );
}

#[test]
fn a_trusted_root_with_an_unknown_critical_extension_is_named() {
    let pki = pki::NamedPki::with(
        "Profile Test Root",
        "ok.test",
        |root| {
            let mut odd = rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 99999, 1],
                vec![0x05, 0x00],
            );
            odd.set_criticality(true);
            root.custom_extensions.push(odd);
        },
        |_| {},
    );
    let run = check_pki(&pki, "profile-root");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let detail = run.finding("profile-violation")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("the trusted root") && detail.contains("1.3.6.1.4.1.99999.1"),
        "{detail}"
    );
}

/// The safety net: a chain no check faults but rustls-webpki rejects is an error, never "ok".
/// webpki counts a self-issued CA against its issuer's pathlen:0 where RFC 5280 does not (so
/// the path-length check, which follows the RFC, finds nothing); Go rejects it too.
#[test]
fn a_chain_only_the_verifier_rejects_is_an_error_not_ok() {
    let pki = pki::SelfIssuedPki::new();
    let scratch = Scratch::new("verifier-only");
    let pem: String = pki
        .chain
        .iter()
        .map(|c| tlsdoctor::bundle::to_pem(c))
        .collect();
    let chain = scratch.file("chain.pem", pem.as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    let run = check_path(&chain, &["--ca-file", &root]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.verdict(), "error");
    assert_eq!(errors(&run), ["rejected-by-verifier"], "{}", run.stdout);
    let detail = run.finding("rejected-by-verifier")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("rustls-webpki rejects"), "{detail}");
}
