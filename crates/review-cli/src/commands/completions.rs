//! `reviews completions bash|zsh|fish`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{CliError, CliResult};

/// Prints the completion script of `shell` on stdout.
///
/// The script is generated into memory first: clap_complete panics when its writer fails, and
/// a closed stdout (`reviews completions bash | head`) is not an error here but a quiet stop.
pub(crate) fn run(shell: clap_complete::Shell) -> CliResult {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "reviews", &mut script);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::runtime(
            format!("cannot write the completion script: {err}"),
        )),
        _ => Ok(()),
    }
}
