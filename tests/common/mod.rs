//! Shared test helpers: fixture paths, loopback servers (good and hostile), and a CLI runner.
#![allow(dead_code)]

pub mod clients;
pub mod ct;
pub mod exporter;
pub mod hostile;
pub mod http;
pub mod pki;
pub mod programs;
pub mod schema;

use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The instant every test evaluates at; the fixtures' dates are chosen around it.
pub const AT: &str = "2026-06-01T00:00:00Z";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn chain_path(name: &str) -> PathBuf {
    fixtures().join("chains").join(format!("{name}.pem"))
}

pub fn ca_path(name: &str) -> PathBuf {
    fixtures().join("ca").join(format!("{name}.pem"))
}

pub fn root_ca() -> String {
    ca_path("root").display().to_string()
}

/// The presented chain and leaf key of a fixture.
pub fn load_chain(name: &str) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = CertificateDer::pem_file_iter(chain_path(name))
        .expect("fixture chain")
        .collect::<Result<Vec<_>, _>>()
        .expect("fixture PEM");
    let key_path = fixtures().join("chains").join(format!("{name}.key"));
    let key = PrivateKeyDer::from_pem_file(key_path).expect("fixture key");
    (chain, key)
}

/// One runtime for every in-process server of a test binary.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    })
}

/// A loopback server that lives until dropped.
pub struct Server {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// A rustls server presenting fixture `name` exactly as the fixture lists it.
    pub fn tls(name: &str) -> Server {
        let (chain, key) = load_chain(name);
        Server::tls_config(server_config(chain, key, rustls::DEFAULT_VERSIONS))
    }

    /// Like [`Server::tls`], but speaking only TLS 1.2.
    pub fn tls12(name: &str) -> Server {
        let (chain, key) = load_chain(name);
        Server::tls_config(server_config(chain, key, &[&rustls::version::TLS12]))
    }

    /// Like [`Server::tls`], listening on `bind` (e.g. `[::1]:0`).
    pub fn tls_on(bind: &str, name: &str) -> Server {
        let (chain, key) = load_chain(name);
        Server::tls_config_on(bind, server_config(chain, key, rustls::DEFAULT_VERSIONS))
    }

    /// An HTTPS server presenting fixture `name`: it chooses HTTP/1.1 by ALPN and answers every
    /// request with an empty 200, with `Server: {server}` when given.
    pub fn https(name: &str, server: Option<&'static str>) -> Server {
        let (chain, key) = load_chain(name);
        let mut config = server_config(chain, key, rustls::DEFAULT_VERSIONS);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        Server::raw(move |stream| {
            let acceptor = acceptor.clone();
            async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(n) if n > 0 => request.extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                }
                let header = server
                    .map(|s| format!("Server: {s}\r\n"))
                    .unwrap_or_default();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\n{header}Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            }
        })
    }

    pub fn tls_config(config: rustls::ServerConfig) -> Server {
        Server::tls_config_on("127.0.0.1:0", config)
    }

    fn tls_config_on(bind: &str, config: rustls::ServerConfig) -> Server {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        Server::raw_on(bind, move |stream| {
            let acceptor = acceptor.clone();
            async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut sink = [0u8; 1024];
                    while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
                }
            }
        })
    }

    /// A server that hands every accepted connection to `handler`.
    pub fn raw<F, Fut>(handler: F) -> Server
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        Server::raw_on("127.0.0.1:0", handler)
    }

    pub fn raw_on<F, Fut>(bind: &str, handler: F) -> Server
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = runtime()
            .block_on(TcpListener::bind(bind))
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = runtime().spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handler(stream));
            }
        });
        Server { addr, task }
    }

    /// Accepts and never sends a byte.
    pub fn silent() -> Server {
        Server::raw(|stream| async move {
            tokio::time::sleep(Duration::from_secs(120)).await;
            drop(stream);
        })
    }

    /// Sends `bytes` as soon as a client connects, then waits.
    pub fn sends(bytes: &'static [u8]) -> Server {
        Server::raw(move |mut stream| async move {
            let _ = stream.write_all(bytes).await;
            tokio::time::sleep(Duration::from_secs(120)).await;
        })
    }

    /// Answers whatever arrives like a plain HTTP server.
    pub fn plain_http() -> Server {
        Server::raw(|mut stream| async move {
            let mut request = [0u8; 2048];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        })
    }

    /// Accepts and closes at once.
    pub fn closes() -> Server {
        Server::raw(|stream| async move { drop(stream) })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `127.0.0.1:PORT`
    pub fn target(&self) -> String {
        self.addr.to_string()
    }
}

pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("fixture chain and key")
}

/// A server config that presents `chain` as it is, without rustls checking that it parses:
/// for chains no honest server would send.
pub fn server_config_unchecked(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .expect("fixture key");
    let certified = rustls::sign::CertifiedKey::new(chain, signing_key);
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)))
}

/// A certs-only PKCS#7 of the certificates in `pem`, made by `openssl crl2pkcs7`: the format
/// CAs serve as .p7c and Windows exports as .p7b. The test must `require(&["openssl"])`.
pub fn pkcs7_of(pem: &[u8]) -> Vec<u8> {
    let scratch = Scratch::new("p7");
    let input = scratch.file("c.pem", pem);
    let out = scratch.path("c.p7c");
    let status = Command::new("openssl")
        .args([
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            &input,
            "-outform",
            "DER",
            "-out",
            &out,
        ])
        .status()
        .expect("openssl is needed to make a PKCS#7 bundle");
    assert!(status.success());
    std::fs::read(&out).expect("p7c")
}

