//! `POST /wxaapi/comment/reply/add`: the merchant's first reply to an evaluation.

use review_model::CommentId;
use review_model::wechat::ReplyAdd;

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Replies to an evaluation (WeChat calls the first reply a "comment").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddReply {
    /// The evaluation.
    pub comment_id: CommentId,
    /// The reply text.
    pub content: String,
}

impl AddReply {
    /// A reply of `content` to `comment_id`.
    pub fn new(comment_id: CommentId, content: impl Into<String>) -> Self {
        Self {
            comment_id,
            content: content.into(),
        }
    }

    /// Refuses an empty id or an empty text.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())?;
        wire::text("content", "reply text", &self.content)
    }
}

impl Endpoint for AddReply {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.reply_add",
        method: Method::Post,
        path: "/wxaapi/comment/reply/add",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = ReplyAdd {
            comment_id: self.comment_id.clone(),
            content: self.content.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
