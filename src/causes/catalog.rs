//! The catalog's entries: every cause tlsdoctor can name, with its words.

use super::{CauseEntry, CertFact, Severity, Side};

/// Making clients trust a root, per platform.
const TRUST_A_ROOT: &[(&str, &str)] = &[
    (
        "Debian/Ubuntu",
        "copy the root to /usr/local/share/ca-certificates/NAME.crt (the .crt ending matters) and run `sudo update-ca-certificates`",
    ),
    (
        "RHEL/Fedora",
        "copy it to /etc/pki/ca-trust/source/anchors/ and run `sudo update-ca-trust extract`",
    ),
    (
        "Alpine",
        "`apk add ca-certificates`, copy it to /usr/local/share/ca-certificates/ and run `update-ca-certificates`",
    ),
    (
        "macOS",
        "`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain root.pem`",
    ),
    (
        "Windows",
        "`certutil -addstore -f Root root.pem` in an elevated shell, or a Group Policy for many machines",
    ),
    (
        "Java",
        "`keytool -importcert -cacerts -alias NAME -file root.pem` (password changeit unless changed), then restart the JVM",
    ),
    (
        "Node",
        "`NODE_EXTRA_CA_CERTS=/path/root.pem` in the process environment (read at start), or `--use-openssl-ca` to use the system store",
    ),
    (
        "Python",
        "requests and certifi use their own bundle: after adding the root to the system store, set `REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt` (or install `truststore`)",
    ),
    (
        "Go",
        "Go reads the system store on Linux: add the root there, or point `SSL_CERT_FILE` at a bundle that holds it",
    ),
    (
        "Docker",
        "a container has its own store: `COPY root.crt /usr/local/share/ca-certificates/` and `RUN update-ca-certificates` in the image; a private registry needs /etc/docker/certs.d/REGISTRY:PORT/ca.crt",
    ),
    (
        "Kubernetes",
        "distribute the root with a ConfigMap (or cert-manager's trust-manager Bundle), mount it into the pods and point SSL_CERT_FILE or the application's trust setting at it",
    ),
    (
        "check",
        "`tlsdoctor check HOST --ca-file root.pem` shows the chain as those clients will see it",
    ),
];

/// The shortcuts people take for trust errors, and why not.
const AVOID_TRUST_SHORTCUTS: &str = "Do not turn verification off (`curl -k`, \
`NODE_TLS_REJECT_UNAUTHORIZED=0`, `verify=False`, `InsecureSkipVerify: true`): it accepts every \
certificate, an attacker's included. Do not install the server's leaf in place of the CA root: it \
stops working at the next renewal. Append to a bundle, never overwrite it with a single root. \
Restart the clients afterwards: most read their store once, at start.";

/// Serving the full chain, per server.
const SERVE_FULL_CHAIN: &[(&str, &str)] = &[
    (
        "nginx",
        "`ssl_certificate /etc/ssl/fullchain.pem;` with the leaf first, then each intermediate; `nginx -t && nginx -s reload`",
    ),
    (
        "Apache",
        "2.4.8+: the intermediates follow the leaf in the `SSLCertificateFile` (older: `SSLCertificateChainFile`); `apachectl graceful`",
    ),
    (
        "HAProxy",
        "the `crt` file holds the leaf, the intermediates and the key, in that order; reload HAProxy",
    ),
    (
        "Envoy",
        "`tls_certificates.certificate_chain` holds the leaf and the intermediates",
    ),
    (
        "Kubernetes",
        "the TLS secret's tls.crt must hold the leaf and the intermediates (cert-manager writes it so)",
    ),
    (
        "Java (Tomcat, Spring)",
        "the key entry in the keystore must carry the whole chain: import the full chain onto the key's alias",
    ),
    (
        "PostgreSQL",
        "`ssl_cert_file` holds the leaf, then the intermediates; `SELECT pg_reload_conf();`",
    ),
    (
        "Postfix, Dovecot",
        "Postfix `smtpd_tls_chain_files` (or `smtpd_tls_cert_file`) and Dovecot `ssl_cert` hold the leaf, then the intermediates; `postfix reload`, `doveadm reload`",
    ),
    ("certbot", "point the server at fullchain.pem, not cert.pem"),
    (
        "build it",
        "`cat leaf.crt intermediate.crt > fullchain.pem`, or let `tlsdoctor check HOST --fix-chain fullchain.pem` write it",
    ),
];

/// A client certificate presented by the common clients.
const PRESENT_CLIENT_CERT: &[(&str, &str)] = &[
    (
        "curl",
        "`curl --cert client.pem --key client.key https://HOST/`",
    ),
    (
        "Python",
        "requests: `requests.get(url, cert=(\"client.pem\", \"client.key\"))`; ssl: `ctx.load_cert_chain(\"client.pem\", \"client.key\")`",
    ),
    (
        "Go",
        "`tls.Config{Certificates: []tls.Certificate{cert}}` with `tls.LoadX509KeyPair(\"client.pem\", \"client.key\")`",
    ),
    (
        "Java",
        "a keystore with the key and chain: `-Djavax.net.ssl.keyStore=client.p12 -Djavax.net.ssl.keyStorePassword=...`",
    ),
    (
        "Node",
        "`https.request({cert: fs.readFileSync(\"client.pem\"), key: fs.readFileSync(\"client.key\")})`",
    ),
    (
        "OpenSSL",
        "`openssl s_client -connect HOST:PORT -cert client.pem -key client.key`",
    ),
];

/// Trusting a client CA, per server.
const TRUST_CLIENT_CA: &[(&str, &str)] = &[
    (
        "nginx",
        "`ssl_client_certificate /etc/nginx/client-cas.pem;` (every client CA, concatenated), `ssl_verify_client on;`, and `ssl_verify_depth 2;` or more when clients send intermediates",
    ),
    (
        "Apache",
        "`SSLCACertificateFile /etc/apache2/client-cas.pem`, `SSLVerifyClient require`, `SSLVerifyDepth 2`",
    ),
    (
        "HAProxy",
        "`bind :443 ssl crt site.pem ca-file client-cas.pem verify required`",
    ),
    (
        "Envoy",
        "`common_tls_context.validation_context.trusted_ca` with the client CAs",
    ),
    (
        "Java servers",
        "import the client CA into the server's truststore: `keytool -importcert -keystore truststore.p12 -file client-ca.pem`",
    ),
    (
        "Go servers",
        "`tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}`",
    ),
];

