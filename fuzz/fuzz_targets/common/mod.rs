//! What the targets that drive the shipped pipeline (`tlsdoctor::pipeline`) share: the fixtures'
//! instant and root, downloads that answer with the fuzz input instead of the network, and every
//! renderer over the resulting report.
#![allow(dead_code)]

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use time::OffsetDateTime;
use tlsdoctor::Options;
use tlsdoctor::fetch::{Download, Fetch, FetchError, Pending};
use tlsdoctor::report::{self, Report, Summary, TargetReport};
use tlsdoctor::trust::{StoreSet, SystemLocations};

/// 2026-06-01T00:00:00Z, the instant the fixtures are built for (fixtures/README.md).
pub const NOW: i64 = 1_780_272_000;
/// The check's deadline; nothing here waits on a network, so it is never reached.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A path under the repository's fixtures/.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(relative)
}

/// Every certificate of a fixture PEM file.
pub fn certs(relative: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(fixture(relative))
        .expect("fixture")
        .map(|c| c.expect("PEM"))
        .collect()
}

/// `--ca-file fixtures/ca/root.pem --at 2026-06-01`, no system store, so nothing depends on
/// this machine; downloads on.
pub fn options() -> Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS
        .get_or_init(|| {
            let stores = StoreSet::new(&[], &[fixture("ca/root.pem")], SystemLocations::default())
                .expect("root.pem");
            let mut options = Options::new(stores);
            options.at = Some(OffsetDateTime::from_unix_timestamp(NOW).expect("now"));
            options.timeout = TIMEOUT;
            options
        })
        .clone()
}

/// One runtime for every execution; the judging runs on its blocking pool, as in the CLI.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

/// Answers every GET (issuer downloads) and every POST (OCSP requests) with fixed bodies, or
/// with a refusal where none is given.
pub struct Canned {
    pub get: Option<Vec<u8>>,
    pub post: Option<Vec<u8>>,
}

impl Canned {
    /// No download succeeds.
    pub fn none() -> Canned {
        Canned {
            get: None,
            post: None,
        }
    }

    fn answer<'a>(&'a self, url: &'a str, body: Option<&[u8]>, max_bytes: usize) -> Pending<'a> {
        let answer = match body {
            None => Err(FetchError::Connect("no network in the fuzz target".into())),
            Some(body) if body.len() > max_bytes => Err(FetchError::LargerThan(max_bytes)),
            Some(body) => Ok(Download {
                url: url.to_string(),
                body: body.to_vec(),
                content_type: None,
            }),
        };
        Box::pin(async move { answer })
    }
}

impl Fetch for Canned {
    fn get<'a>(&'a self, url: &'a str) -> Pending<'a> {
        self.answer(url, self.get.as_deref(), tlsdoctor::fetch::MAX_BODY_BYTES)
    }

    fn post<'a>(
        &'a self,
        url: &'a str,
        _content_type: &'a str,
        _body: Vec<u8>,
        max_bytes: usize,
    ) -> Pending<'a> {
        self.answer(url, self.post.as_deref(), max_bytes)
    }
}

/// Runs the pipeline's judging on `presented` with `fetch`, as `check` does.
pub fn judge(
    presented: tlsdoctor::pipeline::Presented,
    options: &Options,
    fetch: &Canned,
) -> TargetReport {
    runtime().block_on(async {
        let deadline = tokio::time::Instant::now() + options.timeout;
        tlsdoctor::pipeline::judge(presented, options, fetch, deadline).await
    })
}

/// Every renderer over one target: the single-target and fleet forms of each format.
pub fn render(target: TargetReport) {
    let mut summary = Summary::default();
    summary.add(&target);
    let mut out = Vec::new();
    report::human::write_line(&target, &mut out).expect("human line");
    report::human::write_summary(&summary, &mut out).expect("summary");
    report::json::write_line(&target, &mut out).expect("json line");
    report::prometheus::write(std::slice::from_ref(&target), &mut out).expect("prometheus");
    let report = Report::new(vec![target]);
    use report::human::{Detail, Fixes, View};
    let compact = View {
        fixes: Fixes::ForServer,
        detail: Detail::Compact,
    };
    let full = View {
        fixes: Fixes::All,
        detail: Detail::Full,
    };
    report::human::write(&report, compact, &mut out).expect("human, compact");
    report::human::write(&report, full, &mut out).expect("human, -v");
    report::json::write(&report, &mut out).expect("json");
}
