//! The `tlsdoctor` binary: parse arguments, run the library, print, map to an exit code.

mod cli;

use anyhow::Context as _;
use clap::Parser;
use cli::{CheckArgs, Cli, ColorChoice, Command, Format};
use std::io::{ErrorKind, Write};
use std::process::ExitCode;
use tlsdoctor::repair::RepairRequest;
use tlsdoctor::report::{Report, human, json};
use tlsdoctor::trust::{StoreSet, SystemLocations};
use tlsdoctor::{Options, Target};

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
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    match args.color {
        ColorChoice::Always => owo_colors::set_override(true),
        ColorChoice::Never => owo_colors::set_override(false),
        ColorChoice::Auto => {}
    }
    let stores = StoreSet::new(
        &args.trust,
        &args.ca_file,
        SystemLocations::from_environment(),
    )?;
    let mut options = Options::new(stores);
    options.at = args.at;
    options.warn_days = args.warn_days;
    options.timeout = args.timeout;
    options.fetch = !args.no_fetch;
    options.repair = RepairRequest {
        fix_chain: args.fix_chain.clone(),
        save_root: args.save_root.clone(),
        force: args.force,
    };
    if let Some(path) = options.repair.refused_target() {
        anyhow::bail!("{} exists; add --force to replace it", path.display());
    }
    let target = match &args.target {
        Some(input) => {
            let mut target = Target::parse(input)?;
            target.servername = args.servername.clone();
            target.server_name()?;
            Some(target)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let target_report = runtime.block_on(async {
        match (&args.file, &target) {
            (Some(file), _) => tlsdoctor::check_file(file, args.host.as_deref(), &options).await,
            (None, Some(target)) => tlsdoctor::check_target(target, &options).await,
            (None, None) => Err(tlsdoctor::Error::Target {
                input: String::new(),
                reason: "give a target or --file".into(),
            }),
        }
    });
    // A resolver thread stuck past --timeout must not hold the process open.
    runtime.shutdown_background();
    let report = Report::new(vec![target_report?]);
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        Format::Human => human::write(&report, &mut stdout),
        Format::Json => json::write(&report, &mut stdout),
    }
    .and_then(|()| stdout.flush());
    match written {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e).context("writing the report"),
        _ => Ok(report.exit_code()),
    }
}
