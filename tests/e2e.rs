//! End to end against real servers on loopback, serving fixtures: nginx (also stapling OCSP
//! responses), `openssl s_server`, tinyproxy and PostgreSQL.
//!
//! Each test needs its servers installed (`apt-get install -y nginx openssl tinyproxy
//! postgresql`, as `.ci/run` does); without one, the test says SKIPPED on one line and returns,
//! and under `TLSDOCTOR_E2E=all` (CI) it fails instead.

mod common;
use common::programs::{program, require};
use common::*;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    closed_port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing listens on 127.0.0.1:{port} after 10 s");
}

/// A process we started, ended by its PID when dropped.
struct Running {
    child: Child,
    _scratch: Scratch,
}

impl Running {
    /// Starts `command` quietly and waits until something listens on `port`; `scratch` (its
    /// configuration and files) lives as long as the process.
    fn start(mut command: Command, scratch: Scratch, port: u16) -> (Running, u16) {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {:?}: {e}", command.get_program()));
        let running = Running {
            child,
            _scratch: scratch,
        };
        wait_for(port);
        (running, port)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One nginx serving each fixture on its own TLS port, plus one plain-HTTP port.
struct Nginx {
    _process: Running,
    tls_ports: Vec<(String, u16)>,
    plain_port: u16,
}

impl Nginx {
    fn start(fixtures: &[&str]) -> Nginx {
        let plain: Vec<(&str, String)> = fixtures.iter().map(|f| (*f, String::new())).collect();
        Nginx::start_with(&plain)
    }

    /// Like `start`, with extra directives for each fixture's server block.
    fn start_with(fixtures: &[(&str, String)]) -> Nginx {
        let sites: Vec<Site> = fixtures
            .iter()
            .map(|(name, directives)| Site {
                name: name.to_string(),
                chain: chain_path(name),
                key: fixtures_dir_key(name),
                directives: directives.clone(),
                http2: false,
            })
            .collect();
        Nginx::start_sites(&sites)
    }

    fn start_sites(sites: &[Site]) -> Nginx {
        let nginx = program("nginx");
        let scratch = Scratch::new("nginx");
        let dir = scratch.0.clone();
        let mut servers = String::new();
        let mut tls_ports = Vec::new();
        for Site {
            name,
            chain,
            key,
            directives,
            http2,
        } in sites
        {
            let port = free_port();
            let http2 = if *http2 { " http2" } else { "" };
            servers.push_str(&format!(
                "  server {{ listen 127.0.0.1:{port} ssl{http2}; server_name ok.test; \
                 ssl_certificate {}; ssl_certificate_key {}; {directives} return 200 \"ok\\n\"; }}\n",
                chain.display(),
                key.display()
            ));
            tls_ports.push((name.to_string(), port));
        }
        let plain_port = free_port();
        let d = dir.display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             {servers}  server {{ listen 127.0.0.1:{plain_port}; return 200 \"plain\\n\"; }}\n}}\n"
        );
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, config).expect("nginx.conf");
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config_path)
            .args(["-e", "stderr"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let process = Running {
            child,
            _scratch: scratch,
        };
        for (_, port) in &tls_ports {
            wait_for(*port);
        }
        wait_for(plain_port);
        Nginx {
            _process: process,
            tls_ports,
            plain_port,
        }
    }

    fn target(&self, fixture: &str) -> String {
        let port = self
            .tls_ports
            .iter()
            .find(|(name, _)| name == fixture)
            .map(|(_, port)| *port)
            .unwrap_or_else(|| panic!("nginx does not serve {fixture}"));
        format!("127.0.0.1:{port}")
    }
}

/// One nginx server block: a name for `Nginx::target`, the chain and key files, and directives.
struct Site {
    name: String,
    chain: PathBuf,
    key: PathBuf,
    directives: String,
    /// Offer HTTP/2 by ALPN (`listen ... ssl http2`).
    http2: bool,
}

fn fixtures_dir_key(name: &str) -> PathBuf {
    fixtures().join("chains").join(format!("{name}.key"))
}

#[test]
fn nginx_serving_real_chains_gets_the_right_diagnosis() {
    if !require(&["nginx"]) {
        return;
    }
    let nginx = Nginx::start(&[
        "good",
        "leaf-only",
        "wrong-order",
        "expired-leaf",
        "self-signed-leaf",
        "untrusted-root",
        "root-included",
    ]);
    let good = check_address(&nginx.target("good"), &[]);
    assert_eq!(good.verdict(), "ok", "{}", good.stdout);
    assert_eq!(good.code, 0);

    for (fixture, cause, verdict, code) in [
        ("leaf-only", "missing-intermediate", "error", 1),
        ("wrong-order", "wrong-order", "warning", 0),
        ("expired-leaf", "expired", "error", 1),
        ("self-signed-leaf", "self-signed-leaf", "error", 1),
        ("untrusted-root", "private-root", "error", 1),
        ("root-included", "root-included", "ok", 0),
    ] {
        let run = check_address(&nginx.target(fixture), &[]);
        assert!(
            run.has(cause),
            "{fixture}: expected {cause}, got {:?}",
            run.causes()
        );
        assert_eq!(run.verdict(), verdict, "{fixture}: {}", run.stdout);
        assert_eq!(run.code, code, "{fixture}");
    }

    let mismatch = check_address(&nginx.target("good"), &["--servername", "www.example.com"]);
    assert!(mismatch.has("hostname-mismatch"), "{:?}", mismatch.causes());
}

#[test]
fn nginx_that_negotiates_h2_is_still_named_by_its_server_header() {
    if !require(&["nginx"]) {
        return;
    }
    let nginx = Nginx::start_sites(&[Site {
        name: "leaf-only".into(),
        chain: chain_path("leaf-only"),
        key: fixtures_dir_key("leaf-only"),
        directives: String::new(),
        http2: true,
    }]);
    let run = check_address(&nginx.target("leaf-only"), &["--no-fetch"]);
    let connection = &run.target()["connection"];
    assert_eq!(connection["alpn"], "h2", "{}", run.stdout);
    let software = &connection["server_software"];
    assert_eq!(software["product"], "nginx", "{}", run.stdout);
    assert_eq!(software["source"], "http-server-header");
    // The fix steps lead with nginx's, as for a server that spoke HTTP/1.1.
    let steps = &run.finding("missing-intermediate")["fix_steps"];
    assert!(steps.to_string().contains("nginx"), "{steps}");
}

#[test]
fn nginx_plain_http_port_is_not_tls() {
    if !require(&["nginx"]) {
        return;
    }
    let nginx = Nginx::start(&["good"]);
    let run = check_address(&format!("127.0.0.1:{}", nginx.plain_port), &[]);
    assert_eq!(run.code, 3);
    let detail = run.finding("not-tls")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("plain HTTP") && detail.contains("400"),
        "{detail}"
    );
}

/// `openssl s_server` presenting a chain file as given (leaf from -cert, the rest from -cert_chain).
fn s_server(fixture: &str, extra: &[&str]) -> (Running, u16) {
    let openssl = program("openssl");
    let scratch = Scratch::new("s_server");
    let pem = std::fs::read_to_string(chain_path(fixture)).expect("fixture");
    let blocks: Vec<&str> = pem.split_inclusive("-----END CERTIFICATE-----\n").collect();
    let (leaf, rest) = blocks.split_first().expect("a certificate");
    let leaf_path = scratch.0.join("leaf.pem");
    let rest_path = scratch.0.join("rest.pem");
    std::fs::write(&leaf_path, leaf).expect("leaf");
    std::fs::write(&rest_path, rest.concat()).expect("rest");
    let port = free_port();
    let mut command = Command::new(openssl);
    command
        .args([
            "s_server",
            "-quiet",
            "-accept",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-cert")
        .arg(&leaf_path)
        .arg("-key")
        .arg(fixtures_dir_key(fixture))
        .arg("-cert_chain")
        .arg(&rest_path)
        .args(extra);
    Running::start(command, scratch, port)
}

#[test]
fn openssl_s_server_with_a_stale_intermediate_is_a_bad_signature() {
    if !require(&["openssl"]) {
        return;
    }
    let (_server, port) = s_server("bad-signature", &[]);
    let run = check_address(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.finding("bad-signature")["cert_index"], 0);
}

#[test]
fn openssl_s_server_speaking_only_tls12_is_captured() {
    if !require(&["openssl"]) {
        return;
    }
    let (_server, port) = s_server("good", &["-tls1_2"]);
    let run = check_address(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
    assert_eq!(run.target()["connection"]["tls_version"], "TLS 1.2");
}

#[test]
fn openssl_s_server_speaking_only_tls10_is_protocol_too_old_with_its_chain() {
    if !require(&["openssl"]) {
        return;
    }
    // OpenSSL 3 only serves TLS 1.0 at security level 0.
    let (_server, port) = s_server("good", &["-tls1", "-cipher", "ALL:@SECLEVEL=0"]);
    let run = check_address(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.causes(), vec![("protocol-too-old".to_string(), None)]);
    assert_eq!(run.target()["connection"]["tls_version"], "TLS 1.0");
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(2));
}

#[test]
fn openssl_s_server_with_only_a_cbc_rsa_suite_is_legacy_cipher_only() {
    if !require(&["openssl"]) {
        return;
    }
    let (_server, port) = s_server("good-rsa", &["-tls1_2", "-cipher", "AES128-SHA"]);
    let run = check_address(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let detail = run.finding("legacy-cipher-only")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), "{detail}");
}

/// DHE with AES-GCM is no legacy suite: rustls, Go and browsers simply do not offer it. The
/// finding says so, and OpenSSL's own clients are not blamed.
#[test]
fn openssl_s_server_with_only_dhe_suites_is_no_shared_cipher_for_rustls_not_legacy() {
    if !require(&["openssl"]) {
        return;
    }
    let suites = "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
    let (_server, port) = s_server("good-rsa", &["-tls1_2", "-cipher", suites]);
    let run = check_address(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.causes(), vec![("no-shared-cipher".to_string(), None)]);
    let judged = check_address(&format!("127.0.0.1:{port}"), &["--clients", "openssl-3.0"]);
    assert_eq!(judged.code, 0, "{}", judged.stdout);
}

// ---- Mutual TLS against real servers. ----

fn client_file(name: &str) -> PathBuf {
    fixtures().join("client").join(name)
}

/// `--cert`/`--key` for a client fixture, the key copied with owner-only permissions.
fn client_args(scratch: &Scratch, name: &str) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let key = scratch.file(
        &format!("{name}.key"),
        &std::fs::read(client_file(&format!("{name}.key"))).expect("key"),
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let cert = client_file(&format!("{name}.pem")).display().to_string();
    vec!["--cert".into(), cert, "--key".into(), key]
}

fn check_mtls(target: &str, client: &[String]) -> Run {
    let args: Vec<&str> = client.iter().map(String::as_str).collect();
    check_address(target, &args)
}

#[test]
fn nginx_with_ssl_verify_client_answers_at_the_http_level() {
    if !require(&["nginx"]) {
        return;
    }
    let ca = client_file("client-root.pem").display().to_string();
    let directives = format!("ssl_client_certificate {ca}; ssl_verify_client on;");
    let nginx = Nginx::start_with(&[("good", directives)]);
    let target = nginx.target("good");
    let scratch = Scratch::new("nginx-mtls");

    let none = check_mtls(&target, &[]);
    let detail = none.finding("client-cert-required")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("No required SSL certificate was sent"),
        "{detail}"
    );
    assert_eq!(none.target()["client_auth"]["required"], true);
    assert!(
        none.target()["client_auth"]["acceptable_cas"][0]
            .as_str()
            .unwrap_or_default()
            .contains("Client Root CA")
    );

    let good = check_mtls(&target, &client_args(&scratch, "client"));
    assert_eq!(good.verdict(), "ok", "{:?}", good.causes());

    let other = check_mtls(&target, &client_args(&scratch, "client-other"));
    assert!(other.has("client-ca-not-accepted"), "{:?}", other.causes());

    let staging = check_mtls(&target, &client_args(&scratch, "client-staging"));
    let detail = staging.finding("client-ca-not-accepted")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("share a name") && detail.contains("The SSL certificate error"),
        "{detail}"
    );

    let expired = check_mtls(&target, &client_args(&scratch, "client-expired"));
    assert!(expired.has("client-cert-expired"), "{:?}", expired.causes());
}

#[test]
fn openssl_s_server_requiring_client_certs_answers_with_alerts() {
    if !require(&["openssl"]) {
        return;
    }
    let ca = client_file("client-root.pem").display().to_string();
    let (_server, port) = s_server(
        "good",
        &["-Verify", "2", "-CAfile", &ca, "-verify_return_error"],
    );
    let target = format!("127.0.0.1:{port}");
    let scratch = Scratch::new("s_server-mtls");

    let none = check_mtls(&target, &[]);
    assert!(
        none.has("client-cert-required"),
        "{:?}\n{}",
        none.causes(),
        none.stdout
    );

    let other = check_mtls(&target, &client_args(&scratch, "client-other"));
    assert!(other.has("client-ca-not-accepted"), "{:?}", other.causes());

    let staging = check_mtls(&target, &client_args(&scratch, "client-staging"));
    let detail = staging.finding("client-ca-not-accepted")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("share a name"), "{detail}");

