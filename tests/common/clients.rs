//! Real TLS clients against `openssl s_server` configurations on which they disagree: the truth a
//! client profile must predict. The configurations (`tests/data/clients/servers.json`) and how
//! each client is run (`clients.json`) are data shared with `tests/data/clients/record.py`, which
//! recorded `outcomes.json`; this module makes the same throwaway PKI, starts one configuration's
//! server and runs one installed client against it, so a test can compare live and recorded.

use super::Scratch;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `tests/data/clients`: the configurations, the clients and the recorded matrix.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/clients")
}

/// The directory of the client programs shared with the error-message recorder.
fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client-errors")
}

fn read_json<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is malformed: {e}"))
}

/// How one certificate is made: `openssl genpkey <key>`, a CSR for `subject`, and `openssl ca
/// -md <md>` with `extensions` as the extension file.
#[derive(Deserialize, Clone)]
struct CertSpec {
    key: Vec<String>,
    subject: String,
    md: String,
    extensions: BTreeMap<String, String>,
}

/// A configuration's change to a default certificate; an extension set to null is removed.
#[derive(Deserialize, Default)]
struct CertOverride {
    key: Option<Vec<String>>,
    subject: Option<String>,
    md: Option<String>,
    #[serde(default)]
    extensions: BTreeMap<String, Option<String>>,
}

impl CertSpec {
    fn with(&self, change: Option<&CertOverride>) -> CertSpec {
        let mut spec = self.clone();
        let Some(change) = change else { return spec };
        spec.key = change.key.clone().unwrap_or(spec.key);
        spec.subject = change.subject.clone().unwrap_or(spec.subject);
        spec.md = change.md.clone().unwrap_or(spec.md);
        for (name, value) in &change.extensions {
            match value {
                Some(value) => spec.extensions.insert(name.clone(), value.clone()),
                None => spec.extensions.remove(name),
            };
        }
        spec
    }
}

#[derive(Deserialize)]
struct PkiDefaults {
    validity_days_before: i64,
    validity_days_after: i64,
    ca_config: String,
    root: CertSpec,
    intermediate: CertSpec,
    leaf: CertSpec,
    send: Vec<String>,
}

/// One server configuration of `servers.json`.
#[derive(Deserialize)]
pub struct ServerConfig {
    pub id: String,
    pub description: String,
    leaf: Option<CertOverride>,
    intermediate: Option<CertOverride>,
    send: Option<Vec<String>>,
    pub s_server: Vec<String>,
}

#[derive(Deserialize)]
struct ServersFile {
    pki: PkiDefaults,
    configurations: Vec<ServerConfig>,
}

/// Every server configuration, in the data file's order.
pub fn server_configs() -> Vec<ServerConfig> {
    read_json::<ServersFile>("servers.json").configurations
}

/// What a configuration's server presents: its leaf, the leaf's key, the rest of the chain.
struct Served {
    leaf: PathBuf,
    key: PathBuf,
    chain: Option<PathBuf>,
    s_server: Vec<String>,
}

/// The throwaway root and every configuration's certificates, valid from yesterday for 30 days
/// (real clients use the real clock).
pub struct ThrowawayPki {
    dir: PathBuf,
    _scratch: Option<Scratch>,
    served: BTreeMap<String, Served>,
}

impl ThrowawayPki {
    /// Makes the PKI with the `openssl` CLI, as `servers.json` describes it, in a scratch
    /// directory removed when it is dropped.
    pub fn make() -> ThrowawayPki {
        let scratch = Scratch::new("client-truth-pki");
        let mut pki = ThrowawayPki::make_in(scratch.0.clone());
        pki._scratch = Some(scratch);
        pki
    }

