//! `tlsdoctor serve`: a real Prometheus scrapes loopback fixtures through the exporter, and the
//! exporter holds up against malformed, forbidden, sneaky and overwhelming requests.

mod common;

use common::exporter::{Exporter, Prometheus, encode, get};
use common::{Scratch, Server, closed_port, tlsdoctor};
use std::time::{Duration, Instant};

/// 2027-01-01T00:00:00Z: when the good fixture's leaf expires.
const GOOD_LEAF_EXPIRY: f64 = 1_798_761_600.0;

/// The value of the one series `query` returns for `instance`.
fn value_for(prometheus: &Prometheus, query: &str, instance: &str) -> Option<f64> {
    prometheus
        .query(query)
        .iter()
        .find(|s| s["metric"]["instance"] == instance)
        .and_then(|s| s["value"][1].as_str()?.parse().ok())
}

#[test]
fn prometheus_scrapes_good_expired_and_unreachable_targets_through_the_exporter() {
    let Some(binary) = Prometheus::find() else {
        assert!(
            std::env::var("TLSDOCTOR_E2E").as_deref() != Ok("all"),
            "TLSDOCTOR_E2E=all but prometheus is not installed (apt-get install prometheus)"
        );
        println!("SKIPPED: prometheus is not installed (apt-get install prometheus)");
        return;
    };
    let good = Server::tls("good");
    let expired = Server::tls("expired-leaf");
    let unreachable = format!("127.0.0.1:{}", closed_port());
    let exporter = Exporter::start(&[]);
    let config = format!(
        "global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: tls
    metrics_path: /probe
    params:
      servername: [ok.test]
    static_configs:
      - targets: ['{good}', '{expired}', '{unreachable}']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: '{exporter}'
  - job_name: tlsdoctor_exporter
    static_configs:
      - targets: ['{exporter}']
",
        good = good.target(),
        expired = expired.target(),
        exporter = exporter.addr,
    );
    let prometheus = Prometheus::start(&binary, &config);
    let up = prometheus.wait_for("tlsdoctor_up{job=\"tls\"}", 3, Duration::from_secs(60));
    assert_eq!(up.len(), 3, "Prometheus has not scraped all three: {up:?}");

    let success = "probe_success{job=\"tls\"}";
    assert_eq!(value_for(&prometheus, success, &good.target()), Some(1.0));
    assert_eq!(
        value_for(&prometheus, success, &expired.target()),
        Some(0.0)
    );
    assert_eq!(value_for(&prometheus, success, &unreachable), Some(0.0));

    let expiry = "tlsdoctor_earliest_expiry_timestamp_seconds";
    assert_eq!(
        value_for(&prometheus, expiry, &good.target()),
        Some(GOOD_LEAF_EXPIRY)
    );
    let version = "tlsdoctor_tls_version_info{version=\"TLS 1.3\"}";
    assert_eq!(value_for(&prometheus, version, &good.target()), Some(1.0));

    let expired_cause = "tlsdoctor_findings{cause=\"expired\",severity=\"error\"}";
    assert_eq!(
        value_for(&prometheus, expired_cause, &expired.target()),
        Some(1.0)
    );
    let error = "tlsdoctor_verdict{verdict=\"error\"}";
    assert_eq!(value_for(&prometheus, error, &expired.target()), Some(1.0));

    let refused = "tlsdoctor_findings{cause=\"connection-refused\"}";
    assert_eq!(value_for(&prometheus, refused, &unreachable), Some(1.0));
    assert_eq!(
        value_for(&prometheus, "tlsdoctor_up", &unreachable),
        Some(0.0)
    );

    let own = prometheus.wait_for(
        "tlsdoctor_exporter_probes_total{result=\"success\"} > 0",
        1,
        Duration::from_secs(30),
    );
    assert_eq!(own.len(), 1, "the exporter's own metrics were not scraped");
}

