//! Client profiles: what each TLS client version offers and enforces by default, as data with
//! a source for every fact (data/clients.toml), and the outcome for each client ([`judge`]).
//!
//! The data is compiled in and parsed on first use only, so a run that asks for no client
//! pays nothing for it.

mod certificates;
pub mod judge;
mod negotiation;
pub mod probe;
mod trust;

use crate::capture::hello::{self, Offer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The profile data, as reviewed in the repository.
pub const DATA: &str = include_str!("../../data/clients.toml");

/// One fact about a client, with where it comes from and when that was checked.
#[derive(Clone, Debug, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: String,
    /// The date the source was read (YYYY-MM-DD).
    pub checked: String,
}

/// Whose roots a client trusts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Store {
    /// The operating system's store (OpenSSL's default paths, the distribution bundle).
    System,
    /// A copy of Mozilla's list shipped with the client (Node.js, certifi, Firefox, rustls).
    Mozilla,
    /// The JDK's cacerts.
    Java,
    Chrome,
    Apple,
    Microsoft,
    Android,
}

impl Store {
    /// The word used in data and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Store::System => "system",
            Store::Mozilla => "mozilla",
            Store::Java => "java",
            Store::Chrome => "chrome",
            Store::Apple => "apple",
            Store::Microsoft => "microsoft",
            Store::Android => "android",
        }
    }
}

/// How a client treats SHA-1 signatures on certificates below the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sha1 {
    Allowed,
    Refused,
    /// Refused under a public root, allowed under one the user installed (Java's `jdkCA`).
    PrivateRoots,
}

/// One client version, every fact resolved through `inherits`.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    /// FAMILY-VERSION, e.g. `go-1.22`.
    pub id: String,
    pub name: String,
    pub family: String,
    /// The programs this profile stands for.
    pub clients: String,
    /// The program on a Debian machine whose behaviour this profile must match, if any.
    pub runs_here: Option<String>,
    pub inherits: Option<String>,
    pub store: Sourced<Store>,
    pub versions: Sourced<Vec<String>>,
    pub cipher_suites: Sourced<Vec<String>>,
    pub groups: Sourced<Vec<String>>,
    pub signature_schemes: Sourced<Vec<String>>,
    pub min_rsa_bits: Sourced<u32>,
    /// Smallest finite-field DHE group it accepts; 0 when it offers no DHE at all.
    pub min_dh_bits: Sourced<u32>,
    pub sha1: Sourced<Sha1>,
    pub key_types: Sourced<Vec<String>>,
    pub cn_fallback: Sourced<bool>,
    pub checks_eku: Sourced<bool>,
    pub any_eku: Sourced<bool>,
    pub leaf_ca: Sourced<bool>,
    pub aia_fetch: Sourced<bool>,
    pub strict_rfc5280: Sourced<bool>,
    /// Refuses to match a name through a wildcard directly over an ICANN public suffix.
    pub psl_wildcards: Sourced<bool>,
    /// The limits it puts on a leaf's validity period.
    pub lifetime_policy: Sourced<crate::checks::lifetime::Policy>,
    /// The bundled root program whose store and constraints it applies (`java-17`), or `none`
    /// when its store has several releases and none is bundled; absent: the store kind decides
    /// the roots, and no program constraint applies (Node copies Mozilla's roots, not NSS's
    /// distrust-after dates).
    pub root_program: Option<Sourced<String>>,
    /// Its version as its root program's version limits read it (Chrome's `min_version`).
    pub program_version: Option<Sourced<u32>>,
    /// The Certificate Transparency policy it enforces.
    pub ct_policy: Sourced<crate::checks::ct::Policy>,
    /// Its versions, suites, groups and schemes as wire codes, made once.
    #[serde(skip)]
    wire: Offer,
}

/// Key types a profile may list.
pub const KEY_TYPES: &[&str] = &[
    "rsa", "rsa-pss", "ec-p256", "ec-p384", "ec-p521", "ed25519", "ed448",
];

/// Why the profile data cannot be used: a defect of the data file, caught by its tests.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("data/clients.toml does not parse: {0}")]
    Syntax(String),
    #[error("profile {id}: {problem}")]
    Profile { id: String, problem: String },
}

