//! Many targets at once: at most `jobs` checks in flight on one runtime, each bounded by its own
//! timeout, results handed over as each finishes so nothing waits for the slowest.

use crate::causes::Cause;
use crate::checks::Finding;
use crate::report::{Parts, Source, TargetReport};
use crate::{Options, Target, check_target};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// The default `--jobs`: enough to hide network latency, few enough for a laptop.
pub const DEFAULT_JOBS: usize = 32;

/// Checks every target, calling `each(position, report)` as each one finishes.
pub async fn check_many<F>(targets: Vec<Target>, options: Arc<Options>, jobs: usize, mut each: F)
where
    F: FnMut(usize, TargetReport),
{
    // Every store read once, off the async threads: judging then reads no file, and small
    // chains can be judged without a hand-off (`pipeline::INLINE_CERTS`).
    let stores = options.stores.clone();
    drop(tokio::task::spawn_blocking(move || stores.read_all()));
    let mut pending = targets.into_iter().enumerate();
    let mut running = JoinSet::new();
    let mut inputs: HashMap<tokio::task::Id, (usize, Target)> = HashMap::new();
    loop {
        while running.len() < jobs.max(1) {
            let Some((position, target)) = pending.next() else {
                break;
            };
            let options = options.clone();
            let task_target = target.clone();
            let handle = running.spawn(async move { check_one(&task_target, &options).await });
            inputs.insert(handle.id(), (position, target));
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        match joined {
            Ok((id, report)) => {
                if let Some((position, _)) = inputs.remove(&id) {
                    each(position, report);
                }
            }
            // A check that panicked is a bug; the others go on, and this one is reported.
            Err(error) => {
                if let Some((position, target)) = inputs.remove(&error.id()) {
                    let detail = format!("the check stopped on an internal error: {error}");
                    each(position, failed(&target, &options, detail));
                }
            }
        }
    }
}

async fn check_one(target: &Target, options: &Options) -> TargetReport {
    match check_target(target, options).await {
        Ok(report) => report,
        Err(error) => failed(target, options, error.to_string()),
    }
}

/// A report for a target that could not be checked for a reason of our own making.
fn failed(target: &Target, options: &Options, detail: String) -> TargetReport {
    unchecked(
        target,
        options,
        Finding::new(Cause::ConnectionFailed, detail),
    )
}

/// The report of a target whose check never produced one (an internal error, a probe cut
/// short by the exporter): only `finding` is known.
pub fn unchecked(target: &Target, options: &Options, finding: Finding) -> TargetReport {
    let parts = Parts {
        target: target.input.clone(),
        source: Source::Network,
        name: None,
        now: options.now(),
        store_names: options.stores.names(),
        connection: None,
    };
    TargetReport::unreachable(parts, finding)
}
