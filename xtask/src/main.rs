//! Contributor tasks for the `reviews` workspace, run as `cargo xtask <task>`.

mod bench;
mod cargo;
mod ci;
mod fixtures;
mod fuzz;
#[path = "../../fixtures/manifest.rs"]
mod manifest;
mod new_endpoint;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Contributor tasks for the reviews workspace"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Everything CI checks: formatting, clippy (warnings denied), tests, docs (warnings denied),
    /// the fixture check and a short fuzz pass.
    Ci {
        /// Leave out `cargo test --workspace`, for a caller that has just run it (`.ci/run`
        /// runs the README's test command first).
        #[arg(long)]
        skip_tests: bool,
    },
    /// Scaffold an endpoint through every layer: protocol module and `ENDPOINTS`, fixtures and
    /// their manifest entry, client methods; the workspace's tests pass right after.
    NewEndpoint(new_endpoint::Args),
    /// Check that every fixture is in the manifest, decoded by a snapshot test and replayed by the
    /// sandbox, or that the manifest says why not.
    Fixtures(fixtures::Args),
    /// Run the decode, sandbox and end-to-end benchmarks and print one table of ratios.
    Bench(bench::Args),
    /// Fuzz a parser for a while.
    Fuzz(fuzz::Args),
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Ci { skip_tests } => ci::run(skip_tests),
        Task::NewEndpoint(args) => new_endpoint::run(&args),
        Task::Fixtures(args) => fixtures::run(&args),
        Task::Bench(args) => bench::run(&args),
        Task::Fuzz(args) => fuzz::run(&args),
    }
}
