//! The log of every write the sandbox executed, so tests can check that a client never
//! duplicated one, even when answers were lost.

use jiff::Timestamp;
use serde::Serialize;

/// One executed write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteRecord {
    /// When it executed (sandbox time).
    pub at: Timestamp,
    /// The endpoint's path (`/wxaapi/comment/reply/add`).
    pub path: String,
    /// The request's JSON body (or a summary for non-JSON bodies), as executed.
    pub body: serde_json::Value,
    /// Whether the answer was then deliberately lost by a fault.
    pub answer_lost: bool,
}
