//! Trust stores: the roots a chain is judged against, and where each set came from.
//!
//! By default a chain is judged against Mozilla's list (compiled in through webpki-roots) and
//! this machine's system store, read only once a chain is in hand. `--trust` and `--ca-file`
//! choose other stores, among them the root programs bundled as data ([`programs`]). The
//! system store follows `SSL_CERT_FILE` / `SSL_CERT_DIR` the way OpenSSL, Go and curl do, and
//! the report says which file or directory was read and why.
//!
//! The data flows down the modules: [`spec`] names a store, [`store`] holds its anchors,
//! [`system`] reads this machine's, [`programs`] the bundled root programs with their
//! [`constraint`]s, and [`set`] loads what a run needs when it first needs it.

pub mod constraint;
pub(crate) mod der;
pub mod programs;
pub mod set;
pub mod spec;
pub mod store;
pub mod system;

pub use set::{Depth, StoreSet};
pub use spec::{SpecError, StoreSpec};
pub use store::{AnchorInfo, StoreSource, TrustStore};
pub use system::{SystemLocations, SystemOrigin};
