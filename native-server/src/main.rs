//! `satellite`: the Satellite Butler command line (and, later, `satellite serve`).
//!
//! `cli` holds the clap definitions (parsing only), `commands` one function per verb, and
//! `output` is the only module that writes to the terminal. `main` parses, sets up logging,
//! runs the verb and maps the outcome to the exit codes of `cli::EXIT_CODES_HELP`.

mod cli;
mod commands;
mod dataset_listing;
mod dataset_search;
mod interrupt;
mod output;
mod progress;
mod record_files;
mod report;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Format, GlobalArgs};
use crate::commands::ExitStatus;
use crate::output::{Output, OutputSettings};
use satellite_core::repository::RepoError;

/// Exit code: the command failed.
const EXIT_FAILED: u8 = 1;
/// Exit code: bad command line.
const EXIT_USAGE: u8 = 2;
/// Exit code: finished, with failures.
const EXIT_PARTIAL: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version on stdout and usage errors on stderr; a closed
            // pipe while printing help is not worth reporting.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(&cli.global);
    interrupt::install();
    let out = Output::new(OutputSettings {
        color: cli.global.color,
        quiet: cli.global.quiet > 0,
        no_progress: cli.global.no_progress || cli.command.format() == Some(Format::Json),
    });
    let result = commands::run(&cli, &out).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::PartialFailure) => ExitCode::from(EXIT_PARTIAL),
        Err(e) if report::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if is_interrupted(&e) => {
            out.error("interrupted; the repository is unchanged", &[]);
            ExitCode::from(interrupt::EXIT_INTERRUPTED)
        }
        Err(e) => {
            tracing::debug!("{e:?}");
            let report = report::report(&e, cli.command.repo());
            out.error(&report.message, &report.hints);
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Whether the command stopped because of Ctrl-C.
fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| matches!(c.downcast_ref::<RepoError>(), Some(RepoError::Interrupted)))
}

/// Logs go to stderr: warnings by default, more with `-v`, only errors with `-q`;
/// `RUST_LOG` overrides.
fn init_logging(global: &GlobalArgs) {
    let level = match (global.quiet, global.verbose) {
        (q, _) if q > 0 => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        (_, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .init();
}
