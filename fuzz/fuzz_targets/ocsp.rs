//! OCSP responses, stapled or fetched: `revocation::check_response` on arbitrary bytes about
//! the fixture leaf (with and without its issuer), then the revocation checks and the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::PathBuf;
use std::sync::OnceLock;
use time::OffsetDateTime;
use tlsdoctor::revocation::{self, Outcome, Revocation};

/// 2026-06-01T00:00:00Z, the fixtures' instant.
const NOW: i64 = 1_780_272_000;

fn first_cert(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(relative);
    let mut certs = CertificateDer::pem_file_iter(&path).expect("fixture");
    certs.next().expect("a certificate").expect("PEM").to_vec()
}

fn fixtures() -> &'static (Vec<u8>, Vec<u8>) {
    static FIXED: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    FIXED.get_or_init(|| {
        (
            first_cert("ocsp/good.pem"),
            first_cert("ca/intermediate.pem"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (leaf, issuer) = fixtures();
    let now = OffsetDateTime::from_unix_timestamp(NOW).expect("now");
    for issuer in [Some(issuer.as_slice()), None] {
        let result = revocation::check_response(data, leaf, issuer, now);
        let outcome = match result {
            Ok(report) => Outcome {
                url: None,
                response: Some(report),
                error: None,
            },
            Err(e) => Outcome {
                url: None,
                response: None,
                error: Some(e.to_string()),
            },
        };
        let facts = Revocation {
            must_staple: true,
            stapled: Some(outcome.clone()),
            queried: Some(outcome),
        };
        let _ = tlsdoctor::checks::revocation::check(&facts, true);
        serde_json::to_vec(&facts).expect("revocation facts serialise");
    }
    let _ = revocation::must_staple(data);
    let _ = revocation::ocsp_urls(data);
});
