//! How to tell a candidate cause from its neighbours: what `tlsdoctor check` shows for it.
//!
//! Negotiation failures are told apart per client: the same alert means another missing
//! version, suite, group, signature scheme or DH size for each client, and `check --clients FAMILY`
//! sends that client's own ClientHello and names the one the server refuses.

use crate::causes::Cause;

/// What tells `cause` apart, for a message printed by a client of `family` (a `--clients`
/// name) when it is known.
pub fn tell(cause: Cause, family: Option<&str>) -> String {
    use Cause::*;
    let dimension = match cause {
        ProtocolTooOld | NoSharedVersion => "the versions the server speaks",
        LegacyCipherOnly | NoSharedCipher => "the cipher suites the server accepts",
        NoSharedGroup => "the key-exchange groups the server accepts",
        NoSharedSignatureScheme => "the signature schemes the server's key can make",
        DhTooSmall => "the size of the DHE group the server chooses",
        _ => return report_shows(cause).to_string(),
    };
    match family {
        Some(family) => format!(
            "`tlsdoctor check HOST --clients {family}` sends this client's own ClientHello and \
             names what the server refuses in it: {dimension}, against those it offers"
        ),
        None => format!(
            "`tlsdoctor check HOST --clients all` sends each client's own ClientHello and names, \
             per client, what the server refuses: {dimension}, against those it offers"
        ),
    }
}

/// What a check's report shows that tells this cause from its neighbours.
fn report_shows(cause: Cause) -> &'static str {
    use Cause::*;
    match cause {
        MissingIntermediate => {
            "the report shows only the leaf under \"Chain as sent\" and downloads its issuer"
        }
        UnknownIssuer => "the chain sent ends at an intermediate whose issuer no store holds",
        PrivateRoot => {
            "the chain ends at a root that is not in Mozilla's list; `tlsdoctor trust --host HOST:PORT` \
             on the client then says which of its clients lack that root"
        }
        UntrustedRoot => "the chain ends at a public root your chosen store lacks",
        DistrustedRoot => {
            "the root the chain ends at, with the root program that distrusts it after a date \
             (`tlsdoctor trust --root ROOT.pem` lists each program's constraints on it)"
        }
        CtRequired => {
            "the leaf's Certificate Transparency timestamps (SCTs) and, with `--clients`, the \
             browsers whose CT policy they fall short of"
        }
        SelfSignedLeaf => "the server's certificate is its own issuer",
        OutdatedSystemStore => "Mozilla's list trusts the chain and this machine's store does not",
        EnvOverrideMissingRoot => {
            "the system store shows \"chosen by SSL_CERT_FILE\" without the root"
        }
        BadSignature => "a sent intermediate has the right name but another key",
        Expired | NotYetValid => "the dates in the chain (and this machine's clock)",
        ValidityTooLong => {
            "the leaf's dates: valid for more than 825 days (200 or fewer under a public root, by \
             its issue date), and which clients the Clients section says refuse it"
        }
        WildcardOverPublicSuffix => "the leaf's wildcard names, against the Public Suffix List",
        HostnameMismatch | NoSan => "the names in the leaf, against the name you connect to",
        WrongEku | BadKeyUsage | NotACa => "the usages of each certificate in the chain",
        WeakSignature | WeakKey => "the signature algorithm and key size of each certificate",
        ClientCertRequired => "without --cert the report says the server requires one",
        ClientCaNotAccepted | ClientMissingIntermediate => {
            "with --cert, the CAs the server accepts against your certificate's issuer"
        }
        ClientCertExpired | ClientWrongEku | ClientKeyMismatch => {
            "with --cert, the checks on your own certificate"
        }
        KeyMismatch => {
            "`tlsdoctor check --file cert.pem --key key.pem` compares them before the server loads \
             them"
        }
        ClientCertRejected | ClientCertPolicy => {
            "with --cert, the server's answer after the handshake"
        }
        HandshakeFailure => "the alert the server sends, and the TLS versions it offers",
        NotTls => "the first bytes the port sends",
        ChainTooLarge | LongChain => "the number and size of the certificates the server sends",
        AnchorMissing
        | AnchorNotCompiled
        | AnchorWrongExtension
        | AnchorIsLeaf
        | AnchorExpired
        | StoreMinimal
        | ContainerStoreMissing => {
            "on the client machine, `tlsdoctor trust --root root.pem` says where the root is missing"
        }
        ClientBundleSeparate => {
            "on the client machine, `tlsdoctor trust --root root.pem` lists which client stacks lack it"
        }
        DockerRegistryCa => "`tlsdoctor trust --registry HOST:PORT` on the node that pulls",
        StarttlsNotOffered => {
            "the report's \"Before TLS\" exchange: the server's capabilities lack STARTTLS"
        }
        StarttlsRefused => "the exchange ends with the server's refusal after STARTTLS",
        ProxyUnreachable | ProxyAuthRequired | ProxyRefused => {
            "the finding quotes the proxy's own answer to CONNECT"
        }
        TlsInterception => {
            "the chain's issuer is the inspection product's CA, not the site's public CA"
        }
        Revoked => {
            "with --revocation ocsp, the Revocation section says REVOKED, with time and reason"
        }
        RevocationUnknown => "with --revocation ocsp, whether this machine reaches the responder",
        MustStapleMissing => {
            "the Revocation section says must-staple, and shows no stapled response"
        }
        OcspStapleInvalid => {
            "the Revocation section shows the staple's nextUpdate and its problems"
        }
        _ => cause.entry().title,
    }
}
