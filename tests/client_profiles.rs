//! Client profiles: every client version the product speaks for exists, with a source for each
//! fact, and `check --clients` says which of them connect and why the others do not.

mod common;
use common::*;
use serde_json::Value;

/// The profiles the product promises, by id.
const PROMISED: &[&str] = &[
    "openssl-1.1",
    "openssl-3.0",
    "openssl-3",
    "gnutls-3.7",
    "gnutls-3",
    "python-3.8",
    "python-3.9",
    "python-3.10",
    "python-3.11",
    "python-3.12",
    "python-3.13",
    "node-16",
    "node-17",
    "node-18",
    "node-19",
    "node-20",
    "node-21",
    "node-22",
    "go-1.17",
    "go-1.18",
    "go-1.19",
    "go-1.20",
    "go-1.21",
    "go-1.22",
    "go-1.23",
    "java-8",
    "java-11",
    "java-17",
    "java-21",
    "rustls",
    "chrome",
    "firefox",
    "safari",
    "edge",
    "android-7",
    "android-10",
    "android-14",
];

fn listing() -> Vec<Value> {
    let run = tlsdoctor(&["clients", "all", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["profiles"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The facts every profile states, in the listing's (alphabetical) order.
const FACTS: &[&str] = &[
    "aia_fetch",
    "any_eku",
    "checks_eku",
    "cipher_suites",
    "cn_fallback",
    "ct_policy",
    "groups",
    "key_types",
    "leaf_ca",
    "lifetime_policy",
    "min_dh_bits",
    "min_rsa_bits",
    "psl_wildcards",
    "sha1",
    "signature_schemes",
    "store",
    "strict_rfc5280",
    "versions",
];

/// Facts a profile may have: its root program and the version its program's limits read.
const OPTIONAL_FACTS: &[&str] = &["root_program", "program_version"];

#[test]
fn every_promised_profile_exists_and_every_fact_has_a_source_and_a_date() {
    let profiles = listing();
    let ids: Vec<&str> = profiles.iter().filter_map(|p| p["id"].as_str()).collect();
    for id in PROMISED {
        assert!(ids.contains(id), "no profile {id}");
    }
    for p in &profiles {
        let facts: Vec<(&String, &Value)> = p
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(_, v)| v.get("source").is_some())
                    .collect()
            })
            .unwrap_or_default();
        // Every required fact, and only the optional ones besides.
        let names: Vec<&str> = facts
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| !OPTIONAL_FACTS.contains(name))
            .collect();
        assert_eq!(names, FACTS, "{}", p["id"]);
        for (name, fact) in facts {
            let source = fact["source"].as_str().unwrap_or_default();
            assert!(source.len() > 20, "{} {name}: source {source:?}", p["id"]);
            let checked = fact["checked"].as_str().unwrap_or_default();
            assert!(
                time::Date::parse(
                    checked,
                    &time::macros::format_description!("[year]-[month]-[day]")
                )
                .is_ok(),
                "{} {name}: checked {checked:?}",
                p["id"]
            );
        }
    }
}

