//! What a "CA Issuers" URL answers: arbitrary bytes as the body of the download for a leaf whose
//! server left its intermediate out (fixtures/chains/leaf-only.pem), through the shipped
//! pipeline (`pipeline::judge`: the answer parsed as PEM, DER or PKCS#7, the bounded choice of
//! issuers, the chain completed and judged), then every renderer.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::ServerName;
use tlsdoctor::pipeline::Presented;

fuzz_target!(|data: &[u8]| {
    let options = common::options();
    let name = ServerName::try_from("ok.test").expect("name");
    let leaf = common::certs("chains/leaf-only.pem");
    let presented = Presented::from_file("leaf-only.pem".into(), leaf, Some(name), &options)
        .expect("the fixture holds a leaf");
    let fetch = common::Canned {
        get: Some(data.to_vec()),
        post: None,
    };
    common::render(common::judge(presented, &options, &fetch));
});
