//! The accept loop: one slot per connection, accept errors survived, stop at shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::connection::Connections;
use crate::shutdown::Tracker;

/// The pause after an accept error such as EMFILE: the error repeats until a connection closes,
/// and retrying at once would spin a core.
const BACKOFF: Duration = Duration::from_millis(50);

/// Accepts and spawns connections until `shutdown` resolves, never more than `slots` at once.
///
/// At the limit nothing is accepted, so new connections wait in the kernel's backlog (costing
/// the process no file descriptor) and are taken as slots free.
pub(crate) async fn accept_until(
    listener: &TcpListener,
    shutdown: Pin<&mut (dyn Future<Output = ()> + Send)>,
    slots: usize,
    connections: &Connections,
    tracker: &mut Tracker,
) {
    let mut shutdown = shutdown;
    let slots = Arc::new(Semaphore::new(slots));
    loop {
        // `None` at shutdown; `Some(Err)` for a closed semaphore, never (it is ours).
        let Some(Ok(slot)) = until(shutdown.as_mut(), Arc::clone(&slots).acquire_owned()).await
        else {
            return;
        };
        let Some((stream, peer)) = accept_one(listener, shutdown.as_mut()).await else {
            return;
        };
        tracker.spawn(connections.serve(stream, peer, slot, tracker.watcher()));
    }
}

/// The next connection, retrying past accept errors; `None` at shutdown.
async fn accept_one(
    listener: &TcpListener,
    mut shutdown: Pin<&mut (dyn Future<Output = ()> + Send)>,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        match until(shutdown.as_mut(), listener.accept()).await? {
            Ok(accepted) => return Some(accepted),
            // This one connection is gone before we took it; the next may be fine.
            Err(err) if per_connection(&err) => {
                tracing::debug!(%err, "a connection was lost before it was accepted");
            }
            Err(err) => {
                tracing::warn!(%err, "cannot accept a connection; retrying shortly");
                until(shutdown.as_mut(), tokio::time::sleep(BACKOFF)).await?;
            }
        }
    }
}

/// Errors that concern only the connection being accepted, not the listener or the process.
fn per_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// `work`'s output, or `None` if `shutdown` resolves first (checked first).
async fn until<T>(
    shutdown: Pin<&mut (dyn Future<Output = ()> + Send)>,
    work: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        biased;
        () = shutdown => None,
        out = work => Some(out),
    }
}
