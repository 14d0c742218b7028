//! Revocation: a stapled OCSP response is read and every way it can mislead is named; a leaf
//! that demands stapling is recognised; and the responder a certificate names is asked, over a
//! bounded POST, about good and revoked certificates.

mod common;
use common::http::Reply;
use common::programs::require;
use common::*;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::macros::datetime;
use tlsdoctor::capture::SystemResolver;
use tlsdoctor::fetch::{FetchError, Fetcher};
use tlsdoctor::revocation::{
    self, CertStatus, OcspError, OcspProblem, OcspReport, QueryError, Responder, Signer,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The fixtures' evaluation instant (`AT`).
const NOW: OffsetDateTime = datetime!(2026-06-01 0:00 UTC);
const DELEGATE: &str = "O=tlsdoctor test PKI, CN=tlsdoctor Test OCSP Responder";

fn ocsp_dir() -> PathBuf {
    fixtures().join("ocsp")
}

/// The first certificate of a PEM file, as DER.
fn first_cert(path: PathBuf) -> Vec<u8> {
    let mut certs = CertificateDer::pem_file_iter(&path).expect("fixture PEM");
    let cert = certs.next().expect("a certificate").expect("PEM");
    cert.to_vec()
}

/// The leaf of an OCSP fixture chain (`good`, `revoked`, `must-staple`).
fn leaf(name: &str) -> Vec<u8> {
    first_cert(ocsp_dir().join(format!("{name}.pem")))
}

fn issuer() -> Vec<u8> {
    first_cert(ca_path("intermediate"))
}

fn response(name: &str) -> Vec<u8> {
    std::fs::read(ocsp_dir().join(format!("{name}.der"))).expect("fixture response")
}

/// Reads fixture response `name` about leaf `leaf_name`, issuer known, at [`NOW`].
fn check(name: &str, leaf_name: &str) -> OcspReport {
    revocation::check_response(&response(name), &leaf(leaf_name), Some(&issuer()), NOW)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// Asks `url` about `leaf_der` through the shared fetcher with a `seconds` deadline.
fn ask(
    url: &str,
    leaf_der: &[u8],
    seconds: u64,
    now: OffsetDateTime,
) -> Result<OcspReport, QueryError> {
    block_on(async {
        let fetcher = Fetcher {
            resolver: &SystemResolver,
            deadline: tokio::time::Instant::now() + Duration::from_secs(seconds),
        };
        revocation::query_url(url, leaf_der, &issuer(), &fetcher, now).await
    })
}

#[test]
fn a_good_staple_from_the_delegated_responder_is_trustworthy() {
    let report = check("good", "good");
    assert_eq!(report.status, CertStatus::Good);
    assert_eq!(report.problems, vec![], "{:?}", report.problems);
    assert!(report.is_trustworthy());
    assert_eq!(report.produced_at, datetime!(2026-05-31 0:00 UTC));
    assert_eq!(report.this_update, datetime!(2026-05-31 0:00 UTC));
    assert_eq!(report.next_update, Some(datetime!(2026-06-07 0:00 UTC)));
    assert_eq!(report.responder, Responder::Name(DELEGATE.into()));
    assert_eq!(
        report.signed_by,
        Some(Signer::Delegated {
            subject: DELEGATE.into()
        })
    );
    assert_eq!(report.certificates, vec![DELEGATE.to_string()]);
    assert_eq!(report.serial, "0ce5a001");
    assert_eq!(report.cert_id_hash, "sha1");
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(json["status"]["state"], "good");
    assert_eq!(json["this_update"], "2026-05-31T00:00:00Z");
    assert_eq!(json["next_update"], "2026-06-07T00:00:00Z");
    assert_eq!(json["responder"]["by"], "name");
    assert_eq!(json["signed_by"]["kind"], "delegated");
}

#[test]
fn a_revoked_leaf_is_reported_with_its_revocation_time_and_reason() {
    let report = check("revoked", "revoked");
    assert_eq!(
        report.status,
        CertStatus::Revoked {
            time: datetime!(2026-03-01 0:00 UTC),
            reason: Some("keyCompromise")
        }
    );
    assert!(report.is_trustworthy(), "{:?}", report.problems);
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(json["status"]["state"], "revoked");
    assert_eq!(json["status"]["time"], "2026-03-01T00:00:00Z");
    assert_eq!(json["status"]["reason"], "keyCompromise");
}

#[test]
fn a_certificate_the_responder_does_not_know_is_unknown() {
    let report = check("unknown", "must-staple");
    assert_eq!(report.status, CertStatus::Unknown);
    assert!(report.is_trustworthy(), "{:?}", report.problems);
}

#[test]
fn a_response_signed_by_the_issuer_itself_needs_no_delegate() {
    let report = check("issuer-signed", "good");
    assert_eq!(report.signed_by, Some(Signer::Issuer));
    assert!(report.certificates.is_empty());
    assert!(
        matches!(&report.responder, Responder::KeyHash(h) if h.len() == 40),
        "{:?}",
        report.responder
    );
    assert!(report.is_trustworthy(), "{:?}", report.problems);
}

#[test]
fn a_sha256_cert_id_is_matched_like_a_sha1_one() {
    let report = check("sha256-certid", "good");
    assert_eq!(report.cert_id_hash, "sha256");
    assert_eq!(report.problems, vec![]);
}

#[test]
fn a_response_past_its_next_update_is_stale() {
    let report = check("stale", "good");
    assert_eq!(report.status, CertStatus::Good);
    assert_eq!(
        report.problems,
        vec![OcspProblem::Stale {
            next_update: datetime!(2026-05-08 0:00 UTC)
        }]
    );
    assert!(!report.is_trustworthy());
    assert!(
        report.problems[0]
            .to_string()
            .contains("2026-05-08T00:00:00Z")
    );
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(json["problems"][0]["kind"], "stale");
}

#[test]
fn a_response_from_the_future_is_not_yet_valid() {
    let report = check("not-yet-valid", "good");
    assert_eq!(
        report.problems,
        vec![OcspProblem::NotYetValid {
            this_update: datetime!(2026-07-01 0:00 UTC)
        }]
    );
}

#[test]
fn a_response_without_next_update_is_noted_but_not_stale() {
    let report = check("no-next-update", "good");
    assert_eq!(report.next_update, None);
    assert_eq!(report.problems, vec![OcspProblem::NoNextUpdate]);
    assert!(report.is_trustworthy());
}

#[test]
fn a_signature_by_an_unrelated_key_is_a_bad_signature() {
    let report = check("bad-signature", "good");
    assert_eq!(report.problems, vec![OcspProblem::BadSignature]);
    assert_eq!(report.signed_by, None);
    assert_eq!(
        report.responder,
        Responder::Name("O=tlsdoctor test PKI, CN=tlsdoctor Unrelated OCSP Signer".into())
    );
}

#[test]
fn a_signer_the_issuer_never_certified_is_unauthorized() {
    let report = check("unauthorized-signer", "good");
    let [OcspProblem::UnauthorizedSigner { subject, reason }] = report.problems.as_slice() else {
        panic!("{:?}", report.problems);
    };
    assert!(subject.contains("Unrelated OCSP Signer"), "{subject}");
    assert!(reason.contains("not issued"), "{reason}");
}

#[test]
fn a_signer_without_the_ocsp_signing_usage_is_unauthorized() {
    let report = check("no-eku-signer", "good");
    let [OcspProblem::UnauthorizedSigner { subject, reason }] = report.problems.as_slice() else {
        panic!("{:?}", report.problems);
    };
    assert!(subject.contains("Not-an-OCSP-Responder"), "{subject}");
    assert!(reason.contains("OCSPSigning"), "{reason}");
}

#[test]
fn a_response_about_another_serial_is_the_wrong_certificate() {
    let report = check("wrong-certificate", "good");
    assert_eq!(
        report.problems,
        vec![OcspProblem::WrongCertificate {
            serial: "0ce5a0ff".into(),
            expected: "0ce5a001".into()
        }]
    );
    // A good answer for one certificate says nothing about another.
    let report = check("good", "revoked");
    assert!(matches!(
        report.problems[..],
        [OcspProblem::WrongCertificate { .. }]
    ));
}

#[test]
fn a_response_checked_against_another_issuer_matches_neither_hashes_nor_signer() {
    let other = first_cert(ca_path("other-intermediate"));
    let report = revocation::check_response(&response("good"), &leaf("good"), Some(&other), NOW)
        .expect("parses");
    assert!(report.problems.iter().any(|p| matches!(p, OcspProblem::WrongCertificate { serial, expected } if serial == expected)), "{:?}", report.problems);
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, OcspProblem::UnauthorizedSigner { .. }))
    );
    assert!(report.problems[0].to_string().contains("another issuer"));
}

