//! `cargo xtask ci`: what CI checks, in one command.

use anyhow::Result;

use crate::cargo;

/// Formatting, clippy with warnings denied, tests, docs with warnings denied, the fixture check
/// and a short fuzz pass; the tests left out when the caller has just run them.
pub(crate) fn run(skip_tests: bool) -> Result<()> {
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
    if !skip_tests {
        cargo::run("tests", &["test", "--workspace"], &[])?;
    }
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
