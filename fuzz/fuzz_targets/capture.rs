//! The server-bytes path: whatever a server sends in answer to the ClientHello goes through
//! `capture::capture_stream` (rustls, the recording verifier, the client-certificate recorder,
//! the first-bytes sniffer), then through the shipped pipeline exactly as `check_target` runs
//! it: `pipeline::Presented::from_capture` (the legacy-probe fallback, the connection cause, the
//! client-certificate checks, the size check and cut) and `pipeline::judge` (downloads refused,
//! the staple read, the diagnosis), then every renderer.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::ServerName;
use std::sync::OnceLock;
use tlsdoctor::Target;
use tlsdoctor::capture::{self, ClientSide};
use tlsdoctor::pipeline::Presented;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOST: &str = "ok.test";
const PORT: u16 = 443;

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| Target::parse(&format!("{HOST}:{PORT}")).expect("target"))
}

fuzz_target!(|data: &[u8]| {
    let options = common::options();
    let name = ServerName::try_from(HOST).expect("name");
    let bytes = data.to_vec();
    let captured = common::runtime().block_on(async {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(async move {
            let (mut from_client, mut to_client) = tokio::io::split(server);
            let discard = async {
                let mut buf = [0u8; 4096];
                while let Ok(n) = from_client.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            };
            let send = async {
                let _ = to_client.write_all(&bytes).await;
                let _ = to_client.shutdown().await;
            };
            // Sending decides when the server goes away; discarding only keeps the client
            // from blocking on a full pipe.
            tokio::pin!(discard);
            tokio::select! {
                () = send => {}
                () = &mut discard => {}
            }
            // Dropping both halves closes the stream.
        });
        let captured = capture::capture_stream(
            client,
            HOST,
            PORT,
            name.clone(),
            common::TIMEOUT,
            ClientSide { identity: None },
        )
        .await;
        server.abort();
        let _ = server.await;
        captured
    });

    if std::env::var_os("TLSDOCTOR_FUZZ_DEBUG").is_some() {
        eprintln!(
            "received {} bytes, chain of {}, client auth requested: {}, failure: {:?}",
            captured.bytes_received,
            captured.chain.len(),
            captured.client_auth.requested,
            captured.failure
        );
    }
    let report = match Presented::from_capture(target(), name, captured, &options) {
        Ok(presented) => common::judge(presented, &options, &common::Canned::none()),
        Err(unreachable) => *unreachable,
    };
    common::render(report);
});
