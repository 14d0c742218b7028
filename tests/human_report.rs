//! The default human report of one target fits on a screen: the verdict, the cause, its detail,
//! the fix for the server that answered and a line a certificate; `-v` shows every fact.

mod common;
use common::*;

/// The human report of a check against `server`, without colour.
fn human(server: &Server, extra: &[&str]) -> Run {
    let mut args = vec!["--format", "human", "--color", "never"];
    args.extend_from_slice(extra);
    check_live(server, &args)
}

fn line_with<'a>(report: &'a str, needle: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{report}"))
}

#[test]
fn an_expired_leaf_on_nginx_fits_in_25_lines_with_its_cause_fix_and_verdict() {
    let server = Server::https("expired-leaf", Some("nginx/1.22.1"));
    let run = human(&server, &[]);
    let out = &run.stdout;
    assert_eq!(run.code, 1, "{out}");
    assert!(
        out.lines().count() <= 25,
        "{} lines:\n{out}",
        out.lines().count()
    );
    for needle in [
        "expired [0]  A certificate has expired",
        "the leaf expired on 2026-01-01 00:00 UTC",
        "fix: Renew the certificate",
        "nginx: a renewed file is served only after `nginx -s reload`",
        "4 more platforms with --all-fixes",
        "Clients",
        "Verdict: ERROR (1 error, 0 warnings)",
    ] {
        assert!(out.contains(needle), "no {needle:?} in\n{out}");
    }
    // A line a certificate, and the leaf's says what the finding is about.
    assert!(
        line_with(out, "[0] leaf").contains("expired 2026-01-01, 151 days ago"),
        "{out}"
    );
    let intermediate = line_with(out, "[1] intermediate");
    assert!(
        intermediate.contains("CN=tlsdoctor Test Intermediate CA")
            && intermediate.contains("until 2035-01-01, 3136 days left")
            && intermediate.contains("RSA 2048"),
        "{out}"
    );
    assert!(line_with(out, "✓ trusted by").contains("CN=tlsdoctor Test Root CA"));
    for folded in ["issuer  ", "names  ", "why: ", "avoid: ", "Trust stores"] {
        assert!(!out.contains(folded), "{folded:?} is for -v:\n{out}");
    }
}

#[test]
fn verbose_still_shows_every_fact_of_every_certificate_and_store() {
    let server = Server::https("expired-leaf", Some("nginx/1.22.1"));
    let out = human(&server, &["-v"]).stdout;
    for needle in [
        "Chain as sent (2 certificates)",
        "[0] leaf         CN=ok.test",
        "issuer     [1] O=tlsdoctor test PKI, CN=tlsdoctor Test Intermediate CA",
        "valid      2025-01-01 → 2026-01-01  (expired 151 days ago)",
        "names      DNS:ok.test, DNS:www.ok.test, IP:127.0.0.1, IP:::1",
        "key        EC P-256, signed with sha256WithRSAEncryption",
        "[1] intermediate O=tlsdoctor test PKI, CN=tlsdoctor Test Intermediate CA",
        "valid      2020-01-01 → 2035-01-01  (3136 days left)",
        "key        RSA 2048, signed with sha256WithRSAEncryption",
        "Trust stores",
        "SPKI SHA-256",
        "1 root",
        "why: The certificate's notAfter date is in the past",
        "avoid: Do not set clocks back",
        "certbot: `certbot renew`",
        "each client's own ClientHello",
    ] {
        assert!(out.contains(needle), "no {needle:?} in\n{out}");
    }
}

/// What a failure depends on stays in the compact report: the names for a name mismatch, the
/// issuer for a chain that stops short.
#[test]
fn a_certificate_a_finding_names_shows_what_the_finding_is_about() {
    let good = Server::tls("good");
    let mismatch = human(&good, &["--servername", "www.example.com"]).stdout;
    assert!(mismatch.contains("hostname-mismatch [0]"), "{mismatch}");
    assert!(
        mismatch.contains("names      DNS:ok.test, DNS:www.ok.test, IP:127.0.0.1, IP:::1"),
        "{mismatch}"
    );

    let leaf_only = human(&Server::tls("leaf-only"), &["--no-fetch"]).stdout;
    assert!(
        leaf_only.contains("missing-intermediate [0]"),
        "{leaf_only}"
    );
    assert!(
        leaf_only.contains("issuer     O=tlsdoctor test PKI, CN=tlsdoctor Test Intermediate CA"),
        "{leaf_only}"
    );
}

/// One line for the stores only when they agree: when one trusts the chain and another does
/// not, each is shown with where it was read from.
#[test]
fn stores_that_disagree_keep_their_section() {
    let root = root_ca();
    let file = chain_path("good").display().to_string();
    let run = tlsdoctor_env(
        &[
            "check", "--file", &file, "--host", "ok.test", "--at", AT, "--color", "never",
        ],
        &[("SSL_CERT_FILE", &root)],
    );
    let out = &run.stdout;
    assert!(out.contains("Trust stores"), "{out}");
    assert!(line_with(out, "✗ mozilla").contains("not trusted"), "{out}");
    assert!(line_with(out, "✓ system").contains("trusted via"), "{out}");
    assert!(out.contains(&format!("file {root}")), "{out}");
}
