//! What a [`serve`](crate::serve) run came to.

/// Counts of one run, returned when it ends, for a log line or a test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Served {
    /// Connections accepted.
    pub connections: u64,
    /// Connections closed because no complete request head came within `header_read_timeout`:
    /// slow or stalled clients, and keep-alive connections left idle that long.
    pub head_timeouts: u64,
    /// Requests answered `408` because their body did not arrive within `body_read_timeout`.
    pub body_timeouts: u64,
    /// Connections still busy when the shutdown grace ran out, dropped without an answer.
    pub forced: u64,
}
