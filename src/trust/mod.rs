//! Trust stores: the roots a chain is judged against, and where each set came from.
//!
//! By default a chain is judged against Mozilla's list (compiled in through webpki-roots) and
//! this machine's system store, read only once a chain is in hand. `--trust` and `--ca-file`
//! choose other stores. The system store follows `SSL_CERT_FILE` / `SSL_CERT_DIR` the way
//! OpenSSL, Go and curl do, and the report says which file or directory was read and why.
//!
//! The data flows down the modules: [`spec`] names a store, [`store`] holds its anchors,
//! [`system`] reads this machine's, [`set`] loads what a run needs when it first
//! needs it.

mod der;
pub mod set;
pub mod spec;
pub mod store;
pub mod system;

pub use set::{Depth, StoreSet};
pub use spec::StoreSpec;
pub use store::{AnchorInfo, StoreSource, TrustStore};
pub use system::{SystemLocations, SystemOrigin};
