//! `POST /wxaapi/comment/commentreply/delete`: deletes one follow-up reply.

use review_model::wechat::CommentReplyDelete;
use review_model::{CommentId, CommentReplyId, ReplyId};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Deletes one follow-up under the first reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteCommentReply {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The first reply the follow-up sits under.
    pub reply_id: ReplyId,
    /// The follow-up.
    pub comment_reply_id: CommentReplyId,
}

impl DeleteCommentReply {
    /// Deletes `comment_reply_id` under `reply_id` of `comment_id`.
    pub fn new(comment_id: CommentId, reply_id: ReplyId, comment_reply_id: CommentReplyId) -> Self {
        Self {
            comment_id,
            reply_id,
            comment_reply_id,
        }
    }

    /// Refuses empty ids.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())?;
        wire::id("replyId", self.reply_id.as_str())?;
        wire::id("commentReplyId", self.comment_reply_id.as_str())
    }
}

impl Endpoint for DeleteCommentReply {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.comment_reply_delete",
        method: Method::Post,
        path: "/wxaapi/comment/commentreply/delete",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = CommentReplyDelete {
            comment_id: self.comment_id.clone(),
            reply_id: self.reply_id.clone(),
            comment_reply_id: self.comment_reply_id.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
