//! `cargo xtask ci`: what CI checks, in one command.

use anyhow::Result;

use crate::cargo;

/// Formatting, clippy with warnings denied, tests, docs with warnings denied, the fixture check
/// and a short fuzz pass.
pub(crate) fn run() -> Result<()> {
    cargo::run("format", &["fmt", "--all", "--check"], &[])?;
    cargo::run(
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo::run("tests", &["test", "--workspace"], &[])?;
    cargo::run(
        "docs",
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    cargo::run("fixtures", &["xtask", "fixtures", "--check"], &[])?;
    cargo::run("fuzz", &["xtask", "fuzz", "all", "--time", "10"], &[])?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!("==> all checks passed");
    }
    Ok(())
}