/// A port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A scratch directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(label: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("tlsdoctor-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    /// Writes `contents` to `name` in the directory and returns its path.
    pub fn file(&self, name: &str, contents: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write");
        path.display().to_string()
    }

    /// The path `name` would have in the directory.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The outcome of one `tlsdoctor` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// The first (only) target of a JSON run.
    pub fn target(&self) -> Value {
        self.json()["targets"][0].clone()
    }

    pub fn verdict(&self) -> String {
        self.target()["verdict"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Every (cause, cert_index) pair found.
    pub fn causes(&self) -> Vec<(String, Option<u64>)> {
        self.target()["findings"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .map(|f| {
                        (
                            f["cause"].as_str().unwrap_or_default().to_string(),
                            f["cert_index"].as_u64(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first finding with this cause, or a panic that shows what was found instead.
    pub fn finding(&self, cause: &str) -> Value {
        self.target()["findings"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["cause"] == cause).cloned())
            .unwrap_or_else(|| {
                panic!(
                    "no {cause} finding; found {:?}\n{}",
                    self.causes(),
                    self.stdout
                )
            })
    }

    pub fn has(&self, cause: &str) -> bool {
        self.causes().iter().any(|(c, _)| c == cause)
    }

    /// A judged client's outcome (`ok`, `warning`, `fail`, `unknown`), by profile id; empty
    /// when the client was not judged.
    pub fn client_outcome(&self, id: &str) -> String {
        self.target()["clients"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .and_then(|c| c["outcome"].as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// Runs the real binary.
pub fn tlsdoctor(args: &[&str]) -> Run {
    tlsdoctor_env(args, &[])
}

/// Runs the real binary with these environment variables. The machine's own SSL_CERT_FILE,
/// SSL_CERT_DIR, proxy variables and FIFO wait are removed first, so every test sees the same store and
/// connects directly unless it says otherwise.
pub fn tlsdoctor_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
        .args(args)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove(tlsdoctor::input::PIPE_WAIT_ENV)
        .envs(env.iter().copied())
        .output()
        .expect("run tlsdoctor");
    let run = Run::from(output);
    if let Some(output) = schema::Output::of(args) {
        schema::assert_valid(output, &run.stdout);
    }
    run
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `tlsdoctor check` against a live loopback server as `ok.test`, trusting the test root, in JSON.
/// A flag in `extra` replaces the default of the same name.
pub fn check_live(server: &Server, extra: &[&str]) -> Run {
    check_address(&server.target(), extra)
}

/// Like [`check_live`] for any `host:port`.
pub fn check_address(target: &str, extra: &[&str]) -> Run {
    check_address_env(target, extra, &[])
}

/// Like [`check_address`], with these environment variables (a proxy, a system store).
pub fn check_address_env(target: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let root = root_ca();
    let mut defaults = vec![("--servername", "ok.test")];
    defaults.extend(live_defaults(&root));
    tlsdoctor_env(&with_defaults(&["check", target], &defaults, extra), env)
}

/// Like [`check_address`], but verifying the address itself (no `--servername`, no SNI).
pub fn check_by_address(target: &str, extra: &[&str]) -> Run {
    let root = root_ca();
    tlsdoctor(&with_defaults(
        &["check", target],
        &live_defaults(&root),
        extra,
    ))
}

fn live_defaults(root: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("--ca-file", root),
        ("--at", AT),
        ("--format", "json"),
        ("--timeout", "5"),
    ]
}

/// `tlsdoctor check --file` on a fixture chain as `ok.test`, trusting the test root, in JSON.
pub fn check_file(name: &str, extra: &[&str]) -> Run {
    check_path(&chain_path(name).display().to_string(), extra)
}

/// Like [`check_file`] for any chain file.
pub fn check_path(file: &str, extra: &[&str]) -> Run {
    let root = root_ca();
    let defaults = [
        ("--host", "ok.test"),
        ("--ca-file", root.as_str()),
        ("--at", AT),
        ("--format", "json"),
    ];
    tlsdoctor(&with_defaults(&["check", "--file", file], &defaults, extra))
}

pub fn with_defaults<'a>(
    head: &[&'a str],
    defaults: &[(&'a str, &'a str)],
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = head.to_vec();
    for (flag, value) in defaults {
        if !extra.contains(flag) {
            args.extend([*flag, *value]);
        }
    }
    args.extend_from_slice(extra);
    args
}

/// The fix step a finding gives for one platform, or a panic that shows the steps it has.
pub fn fix_step<'a>(finding: &'a Value, platform: &str) -> &'a str {
    finding["fix_steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["platform"] == platform))
        .and_then(|s| s["step"].as_str())
        .unwrap_or_else(|| panic!("no {platform} step in {}", finding["fix_steps"]))
}

/// Fails unless every key in `json` is named in docs/json-schema.md.
pub fn assert_documented(json: &Value) {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json-schema.md"))
            .expect("docs/json-schema.md");
    let mut keys = std::collections::BTreeSet::new();
    collect_keys(json, &mut keys);
    let undocumented: Vec<&String> = keys
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "fields missing from docs/json-schema.md: {undocumented:?}"
    );
}

fn collect_keys(value: &Value, keys: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                keys.insert(k.clone());
                collect_keys(v, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, keys)),
        _ => {}
    }
}
