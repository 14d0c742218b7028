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

use rustls::pki_types::CertificateDer;
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest Certificate message the probe reads: the same bound rustls and Go put on any
/// handshake message. A server that declares more is reported, not read.
pub const MAX_HANDSHAKE_MESSAGE: usize = 0xffff;

/// The most the probe reads from the server in all.
const MAX_PROBE_BYTES: usize = 256 * 1024;

/// TLS 1.3's HelloRetryRequest is a ServerHello with this random (RFC 8446, 4.1.3).
const RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

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

/// "TLS 1.0" for 0x0301.
pub fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0304 => "TLS 1.3".to_string(),
        other => format!("version 0x{other:04x}"),
    }
}

/// 0x0303 for `TLSv1.2`, as profiles write versions.
pub fn version_code(name: &str) -> Option<u16> {
    match name {
        "TLSv1.0" => Some(0x0301),
        "TLSv1.1" => Some(0x0302),
        "TLSv1.2" => Some(0x0303),
        "TLSv1.3" => Some(0x0304),
        _ => None,
    }
}

/// The IANA name of a cipher suite (`TLS_AES_128_GCM_SHA256`, not rustls' `TLS13_` spelling).
pub fn suite_name(suite: u16) -> String {
    let suite = rustls::CipherSuite::from(suite);
    suite.as_str().map_or_else(
        || format!("{suite:?}"),
        |name| name.replacen("TLS13_", "TLS_", 1),
    )
}

/// The code of a suite's IANA name, for the suites rustls can name.
pub fn suite_code(name: &str) -> Option<u16> {
    static CODES: std::sync::OnceLock<std::collections::HashMap<String, u16>> =
        std::sync::OnceLock::new();
    const RANGES: [std::ops::RangeInclusive<u16>; 4] = [
        0x0000..=0x00ff,
        0x1300..=0x13ff,
        0xc000..=0xc0ff,
        0xcc00..=0xccff,
    ];
    CODES
        .get_or_init(|| {
            RANGES
                .iter()
                .flat_map(|r| r.clone())
                .filter(|&code| rustls::CipherSuite::from(code).as_str().is_some())
                .map(|code| (suite_name(code), code))
                .collect()
        })
        .get(name)
        .copied()
}

/// Key-exchange groups by IANA name.
pub const GROUPS: &[(u16, &str)] = &[
    (0x001d, "x25519"),
    (0x0017, "secp256r1"),
    (0x0018, "secp384r1"),
    (0x0019, "secp521r1"),
    (0x001e, "x448"),
    (0x0100, "ffdhe2048"),
    (0x0101, "ffdhe3072"),
    (0x0102, "ffdhe4096"),
    (0x0103, "ffdhe6144"),
    (0x0104, "ffdhe8192"),
    (0x11ec, "x25519mlkem768"),
    (0x11eb, "secp256r1mlkem768"),
    (0x11ed, "secp384r1mlkem1024"),
    (0x6399, "x25519kyber768draft00"),
];

/// Signature schemes by IANA name.
pub const SCHEMES: &[(u16, &str)] = &[
    (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0804, "rsa_pss_rsae_sha256"),
    (0x0401, "rsa_pkcs1_sha256"),
    (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0805, "rsa_pss_rsae_sha384"),
    (0x0501, "rsa_pkcs1_sha384"),
    (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0806, "rsa_pss_rsae_sha512"),
    (0x0601, "rsa_pkcs1_sha512"),
    (0x0807, "ed25519"),
    (0x0808, "ed448"),
    (0x0809, "rsa_pss_pss_sha256"),
    (0x080a, "rsa_pss_pss_sha384"),
    (0x080b, "rsa_pss_pss_sha512"),
    (0x0904, "mldsa44"),
    (0x0905, "mldsa65"),
    (0x0906, "mldsa87"),
    (0x0303, "ecdsa_sha224"),
    (0x0301, "rsa_pkcs1_sha224"),
    (0x0402, "dsa_sha256"),
    (0x0502, "dsa_sha384"),
    (0x0602, "dsa_sha512"),
    (0x0302, "dsa_sha224"),
    (0x0203, "ecdsa_sha1"),
    (0x0201, "rsa_pkcs1_sha1"),
    (0x0202, "dsa_sha1"),
];

