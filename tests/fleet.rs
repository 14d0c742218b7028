//! Many targets in one run, as a CI job or a monitor runs them.

mod common;
use common::programs::{program, require};
use common::*;
use std::time::{Duration, Instant};

fn check_many(targets: &[String], extra: &[&str]) -> Run {
    let root = root_ca();
    let mut args: Vec<&str> = vec!["check"];
    args.extend(targets.iter().map(String::as_str));
    args.extend([
        "--servername",
        "ok.test",
        "--ca-file",
        &root,
        "--at",
        AT,
        "--timeout",
        "2",
    ]);
    args.extend_from_slice(extra);
    tlsdoctor(&args)
}

fn verdicts_by_target(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["targets"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    (
                        t["target"].as_str().unwrap_or_default().to_string(),
                        t["verdict"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_target_gets_its_own_verdict_and_a_silent_one_holds_up_no_other() {
    let good = Server::tls("good");
    let expired = Server::tls("expired-leaf");
    let silent = Server::silent();
    let refused = format!("127.0.0.1:{}", closed_port());
    let targets = vec![
        silent.target(),
        good.target(),
        expired.target(),
        refused.clone(),
    ];

    let started = Instant::now();
    let run = check_many(&targets, &["--format", "json"]);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        run.code, 1,
        "an error finding wins over unreachable targets"
    );
    assert_eq!(
        verdicts_by_target(&run.json()),
        vec![
            (targets[0].clone(), "unreachable".into()),
            (targets[1].clone(), "ok".into()),
            (targets[2].clone(), "error".into()),
            (refused, "unreachable".into()),
        ],
        "one document, in the order given"
    );

    // Streamed: every other target is written before the silent one times out.
    let run = check_many(&targets, &["--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines
            .iter()
            .all(|l| l["schema_version"] == 2 && l["target"].is_string())
    );
    assert_eq!(
        lines[3]["target"],
        targets[0].as_str(),
        "the silent target finishes last"
    );
    assert_eq!(lines[3]["findings"][0]["cause"], "timeout");
}

#[test]
fn fail_on_decides_what_fails_the_run() {
    let good = Server::tls("good");
    let targets = [good.target()];
    let soon = ["--at", "2026-12-20T00:00:00Z", "--format", "json"];
    let with = |extra: &[&str]| {
        let root = root_ca();
        let mut args: Vec<&str> = vec![
            "check",
            &targets[0],
            "--servername",
            "ok.test",
            "--ca-file",
            &root,
        ];
        args.extend_from_slice(&soon);
        args.extend_from_slice(extra);
        tlsdoctor(&args)
    };
    assert_eq!(with(&[]).verdict(), "warning");
    assert_eq!(with(&[]).code, 0, "warnings pass by default");
    assert_eq!(with(&["--fail-on", "warning"]).code, 1);
    let expired = Server::tls("expired-leaf");
    let run = check_many(
        &[expired.target()],
        &["--fail-on", "never", "--format", "json"],
    );
    assert_eq!(run.verdict(), "error");
    assert_eq!(run.code, 0);
    let unreachable = check_many(
        &[format!("127.0.0.1:{}", closed_port())],
        &["--fail-on", "never"],
    );
    assert_eq!(unreachable.code, 0);
}

#[test]
fn the_human_list_has_a_line_per_target_details_for_failures_and_a_summary() {
    let good = Server::tls("good");
    let leaf_only = Server::tls("leaf-only");
    let targets = vec![good.target(), leaf_only.target()];
    let run = check_many(&targets, &["--color", "never"]);
    let out = &run.stdout;
    let good_line = out
        .lines()
        .find(|l| l.contains(&targets[0]))
        .unwrap_or_default();
    assert!(
        good_line.starts_with("✓ ok") && good_line.contains("214 days left"),
        "{out}"
    );
    let bad_line = out
        .lines()
        .find(|l| l.contains(&targets[1]) && l.starts_with('✗'))
        .unwrap_or_default();
    assert!(bad_line.contains("missing-intermediate"), "{out}");
    assert_eq!(
        out.matches("Chain as sent").count(),
        1,
        "details only for the failing target:\n{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("2 targets: 1 ok, 0 warning, 1 error, 0 unreachable"),
        "{out}"
    );

    let verbose = check_many(&targets, &["--color", "never", "--verbose"]);
    assert_eq!(verbose.stdout.matches("Chain as sent").count(), 2);
}

#[test]
fn targets_come_from_a_file_or_stdin_with_per_target_options() {
    let good = Server::tls("good");
    let wildcard = Server::tls("wildcard");
    let scratch = Scratch::new("targets");
    let list = format!(
        "# staging endpoints\n\nok.test:443 connect=127.0.0.1:{}\n{} servername=a.wild.test  # pool member\n",
        good.port(),
        wildcard.target()
    );
    let file = scratch.file("targets.txt", list.as_bytes());
    let root = root_ca();
    let args = [
        "check",
        "--targets",
        &file,
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ];
    let run = tlsdoctor(&args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["targets"][0]["name"], "ok.test");
    assert_eq!(doc["targets"][0]["connection"]["address"], good.target());
    assert_eq!(doc["targets"][1]["name"], "a.wild.test");

    let stdin_args = [
        "check",
        "--targets",
        "-",
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ];
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
        .args(stdin_args)
        .stdin(std::fs::File::open(&file).expect("targets file"))
        .output()
        .expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(doc["targets"].as_array().map(Vec::len), Some(2));

    let bad = scratch.file("bad.txt", b"ok.test colour=blue\n");
    let run = tlsdoctor(&["check", "--targets", &bad]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 1"), "{}", run.stderr);
}

#[test]
fn connect_to_checks_a_production_name_that_does_not_resolve_against_a_staging_address() {
    let staging = Server::tls("good");
    let root = root_ca();
    let rule = format!("ok.test:443:127.0.0.1:{}", staging.port());
    let run = tlsdoctor(&[
        "check",
        "ok.test",
        "--connect-to",
        &rule,
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert_eq!(run.target()["name"], "ok.test");
    assert_eq!(run.target()["connection"]["sni"], "ok.test");
    assert_eq!(run.target()["connection"]["address"], staging.target());

    let resolve = format!("ok.test:{}:127.0.0.1", staging.port());
    let target = format!("ok.test:{}", staging.port());
    let run = tlsdoctor(&[
        "check",
        &target,
        "--resolve",
        &resolve,
        "--ca-file",
        &root,
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
}

/// The Prometheus text for a good, a broken and an unreachable target, with the targets.
fn prometheus_text() -> (String, Vec<String>) {
    let good = Server::tls("good");
    let leaf_only = Server::tls("leaf-only");
    let targets = vec![
        good.target(),
        leaf_only.target(),
        format!("127.0.0.1:{}", closed_port()),
    ];
    let run = check_many(&targets, &["--format", "prometheus"]);
    (run.stdout, targets)
}

#[test]
fn prometheus_output_is_valid_exposition_text() {
    let (text, targets) = prometheus_text();
    assert!(
        text.contains(&format!("tlsdoctor_up{{target=\"{}\"}} 1", targets[0])),
        "{text}"
    );
    assert!(
        text.contains(&format!("tlsdoctor_up{{target=\"{}\"}} 0", targets[2])),
        "{text}"
    );
    assert!(
        text.contains("tlsdoctor_findings{") && text.contains("cause=\"missing-intermediate\"")
    );
    assert!(text.contains(&format!(
        "tlsdoctor_earliest_expiry_timestamp_seconds{{target=\"{}\"}} 1798761600",
        targets[0]
    )));
    assert!(
        text.contains(&format!(
            "tlsdoctor_tls_version_info{{target=\"{}\",version=\"TLS 1.3\"}} 1",
            targets[0]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tlsdoctor_handshake_duration_seconds{{target=\"{}\"}} ",
            targets[0]
        )),
        "{text}"
    );
    let leaf_left = format!(
        "tlsdoctor_certificate_remaining_seconds{{target=\"{}\",position=\"0\",role=\"leaf\",subject=\"CN=ok.test\"}} {}",
        targets[0],
        214 * 86400
    );
    assert!(text.contains(&leaf_left), "{text}");
    // Every sample line is `name{labels} number`, every family has HELP and TYPE.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or_default();
        assert!(value.parse::<f64>().is_ok(), "bad sample: {line}");
    }
}

#[test]
fn prometheus_output_passes_promtool() {
    if !require(&["promtool"]) {
        return;
    }
    let (text, _) = prometheus_text();
    let mut check = std::process::Command::new(program("promtool"))
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool");
    use std::io::Write;
    check
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = check.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fix_chain_refuses_several_targets() {
    let run = tlsdoctor(&["check", "a.example", "b.example", "--fix-chain", "out.pem"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("single target"), "{}", run.stderr);
}
