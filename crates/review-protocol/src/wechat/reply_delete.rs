//! `POST /wxaapi/comment/reply/delete`: deletes the first reply and every follow-up under it.

use review_model::wechat::ReplyDelete;
use review_model::{CommentId, ReplyId};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Deletes the merchant's first reply; WeChat deletes its follow-ups with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteReply {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The reply.
    pub reply_id: ReplyId,
}

impl DeleteReply {
    /// Deletes `reply_id` of `comment_id`.
    pub fn new(comment_id: CommentId, reply_id: ReplyId) -> Self {
        Self {
            comment_id,
            reply_id,
        }
    }

    /// Refuses empty ids.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())?;
        wire::id("replyId", self.reply_id.as_str())
    }
}

impl Endpoint for DeleteReply {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.reply_delete",
        method: Method::Post,
        path: "/wxaapi/comment/reply/delete",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = ReplyDelete {
            comment_id: self.comment_id.clone(),
            reply_id: self.reply_id.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
