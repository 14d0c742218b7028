//! The `tlsdoctor` binary: parse arguments, run the library, print, map to an exit code.

mod cli;

use anyhow::Context as _;
use clap::Parser;
use cli::{
    CausesArgs, CausesFormat, CheckArgs, Cli, ClientsArgs, ColorChoice, Command, ExplainArgs,
    ExplainFormat, Format, JudgeArgs, RevocationArg, SchemaArgs, SchemaOutput, ServeArgs,
    TrustArgs,
};
use std::io::{ErrorKind, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use tlsdoctor::causes::Cause;
use tlsdoctor::diagnosis::Verdict;
use tlsdoctor::identity::{ClientIdentity, ServerKey};
use tlsdoctor::machine::{Machine, Request};
use tlsdoctor::repair::RepairRequest;
use tlsdoctor::report::explain as explain_report;
use tlsdoctor::report::{Report, Summary, TargetReport, human, json, prometheus};
use tlsdoctor::trust::{StoreSet, SystemLocations};
use tlsdoctor::{Options, ProxySetting, Target, serve};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("tlsdoctor: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Explain(args) => explain(args),
        Command::Causes(args) => causes(args),
        Command::Clients(args) => clients(args),
        Command::Trust(args) => trust(args),
        Command::Completions(args) => write_stdout(|out| cli::write_completions(args.shell, out)),
        Command::Man => write_stdout(cli::write_man),
        Command::Serve(args) => serve(*args),
        Command::Schema(args) => schema(args),
    }
}

/// Writes generated text (completions, the manual) to stdout; a closed pipe is not an error.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<u8> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(0),
    }
}

fn schema(args: SchemaArgs) -> anyhow::Result<u8> {
    let text = match args.output {
        SchemaOutput::Check => tlsdoctor::report::schema::CHECK,
        SchemaOutput::Explain => tlsdoctor::report::schema::EXPLAIN,
        SchemaOutput::Trust => tlsdoctor::report::schema::TRUST,
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

fn trust(args: TrustArgs) -> anyhow::Result<u8> {
    set_color(args.color);
    let machine = match &args.root_dir {
        Some(dir) => {
            anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
            Machine::rooted(dir.clone(), std::env::vars().collect())
        }
        None => Machine::real(),
    }
    .with_program_time(args.timeout);
    let now = args.at.unwrap_or_else(time::OffsetDateTime::now_utc);
    let (root, root_source) = match (&args.root, args.host.as_ref().or(args.registry.first())) {
        (Some(path), _) => {
            let certs = tlsdoctor::bundle::read_certificates(path)?;
            (certs.into_iter().next(), Some(path.display().to_string()))
        }
        (None, Some(host)) => {
            let target = Target::parse(host)?;
            let stores = StoreSet::new(&[], &[], SystemLocations::from_environment())?;
            let mut options = Options::new(stores);
            options.timeout = args.timeout;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            let found = runtime.block_on(tlsdoctor::root_of_server(&target, &options));
            runtime.shutdown_background();
            match found {
                Ok(root) => (Some(root), Some(format!("the chain of {host}"))),
                // A registry that cannot be reached still gets its certs.d checked.
                Err(why) if args.host.is_none() => {
                    eprintln!("tlsdoctor: {why}");
                    (None, None)
                }
                Err(why) => anyhow::bail!(why),
            }
        }
        (None, None) => (None, None),
    };
    let request = Request {
        root,
        root_source,
        registries: args.registry.clone(),
        now,
    };
    let picture = tlsdoctor::machine::inspect(&machine, &request);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ExplainFormat::Human => tlsdoctor::report::trust::write(&picture, &mut out)?,
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &picture)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(match picture.verdict {
        Verdict::Error => 1,
        _ => 0,
    })
}

fn serve(args: ServeArgs) -> anyhow::Result<u8> {
    let options = judging_options(&args.judge, args.timeout)?;
    let mut modules = serve::config::Modules::new(options.clone());
    if let Some(path) = &args.config {
        modules = modules.load(path, &options)?;
    }
    let allow = serve::allow::AllowList::parse(&args.allow)?;
    let relay_warning = serve::open_relay_warning(args.listen, &allow);
    let settings = serve::Settings {
        modules,
        allow,
        max_probes: args.max_probes,
        queue_wait: args.queue_wait,
        max_connections: args.max_connections,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if let Some(warning) = relay_warning {
        eprintln!("tlsdoctor: {warning}");
    }
    runtime.block_on(async {
        let listener = serve::bind(args.listen).await?;
        let address = listener.local_addr().context("reading the bound address")?;
        // The first line says where, so a supervisor (or a test) that asked for port 0 learns it.
        println!("tlsdoctor serve: listening on http://{address}/");
        serve::run(listener, settings).await;
        Ok(0)
    })
}

fn set_color(choice: ColorChoice) {
    match choice {
        ColorChoice::Always => owo_colors::set_override(true),
        ColorChoice::Never => owo_colors::set_override(false),
        ColorChoice::Auto => {}
    }
}

fn explain(args: ExplainArgs) -> anyhow::Result<u8> {
    set_color(args.color);
    let message = if args.message == ["-"] {
        read_tail(
            std::io::stdin().lock(),
            tlsdoctor::explain::MAX_MESSAGE_BYTES,
        )
        .context("reading stdin")?
    } else {
        args.message.join(" ")
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Some(cause) = Cause::from_id(message.trim()) {
        match args.format {
            ExplainFormat::Human => explain_report::write_entry(cause, &mut out)?,
            ExplainFormat::Json => explain_report::write_entry_json(cause, &mut out)?,
        }
        out.flush()?;
        return Ok(0);
    }
    let explanation = tlsdoctor::explain::explain(&message);
    match args.format {
        ExplainFormat::Human => explain_report::write_explanation(&explanation, &mut out)?,
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &explanation)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(if explanation.recognised { 0 } else { 1 })
}

/// Reads a stream to its end, keeping only its last `keep` bytes: the end of a long log is
/// where the error is, and memory stays bounded whatever comes in.
fn read_tail(mut input: impl std::io::Read, keep: usize) -> std::io::Result<String> {
    let mut tail: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&chunk[..n]);
        if tail.len() > 2 * keep {
            tail.drain(..tail.len() - keep);
        }
    }
    let start = tail.len().saturating_sub(keep);
    Ok(String::from_utf8_lossy(&tail[start..]).into_owned())
}

fn causes(args: CausesArgs) -> anyhow::Result<u8> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        CausesFormat::Human => explain_report::write_catalog(&mut out)?,
        CausesFormat::Json => explain_report::write_catalog_json(&mut out)?,
        CausesFormat::Markdown => explain_report::write_catalog_markdown(&mut out)?,
    }
    out.flush()?;
    Ok(0)
}

