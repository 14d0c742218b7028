//! Certificate Transparency: the leaf's SCTs are read, verified against the log list and
//! counted the way Chrome, Apple and Mozilla count them, and only the clients that enforce a
//! policy fail when it is not met.

mod common;
use common::ct::{CtPki, TestLog, issued, log_list, log_list_made};
use common::pki::client_outcome as outcome;
use common::*;
use rustls::pki_types::CertificateDer;
use serde_json::Value;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tlsdoctor::ct::logs::LogList;
use tlsdoctor::report::TargetReport;
use tlsdoctor::trust::{StoreSpec, SystemLocations};
use tlsdoctor::{Options, StoreSet, TrustStore};

const EVALUATED: OffsetDateTime = datetime!(2026-06-01 0:00 UTC);

fn ct_data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ct")
        .join(name)
}

/// The test root as the only store; with `public`, it also stands for the public list.
fn stores(root: &str, public: bool) -> StoreSet {
    let set = StoreSet::new(
        &[StoreSpec::Path(root.into())],
        &[],
        SystemLocations::default(),
    )
    .expect("stores");
    if public {
        set.with_public_list(TrustStore::from_paths(&[root.into()], "").expect("store"))
    } else {
        set
    }
}

/// Checks the leaf and root of `pki` as a chain file, with `logs` as the log list.
async fn check(pki: &CtPki, logs: &[&TestLog], public: bool, clients: &str) -> TargetReport {
    check_with_list(pki, &log_list(logs), public, clients).await
}

/// [`check`] with a log list of the test's own.
async fn check_with_list(pki: &CtPki, list: &str, public: bool, clients: &str) -> TargetReport {
    let scratch = Scratch::new("ct");
    let root = scratch.file("root.pem", pki.root_pem.as_bytes());
    let chain = scratch.file("chain.pem", pki.chain_pem().as_bytes());
    let list = LogList::parse(list).expect("test log list");
    let mut options = Options::new(stores(&root, public)).with_ct_logs(list);
    options.at = Some(EVALUATED);
    options.fetch = false;
    options.clients = tlsdoctor::clients::select(clients).expect("profiles");
    tlsdoctor::check_file(std::path::Path::new(&chain), Some("ok.test"), &options)
        .await
        .expect("report")
}

fn causes(report: &TargetReport) -> Vec<&str> {
    report.findings.iter().map(|f| f.cause).collect()
}

fn finding<'a>(report: &'a TargetReport, cause: &str) -> &'a str {
    report
        .findings
        .iter()
        .find(|f| f.cause == cause)
        .map(|f| f.detail.as_str())
        .unwrap_or_else(|| panic!("no {cause} in {:?}", causes(report)))
}

fn statuses(report: &TargetReport) -> Vec<&'static str> {
    report.chain[0]
        .scts
        .iter()
        .map(|s| s.status.as_str())
        .collect()
}

fn policy_outcome<'a>(
    report: &'a TargetReport,
    name: &str,
) -> &'a tlsdoctor::checks::ct::PolicyOutcome {
    let ct = report.ct.as_ref().expect("ct report");
    ct.policies
        .iter()
        .find(|p| p.policy.as_str() == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

fn policy(report: &TargetReport, name: &str) -> (bool, bool) {
    let p = policy_outcome(report, name);
    (p.applies, p.met)
}

/// Whether the policy is settled by the list, and what it says.
fn policy_detail<'a>(report: &'a TargetReport, name: &str) -> (bool, &'a str) {
    let p = policy_outcome(report, name);
    (p.determined, &p.detail)
}

fn at(hours: i64) -> OffsetDateTime {
    issued() + Duration::hours(hours)
}