#[test]
fn without_the_issuer_the_signer_is_unverified_and_that_is_said() {
    let report =
        revocation::check_response(&response("good"), &leaf("good"), None, NOW).expect("parses");
    assert_eq!(report.status, CertStatus::Good);
    assert_eq!(report.problems, vec![OcspProblem::IssuerUnknown]);
    assert!(!report.is_trustworthy());
}

#[test]
fn a_refusal_is_an_error_not_a_status() {
    let error =
        revocation::check_response(&response("try-later"), &leaf("good"), Some(&issuer()), NOW)
            .expect_err("tryLater carries no status");
    assert!(matches!(error, OcspError::Unsuccessful(_)), "{error:?}");
    assert!(error.to_string().contains("tryLater"), "{error}");
}

#[test]
fn garbage_and_certificates_are_not_ocsp_responses() {
    for bytes in [b"<html>nope</html>".to_vec(), issuer(), Vec::new()] {
        let error = revocation::check_response(&bytes, &leaf("good"), Some(&issuer()), NOW)
            .expect_err("not OCSP");
        assert!(matches!(error, OcspError::Unparseable(_)), "{error:?}");
    }
}

#[test]
fn must_staple_is_read_from_the_tls_feature_extension() {
    assert!(revocation::must_staple(&leaf("must-staple")));
    assert!(!revocation::must_staple(&leaf("good")));
    assert!(!revocation::must_staple(&first_cert(chain_path("good"))));
    assert!(!revocation::must_staple(b"not a certificate"));
}

