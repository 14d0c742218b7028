//! `tlsdoctor serve` as a child process, a plain HTTP/1.0 client for it, and a real Prometheus
//! that scrapes it: each stopped by its PID when dropped.

use super::{AT, Scratch, closed_port, root_ca};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running exporter, killed when dropped.
pub struct Exporter {
    child: Child,
    /// `127.0.0.1:PORT`, as it reported on its first line.
    pub addr: String,
}

impl Exporter {
    /// `tlsdoctor serve` on a free loopback port, trusting the test root, judging at [`AT`];
    /// a flag in `extra` replaces the default of the same name.
    pub fn start(extra: &[&str]) -> Exporter {
        let root = root_ca();
        let defaults = [
            ("--listen", "127.0.0.1:0"),
            ("--ca-file", root.as_str()),
            ("--at", AT),
            ("--timeout", "5"),
        ];
        let args = super::with_defaults(&["serve"], &defaults, extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_tlsdoctor"))
            .args(&args)
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tlsdoctor serve");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the exporter's first line");
        let addr = first
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        assert!(
            first.contains("listening on http://"),
            "the exporter did not start: {first:?}"
        );
        Exporter { child, addr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// A line of /proc/PID/status, in kB (`VmRSS`, `VmHWM`).
    pub fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/PID/status"))
    }

    pub fn get(&self, path: &str) -> Reply {
        get(&self.addr, path, &[])
    }

    /// `/probe?QUERY`.
    pub fn probe(&self, query: &str) -> Reply {
        self.get(&format!("/probe?{query}"))
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    /// The value of an unlabelled sample (`probe_success`), if present.
    pub fn sample(&self, name: &str) -> Option<f64> {
        self.body
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
    }
}

/// One GET over HTTP/1.0 (no chunking, the connection closes at the end).
pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to the exporter");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Reply { status, body }
}

/// Percent-encodes everything but letters and digits, for a query string.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Debian's `prometheus`, on a free loopback port with a scratch data directory, killed by its
/// PID when dropped.
pub struct Prometheus {
    child: Child,
    pub addr: String,
    _scratch: Scratch,
}

impl Prometheus {
    /// `None` when no `prometheus` binary is on the PATH.
    pub fn find() -> Option<std::path::PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join("prometheus"))
            .find(|p| p.is_file())
    }

    /// Starts it with this `prometheus.yml`.
    pub fn start(binary: &std::path::Path, config: &str) -> Prometheus {
        let scratch = Scratch::new("prometheus");
        let config_path = scratch.file("prometheus.yml", config.as_bytes());
        let addr = format!("127.0.0.1:{}", closed_port());
        let child = Command::new(binary)
            .arg(format!("--config.file={config_path}"))
            .arg(format!("--storage.tsdb.path={}", scratch.path("data")))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start prometheus");
        Prometheus {
            child,
            addr,
            _scratch: scratch,
        }
    }

    /// The instant-vector result of `query`, as Prometheus's HTTP API returns it; empty until
    /// Prometheus is up and has the series.
    pub fn query(&self, query: &str) -> Vec<serde_json::Value> {
        let Ok(stream) = TcpStream::connect(&self.addr) else {
            return Vec::new();
        };
        drop(stream);
        let reply = get(
            &self.addr,
            &format!("/api/v1/query?query={}", encode(query)),
            &[],
        );
        let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        json["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Polls `query` until it has at least `count` series, for at most `limit`.
    pub fn wait_for(&self, query: &str, count: usize, limit: Duration) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let result = self.query(query);
            if result.len() >= count || start.elapsed() > limit {
                return result;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
