//! `GET /wxaapi/comment/replyandcommentreplylist/get`: the merchant's reply and its follow-ups.

use review_model::CommentId;
use review_model::wechat::{ReplyThread, ReplyThreadResponse};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Reads the reply thread of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetReplyThread {
    /// The evaluation.
    pub comment_id: CommentId,
}

impl GetReplyThread {
    /// The thread of `comment_id`.
    pub fn new(comment_id: CommentId) -> Self {
        Self { comment_id }
    }

    /// Refuses an empty id.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())
    }
}

impl Endpoint for GetReplyThread {
    type Context = WechatContext;
    type Output = ReplyThread;

    const METADATA: Metadata = Metadata {
        name: "wechat.reply_thread",
        method: Method::Get,
        path: "/wxaapi/comment/replyandcommentreplylist/get",
        idempotent: true,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let params = [("commentId", self.comment_id.as_str())];
        wire::get(ctx, Self::METADATA.path, &params)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<ReplyThread, Error> {
        wire::parse::<ReplyThreadResponse>(&response).map(|r| r.list)
    }
}
