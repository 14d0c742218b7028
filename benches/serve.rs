//! Exporter throughput and memory: `tlsdoctor serve` probing a loopback TLS server as fast as
//! scrapers ask. Run with `cargo bench --bench serve` (options: `-- --probes 2000 --clients 32
//! --runs 5`).
//!
//! This process serves fixtures/chains/good.pem (one rustls server on loopback) and plays the
//! scrapers: `--clients` keep-alive HTTP/1.1 connections, each asking `/probe` in turn until
//! `--probes` answers have come. Each run starts a fresh exporter (the binary cargo built for
//! this bench) and reads its peak RSS (VmHWM) from /proc at the end.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const AT: &str = "2026-06-01T00:00:00Z";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let probes = option("--probes", 2000);
    let clients = option("--clients", 32);
    let runs = option("--runs", 5);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let port = runtime.block_on(serve_tls(&fixtures));
    let root = fixtures.join("ca/root.pem").display().to_string();

    let mut rates = Vec::new();
    let mut peaks = Vec::new();
    for run in 1..=runs {
        let mut exporter = Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
            .args(["serve", "--listen", "127.0.0.1:0", "--ca-file", &root])
            .args(["--at", AT, "--no-fetch", "--max-probes", "64"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the exporter");
        let mut first = String::new();
        let stdout = exporter.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("address");
        let addr = first
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let path = format!("/probe?target=127.0.0.1%3A{port}&servername=ok.test");
        let started = Instant::now();
        let ok = runtime.block_on(load(&addr, &path, probes, clients));
        let wall = started.elapsed().as_secs_f64();
        let peak = peak_kb(exporter.id());
        let _ = exporter.kill();
        let _ = exporter.wait();
        assert_eq!(ok, probes, "every probe must succeed");
        let rate = probes as f64 / wall;
        println!(
            "run {run}: {probes} probes, {clients} clients: {wall:.3} s, {rate:.0} probes/s, \
             peak RSS {:.1} MB",
            peak as f64 / 1024.0
        );
        rates.push(rate);
        peaks.push(peak as f64 / 1024.0);
    }
    println!("\n| probes | clients | median probes/s | median peak RSS |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {probes} | {clients} | {:.0} | {:.1} MB |",
        median(&mut rates),
        median(&mut peaks)
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn peak_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or_default()
}

/// `clients` keep-alive connections share `probes` requests; returns how many answered
/// `probe_success 1`.
async fn load(addr: &str, path: &str, probes: usize, clients: usize) -> usize {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (addr, path, next) = (addr.to_string(), path.to_string(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(&addr).await.expect("connect");
            let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
            let mut ok = 0;
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < probes {
                stream.write_all(request.as_bytes()).await.expect("send");
                let body = read_response(&mut stream).await;
                ok += usize::from(body.contains("\nprobe_success 1\n"));
            }
            ok
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += task.await.expect("client");
    }
    ok
}

/// One HTTP/1.1 response with a Content-Length; its body as text.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .expect("content-length");
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.expect("read");
                assert!(n > 0, "the exporter closed the connection");
                buffer.extend_from_slice(&chunk[..n]);
            }
            return String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the exporter closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// A rustls server presenting the good chain; returns its port.
async fn serve_tls(fixtures: &Path) -> u16 {
    let chain = CertificateDer::pem_file_iter(fixtures.join("chains/good.pem"))
        .expect("chain")
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM");
    let key = PrivateKeyDer::from_pem_file(fixtures.join("chains/good.key")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut sink = [0u8; 1024];
                    while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
                }
            });
        }
    });
    port
}
