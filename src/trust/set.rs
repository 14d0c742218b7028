//! The stores a run judges chains against, each loaded when first needed.

use super::programs::{self, Program};
use super::spec::StoreSpec;
use super::store::{StoreSource, TrustStore};
use super::system::SystemLocations;
use crate::error::Error;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The stores a run judges chains against, loaded when first needed.
#[derive(Debug)]
pub struct StoreSet {
    slots: Vec<Slot>,
    locations: SystemLocations,
    /// The list that says which roots are public (Mozilla's, unless replaced).
    public: Arc<TrustStore>,
    system: OnceLock<Arc<TrustStore>>,
    full_system: OnceLock<Arc<TrustStore>>,
    default_system: OnceLock<Arc<TrustStore>>,
    loaded: OnceLock<Vec<Arc<TrustStore>>>,
    /// Programs given in code, used instead of a bundled one of the same id ([`StoreSet::with_program`]).
    programs: Vec<Arc<Program>>,
    /// Program stores already made, by id: a client profile or `--trust` asked for them.
    program_stores: Mutex<HashMap<String, Arc<TrustStore>>>,
}

/// How much of the system store to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The bundle file only, when there is one; its directories wait until they are needed.
    BundleFirst,
    /// The bundle file and every directory.
    Full,
}

#[derive(Debug)]
enum Slot {
    Ready(Arc<TrustStore>),
    Mozilla,
    System,
    Program(String),
}

impl StoreSet {
    /// The stores named by `--trust` (in order) plus one store of all `--ca-file` roots. With
    /// neither, Mozilla's list and the system store. Files are read now, so a bad path is an
    /// error before any connection; the system store is read on first use.
    pub fn new(
        specs: &[StoreSpec],
        ca_files: &[PathBuf],
        locations: SystemLocations,
    ) -> Result<StoreSet, Error> {
        let mut slots = Vec::new();
        for spec in specs {
            slots.push(match spec {
                StoreSpec::Mozilla => Slot::Mozilla,
                StoreSpec::System => Slot::System,
                StoreSpec::Program(id) => {
                    // Asked for by name: its data is parsed now, so a defect shows before any
                    // connection.
                    if let Some(Err(e)) = programs::get(id) {
                        return Err(Error::Program(e.to_string()));
                    }
                    Slot::Program(id.clone())
                }
                StoreSpec::Path(path) => Slot::Ready(Arc::new(TrustStore::from_paths(
                    std::slice::from_ref(path),
                    "",
                )?)),
            });
        }
        if !ca_files.is_empty() {
            slots.push(Slot::Ready(Arc::new(TrustStore::from_paths(
                ca_files, "ca-file",
            )?)));
        }
        if slots.is_empty() {
            slots = vec![Slot::Mozilla, Slot::System];
        }
        Ok(StoreSet {
            slots,
            locations,
            public: Arc::new(TrustStore::mozilla()),
            system: OnceLock::new(),
            full_system: OnceLock::new(),
            default_system: OnceLock::new(),
            loaded: OnceLock::new(),
            programs: Vec::new(),
            program_stores: Mutex::default(),
        })
    }

    /// Adds a root program, or replaces the bundled one of the same id, e.g. with a test PKI
    /// and constraints: `--trust ID` and the client profiles of that program then use it.
    pub fn with_program(mut self, program: Program) -> StoreSet {
        self.programs.retain(|p| p.id != program.id);
        self.programs.push(Arc::new(program));
        self
    }

    /// The program `id`: one given in code, else the bundled one (`None` if its data is bad).
    pub fn program(&self, id: &str) -> Option<Arc<Program>> {
        if let Some(given) = self.programs.iter().find(|p| p.id == id) {
            return Some(given.clone());
        }
        programs::get(id)?.ok()
    }

    /// The programs whose constraints may concern a root with this SPKI hash: every program
    /// given in code, and the bundled ones whose data names it (parsed only then).
    pub fn constraining(&self, spki_sha256: &str) -> Vec<Arc<Program>> {
        let mut found = self.programs.clone();
        for id in programs::ids() {
            if found.iter().all(|p| p.id != id) {
                found.extend(self.constraining_program(id, spki_sha256));
            }
        }
        found
    }

    /// Program `id`, when its constraints may concern a root with this SPKI hash: given in
    /// code, or bundled and naming it (so the data is parsed only for constrained roots).
    pub fn constraining_program(&self, id: &str, spki_sha256: &str) -> Option<Arc<Program>> {
        if let Some(given) = self.programs.iter().find(|p| p.id == id) {
            return Some(given.clone());
        }
        programs::may_constrain(id, spki_sha256)
            .then(|| self.program(id))
            .flatten()
    }

