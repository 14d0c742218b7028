//! The pipeline's own guarantees, driven through the library as the fuzz targets drive it.

mod common;
use common::*;
use rustls::pki_types::ServerName;
use std::time::Duration;
use tlsdoctor::Options;
use tlsdoctor::fetch::{FetchError, Pending};
use tlsdoctor::pipeline::{self, Presented};
use tlsdoctor::trust::{StoreSet, SystemLocations};

/// Downloads that all fail at once, so only the judging takes time.
struct Offline;

impl tlsdoctor::fetch::Fetch for Offline {
    fn get<'a>(&'a self, _url: &'a str) -> Pending<'a> {
        Box::pin(async { Err(FetchError::Connect("offline".into())) })
    }

    fn post<'a>(&'a self, _: &'a str, _: &'a str, _: Vec<u8>, _: usize) -> Pending<'a> {
        Box::pin(async { Err(FetchError::Connect("offline".into())) })
    }
}

fn options() -> Options {
    let stores =
        StoreSet::new(&[], &[ca_path("root")], SystemLocations::default()).expect("the test root");
    let mut options = Options::new(stores);
    options.at = Some(time::macros::datetime!(2026-06-01 0:00 UTC));
    options
}

fn presented(fixture: &str, options: &Options) -> Presented {
    let certs = tlsdoctor::bundle::read_certificates(&chain_path(fixture)).expect("fixture");
    let name = ServerName::try_from("ok.test").expect("name");
    Presented::from_file(fixture.into(), certs, Some(name), options).expect("a chain")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn a_judgement_past_its_deadline_is_reported_unfinished_not_waited_for() {
    let options = options();
    let runtime = runtime();
    // A deadline long past: the judging cannot be done in time, whatever the chain.
    let report = runtime.block_on(async {
        let now = tokio::time::Instant::now();
        let past = now
            .checked_sub(pipeline::JUDGING_GRACE + Duration::from_secs(5))
            .unwrap_or(now);
        pipeline::judge(presented("good", &options), &options, &Offline, past).await
    });
    assert_eq!(report.verdict.as_str(), "unreachable");
    let finding = &report.findings[0];
    assert_eq!(finding.cause, "judging-incomplete");
    assert!(
        finding.detail.contains("2 certificates sent"),
        "{}",
        finding.detail
    );
}

#[test]
fn the_same_chain_with_time_to_spare_is_judged() {
    let options = options();
    let report = runtime().block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        pipeline::judge(presented("good", &options), &options, &Offline, deadline).await
    });
    assert_eq!(report.verdict.as_str(), "ok", "{:?}", report.findings);
}

#[test]
fn a_chain_of_downloads_alone_has_no_leaf_and_is_not_verified() {
    // Nothing enforces a presented certificate in the chain model; the verifier must not panic.
    let (certs, _) = load_chain("good");
    let chain = tlsdoctor::chain::Chain::with_fetched(
        Vec::new(),
        vec![(certs[0].clone(), "http://127.0.0.1:9/x.cer".into())],
    );
    assert!(chain.leaf().is_none());
    let options = options();
    let store = &options.stores.stores()[0];
    let verification = tlsdoctor::verify::Verification::run(
        &chain,
        store,
        None,
        time::macros::datetime!(2026-06-01 0:00 UTC),
    );
    assert!(verification.chain.is_err());
}
