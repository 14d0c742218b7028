//! Command-line definitions (clap derive). Only flags and help text live here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tlsdoctor::report::FailOn;
use tlsdoctor::target::{ConnectTo, ResolveRule, StarttlsChoice};
use tlsdoctor::trust::StoreSpec;

const EXIT_CODES: &str = "\
Exit codes (with the default --fail-on error):
  0  no error (warnings allowed)
  1  at least one error finding: a mainstream client would reject a target
  2  bad invocation, an input file that cannot be read, or an output file not written
  3  no error, but a target could not be checked at all (unreachable)";

const CHECK_EXAMPLES: &str = "\
Examples:
  tlsdoctor check example.com
  tlsdoctor check https://example.com:8443/health
  tlsdoctor check 192.0.2.10:443 --servername www.example.com   # staging IP, production name
  tlsdoctor check internal.example:443 --ca-file corp-root.pem  # private CA
  tlsdoctor check example.com --trust mozilla --trust system    # which store trusts it?
  tlsdoctor check example.com --fix-chain fullchain.pem         # write the chain to serve
  tlsdoctor check api.internal:8443 --cert client.pem --key client.key   # mutual TLS
  tlsdoctor check example.com --at 2027-01-01                   # still valid on release day?
  tlsdoctor check --file fullchain.pem --host example.com       # before deploying
  tlsdoctor check --targets staging.txt --format jsonl          # many targets, streamed
  tlsdoctor check api.example.com --connect-to ::10.0.0.5:      # production name, staging address
  tlsdoctor check example.com --format json | jq '.targets[0].findings[].cause'";

/// Tells you why a TLS connection fails and what to change.
#[derive(Debug, Parser)]
#[command(name = "tlsdoctor", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to a server (or read a chain file) and diagnose its certificate chain.
    #[command(after_help = format!("{CHECK_EXAMPLES}\n\n{EXIT_CODES}"))]
    Check(Box<CheckArgs>),

    /// Turn a TLS error message from any client into its likely causes and the check to run.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(ExplainArgs),

    /// List every cause tlsdoctor can name.
    Causes(CausesArgs),

    /// Diagnose this machine's trust setup, and whether its clients trust a root.
    #[command(after_help = TRUST_HELP)]
    Trust(TrustArgs),

    /// Print the JSON Schema (draft 2020-12) of a JSON output, to validate what scripts read.
    #[command(after_help = SCHEMA_HELP)]
    Schema(SchemaArgs),
}

const SCHEMA_HELP: &str = "\
Examples:
  tlsdoctor schema check > check.schema.json      # check --format json, and each jsonl line
  tlsdoctor schema explain > explain.schema.json  # explain --format json, causes --format json";

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which output's schema to print.
    #[arg(value_enum)]
    pub output: SchemaOutput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaOutput {
    /// `check --format json` (a document) and `--format jsonl` (one target per line).
    Check,
    /// `explain --format json` and `causes --format json`.
    Explain,
}

const TRUST_HELP: &str = "\
Examples:
  tlsdoctor trust                                   # stores, anchors, variables, problems
  tlsdoctor trust --root corp-root.pem              # which clients here trust this root, and why not
  tlsdoctor trust --host git.internal:443           # the same for the root a server's chain ends at
  tlsdoctor trust --registry registry.internal:5000 --root corp-root.pem
  tlsdoctor trust --root-dir ./rootfs --root corp-root.pem   # an unpacked container image

Exit codes:
  0  nothing to fix (warnings allowed)
  1  at least one error finding
  2  bad invocation, or a root that cannot be read";

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The root CA to look for (PEM or DER; the first certificate is used).
    #[arg(long, value_name = "FILE", conflicts_with = "host")]
    pub root: Option<PathBuf>,

    /// Take the root from the chain this server presents (HOST[:PORT]).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub host: Option<String>,

    /// Check that container runtimes trust this registry's CA (HOST[:PORT]; repeatable).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub registry: Vec<String>,

    /// Treat this directory as / (an unpacked image, a mounted volume). The environment is
    /// still this process's; paths in it are read inside DIR, and symbolic links are resolved
    /// inside DIR too.
    #[arg(long, value_name = "DIR")]
    pub root_dir: Option<PathBuf>,

    /// Judge expiry at this instant (RFC 3339, or a date) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub at: Option<OffsetDateTime>,

    /// Bound the connection (with --host) and each client program asked (keytool, python3)
    /// (default 10).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,

    /// Colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

