//! ClientHellos with parameters, and what the server answers to them.
//!
//! Two uses. The old-style probe ([`Offer::legacy`]) offers everything rustls refuses (TLS
//! 1.0/1.1, CBC, RSA key exchange, 3DES, RC4, finite-field and X448 groups) so that a server
//! rustls cannot talk to still shows its choice and, up to TLS 1.2, its chain in the clear. And
//! each client profile's own ClientHello ([`Offer`] built from its versions, suites, groups and
//! signature schemes) asks the server what it would do for that client.
//!
//! Nothing is negotiated: the answer is read up to the ServerHello (TLS 1.3, whose later
//! messages are encrypted, or a HelloRetryRequest) or to ServerHelloDone (TLS 1.2 and older),
//! an alert, or a bound. A key share is sent for the client's first group when ring can make
//! one, so the server answers as it would answer that client; the private half is dropped.
//!
//! `names` holds the code-point tables, `build` writes the ClientHello, `answer` reads the reply.

mod answer;
mod build;
mod names;

pub use answer::probe;
pub use names::{
    GROUPS, SCHEMES, group_code, group_name, rustls_supports, rustls_supports_group, scheme_code,
    scheme_name, suite_code, suite_name, version_code, version_name,
};

use names::{LEGACY_SUITES, TLS13_SUITES};
use rustls::pki_types::CertificateDer;

/// The largest Certificate message the probe reads: the same bound rustls and Go put on any
/// handshake message. A server that declares more is reported, not read.
pub const MAX_HANDSHAKE_MESSAGE: usize = 0xffff;

/// What a ClientHello offers, as wire code points in the client's order of preference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Offer {
    /// 0x0301 (TLS 1.0) ... 0x0304 (TLS 1.3).
    pub versions: Vec<u16>,
    pub suites: Vec<u16>,
    pub groups: Vec<u16>,
    pub schemes: Vec<u16>,
    pub sni: Option<String>,
    /// Asks for SCTs (signed_certificate_timestamp, RFC 6962 §3.3.1): tlsdoctor's own probe
    /// does; a client profile's hello sends only what that client sends.
    pub scts: bool,
}

impl Offer {
    /// TLS 1.0 to 1.2 with every common suite, group and signature scheme, modern ones first,
    /// so that a server able to do better says so.
    pub fn legacy(sni: Option<&str>) -> Offer {
        Offer {
            versions: vec![0x0303, 0x0302, 0x0301],
            suites: LEGACY_SUITES.to_vec(),
            groups: GROUPS.iter().map(|g| g.0).collect(),
            schemes: SCHEMES.iter().map(|s| s.0).collect(),
            sni: sni.map(str::to_string),
            scts: true,
        }
    }

    /// This offer with every version, suite, group or scheme the probe can name in one
    /// `dimension`: accepted where this offer was refused, it names what the refusal was about.
    pub fn widened(&self, dimension: Dimension) -> Offer {
        let mut wider = self.clone();
        match dimension {
            Dimension::Version => wider.versions = vec![0x0304, 0x0303, 0x0302, 0x0301],
            Dimension::OldVersion => wider.versions = vec![0x0303, 0x0302, 0x0301],
            Dimension::Suite => {
                for suite in TLS13_SUITES.iter().chain(LEGACY_SUITES.iter()) {
                    if !wider.suites.contains(suite) {
                        wider.suites.push(*suite);
                    }
                }
            }
            Dimension::Group => {
                wider.groups = add_missing(&wider.groups, GROUPS.iter().map(|g| g.0))
            }
            Dimension::Scheme => {
                wider.schemes = add_missing(&wider.schemes, SCHEMES.iter().map(|s| s.0));
            }
        }
        wider
    }
}

fn add_missing(mine: &[u16], every: impl Iterator<Item = u16>) -> Vec<u16> {
    let mut all = mine.to_vec();
    all.extend(every.filter(|v| !mine.contains(v)));
    all
}

/// What part of an offer a server's refusal was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    Version,
    /// TLS 1.0 to 1.2 in a hello without supported_versions, which a server that breaks on
    /// TLS 1.3 hellos still answers.
    OldVersion,
    Suite,
    Group,
    Scheme,
}

/// What the server answered to a ClientHello.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// The version the server chose (0x0301 = TLS 1.0 ... 0x0304 = TLS 1.3).
    pub version: Option<u16>,
    /// The cipher suite it chose.
    pub cipher_suite: Option<u16>,
    /// The key-exchange group: TLS 1.3's key share or retry request, TLS 1.2's ECDHE curve.
    pub group: Option<u16>,
    /// The size in bits of the prime of a TLS 1.2 finite-field DHE exchange.
    pub dh_bits: Option<usize>,
    /// The signature scheme of a TLS 1.2 ServerKeyExchange.
    pub scheme: Option<u16>,
    /// The server asked for another key share (HelloRetryRequest).
    pub retry: bool,
    /// The certificates it sent, in order (readable up to TLS 1.2 only).
    pub chain: Vec<CertificateDer<'static>>,
    /// Set when the Certificate message declared more than [`MAX_HANDSHAKE_MESSAGE`] bytes.
    pub oversized_certificate_message: Option<usize>,
    /// An alert the server sent instead.
    pub alert: Option<u8>,
    /// The SignedCertificateTimestampList of a TLS 1.2 ServerHello's extension 18, as sent.
    pub scts: Option<Vec<u8>>,
}

/// The old-style probe's answer, by its old name.
pub type LegacyHello = Answer;

impl Answer {
    /// "TLS 1.0" for the version chosen.
    pub fn version_name(&self) -> Option<String> {
        self.version.map(version_name)
    }

    /// The chosen suite's IANA name.
    pub fn cipher_suite_name(&self) -> Option<String> {
        self.cipher_suite.map(suite_name)
    }

    /// The chosen group's IANA name (`ffdhe2048`-like for a TLS 1.2 DHE prime of that size).
    pub fn group_name(&self) -> Option<String> {
        self.group
            .map(group_name)
            .or_else(|| self.dh_bits.map(|bits| format!("DH {bits} bits")))
    }

    /// The server agreed to go on: it chose a version and a suite.
    pub fn accepted(&self) -> bool {
        self.version.is_some() && self.cipher_suite.is_some() && self.alert.is_none()
    }
}

/// Offers sent to one server and what came back (`None`: no answer in time).
#[derive(Clone, Debug, Default)]
pub struct Asked {
    pub answers: Vec<(Offer, Option<Answer>)>,
}

impl Asked {
    /// The answer to `offer`: `None` when it was not asked, `Some(None)` when no answer came.
    pub fn get(&self, offer: &Offer) -> Option<Option<&Answer>> {
        self.answers
            .iter()
            .find(|(asked, _)| asked == offer)
            .map(|(_, answer)| answer.as_ref())
    }

    /// A chain some answer showed in the clear (TLS 1.2 and older), the longest.
    pub fn chain(&self) -> Option<&Answer> {
        self.answers
            .iter()
            .filter_map(|(_, a)| a.as_ref())
            .filter(|a| !a.chain.is_empty())
            .max_by_key(|a| a.chain.len())
    }
}

/// True when a client that sent `offer` goes on with `answer`: the server chose a version and
/// suite the client offered.
pub fn agreed(offer: &Offer, answer: &Answer) -> bool {
    answer.accepted()
        && answer.version.is_some_and(|v| offer.versions.contains(&v))
        && answer
            .cipher_suite
            .is_some_and(|s| offer.suites.contains(&s))
}
