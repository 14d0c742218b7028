//! A store as the command line names it: `mozilla`, `system`, a bundled root program, or a
//! path.

use super::programs;
use std::path::PathBuf;

/// A store asked for on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSpec {
    /// Mozilla's list as bundled.
    Mozilla,
    /// This machine's store.
    System,
    /// A root program bundled as data (`chrome`, `java-17`).
    Program(String),
    /// The roots in a file, or in every file of a directory.
    Path(PathBuf),
}

/// Why a `--trust` value names no store.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("expected mozilla, system, {bundled}, or a file or directory")]
    Empty { bundled: String },
    /// A root program tlsdoctor knows of but does not bundle.
    #[error(
        "{asked}: {name} is not bundled with tlsdoctor: {reason}. Export the store and pass it \
         as a file instead: --trust FILE ({export}). Bundled: mozilla, system, {bundled}"
    )]
    NotBundled {
        asked: String,
        name: String,
        reason: String,
        export: String,
        bundled: String,
    },
}

impl std::str::FromStr for StoreSpec {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bundled = || {
            programs::ids()
                .filter(|id| programs::is_bundled_store(id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(match s {
            "mozilla" => StoreSpec::Mozilla,
            "system" => StoreSpec::System,
            "" => return Err(SpecError::Empty { bundled: bundled() }),
            id if programs::is_bundled_store(id) => StoreSpec::Program(id.to_string()),
            // A file of that name wins over a program's name.
            path if std::path::Path::new(path).exists() => StoreSpec::Path(PathBuf::from(path)),
            word => match not_bundled(word) {
                Some((name, reason, export)) => {
                    return Err(SpecError::NotBundled {
                        asked: word.to_string(),
                        name,
                        reason,
                        export,
                        bundled: bundled(),
                    });
                }
                None => StoreSpec::Path(PathBuf::from(word)),
            },
        })
    }
}

/// The program a word names, when it is one tlsdoctor knows but does not bundle: one listed
/// in not-bundled.toml (`apple`, `android-14`), or a Java release other than the bundled one.
fn not_bundled(word: &str) -> Option<(String, String, String)> {
    let family = word.split('-').next().unwrap_or(word);
    if let Some(p) = programs::not_bundled().into_iter().find(|p| p.id == family) {
        return Some((p.name, p.reason, p.export));
    }
    let release = word.strip_prefix("java-")?;
    release.parse::<u32>().ok()?;
    let bundled: Vec<&str> = programs::ids()
        .filter(|id| id.starts_with("java-"))
        .collect();
    Some((
        format!("the OpenJDK {release} cacerts"),
        format!(
            "only {} is bundled, from its source package; another release's cacerts differs \
             by the roots added and removed in its updates",
            bundled.join(", ")
        ),
        "keytool -list -rfc -cacerts -storepass changeit > java-roots.pem, with that JDK's keytool"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs_parse() {
        assert_eq!("mozilla".parse::<StoreSpec>(), Ok(StoreSpec::Mozilla));
        assert_eq!("system".parse::<StoreSpec>(), Ok(StoreSpec::System));
        assert_eq!(
            "chrome".parse::<StoreSpec>(),
            Ok(StoreSpec::Program("chrome".into()))
        );
        assert_eq!(
            "ca.pem".parse::<StoreSpec>(),
            Ok(StoreSpec::Path("ca.pem".into()))
        );
    }

    #[test]
    fn programs_not_bundled_say_why_and_what_works() {
        for word in ["apple", "microsoft", "android-14", "java-11"] {
            let err = word.parse::<StoreSpec>().unwrap_err().to_string();
            assert!(err.contains("not bundled"), "{err}");
            assert!(err.contains("--trust FILE"), "{err}");
        }
    }
}
