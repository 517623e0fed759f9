//! One module per command.

mod completions;
mod export;
mod sandbox;
mod taobao;
mod webhook;
mod wechat;

use crate::cli::{Cli, Command, PlatformChoice};
use crate::error::CliResult;
use crate::setup::{self, Need};

/// Runs the parsed command.
pub(crate) fn run(cli: &Cli) -> CliResult {
    match &cli.command {
        Command::Completions { shell } => completions::run(*shell),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Webhook(command) => webhook::run(command),
        Command::Wechat(command) => {
            // Bad input must fail before the sandbox's notice: one line on stderr.
            wechat::check(command)?;
            let session = setup::session(
                &cli.platforms,
                &cli.tz,
                Need {
                    wechat: true,
                    fw199: false,
                },
            )?;
            wechat::run(command, &session)
        }
        Command::Taobao(command) => {
            taobao::check(command)?;
            let session = setup::session(
                &cli.platforms,
                &cli.tz,
                Need {
                    wechat: false,
                    fw199: true,
                },
            )?;
            taobao::run(command, &session)
        }
        Command::Export(args) => {
            // Bad input must fail before the sandbox's notice: one line on stderr.
            export::check(args)?;
            let need = Need {
                wechat: matches!(args.platform, PlatformChoice::Wechat | PlatformChoice::All),
                fw199: matches!(args.platform, PlatformChoice::Taobao | PlatformChoice::All),
            };
            let session = setup::session(&cli.platforms, &cli.tz, need)?;
            export::run(args, &session)
        }
    }
}
