//! Files as people really have them, and files nobody should pass: each is either diagnosed or
//! refused with one line on stderr and exit code 2. Never a panic, never a hang.

mod common;
use common::programs::require;
use common::*;
use std::time::{Duration, Instant};

/// A refusal: exit 2, nothing on stdout, one line on stderr that contains `says`.
fn assert_refused(run: &Run, says: &str) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let message = run.stderr.trim_end();
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(message.contains(says), "{message:?} should say {says:?}");
    assert!(!message.contains("panicked"), "{message}");
}

/// A good chain read from this file: verdict ok.
fn assert_diagnosed(file: &str) -> Run {
    let run = check_path(file, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.verdict(), "ok");
    assert_eq!(run.target()["chain"].as_array().map(Vec::len), Some(2));
    run
}

fn good_pem() -> Vec<u8> {
    std::fs::read(chain_path("good")).expect("fixture")
}

#[test]
fn pem_with_crlf_line_endings_or_a_byte_order_mark_is_read() {
    let scratch = Scratch::new("files-pem");
    let crlf = String::from_utf8(good_pem())
        .expect("ascii")
        .replace('\n', "\r\n");
    assert_diagnosed(&scratch.file("crlf.pem", crlf.as_bytes()));
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(&good_pem());
    assert_diagnosed(&scratch.file("bom.pem", &bom));
}

#[test]
fn a_private_key_next_to_the_certificates_is_skipped_and_never_printed() {
    let scratch = Scratch::new("files-key");
    let key = std::fs::read_to_string(fixtures().join("chains/good.key")).expect("key");
    let mut bundle = key.clone().into_bytes();
    bundle.extend_from_slice(&good_pem());
    let file = scratch.file("with-key.pem", &bundle);
    let json = assert_diagnosed(&file);
    let human = check_path(&file, &["--format", "human", "--color", "never"]);
    let secret = key.lines().nth(1).expect("a base64 line of the key");
    for output in [&json.stdout, &human.stdout, &json.stderr, &human.stderr] {
        assert!(!output.contains(secret), "the key leaked:\n{output}");
    }
}

#[test]
fn der_bundles_are_read() {
    let scratch = Scratch::new("files-der");
    let der = tlsdoctor::bundle::parse_certificates(&good_pem()).expect("fixture");
    let concatenated: Vec<u8> = der.iter().flat_map(|c| c.to_vec()).collect();
    assert_diagnosed(&scratch.file("chain.der", &concatenated));
}

#[test]
fn pkcs7_bundles_are_read() {
    if !require(&["openssl"]) {
        return;
    }
    let scratch = Scratch::new("files-p7b");
    assert_diagnosed(&scratch.file("chain.p7b", &pkcs7_of(&good_pem())));
}

#[test]
fn empty_and_junk_files_are_refused_in_one_line() {
    let scratch = Scratch::new("files-junk");
    assert_refused(
        &check_path(&scratch.file("empty.pem", b""), &[]),
        "is empty",
    );
    assert_refused(
        &check_path(&scratch.file("blank.pem", b"\n\r\n  \n"), &[]),
        "is empty",
    );
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let run = check_path(&scratch.file("junk.bin", &junk), &[]);
    assert_refused(&run, "junk.bin");
    let text = b"Hello, this is a README, not a certificate.\n";
    assert_refused(
        &check_path(&scratch.file("readme.pem", text), &[]),
        "readme.pem",
    );
    let broken = b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n";
    assert_refused(
        &check_path(&scratch.file("broken.pem", broken), &[]),
        "base64",
    );
}

#[test]
fn a_hundred_megabyte_file_is_refused_before_it_is_read() {
    let scratch = Scratch::new("files-huge");
    let path = scratch.path("huge.pem");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(100 * 1024 * 1024).expect("sparse file");
    let run = check_path(&path, &[]);
    assert_refused(&run, "larger than 16 MiB");
    // The same bound for a device that never ends.
    assert_refused(&check_path("/dev/zero", &[]), "larger than 16 MiB");
}

