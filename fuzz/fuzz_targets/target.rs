//! The target parsers: `Target::parse` (host, host:port, https:// and STARTTLS URLs, IPv6),
//! targets-file lines (`Target::parse_line`, `parse_targets`), `--connect-to` (`ConnectTo`),
//! `--resolve` (`ResolveRule`), `--starttls`, `--proxy` URLs, `server_name`, and applying the
//! rules to the parsed targets as the CLI does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsdoctor::proxy::Proxy;
use tlsdoctor::target::{self, ConnectTo, ResolveRule, StarttlsChoice, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Each parser on the whole input.
    let whole = Target::parse(text);
    let _ = Target::parse_line(text);
    let _ = text.parse::<ConnectTo>();
    let _ = text.parse::<ResolveRule>();
    let _ = target::server_name(text);
    let _ = text.parse::<StarttlsChoice>();
    if let Ok(proxy) = Proxy::parse(text, "--proxy") {
        let _ = proxy.described();
    }
    if let Ok(t) = &whole {
        let _ = t.server_name();
        let _ = t.endpoint();
    }
    // Line by line, as a targets file plus --connect-to / --resolve values, combined.
    let mut targets = target::parse_targets(text).unwrap_or_default();
    let mut connect_to = Vec::new();
    let mut resolve = Vec::new();
    for line in text.lines() {
        if let Ok(t) = Target::parse(line) {
            targets.push(t);
        }
        if let Ok(rule) = line.parse::<ConnectTo>() {
            connect_to.push(rule);
        }
        if let Ok(rule) = line.parse::<ResolveRule>() {
            resolve.push(rule);
        }
    }
    for t in &mut targets {
        t.apply(&connect_to, &resolve);
        let _ = t.endpoint();
        let _ = t.server_name();
    }
});
