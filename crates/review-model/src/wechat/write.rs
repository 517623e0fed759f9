//! The JSON bodies of the comment write endpoints.
//!
//! Clients encode them; the sandbox decodes them. Field names are the documented camelCase.

use serde::{Deserialize, Serialize};

use crate::{CommentId, CommentReplyId, MediaId, ReplyId};

/// `POST /wxaapi/comment/reply/add`: the merchant's first reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyAdd {
    /// The evaluation to answer.
    pub comment_id: CommentId,
    /// The reply text.
    pub content: String,
}

/// `POST /wxaapi/comment/reply/delete`: deletes the first reply and every follow-up under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyDelete {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The reply to delete.
    pub reply_id: ReplyId,
}

/// `POST /wxaapi/comment/commentreply/add`: a follow-up under the first reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentReplyAdd {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The first reply this follows.
    pub reply_id: ReplyId,
    /// The follow-up text.
    pub content: String,
}

/// `POST /wxaapi/comment/commentreply/delete`: deletes one follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentReplyDelete {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The first reply the follow-up sits under.
    pub reply_id: ReplyId,
    /// The follow-up to delete.
    pub comment_reply_id: CommentReplyId,
}

/// `POST /wxaapi/comment/apikfquota/reset`: allows customer-service messages to the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KfQuotaReset {
    /// The bad review.
    pub comment_id: CommentId,
}

/// `POST /wxaapi/comment/confirmcompromise`: confirms a settlement with the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmCompromise {
    /// The bad review.
    pub comment_id: CommentId,
    /// Pictures proving the settlement, as media ids from `/cgi-bin/media/upload`.
    #[serde(
        default,
        deserialize_with = "crate::codec::null::deserialize",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub pic_list: Vec<MediaId>,
    /// The settlement text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}