#[test]
fn a_directory_is_refused() {
    let scratch = Scratch::new("files-dir");
    assert_refused(
        &check_path(&scratch.0.display().to_string(), &[]),
        "is a directory",
    );
}

#[test]
fn a_path_that_cannot_be_opened_is_refused() {
    let scratch = Scratch::new("files-unreadable");
    let looped = scratch.path("loop.pem");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    assert_refused(&check_path(&looped, &[]), "cannot read");
    assert_refused(&check_path(&scratch.path("absent.pem"), &[]), "cannot read");
}

fn mkfifo(path: &str) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_fifo_is_read_when_written_and_refused_when_nobody_writes() {
    let scratch = Scratch::new("files-fifo");
    let fed = scratch.path("fed.pem");
    mkfifo(&fed);
    let writer = {
        let fed = fed.clone();
        std::thread::spawn(move || std::fs::write(fed, good_pem()))
    };
    assert_diagnosed(&fed);
    writer.join().expect("writer").expect("write to fifo");

    // The wait is shortened (the default is 10 s, tlsdoctor::input::PIPE_WAIT): what is
    // protected is the refusal and its message, not the length of the wait.
    let silent = scratch.path("silent.pem");
    mkfifo(&silent);
    let started = Instant::now();
    let root = root_ca();
    let run = tlsdoctor_env(
        &[
            "check",
            "--file",
            &silent,
            "--host",
            "ok.test",
            "--ca-file",
            &root,
            "--at",
            AT,
        ],
        &[(tlsdoctor::input::PIPE_WAIT_ENV, "200")],
    );
    assert_refused(&run, "delivered nothing to read within 200 ms");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn client_keys_and_target_lists_get_the_same_treatment() {
    let scratch = Scratch::new("files-other");
    let cert = fixtures().join("client/client.pem").display().to_string();
    let empty_key = scratch.file("empty.key", b"");
    let run = tlsdoctor(&["check", "127.0.0.1:9", "--cert", &cert, "--key", &empty_key]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);

    let dir = scratch.0.display().to_string();
    let run = tlsdoctor(&["check", "127.0.0.1:9", "--cert", &dir, "--key", &empty_key]);
    assert_refused(&run, "is a directory");

    let huge = scratch.path("targets.txt");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(64 * 1024 * 1024))
        .expect("sparse targets file");
    assert_refused(
        &tlsdoctor(&["check", "--targets", &huge]),
        "larger than 16 MiB",
    );
    let junk = scratch.file("junk.txt", &[0xff, 0xfe, 0x00, b'\n', 0x80, b':', b'9']);
    let run = tlsdoctor(&["check", "--targets", &junk]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn a_chain_longer_than_the_limit_is_examined_in_part_and_says_so() {
    let scratch = Scratch::new("files-long");
    let mut pem = good_pem();
    for cert in hostile::filler_certificates(998) {
        pem.extend_from_slice(tlsdoctor::bundle::to_pem(&cert).as_bytes());
    }
    let run = check_path(&scratch.file("long.pem", &pem), &[]);
    assert_ne!(run.verdict(), "ok", "part of the chain went unexamined");
    let limit = run.finding("limit-reached");
    let detail = limit["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("1000 certificates") && detail.contains("first 32"),
        "{detail}"
    );
    assert!(run.has("chain-too-large"), "{:?}", run.causes());
    assert_eq!(
        run.target()["chain"].as_array().map(Vec::len),
        Some(tlsdoctor::MAX_CHAIN_CERTS)
    );
}

#[test]
fn a_chain_of_eleven_is_fine_for_most_clients_but_not_for_java() {
    let scratch = Scratch::new("files-eleven");
    let mut pem = good_pem();
    for cert in hostile::filler_certificates(9) {
        pem.extend_from_slice(tlsdoctor::bundle::to_pem(&cert).as_bytes());
    }
    let run = check_path(&scratch.file("eleven.pem", &pem), &[]);
    assert!(
        run.finding("long-chain")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("11 certificates")
    );
    assert!(!run.has("limit-reached"));
}
