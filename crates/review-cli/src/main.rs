//! `reviews`: list, export, answer and receive WeChat and Taobao reviews.
//!
//! Exit codes (a contract): 0 success, 1 a failure at run time, 2 bad usage or bad input.
//! Errors are one line on stderr; secrets never appear in any output.

mod cli;
mod commands;
mod error;
mod fleet;
mod interrupt;
mod mirror;
mod output;
mod settings;
mod setup;
mod shell;
mod time;
mod tokens;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::settings::Sources;

/// Logs go to stderr, filtered by `RUST_LOG` (nothing by default). Every field that could
/// hold a secret is redacted where it is recorded, so even `trace` shows none.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// clap's error, as one line that says what to do: its first paragraph joined, so that a list
/// under the first line ("required arguments were not provided:\n  `<ID>`") is kept.
fn usage_line(err: &clap::Error) -> String {
    let text = err.to_string();
    let first = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let first = first.trim_start_matches("error: ");
    let first = if first.is_empty() {
        "invalid usage"
    } else {
        first
    };
    format!("{first} (see 'reviews --help')")
}

/// Parses the command line, keeping which options the command line or the environment set
/// (so that a profile's value gives way only to those, not to clap's defaults).
fn parse() -> Result<(Cli, Sources), clap::Error> {
    let command = Cli::command();
    let env = settings::env_names(&command);
    let matches = command.try_get_matches()?;
    let cli = Cli::from_arg_matches(&matches)?;
    Ok((cli, Sources::from_matches(&matches, &env)))
}

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let (cli, sources) = match parse() {
        Ok(parsed) => parsed,
        Err(err) => {
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = err.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = err.print();
                    ExitCode::from(error::USAGE)
                }
                _ => {
                    eprintln!("reviews: {}", usage_line(&err));
                    ExitCode::from(error::USAGE)
                }
            };
        }
    };
    init_logs();
    match commands::run(cli, sources) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("reviews: {err}");
            ExitCode::from(err.code)
        }
    }
}
