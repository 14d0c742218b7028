//! Sending each client profile's ClientHello on a connection of its own, a few at a time, to
//! learn what the server would do for that client. The bytes are [`super::hello`]'s; this file
//! only opens the connections and bounds them in time.

use super::connect::open;
use super::{Resolve, Route, SharedState, hello};
use crate::target::Target;

/// How many ClientHello probes run at once against one target.
pub const PROBES_AT_ONCE: usize = 8;

/// Sends each offer's ClientHello on a connection of its own (through `route`), at most
/// [`PROBES_AT_ONCE`] at a time, and returns the answers in the offers' order; `None` where no
/// answer came before `deadline`.
pub async fn ask(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    offers: &[hello::Offer],
    deadline: tokio::time::Instant,
) -> Vec<Option<hello::Answer>> {
    use futures_util::StreamExt;
    // Made first, so that the stream holds futures and no closure (which keeps it Send).
    let probes: Vec<_> = offers
        .iter()
        .map(|offer| ask_one(target, route, resolver, offer, deadline))
        .collect();
    futures_util::stream::iter(probes)
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await
}

async fn ask_one(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    offer: &hello::Offer,
    deadline: tokio::time::Instant,
) -> Option<hello::Answer> {
    let name = offer.sni.clone().unwrap_or_else(|| target.host.clone());
    let attempt = async {
        let stream = open(target, route, resolver, &SharedState::default(), &name)
            .await
            .ok()?;
        hello::probe(stream, offer).await.ok()
    };
    tokio::time::timeout_at(deadline, attempt)
        .await
        .ok()
        .flatten()
}
