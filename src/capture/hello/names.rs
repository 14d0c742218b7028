//! The wire code points a ClientHello offers (versions, suites, groups, signature schemes) and
//! their IANA names, both ways. Tables of other people's numbers, kept apart from the code that
//! puts them on the wire or reads them back.

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
pub(super) const TLS13_SUITES: [u16; 5] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

/// What the old-style probe offers, modern suites first.
pub(super) const LEGACY_SUITES: [u16; 34] = [
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE with AEAD: what rustls supports
    0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013, 0xc00a, 0xc014, // ECDHE with CBC
    0x009e, 0x009f, 0x0067, 0x006b, 0x0033, 0x0039, // DHE
    0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, // RSA key exchange
    0xc012, 0x000a, 0x0016, // 3DES
    0x0005, 0x0004, 0xc011, // RC4
    0x0041, // Camellia
    0x00ff, // renegotiation info SCSV
];
