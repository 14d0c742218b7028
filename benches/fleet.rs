//! Fleet throughput and memory: tlsdoctor against many loopback targets, next to a bare
//! tokio-rustls client that only connects and handshakes, same targets, same concurrency, same
//! run. Run with `cargo bench --bench fleet` (options: `-- --targets 1000 --jobs 32 --runs 5`).
//!
//! Both clients run as child processes of this one, which serves the targets: one rustls server
//! on up to 500 loopback ports presenting fixtures/chains/good.pem. Wall time and peak RSS of each
//! child come from a small python3 wrapper (getrusage of the child), so both are measured alike.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

const AT: &str = "2026-06-01T00:00:00Z";
const MAX_PORTS: usize = 500;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bare-client") {
        return bare_client(Path::new(&args[2]), args[3].parse().unwrap_or(32));
    }
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let counts: Vec<usize> = match args.iter().position(|a| a == "--targets") {
        Some(_) => vec![option("--targets", 1000)],
        None => vec![1000, 10_000],
    };
    let jobs = option("--jobs", 32);
    let runs = option("--runs", 5);

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ports = runtime.block_on(serve(
        &root,
        counts.iter().copied().max().unwrap_or(1000).min(MAX_PORTS),
    ));
    let scratch =
        std::env::temp_dir().join(format!("tlsdoctor-fleet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");

    println!(
        "| targets | jobs | client | median wall | targets/s | median CPU | median peak RSS |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for count in counts {
        let list = scratch.join(format!("targets-{count}.txt"));
        let text: String = (0..count)
            .map(|i| format!("127.0.0.1:{}\n", ports[i % ports.len()]))
            .collect();
        std::fs::write(&list, text).expect("targets file");
        let root_pem = root.join("ca/root.pem").display().to_string();
        let list_arg = list.display().to_string();
        let jobs_arg = jobs.to_string();
        let tlsdoctor = [
            env!("CARGO_BIN_EXE_tlsdoctor"),
            "check",
            "--targets",
            &list_arg,
            "--jobs",
            &jobs_arg,
            "--servername",
            "ok.test",
            "--ca-file",
            &root_pem,
            "--at",
            AT,
            "--no-fetch",
            "--format",
            "jsonl",
        ];
        let me = std::env::current_exe()
            .expect("own path")
            .display()
            .to_string();
        let bare = [me.as_str(), "bare-client", &list_arg, &jobs_arg];
        let mut tl = Vec::new();
        let mut br = Vec::new();
        for _ in 0..runs {
            tl.push(measure(&tlsdoctor));
            br.push(measure(&bare));
        }
        let (tl_wall, tl_rss, tl_cpu) = medians(&tl);
        let (br_wall, br_rss, br_cpu) = medians(&br);
        println!(
            "| {count} | {jobs} | tlsdoctor check --format jsonl | {tl_wall:.3} s | {:.0} | {tl_cpu:.3} s | {tl_rss:.1} MB |",
            count as f64 / tl_wall
        );
        println!(
            "| {count} | {jobs} | bare tokio-rustls handshake | {br_wall:.3} s | {:.0} | {br_cpu:.3} s | {br_rss:.1} MB |",
            count as f64 / br_wall
        );
        println!(
            "| | | ratio tlsdoctor / bare (throughput) | | {:.2} | | |",
            br_wall / tl_wall
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child run.
fn measure(command: &[&str]) -> (f64, f64, f64) {
    const WRAPPER: &str = "import resource, subprocess, sys, time\n\
        t = time.monotonic()\n\
        subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n\
        wall = time.monotonic() - t\n\
        r = resource.getrusage(resource.RUSAGE_CHILDREN)\n\
        print(wall, r.ru_maxrss, r.ru_utime + r.ru_stime)";
    let out = Command::new("python3")
        .arg("-c")
        .arg(WRAPPER)
        .args(command)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<f64> = text
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(f64::NAN))
        .collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or(f64::NAN);
    (field(0), field(1) / 1024.0, field(2))
}

fn medians(samples: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    (
        median(samples.iter().map(|s| s.0).collect()),
        median(samples.iter().map(|s| s.1).collect()),
        median(samples.iter().map(|s| s.2).collect()),
    )
}

/// One rustls server listening on `ports` loopback ports; returns the ports.
async fn serve(fixtures: &Path, ports: usize) -> Vec<u16> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(fixtures.join("chains/good.pem"))
            .expect("chain")
            .collect::<Result<_, _>>()
            .expect("chain PEM");
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
    let mut bound = Vec::new();
    for _ in 0..ports {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        bound.push(listener.local_addr().expect("addr").port());
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(stream).await {
                        let mut sink = [0u8; 256];
                        while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
                    }
                });
            }
        });
    }
    bound
}

/// The baseline: connect and handshake (verifying the chain and name), nothing else.
fn bare_client(list: &Path, jobs: usize) {
    let text = std::fs::read_to_string(list).expect("targets");
    let targets: Vec<String> = text.lines().map(str::to_string).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ca/root.pem");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&root).expect("root"))
        .expect("root");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let ok = runtime.block_on(async move {
        let mut set = tokio::task::JoinSet::new();
        let mut pending = targets.into_iter();
        let mut ok = 0usize;
        loop {
            while set.len() < jobs {
                let Some(target) = pending.next() else { break };
                let connector = connector.clone();
                set.spawn(async move {
                    let stream = TcpStream::connect(target).await.ok()?;
                    let name = ServerName::try_from("ok.test").ok()?;
                    connector.connect(name, stream).await.ok().map(|_| ())
                });
            }
            match set.join_next().await {
                Some(Ok(Some(()))) => ok += 1,
                Some(_) => {}
                None => break,
            }
        }
        ok
    });
    eprintln!("{ok} handshakes in {:?}", started.elapsed());
}
