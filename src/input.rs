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

/// Reads a whole file, at most [`MAX_INPUT_BYTES`] of it.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
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
    // writes. A thread does both, and is abandoned if it takes longer than PIPE_WAIT.
    let owned = path.to_path_buf();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = std::fs::File::open(&owned)
            .map_err(Failed::Io)
            .and_then(|file| read_bounded(file, 0));
        let _ = done.send(result);
    });
    match wait.recv_timeout(PIPE_WAIT) {
        Ok(result) => result.map_err(|e| e.into_error(path)),
        Err(_) => Err(refuse(format!(
            "is not a regular file and delivered nothing to read within {} s",
            PIPE_WAIT.as_secs()
        ))),
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