catalog! {
    // ---- Reaching the server: no chain could be seen. ----
    /// The host name did not resolve.
    DnsFailure {
        id: "dns-failure", severity: Error, side: Network,
        title: "The host name does not resolve",
        explanation: "The name could not be turned into an address, so no connection was attempted. \
The name is misspelt, its DNS record does not exist (yet), or this machine's resolver cannot see it \
(split-horizon DNS, a VPN, /etc/hosts, a container without DNS).",
        fix: "Check the spelling and the record: `getent hosts NAME` or `dig +short NAME`. To check a \
server before DNS points at it, connect by address and check the real name: \
`tlsdoctor check 192.0.2.10:443 --servername NAME`.",
    }
    /// TCP connection actively refused.
    ConnectionRefused {
        id: "connection-refused", severity: Error, side: Network,
        title: "Nothing is listening on that port",
        explanation: "The host answered but refused the TCP connection: no process listens on that port \
at that address, or a firewall rejects the connection.",
        fix: "Check the port number and that the server runs and listens on this address: on the server, \
`ss -ltnp` should show 0.0.0.0:PORT or [::]:PORT (127.0.0.1:PORT only accepts local clients). Check \
firewall REJECT rules and load-balancer listeners.",
    }
    /// Any other failure to open the TCP connection.
    ConnectionFailed {
        id: "connection-failed", severity: Error, side: Network,
        title: "The connection could not be made",
        explanation: "The TCP connection failed for a reason other than a refusal: the network or host is \
unreachable, or the connection was reset.",
        fix: "Check routing and firewalls between this machine and the target (`nc -vz HOST PORT`), and \
whether the address family works from here (IPv6 vs IPv4, VPN, security groups).",
    }
    /// The check did not finish within `--timeout`.
    Timeout {
        id: "timeout", severity: Error, side: Network,
        title: "No answer within the time limit",
        explanation: "The check did not finish within --timeout (the detail says during which step). A \
silent port usually means a firewall drops the packets, the service hangs, or it waits for the client \
to speak a plain-text protocol first.",
        fix: "Check that the port is reachable from here (`nc -vz HOST PORT`) and that no firewall drops \
the traffic; if the server is only slow, raise --timeout. Ports that speak plain text first (SMTP, \
IMAP, PostgreSQL) upgrade with STARTTLS instead of starting with TLS: tlsdoctor does that by itself on their well-known ports, and with `--starttls PROTO` on others.",
    }
    /// The peer answered with something that is not TLS.
    NotTls {
        id: "not-tls", severity: Error, side: Server,
        title: "The port does not speak TLS",
        explanation: "The server answered, but not with a TLS handshake: it sent another protocol (the \
detail names it when recognisable). Typical: plain HTTP on the port, the TLS listener on another port, \
or a protocol that needs STARTTLS.",
        fix: "Use the TLS port (443 for HTTPS, not 80), or enable TLS on this listener: nginx \
`listen 443 ssl;`, Apache `SSLEngine on` in the VirtualHost, HAProxy `bind :443 ssl crt /path/site.pem`. \
SMTP, IMAP, LDAP and PostgreSQL upgrade to TLS with STARTTLS on their plain port: check them with `--starttls smtp` (or `imap`, `ldap`, `postgres`, ...), or with a URL such as `smtp://HOST:2525`.",
    }
    /// The plain-text server never advertises STARTTLS.
    StarttlsNotOffered {
        id: "starttls-not-offered", severity: Error, side: Server,
        title: "The server does not offer STARTTLS",
        explanation: "The port speaks the plain-text protocol, but the server does not advertise the upgrade to TLS (SMTP's EHLO reply has no STARTTLS line, IMAP's CAPABILITY no STARTTLS, PostgreSQL answers 'N' to SSLRequest, MySQL's handshake lacks the SSL flag). Clients that require TLS stop here; clients that only prefer it send everything, passwords included, in clear text.",
        fix: "Enable TLS in the server: Postfix `smtpd_tls_cert_file`, `smtpd_tls_key_file` and `smtpd_tls_security_level = may`; Dovecot `ssl = yes` with `ssl_cert`/`ssl_key`; PostgreSQL `ssl = on` with `ssl_cert_file`/`ssl_key_file`; MySQL/MariaDB `ssl_cert`/`ssl_key` (`require_secure_transport` to insist); OpenLDAP `olcTLSCertificateFile`/`olcTLSCertificateKeyFile`. Then reload it. If a firewall or load balancer strips STARTTLS from SMTP replies, turn that inspection off.",
    }
    /// The server advertised STARTTLS and then said no.
    StarttlsRefused {
        id: "starttls-refused", severity: Error, side: Server,
        title: "The server refused to start TLS",
        explanation: "The server advertises (or is asked for) the upgrade to TLS and then answers the request with an error, quoted in the detail. Usually TLS is configured but broken: the certificate or key file is missing or unreadable by the service's user, or the TLS library failed to load it.",
        fix: "Read the server's log at the time of the check: it says which file it could not load. Check that the certificate and key paths in its configuration exist, that the key matches the certificate, and that the service's user can read both; then reload it.",
    }
    /// The proxy could not be reached.
    ProxyUnreachable {
        id: "proxy-unreachable", severity: Error, side: Network,
        title: "The proxy cannot be reached",
        explanation: "The connection goes through an HTTP proxy (named by --proxy or by HTTPS_PROXY / \
ALL_PROXY), and that proxy's name does not resolve or nothing answers at its address and port.",
        fix: "Check the proxy URL (`env | grep -i proxy`), and whether this host should bypass it: add \
it to NO_PROXY, or use `--proxy none` to connect directly.",
    }
    /// The proxy wants credentials.
    ProxyAuthRequired {
        id: "proxy-auth-required", severity: Error, side: Client,
        title: "The proxy requires authentication",
        explanation: "The proxy answered the CONNECT request with 407: it wants credentials, or the \
ones sent were refused. Proxies that only accept NTLM or Kerberos need a client that speaks them.",
        fix: "Put the credentials in the proxy URL: `http://USER:PASSWORD@proxy:port` (percent-encode \
special characters), in --proxy or HTTPS_PROXY.",
    }
    /// The proxy refused to open the tunnel.
    ProxyRefused {
        id: "proxy-refused", severity: Error, side: Network,
        title: "The proxy refused to open a tunnel",
        explanation: "The proxy answered the CONNECT request with an error (403: this host or port is \
not allowed, 502/503: it could not reach the server itself), or with something that is not HTTP \
(the proxy URL points at a port that is not a proxy).",
        fix: "Read the proxy's status line in the detail. 403: ask for this host and port to be allowed \
(many proxies allow CONNECT to port 443 only). 502/503: the proxy cannot reach the server either. \
Not HTTP: check the proxy URL's port.",
    }
    /// The peer speaks TLS but the handshake did not complete.
    HandshakeFailure {
        id: "handshake-failure", severity: Error, side: Server,
        title: "The TLS handshake failed",
        explanation: "The server speaks TLS but the handshake did not complete: it sent an alert or broke \
the protocol (the detail names the alert or reason). Common reasons: no protocol version or cipher \
suite in common (a server limited to TLS 1.0/1.1 or to legacy ciphers), an SNI name the server does \
not serve, or a server that requires a client certificate.",
        fix: "Read the alert in the detail. protocol_version or handshake_failure: enable TLS 1.2 and 1.3 \
with ECDHE suites (nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Apache `SSLProtocol -all +TLSv1.2 +TLSv1.3`, \
HAProxy `ssl-min-ver TLSv1.2`). unrecognized_name: add a server block for this name, or check \
--servername. certificate_required or bad_certificate: the server wants a client certificate. Compare \
with `openssl s_client -connect HOST:PORT -servername NAME`.",
        platforms: &[
            ("nginx", "`ssl_protocols TLSv1.2 TLSv1.3;` and the default `ssl_ciphers`"),
            ("Apache", "`SSLProtocol -all +TLSv1.2 +TLSv1.3`"),
            ("HAProxy", "`ssl-min-ver TLSv1.2` on the bind line or in `ssl-default-bind-options`"),
            ("compare", "`openssl s_client -connect HOST:PORT -servername NAME` shows the alert with OpenSSL's words"),
        ],
        avoid: "Do not re-enable TLS 1.0/1.1 or legacy ciphers on the clients to make it work: fix the server.",
    }
    /// The server speaks only TLS 1.1 or older.
    ProtocolTooOld {
        id: "protocol-too-old", severity: Error, side: Server,
        title: "The server only speaks TLS 1.1 or older",
        explanation: "The server's highest protocol version is TLS 1.0 or 1.1 (or SSL 3.0). Browsers \
removed them in 2020 (RFC 8996 deprecates both), OpenSSL 3 refuses them at its default security \
level, Go 1.22+ and rustls never offer them, and Java disables them: most clients fail with \
\"protocol version\" or \"no protocols available\". The chain shown was read from the server's \
unencrypted old-style handshake.",
        fix: "Enable TLS 1.2 and 1.3 on the server (and remove 1.0/1.1). If it cannot (an old appliance or \
runtime), put a TLS-terminating proxy in front of it.",
        platforms: &[
            ("nginx", "`ssl_protocols TLSv1.2 TLSv1.3;` (nginx 1.13+ with OpenSSL 1.1.1+ for 1.3)"),
            ("Apache", "`SSLProtocol -all +TLSv1.2 +TLSv1.3`"),
            ("HAProxy", "`ssl-min-ver TLSv1.2` on the bind line"),
            ("IIS / Windows", "enable TLS 1.2 under SCHANNEL\\Protocols in the registry (or IIS Crypto), then reboot"),
            ("Java servers", "remove TLSv1.2 from `jdk.tls.disabledAlgorithms` if an old java.security lists it, and set `server.ssl.enabled-protocols=TLSv1.2,TLSv1.3`"),
        ],
        avoid: "Do not re-enable TLS 1.0/1.1 on the clients (`MinVersion: tls.VersionTLS10`, \
`CipherString = DEFAULT@SECLEVEL=0`): it weakens every connection they make.",
    }
    /// The server offers only cipher suites modern clients refuse.
    LegacyCipherOnly {
        id: "legacy-cipher-only", severity: Error, side: Server,
        title: "The server offers only legacy cipher suites",
        explanation: "The server speaks TLS 1.2 but offers no suite with forward secrecy and authenticated \
encryption (ECDHE with AES-GCM or ChaCha20-Poly1305). It chose a CBC, RSA key exchange, 3DES or RC4 \
suite: rustls refuses all of them, Go 1.22+ no longer offers RSA key exchange, and browsers and \
OpenSSL 3 refuse 3DES and RC4. The chain shown was read from the server's unencrypted TLS 1.2 \
handshake.",
        fix: "Enable ECDHE suites with AES-GCM or ChaCha20-Poly1305 (and TLS 1.3, whose suites are all \
modern). An RSA or ECDSA certificate works with them as it is.",
        platforms: &[
            ("nginx", "remove a custom `ssl_ciphers` line (the default is modern), or use Mozilla's intermediate configuration"),
            ("Apache", "`SSLCipherSuite` from Mozilla's intermediate configuration, and `SSLProtocol -all +TLSv1.2 +TLSv1.3`"),
            ("HAProxy", "`ssl-default-bind-ciphers` from Mozilla's intermediate configuration"),
            ("Java servers", "`server.ssl.ciphers` with TLS_ECDHE_*_GCM_* suites, or leave the JDK default"),
        ],
        avoid: "Do not add legacy suites to the clients to match the server: fix the server.",
    }
    /// The server and a client have no protocol version in common.
    NoSharedVersion {
        id: "no-shared-version", severity: Error, side: Either,
        title: "The server and the client share no protocol version",
        explanation: "The client offered the versions it accepts and the server chose none of them (or \
answered with a protocol_version alert). A server that speaks only TLS 1.3 fails clients without it \
(Java 8 before 8u261, Android 7-9, OpenSSL 1.0.2, Go before 1.12); one that speaks only TLS 1.2 or \
older fails a client configured for 1.3 only.",
        fix: "Enable TLS 1.2 and TLS 1.3 on the server: every maintained client speaks one of them. Or \
upgrade the client to a version that speaks what the server speaks.",
        platforms: &[
            ("nginx", "`ssl_protocols TLSv1.2 TLSv1.3;`"),
            ("Apache", "`SSLProtocol -all +TLSv1.2 +TLSv1.3`"),
            ("HAProxy", "`ssl-min-ver TLSv1.2` on the bind line (and no `ssl-max-ver` below 1.3)"),
            ("Java clients", "Java 8u261+ speaks TLS 1.3; on older ones `-Djdk.tls.client.protocols=TLSv1.2`"),
        ],
        avoid: "Do not enable TLS 1.0/1.1 on either side to find a common version.",
    }
    /// The server and a client have no cipher suite in common.
    NoSharedCipher {
        id: "no-shared-cipher", severity: Error, side: Either,
        title: "The server and the client share no cipher suite",
        explanation: "The client offered its suites and the server accepts none of them: typically a \
server restricted to one suite family (AES-CCM only, finite-field DHE only, ChaCha20 only, CBC \
only) meeting a client that lacks it. Go and Chromium never offer DHE suites; Go, Python, browsers \
and rustls do not offer AES-CCM; Go 1.22+ dropped RSA key exchange. The handshake fails with \
handshake_failure or \"no shared cipher\".",
        fix: "Configure the server with the common modern set: TLS 1.3's AES-GCM and ChaCha20 suites and, \
for TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 (Mozilla's intermediate configuration).",
        platforms: &[
            ("nginx", "remove a narrow `ssl_ciphers`/`ssl_conf_command Ciphersuites` line, or use Mozilla's intermediate configuration"),
            ("Apache", "`SSLCipherSuite` and `SSLOpenSSLConfCmd Ciphersuites` from Mozilla's intermediate configuration"),
            ("HAProxy", "`ssl-default-bind-ciphers` and `ssl-default-bind-ciphersuites` from Mozilla's intermediate configuration"),
            ("OpenSSL s_server", "drop `-ciphersuites`/`-cipher` restrictions"),
        ],
        avoid: "Do not add weak suites to clients to meet a server with an unusual list: fix the server.",
    }
    /// The server and a client have no key-exchange group in common.
    NoSharedGroup {
        id: "no-shared-group", severity: Error, side: Either,
        title: "The server and the client share no key-exchange group",
        explanation: "The client offered its key-exchange groups (curves and finite-field groups) and the \
server accepts none of them. X25519 and P-256 are what every client offers; a server restricted to \
X448, P-521 or the RFC 7919 ffdhe groups fails Chromium and Go (neither offers X448 or ffdhe; \
Chromium not P-521 either) while OpenSSL, GnuTLS and Java connect. rustls offers X25519, P-256 and \
P-384 only.",
        fix: "Let the server accept X25519 and P-256 (and P-384); keep others after them if wanted.",
        platforms: &[
            ("nginx", "`ssl_ecdh_curve X25519:prime256v1:secp384r1;`"),
            ("Apache", "`SSLOpenSSLConfCmd Groups X25519:P-256:P-384`"),
            ("HAProxy", "`curves X25519:P-256:P-384` on the bind line"),
            ("OpenSSL s_server", "`-groups X25519:P-256:P-384`"),
        ],
        avoid: "Do not configure clients with exotic groups to meet one server: fix the server.",
    }
    /// The server's finite-field DHE group is smaller than the client accepts.
    DhTooSmall {
        id: "dh-too-small", severity: Error, side: Server,
        title: "The server's Diffie-Hellman group is too small for the client",
        explanation: "In a TLS 1.2 DHE suite the server chooses the finite-field group and sends it in \
its ServerKeyExchange. Clients refuse one below their floor: OpenSSL at Debian's and Ubuntu's \
security level 2 (curl, Python) wants 2048 bits (\"dh key too small\"); Node and Java stop at 1024; \
GnuTLS's NORMAL priority at 1024. Go, Chromium, Firefox, Safari and rustls offer no DHE suites at \
all. A 1024-bit group is also what the Logjam attack precomputes.",
        fix: "Give the server 2048-bit (or larger) DH parameters, such as the RFC 7919 ffdhe2048 \
group, or drop the DHE suites and keep ECDHE.",
        platforms: &[
            ("nginx", "`ssl_dhparam /etc/nginx/ffdhe2048.pem;` (RFC 7919 parameters), or ECDHE-only `ssl_ciphers`"),
            ("Apache", "`SSLOpenSSLConfCmd DHParameters /etc/ssl/ffdhe2048.pem`"),
            ("HAProxy", "`ssl-dh-param-file /etc/haproxy/ffdhe2048.pem` in `global`"),
            ("OpenSSL s_server", "`-dhparam ffdhe2048.pem`, or leave it out for OpenSSL's automatic group"),
        ],
        avoid: "Do not lower the client's floor (`@SECLEVEL=1`, Node's `minDHSize`): fix the server.",
    }
    /// The server holds no key a client can verify in the signature schemes it offers.
    NoSharedSignatureScheme {
        id: "no-shared-signature-scheme", severity: Error, side: Either,
        title: "The server cannot sign in any scheme the client offers",
        explanation: "The client lists the signature schemes it verifies; the server's key can make none \
of them, so the server aborts (handshake_failure, \"no suitable signature algorithm\"). Typical: an \
RSASSA-PSS key (only rsa_pss_pss_* schemes, which Go, Chromium, Firefox and rustls do not offer), an \
Ed25519 or Ed448 key (Chromium, Firefox, Safari and Java before 15 do not offer them), a P-521 key \
for Chromium and rustls.",
        fix: "Serve an ECDSA P-256 or RSA (rsaEncryption, 2048+ bits) certificate; keep an Ed25519 or \
RSA-PSS certificate only beside one of those, for the clients that prefer it.",
        platforms: &[
            ("nginx", "a second `ssl_certificate`/`ssl_certificate_key` pair with an RSA or ECDSA P-256 key (nginx picks per client)"),
            ("Apache", "a second `SSLCertificateFile`/`SSLCertificateKeyFile` pair with an RSA or ECDSA P-256 key"),
            ("openssl", "`openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...` for the new key"),
        ],
    }
    /// The Certificate message is larger than clients accept.
    ChainTooLarge {
        id: "chain-too-large", severity: Error, side: Server,
        title: "The server sends more certificate data than clients accept",
        explanation: "Clients bound the size of a handshake message: rustls and Go accept at most 64 KiB, \
Java 32 KiB by default (jdk.tls.maxHandshakeMessageSize), OpenSSL 100 KiB (max_cert_list). This \
server's certificates exceed that: typically hundreds of certificates in the chain file, or a \
certificate with an enormous SAN list. Clients abort the handshake.",
        fix: "Serve only the leaf and its intermediates (at most a few certificates), and split a \
certificate with thousands of names into several.",
        platforms: SERVE_FULL_CHAIN,
    }
    /// The chain is longer or bigger than Java accepts by default.
    LongChain {
        id: "long-chain", severity: Warning, side: Server,
        title: "The chain is longer than some clients accept",
        explanation: "Java rejects chains of more than 10 certificates \
(jdk.tls.maxCertificateChainLength) and handshake messages over 32 KiB \
(jdk.tls.maxHandshakeMessageSize) by default. A chain needs the leaf and its intermediates: \
rarely more than four certificates.",
        fix: "Remove the certificates that are not on the path from the leaf to its root (the report \
shows which ones are on it).",
        platforms: SERVE_FULL_CHAIN,
    }

    // ---- Validity in time. ----
    /// notAfter is in the past.
    Expired {
        id: "expired", severity: Error, side: Certificate,
        title: "A certificate has expired",
        explanation: "The certificate's notAfter date is in the past at the evaluation time. Every client \
rejects a chain whose leaf or intermediate has expired.",
        fix: "Renew the certificate, install it and reload the server (`nginx -s reload`, \
`systemctl reload apache2` or `httpd`, reload HAProxy). With ACME (certbot, acme.sh, cert-manager), find \
out why automatic renewal stopped: `certbot renew --dry-run`, `kubectl describe certificate NAME`. \
If an intermediate expired, download the CA's current intermediate and rebuild the chain file: \
renewing the leaf alone does not help.",
        platforms: &[
            ("certbot", "`certbot renew`, then reload the server; `systemctl list-timers | grep certbot` shows whether renewal is scheduled"),
            ("cert-manager", "`kubectl describe certificate NAME` and the CertificateRequest's events say why it was not renewed"),
            ("acme.sh", "`acme.sh --renew -d NAME --force`, and check its cron entry"),
            ("nginx", "a renewed file is served only after `nginx -s reload`"),
            ("PostgreSQL, Postfix", "reload after replacing the files: `SELECT pg_reload_conf();`, `postfix reload`"),
        ],
        avoid: "Do not set clocks back or turn off time checks: the certificate stays expired for everyone else.",
        about: &[CertFact::Validity],
    }
    /// notBefore is in the future.
    NotYetValid {
        id: "not-yet-valid", severity: Error, side: Certificate,
        title: "A certificate is not valid yet",
        explanation: "The certificate's notBefore date is in the future at the evaluation time: it was \
deployed before its start time, or a clock is wrong (this machine's, or the issuing CA's).",
        fix: "Check the client's clock (`timedatectl`, NTP). If the clock is right, wait for the start \
time or reissue the certificate with a start time in the past (CAs backdate by an hour for this \
reason).",
        about: &[CertFact::Validity],
    }
    /// Valid now, but not for long.
    ExpiringSoon {
        id: "expiring-soon", severity: Warning, side: Certificate,
        title: "A certificate expires soon",
        explanation: "The certificate is valid now but expires within --warn-days (30 by default). Once it \
expires, every client rejects the chain.",
        fix: "Renew before the date shown and reload the server. Check that automatic renewal works \
(`certbot renew --dry-run`) and that the server is reloaded afterwards: a renewed file on disk is not \
served until the server reloads it.",
        about: &[CertFact::Validity],
    }

    // ---- Revocation. ----
    /// The issuer's OCSP responder says the certificate is revoked.
    Revoked {
        id: "revoked", severity: Error, side: Certificate,
        title: "The certificate has been revoked",
        explanation: "The CA's OCSP responder (asked directly, or in the response the server staples) \
says this certificate is revoked: the CA withdrew it, usually because its key may be compromised, it \
was replaced, or it was misissued. Firefox rejects it when it sees that answer, and any client that \
checks revocation does too. A revoked certificate cannot be un-revoked.",
        fix: "Get a new certificate issued (with a new key if the reason is keyCompromise or unknown), \
install it with its chain and reload the server. If the certificate was revoked on purpose, find out \
which deployments still serve it. A server that staples keeps serving the old response until it \
fetches a new one: restart it after the change.",
        platforms: &[
            ("certbot", "`certbot certonly --force-renewal -d NAME` (add `--new-key` when the key may be compromised), then reload the server"),
            ("cert-manager", "delete the Secret (or `cmctl renew NAME`) to have the certificate reissued"),
            ("nginx", "after installing the new certificate, `nginx -s reload` also drops the cached staple"),
        ],
        avoid: "Do not turn off revocation checking in clients: the CA revoked this certificate for a reason.",
    }
    /// The leaf demands a stapled OCSP response and the server sends none.
    MustStapleMissing {
        id: "must-staple-missing", severity: Error, side: Server,
        title: "The certificate requires OCSP stapling and the server staples nothing usable",
        explanation: "The leaf has the TLS Feature extension with status_request (\"OCSP must-staple\", \
RFC 7633): it promises that every server using it staples a valid OCSP response. This server sent \
none, or one that is stale or not about this certificate. Firefox refuses such a connection with \
MOZILLA_PKIX_ERROR_REQUIRED_TLS_FEATURE_MISSING.",
        fix: "Turn stapling on and let the server reach the CA's OCSP responder: nginx `ssl_stapling on; \
ssl_stapling_verify on;` with a `resolver` and `ssl_trusted_certificate` holding the chain; Apache \
`SSLUseStapling on` with `SSLStaplingCache shmcb:/var/run/ocsp(128000)`; HAProxy an `.ocsp` file next \
to the certificate (or `ocsp-update on`). Or get the certificate reissued without must-staple.",
    }
    /// The stapled OCSP response cannot be relied on.
    OcspStapleInvalid {
        id: "ocsp-staple-invalid", severity: Warning, side: Server,
        title: "The stapled OCSP response is not usable",
        explanation: "The server staples an OCSP response, but it is stale (past its nextUpdate), about \
another certificate, not signed by the issuer or its responder, says \"unknown\", or cannot be read; \
the detail says which. Clients that check staples ignore it or, for must-staple certificates, reject \
the connection.",
        fix: "The server is not refreshing its staple: check that it can reach the OCSP responder in the \
certificate (`openssl x509 -noout -ocsp_uri -in cert.pem`) through its resolver and firewall, and \
reload it. A staple file configured by hand (nginx `ssl_stapling_file`, HAProxy `.ocsp`) must be \
refreshed before its nextUpdate by a scheduled job.",
    }
    /// A browser wants CT proof (SCTs) the certificate does not carry.
    CtRequired {
        id: "ct-required", severity: Error, side: Server,
        title: "The certificate lacks the Certificate Transparency proof browsers require",
        explanation: "Chrome, Edge, Safari and Firefox (desktop, since 135) accept a certificate from \
a publicly trusted CA only with Signed Certificate Timestamps (SCTs) from enough Certificate \
Transparency logs, embedded in the certificate, stapled in OCSP or sent in the TLS extension. \
Chrome and Apple ask for 2 embedded SCTs for a certificate valid at most 180 days and 3 beyond, \
from at least 2 log operators, counting only SCTs that verify, from logs they trust (a retired \
log counts for SCTs issued before it was retired); the detail says which policy is not met and \
what is missing. Every public CA embeds SCTs when it issues; their absence means a CA that issued \
without logging (a misissued or test certificate), or a server that stripped a stapled SCT it \
relied on. Certificates under a root the user or an administrator installed are exempt, so a \
private CA never sees this; OpenSSL, GnuTLS, Python, Node, Go, Java and rustls do not check CT.",
        fix: "Reissue the certificate from a public CA that logs it (any ACME CA does), or, for an \
internal service, from a private CA whose root is installed on the clients. If the SCTs come \
from the server (OCSP stapling or a TLS extension file), fix the server's stapling.",
    }
    /// An SCT that does not verify, or is dated in the future.
    SctInvalid {
        id: "sct-invalid", severity: Warning, side: Certificate,
        title: "A Certificate Transparency timestamp does not verify",
        explanation: "An SCT (Signed Certificate Timestamp) is a CT log's signed promise to publish \
the certificate. This one does not verify with the key of the log it names, is dated after the \
evaluation time, or its list cannot be read. Browsers ignore such an SCT: it does not count \
towards their CT policy, so too few may be left (ct-required). An embedded SCT that does not \
verify usually means the certificate was altered after issuance or the CA built its \
precertificate wrongly; a delivered one, that the server sends SCTs for another certificate.",
        fix: "For an embedded SCT, the certificate must change: have the CA reissue it. For an SCT \
in a stapled OCSP response or the TLS extension, the server must change: refresh the staple, or \
remove the SCT file left over from the previous certificate (nginx-ct `ssl_ct_static_scts`, \
Apache `CTStaticSCTs`). A future date means the log's or this machine's clock is wrong: check \
`date -u` here before blaming the log.",
    }
    /// Asked for, the revocation status could not be learnt.
    RevocationUnknown {
        id: "revocation-unknown", severity: Warning, side: None,
        title: "The revocation status could not be determined",
        explanation: "--revocation ocsp asked the certificate's OCSP responder, but got no usable \
answer: the certificate names no responder, the responder did not answer in time, answered \
something that is not OCSP (an HTML page, a proxy's error), refused, or said \"unknown\". The \
certificate may or may not be revoked; nothing was concluded.",
        fix: "Check that this machine can reach the responder URL in the detail (`curl -sv URL`, proxy \
and firewall rules), and retry. \"unknown\" usually means the responder does not serve this CA: \
the certificate's AIA names the wrong URL.",
    }

    // ---- Identity. ----
    /// No SAN matches the name the client connected to.
    HostnameMismatch {
        id: "hostname-mismatch", severity: Error, side: Certificate,
        title: "The certificate is not valid for this name",
        explanation: "Clients match the name they connect to against the certificate's Subject \
Alternative Names (DNS names, or IP addresses for an IP target), and none matches. A wildcard \
*.example.com covers exactly one label: a.example.com, but not example.com nor a.b.example.com. An IP \
address must appear as an IP SAN, not as a DNS name.",
        fix: "Reissue the certificate with every name clients use in its SANs (e.g. \
`certbot -d example.com -d www.example.com`), or point clients at a name it has. If the server hosts \
several sites, check that it serves the right certificate for this SNI name (nginx `server_name`, \
Apache `ServerName`/`ServerAlias`). To check a staging address with the production name, use \
--servername.",
        platforms: &[
            ("certbot", "`certbot certonly -d example.com -d www.example.com` names both"),
            ("OpenSSL", "`-addext \"subjectAltName=DNS:example.com,DNS:www.example.com,IP:192.0.2.10\"`"),
            ("nginx", "the `server_name` of the block with this certificate must match the name clients use"),
            ("Kubernetes", "the Ingress `tls.hosts` and the Certificate's `dnsNames` must list the name"),
            ("PostgreSQL", "`sslmode=verify-full` matches the host in the connection string (`host=`) against the SANs; connect with a name the certificate has"),
        ],
        avoid: "Do not turn off the name check (`curl -k`, `check_hostname = False`, `InsecureSkipVerify`, `rejectUnauthorized: false`): the certificate then proves nothing about who answers.",
        about: &[CertFact::Names],
    }
    /// The leaf has no subjectAltName extension at all.
    NoSan {
        id: "no-san", severity: Error, side: Certificate,
        title: "The certificate has no Subject Alternative Names",
        explanation: "The certificate names its host only in the subject Common Name. Browsers (Chrome \
since 2017, Firefox, Safari), Go 1.15+, Android 9+ and rustls ignore the Common Name and require the \
name in a SAN entry; curl, Python's ssl and Node on OpenSSL, GnuTLS and Java still fall back to it, \
which is why it can work in one client and fail in the next (`--clients` shows which).",
        fix: "Reissue the certificate with SANs. With OpenSSL: \
`openssl req ... -addext \"subjectAltName=DNS:example.com,DNS:www.example.com\"`, and when signing, \
`-copy_extensions copy` (`openssl x509 -req`, OpenSSL 3) or `copy_extensions = copy` (`openssl ca`). \
Internal CAs (old scripts, AD CS templates) are the usual source of CN-only certificates.",
        about: &[CertFact::Names],
    }
    /// The name matches only through a wildcard directly over an ICANN public suffix.
    WildcardOverPublicSuffix {
        id: "wildcard-over-public-suffix", severity: Error, side: Certificate,
        title: "The name matches only a wildcard over a public suffix",
        explanation: "The certificate covers the name only through a wildcard whose remainder is a public \
suffix in the ICANN section of the Public Suffix List, such as *.co.uk for example.co.uk: a \
certificate for every site under that suffix. Chrome (and Edge) refuse to match a name through \
such a wildcard (net/cert/x509_certificate.cc VerifyHostname); OpenSSL, Go, Firefox and rustls \
match it, so it works in one client and fails in the next (`--clients` shows which). No public CA \
may issue it (Baseline Requirements 3.2.2.6), so it comes from a private CA. The list is the one \
compiled into tlsdoctor (the psl crate).",
        fix: "Reissue the certificate with the names themselves (example.co.uk) or with a wildcard one \
label lower (*.example.co.uk).",
        about: &[CertFact::Names],
    }
    /// The leaf is valid for longer than a client's lifetime limit allows.
    ValidityTooLong {
        id: "validity-too-long", severity: Error, side: Certificate,
        title: "The certificate is valid for longer than some clients allow",
        explanation: "Some clients cap how long a server certificate may be valid, by the date it was \
issued. Chrome and Edge refuse a publicly trusted leaf issued since 2020-09-01 that is valid for more \
than 398 days, and follow the CA/Browser Forum's schedule: 200 days since 2026-03-15, 100 since \
2027-03-15, 47 since 2029-03-15 (ERR_CERT_VALIDITY_TOO_LONG; earlier: 825 days since 2018-03-01, 39 \
months since 2015-04-01; Chromium's CertVerifyProc::HasTooLongValidity). Apple platforms (Safari, iOS and macOS \
apps) refuse any TLS server certificate issued since 2019-07-01 that is valid for more than 825 days, \
under a private root too (HT210176), and one from their preinstalled roots issued since 2020-09-01 \
that is valid for more than 398 days (HT211025). Firefox, OpenSSL, GnuTLS, Go, Java and Android \
enforce no limit, so a long-lived private certificate works everywhere but on Apple devices.",
        fix: "Reissue the certificate with a shorter validity: under a public root at most the limit of \
its issue date (200 days until 2027-03-14, 100 until 2029-03-14, then 47), at most 825 days under a private one (`openssl x509 -req \
-days 825`, `step ca certificate --not-after 19800h`, mkcert's default), and automate its renewal.",
        about: &[CertFact::Validity],
    }
    /// No name was given, so name matching was skipped.
    NameNotChecked {
        id: "name-not-checked", severity: Info, side: None,
        title: "The host name was not checked",
        explanation: "No name was given (a file was checked without --host), so whether the certificate \
matches the name clients use is unknown.",
        fix: "Give the name clients use: `tlsdoctor check --file FILE --host example.com`.",
    }

    // ---- The path to a trust anchor. ----
    /// The leaf's issuer is neither sent nor trusted.
    MissingIntermediate {
        id: "missing-intermediate", severity: Error, side: Server,
        title: "The server does not send its intermediate certificate",
        explanation: "The server sent its certificate without the intermediate CA certificate that issued \
it, and that issuer is not a trusted root. Browsers often hide this (they cache or download \
intermediates), but curl, OpenSSL, Go, Python, Java, Node and most API clients fail with \"unable to get \
local issuer certificate\" or \"unknown authority\". If the issuer is in fact your organisation's \
private root, the clients need that root instead (the fix for unknown-issuer).",
        fix: "Serve the full chain: the leaf first, then each intermediate in order (the root may be left \
out). The CA publishes the intermediate; the leaf's \"CA Issuers\" URL points at it.",
        platforms: SERVE_FULL_CHAIN,
        avoid: "Do not install the intermediate on the clients instead: every other client still fails. Browsers working is no proof: they download missing intermediates, most clients do not.",
        about: &[CertFact::Issuer],
    }
    /// A "CA Issuers" URL answered, but with no certificate that issued the one naming it.
    CaIssuersUnusable {
        id: "ca-issuers-unusable", severity: Warning, side: Server,
        title: "A \"CA Issuers\" URL serves no usable issuer certificate",
        explanation: "A certificate names a URL where its issuer's certificate can be downloaded (Authority \
Information Access, \"CA Issuers\"), and the answer there holds no certificate whose key made that \
certificate's signature: something that is not a certificate, certificates of other names, or look-alikes \
that bear the issuer's name but not its key (the detail says what it held). Browsers, and Java with \
AIA fetching on, rely on this URL when a server leaves its intermediate out, so they fail too. \
tlsdoctor keeps nothing from such an answer and examines a bounded part of it.",
        fix: "Serve the full chain from the server, so that no client needs the URL. The URL and what it \
serves belong to the CA that issued the certificate: tell them what it serves (the detail has the URL).",
        avoid: "Do not copy a certificate from that URL into the chain without checking that it issued \
the server's certificate (`openssl verify -partial_chain -CAfile issuer.pem leaf.pem`).",
    }
    /// A CA in the chain was issued by a CA the store does not know.
    UnknownIssuer {
        id: "unknown-issuer", severity: Error, side: Either,
        title: "The chain leads to an issuer this trust store does not know",
        explanation: "The last certificate sent was issued by a CA that is neither in the chain nor in the \
trust store. Either that CA is a private (internal) CA whose root the clients must trust, or the \
server omits a further intermediate, or the client's store lacks a root it should have.",
        fix: "If the issuer is your organisation's CA, install its root on the clients (steps below). If it \
is a public CA, the server must send the missing intermediate (see missing-intermediate).",
        platforms: TRUST_A_ROOT,
        avoid: AVOID_TRUST_SHORTCUTS,
        about: &[CertFact::Issuer],
    }
    /// The chain ends at a self-signed root that is not trusted.
    UntrustedRoot {
        id: "untrusted-root", severity: Error, side: Client,
        title: "The chain ends at a root this trust store does not hold",
        explanation: "The server sends a complete chain up to a self-signed root, but that root is not in \
the trust store used. Typical of a private (internal) CA or of a TLS-inspecting proxy; for a public CA \
it means the client's store is outdated.",
        fix: "Check the root's fingerprint with its owner, then install it in the clients' trust store \
(steps below), or have the server use a certificate from a CA the clients already trust. Sending \
the root from the server never makes it trusted.",
        platforms: TRUST_A_ROOT,
        avoid: AVOID_TRUST_SHORTCUTS,
        about: &[CertFact::Issuer],
    }
    /// A root program still includes the root but its constraint excludes this leaf.
    DistrustedRoot {
        id: "distrusted-root", severity: Error, side: Certificate,
        title: "A root program no longer trusts this root for new certificates",
        explanation: "The chain ends at a root that a root program still ships but has distrusted for \
certificates issued after a date: Mozilla's NSS (Firefox) by the leaf's notBefore \
(CKA_NSS_SERVER_DISTRUST_AFTER), Java by the leaf's notBefore (jdk.security.caDistrustPolicies: \
Symantec, Entrust, Camerfirma, Chunghwa), Chrome by the earliest of the leaf's SCTs that \
verifies (sct_not_after in the Chrome Root Store). Clients of that program refuse this leaf although the \
root is in their store, while clients of other programs still accept it, so it fails in one \
browser or runtime and works in the next. The detail names the program, the date of tlsdoctor's \
copy of its data and the clients it breaks.",
        fix: "Replace the certificate with one from a CA the programs still trust for new \
certificates: the server's certificate must change (the CA's customers usually get a \
replacement path from it, or move to another CA). Clients cannot fix this short of overriding \
their program's policy.",
        avoid: "Do not re-add the root to the clients' store or remove the distrust policy \
(jdk.security.caDistrustPolicies): the program distrusted the CA for a reason, and every client \
you do not control keeps refusing.",
        about: &[CertFact::Issuer, CertFact::Validity],
    }
    /// A TLS-inspecting proxy replaced the server's certificate.
    TlsInterception {
        id: "tls-interception", severity: Error, side: Client,
        title: "A TLS-inspecting proxy replaced the server's certificate",
        explanation: "Between this machine and the server, a proxy, firewall or antivirus decrypts \
TLS and re-signs every site with its own CA (the corporate \"unknown authority\"). The server's \
real chain is never seen here. Browsers managed by the organisation trust that CA; curl, language \
runtimes, containers and CI images usually do not.",
        fix: "Install the inspecting proxy's root CA (from IT, or saved with `tlsdoctor check HOST \
--save-root proxy-root.pem` after checking its fingerprint) in the clients' trust stores, or exempt \
this host from inspection (NO_PROXY, or the proxy's bypass list). `tlsdoctor trust --root \
proxy-root.pem` shows which clients still lack it.",
        platforms: TRUST_A_ROOT,
        avoid: AVOID_TRUST_SHORTCUTS,
        about: &[CertFact::Issuer],
    }
    /// The chain ends at a root that no public store holds.
    PrivateRoot {
        id: "private-root", severity: Error, side: Client,
        title: "The chain ends at a private root no public store holds",
        explanation: "The chain is complete up to a root that is not in Mozilla's list or any other \
public store: an internal (private) CA, a development CA such as mkcert's, or a TLS-inspecting \
proxy's CA. Only clients that have this exact root installed trust the server; nothing on the \
server can change that.",
        fix: "Distribute this root (named by subject and SHA-256 fingerprint in the detail: check them with \
the CA's owner) to every client that must connect; save it with `tlsdoctor check HOST --save-root \
root.pem`. If the public must reach this server, use a certificate from a public CA instead.",
        platforms: TRUST_A_ROOT,
        avoid: AVOID_TRUST_SHORTCUTS,
        about: &[CertFact::Issuer],
    }
    /// Mozilla trusts the chain; this machine's system store does not.
    OutdatedSystemStore {
        id: "outdated-system-store", severity: Error, side: Client,
        title: "This machine's trust store lacks a root that Mozilla's list has",
        explanation: "The chain reaches a root in Mozilla's current list, but none in this machine's \
system store, which curl, wget, Python, Ruby, PHP, Go and most other clients read. The store is \
outdated (an old ca-certificates package, a years-old base image), empty (a container image without \
ca-certificates), or was replaced. The server is fine; clients on this machine fail.",
        fix: "Update the system store. Debian/Ubuntu: `apt-get update && apt-get install -y \
ca-certificates` (also in a Dockerfile). RHEL/Fedora: `dnf update ca-certificates`. Alpine: \
`apk add --no-cache ca-certificates && update-ca-certificates`. macOS: install the system updates \
(its roots ship with the OS). Windows: run Windows Update (or `certutil -generateSSTFromWU \
roots.sst` to see the current list). Stores that applications carry are separate: Java's cacerts \
comes with the JDK (update the JDK), Python's certifi with `pip install -U certifi`, Node's with \
Node itself (or add roots with NODE_EXTRA_CA_CERTS).",
        platforms: &[
            ("Debian/Ubuntu", "`apt-get update && apt-get install -y ca-certificates` (also in Dockerfiles)"),
            ("RHEL/Fedora", "`dnf update ca-certificates`"),
            ("Alpine", "`apk add --no-cache ca-certificates && update-ca-certificates`"),
            ("macOS", "install the system updates: its roots ship with the OS"),
            ("Windows", "Windows Update refreshes the roots (`certutil -generateSSTFromWU roots.sst` shows the current list)"),
            ("Java", "update the JDK: its cacerts ships with it"),
            ("Python", "`pip install -U certifi`"),
            ("Node", "upgrade Node, which carries its own root list"),
        ],
    }
    /// An SSL_CERT_FILE / SSL_CERT_DIR override hides the root the system store has.
    EnvOverrideMissingRoot {
        id: "env-override-missing-root", severity: Error, side: Client,
        title: "An environment variable points clients at a bundle without the needed root",
        explanation: "An environment variable (SSL_CERT_FILE and SSL_CERT_DIR for OpenSSL-based \
clients, Go and curl; REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and others for one client each) \
replaces or extends this machine's trust store, and the bundle or directory it names does not hold \
the root this chain needs (or does not exist), while the distribution's own store does. Typically a variable set for one tool \
(a corporate bundle, a virtualenv's certifi path, a CI image) hides the system roots from all the \
others.",
        fix: "Point the variable at a bundle that holds every root you need (usually the system \
bundle plus your own: `cat /etc/ssl/certs/ca-certificates.crt corp-root.pem > bundle.pem`), or unset \
it (`unset SSL_CERT_FILE SSL_CERT_DIR`) to use the system store. Find where it is set: the shell \
profile, the service's environment (systemd `Environment=`), the container image's ENV, the CI \
job's variables.",
        platforms: &[
            ("shell", "`env | grep SSL_CERT` shows it; it may come from ~/.profile, ~/.bashrc or /etc/environment"),
            ("systemd", "`systemctl show SERVICE -p Environment` shows a service's variables"),
            ("Docker", "`docker inspect IMAGE --format '{{.Config.Env}}'` shows variables baked into an image"),
            ("Kubernetes", "the pod spec's `env` and `envFrom`"),
        ],
    }
    /// The root is not installed on this machine at all.
    AnchorMissing {
        id: "anchor-missing", severity: Error, side: Client,
        title: "The root is not installed on this machine",
        explanation: "The root is neither in the compiled bundle that clients read nor among the \
certificates waiting in the anchors directory. Clients that use the system store fail with \
\"unable to get local issuer certificate\" or \"certificate signed by unknown authority\".",
        fix: "Copy the root (checked by its fingerprint with its owner) into the anchors directory and \
rebuild the bundle (the detail has the commands for this machine).",
        platforms: TRUST_A_ROOT,
        avoid: AVOID_TRUST_SHORTCUTS,
    }
    /// A root sits in the anchors directory but the bundle was not rebuilt.
    AnchorNotCompiled {
        id: "anchor-not-compiled", severity: Error, side: Client,
        title: "The root is installed but the bundle was not rebuilt",
        explanation: "The root was copied into the anchors directory, but clients read the compiled \
bundle, which is only rebuilt by the distribution's update command (update-ca-certificates, \
update-ca-trust extract); until it runs, nothing trusts the root.",
        fix: "Run the update command as root (the detail names it), then restart the clients: most \
read the store once, at start.",
        platforms: &[
            ("Debian/Ubuntu/Alpine", "`sudo update-ca-certificates` (it reports \"1 added\")"),
            ("RHEL/Fedora", "`sudo update-ca-trust extract`"),
            ("Dockerfile", "`RUN update-ca-certificates` after the `COPY` of the root, in the same image"),
        ],
    }
    /// Debian ignores anchor files that do not end in .crt.
    AnchorWrongExtension {
        id: "anchor-wrong-extension", severity: Error, side: Client,
        title: "The root file is ignored because of its name",
        explanation: "Debian's and Ubuntu's update-ca-certificates only reads files ending in .crt \
under /usr/local/share/ca-certificates; a root saved as .pem or .cer there is silently skipped, \
however often the command runs.",
        fix: "Rename the file to end in .crt (PEM content is fine) and run `sudo update-ca-certificates`.",
    }
    /// A leaf or intermediate was installed where a root was needed.
    AnchorIsLeaf {
        id: "anchor-is-leaf", severity: Error, side: Client,
        title: "A server or intermediate certificate was installed as a root",
        explanation: "A trust store needs the root CA at the top of the chain. A server's own \
certificate or an intermediate installed instead is not used by OpenSSL, Go or Java to anchor a \
chain (or works only until the next renewal), so the unknown-authority error stays.",
        fix: "Install the root that issued it: `tlsdoctor check HOST --save-root root.pem` saves the \
root a server's chain ends at; remove the wrong file and rebuild the bundle.",
    }
    /// An installed root has expired.
    AnchorExpired {
        id: "anchor-expired", severity: Error, side: Client,
        title: "An installed root has expired",
        explanation: "Chains that end at an expired root are rejected by every mainstream client; a \
CA that renewed its root issues under the new one.",
        fix: "Replace it with the CA's current root and rebuild the bundle; remove the expired file.",
    }
    /// A client with its own store lacks the root the system store has.
    ClientBundleSeparate {
        id: "client-bundle-separate", severity: Error, side: Client,
        title: "A client uses its own trust store, which lacks the root",
        explanation: "Some clients do not read the system store: Python requests reads certifi's \
bundle, Node.js its compiled-in copy of Mozilla's list, Java its cacerts keystore. A private root \
added to the system store is invisible to them, so curl works and the application still fails.",
        fix: "Give that client the root in its own way (the detail has the command for it), then \
restart it.",
        platforms: &[
            ("Python", "`REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt` in the service's environment, or `pip install truststore` and `truststore.inject_into_ssl()`"),
            ("Node", "`NODE_EXTRA_CA_CERTS=/path/root.pem`, or `NODE_OPTIONS=--use-openssl-ca`"),
            ("Java", "`keytool -importcert -cacerts -alias NAME -file root.pem`; on Debian, install ca-certificates-java and run `sudo update-ca-certificates`"),
        ],
        avoid: AVOID_TRUST_SHORTCUTS,
    }
    /// A container image has no real trust store.
    ContainerStoreMissing {
        id: "container-store-missing", severity: Error, side: Client,
        title: "The container has no CA bundle",
        explanation: "Minimal images (scratch, distroless, slim, Alpine without ca-certificates) ship \
without a CA bundle, and a container never sees the host's: every TLS connection from it fails \
with \"unknown authority\", public sites included.",
        fix: "Install the CA package in the image, and add private roots in the image too.",
        platforms: &[
            ("Debian/Ubuntu image", "`RUN apt-get update && apt-get install -y ca-certificates`"),
            ("Alpine image", "`RUN apk add --no-cache ca-certificates`"),
            ("scratch / distroless", "`COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`"),
            ("private root", "`COPY root.crt /usr/local/share/ca-certificates/` and `RUN update-ca-certificates`"),
        ],
        avoid: "Do not mount the host's /etc/ssl into containers as a habit: images then depend on the host's distribution.",
    }
    /// The system bundle was overwritten or stripped down.
    StoreMinimal {
        id: "store-minimal", severity: Error, side: Client,
        title: "The system CA bundle holds only a handful of certificates",
        explanation: "A distribution's bundle holds over a hundred public roots. One with a few \
certificates was usually overwritten with a private root (`cp corp.pem \
/etc/ssl/certs/ca-certificates.crt` instead of installing it as an anchor), or comes from a stripped \
image: connections to public sites fail, and the next package update may undo the change.",
        fix: "Restore the distribution's bundle (the detail has the command) and add private roots as \
anchors, so that the update command appends them.",
        avoid: "Never write a root into the compiled bundle by hand: install it as an anchor and let \
the update command build the bundle.",
    }
    /// A container runtime has no CA for a private registry.
    DockerRegistryCa {
        id: "docker-registry-ca", severity: Error, side: Client,
        title: "The container runtime has no CA for this registry",
        explanation: "Docker, containerd and Podman verify a registry's certificate against the system \
store plus a per-registry directory (certs.d/HOST:PORT). A registry with a private CA needs its root \
in one of them, on every node that pulls.",
        fix: "Put the registry's root CA in /etc/docker/certs.d/HOST:PORT/ca.crt (Docker, no restart \
needed), containerd's certs.d hosts.toml, or /etc/containers/certs.d/HOST:PORT/ (Podman, CRI-O).",
        avoid: "Do not list the registry under insecure-registries: that turns verification off for it.",
    }
    /// An environment variable switches certificate verification off.
    VerificationDisabled {
        id: "verification-disabled", severity: Error, side: Client,
        title: "Certificate verification is switched off by an environment variable",
        explanation: "A variable tells a client to accept any certificate. Connections still work, \
which is why it stays set, but an attacker on the path can read and change them, and real \
certificate problems are hidden.",
        fix: "Unset it (`unset NAME`; remove it from the profile, service unit, image or CI job) and fix \
the trust problem it was covering: `tlsdoctor check HOST` names it.",
    }
    /// GODEBUG re-enables weak certificate handling.
    VerificationWeakened {
        id: "verification-weakened", severity: Warning, side: Client,
        title: "GODEBUG relaxes Go's certificate checks",
        explanation: "Go programs read GODEBUG at start; some settings bring back what Go rejects by \
default (SHA-1 signatures, CN matching, RSA key exchange). They are meant as a temporary bridge.",
        fix: "Fix the certificate or server that needed the setting, then remove it from GODEBUG.",
    }
    /// The leaf signed itself.
    SelfSignedLeaf {
        id: "self-signed-leaf", severity: Error, side: Either,
        title: "The server's certificate is self-signed",
        explanation: "The certificate is signed by its own key, not by a CA, so clients trust it only if \
that exact certificate was installed on them. Usually a default or placeholder certificate (the \
distribution's snakeoil certificate, a forgotten test certificate) or the wrong server block answering \
for this name.",
        fix: "Get a certificate from a CA the clients trust (ACME/Let's Encrypt for public names, the \
internal CA for private ones) and configure the server with it. If a default server block answers, \
add or fix the one for this name (nginx `server_name`, Apache `ServerName`). Trusting a self-signed \
certificate on every client is a last resort.",
        avoid: "Do not make every client trust this one certificate or turn verification off: the next certificate breaks them again, and `-k` accepts an attacker's too.",
        about: &[CertFact::Issuer],
    }
    /// The certificates are not sent leaf-first, each followed by its issuer.
    WrongOrder {
        id: "wrong-order", severity: Warning, side: Server,
        title: "The certificates are sent in the wrong order",
        explanation: "TLS expects the leaf first and each following certificate to certify the one before \
it; this server's order differs. Current browsers, OpenSSL, Go and rustls reorder, but older Java, \
GnuTLS, embedded and IoT clients may fail.",
        fix: "Rebuild the chain file in order: the leaf, the intermediate that issued it, then that \
intermediate's issuer, and so on (`cat leaf.crt issuing-ca.crt upper-ca.crt > fullchain.pem`), then \
reload the server.",
        platforms: SERVE_FULL_CHAIN,
        about: &[CertFact::Issuer],
    }
    /// A certificate that is not on the path from the leaf to the anchor.
    ExtraCertificates {
        id: "extra-certificates", severity: Warning, side: Server,
        title: "The server sends a certificate that is not part of the chain",
        explanation: "A certificate was sent that certifies neither the leaf nor any certificate on its \
path: a leftover from an old chain, another site's intermediate or a bundle of roots. It costs bytes \
in every handshake and confuses clients that build paths strictly in order.",
        fix: "Remove that certificate from the chain file (keep the leaf, then its intermediates) and \
reload the server.",
        platforms: SERVE_FULL_CHAIN,
        about: &[CertFact::Issuer],
    }
    /// The same certificate appears twice.
    DuplicateCertificate {
        id: "duplicate-certificate", severity: Warning, side: Server,
        title: "The server sends the same certificate twice",
        explanation: "The chain holds the same certificate more than once, usually because an \
intermediate was appended to a file that already had it (fullchain.pem plus chain.pem).",
        fix: "Remove the duplicate from the chain file (certbot's fullchain.pem already holds the \
intermediate) and reload the server.",
        platforms: SERVE_FULL_CHAIN,
        about: &[],
    }
    /// The trust anchor itself is sent.
    RootIncluded {
        id: "root-included", severity: Info, side: Server,
        title: "The server sends the root certificate",
        explanation: "The root is sent along with the chain. Clients ignore it (trust comes from their own \
store), so it only costs bytes in each handshake.",
        fix: "Optionally drop the root from the chain file and keep the leaf and its intermediates.",
        about: &[],
    }
    /// The server's private key does not belong to its leaf certificate.
    KeyMismatch {
        id: "key-mismatch", severity: Error, side: Server,
        title: "The private key does not belong to the server's certificate",
        explanation: "The key given with the chain file is not the key the leaf certificate was \
issued for: its public key differs from the leaf's. A server configured with this pair does not \
start (nginx: \"key values mismatch\"; Apache: AH02565) or cannot complete a handshake. It \
usually happens after a renewal, when the new certificate is deployed with the old key, or the \
key of another site or environment is picked up.",
        fix: "Deploy the key that was used for the certificate's request (CSR), or, if it is lost, \
make a new key and CSR and have the certificate reissued. Check a pair before deploying it: \
`openssl x509 -noout -pubkey -in leaf.pem | openssl sha256` and `openssl pkey -pubout -in \
key.pem | openssl sha256` must print the same hash.",
        platforms: &[
            (
                "nginx",
                "`ssl_certificate_key` must be the key of the first certificate in `ssl_certificate`; `nginx -t` refuses a mismatched pair",
            ),
            (
                "Apache",
                "`SSLCertificateKeyFile` must be the key of the first certificate in `SSLCertificateFile`; `apachectl configtest`",
            ),
            (
                "HAProxy",
                "the `crt` file holds the leaf, the intermediates and this leaf's key",
            ),
            (
                "Kubernetes",
                "the TLS secret's tls.key must belong to the first certificate in tls.crt (`kubectl create secret tls NAME --cert=fullchain.pem --key=key.pem` checks the pair)",
            ),
            (
                "check",
                "`tlsdoctor check --file fullchain.pem --key key.pem --host NAME` before the reload",
            ),
        ],
        avoid: "Do not make a new key alone and keep the certificate: the certificate is bound to \
the old key. Never send a private key to anyone to have it checked: compare the public-key hashes.",
        about: &[CertFact::Key],
    }
    /// An issuer with the right name but the wrong key.
    BadSignature {
        id: "bad-signature", severity: Error, side: Server,
        title: "A certificate's signature does not verify with its issuer's key",
        explanation: "A certificate names an issuer that is present (sent by the server or in the trust \
store) under the right name, but the signature does not verify with that issuer's public key: it is \
the wrong issuer certificate, such as an old intermediate after the CA changed keys, a staging CA with \
the production CA's name, or a corrupted file.",
        fix: "Get the intermediate that really issued the certificate (from the CA, or from the \
certificate's \"CA Issuers\" URL): the certificate's Authority Key Identifier must equal its issuer's \
Subject Key Identifier (`openssl x509 -noout -text -in FILE`). Rebuild the chain file and reload the \
server. If the issuer is a root in the client's store, that client holds a stale root of the same \
name: update its store.",
        platforms: SERVE_FULL_CHAIN,
        about: &[CertFact::Issuer, CertFact::Key],
    }

    // ---- Purpose and constraints. ----
    /// An issuing certificate is not a CA.
    NotACa {
        id: "not-a-ca", severity: Error, side: Certificate,
        title: "An issuing certificate is not a CA",
        explanation: "A certificate that signed another one lacks basicConstraints CA:TRUE, or its \
keyUsage lacks keyCertSign, so clients refuse everything it signed. Usually a leaf used to sign \
another certificate, or an internal intermediate made without the CA extensions.",
        fix: "Sign with a real CA certificate. An internal CA made with OpenSSL needs \
`basicConstraints=critical,CA:TRUE` and `keyUsage=critical,keyCertSign,cRLSign`; reissue it and the \
certificates under it.",
    }
    /// The leaf is itself a CA certificate.
    LeafIsCa {
        id: "leaf-is-ca", severity: Error, side: Certificate,
        title: "The server's certificate is a CA certificate",
        explanation: "The leaf has basicConstraints CA:TRUE. rustls and other strict clients refuse a CA \
certificate as a server certificate; `openssl req -x509` with the default v3_ca section makes exactly \
this.",
        fix: "Reissue the leaf with `basicConstraints=critical,CA:FALSE`, \
`keyUsage=critical,digitalSignature` (plus keyEncipherment for RSA) and `extendedKeyUsage=serverAuth`.",
    }
    /// The EKU does not include serverAuth.
    WrongEku {
        id: "wrong-eku", severity: Error, side: Certificate,
        title: "A certificate is not allowed for TLS servers",
        explanation: "The certificate's Extended Key Usage lists its allowed purposes and server \
authentication (serverAuth) is not among them, e.g. a client (clientAuth) or code-signing certificate. \
Clients also apply an intermediate's EKU to everything it issued.",
        fix: "Reissue the certificate with `extendedKeyUsage=serverAuth` (add clientAuth only if it also \
serves as a client certificate). If an intermediate restricts the EKU, get the leaf from an \
intermediate meant for TLS servers.",
    }
    /// The leaf's keyUsage forbids what TLS does with its key.
    BadKeyUsage {
        id: "bad-key-usage", severity: Error, side: Certificate,
        title: "The leaf's key usage does not allow its TLS use",
        explanation: "The keyUsage extension must allow what the key does in TLS: digitalSignature for \
ECDHE and TLS 1.3 (keyEncipherment only serves TLS 1.2 RSA key exchange). OpenSSL-based clients (curl, \
Python, PHP) reject a leaf whose keyUsage allows none of the TLS uses, and Chrome requires \
digitalSignature for RSA keys since 2024.",
        fix: "Reissue with `keyUsage=critical,digitalSignature` (plus keyEncipherment for an RSA key that \
must serve TLS 1.2 RSA key exchange).",
    }
    /// A pathLenConstraint is exceeded.
    PathLengthExceeded {
        id: "path-length-exceeded", severity: Error, side: Certificate,
        title: "A CA's path length limit is exceeded",
        explanation: "A CA certificate's basicConstraints pathLenConstraint limits how many intermediates \
may follow it, and this chain has more.",
        fix: "Issue the leaf from a CA allowed to issue at this depth (often directly from the CA with \
pathlen:0), or reissue the constrained CA with a larger path length.",
    }
    /// A name constraint excludes the leaf's names.
    NameConstraintsViolation {
        id: "name-constraints-violation", severity: Error, side: Certificate,
        title: "A CA's name constraints forbid this certificate's names",
        explanation: "A CA in the chain may only issue for certain names (nameConstraints), and the \
certificate's names fall outside them.",
        fix: "Issue the certificate from a CA permitted to issue for these names, or reissue the \
constrained CA with the needed domains in its permitted subtrees.",
        about: &[CertFact::Names, CertFact::Issuer],
    }

    // ---- Cryptography. ----
    /// SHA-1 or MD5 signature.
    WeakSignature {
        id: "weak-signature", severity: Error, side: Certificate,
        title: "A certificate is signed with a broken hash",
        explanation: "The certificate is signed with SHA-1 or MD5, for which collisions are practical. \
Browsers, OpenSSL 3 at its default security level, Go, Java and rustls reject such signatures on leaves \
and intermediates (a root's signature on itself does not matter).",
        fix: "Reissue the certificate signed with SHA-256 or stronger (`openssl ... -sha256`); for an \
internal CA, set its signing digest to SHA-256 (`default_md = sha256`).",
        about: &[CertFact::Key],
    }
    /// RSA below 2048 bits, or DSA.
    WeakKey {
        id: "weak-key", severity: Error, side: Certificate,
        title: "A certificate's key is too weak",
        explanation: "RSA keys below 2048 bits and DSA keys are refused by browsers, OpenSSL 3 at its \
default security level, Go, Java and rustls.",
        fix: "Generate a new key (RSA 2048+ or ECDSA P-256: \
`openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...`) and reissue the certificate; for a CA, \
reissue the CA and everything under it.",
        about: &[CertFact::Key],
    }
    /// An algorithm the mainstream verifiers do not implement.
    UnsupportedAlgorithm {
        id: "unsupported-algorithm", severity: Error, side: Certificate,
        title: "A certificate uses an algorithm clients do not support",
        explanation: "A signature or key algorithm in the chain (DSA, ECDSA on P-521 or a rare curve, an \
unusual hash and curve pairing) is not supported by mainstream verifiers such as rustls and Chrome.",
        fix: "Reissue with RSA 2048+ (PKCS#1 v1.5 or PSS, SHA-256/384/512), ECDSA P-256/P-384 with \
SHA-256/384, or Ed25519.",
        about: &[CertFact::Key],
    }

    // ---- Mutual TLS: the client's certificate. ----
    /// The server requires a client certificate and none was sent.
    ClientCertRequired {
        id: "client-cert-required", severity: Error, side: Client,
        title: "The server requires a client certificate",
        explanation: "The server asked for a client certificate (mutual TLS) and refused to go on \
without one: TLS 1.2 servers end the handshake (handshake_failure, 40), TLS 1.3 servers send \
certificate_required (116) just after it, and nginx answers \"400 No required SSL certificate was \
sent\".",
        fix: "Present the client certificate and key the service expects (the report lists the CAs the \
server accepts). Check it first: `tlsdoctor check HOST --cert client.pem --key client.key`.",
        platforms: PRESENT_CLIENT_CERT,
    }
    /// The client certificate's CA is not one the server accepts.
    ClientCaNotAccepted {
        id: "client-ca-not-accepted", severity: Error, side: Either,
        title: "The server does not accept the client certificate's CA",
        explanation: "The client certificate was issued by a CA the server does not trust for \
clients: its issuer is not among the CAs the server names (the server answers unknown_ca, 48), or \
a CA of the same name but another key signed it, typically another environment's CA (staging \
against production).",
        fix: "Present a certificate from a CA the server names, or make the server trust the client's CA \
and reload it (steps below).",
        platforms: TRUST_CLIENT_CA,
        avoid: "Do not make the server accept any client certificate (`ssl_verify_client optional_no_ca`): it then authenticates nobody.",
    }
    /// The client sends its leaf without the intermediate the server needs.
    ClientMissingIntermediate {
        id: "client-missing-intermediate", severity: Error, side: Client,
        title: "The client does not send its intermediate certificate",
        explanation: "The client certificate was issued by an intermediate CA, the certificate file \
holds only the leaf, and the server names only the CA above it, so it cannot connect the two \
(unknown_ca or bad_certificate).",
        fix: "Append the intermediate to the client's certificate file, leaf first: \
`cat client.crt intermediate.crt > client-chain.pem`, and present that file (curl \
`--cert client-chain.pem`). Or give the server the intermediate too: nginx \
`ssl_client_certificate` with the intermediate added, and `ssl_verify_depth 2;` or more.",
        platforms: PRESENT_CLIENT_CERT,
    }
    /// The client certificate is outside its validity period.
    ClientCertExpired {
        id: "client-cert-expired", severity: Error, side: Client,
        title: "The client certificate has expired or is not valid yet",
        explanation: "The client certificate (or its intermediate) is outside its validity period at \
the evaluation time, so servers reject it (certificate_expired, 45).",
        fix: "Renew the client certificate from its CA and install it where the client reads it; for \
\"not valid yet\", check the client machine's clock.",
    }
    /// The client certificate's EKU lacks clientAuth.
    ClientWrongEku {
        id: "client-wrong-eku", severity: Error, side: Certificate,
        title: "The client certificate is not allowed for client authentication",
        explanation: "The certificate's Extended Key Usage does not include clientAuth (often a \
server certificate reused as a client certificate), so OpenSSL-based servers reject it \
(unsupported_certificate, 43).",
        fix: "Reissue it with `extendedKeyUsage=clientAuth` (OpenSSL: \
`-addext extendedKeyUsage=clientAuth`).",
    }
    /// The private key does not belong to the client certificate.
    ClientKeyMismatch {
        id: "client-key-mismatch", severity: Error, side: Client,
        title: "The client key does not belong to the client certificate",
        explanation: "The private key given does not match the certificate's public key, so the \
client's handshake signature fails at the server (decrypt_error, 51, or bad_certificate).",
        fix: "Use the key the certificate was issued for: `openssl x509 -in client.pem -noout -pubkey` \
and `openssl pkey -in client.key -pubout` must print the same key.",
    }
    /// The server refused the client certificate with an alert or an HTTP error page.
    ClientCertRejected {
        id: "client-cert-rejected", severity: Error, side: Either,
        title: "The server rejected the client certificate",
        explanation: "After seeing the client certificate the server ended the connection with an \
alert (named in the detail: bad_certificate 42, unsupported_certificate 43, certificate_revoked \
44, certificate_expired 45, certificate_unknown 46, access_denied 49, decrypt_error 51), or nginx \
answered \"400 The SSL certificate error\". The server's log says why.",
        fix: "Read the alert in the detail and the server's log (nginx logs \"client SSL certificate \
verify error: (N:reason)\" at info level). Usual reasons: the client's chain lacks its \
intermediate, the server's client-CA file lacks the CA, nginx `ssl_verify_depth` is too small, or \
the certificate is revoked or expired.",
    }
    /// The handshake accepted the client certificate but the application refused.
    ClientCertPolicy {
        id: "client-cert-policy", severity: Error, side: Server,
        title: "The application refused the client certificate",
        explanation: "The TLS handshake accepted the client certificate, but the application \
answered 403 Forbidden (or 401): an authorization rule on the certificate's subject, OU or SAN \
does not allow this one.",
        fix: "Check the application's client-certificate rules for the subject in the report (nginx \
maps on `$ssl_client_s_dn`, Envoy RBAC principals, an ingress's allowed subjects), or get a \
certificate whose subject the rules allow.",
    }
    /// The client's private key file is readable by everyone.
    ClientKeyExposed {
        id: "client-key-exposed", severity: Warning, side: Client,
        title: "The client's private key file is readable by every user",
        explanation: "Anyone with an account on this machine can read the private key and \
impersonate the client.",
        fix: "`chmod 600 client.key` and make it owned by the user that runs the client.",
    }

    // ---- The certificates themselves. ----
    /// A certificate breaks an encoding rule that some mainstream clients enforce.
    ProfileViolation {
        id: "profile-violation", severity: Error, side: Certificate,
        title: "A certificate breaks an encoding rule some clients enforce",
        explanation: "RFC 5280 fixes how certificates are encoded: which extensions must be critical \
or must not be, that CAs carry key identifiers and keyCertSign, that a root is its own issuer. \
rustls lets some of these pass, but OpenSSL, Go, Chrome or Python's strict mode (the default since \
Python 3.13) reject the chain; the detail names the rule and who rejects it. A root is checked too: \
verifiers read only its name and key, so nothing else looks at it.",
        fix: "Reissue the certificate with a standard profile: for a CA, `basicConstraints = critical, \
CA:true`, `keyUsage = critical, keyCertSign, cRLSign`, `subjectKeyIdentifier = hash`, \
`authorityKeyIdentifier = keyid:always` (OpenSSL's v3_ca section), no unknown critical extensions. \
For a root, that means a new root, distributed to the clients.",
    }
    /// A publicly trusted certificate breaks a rule its CA must follow, one clients let pass.
    MisissuedCertificate {
        id: "misissued-certificate", severity: Warning, side: Certificate,
        title: "A publicly trusted certificate breaks the rules its CA must follow",
        explanation: "The chain reaches a public root, and a certificate on it breaks a rule of RFC 5280's \
profile or of the CA/Browser Forum Baseline Requirements (BR), which every public CA must follow: a \
serial number that is zero or longer than 20 octets, an RSA modulus that is not a multiple of 8 \
bits, a leaf without serverAuth in its extKeyUsage, a Common Name that is not one of the SANs, \
and the like; the detail names the rule and its section. No mainstream client (Chrome, Firefox, \
Safari, OpenSSL, Go, rustls) rejects the certificate for it, so connections work; linters (zlint, \
pkilint), CT monitors and the x509-limbo suite flag it. A misissued public certificate must be \
revoked by its CA within 5 days once reported (BR 4.9.1.1), so it can stop working at short notice. \
A public root that breaks such a rule is named nonconforming-certificate instead: the root \
programs accepted it as it is, and no server can change it. Sources: RFC 5280 section 4; Baseline Requirements sections 6.1.5, 7.1.2 and 7.1.4.",
        fix: "Ask the CA (the one that issued the named certificate) for a replacement that keeps the \
rule, and report the misissuance to it; a CA that issues such certificates should fix its profile. \
Nothing on the server or the clients needs to change once the certificate is replaced.",
        avoid: "Do not wait for the revocation: replace the certificate before the CA has to revoke it.",
    }
    /// A certificate outside the public PKI breaks a CA rule that clients do not enforce.
    NonconformingCertificate {
        id: "nonconforming-certificate", severity: Info, side: Certificate,
        title: "A certificate breaks a CA rule that clients do not enforce",
        explanation: "A certificate on the path breaks a rule of RFC 5280's profile (which binds every CA) \
or of the CA/Browser Forum Baseline Requirements (which bind public CAs, and which most private-CA \
tooling follows): a serial number that is zero or longer than 20 octets, nameConstraints or \
policyConstraints not marked critical, a leaf without an extKeyUsage, an underscore in a DNS \
name, and the like; the detail names the rule and its section. No mainstream client (Chrome, \
Firefox, Safari, OpenSSL, Go, rustls) rejects the certificate for it, so the verdict does not \
change; linters (zlint, pkilint), the x509-limbo suite and, for some rules, pyca/cryptography \
reject it, and a stricter client tomorrow might. Under a public root, the same rule broken by a \
leaf or an intermediate is misissued-certificate instead. Sources: RFC 5280 section 4; Baseline \
Requirements sections 3.2.2.6, 6.1.5, 7.1.2 and 7.1.4.",
        fix: "Change the issuing CA's certificate profile (its OpenSSL config, its ACME or AD CS template) \
so that new certificates keep the rule, and reissue the named certificate when convenient; for a \
rule broken by a root, that means a new root, distributed to the clients.",
    }
    /// Bytes that are not an X.509 certificate.
    UnparseableCertificate {
        id: "unparseable-certificate", severity: Error, side: Server,
        title: "A certificate could not be parsed",
        explanation: "The bytes sent as a certificate are not a valid X.509 certificate: a truncated or \
corrupt file, the wrong encoding, or a malformed extension. Clients reject the whole chain.",
        fix: "Export the certificate again from the CA or the original file; \
`openssl x509 -in FILE -noout -text` must decode it. The chain file must hold PEM certificates only.",
    }

    /// One of the tool's own bounds was reached: the report is partial.
    LimitReached {
        id: "limit-reached", severity: Warning, side: None,
        title: "tlsdoctor stopped at one of its limits",
        explanation: "Something in the input was larger than tlsdoctor examines (the detail names the \
limit and by how much it was exceeded), so part of it was not checked. The verdict cannot be \
\"ok\" when part of the chain went unexamined.",
        fix: "Look at what the detail says was skipped; if the input is genuine, trim it (a chain needs \
only the leaf and its intermediates).",
    }

    /// The judging of a captured chain did not finish within `--timeout`.
    JudgingIncomplete {
        id: "judging-incomplete", severity: Error, side: None,
        title: "The check ran out of time before the chain was judged",
        explanation: "The server's chain arrived, but building its paths and checking its signatures \
did not finish within --timeout and the second after it, so nothing can be said about it. That work \
is bounded, so this means a machine under heavy load, or a chain (or what its \"CA Issuers\" URLs \
serve) built to be expensive.",
        fix: "Check again with a longer --timeout. If it happens again, look at the certificates the \
server sends (`tlsdoctor check HOST --no-fetch`) and at what their \"CA Issuers\" URLs serve.",
    }

    // ---- The safety net. ----
    /// The standard verifier rejects the chain for a reason no other check names.
    RejectedByVerifier {
        id: "rejected-by-verifier", severity: Error, side: Either,
        title: "A standard verifier rejects this chain",
        explanation: "rustls/webpki, which validates the way mainstream clients do, rejects this chain for \
the reason in the detail, and no more specific check explains it.",
        fix: "Read the verifier's reason in the detail. `openssl verify -CAfile root.pem -untrusted \
chain.pem leaf.pem` usually gives the same answer in OpenSSL's words.",
    }
}
