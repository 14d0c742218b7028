//! A certificate that breaks a rule its CA must follow, but that every mainstream client
//! accepts, keeps its verdict and is still named: the report says which rule (RFC 5280 or the
//! Baseline Requirements) and that clients do not enforce it.

mod common;
use common::*;

/// The leaf and root of a test PKI as files, checked offline as `ok.test` against that root.
fn check_pki(pki: &pki::NamedPki, label: &str) -> Run {
    let scratch = Scratch::new(label);
    let chain = scratch.file("chain.pem", tlsdoctor::bundle::to_pem(&pki.leaf).as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    check_path(&chain, &["--ca-file", &root])
}

/// The one finding of the run's `nonconforming-certificate` findings whose detail names `rule`.
fn nonconforming(run: &Run, rule: &str) -> serde_json::Value {
    run.target()["findings"]
        .as_array()
        .and_then(|fs| {
            fs.iter()
                .find(|f| {
                    f["cause"] == "nonconforming-certificate"
                        && f["detail"].as_str().is_some_and(|d| d.contains(rule))
                })
                .cloned()
        })
        .unwrap_or_else(|| panic!("no nonconforming-certificate for {rule}: {}", run.stdout))
}

/// Accepted by every client: exit 0, verdict ok, and the finding says clients let it pass.
fn assert_accepted_and_named(run: &Run, finding: &serde_json::Value) {
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert_eq!(finding["severity"], "info", "{finding}");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("no mainstream client rejects it"),
        "{detail}"
    );
    for field in ["title", "explanation", "fix"] {
        assert!(
            finding[field].as_str().is_some_and(|s| s.len() > 10),
            "no {field}: {finding}"
        );
    }
}

#[test]
fn a_well_formed_test_pki_breaks_no_issuance_rule() {
    let run = check_pki(
        &pki::NamedPki::new("Rules Test Root", "ok.test"),
        "rules-ok",
    );
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert!(!run.has("nonconforming-certificate"), "{:?}", run.causes());
    assert!(!run.has("misissued-certificate"), "{:?}", run.causes());
}

#[test]
fn a_leaf_without_extended_key_usage_is_named_though_clients_accept_it() {
    let pki = pki::NamedPki::with(
        "Rules Test Root",
        "ok.test",
        |_| {},
        |leaf| leaf.extended_key_usages.clear(),
    );
    let run = check_pki(&pki, "rules-no-eku");
    let finding = nonconforming(&run, "BR 7.1.2.7.6");
    assert_eq!(finding["cert_index"], 0);
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no extKeyUsage")),
        "{finding}"
    );
    assert_accepted_and_named(&run, &finding);
}

#[test]
fn a_serial_number_of_zero_is_named_as_breaking_rfc_5280() {
    let pki = pki::NamedPki::with(
        "Rules Test Root",
        "ok.test",
        |_| {},
        |leaf| leaf.serial_number = Some(rcgen::SerialNumber::from(vec![0])),
    );
    let run = check_pki(&pki, "rules-serial");
    let finding = nonconforming(&run, "RFC 5280 4.1.2.2");
    assert_eq!(finding["cert_index"], 0);
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.contains("serial number is 0")),
        "{finding}"
    );
    assert_accepted_and_named(&run, &finding);
}

#[test]
fn a_common_name_that_is_not_one_of_the_sans_is_named() {
    let pki = pki::NamedPki::with(
        "Rules Test Root",
        "ok.test",
        |_| {},
        |leaf| {
            leaf.distinguished_name = rcgen::DistinguishedName::new();
            leaf.distinguished_name
                .push(rcgen::DnType::CommonName, "OK.test");
        },
    );
    let run = check_pki(&pki, "rules-cn");
    let finding = nonconforming(&run, "BR 7.1.4.3");
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.contains("\"OK.test\"")),
        "{finding}"
    );
    assert_accepted_and_named(&run, &finding);
}

