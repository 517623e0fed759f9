//! `reviews sandbox`: serves the emulator of both platforms until interrupted.
//!
//! The readiness line on stdout is a contract: scripts start the command, read exactly one
//! line, and point their clients at it. It is the only place the sandbox's own test
//! credentials are printed; the human line goes to stderr and holds no secret.

mod settings;
pub(super) mod stop;

use std::io::Write;

use crate::cli::SandboxArgs;
use crate::error::{CliError, CliResult};

use self::stop::StopSignals;

/// Starts the sandbox, prints its readiness line, and serves until SIGINT or SIGTERM.
pub(crate) fn run(args: &SandboxArgs) -> CliResult {
    let start = settings::from_args(args)?;
    // The signal handlers are installed before the readiness line is printed, so a script
    // that stops the sandbox as soon as it has read the line gets a clean exit 0.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start a runtime: {e}")))?;
    let signals = {
        let _context = runtime.enter();
        StopSignals::install()?
    };
    let sandbox = start.start()?;
    if announce(&sandbox.readiness_line()).is_err() {
        // Whoever started us closed our stdout: nobody can use the sandbox, stop quietly.
        return Ok(());
    }
    notice(&sandbox, args);
    runtime.block_on(signals.recv());
    sandbox.shutdown();
    Ok(())
}

/// Writes the readiness line and flushes it, so a reader blocked on it wakes at once.
fn announce(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The one human line, on stderr: where it serves, never the credentials.
#[allow(clippy::print_stderr)]
fn notice(sandbox: &review_sandbox::Sandbox, args: &SandboxArgs) {
    let pushing = if args.push_url.is_some() {
        ", pushing bad reviews to --push-url"
    } else {
        ""
    };
    let tenants = match sandbox.tenants().len() {
        1 => String::new(),
        n => format!(", {n} tenants (GET /sandbox/tenants)"),
    };
    eprintln!(
        "reviews: sandbox serving WeChat and fw199 at {} (seed {}{tenants}{pushing}); Ctrl-C to stop",
        sandbox.base_url(),
        args.seed
    );
}
