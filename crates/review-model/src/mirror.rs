//! What a local mirror keeps of a review beyond the unified record, and the kinds of change a
//! sync reports. Shared by the walks that read reviews for a mirror (`review-protocol`), the
//! mirror itself (`review-store`) and the tools that print its changes.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Review;
use crate::taobao::TradeRate;
use crate::wechat::{ActionType, Comment, ProcessInfo};

/// A review as one read saw it: the unified record, the platform's own record as JSON, what the
/// listing filters said about it and, after a detail read, its bad-review process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The unified record (`docs/contracts.md`).
    pub review: Review,
    /// The platform's record (WeChat `Comment`, Taobao `TradeRate`) as JSON, re-encoded from its
    /// typed decode: every field this crate knows, under the platform's own names.
    pub raw: String,
    /// What the listing filters said of it.
    pub state: ReviewState,
    /// The bad-review process steps, oldest first, when this read fetched them (a detail read);
    /// `None` when it did not, so a mirror keeps what it knew.
    pub process: Option<Vec<ProcessStep>>,
}

/// The WeChat state of a review that the unified record does not carry. All false for Taobao.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReviewState {
    /// A bad-review customer-service session was sent (`extInfo.isAlreadySendTmpl`).
    pub service_sent: bool,
    /// Listed by the `pending-compromise` filter: a bad review not settled yet.
    pub pending_settlement: bool,
    /// Listed by the `revised` filter: the buyer revised it from a bad review.
    pub revised: bool,
}

/// One step of a bad review's process (the detail's `process.actionList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessStep {
    /// The step's wire code (1 posted, 2 handled by the merchant, 3 buyer surveyed, 4 reviewed again).
    pub code: u32,
    /// When the step happened, if sent.
    pub at: Option<Timestamp>,
}

impl ProcessStep {
    /// The steps of a detail's process, oldest first as sent.
    pub fn from_process(process: &ProcessInfo) -> Vec<Self> {
        process
            .action_list
            .iter()
            .map(|action| Self {
                code: action.kind.code(),
                at: action.update_time,
            })
            .collect()
    }

    /// The step's kind.
    pub fn kind(&self) -> ActionType {
        ActionType::from_code(self.code)
    }
}

impl Observed {
    /// A WeChat comment as a listing read it, with whether it was answered and what the filters
    /// said of it.
    pub fn wechat(comment: &Comment, replied: bool, mut state: ReviewState) -> Self {
        state.service_sent |= comment.ext_info.is_some_and(|ext| ext.is_already_send_tmpl);
        Self {
            review: Review::from_wechat(comment, replied),
            raw: to_json(comment),
            state,
            process: None,
        }
    }

    /// A Taobao trade rate.
    pub fn taobao(rate: &TradeRate) -> Self {
        Self {
            review: Review::from(rate),
            raw: to_json(rate),
            state: ReviewState::default(),
            process: None,
        }
    }
}

/// Our own typed records always encode; an empty object stands in should that ever change.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}

/// How far a mirror has read a tenant: every review created in `[from, until]` was read at least
/// once, the last time at the sync that wrote the bookmark. It advances only in the transaction
/// that commits the rows it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bookmark {
    /// The oldest creation time read.
    pub from: Timestamp,
    /// The newest creation time read.
    pub until: Timestamp,
}

/// How a review changed between two reads, as `reviews sync --changes` writes it (`"change"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// First seen.
    New,
    /// The buyer revised the text, the stars or the media.
    Revised,
    /// A merchant reply appeared (or its text changed).
    Replied,
    /// The merchant's reply is gone.
    RemovedReply,
    /// The bad-review process moved: a customer-service session, a settlement, a step.
    Process,
}

impl Change {
    /// Every kind, in the order summaries list them.
    pub const ALL: [Self; 5] = [
        Self::New,
        Self::Revised,
        Self::Replied,
        Self::RemovedReply,
        Self::Process,
    ];

    /// The `"change"` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Revised => "revised",
            Self::Replied => "replied",
            Self::RemovedReply => "removed-reply",
            Self::Process => "process",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Change {
    type Err = UnknownChange;

    fn from_str(text: &str) -> Result<Self, UnknownChange> {
        Self::ALL
            .into_iter()
            .find(|change| change.as_str() == text)
            .ok_or_else(|| UnknownChange(text.to_owned()))
    }
}

/// A `change` value that is none of [`Change::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown change {0:?}: expected new, revised, replied, removed-reply or process")]
pub struct UnknownChange(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_names_round_trip() {
        for change in Change::ALL {
            assert_eq!(change.as_str().parse::<Change>(), Ok(change));
            assert_eq!(
                serde_json::to_string(&change).ok(),
                Some(format!("\"{change}\""))
            );
        }
        assert!("deleted".parse::<Change>().is_err());
    }
}
