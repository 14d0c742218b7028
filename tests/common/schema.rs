//! Every JSON output a test produces is validated against the shipped schema (schema/), so a
//! field added, renamed or retyped without the schema fails the test that produced it.

use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// Which shipped schema an output follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// `check --format json`: one document.
    CheckJson,
    /// `check --format jsonl`: one target object per line.
    CheckJsonl,
    /// `explain --format json` and `causes --format json`.
    Explain,
    /// `trust --format json`.
    Trust,
}

impl Output {
    /// The JSON output these command-line arguments ask for, if any.
    pub fn of(args: &[&str]) -> Option<Output> {
        let format = args.iter().enumerate().rev().find_map(|(i, arg)| {
            arg.strip_prefix("--format=")
                .or_else(|| (*arg == "--format").then(|| args.get(i + 1).copied())?)
        })?;
        match (args.first().copied()?, format) {
            ("check", "json") => Some(Output::CheckJson),
            ("check", "jsonl") => Some(Output::CheckJsonl),
            ("explain" | "causes", "json") => Some(Output::Explain),
            ("trust", "json") => Some(Output::Trust),
            _ => None,
        }
    }

    fn file(self) -> &'static str {
        match self {
            Output::CheckJson | Output::CheckJsonl => "check.schema.json",
            Output::Explain => "explain.schema.json",
            Output::Trust => "trust.schema.json",
        }
    }
}

/// The shipped schema file, parsed.
pub fn shipped(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("schema file");
    serde_json::from_str(&text).expect("schema file is JSON")
}

fn validator(output: Output) -> &'static jsonschema::Validator {
    static CHECK: OnceLock<jsonschema::Validator> = OnceLock::new();
    static EXPLAIN: OnceLock<jsonschema::Validator> = OnceLock::new();
    static TRUST: OnceLock<jsonschema::Validator> = OnceLock::new();
    let cell = match output {
        Output::CheckJson | Output::CheckJsonl => &CHECK,
        Output::Explain => &EXPLAIN,
        Output::Trust => &TRUST,
    };
    cell.get_or_init(|| {
        jsonschema::draft202012::new(&shipped(output.file()))
            .unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", output.file()))
    })
}

/// Panics, naming every violation, unless `stdout` follows the schema of `output`. Output that
/// is not JSON at all is left to the test, which says what it expected instead.
pub fn assert_valid(output: Output, stdout: &str) {
    let documents: Vec<Value> = match output {
        Output::CheckJsonl => stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
        _ => serde_json::from_str(stdout).into_iter().collect(),
    };
    for document in &documents {
        let errors: Vec<String> = validator(output)
            .iter_errors(document)
            .map(|e| format!("  at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "the output does not follow schema/{}:\n{}\n{}",
            output.file(),
            errors.join("\n"),
            serde_json::to_string_pretty(document).unwrap_or_default()
        );
    }
}
