//! The bundled root-program data is whole and sourced: every listed root is in roots.pem and
//! hashes to its SHA-256, parses as a CA certificate and is taken as an anchor, every
//! manifest says where and when it was read, and the counts are those recorded.

use std::path::Path;
use tlsdoctor::trust::TrustStore;
use tlsdoctor::trust::programs;
use x509_parser::prelude::*;

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/root-programs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_date(s: &str) -> bool {
    ::time::Date::parse(
        s,
        ::time::macros::format_description!("[year]-[month]-[day]"),
    )
    .is_ok()
}

#[test]
fn every_root_is_present_hashes_to_its_sha256_and_parses() {
    let bundle = data("roots.pem");
    let certs = programs::parse_bundle(&bundle).unwrap();
    let mut named = std::collections::HashSet::new();
    for id in programs::ids() {
        let program = programs::get(id).unwrap().unwrap();
        let manifest = data(&format!("{id}.toml"));
        let count: usize = manifest
            .lines()
            .find_map(|l| l.strip_prefix("count = "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(program.roots.len(), count, "{id}");
        let mut spki = Vec::new();
        for root in &program.roots {
            let der = &certs[&root.sha256];
            assert_eq!(&root.cert, der);
            let (rest, cert) = X509Certificate::from_der(der)
                .unwrap_or_else(|e| panic!("{id} {}: {e}", root.sha256));
            assert!(rest.is_empty(), "{id} {}: trailing bytes", root.sha256);
            // Old version 1 roots (in Java's cacerts) have no basicConstraints to say CA.
            assert!(
                cert.is_ca() || cert.version() == X509Version::V1,
                "{id} {}: not a CA",
                root.sha256
            );
            if !root.constraints.is_empty() {
                spki.push(tlsdoctor::chain::signature::sha256_hex(
                    cert.tbs_certificate.subject_pki.raw,
                ));
            }
            named.insert(root.sha256.clone());
        }
        spki.sort();
        spki.dedup();
        assert_eq!(
            spki, program.constrained_spki,
            "{id}: constrained_spki_sha256"
        );
        // Every root is one webpki takes as an anchor (mozilla's anchors are webpki-roots).
        if program.anchors.is_none() {
            assert_eq!(TrustStore::program(&program).len(), count, "{id}");
        }
    }
    for digest in certs.keys() {
        assert!(
            named.contains(digest),
            "roots.pem holds {digest}, which no manifest names"
        );
    }
}

#[test]
fn the_bundle_comments_name_each_certificate() {
    let bundle = data("roots.pem");
    let mut lines = bundle.lines().peekable();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(digest) = line.strip_prefix("# ").filter(|d| d.len() == 64) else {
            continue;
        };
        let pem: String = lines
            .by_ref()
            .take_while(|l| !l.starts_with("-----END"))
            .collect::<Vec<_>>()
            .join("\n");
        let one = programs::parse_bundle(&format!("{pem}\n-----END CERTIFICATE-----\n")).unwrap();
        assert!(
            one.contains_key(digest),
            "the comment {digest} names another certificate"
        );
        checked += 1;
    }
    assert_eq!(checked, programs::parse_bundle(&bundle).unwrap().len());
}

#[test]
fn every_manifest_says_where_and_when_it_was_read() {
    for id in programs::ids() {
        let p = programs::get(id).unwrap().unwrap();
        assert!(is_date(&p.snapshot), "{id}: snapshot {:?}", p.snapshot);
        assert!(is_date(&p.generated), "{id}: generated {:?}", p.generated);
        for field in [
            &p.name,
            &p.version,
            &p.snapshot_basis,
            &p.package,
            &p.package_version,
            &p.semantics,
        ] {
            assert!(!field.is_empty(), "{id}: an empty field");
        }
        assert!(!p.paths.is_empty(), "{id}: no paths");
        // In-package paths, never a path of the machine that generated the data.
        for path in &p.paths {
            assert!(!path.starts_with('/'), "{id}: absolute path {path}");
        }
    }
}

#[test]
fn constraints_are_well_formed() {
    let mut constrained = 0;
    for id in programs::ids() {
        let p = programs::get(id).unwrap().unwrap();
        for root in &p.roots {
            for c in &root.constraints {
                constrained += 1;
                // Dates after the root programs existed, before the far future.
                for t in [c.distrust_after, c.sct_not_after].into_iter().flatten() {
                    assert!(
                        (2015..2040).contains(&t.year()),
                        "{id} {}: {t}",
                        root.sha256
                    );
                }
                if let (Some(min), Some(max)) = (c.min_version, c.max_version_exclusive) {
                    assert!(min < max, "{id} {}: empty version range", root.sha256);
                }
            }
        }
    }
    assert!(constrained > 20, "only {constrained} constraint sets");
}

#[test]
fn programs_not_bundled_say_why() {
    let listed = programs::not_bundled();
    let ids: Vec<&str> = listed.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["apple", "microsoft", "android"]);
    for p in &listed {
        assert!(!p.reason.is_empty() && !p.export.is_empty(), "{}", p.id);
        assert!(is_date(&p.checked), "{}", p.id);
    }
}

#[test]
fn the_quick_constrained_key_lookup_agrees_with_the_parsed_data() {
    // Checks look a root's key up without parsing the manifests; it must find every root the
    // parsed data constrains, and nothing else.
    for id in programs::ids() {
        let program = programs::get(id)
            .expect("a bundled id")
            .expect("the data parses");
        assert!(!program.constrained_spki.is_empty(), "{id}");
        for spki in &program.constrained_spki {
            assert!(programs::may_constrain(id, spki), "{id}: {spki}");
        }
        assert!(!programs::may_constrain(id, &"0".repeat(64)), "{id}");
    }
}