#[test]
fn a_family_name_selects_every_version_of_it_and_an_unknown_name_is_refused() {
    let run = tlsdoctor(&["clients", "java", "--format", "json"]);
    let ids: Vec<String> = run.json()["profiles"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, ["java-8", "java-11", "java-17", "java-21"]);
    let unknown = check_file("good", &["--clients", "netscape-4"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("netscape-4"), "{}", unknown.stderr);
}

/// `check --file FIXTURE --clients LIST`, each client's (outcome, causes) by id.
fn outcomes(fixture: &str, clients: &str) -> Vec<(String, String, Vec<String>)> {
    let run = check_file(fixture, &["--clients", clients]);
    assert_documented(&run.json());
    run.target()["clients"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let causes = c["causes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    (
                        c["id"].as_str().unwrap_or_default().to_string(),
                        c["outcome"].as_str().unwrap_or_default().to_string(),
                        causes,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn outcome_of<'a>(
    all: &'a [(String, String, Vec<String>)],
    id: &str,
) -> &'a (String, String, Vec<String>) {
    all.iter()
        .find(|(i, _, _)| i == id)
        .unwrap_or_else(|| panic!("no {id} in {all:?}"))
}

#[test]
fn a_cn_only_certificate_fails_for_go_and_browsers_and_not_for_openssl_or_java() {
    let all = outcomes("no-san", "openssl-3.0,java-17,go-1.22,chrome,rustls");
    for id in ["go-1.22", "chrome", "rustls"] {
        let (_, outcome, causes) = outcome_of(&all, id);
        assert_eq!(
            (outcome.as_str(), causes.as_slice()),
            ("fail", &["no-san".to_string()][..]),
            "{id}"
        );
    }
    for id in ["openssl-3.0", "java-17"] {
        assert_eq!(outcome_of(&all, id).1, "ok", "{id} falls back to the CN");
    }
}

#[test]
fn an_ed25519_leaf_is_refused_by_browsers_only() {
    let all = outcomes("good-ed25519", "chrome,firefox,openssl-3.0,go-1.22,java-17");
    for id in ["chrome", "firefox"] {
        let (_, outcome, causes) = outcome_of(&all, id);
        assert_eq!(outcome, "fail", "{id}");
        assert_eq!(causes, &["unsupported-algorithm".to_string()], "{id}");
    }
    for id in ["openssl-3.0", "go-1.22", "java-17"] {
        assert_eq!(outcome_of(&all, id).1, "ok", "{id}");
    }
}

#[test]
fn a_1024_bit_intermediate_fails_at_openssls_security_level_but_not_for_java_or_node() {
    let all = outcomes("weak-key", "openssl-3.0,python-3.11,java-17,node-20");
    for id in ["openssl-3.0", "python-3.11"] {
        let (_, outcome, causes) = outcome_of(&all, id);
        assert_eq!(
            (outcome.as_str(), causes.as_slice()),
            ("fail", &["weak-key".to_string()][..]),
            "{id}"
        );
    }
    for id in ["java-17", "node-20"] {
        assert_eq!(outcome_of(&all, id).1, "ok", "{id}");
    }
}

#[test]
fn a_missing_intermediate_fails_for_every_client_that_does_not_download_it() {
    let all = outcomes("leaf-only", "default");
    for (id, outcome, causes) in &all {
        assert_eq!(outcome, "fail", "{id}: the download fails here too");
        assert!(
            causes.contains(&"missing-intermediate".to_string()),
            "{id}: {causes:?}"
        );
    }
}

#[test]
fn a_live_server_shows_what_each_client_would_negotiate() {
    let server = Server::tls("good");
    let run = check_live(&server, &["--clients", "go-1.22,java-8"]);
    let clients = run.target()["clients"].clone();
    let go = &clients[0];
    assert_eq!(go["id"], "go-1.22");
    assert_eq!(go["outcome"], "ok", "{go}");
    assert_eq!(go["version"], "TLSv1.3");
    assert!(
        go["cipher_suite"]
            .as_str()
            .is_some_and(|s| s.starts_with("TLS_AES_")),
        "{go}"
    );
}

/// `check --clients CLIENTS --format json` against the throwaway PKI's s_server configuration
/// `config`, trusting its root; `None` (with a SKIPPED line) without openssl.
fn check_served(config: &str, clients: &str) -> Option<Run> {
    if !common::programs::require(&["openssl"]) {
        return None;
    }
    let pki = common::clients::ThrowawayPki::shared();
    let server = pki.serve(config);
    let root = pki.root().display().to_string();
    let target = format!("127.0.0.1:{}", server.port);
    Some(tlsdoctor(&[
        "check",
        &target,
        "--servername",
        "localhost",
        "--ca-file",
        &root,
        "--clients",
        clients,
        "--format",
        "json",
    ]))
}

#[test]
fn a_server_stuck_on_tls_1_0_fails_for_clients_without_it_and_not_for_go_1_17() {
    let Some(run) = check_served("tls1.0-only", "go-1.22,go-1.17") else {
        return;
    };
    let clients = run.target()["clients"].clone();
    assert_eq!(clients[0]["id"], "go-1.22");
    assert_eq!(clients[0]["outcome"], "fail", "{}", clients[0]);
    assert_eq!(clients[0]["causes"][0], "protocol-too-old");
    assert_ne!(
        clients[1]["outcome"], "fail",
        "Go 1.17 still offers TLS 1.0: {}",
        clients[1]
    );
    assert_ne!(clients[1]["outcome"], "unknown", "{}", clients[1]);
    assert_eq!(clients[1]["version"], "TLSv1.0", "{}", clients[1]);
}

/// A server that breaks on any hello offering TLS 1.3 (version intolerance) is still named for
/// what it is: it speaks only TLS 1.0.
#[test]
fn a_version_intolerant_server_is_named_too_old_for_every_client() {
    let (chain, _) = load_chain("good");
    let server = hostile::old_server(0x0301, 0xc013, chain, 70);
    let run = check_live(&server, &["--clients", "go-1.22,java-17"]);
    for client in run.target()["clients"].as_array().into_iter().flatten() {
        assert_eq!(client["outcome"], "fail", "{client}");
        assert_eq!(client["causes"][0], "protocol-too-old", "{client}");
    }
}

#[test]
fn without_clients_the_report_judges_none() {
    let run = check_file("good", &[]);
    assert_eq!(run.target()["clients"], serde_json::json!([]));
}

/// The profiles of clients that run here never contradict what those clients did on the
/// recorded server configurations (tests/data/clients): a profile that says `ok` where the real
/// client failed, or `fail` where it connected, is a bug. `unknown` is allowed and counted: the
/// protocol side of servers tlsdoctor's own client cannot talk to is not probed yet.
#[test]
fn profiles_predict_every_real_client_outcome_on_the_recorded_servers() {
    if !common::programs::require(&["openssl"]) {
        return;
    }
    let profiles = listing();
    let by_client: Vec<(String, String)> = profiles
        .iter()
        .filter_map(|p| {
            Some((
                p["id"].as_str()?.to_string(),
                p["runs_here"].as_str()?.to_string(),
            ))
        })
        .collect();
    assert!(by_client.len() >= 7, "{by_client:?}");
    let ids: Vec<&str> = by_client.iter().map(|(p, _)| p.as_str()).collect();
    let list = ids.join(",");
    let recorded = common::clients::recorded_outcomes();
    let pki = common::clients::ThrowawayPki::shared();
    let root = pki.root().display().to_string();
    let (mut agree, mut unknown) = (0, 0);
    let mut contradictions = Vec::new();
    let mut unknowns = Vec::new();
    for config in common::clients::server_configs() {
        let server = pki.serve(&config.id);
        let target = format!("127.0.0.1:{}", server.port);
        let run = tlsdoctor(&[
            "check",
            &target,
            "--servername",
            "localhost",
            "--ca-file",
            &root,
            "--clients",
            &list,
            "--format",
            "json",
            "--timeout",
            "5",
        ]);
        drop(server);
        let judged = run.target()["clients"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (profile, client) in &by_client {
            let Some(connected) = recorded.get(&config.id).and_then(|row| row.get(client)) else {
                continue;
            };
            let outcome = judged
                .iter()
                .find(|c| c["id"] == profile.as_str())
                .and_then(|c| c["outcome"].as_str())
                .unwrap_or("unknown")
                .to_string();
            match (outcome.as_str(), connected) {
                ("ok" | "warning", true) | ("fail", false) => agree += 1,
                ("unknown", _) => {
                    unknown += 1;
                    unknowns.push(format!(
                        "{}: {profile} ({})",
                        config.id,
                        judged
                            .iter()
                            .find(|c| c["id"] == profile.as_str())
                            .map_or(String::new(), |c| c["reasons"].to_string())
                    ));
                }
                _ => contradictions.push(format!(
                    "{}: {profile} says {outcome}, {client} {} (findings {:?}; {})",
                    config.id,
                    if *connected { "connected" } else { "failed" },
                    run.causes(),
                    judged
                        .iter()
                        .find(|c| c["id"] == profile.as_str())
                        .map_or(String::new(), |c| c["reasons"].to_string())
                )),
            }
        }
    }
    eprintln!(
        "client profiles against the recorded real clients: {agree} agree, {unknown} unknown, {} contradict",
        contradictions.len()
    );
    assert!(
        unknowns.is_empty(),
        "a profile must predict its client on every recorded server:\n{}",
        unknowns.join("\n")
    );
    assert!(contradictions.is_empty(), "{}", contradictions.join("\n"));
}

/// A server that accepts only the post-quantum hybrid X25519MLKEM768 (OpenSSL 3.5+ through
/// pyOpenSSL, since the system's OpenSSL cannot serve it): each installed real client is run
/// against it live, and its profile must predict it. Chromium and Firefox offer the group and
/// connect; curl, wget, Python, Node, Go 1.19 and Java 17 do not offer it and fail.
#[test]
fn profiles_predict_the_real_clients_on_a_post_quantum_only_server() {
    if !common::programs::require(&["openssl"]) {
        return;
    }
    let Some(python) = common::clients::pyopenssl_python() else {
        return;
    };
    let pki = common::clients::ThrowawayPki::shared();
    let server = pki.serve_pyopenssl("good", &python, "X25519MLKEM768");
    let runnable: Vec<(String, String)> = listing()
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?.into(), p["runs_here"].as_str()?.into())))
        .collect();
    let list: Vec<&str> = runnable.iter().map(|(p, _)| p.as_str()).collect();
    let target = format!("127.0.0.1:{}", server.port);
    let root = pki.root().display().to_string();
    let run = tlsdoctor(&[
        "check",
        &target,
        "--servername",
        "localhost",
        "--ca-file",
        &root,
        "--clients",
        &list.join(","),
        "--format",
        "json",
    ]);
    let judged = run.target()["clients"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut compared = Vec::new();
    for (profile, client) in &runnable {
        let spec = common::clients::client_spec(client);
        let missing = spec.missing();
        if !missing.is_empty() {
            common::programs::skip(&format!("{} not installed", missing.join(", ")), client);
            continue;
        }
        let connected = spec
            .prepare(pki)
            .expect("client setup")
            .connect(server.port)
            .connected();
        let outcome = judged
            .iter()
            .find(|c| c["id"] == profile.as_str())
            .and_then(|c| c["outcome"].as_str())
            .unwrap_or("missing");
        let agrees = match outcome {
            "ok" | "warning" => connected,
            "fail" => !connected,
            _ => false,
        };
        assert!(
            agrees,
            "{profile} says {outcome}; {client} connected: {connected}\n{}",
            run.stdout
        );
        compared.push(format!(
            "{client} {}",
            if connected { "connected" } else { "failed" }
        ));
    }
    eprintln!("post-quantum-only server: {}", compared.join(", "));
}

/// A profile that runs here offers what the real client's ClientHello offers, in the same
/// order: tlsdoctor sends that hello in its place, so the server's answer is the one the client
/// gets. (tests/data/clients/hellos.json is recorded from the real clients by hellos.py.)
#[test]
fn profiles_that_run_here_offer_exactly_what_the_real_clients_hello_offers() {
    let path = common::clients::data_dir().join("hellos.json");
    let text = std::fs::read_to_string(&path).expect("hellos.json");
    let hellos: Value = serde_json::from_str(&text).expect("hellos.json is JSON");
    let mut compared = 0;
    for profile in listing() {
        let Some(client) = profile["runs_here"].as_str() else {
            continue;
        };
        let hello = &hellos["clients"][client];
        assert!(hello.is_object(), "hellos.json has no hello of {client}");
        for fact in ["cipher_suites", "groups", "signature_schemes"] {
            assert_eq!(
                profile[fact]["value"], hello[fact],
                "{}: {fact} differ from {client}'s ClientHello",
                profile["id"]
            );
        }
        // The hello may offer old versions the client then refuses (OpenSSL at security level
        // 2 offers TLS 1.0 and 1.1 but fails on them); every version the profile accepts is
        // offered.
        let offered = hello["versions"].as_array().cloned().unwrap_or_default();
        for version in profile["versions"]["value"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                offered.contains(version),
                "{}: {version} not offered",
                profile["id"]
            );
        }
        compared += 1;
    }
    assert!(compared >= 7, "only {compared} profiles run here");
}

