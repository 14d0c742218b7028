//! A store as the command line names it: `mozilla`, `system`, or a path.

use std::path::PathBuf;

/// A store asked for on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSpec {
    /// Mozilla's list as bundled.
    Mozilla,
    /// This machine's store.
    System,
    /// The roots in a file, or in every file of a directory.
    Path(PathBuf),
}

impl std::str::FromStr for StoreSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "mozilla" => StoreSpec::Mozilla,
            "system" => StoreSpec::System,
            "" => return Err("expected mozilla, system, or a file or directory".into()),
            path => StoreSpec::Path(PathBuf::from(path)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs_parse() {
        assert_eq!("mozilla".parse::<StoreSpec>(), Ok(StoreSpec::Mozilla));
        assert_eq!("system".parse::<StoreSpec>(), Ok(StoreSpec::System));
        assert_eq!(
            "ca.pem".parse::<StoreSpec>(),
            Ok(StoreSpec::Path("ca.pem".into()))
        );
    }
}