fn clients(args: ClientsArgs) -> anyhow::Result<u8> {
    let profiles = tlsdoctor::clients::select(&args.select)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ExplainFormat::Human => tlsdoctor::report::clients::write_table(&profiles, &mut out)?,
        ExplainFormat::Json => tlsdoctor::report::clients::write_json(&profiles, &mut out)?,
    }
    out.flush()?;
    Ok(0)
}

/// The options `check` and `serve` share: stores, instant, warning days, downloads, clients.
fn judging_options(judge: &JudgeArgs, timeout: std::time::Duration) -> anyhow::Result<Options> {
    let stores = StoreSet::new(
        &judge.trust,
        &judge.ca_file,
        SystemLocations::from_environment(),
    )?;
    let mut options = Options::new(stores);
    options.at = judge.at;
    options.warn_days = judge.warn_days;
    options.timeout = timeout;
    options.fetch = !judge.no_fetch;
    if let Some(list) = &judge.clients {
        options.clients = tlsdoctor::clients::select(list)?;
    }
    if let Some(path) = &judge.ct_logs {
        let bytes = tlsdoctor::input::read(path)
            .with_context(|| format!("reading the CT log list {}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let logs = tlsdoctor::ct::logs::LogList::parse(&text)
            .with_context(|| format!("the CT log list {}", path.display()))?;
        options = options.with_ct_logs(logs);
    }
    Ok(options)
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    set_color(args.color);
    let mut options = judging_options(&args.judge, args.timeout)?;
    options.revocation = match (&args.ocsp_url, args.revocation) {
        (Some(url), _) => tlsdoctor::revocation::Query::Url(url.clone()),
        (None, RevocationArg::Ocsp) => tlsdoctor::revocation::Query::FromCertificate,
        (None, RevocationArg::Off) => tlsdoctor::revocation::Query::Off,
    };
    options.proxy = match args.proxy.as_deref() {
        None => ProxySetting::Environment,
        Some("none") => ProxySetting::Direct,
        Some(url) => ProxySetting::Explicit(tlsdoctor::proxy::Proxy::parse(url, "--proxy")?),
    };
    options.repair = RepairRequest {
        fix_chain: args.fix_chain.clone(),
        save_root: args.save_root.clone(),
        force: args.force,
    };
    match (&args.cert, &args.file, &args.key) {
        (Some(cert), _, Some(key)) => {
            options.client = Some(Arc::new(ClientIdentity::load(cert, key)?));
        }
        (None, Some(_), Some(key)) => options.server_key = Some(Arc::new(ServerKey::load(key)?)),
        _ => {}
    }
    if let Some(path) = options.repair.refused_target() {
        anyhow::bail!("{} exists; add --force to replace it", path.display());
    }
    let targets = targets(&args)?;
    let asked_repair = args.fix_chain.is_some() || args.save_root.is_some();
    if asked_repair && targets.len() > 1 {
        anyhow::bail!("--fix-chain and --save-root take a single target");
    }
    let single = args.file.is_some() || (targets.len() == 1 && args.targets.is_none());
    // One target read by a person: say who connects (the verdict is then theirs).
    if single && args.judge.clients.is_none() && matches!(args.format, Format::Human) {
        options.clients = tlsdoctor::clients::select("default")?;
    }
    let options = Arc::new(options);
    let runtime = if targets.len() > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .context("starting the async runtime")?;

    let view = human::View {
        fixes: match args.all_fixes || args.verbose {
            true => human::Fixes::All,
            false => human::Fixes::ForServer,
        },
        detail: match args.verbose {
            true => human::Detail::Full,
            false => human::Detail::Compact,
        },
    };
    let mut output = Output::new(args.format, single, args.verbose, view, targets.len());
    let result = runtime.block_on(async {
        match &args.file {
            Some(file) => {
                let report = tlsdoctor::check_file(file, args.host.as_deref(), &options).await?;
                output.each(0, report)
            }
            None => {
                let mut written = Ok(());
                tlsdoctor::fleet::check_many(
                    targets,
                    options.clone(),
                    args.jobs,
                    |position, report| {
                        if written.is_ok() {
                            written = output.each(position, report);
                        }
                    },
                )
                .await;
                written
            }
        }
    });
    // A resolver thread stuck past --timeout must not hold the process open.
    runtime.shutdown_background();
    let finished = result.and_then(|()| output.finish());
    match finished {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.downcast_ref::<tlsdoctor::Error>().is_some() => Err(e),
        Err(e) if !is_broken_pipe(&e) => Err(e).context("writing the report"),
        _ => Ok(output.summary.exit_code(args.fail_on.into())),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
}

/// The targets from the command line and `--targets`, with `--servername`, `--starttls`,
/// `--connect-to` and `--resolve` applied, each checked for a usable name before anything connects.
fn targets(args: &CheckArgs) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for input in &args.target {
        targets.push(Target::parse(input)?);
    }
    if let Some(path) = &args.targets {
        let text = if path.as_os_str() == "-" {
            String::from_utf8_lossy(&tlsdoctor::input::read_stdin()?).into_owned()
        } else {
            String::from_utf8_lossy(&tlsdoctor::input::read(path)?).into_owned()
        };
        targets.extend(
            tlsdoctor::target::parse_targets(&text).with_context(|| path.display().to_string())?,
        );
        if targets.is_empty() {
            anyhow::bail!("{} lists no target", path.display());
        }
    }
    for target in &mut targets {
        if target.servername.is_none() {
            target.servername = args.servername.clone();
        }
        target.choose_starttls(args.starttls);
        target.apply(&args.connect_to, &args.resolve);
        target.server_name()?;
    }
    Ok(targets)
}

/// Writes reports as they arrive, in the chosen format, and counts verdicts.
struct Output {
    format: Format,
    single: bool,
    verbose: bool,
    /// Which fix steps and how much detail the human report shows.
    view: human::View,
    stdout: std::io::BufWriter<std::io::Stdout>,
    /// Reports kept for the end: all of them (json, prometheus, a single human report), or the
    /// failing ones (human, several targets).
    kept: Vec<(usize, TargetReport)>,
    progress: Option<indicatif::ProgressBar>,
    summary: Summary,
}

impl Output {
    fn new(format: Format, single: bool, verbose: bool, view: human::View, count: usize) -> Output {
        let progress = (!single && std::io::stderr().is_terminal()).then(|| {
            indicatif::ProgressBar::with_draw_target(
                Some(count as u64),
                indicatif::ProgressDrawTarget::stderr(),
            )
        });
        Output {
            format,
            single,
            verbose,
            view,
            stdout: std::io::BufWriter::new(std::io::stdout()),
            kept: Vec::new(),
            progress,
            summary: Summary::default(),
        }
    }

    fn each(&mut self, position: usize, report: TargetReport) -> anyhow::Result<()> {
        self.summary.add(&report);
        if let Some(progress) = &self.progress {
            progress.inc(1);
        }
        match self.format {
            Format::Jsonl => {
                json::write_line(&report, &mut self.stdout)?;
                self.stdout.flush()?;
            }
            Format::Human if !self.single => {
                let line = |out: &mut std::io::BufWriter<std::io::Stdout>| {
                    human::write_line(&report, out).and_then(|()| out.flush())
                };
                match &self.progress {
                    Some(progress) => progress.suspend(|| line(&mut self.stdout))?,
                    None => line(&mut self.stdout)?,
                }
                if self.verbose || report.verdict != Verdict::Ok {
                    self.kept.push((position, report));
                }
            }
            Format::Human | Format::Json | Format::Prometheus => self.kept.push((position, report)),
        }
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(progress) = &self.progress {
            progress.finish_and_clear();
        }
        self.kept.sort_by_key(|(position, _)| *position);
        let reports: Vec<TargetReport> = std::mem::take(&mut self.kept)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let out = &mut self.stdout;
        match self.format {
            Format::Jsonl => {}
            Format::Json => json::write(&Report::new(reports), out)?,
            Format::Prometheus => prometheus::write(&reports, out)?,
            Format::Human if self.single => human::write(&Report::new(reports), self.view, out)?,
            Format::Human => {
                if !reports.is_empty() {
                    writeln!(out)?;
                    human::write(&Report::new(reports), self.view, out)?;
                }
                writeln!(out)?;
                human::write_summary(&self.summary, out)?;
            }
        }
        out.flush()?;
        Ok(())
    }
}
