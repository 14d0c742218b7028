//! A server's answer to a ClientHello probe (the old-style one or a client profile's own): any
//! bytes must end the read with an answer, without panicking, within the probe's byte bound.
#![no_main]

mod common;

use common::runtime;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tlsdoctor::capture::hello::{self, Offer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The offers probed: the old-style one and every profile's.
fn offers() -> &'static [Offer] {
    static OFFERS: OnceLock<Vec<Offer>> = OnceLock::new();
    OFFERS.get_or_init(|| {
        let mut all = vec![Offer::legacy(Some("fuzz.test"))];
        if let Ok(profiles) = tlsdoctor::clients::all() {
            all.extend(profiles.iter().map(|p| p.offer(Some("fuzz.test"))));
        }
        all
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let offer = &offers()[usize::from(selector) % offers().len()];
    let answer = rest.to_vec();
    runtime().block_on(async move {
        let (client, server) = tokio::io::duplex(512 * 1024);
        let peer = tokio::spawn(async move {
            let (mut from_client, mut to_client) = tokio::io::split(server);
            let mut hello = [0u8; 4096];
            let _ = from_client.read(&mut hello).await;
            let _ = to_client.write_all(&answer).await;
        });
        if let Ok(answer) = hello::probe(client, offer).await {
            let _ = (answer.version_name(), answer.cipher_suite_name(), answer.group_name());
            let _ = hello::agreed(offer, &answer);
        }
        let _ = peer.await;
    });
});