#[derive(Deserialize)]
struct RawFile {
    profile: Vec<RawProfile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    name: String,
    family: String,
    clients: String,
    runs_here: Option<String>,
    inherits: Option<String>,
    #[serde(default)]
    facts: BTreeMap<String, RawFact>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    value: toml::Value,
    source: String,
    checked: String,
}

/// Every profile, in file order. Parsed once.
pub fn all() -> Result<&'static [Profile], &'static ProfileError> {
    static PROFILES: OnceLock<Result<Vec<Profile>, ProfileError>> = OnceLock::new();
    PROFILES
        .get_or_init(|| parse(DATA))
        .as_ref()
        .map(Vec::as_slice)
}

/// Parses profile data and resolves inheritance; every profile must end with every fact.
pub fn parse(text: &str) -> Result<Vec<Profile>, ProfileError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))?;
    let problem = |p: &RawProfile, problem: String| ProfileError::Profile {
        id: p.id.clone(),
        problem,
    };
    for (position, p) in raw.profile.iter().enumerate() {
        if raw.profile[..position].iter().any(|q| q.id == p.id) {
            return Err(problem(p, "the id is used twice".into()));
        }
        if let Some(name) = p
            .facts
            .keys()
            .find(|n| !FACTS.contains(&n.as_str()) && !OPTIONAL_FACTS.contains(&n.as_str()))
        {
            return Err(problem(p, format!("unknown fact {name}")));
        }
    }
    raw.profile
        .iter()
        .map(|p| {
            let facts = resolve(&raw.profile, p).map_err(|e| problem(p, e))?;
            build(p, &facts).map_err(|e| problem(p, e))
        })
        .collect()
}

