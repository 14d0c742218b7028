//! Trust stores that disagree: this machine's store against Mozilla's list, and an environment
//! override against the distribution's own store.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::trust::SystemOrigin;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for eval in ctx.evals.iter().filter(|e| !e.path.is_anchored()) {
        let store = &ctx.stores[eval.store];
        let Some(origin) = store.system_origin() else {
            continue;
        };
        let what = describe(origin, store.len());
        let env_file_missing = origin
            .file
            .as_ref()
            .is_some_and(|f| origin.from_env() && !f.exists());
        if origin.from_env() && (env_file_missing || ctx.default_system_anchored == Some(true)) {
            let why = if env_file_missing {
                "which does not exist".to_string()
            } else {
                "which lacks the root this chain needs, while the distribution's own store has it"
                    .to_string()
            };
            findings.push(Finding::new(
                Cause::EnvOverrideMissingRoot,
                format!(
                    "{} chooses the system store: {what}, {why}",
                    origin.env.join(" and ")
                ),
            ));
        } else if ctx.public_anchored {
            let root = public_root(ctx).unwrap_or_default();
            findings.push(Finding::new(
                Cause::OutdatedSystemStore,
                format!("Mozilla's list trusts this chain{root}, but this machine's store does not: {what}"),
            ));
        }
    }
    findings
}

/// "the file /etc/ssl/certs/ca-certificates.crt (140 roots)".
fn describe(origin: &SystemOrigin, roots: usize) -> String {
    let mut places: Vec<String> = Vec::new();
    if origin.platform {
        places.push("the operating system's store".into());
    }
    places.extend(
        origin
            .file
            .iter()
            .map(|f| format!("the file {}", f.display())),
    );
    places.extend(
        origin
            .dirs
            .iter()
            .map(|d| format!("the directory {}", d.display())),
    );
    if places.is_empty() {
        places.push("no bundle file or directory at all".into());
    }
    let plural = if roots == 1 { "" } else { "s" };
    format!("{} ({roots} root{plural})", places.join(" and "))
}

/// " through CN=... (SPKI SHA-256 ...)" for the public root the chain reaches.
fn public_root(ctx: &Context<'_>) -> Option<String> {
    let path = crate::chain::path::Path::build(ctx.chain, ctx.public)?;
    match path.end {
        crate::chain::path::PathEnd::Anchor(anchor) => {
            let info = ctx.public.describe(anchor);
            Some(format!(
                " through {} (SPKI SHA-256 {})",
                info.subject, info.spki_sha256
            ))
        }
        _ => None,
    }
}