#[test]
fn probe_output_passes_promtool_and_names_the_cause() {
    let expired = Server::tls("expired-leaf");
    let exporter = Exporter::start(&[]);
    let reply = exporter.probe(&format!(
        "target={}&servername=ok.test",
        encode(&expired.target())
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.sample("probe_success"), Some(0.0));
    assert!(
        reply
            .body
            .contains("cause=\"expired\",severity=\"error\"} 1"),
        "{}",
        reply.body
    );
    let health = exporter.get("/metrics");
    assert_eq!(health.status, 200);
    assert!(
        health
            .body
            .contains("tlsdoctor_exporter_probes_total{result=\"failure\"} 1"),
        "{}",
        health.body
    );
    for text in [&reply.body, &health.body] {
        promtool_accepts(text);
    }
}

fn promtool_accepts(text: &str) {
    let Some(promtool) = Prometheus::find().map(|p| p.with_file_name("promtool")) else {
        println!("SKIPPED promtool check: prometheus is not installed");
        return;
    };
    use std::io::Write;
    let mut check = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool");
    if let Some(mut stdin) = check.stdin.take() {
        stdin.write_all(text.as_bytes()).expect("write to promtool");
    }
    let out = check.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_scrape_without_a_usable_target_is_a_400_with_the_reason() {
    let exporter = Exporter::start(&[]);
    for (query, reason) in [
        ("", "missing parameter target"),
        ("target=", "missing parameter target"),
        ("target=ok.test%2Fadmin", "not HOST[:PORT]"),
        ("target=ok.test%3A443%3Fx%3D1", "not HOST[:PORT]"),
        ("target=http%3A%2F%2Fok.test", "scheme is not supported"),
        (
            "target=file%3A%2F%2F%2Fetc%2Fpasswd",
            "scheme is not supported",
        ),
        ("target=ok.test&starttls=gopher", "starttls"),
    ] {
        let reply = exporter.probe(query);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(reply.body.contains(reason), "{query}: {}", reply.body);
        assert_eq!(reply.body.trim().lines().count(), 1, "{}", reply.body);
    }
}

#[test]
fn parameters_that_name_files_or_proxies_are_refused() {
    let exporter = Exporter::start(&[]);
    for query in [
        "target=ok.test&ca_file=%2Fetc%2Fpasswd",
        "target=ok.test&trust=%2Fetc%2Fshadow",
        "target=ok.test&proxy=http%3A%2F%2F127.0.0.1%3A3128",
        "target=ok.test&module=..%2Fx",
        "target=ok.test&module=%2Fetc%2Fpasswd",
        "target=ok.test&module=nosuchmodule",
    ] {
        let reply = exporter.probe(query);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(!reply.body.contains("root:"), "{}", reply.body);
    }
}

#[test]
fn a_target_outside_the_allow_list_is_forbidden() {
    let good = Server::tls("good");
    let exporter = Exporter::start(&["--allow", "*.ok.test", "--allow", "127.0.0.0/8:1-1023"]);
    let reply = exporter.probe(&format!("target={}", encode(&good.target())));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.body.contains("--allow"), "{}", reply.body);

    let allowed = Exporter::start(&["--allow", &format!("127.0.0.1:{}", good.port())]);
    let reply = allowed.probe(&format!("target={}", encode(&good.target())));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.sample("probe_success"), Some(1.0));
}

#[test]
fn modules_come_from_the_config_file_only() {
    let good = Server::tls("good");
    let scratch = Scratch::new("serve-modules");
    let config = scratch.file(
        "modules.toml",
        format!(
            "# the test PKI\n[modules.testpki]\nca_file = [{:?}]\ntimeout = 3\n\n\
             [modules.public]\ntrust = [\"mozilla\"]\n",
            common::root_ca()
        )
        .as_bytes(),
    );
    // The default module trusts nothing of the test PKI: only the module does.
    let exporter = Exporter::start(&[
        "--config",
        &config,
        "--ca-file",
        &common::ca_path("other-root").display().to_string(),
    ]);
    let target = format!("target={}&servername=ok.test", encode(&good.target()));
    let by_module = exporter.probe(&format!("{target}&module=testpki"));
    assert_eq!(
        by_module.sample("probe_success"),
        Some(1.0),
        "{}",
        by_module.body
    );
    let by_public = exporter.probe(&format!("{target}&module=public"));
    assert_eq!(
        by_public.sample("probe_success"),
        Some(0.0),
        "{}",
        by_public.body
    );
    let by_default = exporter.probe(&target);
    assert_eq!(
        by_default.sample("probe_success"),
        Some(0.0),
        "{}",
        by_default.body
    );
}

