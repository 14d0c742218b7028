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
            format!("; the CN matches {wanted}, but current clients ignore the CN")
        } else {
            String::new()
        };
        return vec![Finding::at(
            Cause::NoSan,
            0,
            format!("the certificate names its host only as CN={cn}{note}"),
        )];
    };
    if matches!(ctx.verification.name, Some(Ok(()))) {
        return Vec::new();
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