    /// One PKI per test binary, in the target's temporary directory (a static is never dropped,
    /// so each run replaces the previous run's files instead of leaving them behind): making it
    /// takes seconds, an RSA-4096 key among them.
    pub fn shared() -> &'static ThrowawayPki {
        static PKI: OnceLock<ThrowawayPki> = OnceLock::new();
        PKI.get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("client-truth-pki");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("PKI directory");
            ThrowawayPki::make_in(dir)
        })
    }

    fn make_in(dir: PathBuf) -> ThrowawayPki {
        let file: ServersFile = read_json("servers.json");
        let pki = &file.pki;
        std::fs::write(dir.join("ca.cnf"), &pki.ca_config).expect("ca.cnf");
        std::fs::write(dir.join("index.txt"), "").expect("index.txt");
        let now = time::OffsetDateTime::now_utc();
        let dates = [
            openssl_time(now - time::Duration::days(pki.validity_days_before)),
            openssl_time(now + time::Duration::days(pki.validity_days_after)),
        ];
        make_cert(&dir, "root", &pki.root, None, &dates);
        make_cert(
            &dir,
            "intermediate",
            &pki.intermediate,
            Some("root"),
            &dates,
        );
        let mut served = BTreeMap::new();
        for config in file.configurations {
            let mut intermediate = "intermediate".to_string();
            if let Some(change) = &config.intermediate {
                intermediate = format!("{}.intermediate", config.id);
                let spec = pki.intermediate.with(Some(change));
                make_cert(&dir, &intermediate, &spec, Some("root"), &dates);
            }
            let leaf = format!("{}.leaf", config.id);
            let spec = pki.leaf.with(config.leaf.as_ref());
            make_cert(&dir, &leaf, &spec, Some(&intermediate), &dates);
            let send = config.send.as_ref().unwrap_or(&pki.send);
            let rest: Vec<String> = send[1..]
                .iter()
                .map(|part| match part.as_str() {
                    "intermediate" => {
                        std::fs::read_to_string(dir.join(format!("{intermediate}.pem")))
                    }
                    other => std::fs::read_to_string(dir.join(format!("{other}.pem"))),
                })
                .collect::<Result<_, _>>()
                .expect("certificates to send");
            let chain = (!rest.is_empty()).then(|| {
                let path = dir.join(format!("{}.chain.pem", config.id));
                std::fs::write(&path, rest.concat()).expect("chain file");
                path
            });
            let entry = Served {
                leaf: dir.join(format!("{leaf}.pem")),
                key: dir.join(format!("{leaf}.key")),
                chain,
                s_server: config
                    .s_server
                    .iter()
                    .map(|arg| arg.replace("{data}", &data_dir().display().to_string()))
                    .collect(),
            };
            served.insert(config.id, entry);
        }
        ThrowawayPki {
            dir,
            _scratch: None,
            served,
        }
    }

    /// The root every client trusts (PEM).
    pub fn root(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// Starts configuration `id`'s `openssl s_server` on a free loopback port.
    pub fn serve(&self, id: &str) -> OpensslServer {
        self.serve_with(id, &[])
    }

    /// Starts configuration `id`'s server with `extra` s_server options after its own (`-tls1_3`
    /// to take TLS 1.2 away from it, say), for a variant no real client was recorded against.
    pub fn serve_with(&self, id: &str, extra: &[&str]) -> OpensslServer {
        let served = self.served(id);
        // Port 0: s_server binds a free port itself and names it on its ACCEPT line, so servers
        // started at once never race for a port another released.
        let mut command = Command::new("openssl");
        command
            .args(["s_server", "-accept", "127.0.0.1:0", "-cert"])
            .arg(&served.leaf)
            .arg("-key")
            .arg(&served.key);
        if let Some(chain) = &served.chain {
            command.arg("-cert_chain").arg(chain);
        }
        command.arg("-www").args(&served.s_server).args(extra);
        start(id, command)
    }

    /// Configuration `id`'s certificates served by OpenSSL 3.5+ through pyOpenSSL
    /// (tests/data/pyopenssl/server.py), TLS 1.3 only with `groups`: for what the system's
    /// OpenSSL 3.0 cannot serve, such as X25519MLKEM768. `python` from [`pyopenssl_python`].
    pub fn serve_pyopenssl(&self, id: &str, python: &Path, groups: &str) -> OpensslServer {
        let served = self.served(id);
        let mut command = Command::new(python);
        command
            .arg(data_dir().join("../pyopenssl/server.py"))
            .arg(&served.leaf)
            .arg(&served.key)
            .arg(served.chain.as_deref().unwrap_or(Path::new("-")))
            .arg(groups);
        start(id, command)
    }

    fn served(&self, id: &str) -> &Served {
        self.served
            .get(id)
            .unwrap_or_else(|| panic!("no configuration {id}"))
    }
}

