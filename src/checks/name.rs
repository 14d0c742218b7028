//! Identity: does the leaf name the host the client connects to?
//!
//! The verdict is webpki's (RFC 6125 matching as rustls clients do it); this module explains
//! it: which names the certificate has, and the near-misses people actually make.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::San;
use rustls::pki_types::ServerName;
use std::net::IpAddr;

/// How many SANs a finding lists before it summarises the rest.
const SANS_SHOWN: usize = 12;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(name) = ctx.name else {
        return vec![Finding::new(
            Cause::NameNotChecked,
            "no host name was given, so the certificate was not matched against one",
        )];
    };
    let Some(leaf) = ctx.chain.leaf().and_then(|c| c.facts()) else {
        return Vec::new();
    };
    let wanted = name_text(name);
    let Some(sans) = &leaf.sans else {
        let cn = leaf.common_name.as_deref().unwrap_or("(none)");
        let matches = leaf
            .common_name
            .as_deref()
            .is_some_and(|cn| cn.eq_ignore_ascii_case(&wanted));
        let note = if matches {
            format!("; the CN matches {wanted}, but browsers, Go and rustls ignore the CN")
        } else {
            String::new()
        };
        return vec![Finding::at(
            Cause::NoSan,
            0,
            format!("the certificate names its host only as CN={cn}{note}"),
        )];
    };
    match &ctx.verification.name {
        Some(Ok(())) => return only_through_public_suffix(name, sans).into_iter().collect(),
        // webpki could not read the leaf at all; that is reported on its own, and says nothing
        // about the names, so match them here.
        Some(Err(e))
            if !matches!(e, webpki::Error::CertNotValidForName(_)) && covers(sans, name) =>
        {
            return only_through_public_suffix(name, sans).into_iter().collect();
        }
        _ => {}
    }
    let listed = list_sans(sans);
    let hint = match name {
        ServerName::IpAddress(ip) => ip_hint(IpAddr::from(*ip), sans),
        _ => dns_hint(&wanted, sans),
    };
    let mut detail = format!("{wanted} is not among the certificate's names: {listed}");
    if let Some(hint) = hint {
        detail.push_str("; ");
        detail.push_str(&hint);
    }
    vec![Finding::at(Cause::HostnameMismatch, 0, detail)]
}

/// RFC 6125 matching, as clients do it: IP addresses against IP entries; DNS names exactly
/// (ignoring case and a trailing dot) or through a wildcard that covers the whole left-most label.
fn covers(sans: &[San], name: &ServerName<'_>) -> bool {
    match name {
        ServerName::IpAddress(ip) => {
            let wanted = IpAddr::from(*ip);
            sans.iter()
                .any(|s| matches!(s, San::Ip(ip) if *ip == wanted))
        }
        _ => {
            let wanted = name_text(name).trim_end_matches('.').to_ascii_lowercase();
            sans.iter().any(|s| {
                let San::Dns(dns) = s else { return false };
                let dns = dns.trim_end_matches('.').to_ascii_lowercase();
                match dns.strip_prefix("*.") {
                    Some(base) => wanted
                        .split_once('.')
                        .is_some_and(|(label, rest)| !label.is_empty() && rest == base),
                    None => dns == wanted,
                }
            })
        }
    }
}

/// The public suffix a wildcard SAN sits directly over, with its section of the Public Suffix
/// List: `*.co.uk` gives `co.uk` (ICANN), `*.s3.amazonaws.com` gives `s3.amazonaws.com`
/// (PRIVATE). `None` when the name is no wildcard or its remainder is not a listed suffix.
pub fn wildcard_over_public_suffix(dns: &str) -> Option<(String, psl::Type)> {
    let base = dns
        .strip_prefix("*.")?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let suffix = psl::suffix(base.as_bytes())?;
    let section = suffix.typ()?;
    (suffix.as_bytes() == base.as_bytes()).then_some((base, section))
}

/// A name that matches only through a wildcard over an ICANN public suffix, which Chrome
/// refuses: it asks the list (ICANN section only) before it lets a wildcard match.
fn only_through_public_suffix(name: &ServerName<'_>, sans: &[San]) -> Option<Finding> {
    if !matches!(name, ServerName::DnsName(_)) {
        return None;
    }
    let mut through = None;
    for san in sans
        .iter()
        .filter(|s| covers(std::slice::from_ref(*s), name))
    {
        let San::Dns(dns) = san else { return None };
        match wildcard_over_public_suffix(dns) {
            Some((suffix, psl::Type::Icann)) => through = Some((dns, suffix)),
            _ => return None,
        }
    }
    let (dns, suffix) = through?;
    Some(Finding::at(
        Cause::WildcardOverPublicSuffix,
        0,
        format!(
            "{} is covered only by {dns}, a wildcard directly over the public suffix {suffix} \
             (ICANN section of the Public Suffix List); Chrome refuses that match",
            name_text(name)
        ),
    ))
}

