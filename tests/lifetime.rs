//! "Safari refuses our ten-year internal certificate, everything else takes it": Apple platforms
//! cap a server certificate's validity at 825 days under any root, Chrome and Safari at 398 days
//! under public roots. The report names the cap and the clients it breaks, and judges each
//! client by its own policy.

mod common;
use common::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tlsdoctor::checks::lifetime::{self, Policy};

/// A private root and a leaf for ok.test valid from `not_before` for `days`, checked at
/// `not_before` + 30 days against that root, for the clients that differ.
fn check_lifetime(not_before: OffsetDateTime, days: i64, label: &str) -> Run {
    let pki = pki::NamedPki::with(
        "Lifetime Test Root",
        "ok.test",
        |root| {
            root.not_before = datetime!(2010-01-01 0:00 UTC);
            root.not_after = datetime!(2040-01-01 0:00 UTC);
        },
        |leaf| {
            leaf.not_before = not_before;
            leaf.not_after = not_before + Duration::days(days);
        },
    );
    let scratch = Scratch::new(label);
    let chain = scratch.file("chain.pem", tlsdoctor::bundle::to_pem(&pki.leaf).as_bytes());
    let root = scratch.file("root.pem", tlsdoctor::bundle::to_pem(&pki.root).as_bytes());
    let at = (not_before + Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time");
    check_path(
        &chain,
        &[
            "--ca-file",
            &root,
            "--at",
            &at,
            "--clients",
            "safari,chrome,firefox,openssl-3.0,go-1.22,java-17",
        ],
    )
}

#[test]
fn a_ten_year_private_certificate_fails_on_apple_platforms_only() {
    let run = check_lifetime(datetime!(2026-01-01 0:00 UTC), 3650, "lifetime-ten-years");
    let finding = run.finding("validity-too-long");
    assert_eq!(finding["cert_index"], 0);
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("3650 days") && detail.contains("825 days") && detail.contains("Safari"),
        "{detail}"
    );
    assert_eq!(run.client_outcome("safari"), "fail", "{}", run.stdout);
    // Chrome's limit binds publicly trusted chains only; the others set none.
    for id in ["chrome", "firefox", "openssl-3.0", "go-1.22", "java-17"] {
        assert_eq!(run.client_outcome(id), "ok", "{id}: {}", run.stdout);
    }
    assert_eq!(run.verdict(), "error", "{}", run.stdout);
}

#[test]
fn an_825_day_private_certificate_passes_everywhere() {
    let run = check_lifetime(datetime!(2026-01-01 0:00 UTC), 825, "lifetime-825");
    assert!(!run.has("validity-too-long"), "{:?}", run.causes());
    assert_eq!(run.client_outcome("safari"), "ok", "{}", run.stdout);
    assert_eq!(run.verdict(), "ok", "{}", run.stdout);
}

#[test]
fn a_long_private_certificate_issued_before_apples_rule_is_not_named() {
    // Apple's 825-day rule binds certificates issued after 2019-07-01.
    let run = check_lifetime(datetime!(2019-01-01 0:00 UTC), 3650, "lifetime-2019");
    assert!(!run.has("validity-too-long"), "{:?}", run.causes());
    assert_eq!(run.client_outcome("safari"), "ok", "{}", run.stdout);
}

/// The facts of a leaf valid from `not_before` for `days`.
fn leaf(not_before: OffsetDateTime, days: i64) -> tlsdoctor::chain::CertFacts {
    let pki = pki::NamedPki::with(
        "Lifetime Test Root",
        "ok.test",
        |_| {},
        |leaf| {
            leaf.not_before = not_before;
            leaf.not_after = not_before + Duration::days(days);
        },
    );
    let chain = tlsdoctor::chain::Chain::from_der(vec![pki.leaf]);
    chain.certs[0].facts().expect("facts").clone()
}

#[test]
fn under_a_public_root_chrome_and_apple_allow_398_days_since_september_2020() {
    let issued = datetime!(2021-03-01 0:00 UTC);
    for (days, refused) in [(398, false), (399, true)] {
        let facts = leaf(issued, days);
        for policy in [Policy::Chromium, Policy::Apple] {
            assert_eq!(
                lifetime::broken(policy, &facts, true).is_some(),
                refused,
                "{policy:?}, {days} days"
            );
        }
        assert!(lifetime::broken(Policy::None, &facts, true).is_none());
        // Under a root the user installed, 399 days break nothing.
        assert!(lifetime::broken(Policy::Chromium, &facts, false).is_none());
        assert!(lifetime::broken(Policy::Apple, &facts, false).is_none());
    }
}

