//! `/wxaapi/comment/commentinfo/get`: one evaluation with its bad-review progress and history.

use jiff::Timestamp;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

use super::{Comment, Content};
use crate::{CommentId, Stars};

/// The full detail of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentDetail {
    /// The evaluation.
    pub info: CommentInfo,
    /// Bad-review handling progress; only bad reviews have it.
    #[serde(
        rename = "processInfo",
        alias = "processNnfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub process: Option<ProcessInfo>,
    /// The evaluation before the buyer revised it; only revised evaluations have it.
    #[serde(
        rename = "oldComment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub old_comment: Option<OldComment>,
}

/// `info` of the detail: the evaluation sits under `content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentInfo {
    /// The evaluation.
    pub content: Comment,
}

/// The progress of a bad review through its handling steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessInfo {
    /// The evaluation this progress belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    /// Every step, in order; reached steps carry an `updateTime`.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub action_list: Vec<Action>,
}

impl ProcessInfo {
    /// The step the review is at now: the last one that has been reached.
    ///
    /// ```
    /// use review_model::wechat::{ActionType, ProcessInfo};
    ///
    /// let process: ProcessInfo = serde_json::from_str(
    ///     r#"{"actionList":[{"type":1,"updateTime":1669031402},{"type":2,"updateTime":"1669031500"},{"type":3}]}"#,
    /// )?;
    /// assert_eq!(process.current_step().map(|a| a.kind), Some(ActionType::MerchantHandled));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn current_step(&self) -> Option<&Action> {
        self.action_list
            .iter()
            .rev()
            .find(|a| a.update_time.is_some())
    }

    /// Whether the step of this kind has been reached.
    pub fn reached(&self, kind: ActionType) -> bool {
        self.action_list
            .iter()
            .any(|a| a.kind == kind && a.update_time.is_some())
    }
}

/// One step of the bad-review process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Which step.
    #[serde(rename = "type")]
    pub kind: ActionType,
    /// When the step was reached; absent for steps still ahead.
    #[serde(
        default,
        with = "crate::codec::unix::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_time: Option<Timestamp>,
}

/// The kinds of step in a bad review's process.
///
/// The table types `type` as a string and the example sends numbers; both decode, and it
/// encodes as a number, as in the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActionType {
    /// 1: the buyer posted the bad review.
    BadReviewPosted,
    /// 2: the merchant handled it.
    MerchantHandled,
    /// 3: the buyer was surveyed.
    UserSurveyed,
    /// 4: the buyer reviewed again.
    UserReviewed,
    /// A step this crate does not know.
    Unknown(u32),
}

impl ActionType {
    /// The wire value.
    pub fn code(self) -> u32 {
        match self {
            Self::BadReviewPosted => 1,
            Self::MerchantHandled => 2,
            Self::UserSurveyed => 3,
            Self::UserReviewed => 4,
            Self::Unknown(code) => code,
        }
    }

    /// The step with this wire value.
    pub fn from_code(code: u32) -> Self {
        match code {
            1 => Self::BadReviewPosted,
            2 => Self::MerchantHandled,
            3 => Self::UserSurveyed,
            4 => Self::UserReviewed,
            other => Self::Unknown(other),
        }
    }
}

impl Serialize for ActionType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.code())
    }
}

impl<'de> Deserialize<'de> for ActionType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::codec::int::deserialize::<D, u32>(d).map(Self::from_code)
    }
}

/// The evaluation as it was before the buyer revised it.
///
/// `createTime` is documented as a string and sent as a number; both decode, it encodes as a
/// string like every other `createTime`. The text may come as `ext`, `text` or `txt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OldComment {
    /// The evaluation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<CommentId>,
    /// The earlier text and media.
    #[serde(default, serialize_with = "super::content::serialize_as_text")]
    pub content: Content,
    /// The earlier rating.
    #[serde(
        default,
        with = "crate::stars::opt_score",
        skip_serializing_if = "Option::is_none"
    )]
    pub score: Option<Stars>,
    /// When the earlier evaluation was written.
    #[serde(
        default,
        with = "crate::codec::unix::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<Timestamp>,
}
