//! Servers behind a certificate's "CA Issuers" URL that try to stall or swamp the check: a
//! megabyte of look-alike issuers, a body that drips, a redirect loop, a 10 GB Content-Length.
//! Each ends in a named cause within `--timeout` (plus the one second the judging may take),
//! alone and in a fleet next to healthy targets.

mod common;
use common::http::Reply;
use common::pki::AiaPki;
use common::programs::require;
use common::*;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SerialNumber};
use rustls::pki_types::CertificateDer;
use std::time::{Duration, Instant};

/// The most a check may overrun its `--timeout`: the judging of what arrived.
const GRACE: Duration = Duration::from_secs(1);

/// A PKI whose leaf's "CA Issuers" URL is served by a loopback server answering `reply`.
struct Hostile {
    pki: AiaPki,
    _aia: Server,
    scratch: Scratch,
}

impl Hostile {
    fn new(label: &str, reply: impl FnOnce(&AiaPki) -> Reply) -> Hostile {
        let port = closed_port();
        let base = format!("http://127.0.0.1:{port}");
        let pki = AiaPki::new(&format!("{base}/root.cer"), &format!("{base}/int.cer"));
        let routes = vec![("/int.cer", reply(&pki))];
        let aia = http::http_server_at(&format!("127.0.0.1:{port}"), routes);
        Hostile {
            pki,
            _aia: aia,
            scratch: Scratch::new(label),
        }
    }

    /// `check --file leaf.pem` trusting the PKI's root, timed.
    fn check_leaf(&self, timeout: u64) -> (Run, Duration) {
        let leaf = self.scratch.file(
            "leaf.pem",
            tlsdoctor::bundle::to_pem(&self.pki.leaf).as_bytes(),
        );
        let root = self
            .scratch
            .file("root.pem", self.pki.root_pem().as_bytes());
        let timeout = timeout.to_string();
        let started = Instant::now();
        let run = check_path(&leaf, &["--ca-file", &root, "--timeout", &timeout]);
        (run, started.elapsed())
    }
}

/// Self-issued certificates with the intermediate's exact name but another key, each distinct:
/// what a hostile or broken CA Issuers URL could serve.
fn lookalikes(count: usize) -> Vec<CertificateDer<'static>> {
    let key = KeyPair::generate().expect("key");
    (0..count)
        .map(|i| {
            let mut params = CertificateParams::default();
            let mut name = DistinguishedName::new();
            name.push(DnType::CommonName, "tlsdoctor AIA Test Intermediate");
            params.distinguished_name = name;
            params.serial_number = Some(SerialNumber::from((i as u64 + 1).to_be_bytes().to_vec()));
            params.self_signed(&key).expect("look-alike").der().clone()
        })
        .collect()
}

/// As many look-alikes as fit in just under the 1 MiB download limit, as concatenated DER.
/// Their lengths differ by a few bytes (serial and signature encodings), so they are counted
/// as they are added rather than estimated from one sample.
fn megabyte_of_lookalikes(then: Option<&CertificateDer<'static>>) -> Vec<u8> {
    let sample = lookalikes(1);
    let room = tlsdoctor::fetch::MAX_BODY_BYTES - then.map_or(0, |c| c.len()) - 64;
    let mut body = Vec::with_capacity(tlsdoctor::fetch::MAX_BODY_BYTES);
    for cert in lookalikes(room / sample[0].len()) {
        if body.len() + cert.len() > room {
            break;
        }
        body.extend_from_slice(&cert);
    }
    if let Some(real) = then {
        body.extend_from_slice(real);
    }
    assert!(
        body.len() <= tlsdoctor::fetch::MAX_BODY_BYTES,
        "{}",
        body.len()
    );
    body
}

fn assert_within(elapsed: Duration, timeout: u64, run: &Run) {
    assert!(
        elapsed < Duration::from_secs(timeout) + GRACE,
        "took {elapsed:?} with --timeout {timeout}: {:?}",
        run.causes()
    );
}

