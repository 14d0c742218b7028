//! Asking the server what it would answer each client: every profile's own ClientHello, and for
//! each one refused, the same hello widened in one dimension (versions, suites, groups,
//! signature schemes) at a time, so that the one whose widening is accepted names the cause.
//!
//! Sending each client's hello, rather than probing the server's lists once and intersecting,
//! lets the server apply its own preferences and rules (a signature scheme its key can make, a
//! group it retries with), which no intersection reproduces.

use super::Profile;
use crate::capture::hello::{self, Asked, Dimension, Offer};
use crate::capture::{self, Resolve, Route};
use crate::target::Target;
use tokio::time::Instant;

/// The dimensions widened, in the order a cause is named by. Versions come last: a hello
/// without TLS 1.3 can succeed through another door (TLS 1.2 with RSA key exchange where TLS
/// 1.3 found no group), which real clients that offer TLS 1.3 never take.
pub const DIMENSIONS: [Dimension; 5] = [
    Dimension::Group,
    Dimension::Suite,
    Dimension::Scheme,
    Dimension::Version,
    Dimension::OldVersion,
];

/// Sends the ClientHello of every profile (each distinct one once) to `target`, then the widened
/// hellos of those refused; all before `deadline`. Nothing is asked for no profile.
pub async fn ask(
    profiles: &[&Profile],
    sni: Option<&str>,
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    deadline: Instant,
) -> Option<Asked> {
    if profiles.is_empty() {
        return None;
    }
    let mut offers: Vec<Offer> = Vec::new();
    for offer in profiles.iter().map(|p| p.offer(sni)) {
        if !offers.contains(&offer) {
            offers.push(offer);
        }
    }
    let answers = capture::ask(target, route, resolver, &offers, deadline).await;
    let mut asked = Asked {
        answers: offers.into_iter().zip(answers).collect(),
    };
    let mut wider: Vec<Offer> = Vec::new();
    for (offer, answer) in &asked.answers {
        let Some(answer) = answer else { continue };
        if hello::agreed(offer, answer) {
            continue;
        }
        for dimension in DIMENSIONS {
            let widened = offer.widened(dimension);
            if asked.get(&widened).is_none() && !wider.contains(&widened) {
                wider.push(widened);
            }
        }
    }
    let answers = capture::ask(target, route, resolver, &wider, deadline).await;
    asked.answers.extend(wider.into_iter().zip(answers));
    Some(asked)
}
