//! The root programs as users meet them: which programs include a root (`trust --root`),
//! `--trust chrome` and the programs that are not bundled, and a leaf a program's distrust
//! date excludes, named as such and failed only for the clients of that program.

mod common;

use common::ct;
use common::pki::{NamedPki, client_outcome as outcome};
use common::{Scratch, Server, server_config, tlsdoctor};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;
use tlsdoctor::ct::logs::LogList;
use tlsdoctor::trust::constraint::Constraint;
use tlsdoctor::trust::programs::Program;
use tlsdoctor::trust::{StoreSet, SystemLocations};
use tlsdoctor::{Options, Target};

/// ISRG Root X1, Let's Encrypt's root, as the bundled data holds it.
const ISRG_ROOT_X1: &str = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6";
/// Entrust Root Certification Authority: in Java 17's cacerts under ENTRUST_TLS, no longer in the
/// Chrome Root Store nor in NSS (builtins 2.92 dropped it after its distrust-after date).
const ENTRUST_ROOT: &str = "73c176434f1bc6d5adf45b0e76e727287c8de57616c1e6e6141a2b2cbc7d8e4c";
/// Izenpe.com: in the Chrome Root Store under SCT-not-after and in NSS with a distrust-after
/// date, both April 2026.
const IZENPE_ROOT: &str = "2530cc8e98321502bad96f9b1fba1b099e2d299e0f4548bb914f363bc0d4531f";
/// Chunghwa's ePKI root: in Chrome under SCT-not-after from Chrome 139, in Java under CHUNGHWA_TLS.
const CHUNGHWA_ROOT: &str = "c0a6f4dc63a24bfdcf54ef2a6a082a0a72de35803e2ff5ff527ae5d87206dfd5";

fn pem(der: &[u8]) -> String {
    let body = data_encoding::BASE64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// A root of the bundled data, written to a file.
fn bundled_root(scratch: &Scratch, sha256: &str) -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/root-programs/roots.pem"),
    )
    .unwrap();
    let certs = tlsdoctor::trust::programs::parse_bundle(&text).unwrap();
    scratch.file(&format!("{sha256}.pem"), pem(&certs[sha256]).as_bytes())
}

/// `trust --root FILE --format json` on an empty filesystem (the machine is not the story).
fn programs_for(root: &str) -> Vec<Value> {
    let empty = Scratch::new("empty-root-dir");
    let dir = empty.0.display().to_string();
    let run = tlsdoctor(&[
        "trust",
        "--root",
        root,
        "--root-dir",
        &dir,
        "--format",
        "json",
    ]);
    run.json()["root_programs"].as_array().unwrap().clone()
}

fn program<'a>(programs: &'a [Value], id: &str) -> &'a Value {
    programs
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {programs:?}"))
}

#[test]
fn lets_encrypts_root_is_trusted_by_chrome_java_and_mozilla_without_constraint() {
    let scratch = Scratch::new("isrg");
    let programs = programs_for(&bundled_root(&scratch, ISRG_ROOT_X1));
    for id in ["chrome", "java-17", "mozilla"] {
        let p = program(&programs, id);
        assert_eq!(p["trusted"], true, "{p}");
        assert_eq!(p["constraints"], serde_json::json!([]), "{p}");
        assert!(p["snapshot"].as_str().is_some_and(|s| s.len() == 10), "{p}");
    }
}

#[test]
fn an_entrust_root_is_gone_from_chrome_and_mozilla_and_distrusted_after_a_date_by_java() {
    let scratch = Scratch::new("entrust");
    let programs = programs_for(&bundled_root(&scratch, ENTRUST_ROOT));
    assert_eq!(program(&programs, "chrome")["trusted"], false);
    let mozilla = program(&programs, "mozilla");
    assert_eq!(mozilla["trusted"], false, "{mozilla}");
    assert_eq!(mozilla["constraints"], serde_json::json!([]), "{mozilla}");
    let java = program(&programs, "java-17");
    assert_eq!(java["trusted"], true);
    assert_eq!(
        java["constraints"][0]["distrust_after"],
        "2024-11-11T23:59:59Z"
    );
    assert_eq!(java["constraints"][0]["policy"], "ENTRUST_TLS");
}