#[tokio::test]
async fn two_scts_from_two_operators_satisfy_every_browser_for_a_short_lived_leaf() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(2), issuer, tbs),
        ]
    });
    let report = check(&pki, &[&a, &b], true, "chrome,safari,firefox,openssl-3.0").await;
    assert_eq!(statuses(&report), vec!["valid", "valid"]);
    let logs: Vec<_> = report.chain[0].scts.iter().map(|s| s.log.clone()).collect();
    assert_eq!(
        logs,
        vec![Some("Alpha 'One'".into()), Some("Beta 'One'".into())]
    );
    assert_eq!(report.chain[0].scts[1].operator.as_deref(), Some("Beta"));
    assert_eq!(report.chain[0].scts[0].source.as_str(), "certificate");
    for name in ["chrome", "apple", "mozilla"] {
        assert_eq!(policy(&report, name), (true, true), "{name}");
    }
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    assert!(!causes(&report).contains(&"sct-invalid"));
    assert_eq!(outcome(&report, "chrome").0, "ok");
}

#[tokio::test]
async fn a_leaf_valid_longer_than_180_days_needs_a_third_sct_but_only_browsers_refuse_it() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let c = TestLog::new("Alpha 'Two'", "Alpha");
    let two = CtPki::new(200, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(1), issuer, tbs),
        ]
    });
    let report = check(
        &two,
        &[&a, &b, &c],
        true,
        "chrome,safari,openssl-3.0,go-1.22",
    )
    .await;
    let detail = finding(&report, "ct-required");
    assert!(detail.contains("need 3 embedded SCTs"), "{detail}");
    assert!(detail.contains("valid 200 days"), "{detail}");
    assert!(detail.contains("Chrome and Edge"), "{detail}");
    assert_eq!(policy(&report, "chrome"), (true, false));
    for browser in ["chrome", "safari"] {
        let (result, why) = outcome(&report, browser);
        assert_eq!(result, "fail", "{browser}");
        assert!(why.contains(&"ct-required"), "{browser}: {why:?}");
    }
    for library in ["openssl-3.0", "go-1.22"] {
        let (result, why) = outcome(&report, library);
        assert_eq!(result, "ok", "{library}: {why:?}");
    }

    let three = CtPki::new(200, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(1), issuer, tbs),
            c.sign_precert(at(1), issuer, tbs),
        ]
    });
    let report = check(&three, &[&a, &b, &c], true, "chrome").await;
    assert_eq!(statuses(&report), vec!["valid"; 3]);
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    assert_eq!(outcome(&report, "chrome").0, "ok");
}

#[tokio::test]
async fn two_logs_of_one_operator_are_not_enough() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let a2 = TestLog::new("Alpha 'Two'", "Alpha");
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            a2.sign_precert(at(1), issuer, tbs),
        ]
    });
    let report = check(&pki, &[&a, &a2], true, "chrome").await;
    assert_eq!(statuses(&report), vec!["valid", "valid"]);
    let detail = finding(&report, "ct-required");
    assert!(
        detail.contains("from 1 operator (Alpha 'One', Alpha 'Two')"),
        "{detail}"
    );
    assert!(detail.contains("at least 2 log operators"), "{detail}");
}

#[tokio::test]
async fn an_sct_whose_signature_does_not_verify_is_named_and_not_counted() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let pki = CtPki::new(90, |tbs, issuer| {
        let mut forged = a.sign_precert(at(1), issuer, tbs);
        let last = forged.len() - 1;
        forged[last] ^= 0x01;
        vec![forged, b.sign_precert(at(1), issuer, tbs)]
    });
    let report = check(&pki, &[&a, &b], true, "chrome,openssl-3.0").await;
    assert_eq!(statuses(&report), vec!["invalid", "valid"]);
    let detail = finding(&report, "sct-invalid");
    assert!(
        detail.contains("Alpha 'One'") && detail.contains("does not verify"),
        "{detail}"
    );
    assert!(finding(&report, "ct-required").contains("1 embedded"));
    assert_eq!(outcome(&report, "chrome").0, "fail");
    assert_eq!(outcome(&report, "openssl-3.0").0, "ok");
}

#[tokio::test]
async fn an_sct_dated_after_the_evaluation_instant_is_named() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let later = EVALUATED + Duration::days(30);
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(later, issuer, tbs),
        ]
    });
    let report = check(&pki, &[&a, &b], true, "chrome").await;
    // The signature is good; the date is not.
    assert_eq!(statuses(&report), vec!["valid", "valid"]);
    let detail = finding(&report, "sct-invalid");
    assert!(
        detail.contains("Beta 'One'") && detail.contains("after the evaluation instant"),
        "{detail}"
    );
    assert!(causes(&report).contains(&"ct-required"));
}