/// The verdict is the chosen clients': a CN-only certificate is an error for a set with Go in
/// it, and only a warning (still named, with who refuses it) for OpenSSL and Java, which fall
/// back to the CN.
#[test]
fn the_verdict_and_exit_code_follow_the_chosen_clients() {
    let finding = |run: &Run| {
        run.target()["findings"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["cause"] == "no-san").cloned())
            .unwrap_or_default()
    };
    let lenient = check_file("no-san", &["--clients", "openssl-3.0,java-17"]);
    assert_eq!(lenient.target()["verdict"], "warning", "{}", lenient.stdout);
    assert_eq!(lenient.code, 0);
    let named = finding(&lenient);
    assert_eq!(named["severity"], "warning", "{named}");
    assert_eq!(named["refused_by"], serde_json::json!([]));
    assert!(
        named["detail"]
            .as_str()
            .is_some_and(|d| d.contains("none of the clients judged"))
    );

    let strict = check_file("no-san", &["--clients", "openssl-3.0,go-1.22"]);
    assert_eq!(strict.target()["verdict"], "error");
    assert_eq!(strict.code, 1);
    let named = finding(&strict);
    assert_eq!(named["severity"], "error");
    assert_eq!(named["refused_by"], serde_json::json!(["go-1.22"]));

    let mainstream = check_file("no-san", &[]);
    assert_eq!(mainstream.target()["verdict"], "error");
    assert_eq!(finding(&mainstream)["refused_by"], serde_json::json!([]));
}

