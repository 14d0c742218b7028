//! Command-line definitions (clap derive): flags and help text, and the shell completions and
//! manual page generated from them.

use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand, ValueEnum};
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
  tlsdoctor check example.com --trust chrome --trust java-17    # the bundled root programs
  tlsdoctor check example.com --fix-chain fullchain.pem         # write the chain to serve
  tlsdoctor check api.internal:8443 --cert client.pem --key client.key   # mutual TLS
  tlsdoctor check example.com --at 2027-01-01                   # still valid on release day?
  tlsdoctor check --file fullchain.pem --host example.com       # before deploying
  tlsdoctor check --file fullchain.pem --key privkey.pem        # does the key belong to it?
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

    /// List the client profiles: what each client version offers and enforces, with sources.
    Clients(ClientsArgs),

    /// Diagnose this machine's trust setup, and whether its clients trust a root.
    #[command(after_help = TRUST_HELP)]
    Trust(TrustArgs),

    /// Print the completion script for a shell.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), generated from this help.
    #[command(after_help = MAN_HELP)]
    Man,

    /// Run a Prometheus exporter: each scrape of /probe?target=HOST:PORT checks one target.
    #[command(after_help = SERVE_HELP)]
    Serve(Box<ServeArgs>),

    /// Print the JSON Schema (draft 2020-12) of a JSON output, to validate what scripts read.
    #[command(after_help = SCHEMA_HELP)]
    Schema(SchemaArgs),
}

const COMPLETIONS_HELP: &str = "\
Install (then open a new shell):
  tlsdoctor completions bash > /etc/bash_completion.d/tlsdoctor
  tlsdoctor completions zsh > \"${fpath[1]}/_tlsdoctor\"
  tlsdoctor completions fish > ~/.config/fish/completions/tlsdoctor.fish
  tlsdoctor completions powershell >> $PROFILE
  tlsdoctor completions elvish >> ~/.config/elvish/rc.elv";

const MAN_HELP: &str = "\
Install:
  tlsdoctor man > /usr/local/share/man/man1/tlsdoctor.1 && mandb -q
  man tlsdoctor";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const SERVE_HELP: &str = "\
Examples:
  tlsdoctor serve                                     # 127.0.0.1:9219, default trust stores
  tlsdoctor serve --ca-file corp-root.pem --allow '*.corp.example' --allow 10.0.0.0/8:443
  tlsdoctor serve --listen 0.0.0.0:9219 --config modules.toml --allow ':443'
  curl 'http://127.0.0.1:9219/probe?target=example.com:443&module=corp'

An exporter on a non-loopback address without --allow is an open probe relay: whoever reaches
it can make this machine connect anywhere it can reach. See docs/monitoring.md.";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; loopback unless a wider one is given (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT", default_value = tlsdoctor::serve::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,

    /// Only probe targets matching one of these (repeatable): a host glob (`*.example.com`),
    /// an address or range (`10.0.0.0/8`, `[fd00::/8]`), each optionally with `:PORTS`
    /// (`443`, `8000-8999`, `*`), or ports alone (`:443`). None given: any target.
    #[arg(long, value_name = "PATTERN")]
    pub allow: Vec<String>,

    /// A TOML file of modules (named trust stores, timeout, warn days) a scrape may choose
    /// with `module=NAME`; the options below make the module `default`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Probes run at once; more wait up to --queue-wait, then get 503.
    #[arg(long, value_name = "N", default_value_t = tlsdoctor::serve::DEFAULT_MAX_PROBES,
          value_parser = parse_jobs)]
    pub max_probes: usize,

    /// How long a probe waits for a free slot before its 503 (seconds).
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_timeout)]
    pub queue_wait: Duration,

    /// HTTP connections open at once; more wait in the kernel's queue.
    #[arg(long, value_name = "N", default_value_t = tlsdoctor::serve::DEFAULT_MAX_CONNECTIONS,
          value_parser = parse_jobs)]
    pub max_connections: usize,

    /// How each probe is judged: the module `default`.
    #[command(flatten)]
    pub judge: JudgeArgs,

    /// Bound each probe (seconds); a scrape's X-Prometheus-Scrape-Timeout-Seconds, less half a
    /// second, shortens it.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
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
    /// `trust --format json`.
    Trust,
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
pub struct ClientsArgs {
    /// Only these profiles: ids or families, `default` or `all` (default: all).
    #[arg(value_name = "LIST", default_value = "all")]
    pub select: String,

