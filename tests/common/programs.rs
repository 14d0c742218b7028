//! The outside programs some tests drive (nginx, openssl, PostgreSQL ...), found in one place.
//!
//! `cargo test` must pass on a machine with nothing but Rust: a test whose program is missing
//! says so on one line and returns. CI sets `TLSDOCTOR_E2E=all`, and then a missing program
//! fails the test instead, so the full suite can never shrink unnoticed.

use std::io::Write;
use std::path::PathBuf;

/// With this variable set to `all`, a missing program fails the test instead of skipping it.
pub const E2E_ENV: &str = "TLSDOCTOR_E2E";

/// Each program a test may need, and the Debian package that brings it.
const PACKAGES: &[(&str, &str)] = &[
    ("nginx", "nginx"),
    ("openssl", "openssl"),
    ("tinyproxy", "tinyproxy"),
    ("initdb", "postgresql"),
    ("postgres", "postgresql"),
    ("faketime", "faketime"),
    ("promtool", "prometheus"),
    ("keytool", "default-jre-headless"),
    ("zstd", "zstd"),
    ("groff", "groff-base"),
    ("bash", "bash"),
    ("script", "bsdutils"),
];

/// Where `program` is installed: on PATH, in the sbin directories (nginx lives there and they
/// are often not on a user's PATH), or where Debian's postgresql package puts its server
/// programs (the newest version first). Only an executable regular file counts.
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut postgres: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| {
            versions
                .filter_map(Result::ok)
                .map(|version| version.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    postgres.sort();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into(), "/sbin".into()])
        .chain(postgres.into_iter().rev())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The path of a program that [`require`] found, for starting it.
pub fn program(name: &str) -> PathBuf {
    find(name).unwrap_or_else(|| panic!("{name} is not installed: call require() first"))
}

/// Whether every program is installed. When one is not, prints one line naming the test, the
/// programs and the packages to install, and returns false: the test returns without running.
/// With `TLSDOCTOR_E2E=all` the same line fails the test instead.
pub fn require(programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| find(p).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let mut packages: Vec<&str> = missing
        .iter()
        .map(|p| {
            PACKAGES
                .iter()
                .find(|(program, _)| program == p)
                .map_or(*p, |(_, package)| package)
        })
        .collect();
    packages.sort_unstable();
    packages.dedup();
    skip(
        &format!("{} not installed", missing.join(", ")),
        &format!("install: apt-get install {}", packages.join(" ")),
    );
    false
}

/// Prints `SKIPPED (why): test — hint` where the person running `cargo test` sees it, or,
/// under `TLSDOCTOR_E2E=all`, fails the test with it. For requirements that are not a program
/// too (the x509-limbo suite).
pub fn skip(why: &str, hint: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    let what = format!("({why}): {test} — {hint}");
    if std::env::var(E2E_ENV).is_ok_and(|v| v == "all") {
        panic!("NOT RUN {what}; {E2E_ENV}=all allows no skipping");
    }
    let line = format!("SKIPPED {what}");
    // Straight to the process's stderr: the test harness captures eprintln!, and would show the
    // line only for a failing test.
    let _ = writeln!(std::io::stderr(), "{line}");
}
