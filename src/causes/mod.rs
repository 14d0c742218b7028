//! The catalog of named causes: every way a check can fail, as data.
//!
//! Checks emit a [`Cause`] with per-instance detail; everything a person reads about a cause
//! (title, explanation, fix, severity, which side must change) lives here once, so the human
//! report, the JSON output and the README cannot drift apart.

use serde::Serialize;
use std::fmt;

/// How much a finding matters. Ordered from worst to mildest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A mainstream client rejects the connection.
    Error,
    /// Works today for most clients, but is wrong or about to break.
    Warning,
    /// Worth knowing; changes nothing about the verdict.
    Info,
}

impl Severity {
    /// The word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Who has to act to fix a cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The server's TLS configuration (the chain file, the listener).
    Server,
    /// The client's trust store or settings.
    Client,
    /// The certificate itself must be reissued.
    Certificate,
    /// Either side, depending on which CA was meant (private vs public).
    Either,
    /// Name resolution, routing or firewalls between client and server.
    Network,
    /// Nothing needs to change.
    None,
}

impl Side {
    /// The word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
            Side::Certificate => "certificate",
            Side::Either => "either",
            Side::Network => "network",
            Side::None => "none",
        }
    }
}

/// A fact about a certificate that the human report shows on a line of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertFact {
    /// Who issued it, and which presented certificate that is.
    Issuer,
    /// notBefore and notAfter.
    Validity,
    /// The Subject Alternative Names.
    Names,
    /// The public key and the signature algorithm.
    Key,
}

impl CertFact {
    /// Every fact: what a cause that names a certificate shows unless the catalog says less.
    pub const ALL: &'static [CertFact] = &[
        CertFact::Issuer,
        CertFact::Validity,
        CertFact::Names,
        CertFact::Key,
    ];
}

/// One entry of the catalog.
#[derive(Debug)]
pub struct CauseEntry {
    /// Stable kebab-case id: part of the JSON contract and of exit-code scripting.
    pub id: &'static str,
    pub severity: Severity,
    pub side: Side,
    /// One line, says what is wrong.
    pub title: &'static str,
    /// What it means and why it usually happens.
    pub explanation: &'static str,
    /// What to change, in general.
    pub fix: &'static str,
    /// The same, step by step for each platform or server where it matters.
    pub platforms: &'static [(&'static str, &'static str)],
    /// The tempting wrong fixes, named so nobody reaches for them.
    pub avoid: &'static str,
    /// The facts of the certificate a finding names that this cause is about: the compact human
    /// report shows those for it, so nothing the failure depends on is folded away.
    pub about: &'static [CertFact],
}

/// The value of an optional catalog field, or its default.
macro_rules! or_default {
    ($default:expr) => {
        $default
    };
    ($default:expr, $value:expr) => {
        $value
    };
}

macro_rules! catalog {
    ($( $(#[$doc:meta])* $variant:ident {
        id: $id:literal, severity: $sev:ident, side: $side:ident,
        title: $title:literal, explanation: $explanation:literal, fix: $fix:expr
        $(, platforms: $platforms:expr)? $(, avoid: $avoid:expr)? $(, about: $about:expr)? $(,)?
    } )*) => {
        /// A named cause. Its words live in [`Cause::entry`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Cause { $( $(#[$doc])* $variant, )* }

        impl Cause {
            /// Every cause, in catalog order.
            pub const ALL: &'static [Cause] = &[ $(Cause::$variant),* ];

            /// The catalog entry for this cause.
            pub fn entry(self) -> &'static CauseEntry {
                match self {
                    $(Cause::$variant => &CauseEntry {
                        id: $id,
                        severity: Severity::$sev,
                        side: Side::$side,
                        title: $title,
                        explanation: $explanation,
                        fix: $fix,
                        platforms: or_default!(&[] $(, $platforms)?),
                        avoid: or_default!("" $(, $avoid)?),
                        about: or_default!(CertFact::ALL $(, $about)?),
                    },)*
                }
            }
        }
    };
}

mod catalog;
pub use catalog::Cause;

impl Cause {
    /// The stable id, e.g. `missing-intermediate`.
    pub fn id(self) -> &'static str {
        self.entry().id
    }

    /// The catalog severity of this cause.
    pub fn severity(self) -> Severity {
        self.entry().severity
    }

    /// Looks a cause up by its id.
    pub fn from_id(id: &str) -> Option<Cause> {
        Cause::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Cause {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}
