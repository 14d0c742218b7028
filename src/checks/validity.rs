//! Validity in time: expired, not yet valid, expiring soon, for every certificate on the path
//! and for the trusted root it ends at.

use super::{Context, Finding, show_time};
use crate::causes::Cause;
use crate::chain::path::PathEnd;
use time::OffsetDateTime;

/// Certificates off the path are not judged here: clients never use them (see `path`).
pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for &index in &ctx.path.certs {
        let Some(facts) = ctx.chain.certs[index].facts() else {
            continue;
        };
        let role = if index == 0 {
            "the leaf"
        } else {
            "this CA certificate"
        };
        if let Some((cause, detail)) = judge(ctx, role, facts.not_before, facts.not_after) {
            findings.push(Finding::at(cause, index, detail));
        }
    }
    // webpki ignores a root's dates; OpenSSL, Go and GnuTLS reject an expired root.
    if let PathEnd::Anchor(anchor) = ctx.path.end {
        if let Some((not_before, not_after)) = ctx.store.validity(anchor) {
            let role = format!("the trusted root {}", ctx.store.describe(anchor).subject);
            if let Some((cause, detail)) = judge(ctx, &role, not_before, not_after) {
                findings.push(Finding::new(cause, detail));
            }
        }
    }
    findings
}

/// The validity cause for one period at `ctx.now`, if any.
fn judge(
    ctx: &Context<'_>,
    role: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Option<(Cause, String)> {
    if ctx.now > not_after {
        let days = (ctx.now - not_after).whole_days();
        return Some((
            Cause::Expired,
            format!(
                "{role} expired on {} ({days} days before {})",
                show_time(not_after),
                show_time(ctx.now)
            ),
        ));
    }
    if ctx.now < not_before {
        let days = (not_before - ctx.now).whole_days();
        return Some((
            Cause::NotYetValid,
            format!(
                "{role} is valid from {} ({days} days after {})",
                show_time(not_before),
                show_time(ctx.now)
            ),
        ));
    }
    let days = (not_after - ctx.now).whole_days();
    (days < i64::from(ctx.warn_days)).then(|| {
        (
            Cause::ExpiringSoon,
            format!(
                "{role} expires on {} ({days} days left; warning threshold {} days)",
                show_time(not_after),
                ctx.warn_days
            ),
        )
    })
}
