//! Before deploying: does this private key belong to this chain's leaf? (`check --file chain.pem
//! --key key.pem`). Every fixture chain has its leaf's key beside it, so the key of one chain
//! against another chain's leaf is a mismatch.

mod common;
use common::programs::{program, require};
use common::*;

fn key_path(chain: &str) -> String {
    fixtures()
        .join("chains")
        .join(format!("{chain}.key"))
        .display()
        .to_string()
}

/// The base64 lines of a PEM key: none of them may ever appear in an output.
fn key_body(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("key file")
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && l.len() > 16)
        .map(str::to_string)
        .collect()
}

fn assert_key_not_shown(run: &Run, key: &str) {
    for line in key_body(key) {
        assert!(
            !run.stdout.contains(&line) && !run.stderr.contains(&line),
            "the key was printed"
        );
    }
}

#[test]
fn the_key_of_another_chain_is_key_mismatch_on_the_leaf() {
    let key = key_path("leaf-only");
    let run = check_file("good", &["--key", &key]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.verdict(), "error");
    let finding = run.finding("key-mismatch");
    assert_eq!(finding["cert_index"], 0);
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["side"], "server");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("leaf-only.key") && detail.contains("CN=ok.test"),
        "{detail}"
    );
    assert!(
        finding["fix"]
            .as_str()
            .is_some_and(|f| f.contains("openssl pkey -pubout")),
        "{finding}"
    );
    assert_key_not_shown(&run, &key);

    let human = check_file("good", &["--key", &key, "--format", "human"]);
    assert!(human.stdout.contains("key-mismatch"), "{}", human.stdout);
    assert_key_not_shown(&human, &key);
}

#[test]
fn an_rsa_key_for_an_ec_leaf_is_key_mismatch() {
    let run = check_file("good", &["--key", &key_path("good-rsa")]);
    assert!(run.has("key-mismatch"), "{:?}", run.causes());
}

#[test]
fn the_leafs_own_key_adds_nothing() {
    for chain in ["good", "good-rsa", "good-ed25519"] {
        let run = check_file(chain, &["--key", &key_path(chain)]);
        assert!(!run.has("key-mismatch"), "{chain}: {:?}", run.causes());
        assert_eq!(run.verdict(), "ok", "{chain}: {}", run.stdout);
    }
}

#[test]
fn a_mismatch_does_not_hide_the_chains_own_problems() {
    let run = check_file("leaf-only", &["--key", &key_path("good"), "--no-fetch"]);
    assert!(run.has("key-mismatch"), "{:?}", run.causes());
    assert!(run.has("missing-intermediate"), "{:?}", run.causes());
}

#[test]
fn an_encrypted_key_is_named_encrypted_and_never_printed() {
    if !require(&["openssl"]) {
        return;
    }
    let scratch = Scratch::new("server-key-encrypted");
    let plain = key_path("good");
    // PKCS#8 `ENCRYPTED PRIVATE KEY`, and the traditional form with `Proc-Type: 4,ENCRYPTED`.
    for (name, tool) in [("pkcs8.key", "pkey"), ("traditional.key", "ec")] {
        let out = scratch.path(name);
        let made = std::process::Command::new(program("openssl"))
            .args([tool, "-in", &plain, "-aes256", "-passout", "pass:secret"])
            .args(["-out", &out])
            .output()
            .expect("openssl");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let run = check_file("good", &["--key", &out]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(
            run.stderr.contains("encrypted") && run.stderr.contains("openssl pkey"),
            "{name}: {}",
            run.stderr
        );
        assert_key_not_shown(&run, &out);
    }
}

#[test]
fn key_alone_is_a_bad_invocation() {
    let run = tlsdoctor(&["check", "example.test", "--key", &key_path("good")]);
    assert_eq!(run.code, 2, "--key needs --cert or --file");
}
