//! The one hardened HTTP/1 serving loop for an axum [`Router`], used by the sandbox and by
//! `reviews webhook serve`.
//!
//! `axum::serve` puts no bound on clients: idle sockets can take every file descriptor, a
//! slowloris client holds its connection forever, and a graceful shutdown waits for half-sent
//! requests without end. [`serve`] bounds each with [`Limits`]:
//!
//! - the request head (and the idle wait between keep-alive requests) by one timer per
//!   connection: hyper's `header_read_timeout` does the same with a timer per request, which
//!   cost a seventh of the webhook's throughput;
//! - the request body by a deadline fixed when its head has arrived, answered `408`;
//! - the connections served at once by not accepting past `max_connections` (the rest wait in
//!   the backlog); accept errors such as EMFILE are logged and retried after a short pause;
//! - the shutdown by `shutdown_grace`: accepting stops at once, requests in progress may
//!   finish within the grace, then what is left is dropped and [`serve`] returns `Ok`.
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use review_server::{Limits, serve};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let app = Router::new().route("/", get(|| async { "ok" }));
//! let limits = Limits { shutdown_grace: Duration::from_secs(2), ..Limits::default() };
//! // A real program passes e.g. a Ctrl-C or SIGTERM future; this one stops at once.
//! let served = serve(listener, app, limits, async {}).await?;
//! assert_eq!(served.connections, 0);
//! # Ok(())
//! # }
//! ```

mod accept;
mod body;
mod connection;
mod error;
mod head;
mod limits;
mod served;
mod shutdown;

use std::future::Future;
use std::pin::pin;

use axum::Router;
use tokio::net::TcpListener;

pub use error::ServeError;
pub use limits::Limits;
pub use served::Served;

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then ends within
/// `limits.shutdown_grace` and returns what it served.
///
/// It fails only on invalid `limits`, before accepting anything; accept errors and failing
/// connections never end it. Call it inside a tokio runtime with the time driver enabled.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<Served, ServeError> {
    limits.validate()?;
    let connections = connection::Connections::new(app, &limits);
    let mut tracker = shutdown::Tracker::new();
    let shutdown = pin!(shutdown);
    accept::accept_until(
        &listener,
        shutdown,
        limits.max_connections,
        &connections,
        &mut tracker,
    )
    .await;
    // Stop accepting at once: connections still in the backlog are refused.
    drop(listener);
    let mut served = tracker.finish(limits.shutdown_grace).await;
    served.body_timeouts = connections.body_timeouts();
    Ok(served)
}
