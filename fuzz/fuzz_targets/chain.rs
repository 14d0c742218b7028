//! The chain model and the whole diagnosis of a presented chain, as `tlsdoctor check --file`
//! runs it without downloads: `bundle::parse_certificates` (or raw DER), `Chain::from_der`,
//! `diagnosis::diagnose` against a store trusting fixtures/ca/root.pem, the repair computation,
//! and the report rendered as human text, JSON, JSON lines and Prometheus metrics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::PathBuf;
use std::sync::OnceLock;
use time::OffsetDateTime;
use tlsdoctor::chain::Chain;
use tlsdoctor::diagnosis::{self, Settings};
use tlsdoctor::repair::{self, RepairRequest};
use tlsdoctor::report::{self, Parts, Report, Source, Summary, TargetReport};
use tlsdoctor::trust::{StoreSet, SystemLocations};

/// The instant the fixtures are built for (fixtures/README.md): 2026-06-01T00:00:00Z.
const NOW: i64 = 1_780_272_000;
/// More blobs than any real chain; keeps one input from becoming thousands of certificates.
const MAX_BLOBS: usize = 32;

struct Fixed {
    stores: StoreSet,
    name: ServerName<'static>,
    now: OffsetDateTime,
    /// Paths in a directory that does not exist: the repair is computed, the write fails.
    repair: RepairRequest,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/ca/root.pem");
        // `--ca-file fixtures/ca/root.pem`; no system store, so nothing depends on this machine.
        let stores = StoreSet::new(&[], &[root], SystemLocations::default()).expect("root.pem");
        let missing = PathBuf::from("/nonexistent-tlsdoctor-fuzz");
        Fixed {
            stores,
            name: ServerName::try_from("ok.test").expect("name"),
            now: OffsetDateTime::from_unix_timestamp(NOW).expect("now"),
            repair: RepairRequest {
                fix_chain: Some(missing.join("fixed.pem")),
                save_root: Some(missing.join("root.pem")),
                force: true,
            },
        }
    })
}

/// Splits bytes into DER-looking blobs by each one's header, leniently: any tag, and a length
/// that runs past the end is cut short. Unlike the bundle reader, never refuses. Past
/// `MAX_BLOBS`, the rest rides on the last blob.
fn lenient_split(bytes: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at < bytes.len() && starts.len() < MAX_BLOBS {
        starts.push(at);
        let rest = &bytes[at..];
        let total = match rest.get(1).copied() {
            Some(first) if first < 0x80 => 2 + usize::from(first),
            Some(first) => {
                let n = usize::from(first & 0x7f).min(4);
                let len = rest
                    .iter()
                    .skip(2)
                    .take(n)
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                (2 + n).saturating_add(len)
            }
            None => 1,
        };
        at += total.clamp(1, rest.len());
    }
    let mut ends: Vec<usize> = starts.iter().skip(1).copied().collect();
    ends.push(bytes.len());
    starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| &bytes[s..e])
        .collect()
}

fn run(presented: Vec<CertificateDer<'static>>) {
    if presented.is_empty() {
        // `diagnose` takes a non-empty chain; the pipeline never calls it with none.
        return;
    }
    let f = fixed();
    let chain = Chain::from_der(presented);
    let settings = Settings {
        stores: &f.stores,
        name: Some(&f.name),
        now: f.now,
        warn_days: tlsdoctor::DEFAULT_WARN_DAYS,
        fetching: false,
        proxy: None,
    };
    let diagnosis = diagnosis::diagnose(chain, Vec::new(), &settings);
    let repaired = repair::apply(&diagnosis, &f.repair, f.now);
    let parts = Parts {
        target: "fuzz.pem".to_string(),
        source: Source::File,
        name: Some("ok.test".to_string()),
        now: f.now,
        store_names: f.stores.names(),
        connection: None,
    };
    let target = TargetReport::diagnosed(parts, &diagnosis, Vec::new(), Some(repaired));
    let mut summary = Summary::default();
    summary.add(&target);
    let mut out = Vec::new();
    report::human::write_line(&target, &mut out).expect("human line");
    report::human::write_summary(&summary, &mut out).expect("summary");
    report::json::write_line(&target, &mut out).expect("json line");
    report::prometheus::write(std::slice::from_ref(&target), &mut out).expect("prometheus");
    let report = Report::new(vec![target]);
    report::human::write(&report, &mut out).expect("human");
    report::json::write(&report, &mut out).expect("json");
}

fuzz_target!(|data: &[u8]| {
    match tlsdoctor::bundle::parse_certificates(data) {
        Ok(certs) => run(certs),
        Err(_) => {
            // Raw DER of one certificate, as a server could send it.
            run(vec![CertificateDer::from(data.to_vec())]);
            // And as several certificates, when the bytes split into more than one.
            let blobs = lenient_split(data);
            if blobs.len() > 1 {
                run(blobs
                    .into_iter()
                    .map(|b| CertificateDer::from(b.to_vec()))
                    .collect());
            }
        }
    }
});