fn lookup(table: &[(u16, &'static str)], name: &str) -> Option<u16> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(code, _)| *code)
}

/// The code of a group's IANA name.
pub fn group_code(name: &str) -> Option<u16> {
    lookup(GROUPS, name)
}

/// The code of a signature scheme's IANA name.
pub fn scheme_code(name: &str) -> Option<u16> {
    lookup(SCHEMES, name)
}

/// A group's IANA name, or its code.
pub fn group_name(code: u16) -> String {
    GROUPS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| format!("group 0x{code:04x}"), |(_, n)| (*n).to_string())
}

/// A signature scheme's IANA name, or its code.
pub fn scheme_name(code: u16) -> String {
    SCHEMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| format!("scheme 0x{code:04x}"), |(_, n)| (*n).to_string())
}

/// True for the TLS 1.2 suites rustls (and so this tool's own handshake) supports.
pub fn rustls_supports(suite: u16) -> bool {
    crate::capture::provider()
        .cipher_suites
        .iter()
        .any(|s| u16::from(s.suite()) == suite)
}

/// True for the groups this tool's own handshake offers.
pub fn rustls_supports_group(group: u16) -> bool {
    crate::capture::provider()
        .kx_groups
        .iter()
        .any(|g| u16::from(g.name()) == group)
}

/// TLS 1.3's suites.
const TLS13_SUITES: [u16; 5] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

/// What the old-style probe offers, modern suites first.
const LEGACY_SUITES: [u16; 34] = [
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE with AEAD: what rustls supports
    0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013, 0xc00a, 0xc014, // ECDHE with CBC
    0x009e, 0x009f, 0x0067, 0x006b, 0x0033, 0x0039, // DHE
    0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, // RSA key exchange
    0xc012, 0x000a, 0x0016, // 3DES
    0x0005, 0x0004, 0xc011, // RC4
    0x0041, // Camellia
    0x00ff, // renegotiation info SCSV
];

/// Sends `offer`'s ClientHello and reads the answer until the point described above.
pub async fn probe<S>(mut stream: S, offer: &Offer) -> io::Result<Answer>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&client_hello(offer)).await?;
    stream.flush().await?;
    let mut answer = Answer::default();
    let mut handshake: Vec<u8> = Vec::new();
    let mut read_total = 0usize;
    loop {
        let mut header = [0u8; 5];
        if stream.read_exact(&mut header).await.is_err() {
            return Ok(answer);
        }
        let [kind, major, _, high, low] = header;
        let length = usize::from(u16::from_be_bytes([high, low]));
        if major != 3 || length > 16384 + 2048 {
            return Ok(answer);
        }
        read_total += 5 + length;
        if read_total > MAX_PROBE_BYTES {
            return Ok(answer);
        }
        let mut body = vec![0u8; length];
        if stream.read_exact(&mut body).await.is_err() {
            return Ok(answer);
        }
        match kind {
            21 => {
                answer.alert = body.get(1).copied();
                return Ok(answer);
            }
            22 => {
                handshake.extend_from_slice(&body);
                if read_messages(&mut handshake, &mut answer) {
                    return Ok(answer);
                }
            }
            _ => return Ok(answer),
        }
    }
}

/// Consumes the complete handshake messages at the front of `buffer`. True when the probe is
/// done: a TLS 1.3 ServerHello or retry request, ServerHelloDone, or a message too large.
fn read_messages(buffer: &mut Vec<u8>, answer: &mut Answer) -> bool {
    loop {
        let mut header = Reader(buffer);
        let (Some(kind), Some(length)) = (header.u8(), header.u24()) else {
            return false;
        };
        if kind == 11 && length > MAX_HANDSHAKE_MESSAGE {
            answer.oversized_certificate_message = Some(length);
            return true;
        }
        if length > MAX_HANDSHAKE_MESSAGE {
            return true;
        }
        let Some(message) = buffer.get(4..4 + length) else {
            return false;
        };
        match kind {
            2 => {
                server_hello(message, answer);
                if answer.retry || answer.version == Some(0x0304) || answer.version.is_none() {
                    return true;
                }
            }
            11 => answer.chain = certificates(message),
            12 => key_exchange(message, answer),
            14 => return true,
            _ => {}
        }
        buffer.drain(..4 + length);
    }
}