#[test]
fn chrome_applies_the_limit_of_the_day_a_public_certificate_was_issued() {
    // 2019: 825 days; 2016: 39 months (1,188 days in Chromium's count).
    let facts = leaf(datetime!(2019-01-01 0:00 UTC), 800);
    assert!(lifetime::broken(Policy::Chromium, &facts, true).is_none());
    let facts = leaf(datetime!(2019-01-01 0:00 UTC), 826);
    let limit = lifetime::broken(Policy::Chromium, &facts, true).expect("825 days");
    assert!(limit.rule.contains("825 days"), "{}", limit.rule);
    let facts = leaf(datetime!(2016-01-01 0:00 UTC), 1188);
    assert!(lifetime::broken(Policy::Chromium, &facts, true).is_none());
    let facts = leaf(datetime!(2016-01-01 0:00 UTC), 1189);
    let limit = lifetime::broken(Policy::Chromium, &facts, true).expect("39 months");
    assert!(limit.rule.contains("39 months"), "{}", limit.rule);
}

#[test]
fn chrome_applies_the_ca_browser_forums_shrinking_limits_to_public_certificates() {
    // SC-081: 200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15, by issuance.
    for (issued, max) in [
        (datetime!(2026-03-15 0:00 UTC), 200),
        (datetime!(2027-03-15 0:00 UTC), 100),
        (datetime!(2029-03-15 0:00 UTC), 47),
    ] {
        assert!(lifetime::broken(Policy::Chromium, &leaf(issued, max), true).is_none());
        let limit = lifetime::broken(Policy::Chromium, &leaf(issued, max + 1), true)
            .unwrap_or_else(|| panic!("{max} days"));
        assert!(
            limit.rule.contains(&format!("{max} days")),
            "{}",
            limit.rule
        );
        // A root the user installed is exempt, and the other clients set no such limit.
        assert!(lifetime::broken(Policy::Chromium, &leaf(issued, max + 1), false).is_none());
        assert!(lifetime::broken(Policy::None, &leaf(issued, max + 1), true).is_none());
    }
    // The day before a step, the longer limit still holds.
    let facts = leaf(datetime!(2026-03-14 23:59:59 UTC), 398);
    assert!(lifetime::broken(Policy::Chromium, &facts, true).is_none());
}

#[test]
fn a_private_certificate_of_a_year_is_not_held_to_the_public_schedule() {
    // 365 days issued in 2027 breaks Chrome's 100-day limit only under a public root.
    let run = check_lifetime(datetime!(2027-06-01 0:00 UTC), 365, "lifetime-2027-private");
    assert!(!run.has("validity-too-long"), "{:?}", run.causes());
    assert_eq!(run.client_outcome("chrome"), "ok", "{}", run.stdout);
}

#[test]
fn a_public_certificate_issued_in_june_2026_for_a_year_is_refused_for_its_lifetime_by_chrome_alone()
{
    // 365 days is within Apple's 398 but over the 200 days Chrome allows since 2026-03-15.
    let issued = datetime!(2026-06-01 0:00 UTC);
    let pki = pki::NamedPki::with(
        "Public Lifetime Root",
        "ok.test",
        |root| {
            root.not_before = datetime!(2010-01-01 0:00 UTC);
            root.not_after = datetime!(2040-01-01 0:00 UTC);
        },
        |leaf| {
            leaf.not_before = issued;
            leaf.not_after = issued + Duration::days(365);
        },
    );
    let report = pki::check_as_public(
        &pki,
        "ok.test",
        issued + Duration::days(30),
        "chrome,safari,firefox,java-17",
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.cause == "validity-too-long")
        .unwrap_or_else(|| panic!("no validity-too-long: {:?}", report.findings));
    assert!(
        finding.detail.contains("200 days") && finding.detail.contains("publicly trusted"),
        "{}",
        finding.detail
    );
    let (chrome, causes) = pki::client_outcome(&report, "chrome");
    assert_eq!(chrome, "fail");
    assert!(causes.contains(&"validity-too-long"), "{causes:?}");
    // The browsers also want CT proof a test CA cannot give; the lifetime is Chrome's alone.
    for id in ["safari", "firefox", "java-17"] {
        let (_, causes) = pki::client_outcome(&report, id);
        assert!(!causes.contains(&"validity-too-long"), "{id}: {causes:?}");
    }
    assert_eq!(pki::client_outcome(&report, "java-17").0, "ok");
}
