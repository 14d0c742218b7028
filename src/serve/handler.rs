//! One HTTP request: `/probe` runs a check and answers with its metrics, `/metrics` tells the
//! exporter's own health, `/` says what this is. Every refusal is one line of text.

use super::State;
use super::health::Outcome;
use super::query::{ProbeQuery, Refusal};
use crate::causes::Cause;
use crate::checks::Finding;
use crate::diagnosis::Verdict;
use crate::report::{TargetReport, prometheus};
use crate::{Options, Target, check_target};
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Bytes;
use std::io::Write;
use std::time::Duration;
use tokio::time::Instant;

/// Prometheus sends the scrape's own timeout in this header.
pub const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";

/// Taken off a scrape's timeout, so the answer reaches Prometheus before it gives up.
pub const SCRAPE_MARGIN: Duration = Duration::from_millis(500);

/// A probe left with less time than this after waiting for a slot is not started.
const MIN_PROBE_TIME: Duration = Duration::from_millis(50);

/// Past its budget, a probe is given this long to hand over its report before it is cut.
const HAND_OVER: Duration = Duration::from_millis(250);

const TEXT: &str = "text/plain; charset=utf-8";
const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Answers one request.
pub async fn respond<B>(request: Request<B>, state: &State) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET is served\n");
    }
    match request.uri().path() {
        "/probe" => probe(&request, state).await,
        "/metrics" => {
            let mut body = Vec::new();
            let _ = state.health.write(state.settings.max_probes, &mut body);
            reply(StatusCode::OK, EXPOSITION, body)
        }
        "/" => text(StatusCode::OK, &front_page(state)),
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: try /probe?target=HOST:PORT\n",
        ),
    }
}

async fn probe<B>(request: &Request<B>, state: &State) -> Response<Full<Bytes>> {
    let arrived = Instant::now();
    let settings = &state.settings;
    let query = request.uri().query().unwrap_or_default();
    let asked = ProbeQuery::parse(query, &settings.allow).and_then(|asked| {
        match settings.modules.get(asked.module.as_deref()) {
            Some(options) => Ok((asked.target, options.clone())),
            None => Err(Refusal::BadRequest(format!(
                "unknown module {:?}; this exporter has {}",
                asked.module.unwrap_or_default(),
                settings.modules.names().join(", ")
            ))),
        }
    });
    let (target, options) = match asked {
        Ok(asked) => asked,
        Err(Refusal::BadRequest(why)) => {
            state.health.record(Outcome::BadRequest);
            return text(StatusCode::BAD_REQUEST, &format!("{why}\n"));
        }
        Err(Refusal::Forbidden(why)) => {
            state.health.record(Outcome::Forbidden);
            return text(StatusCode::FORBIDDEN, &format!("{why}\n"));
        }
    };
    let budget = budget(
        options.timeout,
        request.headers().get(SCRAPE_TIMEOUT_HEADER),
    );
    let wait = settings.queue_wait.min(budget);
    let overloaded = || {
        state.health.record(Outcome::Overloaded);
        let why = format!(
            "{} probes are running (--max-probes) and none finished within {:.1}s: try again, or \
             spread targets over more exporters\n",
            settings.max_probes,
            wait.as_secs_f64()
        );
        text(StatusCode::SERVICE_UNAVAILABLE, &why)
    };
    let permit = match tokio::time::timeout(wait, state.probes.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => return overloaded(),
    };
    let left = budget.saturating_sub(arrived.elapsed());
    if left < MIN_PROBE_TIME {
        return overloaded();
    }
    let started = Instant::now();
    let report = {
        let _in_flight = InFlight::enter(state);
        run_probe(&target, &options, left).await
    };
    drop(permit);
    let took = started.elapsed();
    state.health.observe(took);
    let success = matches!(report.verdict, Verdict::Ok | Verdict::Warning);
    state.health.record(if success {
        Outcome::Success
    } else {
        Outcome::Failure
    });
    let mut body = Vec::new();
    match write_probe(&report, success, took, &mut body) {
        Ok(()) => reply(StatusCode::OK, EXPOSITION, body),
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "writing the metrics failed\n",
        ),
    }
}

