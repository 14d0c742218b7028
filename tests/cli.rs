//! The command line's contract: exit codes, errors on stderr, colour, and the documented JSON.

mod common;
use common::programs::{program, require};
use common::*;

#[test]
fn bad_invocations_exit_2_with_a_message() {
    for args in [
        vec!["check"],
        vec!["check", "--no-such-flag", "example.com"],
        vec!["check", "example.com", "--file", "x.pem"],
        vec!["check", "exa mple.com"],
        vec!["check", "gopher://example.com"],
        vec!["check", "example.com:0"],
        vec!["check", "example.com", "--at", "someday"],
        vec!["check", "example.com", "--timeout", "0"],
        vec!["check", "example.com", "--servername", "bad name"],
    ] {
        let run = tlsdoctor(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.is_empty(),
            "{args:?} printed data: {}",
            run.stdout
        );
        assert!(!run.stderr.trim().is_empty(), "{args:?} said nothing");
    }
}

#[test]
fn unreadable_input_files_exit_2_with_one_line() {
    let dir = std::env::temp_dir().join(format!("tlsdoctor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").expect("write");
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, b"\x00\x01 not a certificate").expect("write");
    let missing = dir.join("missing.pem");
    let cases = [
        (
            vec!["check", "--file", missing.to_str().unwrap_or_default()],
            "cannot read",
        ),
        (
            vec!["check", "--file", empty.to_str().unwrap_or_default()],
            "is empty",
        ),
        (
            vec!["check", "--file", junk.to_str().unwrap_or_default()],
            "neither PEM nor DER",
        ),
        (
            vec!["check", "--file", dir.to_str().unwrap_or_default()],
            "directory",
        ),
        (
            vec![
                "check",
                "example.com",
                "--ca-file",
                missing.to_str().unwrap_or_default(),
            ],
            "cannot read",
        ),
    ];
    for (args, says) in cases {
        let run = tlsdoctor(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let run = tlsdoctor(&["check", "--help"]);
    assert_eq!(run.code, 0);
    for needle in [
        "Exit codes",
        "unreachable",
        "--servername",
        "--file fullchain.pem --host",
    ] {
        assert!(run.stdout.contains(needle), "help lacks {needle:?}");
    }
}

#[test]
fn human_output_shows_the_chain_the_findings_and_the_fix() {
    let file = chain_path("leaf-only").display().to_string();
    let root = root_ca();
    let run = tlsdoctor(&[
        "check",
        "--file",
        &file,
        "--host",
        "ok.test",
        "--ca-file",
        &root,
        "--at",
        AT,
        "--color",
        "never",
    ]);
    assert_eq!(run.code, 1);
    for needle in [
        "Chain as sent (1 certificate;",
        "[0] leaf",
        "CN=ok.test",
        "until 2027-01-01, 214 days left",
        "missing-intermediate",
        "fix: Serve the full chain",
        "Verdict: ERROR",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains('\u{1b}'), "colour with --color never");
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
}

#[test]
fn colour_follows_the_flag_and_a_pipe_gets_none() {
    let file = chain_path("good").display().to_string();
    let base = ["check", "--file", file.as_str(), "--at", AT];
    let always = tlsdoctor(&[&base[..], &["--color", "always"]].concat());
    assert!(
        always.stdout.contains('\u{1b}'),
        "--color always must colour"
    );
    let piped = tlsdoctor(&base);
    assert!(
        !piped.stdout.contains('\u{1b}'),
        "auto must not colour a pipe"
    );
}

#[test]
fn on_a_terminal_colour_is_on_unless_no_color() {
    // `script` provides the terminal.
    if !require(&["script"]) {
        return;
    }
    let file = chain_path("good").display().to_string();
    let base = ["check", "--file", file.as_str(), "--at", AT];
    let command = format!("{} {}", env!("CARGO_BIN_EXE_tlsdoctor"), base.join(" "));
    let on_tty = |no_color: bool| {
        let mut cmd = std::process::Command::new(program("script"));
        cmd.args(["-qec", &command, "/dev/null"])
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().expect("script").stdout).into_owned()
    };
    assert!(
        on_tty(false).contains('\u{1b}'),
        "auto on a terminal must colour"
    );
    assert!(
        !on_tty(true).contains('\u{1b}'),
        "NO_COLOR must turn colour off"
    );
}

#[test]
fn json_is_one_versioned_document_and_errors_stay_on_stderr() {
    let run = check_file("leaf-only", &[]);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["targets"].as_array().map(Vec::len), Some(1));
    let target = &doc["targets"][0];
    for field in [
        "target",
        "verdict",
        "chain",
        "findings",
        "trust",
        "checked_at",
        "name",
        "source",
    ] {
        assert!(!target[field].is_null(), "target lacks {field}");
    }
    let finding = &target["findings"][0];
    for field in [
        "cause",
        "severity",
        "side",
        "cert_index",
        "title",
        "detail",
        "explanation",
        "fix",
    ] {
        assert!(finding.get(field).is_some(), "finding lacks {field}");
    }
    assert!(run.stderr.is_empty());
}

