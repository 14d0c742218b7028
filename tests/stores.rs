//! Trust stores side by side: which store trusts the chain, the system store as the environment
//! makes it, and the three answers to "unknown authority".

mod common;
use common::programs::require;
use common::*;
use std::path::Path;
use tlsdoctor::trust::{StoreSpec, SystemLocations};
use tlsdoctor::{Options, StoreSet, TrustStore};

/// `tlsdoctor check --file FIXTURE` with the default stores and this environment.
fn check_with_env(fixture: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let file = chain_path(fixture).display().to_string();
    let mut args = vec![
        "check",
        "--file",
        file.as_str(),
        "--host",
        "ok.test",
        "--at",
        AT,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    tlsdoctor_env(&args, env)
}

fn store(run: &Run, name: &str) -> serde_json::Value {
    run.target()["stores"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["store"] == name).cloned())
        .unwrap_or_else(|| panic!("no store {name}: {}", run.target()["stores"]))
}

#[test]
fn by_default_mozilla_and_the_system_store_are_both_judged() {
    let root = root_ca();
    let run = check_with_env("good", &[], &[("SSL_CERT_FILE", &root)]);
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
    let mozilla = store(&run, "mozilla");
    assert_eq!(mozilla["trusted"], false);
    let system = store(&run, "system");
    assert_eq!(system["trusted"], true);
    assert_eq!(system["roots"], 1);
    assert_eq!(system["location"]["file"], root.as_str());
    assert_eq!(
        system["location"]["env"][0],
        format!("SSL_CERT_FILE={root}")
    );
    assert_eq!(
        run.target()["trust"]["store"],
        "system",
        "the report leads with the store that trusts"
    );
}

#[test]
fn ssl_cert_dir_with_hashed_names_is_read_like_openssl_reads_it() {
    if !require(&["openssl"]) {
        return;
    }
    let scratch = Scratch::new("certdir");
    let dir = scratch.0.clone();
    let hash = std::process::Command::new("openssl")
        .args(["x509", "-hash", "-noout", "-in"])
        .arg(ca_path("root"))
        .output()
        .expect("openssl x509 -hash");
    let hash = String::from_utf8_lossy(&hash.stdout).trim().to_string();
    std::fs::copy(ca_path("root"), dir.join(format!("{hash}.0"))).expect("copy");
    let run = check_with_env(
        "good",
        &["--trust", "system"],
        &[("SSL_CERT_DIR", dir.to_str().unwrap_or_default())],
    );
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
    assert_eq!(
        store(&run, "system")["location"]["dirs"][0],
        dir.display().to_string()
    );
}

#[test]
fn an_ssl_cert_file_that_does_not_exist_is_named() {
    let run = check_with_env(
        "good",
        &["--trust", "system"],
        &[("SSL_CERT_FILE", "/nonexistent/tlsdoctor/ca.pem")],
    );
    assert_eq!(run.code, 1);
    let detail = run.finding("env-override-missing-root")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("SSL_CERT_FILE=/nonexistent/tlsdoctor/ca.pem")
            && detail.contains("does not exist"),
        "{detail}"
    );
}

#[test]
fn each_trust_file_is_judged_on_its_own() {
    let other = ca_path("other-root").display().to_string();
    let root = root_ca();
    let run = check_with_env("good", &["--trust", &other, "--trust", &root], &[]);
    assert_eq!(run.verdict(), "ok");
    assert_eq!(store(&run, &other)["trusted"], false);
    assert_eq!(store(&run, &root)["trusted"], true);
    assert_eq!(store(&run, &root)["kind"], "file");
}

#[test]
fn a_directory_can_be_a_trust_store() {
    let scratch = Scratch::new("trustdir");
    let dir = scratch.0.clone();
    std::fs::copy(ca_path("root"), dir.join("root.crt")).expect("copy");
    let dir_name = dir.display().to_string();
    let run = check_with_env("good", &["--trust", &dir_name], &[]);
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
}

