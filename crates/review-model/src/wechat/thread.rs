//! The merchant's reply to a comment and the follow-ups under it.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::{CommentId, CommentReplyId, ReplyId};

/// The answer of `/wxaapi/comment/replyandcommentreplylist/get`: `list` is an object, not an array.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyThreadResponse {
    /// The thread.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub list: ReplyThread,
}

/// A comment's reply thread: the merchant's first reply and every follow-up after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyThread {
    /// The first reply, if the merchant answered (`{}` and `null` both mean no reply).
    #[serde(
        default,
        deserialize_with = "reply_or_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub reply: Option<Reply>,
    /// Follow-up replies, oldest first as sent.
    #[serde(
        rename = "commentReplyList",
        default,
        deserialize_with = "crate::codec::null::deserialize"
    )]
    pub follow_ups: Vec<CommentReply>,
}

fn reply_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Reply>, D::Error> {
    match Option::<Map<String, Value>>::deserialize(d)? {
        None => Ok(None),
        Some(map) if map.is_empty() => Ok(None),
        Some(map) => serde_json::from_value(Value::Object(map))
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// The merchant's first reply to a comment (WeChat calls it the "comment").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// The evaluation answered.
    pub comment_id: CommentId,
    /// This reply's id.
    pub reply_id: ReplyId,
    /// When it was written.
    #[serde(with = "crate::codec::unix::string")]
    pub create_time: Timestamp,
    /// When it was last changed.
    #[serde(
        default,
        with = "crate::codec::unix::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_time: Option<Timestamp>,
    /// What the merchant wrote.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub reply_content: TextBody,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_object: Option<Author>,
}

/// A follow-up reply under the first one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentReply {
    /// The evaluation answered.
    pub comment_id: CommentId,
    /// This follow-up's id.
    pub comment_reply_id: CommentReplyId,
    /// When it was written.
    #[serde(with = "crate::codec::unix::string")]
    pub create_time: Timestamp,
    /// When it was last changed.
    #[serde(
        default,
        with = "crate::codec::unix::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_time: Option<Timestamp>,
    /// What was written.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub comment_reply_content: TextBody,
    /// Who wrote it (the merchant or the buyer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_reply_object: Option<Author>,
}

/// `{ "content": "..." }`, the shape reply texts come in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBody {
    /// The text.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub content: String,
}

/// The author shown beside a reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Author {
    /// Display name.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub nickname: String,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub img_url: Option<String>,
}