/// Starts a server that prints `ACCEPT 127.0.0.1:PORT` and waits until it listens.
fn start(id: &str, mut command: Command) -> OpensslServer {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("server for {id}: {e}"));
    let port = child
        .stdout
        .take()
        .and_then(accept_port)
        .unwrap_or_else(|| panic!("server for {id} named no port it listens on"));
    let mut server = OpensslServer { child, port };
    server.wait_listening(id);
    server
}

/// The Python whose pyOpenSSL speaks X25519MLKEM768: `TLSDOCTOR_PYOPENSSL_PYTHON`, else the
/// virtual environment `.ci/run` makes in `target/pyopenssl`, else `python3`. `None`, after a
/// visible SKIPPED line (a failure under `TLSDOCTOR_E2E=all`), when none of them can.
pub fn pyopenssl_python() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("TLSDOCTOR_PYOPENSSL_PYTHON").map(PathBuf::from),
        Some(manifest.join("target/pyopenssl/bin/python")),
        Some(PathBuf::from("python3")),
    ];
    let script = data_dir().join("../pyopenssl/server.py");
    let found = candidates.into_iter().flatten().find(|python| {
        Command::new(python)
            .arg(&script)
            .arg("--check")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        super::programs::skip(
            "no pyOpenSSL with X25519MLKEM768",
            "install: python3 -m venv target/pyopenssl && target/pyopenssl/bin/pip install pyopenssl",
        );
    }
    found
}

fn openssl_time(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    t.format(&format).expect("date format")
}

/// `openssl genpkey`, `req -new` and `ca` for certificate `name`, issued by `issuer` (self-signed
/// without one).
fn make_cert(dir: &Path, name: &str, spec: &CertSpec, issuer: Option<&str>, dates: &[String; 2]) {
    let openssl = |args: Vec<String>| {
        let out = Command::new("openssl")
            .args(&args)
            .current_dir(dir)
            .output()
            .expect("openssl is needed to make the throwaway PKI");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "openssl {} for {name}: {stderr}",
            args[0]
        );
    };
    let (key, csr, ext, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.ext"),
        format!("{name}.pem"),
    );
    let mut genpkey = vec!["genpkey".to_string()];
    genpkey.extend(spec.key.iter().cloned());
    genpkey.extend(["-out".to_string(), key.clone()]);
    openssl(genpkey);
    openssl(strings(&[
        "req",
        "-new",
        "-key",
        &key,
        "-subj",
        &spec.subject,
        "-out",
        &csr,
    ]));
    let lines: String = spec
        .extensions
        .iter()
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect();
    std::fs::write(dir.join(&ext), lines).expect("extension file");
    let signer = match issuer {
        None => strings(&["-selfsign", "-keyfile", &key]),
        Some(issuer) => strings(&[
            "-cert",
            &format!("{issuer}.pem"),
            "-keyfile",
            &format!("{issuer}.key"),
        ]),
    };
    let mut ca = strings(&["ca", "-config", "ca.cnf", "-batch", "-notext"]);
    ca.extend(signer);
    ca.extend(strings(&[
        "-in",
        &csr,
        "-out",
        &pem,
        "-md",
        &spec.md,
        "-startdate",
        &dates[0],
        "-enddate",
        &dates[1],
        "-extfile",
        &ext,
    ]));
    openssl(ca);
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The port on s_server's `ACCEPT 127.0.0.1:PORT` line; the rest of its output is drained on a
/// thread so that the server never blocks on a full pipe.
fn accept_port(stdout: std::process::ChildStdout) -> Option<u16> {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(stdout);
    let mut line = String::new();
    let port = loop {
        line.clear();
        if lines.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(address) = line.trim().strip_prefix("ACCEPT ") {
            break address.rsplit(':').next()?.parse().ok()?;
        }
    };
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    Some(port)
}

