//! `reviews webhook serve`: receives WeChat's pushes and prints each new event as one JSON line.
//!
//! Everything a push needs checked (signature, replay window, decryption, size) is the
//! protocol's [`PushConfig`]; this module is the server around it: one route for any path,
//! a body limit enforced before the body is read whole, de-duplication of WeChat's retries
//! and refusal of replayed nonces (the protocol's `Deduplicator`, kept for ten minutes and lost
//! on restart), one writer thread so that a push is answered 200 only once its line is
//! flushed, and a clean stop (exit 0) on SIGINT or SIGTERM. When stdout fails or is closed the
//! server stops with exit 1: nothing more can be acknowledged.

mod handler;
mod line;
mod notices;
mod push;
mod receiver;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;

use review_protocol::wechat::push::PushConfig;
use review_server::Limits;

use super::sandbox::stop::StopSignals;
use crate::cli::WebhookCommand;
use crate::error::{CliError, CliResult};

use self::receiver::Receiver;
use self::writer::{Seen, Writer};

/// Runs `reviews webhook ...`.
pub(crate) fn run(command: &WebhookCommand) -> CliResult {
    match command {
        WebhookCommand::Serve {
            addr,
            token,
            aes_key,
            appid,
            allow_plaintext,
            max_body,
        } => {
            let config = config(token, aes_key.as_deref(), appid.as_deref(), *max_body)?
                .allow_plaintext(*allow_plaintext);
            serve(*addr, config, *max_body)
        }
    }
}

/// The push configuration, checked at start-up so a mistyped token or key fails now (exit 2)
/// rather than on WeChat's first push. The messages never repeat the token or the key.
fn config(
    token: &str,
    aes_key: Option<&str>,
    appid: Option<&str>,
    max_body: usize,
) -> CliResult<PushConfig> {
    let config = PushConfig::new(token)
        .map_err(|e| CliError::usage(format!("--token: {e}")))?
        .max_body(max_body);
    match (aes_key, appid) {
        (Some(key), Some(appid)) => config
            .with_aes(key, appid)
            .map_err(|e| CliError::usage(format!("--aes-key/--appid: {e}"))),
        (None, None) => Ok(config),
        // clap requires them together; say so if that ever changes.
        _ => Err(CliError::usage(
            "--aes-key and --appid go together: pass both for safe mode, neither for plaintext",
        )),
    }
}

/// Listens on `addr` and serves until stopped.
fn serve(addr: SocketAddr, config: PushConfig, max_body: usize) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async move {
        // Installed before the listening line, so a stop right after it is a clean one.
        let signals = StopSignals::install()?;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            CliError::runtime(format!(
                "cannot listen on {addr}: {e}; pick another --addr (port 0 picks a free one)"
            ))
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::runtime(format!("cannot listen on {addr}: {e}")))?;
        let mode = mode(&config);
        let seen = Arc::new(Seen::new());
        let (failed, output_failed) = tokio::sync::oneshot::channel();
        let writer = Writer::start(Box::new(std::io::stdout()), Arc::clone(&seen), failed)
            .map_err(|e| CliError::runtime(format!("cannot start the output thread: {e}")))?;
        let receiver = Arc::new(Receiver {
            config,
            seen,
            writer,
        });
        let app = handler::router(receiver, max_body);
        listening(local, mode);
        // Stop on a signal, or when the output fails; the failure is kept for the last line.
        let why = Arc::new(std::sync::Mutex::new(None));
        let slot = Arc::clone(&why);
        let shutdown = async move {
            tokio::select! {
                () = signals.recv() => {}
                Ok(err) = output_failed => {
                    *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(err);
                }
            }
        };
        // Header, body and idle timeouts, a connection cap, and a shutdown bounded by a grace.
        review_server::serve(listener, app, Limits::default(), shutdown)
            .await
            .map_err(|e| CliError::runtime(format!("the webhook server on {local} failed: {e}")))?;
        // The refusal notices go first, so that the line below stays the last.
        notices::flush(std::time::Duration::from_millis(500));
        let failed = why
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match failed {
            Some(err) => Err(CliError::runtime(format!(
                "cannot write events to stdout ({err}): stopped; pushes not written were answered 503, so WeChat retries them"
            ))),
            None => Ok(()),
        }
    })
}

/// Plaintext, or safe mode (without the key, which is a secret).
fn mode(config: &PushConfig) -> &'static str {
    match (config.is_safe(), config.accepts_plaintext()) {
        (true, false) => "safe mode: encrypted pushes only",
        (true, true) => "safe mode and plaintext",
        _ => "plaintext only",
    }
}

/// The one line that says the server is up (scripts and tests wait for it): the address and
/// mode, never the token or key.
#[allow(clippy::print_stderr)]
fn listening(local: SocketAddr, mode: &str) {
    eprintln!("reviews: listening on http://{local} for WeChat pushes ({mode}); Ctrl-C to stop");
}