fn server_hello(message: &[u8], answer: &mut Answer) {
    let mut reader = Reader(message);
    answer.version = reader.u16();
    answer.retry = reader.take(32) == Some(&RETRY_RANDOM[..]);
    let session = reader.u8().map(usize::from).unwrap_or(0);
    let _session_id = reader.take(session);
    answer.cipher_suite = reader.u16();
    let _compression = reader.u8();
    let Some(extensions) = reader.u16().and_then(|n| reader.take(usize::from(n))) else {
        return;
    };
    let mut extensions = Reader(extensions);
    while let (Some(kind), Some(body)) = (
        extensions.u16(),
        extensions
            .u16()
            .and_then(|n| extensions.take(usize::from(n))),
    ) {
        let mut body = Reader(body);
        match kind {
            0x002b => answer.version = body.u16().or(answer.version),
            0x0033 => answer.group = body.u16(),
            0x0012 => answer.scts = Some(body.0.to_vec()),
            _ => {}
        }
    }
}

/// The group (or DH prime size) and signature scheme of a TLS 1.2 ServerKeyExchange.
fn key_exchange(message: &[u8], answer: &mut Answer) {
    let dhe = answer
        .cipher_suite_name()
        .is_some_and(|s| s.starts_with("TLS_DHE_"));
    let mut reader = Reader(message);
    if dhe {
        let Some(prime) = reader.u16().and_then(|n| reader.take(usize::from(n))) else {
            return;
        };
        let leading = prime.iter().take_while(|b| **b == 0).count();
        let significant = &prime[leading..];
        answer.dh_bits = significant
            .first()
            .map(|b| (significant.len() - 1) * 8 + (8 - b.leading_zeros() as usize));
        let _generator = reader.u16().and_then(|n| reader.take(usize::from(n)));
        let _public = reader.u16().and_then(|n| reader.take(usize::from(n)));
    } else if reader.u8() == Some(3) {
        answer.group = reader.u16();
        let _point = reader.u8().and_then(|n| reader.take(usize::from(n)));
    } else {
        return;
    }
    if answer.version == Some(0x0303) {
        answer.scheme = reader.u16();
    }
}

fn certificates(message: &[u8]) -> Vec<CertificateDer<'static>> {
    let mut reader = Reader(message);
    let Some(list) = reader.u24().and_then(|n| reader.take(n)) else {
        return Vec::new();
    };
    let mut list = Reader(list);
    let mut chain = Vec::new();
    while let Some(der) = list.u24().and_then(|n| list.take(n)) {
        chain.push(CertificateDer::from(der.to_vec()));
    }
    chain
}

/// Big-endian fields off the front of a byte slice; `None` once it runs out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