/// The probe's time: the module's timeout, or the scrape's own less a margin when that is
/// shorter. A header that is not a positive number of seconds is ignored.
pub fn budget(module: Duration, header: Option<&http::HeaderValue>) -> Duration {
    let scrape = header
        .and_then(|h| h.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e6)
        .map(Duration::from_secs_f64);
    match scrape {
        // A scrape shorter than the margin keeps half its time.
        Some(scrape) if scrape <= SCRAPE_MARGIN * 2 => module.min(scrape / 2),
        Some(scrape) => module.min(scrape - SCRAPE_MARGIN),
        None => module,
    }
}

/// Runs the check within `left`; one that overruns is reported as a timeout, not left to hang.
async fn run_probe(target: &Target, module: &Options, left: Duration) -> TargetReport {
    let mut options = module.clone();
    options.timeout = left;
    let check = tokio::time::timeout(left + HAND_OVER, check_target(target, &options)).await;
    let (cause, detail) = match check {
        Ok(Ok(report)) => return report,
        Ok(Err(error)) => (Cause::ConnectionFailed, error.to_string()),
        Err(_) => (
            Cause::Timeout,
            format!(
                "the probe did not finish within its {:.2}s budget",
                left.as_secs_f64()
            ),
        ),
    };
    crate::fleet::unchecked(target, &options, Finding::new(cause, detail))
}

/// `probe_success` and `probe_duration_seconds`, named as blackbox_exporter names them so
/// dashboards and alerts carry over, then the same families `check --format prometheus` writes.
fn write_probe(
    report: &TargetReport,
    success: bool,
    took: Duration,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "# HELP probe_success 1 if the target's verdict is ok or warning (clients accept it), \
         0 if error or unreachable."
    )?;
    writeln!(out, "# TYPE probe_success gauge")?;
    writeln!(out, "probe_success {}", u8::from(success))?;
    writeln!(
        out,
        "# HELP probe_duration_seconds How long the probe took, connection and judging."
    )?;
    writeln!(out, "# TYPE probe_duration_seconds gauge")?;
    writeln!(out, "probe_duration_seconds {}", took.as_secs_f64())?;
    prometheus::write(std::slice::from_ref(report), out)
}

/// Counts a probe in flight for as long as it lives, however the probe ends.
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> InFlight<'a> {
        state
            .health
            .in_flight
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .health
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn front_page(state: &State) -> String {
    format!(
        "tlsdoctor {} exporter: Prometheus metrics on why a TLS endpoint fails.\n\n\
         /probe?target=HOST[:PORT]   one check, as Prometheus text (parameters: {})\n\
         /metrics                    this exporter's own health\n\n\
         modules: {}\nallowed targets: {}\n",
        env!("CARGO_PKG_VERSION"),
        super::query::PARAMETERS.join(", "),
        state.settings.modules.names().join(", "),
        if state.settings.allow.is_open() {
            "any (no --allow given)"
        } else {
            "those matching --allow"
        },
    )
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    reply(status, TEXT, body.as_bytes().to_vec())
}

fn reply(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> http::HeaderValue {
        http::HeaderValue::from_str(value).unwrap()
    }

    #[test]
    fn the_scrape_timeout_shortens_the_module_timeout() {
        let module = Duration::from_secs(10);
        assert_eq!(budget(module, None), module);
        assert_eq!(
            budget(module, Some(&header("4"))),
            Duration::from_millis(3500)
        );
        assert_eq!(budget(module, Some(&header("60"))), module);
        assert_eq!(
            budget(module, Some(&header("0.6"))),
            Duration::from_millis(300)
        );
        for ignored in ["-1", "NaN", "soon", "0", "inf"] {
            assert_eq!(budget(module, Some(&header(ignored))), module, "{ignored}");
        }
    }
}
