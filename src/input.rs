//! Reading the files people point the tool at: certificates, keys, target lists.
//!
//! Whatever the path names (a 100 MB log, a directory, a FIFO nobody writes to, `/dev/zero`),
//! reading it ends within a bound, with an error that says what the path is.

use crate::error::Error;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Files larger than this are refused before they are read: no certificate bundle, key or
/// target list is this big.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// How long a FIFO or other special file may take to deliver its bytes, for
/// `--file <(kubectl get secret ...)` and the like.
pub const PIPE_WAIT: Duration = Duration::from_secs(10);

/// The environment variable that replaces [`PIPE_WAIT`], in milliseconds: a tuning knob for a
/// slow producer behind a FIFO, and what lets tests see a refusal without waiting 10 s.
pub const PIPE_WAIT_ENV: &str = "TLSDOCTOR_PIPE_WAIT_MS";

/// The longest wait [`PIPE_WAIT_ENV`] may ask for: reading stays bounded whatever it says.
pub const MAX_PIPE_WAIT: Duration = Duration::from_secs(600);

/// The wait for special files: [`PIPE_WAIT`], unless [`PIPE_WAIT_ENV`] holds a number of
/// milliseconds (capped at [`MAX_PIPE_WAIT`]); anything else in it is ignored.
pub fn pipe_wait() -> Duration {
    pipe_wait_from(std::env::var(PIPE_WAIT_ENV).ok().as_deref())
}

fn pipe_wait_from(setting: Option<&str>) -> Duration {
    setting
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(PIPE_WAIT, |ms| Duration::from_millis(ms).min(MAX_PIPE_WAIT))
}

/// Reads a whole file, at most [`MAX_INPUT_BYTES`] of it, waiting [`pipe_wait`] for a special
/// file.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    read_waiting(path, pipe_wait())
}

/// Like [`read`], giving a FIFO or device `wait` to deliver its bytes.
pub fn read_waiting(path: &Path, wait: Duration) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |reason: String| Error::Bundle {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.is_dir() {
        return Err(refuse("is a directory, not a file".into()));
    }
    if meta.is_file() {
        if meta.len() > MAX_INPUT_BYTES {
            return Err(too_big(path));
        }
        let file = std::fs::File::open(path).map_err(read_error)?;
        return read_bounded(file, meta.len()).map_err(|e| e.into_error(path));
    }
    // A pipe or device: opening may block until a writer appears, and reading until it
    // writes. A thread does both, and is abandoned if it takes longer than `wait`.
    let owned = path.to_path_buf();
    let (done, delivered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = std::fs::File::open(&owned)
            .map_err(Failed::Io)
            .and_then(|file| read_bounded(file, 0));
        let _ = done.send(result);
    });
    match delivered.recv_timeout(wait) {
        Ok(result) => result.map_err(|e| e.into_error(path)),
        Err(_) => Err(refuse(format!(
            "is not a regular file and delivered nothing to read within {}",
            describe(wait)
        ))),
    }
}

/// A wait in the unit a reader expects: whole seconds, or milliseconds below one.
fn describe(wait: Duration) -> String {
    if wait.as_millis() % 1000 == 0 && !wait.is_zero() {
        format!("{} s", wait.as_secs())
    } else {
        format!("{} ms", wait.as_millis())
    }
}

/// Reads standard input to its end, refusing more than [`MAX_INPUT_BYTES`].
pub fn read_stdin() -> Result<Vec<u8>, Error> {
    let stdin = Path::new("standard input");
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failed::Io(e).into_error(stdin))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_big(stdin));
    }
    Ok(bytes)
}

enum Failed {
    Io(std::io::Error),
    TooBig,
}

impl Failed {
    fn into_error(self, path: &Path) -> Error {
        match self {
            Failed::Io(source) => Error::Read {
                path: path.to_path_buf(),
                source,
            },
            Failed::TooBig => too_big(path),
        }
    }
}

fn read_bounded(file: std::fs::File, expected: u64) -> Result<Vec<u8>, Failed> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).saturating_add(1));
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Failed::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failed::TooBig);
    }
    Ok(bytes)
}

fn too_big(path: &Path) -> Error {
    Error::Bundle {
        path: path.to_path_buf(),
        reason: format!(
            "is larger than {} MiB, the most that is read from a file; it cannot be a certificate, key or target list",
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A FIFO in a fresh directory, made with mkfifo(1) as a user would.
    fn fifo(label: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("tlsdoctor-input-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        (dir, path)
    }

    #[test]
    fn a_fifo_nobody_writes_is_refused_after_the_wait_given() {
        let (dir, path) = fifo("silent");
        let started = Instant::now();
        let refused = read_waiting(&path, Duration::from_millis(50));
        let took = started.elapsed();
        // Opening the write end lets the abandoned reader thread finish.
        let _ = std::fs::OpenOptions::new().write(true).open(&path);
        let _ = std::fs::remove_dir_all(dir);
        let message = refused.map(|_| ()).err().map(|e| e.to_string());
        assert!(
            message
                .as_deref()
                .is_some_and(|m| m.contains("delivered nothing to read within 50 ms")),
            "{message:?}"
        );
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn a_fifo_that_is_written_is_read_within_a_short_wait() {
        let (dir, path) = fifo("fed");
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::write(path, b"-----BEGIN CERTIFICATE-----"))
        };
        let read = read_waiting(&path, Duration::from_secs(5));
        let written = writer.join();
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(
            read.ok().as_deref(),
            Some(&b"-----BEGIN CERTIFICATE-----"[..])
        );
        assert!(written.is_ok_and(|w| w.is_ok()));
    }

    #[test]
    fn the_wait_is_read_from_the_environment_in_milliseconds_and_bounded() {
        assert_eq!(pipe_wait_from(None), PIPE_WAIT);
        assert_eq!(pipe_wait_from(Some("250")), Duration::from_millis(250));
        assert_eq!(pipe_wait_from(Some("ten")), PIPE_WAIT);
        assert_eq!(pipe_wait_from(Some("-1")), PIPE_WAIT);
        assert_eq!(pipe_wait_from(Some("999999999")), MAX_PIPE_WAIT);
        assert_eq!(describe(PIPE_WAIT), "10 s");
        assert_eq!(describe(Duration::from_millis(1500)), "1500 ms");
    }
}
