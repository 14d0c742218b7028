//! A finding's fix speaks to the server that answered: the steps for the server software the
//! target announces, not ten platforms' worth, unless --all-fixes asks for them all.

mod common;
use common::*;

/// The human report of a check against `server`, without colour.
fn human(server: &Server, extra: &[&str]) -> Run {
    let mut args = vec!["--format", "human", "--color", "never", "--no-fetch"];
    args.extend_from_slice(extra);
    check_live(server, &args)
}

fn fix_lines(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            ["nginx:", "Apache:", "HAProxy:", "Envoy:", "certbot:"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect()
}

#[test]
fn nginx_server_header_shows_only_the_nginx_steps_and_how_to_see_all() {
    let server = Server::https("leaf-only", Some("nginx/1.22"));
    let json = check_live(&server, &["--no-fetch"]);
    let software = &json.target()["connection"]["server_software"];
    assert_eq!(software["product"], "nginx", "{}", json.stdout);
    assert_eq!(software["version"], "1.22");
    assert_eq!(software["source"], "http-server-header");
    assert_eq!(software["announced"], "nginx/1.22");
    // JSON keeps every platform's steps: scripts choose for themselves.
    let finding = json.finding("missing-intermediate");
    assert!(fix_step(&finding, "Apache").contains("SSLCertificateFile"));

    let run = human(&server, &[]);
    let out = &run.stdout;
    let steps = fix_lines(out);
    assert_eq!(steps.len(), 1, "only the nginx step: {steps:?}\n{out}");
    assert!(steps[0].contains("nginx: `ssl_certificate"), "{out}");
    assert!(
        out.contains("--all-fixes"),
        "no hint about --all-fixes:\n{out}"
    );
    assert!(
        out.contains("nginx/1.22"),
        "the header line names the server:\n{out}"
    );
}

#[test]
fn unknown_or_silent_server_shows_every_platform() {
    for announced in [Some("tlsdoctor-test-server/0.1"), None] {
        let server = Server::https("leaf-only", announced);
        let json = check_live(&server, &["--no-fetch"]);
        let software = &json.target()["connection"]["server_software"];
        match announced {
            Some(text) => {
                assert!(software["product"].is_null(), "{software}");
                assert_eq!(software["announced"], text);
            }
            None => assert!(software.is_null(), "{software}"),
        }
        let run = human(&server, &[]);
        let steps = fix_lines(&run.stdout);
        assert_eq!(
            steps.len(),
            5,
            "every server's step: {steps:?}\n{}",
            run.stdout
        );
        assert!(!run.stdout.contains("--all-fixes"), "{}", run.stdout);
    }
}

#[test]
fn all_fixes_and_verbose_show_every_platform_for_a_known_server() {
    let server = Server::https("leaf-only", Some("nginx/1.22"));
    for flag in ["--all-fixes", "-v"] {
        let run = human(&server, &[flag]);
        let steps = fix_lines(&run.stdout);
        assert_eq!(steps.len(), 5, "{flag}: {steps:?}\n{}", run.stdout);
        assert!(!run.stdout.contains("more platform"), "{}", run.stdout);
    }
}

#[test]
fn expired_certificate_on_nginx_is_one_short_finding() {
    let server = Server::https("expired-leaf", Some("nginx/1.22.1"));
    let short = human(&server, &[]).stdout;
    let all = human(&server, &["--all-fixes"]).stdout;
    let finding_lines = |report: &str| {
        report
            .lines()
            .skip_while(|l| !l.contains("error   expired"))
            .take_while(|l| !l.is_empty())
            .count()
    };
    assert!(finding_lines(&short) > 0, "{short}");
    assert!(finding_lines(&short) <= 15, "{short}");
    assert!(
        finding_lines(&short) < finding_lines(&all),
        "{short}\n{all}"
    );
    assert!(
        short.contains("4 more platforms with --all-fixes"),
        "{short}"
    );
}
