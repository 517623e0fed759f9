//! `GET /wxaapi/comment/commentinfo/get`: one evaluation with its process and history.

use review_model::CommentId;
use review_model::wechat::CommentDetail;

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Reads one evaluation in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetCommentDetail {
    /// The evaluation.
    pub comment_id: CommentId,
}

impl GetCommentDetail {
    /// The detail of `comment_id`.
    pub fn new(comment_id: CommentId) -> Self {
        Self { comment_id }
    }

    /// Refuses an empty id.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())
    }
}

impl Endpoint for GetCommentDetail {
    type Context = WechatContext;
    type Output = CommentDetail;

    const METADATA: Metadata = Metadata {
        name: "wechat.comment_detail",
        method: Method::Get,
        path: "/wxaapi/comment/commentinfo/get",
        idempotent: true,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let params = [("commentId", self.comment_id.as_str())];
        wire::get(ctx, Self::METADATA.path, &params)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<CommentDetail, Error> {
        wire::parse(&response)
    }
}