/// An `openssl s_server` this harness started, ended by its own handle when dropped.
pub struct OpensslServer {
    child: Child,
    pub port: u16,
}

impl OpensslServer {
    fn wait_listening(&mut self, id: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("s_server for {id} exited at start ({status})");
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("s_server for {id} does not listen after 10 s");
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How one real client is run (`clients.json`): its defaults, trusting only the throwaway root.
#[derive(Deserialize, Clone)]
pub struct ClientSpec {
    pub id: String,
    pub description: String,
    requires: Vec<String>,
    version: Vec<Vec<String>>,
    setup: Vec<Vec<String>>,
    #[serde(default)]
    setup_env: BTreeMap<String, String>,
    run: Vec<String>,
    env: BTreeMap<String, String>,
    kill_after_seconds: u64,
    failed_if: Option<String>,
    error_lines: String,
}

#[derive(Deserialize)]
struct ClientsFile {
    clients: Vec<ClientSpec>,
}

/// Every client of `clients.json`.
pub fn client_specs() -> Vec<ClientSpec> {
    read_json::<ClientsFile>("clients.json").clients
}

/// The client with this id, or a panic naming the ones there are.
pub fn client_spec(id: &str) -> ClientSpec {
    let all = client_specs();
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    all.into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no client {id} in clients.json; there are {ids:?}"))
}

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

/// What one client did against one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Connected,
    /// It failed, with the error lines it printed.
    Failed(String),
}

impl Outcome {
    pub fn connected(&self) -> bool {
        matches!(self, Outcome::Connected)
    }
}

impl ClientSpec {
    /// The programs this client needs that are not on PATH; empty when it is installed.
    pub fn missing(&self) -> Vec<String> {
        self.requires
            .iter()
            .filter(|p| !on_path(p))
            .cloned()
            .collect()
    }

    /// The installed version, as `record.py` writes it: the first output line of each version
    /// command, joined by " / ".
    pub fn live_version(&self) -> String {
        let first_lines = self.version.iter().filter_map(|cmd| {
            let out = Command::new(&cmd[0]).args(&cmd[1..]).output().ok()?;
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            text.trim().lines().next().map(|l| l.trim().to_string())
        });
        first_lines
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// Runs the client's setup (build its program, make its trust store) for `pki`'s root.
    pub fn prepare(&self, pki: &ThrowawayPki) -> Result<PreparedClient, String> {
        let client = PreparedClient {
            spec: self.clone(),
            work: Scratch::new(&format!("client-truth-{}", self.id)),
            root: pki.root(),
            runs: AtomicUsize::new(0),
        };
        for step in &self.setup {
            let args: Vec<String> = step
                .iter()
                .map(|a| client.fill(a, 0, Path::new("")))
                .collect();
            let out = Command::new(&args[0])
                .args(&args[1..])
                .current_dir(&client.work.0)
                .envs(&self.setup_env)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("{}: {e}", args[0]))?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                return Err(format!("{} failed: {}", args[0], stderr.trim()));
            }
        }
        Ok(client)
    }
}

/// A client ready to connect: its setup done in a scratch directory of its own.
pub struct PreparedClient {
    spec: ClientSpec,
    work: Scratch,
    root: PathBuf,
    runs: AtomicUsize,
}

impl PreparedClient {
    fn fill(&self, arg: &str, port: u16, run: &Path) -> String {
        arg.replace("{root}", &self.root.display().to_string())
            .replace("{work}", &self.work.0.display().to_string())
            .replace("{programs}", &programs_dir().display().to_string())
            .replace("{port}", &port.to_string())
            .replace("{run}", &run.display().to_string())
    }

