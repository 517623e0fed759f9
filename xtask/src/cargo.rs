//! Running cargo from the workspace root.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace root (the parent of `xtask/`).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A `cargo` command in the workspace root.
pub(crate) fn command(args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(workspace_root());
    command
}

/// Runs `cargo` with `args` in the workspace root, failing with the step's name.
pub(crate) fn run(step: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("==> {step}: cargo {}", args.join(" "));
    }
    let status = command(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("could not start cargo for {step}"))?;
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}