#[test]
fn the_system_store_is_not_read_for_an_unreachable_target() {
    // An unreadable SSL_CERT_FILE would be reported if the store were read; unreachable runs
    // never get that far.
    let target = format!("127.0.0.1:{}", closed_port());
    let run = tlsdoctor_env(
        &["check", &target, "--format", "json"],
        &[("SSL_CERT_FILE", "/nonexistent/tlsdoctor/ca.pem")],
    );
    assert_eq!(run.code, 3);
    assert!(run.target()["stores"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(run.target()["trust"]["store"], "mozilla, system");
}

// ---- Library-level stories: the public list and the distribution's defaults are replaced by
// the test PKI, because no test can hold a key for a real public root. ----

fn file_store(path: &Path) -> TrustStore {
    TrustStore::from_paths(&[path.to_path_buf()], "").expect("store")
}

async fn diagnose_file(fixture: &str, stores: StoreSet) -> tlsdoctor::report::TargetReport {
    let mut options = Options::new(stores);
    options.at = Some(time::macros::datetime!(2026-06-01 0:00 UTC));
    options.fetch = false;
    tlsdoctor::check_file(&chain_path(fixture), Some("ok.test"), &options)
        .await
        .expect("report")
}

/// The causes found, but ct-required: the fixtures log nothing, so a chain whose root a test
/// marks public also lacks the SCTs browsers ask for (tests/ct.rs tells that story).
fn causes(report: &tlsdoctor::report::TargetReport) -> Vec<&str> {
    report
        .findings
        .iter()
        .map(|f| f.cause)
        .filter(|&c| c != "ct-required")
        .collect()
}

/// The first finding [`causes`] lists.
fn first(report: &tlsdoctor::report::TargetReport) -> &tlsdoctor::report::FindingReport {
    report
        .findings
        .iter()
        .find(|f| f.cause != "ct-required")
        .expect("a finding")
}

#[tokio::test]
async fn a_system_store_that_lacks_a_public_root_is_outdated() {
    let locations = SystemLocations {
        default_file: Some(ca_path("other-root")),
        ..SystemLocations::default()
    };
    let stores = StoreSet::new(&[StoreSpec::Mozilla, StoreSpec::System], &[], locations)
        .expect("stores")
        .with_public_list(file_store(&ca_path("root")));
    let report = diagnose_file("good", stores).await;
    assert_eq!(causes(&report), vec!["outdated-system-store"]);
    let detail = &first(&report).detail;
    assert!(
        detail.contains("tlsdoctor Test Root CA") && detail.contains("other-root.pem"),
        "{detail}"
    );
    assert_eq!(report.trust.store, "mozilla");
}

#[tokio::test]
async fn an_empty_system_store_is_outdated_too() {
    let stores = StoreSet::new(
        &[StoreSpec::Mozilla, StoreSpec::System],
        &[],
        SystemLocations::default(),
    )
    .expect("stores")
    .with_public_list(file_store(&ca_path("root")));
    let report = diagnose_file("good", stores).await;
    assert_eq!(causes(&report), vec!["outdated-system-store"]);
    assert!(
        first(&report)
            .detail
            .contains("no bundle file or directory"),
        "{}",
        first(&report).detail
    );
}

#[tokio::test]
async fn an_env_override_that_hides_the_distribution_root_is_named() {
    let locations = SystemLocations {
        env_file: Some(ca_path("other-root")),
        default_file: Some(ca_path("root")),
        ..SystemLocations::default()
    };
    let stores = StoreSet::new(&[StoreSpec::System], &[], locations).expect("stores");
    let report = diagnose_file("good", stores).await;
    assert!(
        causes(&report).contains(&"env-override-missing-root"),
        "{:?}",
        causes(&report)
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "env-override-missing-root")
        .expect("finding");
    assert!(
        finding.detail.contains("SSL_CERT_FILE=")
            && finding.detail.contains("distribution's own store has it")
    );
}

#[tokio::test]
async fn an_env_override_is_not_blamed_when_the_default_store_lacks_the_root_too() {
    let locations = SystemLocations {
        env_file: Some(ca_path("other-root")),
        default_file: Some(ca_path("other-root")),
        ..SystemLocations::default()
    };
    let stores = StoreSet::new(&[StoreSpec::System], &[], locations).expect("stores");
    let report = diagnose_file("good", stores).await;
    assert!(
        !causes(&report).contains(&"env-override-missing-root"),
        "{:?}",
        causes(&report)
    );
    assert!(causes(&report).contains(&"unknown-issuer"));
}

#[tokio::test]
async fn a_public_root_missing_from_the_chosen_store_is_an_untrusted_root() {
    let stores = StoreSet::new(&[], &[ca_path("root")], SystemLocations::default())
        .expect("stores")
        .with_public_list(file_store(&ca_path("other-root")));
    let report = diagnose_file("untrusted-root", stores).await;
    assert_eq!(causes(&report), vec!["untrusted-root"]);
    assert!(first(&report).detail.contains("Mozilla's list holds it"));
}

#[tokio::test]
async fn a_private_root_no_public_store_holds_is_a_private_root() {
    let stores =
        StoreSet::new(&[StoreSpec::Mozilla], &[], SystemLocations::default()).expect("stores");
    let report = diagnose_file("untrusted-root", stores).await;
    assert_eq!(causes(&report), vec!["private-root"]);
    let detail = &first(&report).detail;
    assert!(
        detail.contains("tlsdoctor Other Root CA") && detail.contains("SHA-256"),
        "{detail}"
    );
}

#[test]
fn the_bundle_file_is_read_first_and_directories_only_when_needed() {
    let scratch = Scratch::new("deferred");
    let dir = scratch.0.clone();
    std::fs::copy(ca_path("root"), dir.join("root.crt")).expect("copy");
    let dir_name = dir.display().to_string();
    // The bundle file holds the root: the directory is never read.
    let root = root_ca();
    let run = check_with_env(
        "good",
        &["--trust", "system"],
        &[("SSL_CERT_FILE", &root), ("SSL_CERT_DIR", &dir_name)],
    );
    assert_eq!(run.verdict(), "ok");
    assert!(
        store(&run, "system")["location"]["dirs"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    // The bundle file lacks it: the directory is read, and the root found there.
    let other = ca_path("other-root").display().to_string();
    let run = check_with_env(
        "good",
        &["--trust", "system"],
        &[("SSL_CERT_FILE", &other), ("SSL_CERT_DIR", &dir_name)],
    );
    assert_eq!(run.verdict(), "ok", "{:?}", run.causes());
    let system = store(&run, "system");
    assert_eq!(system["location"]["dirs"][0], dir_name.as_str());
    assert_eq!(system["roots"], 2);
}
