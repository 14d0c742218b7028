//! `tlsdoctor trust` on machines built in temporary directories (`--root-dir`): one for each
//! way a root fails to be trusted, each asserting the cause it must produce.

mod common;
use common::programs::require;
use common::*;
use std::path::Path;
use std::process::Command;

/// A fake filesystem root with an os-release and whatever the test puts in it.
struct FakeMachine {
    dir: Scratch,
    env: Vec<(String, String)>,
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(ca_path(name)).expect("fixture CA")
}

/// A compiled bundle as a distribution makes it: a dozen roots, plus these fixture roots.
fn bundle(roots: &[&str]) -> Vec<u8> {
    static FILLER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let mut out = FILLER
        .get_or_init(|| {
            hostile::filler_certificates(12)
                .iter()
                .flat_map(|c| tlsdoctor::bundle::to_pem(c).into_bytes())
                .collect()
        })
        .clone();
    for root in roots {
        out.extend_from_slice(&pem(root));
    }
    out
}

impl FakeMachine {
    fn new(label: &str, os_release: &str) -> FakeMachine {
        let machine = FakeMachine {
            dir: Scratch::new(label),
            env: Vec::new(),
        };
        machine.put("/etc/os-release", os_release.as_bytes());
        machine
    }

    /// Debian with a compiled bundle holding only `other-root`.
    fn debian(label: &str) -> FakeMachine {
        let machine = FakeMachine::new(
            label,
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
        );
        machine.put(
            "/etc/ssl/certs/ca-certificates.crt",
            &bundle(&["other-root"]),
        );
        machine
    }

    fn rhel(label: &str) -> FakeMachine {
        let machine = FakeMachine::new(label, "PRETTY_NAME=\"Fedora Linux 41\"\nID=fedora\n");
        machine.put(
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
            &bundle(&["other-root"]),
        );
        machine
    }

    fn put(&self, path: &str, contents: &[u8]) {
        let full = self.dir.0.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, contents).expect("write");
    }

    /// A symbolic link at `path` of the machine, with `target` written as the image has it.
    fn link(&self, path: &str, target: &str) {
        let full = self.dir.0.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, full).expect("symlink");
    }

    fn env(mut self, name: &str, value: &str) -> FakeMachine {
        self.env.push((name.into(), value.into()));
        self
    }

    fn root_dir(&self) -> String {
        self.dir.0.display().to_string()
    }

    /// `tlsdoctor trust --root-dir DIR --format json ARGS`, with only the machine's variables.
    fn trust(&self, args: &[&str]) -> Run {
        let root_dir = self.root_dir();
        let mut all = vec!["trust", "--root-dir", &root_dir, "--format", "json"];
        all.extend_from_slice(args);
        let output = Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
            .args(&all)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("run tlsdoctor");
        Run::from(output)
    }
}

