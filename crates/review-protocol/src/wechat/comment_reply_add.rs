//! `POST /wxaapi/comment/commentreply/add`: a follow-up under the first reply.
//!
//! The path is `commentreply/add`, not `reply/add`: an SDK that sends follow-ups to the
//! first-reply path silently creates or fails on the wrong object.

use review_model::wechat::CommentReplyAdd;
use review_model::{CommentId, ReplyId};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Adds a follow-up reply under the merchant's first reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCommentReply {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The first reply this follows.
    pub reply_id: ReplyId,
    /// The follow-up text.
    pub content: String,
}

impl AddCommentReply {
    /// A follow-up of `content` under `reply_id` of `comment_id`.
    pub fn new(comment_id: CommentId, reply_id: ReplyId, content: impl Into<String>) -> Self {
        Self {
            comment_id,
            reply_id,
            content: content.into(),
        }
    }

    /// Refuses empty ids or an empty text.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())?;
        wire::id("replyId", self.reply_id.as_str())?;
        wire::text("content", "reply text", &self.content)
    }
}

impl Endpoint for AddCommentReply {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.comment_reply_add",
        method: Method::Post,
        path: "/wxaapi/comment/commentreply/add",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = CommentReplyAdd {
            comment_id: self.comment_id.clone(),
            reply_id: self.reply_id.clone(),
            content: self.content.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
