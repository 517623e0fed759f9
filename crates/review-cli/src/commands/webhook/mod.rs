//! `reviews webhook serve`: receives WeChat's pushes and prints each new event as one JSON line.
//!
//! Everything a push needs checked (signature, replay window, decryption, size) is the
//! protocol's [`PushConfig`]; this module is the server around it: one route for any path,
//! a body limit enforced before the body is read whole, de-duplication of WeChat's retries
//! and refusal of replayed nonces (the protocol's `Deduplicator`, kept for ten minutes and lost
//! on restart), one writer thread so that a push is answered 200 only once its line is
//! flushed, and a clean stop (exit 0) on SIGINT or SIGTERM. When stdout fails or is closed the
//! server stops with exit 1: nothing more can be acknowledged.
//!
//! With `--db`, each new push is first committed to the mirror's `push_events` (by one
//! database thread, [`db`]), deduplicated there by its identity so that retries and several
//! instances on one PostgreSQL record it once; a database failure answers 503. With WeChat
//! credentials, a fetcher thread ([`fetch`]) then reads each bad review's detail into the
//! mirror, resuming on start what an earlier run left pending.

mod db;
mod fetch;
mod handler;
mod line;
mod notices;
mod push;
mod receiver;
mod record;
mod writer;

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use review_protocol::wechat::push::PushConfig;
use review_server::Limits;
use review_store::{Mirror, MirrorUrl};

use super::sandbox::stop::StopSignals;
use crate::cli::{Cli, WebhookCommand};
use crate::error::{CliError, CliResult};
use crate::settings::{Settings, Sources};
use crate::setup::{self, Need};

use self::db::{Db, DbThread};
use self::fetch::Fetcher;
use self::receiver::{Durable, Receiver};
use self::writer::{Seen, Writer};

/// How long a stop waits for a detail fetch in flight.
const FETCH_GRACE: Duration = Duration::from_secs(3);

/// Runs `reviews webhook ...`.
pub(crate) fn run(command: &WebhookCommand, cli: &Cli, sources: &Sources) -> CliResult {
    match command {
        WebhookCommand::Serve {
            addr,
            token,
            aes_key,
            appid,
            allow_plaintext,
            max_body,
            db,
        } => {
            let config = config(token, aes_key.as_deref(), appid.as_deref(), *max_body)?
                .allow_plaintext(*allow_plaintext);
            // `--db`, `REVIEWS_DB`, or the profile's `db`.
            let db = match db {
                Some(url) => Some(url.clone()),
                None => Settings::resolve(cli, sources)?.db.get().cloned(),
            };
            let mirror = match db {
                Some(url) => Some(open(&url, appid.as_deref(), cli, sources)?),
                None => None,
            };
            serve(*addr, config, *max_body, mirror)
        }
    }
}

/// With `--db`: the mirror, opened (and migrated) now, the tenant's AppID and, when WeChat
/// credentials are set, the client the fetcher reads details with.
struct Opened {
    mirror: Mirror,
    url: MirrorUrl,
    appid: Option<String>,
    client: Option<review_ureq::Client>,
}

/// Parses `--db` (a bad URL is bad usage, exit 2), opens the mirror (unreachable: exit 1,
/// naming it with the password redacted) and builds the WeChat client if credentials are set.
/// The embedded sandbox is never used here: without credentials, nothing is fetched.
fn open(url: &str, appid: Option<&str>, cli: &Cli, sources: &Sources) -> CliResult<Opened> {
    let url: MirrorUrl = url
        .parse()
        .map_err(|e| CliError::usage(format!("--db: {e}")))?;
    let settings = Settings::resolve(cli, sources)?;
    let given = settings.wechat_appid.get().is_some()
        || settings.wechat_secret.get().is_some()
        || settings.wechat_token_command.get().is_some()
        || settings.wechat_access_token.get().is_some()
        || settings
            .wechat_base_url
            .get()
            .is_some_and(|url| url != review_protocol::BaseUrl::WECHAT_STR);
    let client = if given && !settings.use_sandbox() {
        let need = Need {
            wechat: true,
            fw199: false,
            writes: false,
        };
        setup::session(&settings, &cli.tz, need)?
            .wechat
            .map(|wechat| wechat.client)
    } else {
        None
    };
    let appid = settings
        .wechat_appid
        .get()
        .cloned()
        .or_else(|| appid.map(str::to_owned));
    let mirror = Mirror::open(&url).map_err(|e| {
        // The store's errors name the database (redacted) themselves; say it once.
        let why = e.to_string();
        let named = url.redacted();
        CliError::runtime(if why.contains(&named) {
            why
        } else {
            format!("cannot open the mirror {named}: {why}")
        })
    })?;
    Ok(Opened {
        mirror,
        url,
        appid,
        client,
    })
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
fn serve(
    addr: SocketAddr,
    config: PushConfig,
    max_body: usize,
    opened: Option<Opened>,
) -> CliResult {
    // The database thread and the fetcher are plain threads, started before the runtime.
    let mut durable = None;
    let mut threads: Option<(DbThread, Option<Fetcher>)> = None;
    if let Some(Opened {
        mirror,
        url,
        appid,
        client,
    }) = opened
    {
        let (db, thread) = Db::start(mirror, url)
            .map_err(|e| CliError::runtime(format!("cannot start the database thread: {e}")))?;
        let fetcher =
            match client {
                Some(client) => Some(Fetcher::start(db.clone(), client).map_err(|e| {
                    CliError::runtime(format!("cannot start the detail fetcher: {e}"))
                })?),
                None => None,
            };
        durable = Some(Durable {
            db,
            appid,
            fetcher: fetcher.as_ref().map(Fetcher::waker),
        });
        threads = Some((thread, fetcher));
    }
    let served = serve_on(addr, config, max_body, durable);
    // Every request has been answered: finish the fetch in flight, then every commit queued.
    if let Some((thread, fetcher)) = threads {
        if let Some(fetcher) = fetcher {
            fetcher.stop(FETCH_GRACE);
        }
        thread.stop();
    }
    served
}

/// The server itself, on a runtime of its own.
fn serve_on(
    addr: SocketAddr,
    config: PushConfig,
    max_body: usize,
    durable: Option<Durable>,
) -> CliResult {
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
        let mode = match &durable {
            Some(durable) => format!(
                "{}; committing pushes to {}{}",
                mode(&config),
                durable.db.name,
                if durable.fetcher.is_some() {
                    ", fetching bad reviews' details"
                } else {
                    ", no WeChat credentials: details not fetched"
                }
            ),
            None => mode(&config).to_owned(),
        };
        let seen = Arc::new(Seen::new());
        let (failed, output_failed) = tokio::sync::oneshot::channel();
        let writer = Writer::start(Box::new(std::io::stdout()), Arc::clone(&seen), failed)
            .map_err(|e| CliError::runtime(format!("cannot start the output thread: {e}")))?;
        let receiver = Arc::new(Receiver {
            config,
            seen,
            writer,
            durable,
        });
        let app = handler::router(receiver, max_body);
        listening(local, &mode);
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
        notices::flush(Duration::from_millis(500));
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
