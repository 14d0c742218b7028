//! The library's typed errors: problems with what the user asked for, not with the target.
//!
//! A target that cannot be reached or a chain that is broken is never an `Error`: those are
//! findings in the report. These are the cases where no report can be made (exit code 2).

use std::path::PathBuf;

/// Why a check could not even start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file named on the command line could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file was read but holds no usable certificates.
    #[error("{} {reason}", path.display())]
    Bundle { path: PathBuf, reason: String },
    /// The target could not be understood.
    #[error("invalid target {input:?}: {reason}")]
    Target { input: String, reason: String },
    /// A line of a targets list could not be understood.
    #[error("line {line}: {error}")]
    TargetLine { line: usize, error: Box<Error> },
    /// A bundled root program's data is unusable (a defect its tests catch).
    #[error("{0}")]
    Program(String),
    /// A name to check is not a valid DNS name or IP address.
    #[error("invalid name {0:?}: not a DNS name or IP address")]
    Name(String),
}