fn causes(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["cause"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Every finding's detail for this cause.
fn all(run: &Run, cause: &str) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| f["cause"] == cause)
                .filter_map(|f| f["detail"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn finding(run: &Run, cause: &str) -> String {
    run.json()["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["cause"] == cause))
        .and_then(|f| f["detail"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no {cause} in {:?}\n{}", causes(run), run.stdout))
}

fn client(run: &Run, name: &str) -> serde_json::Value {
    run.json()["clients"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["client"] == name).cloned())
        .unwrap_or_else(|| panic!("no client {name}: {}", run.stdout))
}

fn root_arg() -> String {
    root_ca()
}

#[test]
fn a_root_installed_and_compiled_is_trusted_by_openssl_and_go() {
    let machine = FakeMachine::debian("trust-ok");
    machine.put(
        "/etc/ssl/certs/ca-certificates.crt",
        &bundle(&["other-root", "root"]),
    );
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["verdict"], "ok");
    assert_eq!(run.json()["machine"]["family"], "debian");
    assert_eq!(client(&run, "OpenSSL")["trusted"], true);
    assert_eq!(client(&run, "Go")["trusted"], true);
    assert_eq!(run.json()["stores"][0]["roots"], 14);
    assert_documented(&run.json());
}

#[test]
fn a_root_copied_without_running_update_ca_certificates_is_anchor_not_compiled() {
    let machine = FakeMachine::debian("trust-not-compiled");
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let detail = finding(&run, "anchor-not-compiled");
    assert!(detail.contains("sudo update-ca-certificates"), "{detail}");
    assert!(
        !causes(&run).contains(&"anchor-missing".to_string()),
        "{:?}",
        causes(&run)
    );
    assert_eq!(client(&run, "OpenSSL")["trusted"], false);
}

#[test]
fn a_pem_file_in_the_debian_anchors_directory_is_anchor_wrong_extension() {
    let machine = FakeMachine::debian("trust-extension");
    machine.put("/usr/local/share/ca-certificates/corp.pem", &pem("root"));
    let run = machine.trust(&[]);
    assert_eq!(run.code, 1);
    let detail = finding(&run, "anchor-wrong-extension");
    assert!(
        detail.contains("corp.pem") && detail.contains(".crt"),
        "{detail}"
    );
    assert_eq!(run.json()["anchors"][0]["picked_up"], false);
}

#[test]
fn rhel_reads_pem_anchors_and_rebuilds_with_update_ca_trust() {
    let machine = FakeMachine::rhel("trust-rhel");
    machine.put("/etc/pki/ca-trust/source/anchors/corp.pem", &pem("root"));
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(run.json()["machine"]["family"], "rhel");
    assert!(finding(&run, "anchor-not-compiled").contains("update-ca-trust extract"));
    assert!(!causes(&run).contains(&"anchor-wrong-extension".to_string()));
}

#[test]
fn a_server_certificate_installed_as_the_anchor_is_anchor_is_leaf() {
    let machine = FakeMachine::debian("trust-leaf");
    let leaf = std::fs::read(chain_path("self-signed-leaf")).expect("fixture");
    machine.put("/usr/local/share/ca-certificates/server.crt", &leaf);
    let run = machine.trust(&[]);
    assert_eq!(run.code, 1);
    assert!(finding(&run, "anchor-is-leaf").contains("server.crt"));

    // An intermediate handed over as "the root" is refused the same way.
    let run = machine.trust(&["--root", &ca_path("intermediate").display().to_string()]);
    let details = all(&run, "anchor-is-leaf");
    assert!(
        details
            .iter()
            .any(|d| d.contains("the certificate given") && d.contains("intermediate")),
        "{details:?}"
    );
}

#[test]
fn an_expired_anchor_is_anchor_expired() {
    let machine = FakeMachine::debian("trust-expired");
    machine.put(
        "/etc/ssl/certs/ca-certificates.crt",
        &bundle(&["other-root", "root"]),
    );
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    let run = machine.trust(&["--at", "2041-01-01T00:00:00Z"]);
    assert_eq!(run.code, 1);
    assert!(finding(&run, "anchor-expired").contains("corp.crt"));
}

#[test]
fn an_alpine_image_without_ca_certificates_is_container_store_missing() {
    let machine = FakeMachine::new(
        "trust-alpine",
        "PRETTY_NAME=\"Alpine Linux v3.20\"\nID=alpine\n",
    );
    let run = machine.trust(&[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["machine"]["family"], "alpine");
    let detail = finding(&run, "container-store-missing");
    assert!(
        detail.contains("/etc/ssl/certs/ca-certificates.crt"),
        "{detail}"
    );
}

#[test]
fn ssl_cert_file_pointing_at_a_bundle_without_the_root_is_env_override_missing_root() {
    let machine = FakeMachine::debian("trust-env");
    machine.put(
        "/etc/ssl/certs/ca-certificates.crt",
        &bundle(&["other-root", "root"]),
    );
    machine.put("/opt/app/bundle.pem", &pem("other-root"));
    let machine = machine.env("SSL_CERT_FILE", "/opt/app/bundle.pem");
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(run.code, 1);
    assert!(
        finding(&run, "env-override-missing-root").contains("SSL_CERT_FILE=/opt/app/bundle.pem")
    );
    assert_eq!(client(&run, "OpenSSL")["trusted"], false);

    let missing = FakeMachine::debian("trust-env-missing").env("SSL_CERT_FILE", "/nowhere.pem");
    let run = missing.trust(&[]);
    assert!(finding(&run, "env-override-missing-root").contains("does not exist"));
}

#[test]
fn a_registry_needs_its_ca_in_certs_d() {
    let machine = FakeMachine::debian("trust-registry");
    let registry = "registry.test:5000";
    let run = machine.trust(&["--root", &root_arg(), "--registry", registry]);
    assert_eq!(run.code, 1);
    assert!(
        finding(&run, "docker-registry-ca")
            .contains("/etc/docker/certs.d/registry.test:5000/ca.crt")
    );

    machine.put(
        &format!("/etc/docker/certs.d/{registry}/ca.crt"),
        &pem("root"),
    );
    let run = machine.trust(&["--root", &root_arg(), "--registry", registry]);
    assert!(
        !causes(&run).contains(&"docker-registry-ca".to_string()),
        "{:?}",
        causes(&run)
    );
    assert_eq!(run.json()["registries"][0]["trusted"], true);
    assert_documented(&run.json());

    let containerd = FakeMachine::debian("trust-containerd");
    containerd.put(
        "/etc/containerd/certs.d/registry.test:5000/corp.pem",
        &pem("root"),
    );
    containerd.put(
        "/etc/containerd/certs.d/registry.test:5000/hosts.toml",
        b"server = \"https://registry.test:5000\"\n[host.\"https://registry.test:5000\"]\n  ca = \"corp.pem\"\n",
    );
    let run = containerd.trust(&["--root", &root_arg(), "--registry", registry]);
    assert_eq!(
        run.json()["registries"][0]["trusted"],
        true,
        "{}",
        run.stdout
    );
}

#[test]
fn variables_that_switch_verification_off_are_flagged() {
    let machine = FakeMachine::debian("trust-dangerous")
        .env("NODE_TLS_REJECT_UNAUTHORIZED", "0")
        .env("PYTHONHTTPSVERIFY", "0")
        .env("CURL_CA_BUNDLE", "")
        .env("GODEBUG", "http2client=0,x509sha1=1");
    let run = machine.trust(&[]);
    assert_eq!(run.code, 1);
    let disabled = all(&run, "verification-disabled");
    for name in [
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "PYTHONHTTPSVERIFY",
        "CURL_CA_BUNDLE",
    ] {
        assert!(
            disabled.iter().any(|d| d.contains(name)),
            "{name} not flagged: {disabled:?}"
        );
    }
    assert!(finding(&run, "verification-weakened").contains("SHA-1"));
    assert_documented(&run.json());
}

#[test]
fn clients_with_their_own_store_are_client_bundle_separate() {
    let machine = FakeMachine::debian("trust-clients");
    machine.put(
        "/etc/ssl/certs/ca-certificates.crt",
        &bundle(&["other-root", "root"]),
    );
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    machine.put(
        "/usr/lib/python3/dist-packages/certifi/cacert.pem",
        &pem("other-root"),
    );
    machine.put("/usr/bin/node", b"");
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(client(&run, "OpenSSL")["trusted"], true);
    assert_eq!(client(&run, "Python requests")["trusted"], false);
    assert_eq!(client(&run, "Node.js")["trusted"], false);
    let separate = all(&run, "client-bundle-separate");
    assert_documented(&run.json());
    assert!(
        separate.iter().any(|d| d.contains("REQUESTS_CA_BUNDLE")),
        "{separate:?}"
    );
    assert!(
        separate.iter().any(|d| d.contains("NODE_EXTRA_CA_CERTS")),
        "{separate:?}"
    );

    // Telling each client about the root fixes it.
    let fixed = machine
        .env("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
        .env(
            "NODE_EXTRA_CA_CERTS",
            "/usr/local/share/ca-certificates/corp.crt",
        );
    let run = fixed.trust(&["--root", &root_arg()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(client(&run, "Node.js")["trusted"], true);
}

/// A Java keystore holding `roots`, made with keytool.
fn keystore(path: &Path, roots: &[&str]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    for (i, root) in roots.iter().enumerate() {
        let status = Command::new("keytool")
            .args([
                "-importcert",
                "-noprompt",
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
            ])
            .arg("-keystore")
            .arg(path)
            .args(["-alias", &format!("root{i}"), "-file"])
            .arg(ca_path(root))
            .output()
            .expect("keytool is needed for the Java trust store tests");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stdout)
        );
    }
}

#[test]
fn java_reads_cacerts_not_the_system_bundle() {
    if !require(&["keytool"]) {
        return;
    }
    let machine = FakeMachine::debian("trust-java");
    machine.put(
        "/etc/ssl/certs/ca-certificates.crt",
        &bundle(&["other-root", "root"]),
    );
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    let cacerts = machine.dir.0.join("etc/ssl/certs/java/cacerts");
    keystore(&cacerts, &["other-root"]);
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(client(&run, "Java")["trusted"], false, "{}", run.stdout);
    let detail = finding(&run, "client-bundle-separate");
    assert!(detail.contains("/etc/ssl/certs/java/cacerts"), "{detail}");

    std::fs::remove_file(&cacerts).expect("remove");
    keystore(&cacerts, &["other-root", "root"]);
    let run = machine.trust(&["--root", &root_arg()]);
    assert_eq!(client(&run, "Java")["trusted"], true, "{}", run.stdout);
}

#[test]
fn host_takes_the_root_the_server_chain_ends_at() {
    let server = Server::tls("root-included");
    let machine = FakeMachine::debian("trust-host");
    let run = machine.trust(&["--host", &server.target()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let root = &run.json()["root"];
    assert!(
        root["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("tlsdoctor Test Root CA")
    );
    assert!(finding(&run, "anchor-missing").contains("tlsdoctor Test Root CA"));
}

#[test]
fn this_machine_has_a_store() {
    let run = tlsdoctor(&["trust", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let roots: u64 = run.json()["stores"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["roots"].as_u64()).sum())
        .unwrap_or(0);
    assert!(roots > 0, "{}", run.stdout);
}

#[test]
fn the_human_report_is_a_checklist_with_the_fix() {
    let machine = FakeMachine::debian("trust-human");
    machine.put("/usr/local/share/ca-certificates/corp.crt", &pem("root"));
    let root = root_arg();
    let root_dir = machine.root_dir();
    let run = tlsdoctor(&[
        "trust",
        "--root-dir",
        &root_dir,
        "--root",
        &root,
        "--color",
        "never",
    ]);
    for needle in [
        "Stores",
        "Installed anchors",
        "✗ OpenSSL",
        "To fix",
        "anchor-not-compiled",
        "sudo update-ca-certificates",
        "Verdict: ERROR",
    ] {
        assert!(
            run.stdout.contains(needle),
            "no {needle:?} in\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("RHEL/Fedora:"),
        "only this machine's steps:\n{}",
        run.stdout
    );
}

#[test]
fn a_bundle_overwritten_with_one_root_is_store_minimal() {
    let machine = FakeMachine::debian("trust-overwritten");
    machine.put("/etc/ssl/certs/ca-certificates.crt", &pem("root"));
    let run = machine.trust(&[]);
    assert_eq!(run.code, 1);
    let detail = finding(&run, "store-minimal");
    assert!(
        detail.contains("holds only 1 certificate(s)") && detail.contains("--reinstall"),
        "{detail}"
    );
}

const DEBIAN: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";

#[test]
fn an_image_whose_etc_ssl_links_to_usr_lib_ssl_is_read_from_the_image() {
    // As some images ship it: /etc/ssl is an absolute link, meant for the image's own /.
    let machine = FakeMachine::new("trust-link-in-image", DEBIAN);
    machine.put("/usr/lib/ssl/certs/ca-certificates.crt", &pem("root"));
    machine.put("/usr/share/ca-certificates/corp.crt", &pem("root"));
    machine.link(
        "/usr/lib/ssl/certs/0123abcd.0",
        "/usr/share/ca-certificates/corp.crt",
    );
    machine.link("/etc/ssl", "/usr/lib/ssl");
    let run = machine.trust(&["--root", &root_arg()]);
    let stores = &run.json()["stores"];
    assert_eq!(stores[0]["path"], "/etc/ssl/certs/ca-certificates.crt");
    assert_eq!(
        stores[0]["roots"], 1,
        "the image's one root: {}",
        run.stdout
    );
    assert_eq!(stores[1]["kind"], "directory");
    assert_eq!(
        stores[1]["roots"], 1,
        "the image's one hashed name: {}",
        run.stdout
    );
    assert!(finding(&run, "store-minimal").contains("holds only 1 certificate(s)"));
    assert_eq!(client(&run, "OpenSSL")["trusted"], true);
    assert_eq!(client(&run, "Go")["trusted"], true);
}

#[test]
fn links_pointing_out_of_the_image_never_read_the_hosts_bundle() {
    let machine = FakeMachine::new(
        "trust-link-out",
        "PRETTY_NAME=\"Alpine Linux v3.20\"\nID=alpine\n",
    );
    // Climbing above the root stops at it; an absolute target is the image's path, and the
    // image has no /etc/ssl/certs at all.
    machine.link(
        "/etc/ssl/cert.pem",
        "../../../../etc/ssl/certs/ca-certificates.crt",
    );
    machine.link("/opt/app/ca.pem", "/etc/ssl/certs/ca-certificates.crt");
    machine.link("/opt/app/certs", "/etc/ssl/certs");
    let machine = machine
        .env("SSL_CERT_FILE", "/opt/app/certs/ca-certificates.crt")
        .env("REQUESTS_CA_BUNDLE", "/opt/app/ca.pem");
    let run = machine.trust(&[]);
    let stores = run.json()["stores"].as_array().cloned().unwrap_or_default();
    assert!(!stores.is_empty(), "{}", run.stdout);
    for store in &stores {
        assert_eq!(store["exists"], false, "{store}");
        assert!(store["roots"].is_null(), "{store}");
    }
    assert!(finding(&run, "container-store-missing").contains("no CA bundle"));
    let missing = all(&run, "env-override-missing-root");
    for name in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"] {
        assert!(
            missing
                .iter()
                .any(|d| d.starts_with(name) && d.contains("does not exist")),
            "{name}: {missing:?}"
        );
    }
}

#[test]
fn a_symlink_loop_ends_quickly_with_a_clear_problem() {
    // Inside the root this link names itself; on the host it would climb out to /etc/ssl/certs.
    let machine = FakeMachine::new("trust-link-loop", DEBIAN);
    machine.link("/etc/ssl/certs", "../../../../../../../../etc/ssl/certs");
    let started = std::time::Instant::now();
    let run = machine.trust(&[]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let stores = &run.json()["stores"];
    for store in [&stores[0], &stores[1]] {
        assert!(store["roots"].is_null(), "{store}");
        let problem = store["problem"].as_str().unwrap_or_default();
        assert!(problem.contains("symbolic links (a loop)"), "{store}");
    }
    assert!(causes(&run).contains(&"container-store-missing".to_string()));
}

#[test]
fn a_hung_keytool_is_stopped_and_java_is_could_not_tell() {
    let machine = FakeMachine::debian("trust-keytool-hangs");
    machine.put(
        "/etc/ssl/certs/java/cacerts",
        b"not read: keytool hangs first",
    );
    // A keytool that never answers, first on PATH.
    let bin = Scratch::new("trust-keytool-bin");
    let keytool = bin.file("keytool", b"#!/bin/sh\nexec sleep 60\n");
    std::fs::set_permissions(
        &keytool,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let path = format!(
        "{}:{}",
        bin.0.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let machine = machine.env("PATH", &path);
    let started = std::time::Instant::now();
    let run = machine.trust(&["--root", &root_arg(), "--timeout", "1"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let java = client(&run, "Java");
    assert!(java["trusted"].is_null(), "{java}");
    let detail = java["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("could not determine: keytool did not finish within 1 s"),
        "{detail}"
    );
}