    /// Runs the client once against `https://localhost:port/`, killing it (and every process it
    /// started) after its time limit.
    pub fn connect(&self, port: u16) -> Outcome {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let run = self.work.0.join(format!("run-{n}"));
        std::fs::create_dir_all(&run).expect("run dir");
        let args: Vec<String> = self
            .spec
            .run
            .iter()
            .map(|a| self.fill(a, port, &run))
            .collect();
        let env: Vec<(String, String)> = self
            .spec
            .env
            .iter()
            .map(|(k, v)| (k.clone(), self.fill(v, port, &run)))
            .collect();
        let log = run.join("output.txt");
        let out = File::create(&log).expect("output file");
        let mut child = Command::new(&args[0])
            .args(&args[1..])
            .envs(env)
            .current_dir(&run)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("output file"))
            .stderr(out)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", args[0]));
        let limit = Duration::from_secs(self.spec.kill_after_seconds);
        let status = wait_until(&mut child, Instant::now() + limit);
        // A browser leaves helpers behind; they share the group this run created.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = output
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let failed_if = self.spec.failed_if.as_deref().map(regex);
        let failed_line = |l: &&str| failed_if.as_ref().is_some_and(|r| r.is_match(l));
        match status {
            None => Outcome::Failed(format!("still running after {limit:?}; killed")),
            Some(true) if !lines.iter().any(failed_line) => Outcome::Connected,
            Some(_) => Outcome::Failed(error_text(&lines, &regex(&self.spec.error_lines))),
        }
    }
}

/// Some(success) when the child ended before `deadline`, None when it had to be killed.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<bool> {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status.success());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn regex(pattern: &str) -> regex_lite::Regex {
    regex_lite::Regex::new(pattern).unwrap_or_else(|e| panic!("clients.json regex {pattern}: {e}"))
}

/// The output lines matching the client's `error_lines` (a Chromium log prefix removed), or the
/// last line.
fn error_text(lines: &[&str], pattern: &regex_lite::Regex) -> String {
    let prefix = regex(r"^\[[^\]]*\] ");
    let mut keep: Vec<String> = Vec::new();
    for line in lines.iter().filter(|l| pattern.is_match(l)) {
        let line = prefix.replace(line, "").into_owned();
        if !keep.contains(&line) {
            keep.push(line);
        }
    }
    if keep.is_empty() {
        keep.extend(lines.last().map(|l| l.to_string()));
    }
    keep.join("\n")
}

/// Runs `client` against every configuration in `ids`, `at_once` servers at a time; returns the
/// outcomes by configuration id.
pub fn run_against(
    client: &PreparedClient,
    pki: &ThrowawayPki,
    ids: &[String],
    at_once: usize,
) -> BTreeMap<String, Outcome> {
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..at_once.max(1) {
            scope.spawn(|| {
                while let Some(id) = ids.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let server = pki.serve(id);
                    let outcome = client.connect(server.port);
                    drop(server);
                    results.lock().expect("results").insert(id.clone(), outcome);
                }
            });
        }
    });
    results.into_inner().expect("results")
}

/// The client version the recording was made with.
pub fn recorded_version(client_id: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Recorded {
        version: String,
    }
    #[derive(Deserialize)]
    struct OutcomesFile {
        clients: BTreeMap<String, Recorded>,
    }
    let mut file: OutcomesFile = read_json("outcomes.json");
    file.clients.remove(client_id).map(|r| r.version)
}

/// The recorded matrix: configuration id → client id → connected.
pub fn recorded_outcomes() -> BTreeMap<String, BTreeMap<String, bool>> {
    #[derive(Deserialize)]
    struct Cell {
        connected: bool,
    }
    #[derive(Deserialize)]
    struct OutcomesFile {
        outcomes: BTreeMap<String, BTreeMap<String, Cell>>,
    }
    read_json::<OutcomesFile>("outcomes.json")
        .outcomes
        .into_iter()
        .map(|(config, row)| {
            (
                config,
                row.into_iter()
                    .map(|(c, cell)| (c, cell.connected))
                    .collect(),
            )
        })
        .collect()
}
