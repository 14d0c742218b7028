//! The server-bytes path: whatever a server sends in answer to the ClientHello goes through
//! `capture::capture_stream` (rustls, the recording verifier, the client-certificate recorder,
//! the first-bytes sniffer), then through what `check_target` does with a capture: the
//! connection cause (`checks::connection::check`), the client-certificate checks, and, when a
//! chain was recorded, the diagnosis and the report (human and JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use time::OffsetDateTime;
use tlsdoctor::capture::{self, ClientSide};
use tlsdoctor::causes::Cause;
use tlsdoctor::chain::Chain;
use tlsdoctor::checks::{self, Finding};
use tlsdoctor::diagnosis::{self, Settings};
use tlsdoctor::report::{
    self, ClientAuthReport, ConnectionReport, Parts, Report, Source, TargetReport,
};
use tlsdoctor::trust::{StoreSet, SystemLocations};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOST: &str = "ok.test";
const PORT: u16 = 443;
const LIMIT: Duration = Duration::from_secs(2);
/// 2026-06-01T00:00:00Z, the fixtures' instant.
const NOW: i64 = 1_780_272_000;

struct Fixed {
    runtime: tokio::runtime::Runtime,
    stores: StoreSet,
    name: ServerName<'static>,
    now: OffsetDateTime,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/ca/root.pem");
        Fixed {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("runtime"),
            stores: StoreSet::new(&[], &[root], SystemLocations::default()).expect("root.pem"),
            name: ServerName::try_from(HOST).expect("name"),
            now: OffsetDateTime::from_unix_timestamp(NOW).expect("now"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let bytes = data.to_vec();
    let captured = f.runtime.block_on(async {
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
            f.name.clone(),
            LIMIT,
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
    // What `check_target` does with a capture.
    let failure = checks::connection::check(HOST, HOST, &captured);
    let parts = Parts {
        target: format!("{HOST}:{PORT}"),
        source: Source::Network,
        name: Some(HOST.to_string()),
        now: f.now,
        store_names: f.stores.names(),
        connection: Some(ConnectionReport::new(
            captured.address,
            Some(HOST.to_string()),
            captured.negotiated.as_ref(),
            captured.ocsp.is_some(),
        )),
    };
    let target = if captured.chain.is_empty() {
        let failure = failure.unwrap_or_else(|| {
            Finding::new(
                Cause::HandshakeFailure,
                "the server presented no certificate",
            )
        });
        TargetReport::unreachable(parts, failure)
    } else {
        let client = checks::client::check(&checks::client::ClientContext {
            identity: None,
            chain: None,
            auth: &captured.client_auth,
            failure: captured.failure.as_ref(),
            now: f.now,
        });
        let mut extra = client.findings;
        if !client.explains_failure {
            extra.extend(failure);
        }
        let client_auth = captured.client_auth.requested.then(|| {
            ClientAuthReport::new(
                &captured.client_auth,
                captured.failure.as_ref(),
                None,
                f.now,
            )
        });
        let settings = Settings {
            stores: &f.stores,
            name: Some(&f.name),
            now: f.now,
            warn_days: tlsdoctor::DEFAULT_WARN_DAYS,
            fetching: false,
            proxy: None,
        };
        let diagnosis = diagnosis::diagnose(
            Chain::from_der(captured.chain.clone()),
            Vec::new(),
            &settings,
        );
        let mut target = TargetReport::diagnosed(parts, &diagnosis, extra, None);
        target.client_auth = client_auth;
        target
    };
    let mut out = Vec::new();
    let report = Report::new(vec![target]);
    report::human::write(&report, &mut out).expect("human");
    report::json::write(&report, &mut out).expect("json");
});