/// A profile's facts: its ancestors' first, each overridden by its own.
fn resolve(all: &[RawProfile], profile: &RawProfile) -> Result<BTreeMap<String, RawFact>, String> {
    let mut lineage = vec![profile];
    while let Some(parent) = lineage.last().and_then(|p| p.inherits.as_deref()) {
        let found = all
            .iter()
            .find(|p| p.id == parent)
            .ok_or_else(|| format!("inherits {parent}, which is not defined"))?;
        if lineage.iter().any(|p| p.id == found.id) {
            return Err(format!("inherits in a circle through {parent}"));
        }
        lineage.push(found);
    }
    let mut facts = BTreeMap::new();
    for p in lineage.iter().rev() {
        facts.extend(p.facts.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(facts)
}

/// The facts every profile must have.
const FACTS: &[&str] = &[
    "store",
    "versions",
    "cipher_suites",
    "groups",
    "signature_schemes",
    "min_rsa_bits",
    "min_dh_bits",
    "sha1",
    "key_types",
    "cn_fallback",
    "checks_eku",
    "any_eku",
    "leaf_ca",
    "aia_fetch",
    "strict_rfc5280",
    "psl_wildcards",
    "lifetime_policy",
    "ct_policy",
];

/// The facts a profile may have.
const OPTIONAL_FACTS: &[&str] = &["root_program", "program_version"];

fn build(p: &RawProfile, facts: &BTreeMap<String, RawFact>) -> Result<Profile, String> {
    let key_types: Sourced<Vec<String>> = fact(facts, "key_types")?;
    if let Some(unknown) = key_types
        .value
        .iter()
        .find(|k| !KEY_TYPES.contains(&k.as_str()))
    {
        return Err(format!("unknown key type {unknown}"));
    }
    let mut profile = Profile {
        id: p.id.clone(),
        name: p.name.clone(),
        family: p.family.clone(),
        clients: p.clients.clone(),
        runs_here: p.runs_here.clone(),
        inherits: p.inherits.clone(),
        store: fact(facts, "store")?,
        versions: fact(facts, "versions")?,
        cipher_suites: fact(facts, "cipher_suites")?,
        groups: fact(facts, "groups")?,
        signature_schemes: fact(facts, "signature_schemes")?,
        min_rsa_bits: fact(facts, "min_rsa_bits")?,
        min_dh_bits: fact(facts, "min_dh_bits")?,
        sha1: fact(facts, "sha1")?,
        key_types,
        cn_fallback: fact(facts, "cn_fallback")?,
        checks_eku: fact(facts, "checks_eku")?,
        any_eku: fact(facts, "any_eku")?,
        leaf_ca: fact(facts, "leaf_ca")?,
        aia_fetch: fact(facts, "aia_fetch")?,
        strict_rfc5280: fact(facts, "strict_rfc5280")?,
        psl_wildcards: fact(facts, "psl_wildcards")?,
        lifetime_policy: fact(facts, "lifetime_policy")?,
        root_program: optional(facts, "root_program")?,
        program_version: optional(facts, "program_version")?,
        ct_policy: fact(facts, "ct_policy")?,
        wire: Offer::default(),
    };
    if let Some(program) = &profile.root_program {
        let id = program.value.as_str();
        if id != "none" && crate::trust::programs::ids().all(|known| known != id) {
            return Err(format!("root_program {id} is not a bundled root program"));
        }
    }
    // Every name must be one the ClientHello can send.
    profile.wire = profile
        .wire()
        .map_err(|unknown| format!("unknown name {unknown}"))?;
    Ok(profile)
}

impl Profile {
    /// The profile's versions, suites, groups and schemes as wire codes, in its order; the
    /// name that has no code is the error.
    pub fn wire(&self) -> Result<Offer, String> {
        fn codes(names: &[String], code: fn(&str) -> Option<u16>) -> Result<Vec<u16>, String> {
            names
                .iter()
                .map(|n| code(n).ok_or_else(|| n.clone()))
                .collect()
        }
        Ok(Offer {
            versions: codes(&self.versions.value, hello::version_code)?,
            suites: codes(&self.cipher_suites.value, hello::suite_code)?,
            groups: codes(&self.groups.value, hello::group_code)?,
            schemes: codes(&self.signature_schemes.value, hello::scheme_code)?,
            sni: None,
            scts: false,
        })
    }

    /// The root program whose store this client is judged against: `mozilla`, `chrome`, a
    /// bundled release such as `java-17`, or `None` when no bundled data stands for its store
    /// (system stores are judged as this machine's).
    pub fn program_id(&self) -> Option<&str> {
        if let Some(program) = &self.root_program {
            return (program.value != "none").then_some(program.value.as_str());
        }
        match self.store.value {
            Store::Mozilla => Some("mozilla"),
            Store::Chrome => Some("chrome"),
            _ => None,
        }
    }

    /// The bundled program whose constraints this client applies, when the data says so.
    pub fn constraints_program(&self) -> Option<&str> {
        self.root_program
            .as_ref()
            .map(|p| p.value.as_str())
            .filter(|id| *id != "none")
    }

    /// The ClientHello this client sends to `sni`.
    pub fn offer(&self, sni: Option<&str>) -> Offer {
        Offer {
            sni: sni.map(str::to_string),
            ..self.wire.clone()
        }
    }
}

fn optional<T: serde::de::DeserializeOwned>(
    facts: &BTreeMap<String, RawFact>,
    name: &str,
) -> Result<Option<Sourced<T>>, String> {
    facts
        .contains_key(name)
        .then(|| fact(facts, name))
        .transpose()
}

fn fact<T: serde::de::DeserializeOwned>(
    facts: &BTreeMap<String, RawFact>,
    name: &str,
) -> Result<Sourced<T>, String> {
    let raw = facts
        .get(name)
        .ok_or_else(|| format!("has no {name}, its own or inherited"))?;
    let value = raw
        .value
        .clone()
        .try_into()
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(Sourced {
        value,
        source: raw.source.clone(),
        checked: raw.checked.clone(),
    })
}

/// The profiles shown when none are asked for: the current version of each family.
pub const DEFAULT_SET: &[&str] = &[
    "chrome",
    "firefox",
    "safari",
    "openssl-3.0",
    "gnutls-3.7",
    "python-3.11",
    "node-20",
    "go-1.22",
    "java-17",
    "android-14",
    "rustls",
];

/// Why a `--clients` list cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("{0}")]
    Data(&'static ProfileError),
    #[error("no client profile or family is called {0:?}: `tlsdoctor clients` lists them")]
    Unknown(String),
}

/// The profiles a `--clients` value names: `all`, `none`, `default`, or a comma-separated
/// list of profile ids and families (`java` means every java-N).
pub fn select(spec: &str) -> Result<Vec<&'static Profile>, SelectError> {
    let profiles = all().map_err(SelectError::Data)?;
    let mut chosen: Vec<&'static Profile> = Vec::new();
    for word in spec.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let matched: Vec<&'static Profile> = match word {
            "all" => profiles.iter().collect(),
            "none" => Vec::new(),
            "default" => profiles
                .iter()
                .filter(|p| DEFAULT_SET.contains(&p.id.as_str()))
                .collect(),
            _ => profiles
                .iter()
                .filter(|p| p.id == word || p.family == word)
                .collect(),
        };
        if matched.is_empty() && word != "none" {
            return Err(SelectError::Unknown(word.to_string()));
        }
        for p in matched {
            if !chosen.iter().any(|c| c.id == p.id) {
                chosen.push(p);
            }
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACT: &str = r#"{ value = true, source = "s", checked = "2026-12-04" }"#;

    fn profile(id: &str, extra: &str) -> String {
        format!(
            "[[profile]]\nid = \"{id}\"\nname = \"n\"\nfamily = \"f\"\nclients = \"c\"\n{extra}\n"
        )
    }

    #[test]
    fn the_data_file_parses_with_every_fact_resolved() {
        let profiles = all().expect("data/clients.toml");
        assert!(profiles.len() >= 37, "{}", profiles.len());
    }

    /// Names and client lists are printed as they are: a value quoted twice in the TOML would
    /// show its quotes in `tlsdoctor clients` and in every report.
    #[test]
    fn every_name_and_client_list_is_plain_text() {
        for profile in all().expect("data/clients.toml") {
            for text in [&profile.name, &profile.clients] {
                assert!(
                    !text.starts_with('"') && !text.ends_with('"'),
                    "{}: {text}",
                    profile.id
                );
            }
        }
    }

    #[test]
    fn a_repeated_id_an_unknown_fact_and_a_missing_parent_are_refused() {
        let twice = format!("{}{}", profile("a-1", ""), profile("a-1", ""));
        assert!(parse(&twice).is_err_and(|e| e.to_string().contains("used twice")));
        let unknown = profile("a-1", &format!("facts.colour = {FACT}"));
        assert!(parse(&unknown).is_err_and(|e| e.to_string().contains("unknown fact colour")));
        let orphan = profile("a-1", "inherits = \"b-1\"");
        assert!(parse(&orphan).is_err_and(|e| e.to_string().contains("b-1")));
        let circle = format!(
            "{}{}",
            profile("a-1", "inherits = \"b-1\""),
            profile("b-1", "inherits = \"a-1\"")
        );
        assert!(parse(&circle).is_err_and(|e| e.to_string().contains("circle")));
    }

    /// The `rustls` profile is this tool's own stack: it must offer what the ring provider does.
    #[test]
    fn the_rustls_profile_offers_what_the_ring_provider_offers() {
        let rustls = select("rustls").expect("rustls")[0];
        let offer = rustls.wire().expect("names");
        let provider = rustls::crypto::ring::default_provider();
        let suites: Vec<u16> = provider
            .cipher_suites
            .iter()
            .map(|s| u16::from(s.suite()))
            .collect();
        assert_eq!(offer.suites, suites);
        let groups: Vec<u16> = provider
            .kx_groups
            .iter()
            .map(|g| u16::from(g.name()))
            .collect();
        assert_eq!(offer.groups, groups);
        let schemes: Vec<u16> = provider
            .signature_verification_algorithms
            .supported_schemes()
            .into_iter()
            .map(u16::from)
            .collect();
        assert_eq!(offer.schemes, schemes);
    }

    #[test]
    fn a_profile_without_every_fact_is_refused() {
        let bare = profile("a-1", &format!("facts.cn_fallback = {FACT}"));
        assert!(parse(&bare).is_err_and(|e| e.to_string().contains("has no")));
    }
}