#[test]
fn izenpe_is_distrusted_for_new_leaves_by_chrome_and_mozilla_in_april_2026() {
    let scratch = Scratch::new("izenpe");
    let programs = programs_for(&bundled_root(&scratch, IZENPE_ROOT));
    let chrome = program(&programs, "chrome");
    assert_eq!(chrome["trusted"], true);
    assert_eq!(
        chrome["constraints"][0]["sct_not_after"], "2026-04-14T23:59:59Z",
        "{chrome}"
    );
    // NSS builtins 2.92: CKA_NSS_SERVER_DISTRUST_AFTER, which Firefox applies.
    let mozilla = program(&programs, "mozilla");
    assert_eq!(mozilla["trusted"], true, "{mozilla}");
    assert_eq!(
        mozilla["constraints"][0]["distrust_after"], "2026-04-15T23:59:59Z",
        "{mozilla}"
    );
}

#[test]
fn a_chrome_root_under_sct_not_after_shows_both_constraint_sets() {
    let scratch = Scratch::new("chunghwa");
    let root = bundled_root(&scratch, CHUNGHWA_ROOT);
    let programs = programs_for(&root);
    let chrome = program(&programs, "chrome");
    assert_eq!(chrome["trusted"], true);
    let sets = chrome["constraints"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{chrome}");
    assert_eq!(sets[0]["sct_not_after"], "2025-07-31T23:59:59Z");
    assert_eq!(sets[0]["min_version"], 139);
    assert_eq!(sets[1]["max_version_exclusive"], 139);
    // The human report says the same, briefly.
    let empty = Scratch::new("empty-root-dir");
    let dir = empty.0.display().to_string();
    let run = tlsdoctor(&[
        "trust",
        "--root",
        &root,
        "--root-dir",
        &dir,
        "--color",
        "never",
    ]);
    assert!(
        run.stdout
            .contains("trusted only for leaves logged (first SCT) by 2025-07-31T23:59:59Z"),
        "{}",
        run.stdout
    );
}

#[test]
fn trust_apple_says_it_is_not_bundled_and_that_a_file_works() {
    for store in ["apple", "microsoft", "android-14", "java-21"] {
        let run = tlsdoctor(&["check", "--file", "x.pem", "--trust", store]);
        assert_eq!(run.code, 2, "{store}: {}", run.stderr);
        assert!(run.stderr.contains("not bundled"), "{}", run.stderr);
        assert!(run.stderr.contains("--trust FILE"), "{}", run.stderr);
    }
}

#[test]
fn trust_chrome_judges_against_the_bundled_chrome_root_store() {
    // The test PKI's root is in no program: the Chrome Root Store is the store that lacks it.
    let chain = common::chain_path("good").display().to_string();
    let run = tlsdoctor(&[
        "check",
        "--file",
        &chain,
        "--host",
        "ok.test",
        "--at",
        common::AT,
        "--trust",
        "chrome",
        "--format",
        "json",
    ]);
    assert_eq!(run.target()["trust"]["store"], "chrome");
    assert_eq!(run.target()["stores"][0]["kind"], "program");
    // The report says how old tlsdoctor's copy of the Chrome Root Store is.
    assert_eq!(run.target()["stores"][0]["snapshot"], "2026-07-06");
    assert!(run.has("unknown-issuer"), "{:?}", run.causes());
    assert!(
        run.finding("unknown-issuer")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("chrome")),
        "{}",
        run.finding("unknown-issuer")
    );
}