    /// Output format: a table, or every fact with its source as JSON.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
}

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

/// How a chain is judged: by `check`, and by `serve` for its default module.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Judge against this trust store: mozilla, system, a bundled root program (chrome,
    /// java-17; `tlsdoctor clients` lists them with their snapshot dates), or a PEM/DER/PKCS#7
    /// file or a directory of them (repeatable; each is reported on its own). Default: mozilla
    /// and system.
    #[arg(long, value_name = "STORE")]
    pub trust: Vec<StoreSpec>,

    /// Trust only the roots in this file instead of the default stores (repeatable; all files
    /// together make one store).
    #[arg(long = "ca-file", value_name = "PATH")]
    pub ca_file: Vec<PathBuf>,

    /// Do not download missing issuers from their "CA Issuers" URLs.
    #[arg(long)]
    pub no_fetch: bool,

    /// Say which clients connect: profile ids or families (`go`, `java-17`), `default` (one
    /// current version of each family), `all` or `none`, comma-separated; `tlsdoctor clients`
    /// lists them. The verdict is then theirs: error when one of them fails. Without it, one
    /// target in the human report is judged for `default`; JSON, jsonl, Prometheus and many
    /// targets for tlsdoctor's own client alone.
    #[arg(long, value_name = "LIST")]
    pub clients: Option<String>,

    /// Judge validity at this instant instead of now: RFC 3339 (2027-01-01T00:00:00Z) or a date.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub at: Option<OffsetDateTime>,

    /// Warn when a certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = tlsdoctor::DEFAULT_WARN_DAYS)]
    pub warn_days: u32,

    /// Judge SCTs with this Certificate Transparency log list (Chrome's v3 JSON, such as a
    /// current log_list.json) instead of the one compiled in (Chromium 150's, 2026-06-14):
    /// logs are added every half year, and an SCT from a log the list lacks counts for nothing.
    #[arg(long, value_name = "FILE")]
    pub ct_logs: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key_owner").args(["cert", "file"])))]
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

    /// The full human report: every fact of each certificate and trust store, why each finding
    /// happens and what not to do, every platform's fix steps (as --all-fixes); with several
    /// targets, the report of every target, not only those that fail.
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

    #[command(flatten)]
    pub judge: JudgeArgs,

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

    /// The private key of --cert (mutual TLS); with --file, the server's key, checked against
    /// the leaf (key-mismatch). PEM (PKCS#1, SEC1 or PKCS#8) or DER, unencrypted; never printed.
    #[arg(long, value_name = "PATH", requires = "key_owner")]
    pub key: Option<PathBuf>,

    /// Give up after this many seconds: resolving, connecting, the handshake, downloads and OCSP
    /// together; judging what arrived may take one second more.
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

/// Writes the completion script for `shell`, generated from these definitions.
pub fn write_completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // Generated into memory first: clap_complete panics on a failed write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tlsdoctor", &mut script);
    out.write_all(&script)
}

/// Writes the manual page (roff) generated from these definitions: the top-level page, then one
/// section per command with its options, so `man tlsdoctor` documents every flag.
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    // clap_mangen points at one page per command (tlsdoctor-check(1)); this page holds them all,
    // each command's options in its own section below.
    let mut commands = Vec::new();
    man.render_subcommands_section(&mut commands)?;
    let mut commands = String::from_utf8_lossy(&commands).into_owned();
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        commands = commands.replace(
            &format!("tlsdoctor\\-{name}(1)"),
            &format!("tlsdoctor {name}"),
        );
    }
    out.write_all(
        commands
            .replacen(".SH SUBCOMMANDS", ".SH COMMANDS", 1)
            .as_bytes(),
    )?;
    for sub in command.get_subcommands() {
        let heading = format!("{} OPTIONS", sub.get_name());
        let mut sub = sub.clone();
        // Built first, so the generated --help gets the heading too and no bare OPTIONS is left.
        sub.build();
        let sub = sub.mut_args(|arg| arg.help_heading(heading.clone()));
        clap_mangen::Man::new(sub).render_options_section(out)?;
    }
    // The top-level after-help is the exit codes; clap_mangen heads it EXTRA.
    let mut extra = Vec::new();
    man.render_extra_section(&mut extra)?;
    let extra = String::from_utf8_lossy(&extra).replacen(".SH EXTRA", ".SH \"EXIT STATUS\"", 1);
    out.write_all(extra.as_bytes())?;
    man.render_version_section(out)
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
