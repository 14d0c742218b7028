//! Real TLS clients still do what `tests/data/clients/outcomes.json` recorded: each test re-runs
//! one installed client against every server configuration of `servers.json` and fails when a
//! live outcome (connected or not) differs from the recording, so client profiles are never
//! judged against a stale truth. Regenerate the recording with `tests/data/clients/record.py`.
//!
//! A client that is not installed prints one `SKIPPED` line; with `TLSDOCTOR_E2E=all` it fails.

mod common;
use common::clients::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Instant;

/// Servers checked at once by one client (each test runs one client; tests run in parallel).
const SERVERS_AT_ONCE: usize = 4;

/// Written past libtest's capture, so it shows in a normal `cargo test` run.
fn visible(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn live_outcomes_match_the_recording(client_id: &str) {
    // The servers and their throwaway PKI are openssl's, whichever client is tested.
    if !common::programs::require(&["openssl"]) {
        return;
    }
    let spec = client_spec(client_id);
    let missing = spec.missing();
    if !missing.is_empty() {
        let line = format!(
            "SKIPPED ({client_id} not installed: {} not found)",
            missing.join(", ")
        );
        assert!(
            std::env::var("TLSDOCTOR_E2E").as_deref() != Ok("all"),
            "{line}; TLSDOCTOR_E2E=all needs every client"
        );
        visible(&line);
        return;
    }
    let started = Instant::now();
    let recorded = recorded_outcomes();
    let pki = ThrowawayPki::shared();
    let client = spec
        .prepare(pki)
        .unwrap_or_else(|e| panic!("{client_id} setup: {e}"));
    let ids: Vec<String> = recorded.keys().cloned().collect();
    let live = run_against(&client, pki, &ids, SERVERS_AT_ONCE);

    let mut differences = Vec::new();
    for (id, row) in &recorded {
        let was = *row.get(client_id).unwrap_or_else(|| {
            panic!("{client_id} is not in outcomes.json; run tests/data/clients/record.py")
        });
        let now = &live[id];
        if now.connected() != was {
            let said = match now {
                Outcome::Connected => "connected".to_string(),
                Outcome::Failed(error) => format!("failed: {error}"),
            };
            let recorded = if was { "connected" } else { "failed" };
            differences.push(format!("  {id}: recorded {recorded}, now {said}"));
        }
    }
    visible(&format!(
        "{client_id}: {} configurations, {} differ from the recording, {:.1} s",
        ids.len(),
        differences.len(),
        started.elapsed().as_secs_f64()
    ));
    assert!(
        differences.is_empty(),
        "{client_id} no longer does what outcomes.json says (rerun tests/data/clients/record.py if the client changed):\n{}\nrecorded with: {}\ninstalled now: {}",
        differences.join("\n"),
        recorded_version(client_id).unwrap_or_default(),
        spec.live_version()
    );
}

#[test]
fn curl_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("curl");
}

#[test]
fn wget_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("wget");
}

#[test]
fn gnutls_cli_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("gnutls-cli");
}

#[test]
fn python_urllib_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("python-urllib");
}

#[test]
fn node_https_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("node-https");
}

#[test]
fn go_net_http_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("go-net-http");
}

#[test]
fn java_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("java");
}

#[test]
fn chromium_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("chromium");
}

#[test]
fn firefox_connects_exactly_where_recorded() {
    live_outcomes_match_the_recording("firefox");
}

/// The recording covers every configuration and every client of the data files, and every
/// configuration is described: a configuration or client added without re-recording fails here.
#[test]
fn recording_covers_every_configuration_and_client() {
    let recorded = recorded_outcomes();
    let configs = server_configs();
    let config_ids: BTreeSet<String> = configs.iter().map(|c| c.id.clone()).collect();
    let recorded_ids: BTreeSet<String> = recorded.keys().cloned().collect();
    assert_eq!(
        config_ids, recorded_ids,
        "servers.json and outcomes.json list different configurations"
    );
    assert!(
        configs.iter().all(|c| !c.description.is_empty()),
        "a configuration without a description"
    );
    for spec in client_specs() {
        assert!(
            recorded.values().all(|row| row.contains_key(&spec.id)),
            "{} is in clients.json but not recorded in every row of outcomes.json",
            spec.id
        );
    }
}