    /// The store of program `id` (not `mozilla`, whose store is the public list), made once.
    pub fn program_store(&self, id: &str) -> Option<Arc<TrustStore>> {
        if id == "mozilla" {
            return Some(self.public.clone());
        }
        let mut made = self
            .program_stores
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(store) = made.get(id) {
            return Some(store.clone());
        }
        let store = Arc::new(TrustStore::program(&*self.program(id)?));
        made.insert(id.to_string(), store.clone());
        Some(store)
    }

    /// Replaces the list that defines public roots (and backs `mozilla`), e.g. with a test PKI.
    pub fn with_public_list(mut self, public: TrustStore) -> StoreSet {
        self.public = Arc::new(TrustStore {
            source: StoreSource::Mozilla,
            ..public
        });
        self
    }

    /// True when the user named roots of their own (`--ca-file`, `--trust FILE`): the clients
    /// are then judged as if those roots were installed in each client's store.
    pub fn user_given(&self) -> bool {
        self.slots.iter().any(|slot| matches!(slot, Slot::Ready(_)))
    }

    /// Every store, in order, loading the system store (its bundle file first) if it is one.
    pub fn stores(&self) -> &[Arc<TrustStore>] {
        self.loaded.get_or_init(|| {
            self.slots
                .iter()
                .map(|slot| match slot {
                    Slot::Ready(store) => store.clone(),
                    Slot::Mozilla => self.public.clone(),
                    Slot::System => self.system().clone(),
                    Slot::Program(id) => self.program_store(id).unwrap_or_else(|| {
                        // Checked in `new`; an empty store of that name says the rest.
                        Arc::new(TrustStore::program(&Program::custom(id, Vec::new())))
                    }),
                })
                .collect()
        })
    }

    /// This machine's store (following the environment), its bundle file read first.
    pub fn system(&self) -> &Arc<TrustStore> {
        self.system
            .get_or_init(|| Arc::new(TrustStore::system(&self.locations, Depth::BundleFirst)))
    }

    /// The system store with its directories read too, when [`StoreSet::system`] left some.
    pub fn full_system(&self) -> Option<&Arc<TrustStore>> {
        let quick = self.system();
        if quick
            .system_origin()
            .is_none_or(|o| o.deferred_dirs.is_empty())
        {
            return None;
        }
        Some(
            self.full_system
                .get_or_init(|| Arc::new(TrustStore::system(&self.locations, Depth::Full))),
        )
    }

    /// This machine's store as the distribution set it up, ignoring the environment, read in
    /// full. When the environment names exactly the default paths, that is the same store.
    pub fn default_system(&self) -> &Arc<TrustStore> {
        if self.env_is_default() {
            return self.full_system().unwrap_or_else(|| self.system());
        }
        self.default_system
            .get_or_init(|| Arc::new(TrustStore::default_system(&self.locations, Depth::Full)))
    }

    /// Reads now every store a judgement may consult: the set itself and, when the system
    /// store is one of them, its directories and the distribution's own store. A run of many
    /// targets calls it once, off the async threads, so that judging then reads no file.
    pub fn read_all(&self) {
        self.stores();
        if self.slots.iter().any(|slot| matches!(slot, Slot::System)) {
            self.full_system();
            self.default_system();
        }
    }

    /// True when every store a judgement may consult has been read (see
    /// [`StoreSet::read_all`]): judging then reads no file and waits for no other thread.
    pub fn all_read(&self) -> bool {
        if self.loaded.get().is_none() {
            return false;
        }
        if !self.slots.iter().any(|slot| matches!(slot, Slot::System)) {
            return true;
        }
        let Some(system) = self.system.get() else {
            return false;
        };
        let deferred = system
            .system_origin()
            .is_some_and(|o| !o.deferred_dirs.is_empty());
        (!deferred || self.full_system.get().is_some())
            && (self.env_is_default() || self.default_system.get().is_some())
    }

    /// The environment names exactly the distribution's paths (or none), so the system store
    /// and the distribution's own are the same.
    fn env_is_default(&self) -> bool {
        let l = &self.locations;
        l.env_file
            .as_ref()
            .is_none_or(|f| Some(f) == l.default_file.as_ref())
            && l.env_dirs.as_ref().is_none_or(|d| *d == l.default_dirs)
    }

    /// The list that says which roots are public.
    pub fn public(&self) -> &TrustStore {
        &self.public
    }

    /// The store names without loading anything, for reports made before a chain is seen.
    pub fn names(&self) -> Vec<String> {
        self.slots
            .iter()
            .map(|slot| match slot {
                Slot::Ready(store) => store.name(),
                Slot::Mozilla => "mozilla".to_string(),
                Slot::System => "system".to_string(),
                Slot::Program(id) => id.clone(),
            })
            .collect()
    }
}