/// One target in the human report is judged for the default set without being asked, and says
/// who fails; JSON judges no client unless asked (scripts keep their verdict).
#[test]
fn one_target_read_by_a_person_shows_the_default_clients() {
    let run = check_file("no-san", &["--format", "human"]);
    assert!(run.stdout.contains("Clients"), "{}", run.stdout);
    let fails = run
        .stdout
        .lines()
        .find(|l| l.contains('✗') && l.contains("go-1.22"))
        .unwrap_or_default();
    assert!(
        fails.contains("chrome") && fails.contains("no-san"),
        "{}",
        run.stdout
    );
    assert!(!fails.contains("openssl-3.0"), "{fails}");
}

/// A TLS 1.2 server with only finite-field DHE suites: Go, browsers and rustls have none, the
/// OpenSSL clients and Java connect; each client's own hello tells.
#[test]
fn a_dhe_only_server_fails_the_clients_without_dhe_suites_with_the_cause_named() {
    let Some(run) = check_served(
        "tls1.2-dhe-only",
        "go-1.22,chrome,rustls,openssl-3.0,java-17",
    ) else {
        return;
    };
    let clients = run.target()["clients"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for client in &clients {
        let id = client["id"].as_str().unwrap_or_default();
        if ["openssl-3.0", "java-17"].contains(&id) {
            assert_ne!(client["outcome"], "fail", "{client}");
            assert!(
                client["cipher_suite"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("TLS_DHE_RSA_")),
                "{client}"
            );
            assert!(
                client["group"]
                    .as_str()
                    .is_some_and(|g| g.starts_with("DH ")),
                "{client}"
            );
        } else {
            assert_eq!(client["outcome"], "fail", "{client}");
            assert_eq!(
                client["causes"],
                serde_json::json!(["no-shared-cipher"]),
                "{client}"
            );
        }
    }
    assert_eq!(clients.len(), 5);
    assert_eq!(run.target()["verdict"], "error");
}

/// A 1024-bit DHE group: OpenSSL at security level 2 (curl, Python) refuses it where Node and
/// Java connect, and the refusal is named with the group's size, not a vague handshake failure.
#[test]
fn a_1024_bit_dh_group_fails_openssl_at_level_2_but_not_node_or_java() {
    let Some(run) = check_served("tls1.2-dhe-1024", "openssl-3.0,python-3.11,node-20,java-17")
    else {
        return;
    };
    let clients = run.target()["clients"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(clients.len(), 4, "{}", run.stdout);
    for client in &clients {
        let id = client["id"].as_str().unwrap_or_default();
        if ["openssl-3.0", "python-3.11"].contains(&id) {
            assert_eq!(client["outcome"], "fail", "{client}");
            assert_eq!(
                client["causes"],
                serde_json::json!(["dh-too-small"]),
                "{client}"
            );
            let reason = client["reasons"].to_string();
            assert!(reason.contains("1024-bit group"), "{client}");
        } else {
            assert_ne!(client["outcome"], "fail", "{client}");
            assert_eq!(client["group"], "DH 1024 bits", "{client}");
        }
    }
    assert!(run.has("dh-too-small"), "{}", run.stdout);
}

/// A cause only some chosen clients have gets a finding of its own, with its fix: an Ed25519
/// leaf is fine for rustls (so tlsdoctor's own checks say nothing) but not for the browsers.
#[test]
fn a_cause_only_the_chosen_clients_have_is_a_finding_with_its_fix() {
    let run = check_file("good-ed25519", &["--clients", "chrome,openssl-3.0"]);
    assert_eq!(run.target()["verdict"], "error");
    let finding = run.finding("unsupported-algorithm");
    assert_eq!(
        finding["refused_by"],
        serde_json::json!(["chrome"]),
        "{finding}"
    );
    assert!(finding["fix"].as_str().is_some_and(|f| !f.is_empty()));
    assert!(
        finding["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("for chrome:"))
    );
    let mainstream = check_file("good-ed25519", &[]);
    assert!(
        !mainstream.has("unsupported-algorithm"),
        "{}",
        mainstream.stdout
    );
}