/// The name as people write it.
pub fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

fn list_sans(sans: &[San]) -> String {
    if sans.is_empty() {
        return "(the SAN extension is empty)".to_string();
    }
    let mut shown: Vec<String> = sans.iter().take(SANS_SHOWN).map(San::to_string).collect();
    if sans.len() > SANS_SHOWN {
        shown.push(format!("and {} more", sans.len() - SANS_SHOWN));
    }
    shown.join(", ")
}

/// Explains the wildcard and apex mistakes.
fn dns_hint(wanted: &str, sans: &[San]) -> Option<String> {
    let wanted = wanted.to_ascii_lowercase();
    for san in sans {
        let San::Dns(dns) = san else { continue };
        let dns = dns.to_ascii_lowercase();
        if let Some(base) = dns.strip_prefix("*.") {
            if wanted == base {
                return Some(format!(
                    "*.{base} does not cover {base} itself: add {base} as its own SAN"
                ));
            }
            if let Some(prefix) = wanted.strip_suffix(&format!(".{base}")) {
                if prefix.contains('.') {
                    return Some(format!(
                        "*.{base} covers exactly one label, and {wanted} has more; add \
                         *.{} or the name itself",
                        wanted.split_once('.').map_or(base, |(_, rest)| rest)
                    ));
                }
            }
        } else if dns.contains('*') {
            return Some(format!(
                "{dns} is a partial-label wildcard, which current clients do not accept"
            ));
        }
        if wanted.strip_prefix("www.") == Some(dns.as_str())
            || dns.strip_prefix("www.") == Some(wanted.as_str())
        {
            return Some(format!(
                "the certificate has {dns} but not {wanted}: www and the bare domain are different names"
            ));
        }
    }
    None
}

/// Explains the IP-address mistakes.
fn ip_hint(wanted: IpAddr, sans: &[San]) -> Option<String> {
    let as_text = wanted.to_string();
    if sans
        .iter()
        .any(|s| matches!(s, San::Dns(d) if d.eq_ignore_ascii_case(&as_text)))
    {
        return Some(format!(
            "{as_text} is listed as a DNS name, but clients only match IP addresses against IP SAN entries"
        ));
    }
    if !sans.iter().any(|s| matches!(s, San::Ip(_))) {
        return Some(format!(
            "the certificate has no IP address SANs: connect by address but check the name clients use \
             with --servername NAME, or add IP:{as_text} to the certificate"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> ServerName<'static> {
        ServerName::try_from(text.to_string()).expect("name")
    }

    #[test]
    fn the_fallback_matcher_follows_the_wildcard_rules() {
        let sans = vec![
            San::Dns("*.example.com".into()),
            San::Dns("Exact.Test".into()),
            San::Ip("192.0.2.1".parse().expect("ip")),
        ];
        assert!(covers(&sans, &name("a.example.com")));
        assert!(!covers(&sans, &name("example.com")), "apex");
        assert!(!covers(&sans, &name("a.b.example.com")), "one label only");
        assert!(covers(&sans, &name("exact.test.")));
        assert!(covers(&sans, &name("192.0.2.1")));
        assert!(!covers(&sans, &name("192.0.2.2")));
    }

    #[test]
    fn a_wildcard_over_a_public_suffix_is_told_by_its_section_of_the_list() {
        let over = |dns: &str| wildcard_over_public_suffix(dns);
        assert_eq!(over("*.co.uk"), Some(("co.uk".into(), psl::Type::Icann)));
        assert_eq!(over("*.COM"), Some(("com".into(), psl::Type::Icann)));
        assert_eq!(
            over("*.s3.amazonaws.com"),
            Some(("s3.amazonaws.com".into(), psl::Type::Private))
        );
        assert_eq!(over("*.example.co.uk"), None);
        assert_eq!(over("co.uk"), None, "not a wildcard");
    }

    #[test]
    fn chrome_refuses_a_name_matched_only_through_an_icann_suffix_wildcard() {
        let wildcard = vec![San::Dns("*.co.uk".into())];
        let finding = only_through_public_suffix(&name("example.co.uk"), &wildcard);
        assert_eq!(
            finding.map(|f| f.cause),
            Some(Cause::WildcardOverPublicSuffix)
        );
        let also_exact = vec![San::Dns("*.co.uk".into()), San::Dns("example.co.uk".into())];
        assert_eq!(
            only_through_public_suffix(&name("example.co.uk"), &also_exact),
            None
        );
        let private = vec![San::Dns("*.s3.amazonaws.com".into())];
        assert_eq!(
            only_through_public_suffix(&name("bucket.s3.amazonaws.com"), &private),
            None,
            "Chrome lets the PRIVATE section's suffixes be wildcarded"
        );
    }
}
