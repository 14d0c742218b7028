//! The exporter's own metrics (`/metrics`): probes in flight, probes by result, durations.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// How a `/probe` request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Probed; `probe_success` 1.
    Success,
    /// Probed; `probe_success` 0 (error verdict or unreachable).
    Failure,
    /// 400: no target, or one the exporter cannot probe.
    BadRequest,
    /// 403: not on the allow-list.
    Forbidden,
    /// 503: every probe slot stayed busy.
    Overloaded,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Success,
        Outcome::Failure,
        Outcome::BadRequest,
        Outcome::Forbidden,
        Outcome::Overloaded,
    ];

    fn label(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::BadRequest => "bad_request",
            Outcome::Forbidden => "forbidden",
            Outcome::Overloaded => "overloaded",
        }
    }
}

/// Upper bounds of the probe duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Counters shared by every connection; lock-free, so reading them never slows a probe.
#[derive(Default)]
pub struct Health {
    pub in_flight: AtomicUsize,
    pub connections: AtomicUsize,
    outcomes: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    duration_count: AtomicU64,
    duration_micros: AtomicU64,
}

impl Health {
    /// Counts one `/probe` request.
    pub fn record(&self, outcome: Outcome) {
        let index = Outcome::ALL.iter().position(|o| *o == outcome);
        if let Some(counter) = index.and_then(|i| self.outcomes.get(i)) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Adds the duration of one probe that ran.
    pub fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, counter) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.duration_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.duration_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Writes the exposition text; `max_probes` is the configured limit.
    pub fn write(&self, max_probes: usize, out: &mut dyn Write) -> io::Result<()> {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        gauge(
            out,
            "tlsdoctor_exporter_probes_in_flight",
            "Probes running now.",
            self.in_flight.load(Ordering::Relaxed),
        )?;
        gauge(
            out,
            "tlsdoctor_exporter_max_probes",
            "Probes allowed at once (--max-probes); more wait, then get 503.",
            max_probes,
        )?;
        gauge(
            out,
            "tlsdoctor_exporter_connections_open",
            "HTTP connections open to the exporter.",
            self.connections.load(Ordering::Relaxed),
        )?;
        let name = "tlsdoctor_exporter_probes_total";
        writeln!(out, "# HELP {name} /probe requests, by how they ended.")?;
        writeln!(out, "# TYPE {name} counter")?;
        for (outcome, counter) in Outcome::ALL.iter().zip(&self.outcomes) {
            let result = outcome.label();
            writeln!(out, "{name}{{result=\"{result}\"}} {}", load(counter))?;
        }
        let name = "tlsdoctor_exporter_probe_duration_seconds";
        writeln!(out, "# HELP {name} How long the probes that ran took.")?;
        writeln!(out, "# TYPE {name} histogram")?;
        for (bound, counter) in BUCKETS.iter().zip(&self.buckets) {
            writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", load(counter))?;
        }
        let count = load(&self.duration_count);
        writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}")?;
        let sum = load(&self.duration_micros) as f64 / 1e6;
        writeln!(out, "{name}_sum {sum}")?;
        writeln!(out, "{name}_count {count}")
    }
}

fn gauge(out: &mut dyn Write, name: &str, help: &str, value: usize) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")?;
    writeln!(out, "{name} {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let health = Health::default();
        health.observe(Duration::from_millis(30));
        health.observe(Duration::from_secs(20));
        let mut text = Vec::new();
        health.write(4, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("_bucket{le=\"0.025\"} 0\n"), "{text}");
        assert!(text.contains("_bucket{le=\"0.05\"} 1\n"), "{text}");
        assert!(text.contains("_bucket{le=\"10\"} 1\n"), "{text}");
        assert!(text.contains("_bucket{le=\"+Inf\"} 2\n"), "{text}");
        assert!(text.contains("_count 2\n"), "{text}");
    }
}