const EXPLAIN_HELP: &str = "\
Examples:
  tlsdoctor explain 'x509: certificate signed by unknown authority'
  kubectl logs deploy/api | tlsdoctor explain -
  tlsdoctor explain missing-intermediate          # one cause: meaning and fix

Exit codes:
  0  recognised (or a cause id)
  1  not recognised: nothing is guessed
  2  bad invocation";

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The message (several words are joined), `-` to read it from stdin, or a cause id.
    /// Put a message that starts with `-` after `--`.
    #[arg(required = true, num_args = 1..)]
    pub message: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,

    /// Colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct CausesArgs {
    /// Output format: a table, JSON, or the Markdown of docs/causes.md.
    #[arg(long, value_enum, default_value_t = CausesFormat::Human)]
    pub format: CausesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CausesFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// host, host:port, https://host[:port]/path, [IPv6]:port or IP:port (port 443 by default),
    /// or a STARTTLS URL: smtp://, imap://, pop3://, ftp://, ldap://, postgres://, mysql://,
    /// xmpp://. Several may be given.
    #[arg(required_unless_present_any = ["file", "targets"], conflicts_with = "file")]
    pub target: Vec<String>,

    /// Read targets from this file (`-` for stdin): one per line, `#` comments, and per-target
    /// options after the target: `servername=NAME`, `connect=HOST[:PORT]`, `starttls=PROTO`.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    pub targets: Option<PathBuf>,

    /// Connect to CONNECT-HOST:CONNECT-PORT when the target is HOST:PORT, as curl's option does
    /// (HOST:PORT:CONNECT-HOST:CONNECT-PORT; an empty part matches or keeps anything).
    #[arg(long, value_name = "RULE")]
    pub connect_to: Vec<ConnectTo>,

    /// Resolve HOST:PORT to these addresses, as curl's option does (HOST:PORT:ADDR[,ADDR]).
    #[arg(long, value_name = "RULE")]
    pub resolve: Vec<ResolveRule>,

    /// Checks run at once when there are several targets.
    #[arg(long, value_name = "N", default_value_t = tlsdoctor::fleet::DEFAULT_JOBS,
          value_parser = parse_jobs)]
    pub jobs: usize,

    /// What makes the exit code non-zero: error findings (and unreachable targets), warnings
    /// too, or never.
    #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
    pub fail_on: FailOnArg,

    /// With several targets, print the full report for every target, not only those that fail;
    /// and every platform's fix steps, as --all-fixes.
    #[arg(long, short)]
    pub verbose: bool,

    /// Show every platform's fix steps. By default a finding shows only the steps for the server
    /// software the target announced (its HTTP Server header, mail greeting or database
    /// protocol), when there are some.
    #[arg(long)]
    pub all_fixes: bool,

    /// Diagnose a chain file (PEM or DER, leaf first) instead of connecting.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// With --file: the host name the certificate must be valid for.
    #[arg(long, value_name = "NAME", requires = "file")]
    pub host: Option<String>,

    /// The name to send as SNI and verify, when it differs from the address connected to.
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub servername: Option<String>,

    /// Judge against this trust store: mozilla, system, or a PEM/DER/PKCS#7 file or a
    /// directory of them (repeatable; each is reported on its own). Default: mozilla and system.
    #[arg(long, value_name = "STORE")]
    pub trust: Vec<StoreSpec>,

    /// Trust only the roots in this file instead of the default stores (repeatable; all files
    /// together make one store).
    #[arg(long = "ca-file", value_name = "PATH")]
    pub ca_file: Vec<PathBuf>,

    /// Do not download missing issuers from their "CA Issuers" URLs.
    #[arg(long)]
    pub no_fetch: bool,

    /// Ask the leaf's OCSP responder (from its AIA extension) whether it is revoked: `ocsp`, or
    /// `off` (the default). The stapled response is always read. --no-fetch keeps this off.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = RevocationArg::Off)]
    pub revocation: RevocationArg,

    /// With --revocation ocsp (which it implies): ask this OCSP responder instead of the one the
    /// certificate names.
    #[arg(long, value_name = "URL")]
    pub ocsp_url: Option<String>,

    /// Upgrade a plain-text protocol with STARTTLS before the handshake: smtp, imap, pop3, ftp,
    /// ldap, postgres, mysql or xmpp; `none` for TLS from the first byte; `auto` (the default)
    /// picks from the URL scheme or a well-known port (25/587 smtp, 143 imap, 110 pop3, 21 ftp,
    /// 389 ldap, 5432 postgres, 3306 mysql, 5222 xmpp).
    #[arg(
        long,
        value_name = "PROTO",
        default_value = "auto",
        conflicts_with = "file"
    )]
    pub starttls: StarttlsChoice,

    /// Tunnel through this HTTP proxy (http://[USER:PASSWORD@]HOST[:PORT]), or `none` to ignore
    /// HTTPS_PROXY / ALL_PROXY. By default those variables (and NO_PROXY) apply, as in curl.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Write the corrected chain (leaf, then intermediates in order, no root) to this file.
    #[arg(long, value_name = "PATH")]
    pub fix_chain: Option<PathBuf>,

    /// Write the root certificate the chain ends at to this file (for a private CA).
    #[arg(long, value_name = "PATH")]
    pub save_root: Option<PathBuf>,

    /// Let --fix-chain and --save-root replace existing files.
    #[arg(long)]
    pub force: bool,

    /// Present this client certificate when the server asks (mutual TLS): PEM or DER, the leaf
    /// first, then any intermediates.
    #[arg(long, value_name = "PATH", requires = "key", conflicts_with = "file")]
    pub cert: Option<PathBuf>,

    /// The private key of --cert: PEM (PKCS#1, SEC1 or PKCS#8) or DER; never printed.
    #[arg(long, value_name = "PATH", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Judge validity at this instant instead of now: RFC 3339 (2027-01-01T00:00:00Z) or a date.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub at: Option<OffsetDateTime>,

    /// Warn when a certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = tlsdoctor::DEFAULT_WARN_DAYS)]
    pub warn_days: u32,

    /// Give up after this many seconds: resolving, connecting and the handshake together.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Output format: human-readable text; one JSON document (docs/json-schema.md); one JSON
    /// object per line, streamed as each target finishes; or Prometheus text for node_exporter.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Colour the human output: auto (when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Prometheus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RevocationArg {
    Off,
    Ocsp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(arg: FailOnArg) -> FailOn {
        match arg {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Accepts RFC 3339 instants and plain dates (midnight UTC).
fn parse_instant(s: &str) -> Result<OffsetDateTime, String> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            "expected an RFC 3339 instant (2027-01-01T00:00:00Z) or a date (2027-01-01)".into()
        })
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err("expected a number from 1 to 4096".into()),
    }
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 3600.0 => Ok(Duration::from_secs_f64(secs)),
        _ => Err("expected a number of seconds between 0 and 3600".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_dates() {
        assert_eq!(
            parse_instant("2027-01-01").unwrap().unix_timestamp(),
            1_798_761_600
        );
        assert_eq!(
            parse_instant("2027-01-01T00:00:00Z")
                .unwrap()
                .unix_timestamp(),
            1_798_761_600
        );
        assert!(parse_instant("next tuesday").is_err());
    }

    #[test]
    fn timeouts_are_bounded() {
        assert_eq!(parse_timeout("2.5").unwrap(), Duration::from_millis(2500));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
    }
}
