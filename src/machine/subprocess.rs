//! Running another program (`python3`, `keytool`) to ask what it trusts, within a bound.
//!
//! Those programs belong to the machine, not to tlsdoctor: a JVM can hang on a locked
//! keystore, a `python3` wrapper can wait for input or print without end. The report must still
//! come, so each run has a time limit and an output limit, and a child past either is killed
//! and reaped; the caller reports the question as undetermined.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a client program may take to answer: a JVM starts in one to three seconds on a
/// busy machine, and one that takes longer than this is waiting on something it will not get.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// How much a client program may print on each of stdout and stderr: `keytool -list -rfc` of
/// a JDK's cacerts is about 300 KB, so this leaves ten times that.
pub const OUTPUT_LIMIT: usize = 4 * 1024 * 1024;

/// How often a running child is checked on.
const POLL: Duration = Duration::from_millis(20);

/// The bounds of one run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub time: Duration,
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time: TIME_LIMIT,
            output: OUTPUT_LIMIT,
        }
    }
}

/// What a program printed, and how it ended, when it ended within the limits.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Why a program gave no answer. The messages complete "PROGRAM ...".
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not be run ({0})")]
    Spawn(std::io::Error),
    #[error("did not finish within {} s and was stopped", .0.as_secs_f32())]
    TimedOut(Duration),
    #[error("printed more than {0} bytes and was stopped")]
    TooMuchOutput(usize),
}

/// Runs `program` with `args` and no input, collecting its output within `limits`.
pub fn run<I, S>(program: &Path, args: I, limits: Limits) -> Result<Output, RunError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;
    let deadline = Instant::now() + limits.time;
    // A reader thread per pipe, so that a child blocked writing one pipe while nobody reads
    // it cannot stall the other; each stops at the limit and reports what it got.
    let (sent, received) = mpsc::channel();
    let pipes: [(Pipe, Option<Box<dyn Read + Send>>); 2] = [
        (Pipe::Stdout, child.stdout.take().map(|p| Box::new(p) as _)),
        (Pipe::Stderr, child.stderr.take().map(|p| Box::new(p) as _)),
    ];
    for (which, pipe) in pipes {
        let sent = sent.clone();
        let limit = limits.output;
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(pipe) = pipe {
                let _ = read_pipe(pipe, limit, &mut bytes);
            }
            let _ = sent.send((which, bytes));
        });
    }
    drop(sent);

    let mut stdout = None;
    let mut stderr = None;
    let mut status = None;
    while stdout.is_none() || stderr.is_none() || status.is_none() {
        if status.is_none() {
            status = child.try_wait().ok().flatten();
        }
        match received.recv_timeout(POLL) {
            Ok((which, bytes)) => {
                if bytes.len() > limits.output {
                    stop(&mut child);
                    return Err(RunError::TooMuchOutput(limits.output));
                }
                match which {
                    Pipe::Stdout => stdout = Some(bytes),
                    Pipe::Stderr => stderr = Some(bytes),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // Both readers are done; only the exit status is still awaited.
            Err(mpsc::RecvTimeoutError::Disconnected) => std::thread::sleep(POLL),
        }
        if Instant::now() >= deadline && (status.is_none() || stdout.is_none() || stderr.is_none())
        {
            // Also when the child has exited but something it started still holds a pipe open:
            // that reader is left to end with the pipe, and the answer is given up on.
            stop(&mut child);
            return Err(RunError::TimedOut(limits.time));
        }
    }
    Ok(Output {
        status: status.ok_or(RunError::TimedOut(limits.time))?,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

#[derive(Clone, Copy)]
enum Pipe {
    Stdout,
    Stderr,
}

/// Reads at most `limit + 1` bytes, so that more than the limit can be told from exactly it.
fn read_pipe(pipe: Box<dyn Read + Send>, limit: usize, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    pipe.take(cap).read_to_end(bytes).map(|_| ())
}

/// Kills the child if it still runs, and reaps it so that no zombie is left.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn limits(seconds: u64, output: usize) -> Limits {
        Limits {
            time: Duration::from_secs(seconds),
            output,
        }
    }

    #[test]
    fn a_program_that_answers_is_read_whole() {
        let out = run(
            Path::new("sh"),
            ["-c", "echo out; echo err >&2"],
            limits(10, 100),
        )
        .expect("sh answers");
        assert!(out.status.success());
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn a_hung_program_is_stopped_at_the_time_limit() {
        let started = Instant::now();
        let error = run(Path::new("sleep"), ["30"], limits(1, 100)).expect_err("stopped");
        assert!(matches!(error, RunError::TimedOut(_)), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(
            error.to_string().contains("did not finish within 1 s"),
            "{error}"
        );
    }

    #[test]
    fn a_chatty_program_is_stopped_at_the_output_limit() {
        let started = Instant::now();
        let error =
            run(Path::new("yes"), Vec::<&str>::new(), limits(30, 64 * 1024)).expect_err("stopped");
        assert!(matches!(error, RunError::TooMuchOutput(_)), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let error = run(
            Path::new("/nonexistent/tlsdoctor-no-such-program"),
            Vec::<&str>::new(),
            limits(1, 100),
        )
        .expect_err("not run");
        assert!(matches!(error, RunError::Spawn(_)), "{error}");
    }
}