#[test]
fn the_responder_url_comes_from_the_aia_extension() {
    assert_eq!(
        revocation::ocsp_urls(&leaf("good")),
        vec!["http://127.0.0.1:9/ocsp".to_string()]
    );
    assert!(revocation::ocsp_urls(&first_cert(chain_path("good"))).is_empty());
    let error = block_on(async {
        let fetcher = Fetcher {
            resolver: &SystemResolver,
            deadline: tokio::time::Instant::now() + Duration::from_secs(5),
        };
        revocation::query(&first_cert(chain_path("good")), &issuer(), &fetcher, NOW).await
    })
    .expect_err("no URL");
    assert_eq!(error, QueryError::NoUrl);
    // The fixtures' URL is on loopback where nothing listens: refused at once.
    let error = block_on(async {
        let fetcher = Fetcher {
            resolver: &SystemResolver,
            deadline: tokio::time::Instant::now() + Duration::from_secs(5),
        };
        revocation::query(&leaf("good"), &issuer(), &fetcher, NOW).await
    })
    .expect_err("nothing listens");
    assert!(
        matches!(&error, QueryError::Fetch { url, error: FetchError::Connect(_) } if url == "http://127.0.0.1:9/ocsp"),
        "{error:?}"
    );
}

#[test]
fn the_request_names_the_leaf_with_a_sha1_cert_id() {
    if !require(&["openssl"]) {
        return;
    }
    let request = revocation::ocsp_request(&leaf("revoked"), &issuer()).expect("request");
    let scratch = Scratch::new("ocsp-req");
    let path = scratch.file("req.der", &request);
    let output = Command::new("openssl")
        .args(["ocsp", "-reqin", &path, "-req_text"])
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(text.contains("Serial Number: 0CE5A002"), "{text}");
}

/// `openssl ocsp` answering from the fixtures' index.txt, killed (by its PID) when dropped.
struct OpensslResponder {
    child: Child,
    url: String,
}