/// Every key the JSON output can carry is documented in docs/json-schema.md.
#[test]
fn every_json_field_is_documented() {
    let server = Server::tls("good");
    for run in [
        check_live(&server, &[]),
        check_file("unparseable", &[]),
        tlsdoctor(&[
            "check",
            &format!("127.0.0.1:{}", closed_port()),
            "--format",
            "json",
        ]),
    ] {
        assert_documented(&run.json());
    }
}

#[test]
fn completions_for_every_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = tlsdoctor(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for command in ["check", "explain", "trust", "causes"] {
            assert!(
                run.stdout.contains(command),
                "{shell} completions lack {command}"
            );
        }
    }
    let run = tlsdoctor(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "an unknown shell is a bad invocation");
}

#[test]
fn bash_accepts_the_bash_completion_script() {
    if !require(&["bash"]) {
        return;
    }
    let scratch = Scratch::new("completions");
    let script = scratch.file(
        "tlsdoctor.bash",
        tlsdoctor(&["completions", "bash"]).stdout.as_bytes(),
    );
    let syntax = std::process::Command::new(program("bash"))
        .args(["-n", &script])
        .output()
        .expect("bash");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
}

#[test]
fn the_man_page_names_the_tool_and_documents_the_check_options() {
    let run = tlsdoctor(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for section in [
        ".TH tlsdoctor 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        "CHECK OPTIONS",
        "EXIT STATUS",
    ] {
        assert!(run.stdout.contains(section), "no {section:?} in the roff");
    }
    if !require(&["groff"]) {
        return;
    }
    let scratch = Scratch::new("man");
    let page = scratch.file("tlsdoctor.1", run.stdout.as_bytes());
    // Plain text: no SGR escapes (-c), no overstriking (-b -o -u).
    let rendered = std::process::Command::new(program("groff"))
        .args([
            "-man", "-Tutf8", "-ww", "-P-c", "-P-b", "-P-o", "-P-u", &page,
        ])
        .output()
        .expect("groff");
    assert!(rendered.status.success());
    assert!(
        rendered.stderr.is_empty(),
        "groff warns: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    // groff prints roff's `\-` as a minus sign; read it back as the dash people type.
    let text = String::from_utf8_lossy(&rendered.stdout).replace(['\u{2212}', '\u{2010}'], "-");
    for needle in [
        "NAME",
        "tlsdoctor - Tells you why a TLS connection fails",
        "--servername",
        "--ca-file",
        "--fix-chain",
        "--key",
        "key-mismatch",
    ] {
        assert!(text.contains(needle), "no {needle:?} in the page:\n{text}");
    }
}

/// `tlsdoctor schema check|explain` prints the shipped schema file, and it is a valid draft
/// 2020-12 schema, so a script can validate what it reads with the binary it runs.
#[test]
fn schema_command_prints_the_shipped_schemas() {
    for (output, file) in [
        ("check", "check.schema.json"),
        ("explain", "explain.schema.json"),
    ] {
        let run = tlsdoctor(&["schema", output]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let printed: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("schema {output} is not JSON ({e})"));
        assert_eq!(
            printed,
            schema::shipped(file),
            "schema {output} != schema/{file}"
        );
        assert_eq!(
            printed["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        jsonschema::meta::validate(&printed)
            .unwrap_or_else(|e| panic!("schema/{file} is not a valid JSON Schema: {e}"));
    }
}

/// The schema is strict: an output with a field it does not know, a verdict outside the enum
/// or a malformed cause id fails, so drift between the output and the schema cannot pass.
#[test]
fn schema_rejects_drifted_output() {
    let run = check_file("leaf-only", &[]);
    let good = run.json();
    let validator =
        jsonschema::draft202012::new(&schema::shipped("check.schema.json")).expect("check schema");
    assert!(validator.is_valid(&good), "{}", run.stdout);
    let mut extra_field = good.clone();
    extra_field["targets"][0]["chain"][0]["colour"] = "blue".into();
    let mut verdict = good.clone();
    verdict["targets"][0]["verdict"] = "fine".into();
    let mut cause = good.clone();
    cause["targets"][0]["findings"][0]["cause"] = "Missing_Intermediate".into();
    let mut missing = good.clone();
    if let Some(finding) = missing["targets"][0]["findings"][0].as_object_mut() {
        finding.remove("side");
    }
    for (what, drifted) in [
        ("an unknown field", extra_field),
        ("an unknown verdict", verdict),
        ("a malformed cause id", cause),
        ("a missing field", missing),
    ] {
        assert!(!validator.is_valid(&drifted), "{what} passed the schema");
    }
}