    let good = check_mtls(&target, &client_args(&scratch, "client-chain"));
    assert_eq!(good.verdict(), "ok", "{:?}\n{}", good.causes(), good.stdout);
}

// ---- Through a real HTTP proxy. ----

/// tinyproxy on a free port with `extra` configuration lines.
fn tinyproxy(extra: &str) -> (Running, u16) {
    let program = program("tinyproxy");
    let scratch = Scratch::new("tinyproxy");
    let port = free_port();
    let config = scratch.file(
        "tinyproxy.conf",
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 10\nMaxClients 20\nAllow 127.0.0.1\nLogLevel Critical\n{extra}"
        )
        .as_bytes(),
    );
    let mut command = Command::new(program);
    command.args(["-d", "-c", &config]);
    Running::start(command, scratch, port)
}

#[test]
fn tinyproxy_tunnels_the_check_and_its_refusals_are_named() {
    if !require(&["tinyproxy"]) {
        return;
    }
    let server = Server::tls("good");
    let target = server.target();

    let (_open, port) = tinyproxy("");
    let run = check_address(&target, &["--proxy", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.target()["connection"]["proxy"]
            .as_str()
            .is_some_and(|p| p.contains(&port.to_string()))
    );

    let (_guarded, port) = tinyproxy("BasicAuth alice s3cret\n");
    let bare = check_address(&target, &["--proxy", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(bare.code, 3, "{}", bare.stdout);
    assert!(bare.has("proxy-auth-required"), "{:?}", bare.causes());
    let authorised = check_address(
        &target,
        &["--proxy", &format!("http://alice:s3cret@127.0.0.1:{port}")],
    );
    assert_eq!(authorised.code, 0, "{}", authorised.stdout);

    let (_strict, port) = tinyproxy("ConnectPort 443\n");
    let refused = check_address(&target, &["--proxy", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    let detail = refused.finding("proxy-refused")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("403"), "{detail}");
}

#[test]
fn nginx_stapling_a_good_and_a_revoked_response_from_files() {
    if !require(&["nginx"]) {
        return;
    }
    let ocsp = fixtures().join("ocsp");
    let site = |name: &str, staple: &str| Site {
        name: name.to_string(),
        chain: ocsp.join(format!("{name}.pem")),
        key: ocsp.join(format!("{name}.key")),
        directives: format!(
            "ssl_stapling on; ssl_stapling_file {};",
            ocsp.join(format!("{staple}.der")).display()
        ),
        http2: false,
    };
    let nginx = Nginx::start_sites(&[site("good", "good"), site("revoked", "revoked")]);
    let good = check_address(&nginx.target("good"), &[]);
    assert_eq!(good.verdict(), "ok", "{}", good.stdout);
    assert_eq!(good.target()["connection"]["ocsp_stapled"], true);
    assert_eq!(
        good.target()["revocation"]["stapled"]["response"]["status"]["state"],
        "good"
    );
    let revoked = check_address(&nginx.target("revoked"), &[]);
    assert_eq!(revoked.code, 1, "{}", revoked.stdout);
    let detail = revoked.finding("revoked")["detail"].to_string();
    assert!(
        detail.contains("staple") && detail.contains("keyCompromise"),
        "{detail}"
    );
}

/// Runs `program` as the `postgres` user when we are root (PostgreSQL refuses to run as root),
/// with setpriv, which execs: the PID we hold is PostgreSQL's own.
fn as_postgres(program: &PathBuf) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if root {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "--",
            ])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A throwaway PostgreSQL cluster in a scratch directory, serving the fixture chain "good".
struct Postgres {
    scratch: Scratch,
}

impl Postgres {
    fn init() -> Postgres {
        let scratch = Scratch::new("postgres");
        let dir = &scratch.0;
        let _ = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(dir)
            .status();
        let status = as_postgres(&program("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("initdb");
        assert!(status.success(), "initdb failed");
        let (chain, key) = (chain_path("good"), fixtures_dir_key("good"));
        for (from, to) in [(chain, "server.crt"), (key, "server.key")] {
            let to = dir.join("data").join(to);
            std::fs::copy(from, &to).expect("copy the fixture");
            let _ = Command::new("chown").arg("postgres:").arg(&to).status();
            let _ = Command::new("chmod").arg("600").arg(&to).status();
        }
        Postgres { scratch }
    }

    /// Starts the server with `ssl` on or off; it stops when the result is dropped.
    fn start(&self, ssl: bool) -> (PostgresServer, u16) {
        let port = free_port();
        let dir = &self.scratch.0;
        let child = as_postgres(&program("postgres"))
            .arg("-D")
            .arg(dir.join("data"))
            .arg("-k")
            .arg(dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                &format!("port={port}"),
            ])
            .args(["-c", if ssl { "ssl=on" } else { "ssl=off" }])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        wait_for(port);
        (PostgresServer(child), port)
    }
}

/// A running postmaster. Dropping it asks for a fast shutdown (SIGINT) and waits, so the server
/// removes its shared memory; SIGKILL would leave a segment behind on every run.
struct PostgresServer(Child);

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let stopped = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

#[test]
fn postgres_with_ssl_is_checked_through_its_ssl_request() {
    if !require(&["initdb", "postgres"]) {
        return;
    }
    let cluster = Postgres::init();
    let (server, port) = cluster.start(true);
    let run = check_address(&format!("postgres://127.0.0.1:{port}/app"), &[]);
    drop(server);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.verdict(), "ok");
    let starttls = &run.target()["connection"]["starttls"];
    assert_eq!(starttls["protocol"], "postgres");
    assert_eq!(starttls["upgraded"], true);

    let (server, port) = cluster.start(false);
    let run = check_address(&format!("127.0.0.1:{port}"), &["--starttls", "postgres"]);
    drop(server);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let detail = run.finding("starttls-not-offered")["detail"].to_string();
    assert!(detail.contains("this is PostgreSQL on"), "{detail}");
}