#[tokio::test]
async fn a_private_root_needs_no_scts_for_any_client() {
    let pki = CtPki::new(200, |_, _| Vec::new());
    let report = check(
        &pki,
        &[],
        false,
        "chrome,edge,safari,firefox,openssl-3.0,rustls",
    )
    .await;
    assert!(report.chain[0].scts.is_empty());
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    // No SCTs and no policy that binds the leaf: nothing about CT to report.
    assert!(report.ct.is_none(), "{:?}", report.ct);
    for client in [
        "chrome",
        "edge",
        "safari",
        "firefox",
        "openssl-3.0",
        "rustls",
    ] {
        let (result, why) = outcome(&report, client);
        assert!(!why.contains(&"ct-required"), "{client}: {why:?}");
        assert_ne!(result, "fail", "{client}: {why:?}");
    }

    // The same leaf under a root marked public is refused by the browsers.
    let report = check(&pki, &[], true, "chrome,openssl-3.0").await;
    let detail = finding(&report, "ct-required");
    assert!(detail.contains("has 0 SCTs"), "{detail}");
    assert_eq!(outcome(&report, "chrome").0, "fail");
    assert_eq!(outcome(&report, "openssl-3.0").0, "ok");
}

#[test]
fn a_served_leaf_with_embedded_scts_is_judged_end_to_end() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(1), issuer, tbs),
        ]
    });
    let server = Server::tls_config(server_config(
        vec![pki.leaf.clone()],
        pki.leaf_key.clone_key(),
        rustls::DEFAULT_VERSIONS,
    ));
    let scratch = Scratch::new("ct-served");
    let root = scratch.file("root.pem", pki.root_pem.as_bytes());
    let list = LogList::parse(&log_list(&[&a, &b])).expect("test log list");
    let mut options = Options::new(stores(&root, true)).with_ct_logs(list);
    options.at = Some(EVALUATED);
    options.fetch = false;
    let target = tlsdoctor::Target::parse(&server.target()).expect("target");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let report = runtime
        .block_on(tlsdoctor::check_target(&target, &options))
        .expect("report");
    assert_eq!(statuses(&report), vec!["valid", "valid"]);
    assert_eq!(policy(&report, "chrome"), (true, true));
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    // rustls can neither send nor receive SCTs in the TLS extension: the report says so.
    let notes = &report.ct.as_ref().expect("ct").notes;
    assert!(
        notes.iter().any(|n| n.contains("TLS extension")),
        "{notes:?}"
    );
}

#[test]
fn scts_in_the_tls_extension_are_read_when_tlsdoctors_own_probe_sees_them() {
    let a = TestLog::new("Alpha 'One'", "Alpha");
    let b = TestLog::new("Beta 'One'", "Beta");
    let pki = CtPki::new(90, |_, _| Vec::new());
    // Delivered in TLS, an SCT signs the certificate itself (an X.509 entry).
    let list =
        common::ct::sct_list(&[a.sign_x509(at(1), &pki.leaf), b.sign_x509(at(2), &pki.leaf)]);
    let server = common::hostile::tls12_server_with_scts(vec![pki.leaf.clone()], list);
    let scratch = Scratch::new("ct-tls");
    let root = scratch.file("root.pem", pki.root_pem.as_bytes());
    let logs = LogList::parse(&log_list(&[&a, &b])).expect("test log list");
    let mut options = Options::new(stores(&root, true)).with_ct_logs(logs);
    options.at = Some(EVALUATED);
    options.fetch = false;
    let target = tlsdoctor::Target::parse(&server.target()).expect("target");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let report = runtime
        .block_on(tlsdoctor::check_target(&target, &options))
        .expect("report");
    let sources: Vec<&str> = report.chain[0]
        .scts
        .iter()
        .map(|s| s.source.as_str())
        .collect();
    assert_eq!(sources, vec!["tls", "tls"]);
    assert_eq!(statuses(&report), vec!["valid", "valid"]);
    // Chrome takes one delivered SCT with two operators; Apple asks for two.
    assert_eq!(policy(&report, "chrome"), (true, true));
    assert_eq!(policy(&report, "apple"), (true, true));
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
}