impl Drop for OpensslResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OpensslResponder {
    /// openssl wants a port number, so a free one is picked; another process may take it first,
    /// so a responder that fails to listen is retried on another.
    fn start() -> OpensslResponder {
        OpensslResponder::start_at(None)
    }

    /// Like [`OpensslResponder::start`], with the responder's clock frozen at `frozen` (UTC)
    /// by faketime, so its answers fit the tests' evaluation instant.
    fn start_at(frozen: Option<&str>) -> OpensslResponder {
        for _ in 0..5 {
            let port = closed_port().to_string();
            let mut command = Command::new("openssl");
            if let Some(when) = frozen {
                // What `faketime -f WHEN openssl ...` sets up, without the faketime process in
                // between: that one would leave openssl running when it is killed. The loader
                // expands $LIB to this machine's library directory.
                command
                    .env("LD_PRELOAD", "/usr/$LIB/faketime/libfaketime.so.1")
                    .env("FAKETIME", when)
                    .env("TZ", "UTC");
            }
            let mut child = command
                .current_dir(ocsp_dir())
                .args(["ocsp", "-index", "index.txt", "-port", &port])
                .args(["-rsigner", "responder.pem", "-rkey", "responder.key"])
                .args([
                    "-CA",
                    "../ca/intermediate.pem",
                    "-nrequest",
                    "100",
                    "-ndays",
                    "1",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("openssl is needed for the OCSP responder");
            // It prints "ACCEPT ..." once listening, and exits if it cannot bind. (A probe
            // connection would not do: an empty connection upsets its next answer.)
            let stdout = child.stdout.take().expect("stdout");
            let (sender, listening) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let accepted = BufReader::new(stdout)
                    .lines()
                    .map_while(Result::ok)
                    .any(|line| line.starts_with("ACCEPT"));
                let _ = sender.send(accepted);
            });
            let responder = OpensslResponder {
                child,
                url: format!("http://127.0.0.1:{port}/"),
            };
            if listening.recv_timeout(Duration::from_secs(10)) == Ok(true) {
                return responder;
            }
        }
        panic!("openssl ocsp did not start listening");
    }
}

#[test]
fn a_real_responder_answers_good_and_revoked_through_the_fetcher() {
    if !require(&["openssl"]) {
        return;
    }
    let responder = OpensslResponder::start();
    // openssl stamps its answers with the real clock, so they are judged at the real time.
    let now = OffsetDateTime::now_utc();
    let good = ask(&responder.url, &leaf("good"), 10, now).expect("good answer");
    assert_eq!(good.status, CertStatus::Good);
    assert_eq!(
        good.signed_by,
        Some(Signer::Delegated {
            subject: DELEGATE.into()
        })
    );
    assert!(
        !good.problems.iter().any(|p| matches!(
            p,
            OcspProblem::BadSignature | OcspProblem::WrongCertificate { .. }
        )),
        "{:?}",
        good.problems
    );
    let revoked = ask(&responder.url, &leaf("revoked"), 10, now).expect("revoked answer");
    assert_eq!(
        revoked.status,
        CertStatus::Revoked {
            time: datetime!(2026-03-01 0:00 UTC),
            reason: Some("keyCompromise")
        }
    );
    let unknown = ask(&responder.url, &leaf("must-staple"), 10, now).expect("unknown answer");
    assert_eq!(unknown.status, CertStatus::Unknown);
    // A responder that moved: the redirect repeats the POST.
    let target: &'static str = Box::leak(responder.url.clone().into_boxed_str());
    let moved = common::http::http_server(vec![("/moved", Reply::Redirect(target))]);
    let url = format!("http://{}/moved", moved.target());
    let report = ask(&url, &leaf("revoked"), 10, now).expect("redirected answer");
    assert!(
        matches!(report.status, CertStatus::Revoked { .. }),
        "{:?}",
        report.status
    );
}