#[test]
fn a_config_that_redefines_the_default_module_is_refused_at_start() {
    let scratch = Scratch::new("serve-default");
    let config = scratch.file("modules.toml", b"[modules.default]\ntimeout = 3\n");
    let run = tlsdoctor(&["serve", "--listen", "127.0.0.1:0", "--config", &config]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("default module"), "{}", run.stderr);
}

#[test]
fn an_exporter_open_to_the_network_without_allow_warns_it_is_a_relay() {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the bind fails after the warning, and no
    // socket ever opens beyond loopback.
    let run = tlsdoctor(&["serve", "--listen", "192.0.2.1:9219"]);
    assert!(run.stderr.contains("open probe relay"), "{}", run.stderr);
    assert_eq!(run.code, 2);
    let allowed = tlsdoctor(&["serve", "--listen", "192.0.2.1:9219", "--allow", ":443"]);
    assert!(
        !allowed.stderr.contains("open probe relay"),
        "{}",
        allowed.stderr
    );
}

#[test]
fn the_scrape_timeout_header_bounds_a_probe_of_a_silent_server() {
    let silent = Server::silent();
    let exporter = Exporter::start(&["--timeout", "30"]);
    let started = Instant::now();
    let reply = get(
        &exporter.addr,
        &format!("/probe?target={}", encode(&silent.target())),
        &[("X-Prometheus-Scrape-Timeout-Seconds", "1.5")],
    );
    let took = started.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.sample("probe_success"), Some(0.0));
    assert!(reply.body.contains("cause=\"timeout\""), "{}", reply.body);
    assert!(took < Duration::from_millis(1500), "took {took:?}");
}

#[test]
fn a_thousand_probes_of_a_silent_server_are_each_answered_within_bounds() {
    let silent = Server::silent();
    let mut exporter = Exporter::start(&[
        "--timeout",
        "0.3",
        "--max-probes",
        "50",
        "--queue-wait",
        "0.2",
    ]);
    let path = format!("/probe?target={}", encode(&silent.target()));
    let clients: Vec<_> = (0..100)
        .map(|_| {
            let addr = exporter.addr.clone();
            let path = path.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| get(&addr, &path, &[]))
                    .map(|reply| match reply.status {
                        200 if reply.sample("probe_success") == Some(0.0) => Ok(200),
                        503 if reply.body.contains("--max-probes") => Ok(503),
                        _ => Err(format!("{}: {}", reply.status, reply.body)),
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut answered = (0, 0);
    for client in clients {
        for outcome in client.join().expect("client thread") {
            match outcome {
                Ok(200) => answered.0 += 1,
                Ok(_) => answered.1 += 1,
                Err(wrong) => panic!("a wrong answer: {wrong}"),
            }
        }
    }
    assert_eq!(answered.0 + answered.1, 1000);
    assert!(answered.0 >= 50, "probed {} of 1000", answered.0);
    assert!(exporter.alive(), "the exporter died");
    let health = exporter.get("/metrics");
    assert!(
        health
            .body
            .contains("tlsdoctor_exporter_probes_in_flight 0"),
        "{}",
        health.body
    );
    let peak_kb = exporter.memory_kb("VmHWM");
    assert!(peak_kb < 256 * 1024, "peak RSS {peak_kb} kB");
    println!(
        "1000 probes: {} probed, {} turned away (503); peak RSS {} kB, now {} kB",
        answered.0,
        answered.1,
        peak_kb,
        exporter.memory_kb("VmRSS")
    );
}

#[test]
fn a_module_with_clients_reports_each_clients_outcome() {
    let no_san = Server::tls("no-san");
    let scratch = Scratch::new("serve-clients");
    let config = scratch.file(
        "modules.toml",
        format!(
            "[modules.apps]\nca_file = [{:?}]\nclients = \"go-1.22,java-17\"\n",
            common::root_ca()
        )
        .as_bytes(),
    );
    let exporter = Exporter::start(&["--config", &config]);
    let target = format!("target={}&servername=ok.test", encode(&no_san.target()));
    let reply = exporter.probe(&format!("{target}&module=apps"));
    let line =
        |client: &str, outcome: &str| format!("client=\"{client}\",outcome=\"{outcome}\"}} 1");
    assert!(
        reply.body.contains(&line("go-1.22", "fail")),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains(&line("java-17", "ok")),
        "{}",
        reply.body
    );
}