#[test]
fn scts_stapled_in_ocsp_are_read_from_a_served_staple() {
    // The real OCSP response of cryptography_vectors (four SCTs) stapled for a leaf with the
    // serial it names: the SCTs are read as source ocsp. Their 2018-2021 logs are not in
    // Chrome's current list, and they sign another certificate, so none can count.
    let staple = std::fs::read(ct_data("resp-sct-extension.der")).expect("vector");
    let root_key = rcgen::KeyPair::generate().expect("key");
    let mut root_params = rcgen::CertificateParams::default();
    root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let issuer = rcgen::Issuer::new(root_params, root_key);
    let leaf_key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(vec!["ok.test".to_string()]).expect("params");
    let serial = [
        0x23, 0xbf, 0x9a, 0x6c, 0x2b, 0xf9, 0xa2, 0xf0, 0xdb, 0x5e, 0xcb, 0x41, 0x43, 0xca, 0xab,
        0x63, 0xad, 0x38, 0x71, 0xd3,
    ];
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    params.not_before = datetime!(2019-01-01 0:00 UTC);
    params.not_after = datetime!(2020-01-01 0:00 UTC);
    let leaf = params.signed_by(&leaf_key, &issuer).expect("leaf");
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let signing_key = provider.key_provider.load_private_key(key).expect("key");
    let mut certified = rustls::sign::CertifiedKey::new(vec![leaf.der().clone()], signing_key);
    certified.ocsp = Some(staple);
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(std::sync::Arc::new(rustls::sign::SingleCertAndKey::from(
            certified,
        )));
    let server = Server::tls_config(config);
    let run = check_address(
        &server.target(),
        &["--at", "2019-11-17T00:00:00Z", "--no-fetch"],
    );
    let scts = run.target()["chain"][0]["scts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let seen: Vec<(&str, &str)> = scts
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap_or_default(),
                s["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(seen, vec![("ocsp", "unknown-log"); 4], "{}", run.stdout);
    assert_eq!(
        scts[1]["log_id"],
        "b1N2rDHwMRnYmQCkURX/dxUcEdkCwQApBo2yCJo32RM="
    );
}

// ---- Real certificates with real SCTs (cryptography_vectors, see tests/data/ct/README.md). ----

fn historic_list() -> LogList {
    let text = std::fs::read_to_string(ct_data("historic_logs.json")).expect("historic list");
    LogList::parse(&text).expect("historic list parses")
}

async fn check_real(
    files: &[&str],
    logs: Option<LogList>,
    at: &str,
    public: Option<&str>,
) -> Value {
    let scratch = Scratch::new("ct-real");
    let mut pem = String::new();
    for f in files {
        pem.push_str(&std::fs::read_to_string(ct_data(f)).expect("vector"));
    }
    let chain = scratch.file("chain.pem", pem.as_bytes());
    let stores = match public {
        Some(anchor) => stores(&ct_data(anchor).display().to_string(), true),
        None => {
            StoreSet::new(&[StoreSpec::Mozilla], &[], SystemLocations::default()).expect("stores")
        }
    };
    let mut options = Options::new(stores);
    if let Some(list) = logs {
        options = options.with_ct_logs(list);
    }
    options.at = Some(
        OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).expect("at"),
    );
    options.fetch = false;
    let report = tlsdoctor::check_file(std::path::Path::new(&chain), None, &options)
        .await
        .expect("report");
    serde_json::to_value(&report).expect("json")
}

fn json_scts(report: &Value) -> Vec<(String, String, String)> {
    report["chain"][0]["scts"]
        .as_array()
        .expect("scts")
        .iter()
        .map(|s| {
            (
                s["log"].as_str().unwrap_or("(unknown)").to_string(),
                s["timestamp"].as_str().unwrap_or_default().to_string(),
                s["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_2018_logs_of_a_real_certificate_are_no_longer_in_chromes_list() {
    let report = check_real(
        &["cryptography-scts.pem", "letsencryptx3.pem"],
        None,
        "2018-10-01T00:00:00Z",
        None,
    )
    .await;
    let scts = report["chain"][0]["scts"].as_array().expect("scts").clone();
    let ids: Vec<&str> = scts.iter().filter_map(|s| s["log_id"].as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "KTxRllTIOWW6qlD8WAfUt2+/WHopctykwwz05UVH9Hg=",
            "b1N2rDHwMRnYmQCkURX/dxUcEdkCwQApBo2yCJo32RM="
        ]
    );
    assert!(
        scts.iter()
            .all(|s| s["status"] == "unknown-log" && s["log"].is_null())
    );
    assert_eq!(scts[0]["timestamp"], "2018-09-26T20:56:33Z");
    let document = serde_json::json!({"schema_version": 2, "targets": [report]});
    common::schema::assert_valid(common::schema::Output::CheckJson, &document.to_string());
}

#[tokio::test]
async fn a_real_certificates_scts_verify_with_its_issuer_and_their_logs_keys() {
    let report = check_real(
        &["cryptography-scts.pem", "letsencryptx3.pem"],
        Some(historic_list()),
        "2018-10-01T00:00:00Z",
        Some("letsencryptx3.pem"),
    )
    .await;
    assert_eq!(
        json_scts(&report),
        vec![
            (
                "Google 'Icarus'".into(),
                "2018-09-26T20:56:33Z".into(),
                "valid".into()
            ),
            (
                "Sectigo 'Mammoth' CT".into(),
                "2018-09-26T20:56:33Z".into(),
                "valid".into()
            ),
        ]
    );
    // A 90-day leaf with two SCTs from two operators, judged on 2018-10-01: Chrome's policy
    // (binding since 2018-05-01) is met; Apple's binds only certificates from 2018-10-16.
    let policies = &report["ct"]["policies"];
    assert_eq!(policies[0]["policy"], "chrome");
    assert_eq!(
        (
            policies[0]["applies"].as_bool(),
            policies[0]["met"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(policies[1]["applies"], false);

    // Judged in 2023, after both logs were retired (in this test list), Chrome no longer
    // counts it: an embedded SCT must come from a log still trusted then.
    let later = check_real(
        &["cryptography-scts.pem", "letsencryptx3.pem"],
        Some(historic_list()),
        "2023-01-01T00:00:00Z",
        Some("letsencryptx3.pem"),
    )
    .await;
    assert_eq!(later["ct"]["policies"][0]["met"], false);
}

#[tokio::test]
async fn without_the_issuer_an_embedded_sct_is_unverifiable() {
    let report = check_real(
        &["cryptography-scts.pem"],
        Some(historic_list()),
        "2018-10-01T00:00:00Z",
        None,
    )
    .await;
    let statuses: Vec<String> = json_scts(&report).into_iter().map(|s| s.2).collect();
    assert_eq!(statuses, vec!["unverifiable", "unverifiable"]);
    let badssl = check_real(&["badssl-sct.pem"], None, "2017-06-01T00:00:00Z", None).await;
    assert_eq!(
        json_scts(&badssl),
        vec![(
            "(unknown)".into(),
            "2016-11-17T01:56:25Z".into(),
            "unknown-log".into()
        )]
    );
}

#[test]
fn the_precertificate_is_rebuilt_as_cryptography_rebuilds_it() {
    let pem = std::fs::read(ct_data("cryptography-scts.pem")).expect("vector");
    let der = rustls::pki_types::pem::PemObject::from_pem_slice(&pem)
        .map(|c: CertificateDer<'static>| c.to_vec())
        .expect("pem");
    let expected = std::fs::read(ct_data("cryptography-scts-tbs-precert.der")).expect("vector");
    let rebuilt = tlsdoctor::ct::der::tbs_without_extension(&der, tlsdoctor::ct::der::SCT_LIST_OID)
        .expect("has an SCT list");
    assert_eq!(rebuilt, expected);
}

#[test]
fn scts_in_a_real_ocsp_response_are_read() {
    use der::Decode;
    let bytes = std::fs::read(ct_data("resp-sct-extension.der")).expect("vector");
    let response = x509_ocsp::OcspResponse::from_der(&bytes).expect("ocsp");
    let basic = x509_ocsp::BasicOcspResponse::from_der(
        response.response_bytes.expect("bytes").response.as_bytes(),
    )
    .expect("basic");
    let single = &basic.tbs_response_data.responses[0];
    let extension = single
        .single_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == tlsdoctor::ct::OCSP_SCT_OID)
        .expect("SCT extension");
    let list = tlsdoctor::ct::parse_extension(
        extension.extn_value.as_bytes(),
        tlsdoctor::ct::SctSource::Ocsp,
    );
    assert_eq!(list.problem, None);
    let ids: Vec<String> = list.scts.iter().map(|s| s.log_id_base64()).collect();
    assert_eq!(
        ids,
        vec![
            "RJRlLrDuzq/EQAfYqP4owNrmgr7YyzG1P9MzlrW2gag=",
            "b1N2rDHwMRnYmQCkURX/dxUcEdkCwQApBo2yCJo32RM=",
            "u9nfvB+KcbWTlCOXqpJ7RzhXlQqrUugakJZkNo4e0YU=",
            "7ku9t3XOYLrhQmkfq+GeZqMPfl+wctiDAMR7iXqo/cs=",
        ]
    );
}

#[test]
fn malformed_sct_lists_in_real_vectors_are_named_not_fatal() {
    for (file, words) in [
        ("invalid-sct-length.der", "cut short"),
        ("invalid-sct-version.der", "version"),
    ] {
        let path = ct_data(file).display().to_string();
        let run = tlsdoctor(&[
            "check",
            "--file",
            &path,
            "--at",
            "2018-10-01",
            "--no-fetch",
            "--format",
            "json",
        ]);
        assert!(run.has("sct-invalid"), "{file}: {:?}", run.causes());
        let detail = run.finding("sct-invalid")["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(detail.contains(words), "{file}: {detail}");
    }
}

#[test]
fn ct_log_list_bundled_is_chromes_and_well_formed() {
    let list = LogList::bundled().expect("the bundled list parses");
    assert_eq!(list.version, "85.108");
    assert_eq!(list.timestamp, datetime!(2026-06-14 13:37:40 UTC));
    assert!(list.logs.len() >= 50, "{} logs", list.logs.len());
    for log in &list.logs {
        assert!(!log.operator.trim().is_empty(), "{}", log.name);
        let id = ring::digest::digest(&ring::digest::SHA256, &log.key);
        assert_eq!(id.as_ref(), log.id, "{}", log.name);
    }
    assert!(
        list.logs
            .iter()
            .any(|l| l.name == "Google 'Argon2026h1'" && l.operator == "Google")
    );
    // Retired and read-only logs stay in the list.
    let states: Vec<_> = list.logs.iter().map(|l| l.state).collect();
    assert!(states.contains(&tlsdoctor::ct::logs::LogState::Retired));
    assert!(states.contains(&tlsdoctor::ct::logs::LogState::Readonly));
    // A list whose id is not its key's hash is refused.
    let test_log = TestLog::new("Alpha 'One'", "Alpha");
    let good = log_list(&[&test_log]);
    let id = data_encoding::BASE64.encode(&test_log.id());
    let bad = good.replace(&id, &data_encoding::BASE64.encode(&[7u8; 32]));
    assert!(LogList::parse(&good).is_ok());
    assert!(LogList::parse(&bad).is_err());
}

#[test]
fn a_newer_log_list_given_with_ct_logs_names_logs_the_compiled_in_one_lacks() {
    // The bundled list cannot know a log started after it: --ct-logs takes a current list.
    let log = TestLog::new("tlsdoctor 'Fresh2026' log", "tlsdoctor");
    let pki = CtPki::new(90, |tbs, spki| {
        vec![log.sign_precert(issued() + Duration::days(1), spki, tbs)]
    });
    let scratch = Scratch::new("ct-logs-flag");
    let root = scratch.file("root.pem", pki.root_pem.as_bytes());
    let chain = scratch.file("chain.pem", pki.chain_pem().as_bytes());
    let list = scratch.file("log_list.json", log_list(&[&log]).as_bytes());
    let run_with = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--file",
            &chain,
            "--host",
            "ok.test",
            "--ca-file",
            &root,
            "--at",
            "2026-06-01",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        tlsdoctor(&args)
    };
    let sct = |run: &Run| run.target()["chain"][0]["scts"][0].clone();
    let bundled = run_with(&[]);
    assert_eq!(sct(&bundled)["status"], "unknown-log", "{}", bundled.stdout);
    let given = run_with(&["--ct-logs", &list]);
    assert_eq!(sct(&given)["status"], "valid", "{}", given.stdout);
    assert_eq!(sct(&given)["log"], "tlsdoctor 'Fresh2026'");
    // A file that is not a log list is refused with what is wrong, before any check.
    let bad = scratch.file("bad.json", b"{\"version\": 1}");
    let refused = run_with(&["--ct-logs", &bad]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("CT log list"), "{}", refused.stderr);
}

#[tokio::test]
async fn an_expired_leaf_whose_logs_a_later_list_dropped_is_unknown_not_failed() {
    // Checked at its own time (2026-06-01) with a list made after it expired (2026-09-01): the
    // list no longer names the logs of its two SCTs, dated before it. Chrome's list drops a
    // log once every certificate it could hold has expired, so that silence proves nothing.
    let known = TestLog::new("Known 'One'", "Known");
    let a = TestLog::new("Old 'A'", "OldA");
    let b = TestLog::new("Old 'B'", "OldB");
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(2), issuer, tbs),
        ]
    });
    let later = log_list_made(&[&known], "2026-09-01T00:00:00Z");
    let report = check_with_list(&pki, &later, true, "chrome,openssl-3.0").await;
    assert_eq!(statuses(&report), vec!["unknown-log", "unknown-log"]);
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    let (determined, detail) = policy_detail(&report, "chrome");
    assert!(!determined, "{detail}");
    assert!(
        detail.contains("expired before that list was made") && detail.contains("--ct-logs"),
        "{detail}"
    );
    assert_eq!(outcome(&report, "chrome").0, "unknown");
    assert_eq!(outcome(&report, "openssl-3.0").0, "ok");

    // The same leaf still valid when the list was made: logs it does not name never qualified.
    let pki = CtPki::new(150, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(2), issuer, tbs),
        ]
    });
    let report = check_with_list(&pki, &later, true, "chrome").await;
    assert!(
        causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    assert_eq!(outcome(&report, "chrome").0, "fail");
}

#[tokio::test]
async fn scts_from_logs_newer_than_the_list_leave_the_browsers_unknown_not_failed() {
    // The list (dated 2026-01-01) knows only `known`; the leaf's SCTs come from two logs it has
    // never heard of, dated after it: logs started since, most likely. No false failure.
    let known = TestLog::new("Known 'One'", "Known");
    let a = TestLog::new("New 'A'", "NewA");
    let b = TestLog::new("New 'B'", "NewB");
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(at(1), issuer, tbs),
            b.sign_precert(at(2), issuer, tbs),
        ]
    });
    let report = check(&pki, &[&known], true, "chrome,openssl-3.0").await;
    assert_eq!(statuses(&report), vec!["unknown-log", "unknown-log"]);
    assert!(
        !causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    let chrome = policy_outcome(&report, "chrome");
    assert!(
        chrome.applies && !chrome.met && !chrome.determined,
        "{chrome:?}"
    );
    assert!(chrome.detail.contains("--ct-logs"), "{}", chrome.detail);
    assert_eq!(outcome(&report, "chrome").0, "unknown");
    assert_eq!(outcome(&report, "openssl-3.0").0, "ok");

    // Dated before the list, an unknown log is one the browsers never qualified: a failure.
    let early = time::macros::datetime!(2025-12-01 0:00 UTC);
    let pki = CtPki::new(90, |tbs, issuer| {
        vec![
            a.sign_precert(early, issuer, tbs),
            b.sign_precert(early, issuer, tbs),
        ]
    });
    let report = check(&pki, &[&known], true, "chrome").await;
    assert!(
        causes(&report).contains(&"ct-required"),
        "{:?}",
        causes(&report)
    );
    assert_eq!(outcome(&report, "chrome").0, "fail");
}
