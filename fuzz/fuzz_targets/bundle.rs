//! PEM / DER / PKCS#7 certificate loading: `bundle::parse_certificates`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = tlsdoctor::bundle::parse_certificates(data) {
        // Round-trip what was found through the PEM writer and back.
        let pem: String = certs.iter().map(|c| tlsdoctor::bundle::to_pem(c)).collect();
        let again = tlsdoctor::bundle::parse_certificates(pem.as_bytes())
            .expect("PEM written by to_pem must parse");
        assert_eq!(certs, again, "to_pem round trip changed the certificates");
    }
});
