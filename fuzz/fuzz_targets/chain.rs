//! The chain model and the whole diagnosis of a presented chain, as `tlsdoctor check --file
//! --no-fetch` runs it: `bundle::parse_certificates` (or raw DER), then the shipped pipeline
//! (`pipeline::Presented::from_file` with its size check and cut, `pipeline::judge`) against a
//! store trusting fixtures/ca/root.pem, with the repair computed, and every renderer.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::PathBuf;
use tlsdoctor::pipeline::Presented;
use tlsdoctor::repair::RepairRequest;

/// Blobs a lenient split makes at most: a few more than the pipeline examines, so its cut
/// is reached too.
const MAX_BLOBS: usize = tlsdoctor::MAX_CHAIN_CERTS + 4;

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
    let mut options = common::options();
    options.fetch = false;
    // Paths in a directory that does not exist: the repair is computed, the write fails.
    let missing = PathBuf::from("/nonexistent-tlsdoctor-fuzz");
    options.repair = RepairRequest {
        fix_chain: Some(missing.join("fixed.pem")),
        save_root: Some(missing.join("root.pem")),
        force: true,
    };
    let name = ServerName::try_from("ok.test").expect("name");
    let Some(presented) = Presented::from_file("fuzz.pem".into(), presented, Some(name), &options)
    else {
        return;
    };
    common::render(common::judge(presented, &options, &common::Canned::none()));
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
