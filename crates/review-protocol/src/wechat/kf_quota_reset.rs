//! `POST /wxaapi/comment/apikfquota/reset`: opens a customer-service session with a bad reviewer.

use review_model::CommentId;
use review_model::wechat::KfQuotaReset;

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Resets the customer-service quota for a bad review, so that
/// [`SendCustomMessage`](super::SendCustomMessage) may reach its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetKfQuota {
    /// The bad review.
    pub comment_id: CommentId,
}

impl ResetKfQuota {
    /// Resets the quota for `comment_id`.
    pub fn new(comment_id: CommentId) -> Self {
        Self { comment_id }
    }

    /// Refuses an empty id.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())
    }
}

impl Endpoint for ResetKfQuota {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.kf_quota_reset",
        method: Method::Post,
        path: "/wxaapi/comment/apikfquota/reset",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = KfQuotaReset {
            comment_id: self.comment_id.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
