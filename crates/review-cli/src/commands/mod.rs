//! One module per command.

mod completions;
mod config;
mod export;
mod inbox;
mod sandbox;
mod sync;
mod taobao;
mod webhook;
mod wechat;

use crate::cli::{Cli, Command, ConfigCommand};
use crate::error::CliResult;
use crate::interrupt;
use crate::settings::{self, Settings, Sources};
use crate::setup::{self, Need};

/// Runs the parsed command; `sources` says which options the command line and the
/// environment set. The servers stop on signals through their own runtime; every other
/// command runs where Ctrl-C can stop it at any moment (see [`interrupt`]). Only the commands
/// that talk to the platforms read the config file.
pub(crate) fn run(cli: Cli, sources: Sources) -> CliResult {
    match &cli.command {
        Command::Completions { shell } => completions::run(*shell),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Webhook(command) => webhook::run(command, &cli, &sources),
        Command::Config(ConfigCommand::Show { format }) => {
            config::show(&Settings::resolve(&cli, &sources)?, *format)
        }
        Command::Inbox(args) => inbox::run(args, &Settings::resolve(&cli, &sources)?, &cli.tz),
        Command::Wechat(_) | Command::Taobao(_) | Command::Export(_) | Command::Sync(_) => {
            interrupt::run(move || run_client(&cli, &sources))
        }
    }
}

/// The commands that talk to the platforms.
fn run_client(cli: &Cli, sources: &Sources) -> CliResult {
    match &cli.command {
        Command::Completions { .. }
        | Command::Sandbox(_)
        | Command::Webhook(_)
        | Command::Inbox(_)
        | Command::Config(_) => Ok(()),
        Command::Wechat(command) => {
            // Bad input must fail before the sandbox's notice: one line on stderr.
            wechat::check(command)?;
            let settings = Settings::resolve(cli, sources)?;
            let session = setup::session(
                &settings,
                &cli.tz,
                Need {
                    wechat: true,
                    fw199: false,
                    writes: wechat::writes(command),
                },
            )?;
            wechat::run(command, &session)
        }
        Command::Taobao(command) => {
            taobao::check(command)?;
            let settings = Settings::resolve(cli, sources)?;
            let session = setup::session(
                &settings,
                &cli.tz,
                Need {
                    wechat: false,
                    fw199: true,
                    writes: false,
                },
            )?;
            taobao::run(command, &session)
        }
        Command::Export(args) => {
            // Bad input must fail before the sandbox's notice: one line on stderr.
            export::check(args)?;
            if let Some(tenants) = settings::fleet(cli, sources, &args.fleet)? {
                return export::run_fleet(args, &tenants);
            }
            let need = Need::reads(args.platform);
            let settings = Settings::resolve(cli, sources)?;
            let session = setup::session(&settings, &cli.tz, need)?;
            export::run(args, &session)
        }
        Command::Sync(args) => {
            // Bad input (a time, a duration, a database URL) fails before the sandbox's notice.
            if let Some(tenants) = settings::fleet(cli, sources, &args.fleet)? {
                let url = sync::mirror_of(&tenants)?;
                let checked = sync::check_url(args, url)?;
                return sync::run_fleet(args, &checked, &tenants);
            }
            let settings = Settings::resolve(cli, sources)?;
            let checked = sync::check(args, &settings)?;
            let need = Need::reads(args.platform);
            let session = setup::session(&settings, &cli.tz, need)?;
            sync::run(args, &checked, &session)
        }
    }
}