#[test]
fn a_responder_answering_10_mb_is_cut_off_at_64_kib_quickly() {
    for announced in [true, false] {
        let server = common::http::http_server(vec![("/ocsp", Reply::Endless { announced })]);
        let url = format!("http://{}/ocsp", server.target());
        let started = Instant::now();
        let error = ask(&url, &leaf("good"), 10, NOW).expect_err("too large");
        assert!(
            matches!(
                &error,
                QueryError::Fetch {
                    error: FetchError::LargerThan(65536),
                    ..
                }
            ),
            "announced {announced}: {error:?}"
        );
        assert!(error.to_string().contains("64 KiB"), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }
}

#[test]
fn an_html_page_is_not_an_ocsp_response() {
    let server = Server::raw(|mut stream| async move {
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await;
        let page = "<!DOCTYPE html><html><body>Welcome to the captive portal</body></html>";
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    });
    let url = format!("http://{}/", server.target());
    let error = ask(&url, &leaf("good"), 10, NOW).expect_err("not OCSP");
    let QueryError::NotOcsp {
        content_type,
        detail,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(content_type.as_deref(), Some("text/html"));
    assert!(detail.contains("HTML page"), "{detail}");
    assert!(
        error
            .to_string()
            .contains("did not answer with an OCSP response"),
        "{error}"
    );
}

#[test]
fn a_failing_or_silent_responder_is_a_fetch_error_within_the_deadline() {
    let server = common::http::http_server(vec![
        ("/broken", Reply::Status(500)),
        ("/silent", Reply::Silent),
    ]);
    let base = format!("http://{}", server.target());
    let error = ask(&format!("{base}/broken"), &leaf("good"), 10, NOW).expect_err("500");
    assert!(
        matches!(
            error,
            QueryError::Fetch {
                error: FetchError::Status(500),
                ..
            }
        ),
        "{error:?}"
    );
    let started = Instant::now();
    let error = ask(&format!("{base}/silent"), &leaf("good"), 1, NOW).expect_err("silent");
    assert!(
        matches!(
            error,
            QueryError::Fetch {
                error: FetchError::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

// ---- `tlsdoctor check`: staples, must-staple and --revocation ocsp --------------------------

/// An OCSP fixture chain (leaf then intermediate) and its key.
fn ocsp_chain(
    name: &str,
) -> (
    Vec<CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    use rustls::pki_types::PrivateKeyDer;
    let chain = CertificateDer::pem_file_iter(ocsp_dir().join(format!("{name}.pem")))
        .expect("fixture PEM")
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM");
    let key = PrivateKeyDer::from_pem_file(ocsp_dir().join(format!("{name}.key"))).expect("key");
    (chain, key)
}

/// A TLS server presenting OCSP fixture chain `name`, stapling `staple` if given.
fn stapling_server(name: &str, staple: Option<&str>) -> Server {
    let (chain, key) = ocsp_chain(name);
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let signing_key = provider.key_provider.load_private_key(key).expect("key");
    let mut certified = rustls::sign::CertifiedKey::new(chain, signing_key);
    certified.ocsp = staple.map(response);
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(std::sync::Arc::new(rustls::sign::SingleCertAndKey::from(
            certified,
        )));
    Server::tls_config(config)
}

#[test]
fn a_good_staple_is_shown_and_the_chain_is_ok() {
    let run = check_live(&stapling_server("good", Some("good")), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.verdict(), "ok");
    let stapled = &run.target()["revocation"]["stapled"]["response"];
    assert_eq!(stapled["status"]["state"], "good");
    assert_eq!(stapled["next_update"], "2026-06-07T00:00:00Z");
    assert_eq!(
        run.target()["revocation"]["queried"],
        serde_json::Value::Null
    );
}

#[test]
fn a_stapled_revoked_response_is_the_revoked_cause() {
    let server = stapling_server("revoked", Some("revoked"));
    let human = check_live(&server, &["--format", "human", "--color", "never"]);
    assert!(
        human
            .stdout
            .contains("stapled      REVOKED at 2026-03-01T00:00:00Z (keyCompromise)")
            && human.stdout.contains("next update 2026-06-07T00:00:00Z"),
        "{}",
        human.stdout
    );
    let run = check_live(&server, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let detail = run.finding("revoked")["detail"].to_string();
    assert!(
        detail.contains("2026-03-01T00:00:00Z") && detail.contains("keyCompromise"),
        "{detail}"
    );
}

#[test]
fn a_stale_staple_is_a_warning_naming_its_next_update() {
    let run = check_live(&stapling_server("good", Some("stale")), &[]);
    assert_eq!(run.verdict(), "warning", "{}", run.stdout);
    let detail = run.finding("ocsp-staple-invalid")["detail"].to_string();
    assert!(detail.contains("stale"), "{detail}");
}

#[test]
fn a_staple_about_another_certificate_is_named() {
    let run = check_live(&stapling_server("good", Some("revoked")), &[]);
    assert!(!run.has("revoked"), "{}", run.stdout);
    let detail = run.finding("ocsp-staple-invalid")["detail"].to_string();
    assert!(detail.contains("0ce5a002"), "{detail}");
}

#[test]
fn a_must_staple_leaf_without_a_staple_is_an_error() {
    let run = check_live(&stapling_server("must-staple", None), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.target()["revocation"]["must_staple"] == true);
    let detail = run.finding("must-staple-missing")["detail"].to_string();
    assert!(detail.contains("sent none"), "{detail}");
    // The same certificate in a file is not a connection: nothing could be stapled.
    let file = ocsp_dir().join("must-staple.pem").display().to_string();
    assert!(!check_path(&file, &[]).has("must-staple-missing"));
}

#[test]
fn asking_the_responder_names_a_revoked_certificate_in_a_file() {
    let server = common::http::http_server(vec![("/ocsp", Reply::Body(response("revoked")))]);
    let url = format!("http://{}/ocsp", server.target());
    let file = ocsp_dir().join("revoked.pem").display().to_string();
    let run = check_path(&file, &["--revocation", "ocsp", "--ocsp-url", &url]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.finding("revoked")["detail"].to_string().contains(&url));
    assert_eq!(run.target()["revocation"]["queried"]["url"], url.as_str());
    // --no-fetch keeps the responder unasked.
    let run = check_path(&file, &["--ocsp-url", &url, "--no-fetch"]);
    assert!(!run.has("revoked"), "{}", run.stdout);
    assert_eq!(
        run.target()["revocation"]["queried"],
        serde_json::Value::Null
    );
}

#[test]
fn an_unusable_responder_is_revocation_unknown_never_ok_nor_a_failure() {
    let server = common::http::http_server(vec![
        (
            "/html",
            Reply::Body(b"<html><body>Access denied</body></html>".to_vec()),
        ),
        ("/huge", Reply::Endless { announced: false }),
        ("/silent", Reply::Silent),
    ]);
    let file = ocsp_dir().join("good.pem").display().to_string();
    for path in ["/html", "/huge", "/silent"] {
        let url = format!("http://{}{path}", server.target());
        let started = Instant::now();
        let run = check_path(&file, &["--ocsp-url", &url, "--timeout", "3"]);
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{path}: {:?}",
            started.elapsed()
        );
        assert_eq!(run.verdict(), "warning", "{path}: {}", run.stdout);
        assert_eq!(run.code, 0, "{path}: warnings do not fail by default");
        let detail = run.finding("revocation-unknown")["detail"].to_string();
        assert!(detail.contains(&url), "{path}: {detail}");
    }
}

#[test]
fn the_real_openssl_responder_answers_the_check_for_good_and_revoked_leaves() {
    if !require(&["openssl", "faketime"]) {
        return;
    }
    // The responder stamps answers with its clock: frozen at the day before the tests' instant.
    let responder = OpensslResponder::start_at(Some("2026-05-31 12:00:00"));
    for (name, revoked) in [("good", false), ("revoked", true)] {
        let run = check_live(
            &stapling_server(name, None),
            &["--revocation", "ocsp", "--ocsp-url", &responder.url],
        );
        assert_eq!(run.has("revoked"), revoked, "{name}: {}", run.stdout);
        let queried = &run.target()["revocation"]["queried"]["response"];
        let state = if revoked { "revoked" } else { "good" };
        assert_eq!(queried["status"]["state"], state, "{name}: {}", run.stdout);
        assert!(!run.has("revocation-unknown"), "{name}: {}", run.stdout);
    }
}