/// A test PKI whose leaf starts at `not_before`, and the program `id` holding its root with a
/// distrust-after date of 2026-01-15 (the Java shape of constraint).
fn distrusted_pki(not_before: OffsetDateTime, id: &str) -> (NamedPki, Program) {
    let pki = NamedPki::with(
        "tlsdoctor Distrust Test Root",
        "ok.test",
        |_| {},
        |leaf| leaf.not_before = not_before,
    );
    let constraint = Constraint {
        distrust_after: Some(datetime!(2026-01-15 23:59:59 UTC)),
        policy: Some("TEST_TLS".into()),
        ..Constraint::default()
    };
    let program = Program::custom(id, vec![(pki.root.clone(), vec![constraint])]);
    (pki, program)
}

fn options(scratch: &Scratch, pki: &NamedPki, program: Program, clients: &str) -> Options {
    options_for_root(scratch, &pki.root, program, clients)
}

fn options_for_root(scratch: &Scratch, root: &[u8], program: Program, clients: &str) -> Options {
    let root = scratch.file("root.pem", pem(root).as_bytes());
    let stores = StoreSet::new(&[], &[root.into()], SystemLocations::default())
        .unwrap()
        .with_program(program);
    let mut options = Options::new(stores);
    options.at = Some(datetime!(2026-06-01 0:00 UTC));
    options.fetch = false;
    options.clients = tlsdoctor::clients::select(clients).unwrap();
    options
}

async fn check_chain(not_before: OffsetDateTime) -> tlsdoctor::report::TargetReport {
    let scratch = Scratch::new("distrust");
    let (pki, program) = distrusted_pki(not_before, "java-17");
    let chain = scratch.file("chain.pem", pem(&pki.leaf).as_bytes());
    let options = options(&scratch, &pki, program, "java-17");
    tlsdoctor::check_file(std::path::Path::new(&chain), Some("ok.test"), &options)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_leaf_issued_before_the_distrust_date_is_still_trusted() {
    let report = check_chain(datetime!(2026-01-15 12:00 UTC)).await;
    let causes: Vec<&str> = report.findings.iter().map(|f| f.cause).collect();
    assert!(!causes.contains(&"distrusted-root"), "{causes:?}");
    assert_eq!(
        report.clients[0].outcome.as_str(),
        "ok",
        "{:?}",
        report.clients[0]
    );
}

#[tokio::test]
async fn a_leaf_issued_after_the_distrust_date_is_named_and_fails_for_that_program() {
    let report = check_chain(datetime!(2026-01-16 00:00 UTC)).await;
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "distrusted-root")
        .expect("a distrusted-root finding");
    assert!(finding.detail.contains("TEST_TLS"), "{}", finding.detail);
    assert!(finding.detail.contains("Java 17"), "{}", finding.detail);
    let java = &report.clients[0];
    assert_eq!(java.outcome.as_str(), "fail", "{java:?}");
    assert_eq!(java.causes, vec!["distrusted-root"]);
}

#[test]
fn a_served_leaf_after_the_distrust_date_fails_java_only() {
    let scratch = Scratch::new("distrust-served");
    let (pki, program) = distrusted_pki(datetime!(2026-02-01 0:00 UTC), "java-17");
    let config = server_config(
        vec![pki.leaf.clone()],
        pki.leaf_key.clone_key(),
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    );
    let server = Server::tls_config(config);
    let options = options(&scratch, &pki, program, "chrome,java-17,firefox");
    let mut target = Target::parse(&server.target()).unwrap();
    target.servername = Some("ok.test".into());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let report = runtime
        .block_on(tlsdoctor::check_target(&target, &options))
        .unwrap();
    assert_eq!(
        outcome(&report, "java-17"),
        ("fail", vec!["distrusted-root"])
    );
    // Chrome and Firefox hold no such constraint: they connect, and the finding says who fails.
    assert_eq!(outcome(&report, "chrome").0, "ok", "{:?}", report.clients);
    assert_eq!(outcome(&report, "firefox").0, "ok", "{:?}", report.clients);
    assert!(report.findings.iter().any(|f| f.cause == "distrusted-root"));
    assert_eq!(report.verdict.as_str(), "error");
}