fn detail(run: &Run, cause: &str) -> String {
    run.finding(cause)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_pkcs7_of_lookalike_issuers_is_named_not_blamed_on_the_servers_signature() {
    if !require(&["openssl"]) {
        return;
    }
    let hostile = Hostile::new("dl-p7", |_| {
        let pem: String = lookalikes(400)
            .iter()
            .map(|c| tlsdoctor::bundle::to_pem(c))
            .collect();
        Reply::Body(pkcs7_of(pem.as_bytes()))
    });
    let (run, elapsed) = hostile.check_leaf(3);
    assert_within(elapsed, 3, &run);
    assert!(!run.has("bad-signature"), "{:?}", run.causes());
    assert!(run.has("missing-intermediate"), "{:?}", run.causes());
    let unusable = detail(&run, "ca-issuers-unusable");
    assert!(unusable.contains("/int.cer"), "{unusable}");
    assert!(unusable.contains("400 certificates"), "{unusable}");
    assert!(
        run.target()["fetched"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "nothing useless is kept"
    );
}

#[test]
fn a_megabyte_of_lookalike_issuers_ends_within_the_timeout() {
    let hostile = Hostile::new("dl-mib", |_| Reply::Body(megabyte_of_lookalikes(None)));
    let (run, elapsed) = hostile.check_leaf(3);
    assert_within(elapsed, 3, &run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.has("ca-issuers-unusable"), "{:?}", run.causes());
    assert!(!run.has("bad-signature"), "{:?}", run.causes());
}

#[test]
fn the_real_issuer_is_found_behind_a_megabyte_of_lookalikes() {
    let hostile = Hostile::new("dl-real", |pki| {
        Reply::Body(megabyte_of_lookalikes(Some(&pki.intermediate)))
    });
    let (run, elapsed) = hostile.check_leaf(3);
    assert_within(elapsed, 3, &run);
    let target = run.target();
    assert_eq!(target["downloads"][0]["certificates"], 1, "{}", run.stdout);
    assert_eq!(
        target["trust"]["trusted"], true,
        "the key identifiers lead to the real one"
    );
    assert!(run.has("missing-intermediate"), "{:?}", run.causes());
    assert!(!run.has("ca-issuers-unusable"), "{:?}", run.causes());
}

#[test]
fn a_body_that_drips_a_byte_a_second_ends_at_the_timeout() {
    let hostile = Hostile::new("dl-drip", |_| Reply::Drip {
        announced: 2000,
        every: Duration::from_secs(1),
    });
    let (run, elapsed) = hostile.check_leaf(2);
    assert_within(elapsed, 2, &run);
    assert!(
        detail(&run, "missing-intermediate").contains("no answer before the check's time limit"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_redirect_loop_is_cut_after_a_few_hops() {
    let hostile = Hostile::new("dl-loop", |_| Reply::Redirect("/int.cer"));
    let (run, elapsed) = hostile.check_leaf(3);
    assert_within(elapsed, 3, &run);
    let said = detail(&run, "missing-intermediate");
    assert!(said.contains("more than 3 redirects"), "{said}");
}

#[test]
fn a_ten_gigabyte_content_length_is_refused_before_a_byte_is_read() {
    let hostile = Hostile::new("dl-10g", |_| Reply::Drip {
        announced: 10 * 1024 * 1024 * 1024,
        every: Duration::from_secs(1),
    });
    let (run, elapsed) = hostile.check_leaf(5);
    assert!(
        elapsed < Duration::from_secs(3),
        "refused on the header, not at the timeout: {elapsed:?}"
    );
    let said = detail(&run, "missing-intermediate");
    assert!(said.contains("larger than 1024 KiB"), "{said}");
}

#[test]
fn one_hostile_download_in_a_fleet_delays_no_healthy_target() {
    let hostile = Hostile::new("dl-fleet", |_| Reply::Body(megabyte_of_lookalikes(None)));
    let leaf_only = Server::tls_config(server_config(
        vec![hostile.pki.leaf.clone()],
        hostile.pki.leaf_key.clone_key(),
        rustls::DEFAULT_VERSIONS,
    ));
    let healthy: Vec<Server> = (0..10).map(|_| Server::tls("good")).collect();
    // The hostile target first, so it is in flight while the healthy ones are checked.
    let mut targets = vec![leaf_only.target()];
    for _ in 0..10 {
        targets.extend(healthy.iter().map(Server::target));
    }
    let scratch = Scratch::new("dl-fleet-list");
    let list = scratch.file("targets.txt", targets.join("\n").as_bytes());
    let mut roots = tlsdoctor::bundle::to_pem(&hostile.pki.root);
    roots.push_str(&std::fs::read_to_string(root_ca()).expect("test root"));
    let roots = scratch.file("roots.pem", roots.as_bytes());

    let started = Instant::now();
    let run = tlsdoctor(&[
        "check",
        "--targets",
        &list,
        "--servername",
        "ok.test",
        "--ca-file",
        &roots,
        "--at",
        AT,
        "--timeout",
        "3",
        "--format",
        "jsonl",
    ]);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(3) + GRACE,
        "took {elapsed:?}: {}",
        run.stderr
    );
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let reports: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("verdict").is_some())
        .collect();
    assert_eq!(reports.len(), targets.len(), "{}", run.stdout);
    let hostile_report = reports
        .iter()
        .find(|r| r["target"] == targets[0].as_str())
        .expect("the hostile target is reported");
    let causes: Vec<&str> = hostile_report["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["cause"].as_str()).collect())
        .unwrap_or_default();
    assert!(causes.contains(&"ca-issuers-unusable"), "{causes:?}");
    let ok = reports.iter().filter(|r| r["verdict"] == "ok").count();
    assert_eq!(ok, targets.len() - 1, "every healthy target is ok");
}
