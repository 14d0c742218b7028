//! Validity in time: expired, not yet valid, expiring soon, for every certificate on the path.

use super::{Context, Finding, show_time};
use crate::causes::Cause;

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
        if ctx.now > facts.not_after {
            let days = (ctx.now - facts.not_after).whole_days();
            findings.push(Finding::at(
                Cause::Expired,
                index,
                format!(
                    "{role} expired on {} ({days} days before {})",
                    show_time(facts.not_after),
                    show_time(ctx.now)
                ),
            ));
        } else if ctx.now < facts.not_before {
            let days = (facts.not_before - ctx.now).whole_days();
            findings.push(Finding::at(
                Cause::NotYetValid,
                index,
                format!(
                    "{role} is valid from {} ({days} days after {})",
                    show_time(facts.not_before),
                    show_time(ctx.now)
                ),
            ));
        } else {
            let days = facts.days_left(ctx.now);
            if days < i64::from(ctx.warn_days) {
                findings.push(Finding::at(
                    Cause::ExpiringSoon,
                    index,
                    format!(
                        "{role} expires on {} ({days} days left; warning threshold {} days)",
                        show_time(facts.not_after),
                        ctx.warn_days
                    ),
                ));
            }
        }
    }
    findings
}
