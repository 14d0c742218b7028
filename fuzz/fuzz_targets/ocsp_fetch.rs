//! What an OCSP responder answers: arbitrary bytes as the body of the responder's reply about
//! the fixture leaf (fixtures/ocsp/good.pem, sent with its intermediate), asked as
//! `--revocation ocsp` asks, through the shipped pipeline (`pipeline::judge`: the request, the
//! response read and checked against the issuer, the revocation checks, the diagnosis), then
//! every renderer.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::ServerName;
use tlsdoctor::pipeline::Presented;
use tlsdoctor::revocation::Query;

fuzz_target!(|data: &[u8]| {
    let mut options = common::options();
    options.revocation = Query::FromCertificate;
    let name = ServerName::try_from("ok.test").expect("name");
    let mut chain = common::certs("ocsp/good.pem");
    chain.extend(common::certs("ca/intermediate.pem"));
    let presented = Presented::from_file("good.pem".into(), chain, Some(name), &options)
        .expect("the fixtures hold a chain");
    let fetch = common::Canned {
        get: None,
        post: Some(data.to_vec()),
    };
    common::render(common::judge(presented, &options, &fetch));
});