/// A leaf for ok.test embedding one SCT dated `logged`, signed by a test log when `genuine`,
/// else with a forged signature; its root is in a test "chrome" program with an SCT-not-after
/// of 2026-03-01, and the run knows the test log. Judged for Chrome and Java.
async fn chrome_judges_sct(
    logged: OffsetDateTime,
    genuine: bool,
) -> tlsdoctor::report::TargetReport {
    let scratch = Scratch::new("sct");
    let log = ct::TestLog::new("tlsdoctor Test Log", "tlsdoctor");
    let pki = ct::CtPki::new(90, |tbs, issuer_spki| {
        let mut sct = log.sign_precert(logged, issuer_spki, tbs);
        if !genuine {
            // The last byte of the signature.
            if let Some(last) = sct.last_mut() {
                *last ^= 0x01;
            }
        }
        vec![sct]
    });
    let constraint = Constraint {
        sct_not_after: Some(datetime!(2026-03-01 23:59:59 UTC)),
        ..Constraint::default()
    };
    let program = Program::custom("chrome", vec![(pki.root.clone(), vec![constraint])]);
    let chain = scratch.file("chain.pem", pem(&pki.leaf).as_bytes());
    let logs = LogList::parse(&ct::log_list(&[&log])).expect("test log list");
    let options =
        options_for_root(&scratch, &pki.root, program, "chrome,java-17").with_ct_logs(logs);
    tlsdoctor::check_file(std::path::Path::new(&chain), Some("ok.test"), &options)
        .await
        .unwrap()
}

#[tokio::test]
async fn chrome_refuses_a_leaf_first_logged_after_its_roots_sct_not_after_date() {
    let report = chrome_judges_sct(datetime!(2026-03-02 00:00 UTC), true).await;
    assert_eq!(
        outcome(&report, "chrome"),
        ("fail", vec!["distrusted-root"])
    );
    assert_eq!(outcome(&report, "java-17").0, "ok", "{:?}", report.clients);
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "distrusted-root")
        .expect("a distrusted-root finding");
    assert!(
        finding.detail.contains("earliest SCT"),
        "{}",
        finding.detail
    );
}

#[tokio::test]
async fn chrome_accepts_a_leaf_logged_before_the_date() {
    let report = chrome_judges_sct(datetime!(2026-02-01 00:00 UTC), true).await;
    assert_eq!(outcome(&report, "chrome").0, "ok", "{:?}", report.clients);
    assert!(!report.findings.iter().any(|f| f.cause == "distrusted-root"));
}

#[tokio::test]
async fn a_forged_early_sct_does_not_vouch_for_the_date() {
    // Chromium counts only SCTs that verify: an early date with a bad signature proves nothing.
    let report = chrome_judges_sct(datetime!(2026-02-01 00:00 UTC), false).await;
    let (verdict, causes) = outcome(&report, "chrome");
    assert_eq!(verdict, "fail", "{:?}", report.clients);
    assert!(causes.contains(&"distrusted-root"), "{causes:?}");
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "distrusted-root")
        .expect("a distrusted-root finding");
    assert!(
        finding.detail.contains("no SCT that verifies"),
        "{}",
        finding.detail
    );
}

#[test]
fn clients_lists_the_root_programs_with_dates_counts_and_sources() {
    let run = tlsdoctor(&["clients", "--format", "json"]);
    let programs = &run.json()["root_programs"];
    let chrome = programs["bundled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "chrome")
        .unwrap();
    assert_eq!(chrome["roots"], 104);
    assert_eq!(chrome["package"], "chromium");
    assert_eq!(chrome["snapshot"], "2026-07-06");
    let not_bundled: Vec<&str> = programs["not_bundled"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(not_bundled, ["apple", "microsoft", "android"]);
    let human = tlsdoctor(&["clients"]);
    let line = |start: &str, text: &str| {
        human
            .stdout
            .lines()
            .any(|l| l.starts_with(start) && l.contains(text))
    };
    assert!(
        line("java-17 ", "OpenJDK 17 cacerts, 109 roots"),
        "{}",
        human.stdout
    );
    assert!(line("apple ", "not bundled"), "{}", human.stdout);
}
