//! Modules: named sets of probe options, chosen per scrape with `module=NAME`.
//!
//! A module is defined only in the file given at start-up (`--config`), so a scrape can pick one
//! by name but never name a file, a store or a limit itself. The file is TOML, because operators
//! write it by hand and comment it:
//!
//! ```toml
//! [modules.corp]
//! ca_file = ["corp-root.pem"]   # relative paths are relative to this file
//! timeout = 5                   # seconds
//! warn_days = 21
//!
//! [modules.public]
//! trust = ["mozilla"]
//! ```
//!
//! The trust options given to `serve` itself make the module `default`, used when a scrape names
//! none; the file may not define `default` again.

use crate::trust::{StoreSpec, SystemLocations};
use crate::{Options, StoreSet};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The module used when a scrape names none.
pub const DEFAULT_MODULE: &str = "default";

/// Longest module name accepted, in the file and in a query.
const MAX_NAME: usize = 64;

/// Why the modules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Read(#[from] crate::Error),
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{}: module {module:?}: {reason}", path.display())]
    Module {
        path: PathBuf,
        module: String,
        reason: String,
    },
}

/// The default module and the named ones, each with its trust stores loaded once.
#[derive(Clone)]
pub struct Modules {
    default: Arc<Options>,
    named: BTreeMap<String, Arc<Options>>,
}

impl Modules {
    /// Only the module made from the command line.
    pub fn new(default: Options) -> Modules {
        Modules {
            default: Arc::new(default),
            named: BTreeMap::new(),
        }
    }

    /// Adds the modules of a file; `base` gives what no module sets (the evaluation instant,
    /// the resolver, the proxy setting).
    pub fn load(mut self, path: &Path, base: &Options) -> Result<Modules, ConfigError> {
        let bytes = crate::input::read(path)?;
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
        let file: ModulesFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        for (name, module) in file.modules {
            let refuse = |reason: String| ConfigError::Module {
                path: path.to_path_buf(),
                module: name.clone(),
                reason,
            };
            if name == DEFAULT_MODULE {
                return Err(refuse(
                    "the default module is made from serve's own options (--trust, --ca-file, \
                     --timeout, --warn-days); give them there"
                        .into(),
                ));
            }
            if !valid_name(&name) {
                return Err(refuse(format!(
                    "a module name has 1 to {MAX_NAME} letters, digits, '-' or '_'"
                )));
            }
            let options = module.options(dir, base).map_err(refuse)?;
            self.named.insert(name, Arc::new(options));
        }
        Ok(self)
    }

    /// The module a scrape asked for (`None`: the default), if it exists.
    pub fn get(&self, name: Option<&str>) -> Option<&Arc<Options>> {
        match name {
            None | Some(DEFAULT_MODULE) => Some(&self.default),
            Some(name) => self.named.get(name),
        }
    }

    /// Every module name, the default first.
    pub fn names(&self) -> Vec<&str> {
        std::iter::once(DEFAULT_MODULE)
            .chain(self.named.keys().map(String::as_str))
            .collect()
    }
}

/// Module names are keys, never paths: nothing but letters, digits, '-' and '_'.
pub fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModulesFile {
    #[serde(default)]
    modules: BTreeMap<String, ModuleFile>,
}

/// One `[modules.NAME]` table: the options of `check` that make sense per target group.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleFile {
    /// As `--trust`: mozilla, system, or a file or directory of roots.
    #[serde(default)]
    trust: Vec<String>,
    /// As `--ca-file`: files whose roots together make one store.
    #[serde(default)]
    ca_file: Vec<PathBuf>,
    /// Seconds; a scrape's own timeout may shorten it.
    timeout: Option<f64>,
    warn_days: Option<u32>,
    /// Download issuers the server left out (default true).
    fetch: Option<bool>,
    /// As `--clients`: the client profiles whose outcomes each probe reports.
    clients: Option<String>,
}

impl ModuleFile {
    fn options(self, dir: &Path, base: &Options) -> Result<Options, String> {
        let specs = self
            .trust
            .iter()
            .map(
                |s| match s.parse::<StoreSpec>().map_err(|e| e.to_string())? {
                    StoreSpec::Path(p) => Ok(StoreSpec::Path(dir.join(p))),
                    spec => Ok(spec),
                },
            )
            .collect::<Result<Vec<_>, String>>()?;
        let ca_files: Vec<PathBuf> = self.ca_file.iter().map(|p| dir.join(p)).collect();
        let stores = StoreSet::new(&specs, &ca_files, SystemLocations::from_environment())
            .map_err(|e| e.to_string())?;
        let mut options = base.clone();
        options.stores = Arc::new(stores);
        if let Some(secs) = self.timeout {
            if !(secs > 0.0 && secs <= 3600.0) {
                return Err("timeout must be a number of seconds between 0 and 3600".into());
            }
            options.timeout = Duration::from_secs_f64(secs);
        }
        if let Some(days) = self.warn_days {
            options.warn_days = days;
        }
        if let Some(fetch) = self.fetch {
            options.fetch = fetch;
        }
        if let Some(list) = &self.clients {
            options.clients = crate::clients::select(list).map_err(|e| e.to_string())?;
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_cannot_be_paths() {
        assert!(valid_name("corp-internal_2"));
        for bad in ["", "../x", "a/b", "a.b", "x y", &"m".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