/// The ClientHello record for `offer`. With TLS 1.3 offered, the versions go in
/// supported_versions and one key share is sent; without, the highest version is the hello's
/// own, as an old client sends it.
fn client_hello(offer: &Offer) -> Vec<u8> {
    let tls13 = offer.versions.contains(&0x0304);
    let mut extensions = Vec::new();
    if let Some(name) = &offer.sni {
        let mut list = vec![0u8];
        push_u16_prefixed(&mut list, name.as_bytes());
        let mut body = Vec::new();
        push_u16_prefixed(&mut body, &list);
        push_extension(&mut extensions, 0x0000, &body);
    }
    push_extension(&mut extensions, 0x000a, &u16_list(&offer.groups));
    push_extension(&mut extensions, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
    push_extension(&mut extensions, 0x000d, &u16_list(&offer.schemes));
    if offer.scts {
        push_extension(&mut extensions, 0x0012, &[]);
    }
    // extended_master_secret and renegotiation_info, which some servers insist on.
    push_extension(&mut extensions, 0x0017, &[]);
    push_extension(&mut extensions, 0xff01, &[0]);
    if tls13 {
        let mut versions: Vec<u16> = offer.versions.clone();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        let bytes: Vec<u8> = versions.iter().flat_map(|v| v.to_be_bytes()).collect();
        let mut body = vec![u8::try_from(bytes.len()).unwrap_or(u8::MAX)];
        body.extend_from_slice(&bytes);
        push_extension(&mut extensions, 0x002b, &body);
        push_extension(&mut extensions, 0x002d, &[1, 1]); // psk_dhe_ke, as every client sends
        let mut shares = Vec::new();
        if let Some((group, public)) = key_share(&offer.groups) {
            shares.extend_from_slice(&group.to_be_bytes());
            push_u16_prefixed(&mut shares, &public);
        }
        let mut body = Vec::new();
        push_u16_prefixed(&mut body, &shares);
        push_extension(&mut extensions, 0x0033, &body);
    }
    let legacy_version = offer
        .versions
        .iter()
        .copied()
        .max()
        .unwrap_or(0x0303)
        .min(0x0303);
    let mut hello = legacy_version.to_be_bytes().to_vec();
    hello.extend_from_slice(&random());
    if tls13 {
        hello.push(32); // a session id, as TLS 1.3 clients send for middleboxes
        hello.extend_from_slice(&random());
    } else {
        hello.push(0);
    }
    let mut suites = offer.suites.clone();
    if !tls13 && !suites.contains(&0x00ff) {
        suites.push(0x00ff);
    }
    push_u16_prefixed(
        &mut hello,
        &suites
            .iter()
            .flat_map(|s| s.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    hello.extend_from_slice(&[1, 0]); // compression: null
    push_u16_prefixed(&mut hello, &extensions);

    let mut message = vec![1u8];
    message.extend_from_slice(&u24(hello.len()));
    message.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x01];
    push_u16_prefixed(&mut record, &message);
    record
}

/// A public key share for the first group ring can make one for. One share per group serves
/// every hello of the run: the probe stops before the key would be used, so the private half is
/// dropped at once.
fn key_share(groups: &[u16]) -> Option<(u16, Vec<u8>)> {
    use ring::agreement::{ECDH_P256, ECDH_P384, EphemeralPrivateKey, X25519};
    static SHARES: std::sync::OnceLock<Vec<(u16, Vec<u8>)>> = std::sync::OnceLock::new();
    let shares = SHARES.get_or_init(|| {
        let rng = ring::rand::SystemRandom::new();
        [
            (0x001d, &X25519),
            (0x0017, &ECDH_P256),
            (0x0018, &ECDH_P384),
        ]
        .into_iter()
        .filter_map(|(group, algorithm)| {
            let key = EphemeralPrivateKey::generate(algorithm, &rng).ok()?;
            let public = key.compute_public_key().ok()?;
            Some((group, public.as_ref().to_vec()))
        })
        .collect()
    });
    groups
        .iter()
        .find_map(|group| shares.iter().find(|(g, _)| g == group).cloned())
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    let mut out = Vec::new();
    push_u16_prefixed(
        &mut out,
        &values
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    out
}

fn random() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    // The random only has to differ between hellos; a failure leaves zeros, which still works.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes
}

fn u24(n: usize) -> [u8; 3] {
    let [_, a, b, c] = u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    [a, b, c]
}

fn push_u16_prefixed(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
}

fn push_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16_prefixed(out, body);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ServerHello, Certificate and ServerHelloDone as a TLS 1.0 server sends them.
    fn flight(version: u16, suite: u16, certs: &[&[u8]]) -> Vec<u8> {
        let mut hello = version.to_be_bytes().to_vec();
        hello.extend_from_slice(&[7u8; 32]);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        let mut list = Vec::new();
        for cert in certs {
            list.extend_from_slice(&u24(cert.len()));
            list.extend_from_slice(cert);
        }
        let mut certificate = u24(list.len()).to_vec();
        certificate.extend_from_slice(&list);
        let mut handshake = Vec::new();
        for (kind, body) in [(2u8, hello), (11, certificate), (14, Vec::new())] {
            handshake.push(kind);
            handshake.extend_from_slice(&u24(body.len()));
            handshake.extend_from_slice(&body);
        }
        let mut record = vec![0x16, 0x03, 0x01];
        push_u16_prefixed(&mut record, &handshake);
        record
    }

    async fn answer(server_bytes: Vec<u8>) -> LegacyHello {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let serve = tokio::spawn(async move {
            let mut hello = [0u8; 512];
            let _ = server.read(&mut hello).await;
            let _ = server.write_all(&server_bytes).await;
        });
        let result = probe(client, &Offer::legacy(Some("ok.test"))).await;
        let _ = serve.await;
        result.unwrap_or_default()
    }

    #[tokio::test]
    async fn the_probe_asks_for_scts_and_keeps_the_server_hellos_list() {
        assert!(
            client_hello(&Offer::legacy(None))
                .windows(4)
                .any(|w| w == [0x00, 0x12, 0x00, 0x00])
        );
        let mut bytes = flight(0x0303, 0xc02f, &[b"leaf"]);
        // Splice extension 18 (a 4-byte list) into the ServerHello: 2 + 4 + 4 bytes longer.
        let list = [0x00, 0x02, 0xaa, 0xbb];
        let mut hello_end = 5 + 4 + 2 + 32 + 1 + 2 + 1;
        let mut extensions = vec![0x00, 0x08, 0x00, 0x12, 0x00, 0x04];
        extensions.extend_from_slice(&list);
        bytes.splice(hello_end..hello_end, extensions.iter().copied());
        hello_end += extensions.len();
        let grow = |at: usize, bytes: &mut Vec<u8>, by: usize, width: usize| {
            let mut n = 0usize;
            for b in &bytes[at..at + width] {
                n = (n << 8) | usize::from(*b);
            }
            let n = (n + by).to_be_bytes();
            bytes[at..at + width].copy_from_slice(&n[n.len() - width..]);
        };
        grow(3, &mut bytes, extensions.len(), 2); // record length
        grow(6, &mut bytes, extensions.len(), 3); // ServerHello length
        assert!(hello_end < bytes.len());
        let got = answer(bytes).await;
        assert_eq!(got.scts.as_deref(), Some(&list[..]));
        assert_eq!(got.chain.len(), 1);
    }

    #[tokio::test]
    async fn a_tls_1_0_server_is_read_to_its_chain() {
        let got = answer(flight(0x0301, 0x002f, &[b"leaf", b"intermediate"])).await;
        assert_eq!(got.version_name().as_deref(), Some("TLS 1.0"));
        assert_eq!(
            got.cipher_suite_name().as_deref(),
            Some("TLS_RSA_WITH_AES_128_CBC_SHA")
        );
        assert_eq!(got.chain.len(), 2);
        assert!(!rustls_supports(0x002f));
        assert!(rustls_supports(0xc02f));
    }

    #[tokio::test]
    async fn an_alert_is_kept_and_garbage_ends_the_probe() {
        let got = answer(vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]).await;
        assert_eq!(got.alert, Some(40));
        let got = answer(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()).await;
        assert_eq!(got, LegacyHello::default());
    }

    #[tokio::test]
    async fn a_certificate_message_over_the_limit_is_measured_not_read() {
        let mut bytes = vec![0x16, 0x03, 0x03, 0x00, 0x04, 11];
        bytes.extend_from_slice(&u24(10 * 1024 * 1024));
        let got = answer(bytes).await;
        assert_eq!(got.oversized_certificate_message, Some(10 * 1024 * 1024));
    }

    /// A ServerHello record with `extensions` (type, body) and the given random.
    fn server_hello_record(random: [u8; 32], suite: u16, extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut hello = 0x0303u16.to_be_bytes().to_vec();
        hello.extend_from_slice(&random);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        let mut body = Vec::new();
        for (kind, data) in extensions {
            push_extension(&mut body, *kind, data);
        }
        push_u16_prefixed(&mut hello, &body);
        let mut handshake = vec![2u8];
        handshake.extend_from_slice(&u24(hello.len()));
        handshake.extend_from_slice(&hello);
        let mut record = vec![0x16, 0x03, 0x03];
        push_u16_prefixed(&mut record, &handshake);
        record
    }

    #[tokio::test]
    async fn a_tls_1_3_answer_names_version_suite_and_group_and_a_retry_is_told_apart() {
        let mut share = 0x001du16.to_be_bytes().to_vec();
        push_u16_prefixed(&mut share, &[9u8; 32]);
        let got = answer(server_hello_record(
            [7; 32],
            0x1302,
            &[(0x002b, vec![0x03, 0x04]), (0x0033, share)],
        ))
        .await;
        assert_eq!(got.version, Some(0x0304));
        assert_eq!(
            got.cipher_suite_name().as_deref(),
            Some("TLS_AES_256_GCM_SHA384")
        );
        assert_eq!(got.group_name().as_deref(), Some("x25519"));
        assert!(!got.retry);
        let retry = answer(server_hello_record(
            RETRY_RANDOM,
            0x1301,
            &[(0x002b, vec![0x03, 0x04]), (0x0033, vec![0x01, 0x00])],
        ))
        .await;
        assert!(retry.retry);
        assert_eq!(retry.group_name().as_deref(), Some("ffdhe2048"));
    }

    #[test]
    fn a_tls_1_2_key_exchange_names_the_curve_or_the_dh_prime_size_and_the_scheme() {
        let mut ecdhe = Answer {
            version: Some(0x0303),
            cipher_suite: Some(0xc02f),
            ..Answer::default()
        };
        key_exchange(
            &[3, 0x00, 0x1e, 2, 0xaa, 0xbb, 0x08, 0x04, 0, 0],
            &mut ecdhe,
        );
        assert_eq!(ecdhe.group_name().as_deref(), Some("x448"));
        assert_eq!(
            ecdhe.scheme.map(scheme_name).as_deref(),
            Some("rsa_pss_rsae_sha256")
        );
        let mut dhe = Answer {
            version: Some(0x0303),
            cipher_suite: Some(0x009e),
            ..Answer::default()
        };
        let mut message = Vec::new();
        let mut prime = vec![0x80u8];
        prime.extend_from_slice(&[0xff; 255]);
        push_u16_prefixed(&mut message, &prime);
        push_u16_prefixed(&mut message, &[2]);
        push_u16_prefixed(&mut message, &[5; 256]);
        message.extend_from_slice(&[0x04, 0x01, 0, 0]);
        key_exchange(&message, &mut dhe);
        assert_eq!(dhe.dh_bits, Some(2048));
        assert_eq!(
            dhe.scheme.map(scheme_name).as_deref(),
            Some("rsa_pkcs1_sha256")
        );
    }

    #[test]
    fn a_profile_hello_carries_its_versions_and_one_key_share() {
        let offer = Offer {
            versions: vec![0x0304, 0x0303],
            suites: vec![0x1301, 0xc02f],
            groups: vec![0x0100, 0x001d],
            schemes: vec![0x0804],
            sni: Some("ok.test".into()),
            scts: false,
        };
        let hello = client_hello(&offer);
        let has = |needle: &[u8]| hello.windows(needle.len()).any(|w| w == needle);
        assert!(has(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]));
        // key_share: one x25519 share (36 bytes of entry), not one for ffdhe2048.
        assert!(has(&[
            0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20
        ]));
        // A profile's hello asks for SCTs only when that client does.
        assert!(!has(&[0x00, 0x12, 0x00, 0x00]));
        assert_eq!(suite_code("TLS_AES_128_GCM_SHA256"), Some(0x1301));
        assert_eq!(group_code("ffdhe2048"), Some(0x0100));
    }

    #[test]
    fn the_hello_is_a_well_formed_record() {
        let hello = client_hello(&Offer::legacy(Some("ok.test")));
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(
            usize::from(u16::from_be_bytes([hello[3], hello[4]])),
            hello.len() - 5
        );
        assert_eq!(hello[5], 1);
    }
}
