//! `POST /wxaapi/comment/confirmcompromise`: confirms a settlement with a bad reviewer.

use review_model::wechat::ConfirmCompromise as Body;
use review_model::{CommentId, MediaId};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Confirms that the merchant settled with the author of a bad review.
///
/// Pictures are media ids from [`UploadMedia`](super::UploadMedia), valid three days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmCompromise {
    /// The bad review.
    pub comment_id: CommentId,
    /// Pictures of the settlement (`picList`).
    pub pic_list: Vec<MediaId>,
    /// The settlement text.
    pub content: Option<String>,
}

impl ConfirmCompromise {
    /// A settlement of `comment_id` without text or pictures.
    pub fn new(comment_id: CommentId) -> Self {
        Self {
            comment_id,
            pic_list: Vec::new(),
            content: None,
        }
    }

    /// With this text.
    #[must_use]
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// With this picture.
    #[must_use]
    pub fn picture(mut self, media_id: MediaId) -> Self {
        self.pic_list.push(media_id);
        self
    }

    /// Refuses an empty id, an empty picture id, or text that is given but blank.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("commentId", self.comment_id.as_str())?;
        for pic in &self.pic_list {
            wire::id("picList", pic.as_str())?;
        }
        if let Some(content) = &self.content {
            wire::text("content", "settlement text", content)?;
        }
        Ok(())
    }
}

impl Endpoint for ConfirmCompromise {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.confirm_compromise",
        method: Method::Post,
        path: "/wxaapi/comment/confirmcompromise",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body = Body {
            comment_id: self.comment_id.clone(),
            pic_list: self.pic_list.clone(),
            content: self.content.clone(),
        };
        wire::post(ctx, Self::METADATA.path, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
