//! The bounds put on every connection, with their defaults and ranges.

use std::time::Duration;

use crate::ServeError;

/// How long a client may take and how many may be served at once.
///
/// The defaults suit both users in this workspace: the sandbox and `reviews webhook serve` take
/// small requests (a push is a few KB; the largest sandbox request, a media upload, is capped at
/// 2 MB by axum's default body limit) from clients that send them at once.
///
/// Change some fields and keep the rest:
///
/// ```
/// use std::time::Duration;
/// use review_server::Limits;
///
/// let limits = Limits { max_connections: 64, ..Limits::default() };
/// assert!(limits.validate().is_ok());
/// assert!(Limits { header_read_timeout: Duration::ZERO, ..limits }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's head (request line and headers), counted
    /// from the moment the server is ready to read it: from the accept for the first request,
    /// from the end of the previous response for the next one. So it is also the keep-alive idle
    /// timeout (hyper starts this timer as soon as a connection goes idle). A connection over it
    /// is closed without an answer.
    ///
    /// Default 10 s: a few hundred bytes of headers need far less even on a poor mobile link,
    /// and an idle keep-alive connection is cheap to reopen; a slowloris client must reconnect
    /// every 10 s per slot it holds.
    pub header_read_timeout: Duration,
    /// How long the whole request body may take to arrive, counted from the end of its head
    /// (a total, not a gap between packets: a body trickled a byte at a time still ends).
    /// A body still incomplete then is answered `408 Request Timeout` and the connection is
    /// closed.
    ///
    /// Default 10 s: a 2 MB upload needs 200 KB/s to fit; pushes fit at any real speed.
    pub body_read_timeout: Duration,
    /// How many connections are served at once. Past it, no more are accepted: new ones wait in
    /// the listener's backlog and are served as slots free.
    ///
    /// Default 512: under the common soft limit of 1024 open files, with room for the process's
    /// own files and outgoing sockets, and far above what a webhook or a test sandbox meets.
    pub max_connections: usize,
    /// Once shutdown is asked for: how long requests in progress may take to finish. Idle
    /// connections close at once; those still busy at the end are dropped.
    ///
    /// Default 5 s: longer than any request here takes (the sandbox's slow-response fault
    /// stalls 3 s by default), and short enough to exit before a supervisor's kill (Docker
    /// waits 10 s after SIGTERM).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// The shortest read timeout: a zero timeout would close every connection at once.
    pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
    /// The longest timeout or grace (one day): longer ones mean "never", and a deadline past
    /// what `Instant` holds would panic.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
    /// The most connections a limit can name: 2^20, Linux's default ceiling on one process's
    /// open files (`fs.nr_open`), so no real process holds more.
    pub const MAX_CONNECTIONS: usize = 1 << 20;

    /// Checks every field against its range; [`serve`](crate::serve) does this first, and a
    /// command line can do it at parse time.
    pub fn validate(&self) -> Result<(), ServeError> {
        timeout(
            "header_read_timeout",
            self.header_read_timeout,
            Self::MIN_TIMEOUT,
        )?;
        timeout(
            "body_read_timeout",
            self.body_read_timeout,
            Self::MIN_TIMEOUT,
        )?;
        timeout("shutdown_grace", self.shutdown_grace, Duration::ZERO)?;
        if !(1..=Self::MAX_CONNECTIONS).contains(&self.max_connections) {
            return Err(ServeError::Limit {
                name: "max_connections",
                range: format!("1..={}", Self::MAX_CONNECTIONS),
                value: self.max_connections.to_string(),
            });
        }
        Ok(())
    }
}

fn timeout(name: &'static str, value: Duration, min: Duration) -> Result<(), ServeError> {
    if (min..=Limits::MAX_TIMEOUT).contains(&value) {
        return Ok(());
    }
    Err(ServeError::Limit {
        name,
        range: format!("{min:?}..={:?}", Limits::MAX_TIMEOUT),
        value: format!("{value:?}"),
    })
}