#[test]
fn a_trusted_root_with_extended_key_usage_is_named() {
    let pki = pki::NamedPki::with(
        "Rules Test Root",
        "ok.test",
        |root| {
            root.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        },
        |_| {},
    );
    let run = check_pki(&pki, "rules-root-eku");
    let finding = nonconforming(&run, "BR 7.1.2.1.2");
    assert!(finding["cert_index"].is_null(), "{finding}");
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("the trusted root")),
        "{finding}"
    );
    assert_accepted_and_named(&run, &finding);
}

/// A test PKI whose leaf names only `wildcard`, checked as `host` with `--clients`.
fn check_wildcard(wildcard: &str, host: &str, label: &str) -> Run {
    let pki = pki::NamedPki::with(
        "Rules Test Root",
        host,
        |_| {},
        |leaf| {
            let dns = wildcard.try_into().expect("an IA5 name");
            leaf.subject_alt_names = vec![rcgen::SanType::DnsName(dns)];
        },
    );
    let scratch = Scratch::new(label);
    let chain = scratch.file("chain.pem", tlsdoctor::bundle::to_pem(&pki.leaf).as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    check_path(
        &chain,
        &[
            "--ca-file",
            &root,
            "--host",
            host,
            "--clients",
            "chrome,firefox,openssl-3.0",
        ],
    )
}

#[test]
fn a_wildcard_over_an_icann_suffix_fails_in_chrome_and_works_elsewhere() {
    let run = check_wildcard("*.co.uk", "example.co.uk", "rules-psl-icann");
    let finding = run.finding("wildcard-over-public-suffix");
    assert_eq!(finding["cert_index"], 0);
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.contains("co.uk") && d.contains("Chrome")),
        "{finding}"
    );
    assert_eq!(run.client_outcome("chrome"), "fail", "{}", run.stdout);
    assert_eq!(run.client_outcome("firefox"), "ok", "{}", run.stdout);
    assert_eq!(run.client_outcome("openssl-3.0"), "ok", "{}", run.stdout);
}

#[test]
fn a_wildcard_over_a_private_suffix_is_named_but_every_client_matches_it() {
    let run = check_wildcard(
        "*.s3.amazonaws.com",
        "bucket.s3.amazonaws.com",
        "rules-psl-private",
    );
    assert!(
        !run.has("wildcard-over-public-suffix"),
        "{:?}",
        run.causes()
    );
    let finding = nonconforming(&run, "BR 3.2.2.6");
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PRIVATE")),
        "{finding}"
    );
    assert_eq!(run.client_outcome("chrome"), "ok", "{}", run.stdout);
}

#[test]
fn a_public_cas_leaf_without_extended_key_usage_is_misissued_and_still_accepted() {
    // Under a publicly trusted root the same break is the CA's violation of the Baseline
    // Requirements: a warning that names the rule, while clients keep connecting.
    let pki = pki::NamedPki::with(
        "Public Test Root",
        "ok.test",
        |_| {},
        |leaf| leaf.extended_key_usages.clear(),
    );
    let report = pki::check_as_public(
        &pki,
        "ok.test",
        time::macros::datetime!(2026-06-01 0:00 UTC),
        "chrome,java-17",
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "misissued-certificate")
        .unwrap_or_else(|| panic!("no misissued-certificate: {:?}", report.findings));
    assert_eq!(finding.severity, "warning");
    assert_eq!(finding.cert_index, Some(0));
    assert!(
        finding.detail.contains("BR 7.1.2.7.6"),
        "{}",
        finding.detail
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.cause == "nonconforming-certificate"),
        "named twice: {:?}",
        report.findings
    );
    // Chrome refuses it, but for the missing CT proof (a test CA logs nothing), never for the
    // misissuance.
    // Java connects; the warning every client shares is the misissuance itself.
    assert_eq!(pki::client_outcome(&report, "java-17").0, "warning");
    assert_eq!(
        pki::client_outcome(&report, "chrome"),
        ("fail", vec!["ct-required"])
    );
}
