//! The connections in flight, and ending them within the grace once shutdown is asked for.

use std::future::Future;
use std::time::Duration;

use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::task::{JoinError, JoinSet};

use crate::Served;
use crate::connection::Outcome;

/// Every spawned connection, so that shutdown can signal, wait for and drop them, and the
/// counts of those that ended.
pub(crate) struct Tracker {
    tasks: JoinSet<Outcome>,
    graceful: GracefulShutdown,
    served: Served,
}

impl Tracker {
    pub(crate) fn new() -> Self {
        Self {
            tasks: JoinSet::new(),
            graceful: GracefulShutdown::new(),
            served: Served::default(),
        }
    }

    /// What a new connection watches to learn of the shutdown.
    pub(crate) fn watcher(&self) -> Watcher {
        self.graceful.watcher()
    }

    /// Spawns one connection. Ended ones are counted first, so the set never holds more than
    /// the live connections and one.
    pub(crate) fn spawn(&mut self, connection: impl Future<Output = Outcome> + Send + 'static) {
        while let Some(joined) = self.tasks.try_join_next() {
            record(&mut self.served, joined);
        }
        self.served.connections += 1;
        self.tasks.spawn(connection);
    }

    /// Tells every connection to finish its request in progress and close (idle ones close at
    /// once), waits at most `grace`, then drops those still open.
    pub(crate) async fn finish(self, grace: Duration) -> Served {
        let Self {
            mut tasks,
            graceful,
            mut served,
        } = self;
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::debug!(
                open = tasks.len(),
                "the shutdown grace is over; dropping the connections still open"
            );
        }
        tasks.abort_all();
        while let Some(joined) = tasks.join_next().await {
            record(&mut served, joined);
        }
        served
    }
}

fn record(served: &mut Served, joined: Result<Outcome, JoinError>) {
    match joined {
        Ok(Outcome::HeadTimeout) => served.head_timeouts += 1,
        Ok(Outcome::Closed | Outcome::Failed) => {}
        Err(err) if err.is_cancelled() => served.forced += 1,
        // A handler panicked: that connection is lost, the server goes on.
        Err(err) => tracing::warn!(%err, "a connection's task panicked"),
    }
}
