//! Serving until SIGINT (Ctrl-C) or SIGTERM: both are a normal stop (exit 0) for the
//! long-running commands, `sandbox` and `webhook serve`.

use crate::error::CliResult;

/// The stop signals, listened for from the moment they are installed: a signal that arrives
/// before [`recv`](Self::recv) is awaited is kept, not lost to the default action.
pub(crate) struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Installs the handlers; must run inside a tokio runtime's context.
    pub(crate) fn install() -> CliResult<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let failed = |e: std::io::Error| {
                crate::error::CliError::runtime(format!("cannot listen for Ctrl-C: {e}"))
            };
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).map_err(failed)?,
                terminate: signal(SignalKind::terminate()).map_err(failed)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Resolves at the first SIGINT or SIGTERM.
    pub(crate) async fn recv(self) {
        #[cfg(unix)]
        {
            let Self {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                // No handler: the default action of Ctrl-C still ends the process.
                std::future::pending::<()>().await;
            }
        }
    }
}
