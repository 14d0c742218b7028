//! The plain-text side of STARTTLS: each protocol's dialogue fed whatever a server might send,
//! split into two reads at an input-chosen point. The upgrade must end (agreed, or a named
//! error) without panicking, within its byte budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tlsdoctor::starttls::{self, Protocol};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let protocol = Protocol::ALL[usize::from(selector) % Protocol::ALL.len()];
    let split = rest.len().min(usize::from(selector) * 7);
    let (first, second) = rest.split_at(split);
    let (first, second) = (first.to_vec(), second.to_vec());
    runtime().block_on(async move {
        let (mut client, server) = tokio::io::duplex(256 * 1024);
        let peer = tokio::spawn(async move {
            let (mut from_client, mut to_client) = tokio::io::split(server);
            let drain = async {
                let mut sink = [0u8; 4096];
                while matches!(from_client.read(&mut sink).await, Ok(n) if n > 0) {}
            };
            let speak = async {
                let _ = to_client.write_all(&first).await;
                tokio::task::yield_now().await;
                let _ = to_client.write_all(&second).await;
                let _ = to_client.shutdown().await;
            };
            tokio::join!(drain, speak);
        });
        let outcome = starttls::upgrade(protocol, &mut client, "ok.test").await;
        if let Err(error) = &outcome {
            let _ = error.to_string();
            let _ = error.transcript();
        }
        drop(client);
        let _ = peer.await;
    });
});
