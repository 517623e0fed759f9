//! `POST /cgi-bin/message/custom/send`: a customer-service message, after a quota reset.

use review_model::wechat::{CustomMessage, MessageBody};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// Sends a customer-service message to a user (text, image, link or mini-program page).
///
/// To reach the author of a bad review, reset the quota first with
/// [`ResetKfQuota`](super::ResetKfQuota); outside the reply window WeChat answers 45015.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendCustomMessage {
    /// The message.
    pub message: CustomMessage,
}

impl SendCustomMessage {
    /// Sends `message`.
    pub fn new(message: CustomMessage) -> Self {
        Self { message }
    }

    /// Refuses an empty recipient, an empty text, or a card with an empty field.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("touser", self.message.touser.as_str())?;
        match &self.message.body {
            MessageBody::Text(text) => wire::text("text.content", "message text", &text.content),
            MessageBody::Image(image) => wire::id("image.media_id", image.media_id.as_str()),
            MessageBody::Link(link) => {
                wire::text("link.title", "link title", &link.title)?;
                wire::text("link.url", "link URL", &link.url)
            }
            MessageBody::MiniProgramPage(page) => {
                wire::text("miniprogrampage.title", "card title", &page.title)?;
                wire::text("miniprogrampage.pagepath", "page path", &page.pagepath)?;
                wire::id(
                    "miniprogrampage.thumb_media_id",
                    page.thumb_media_id.as_str(),
                )
            }
            _ => Ok(()),
        }
    }
}

impl Endpoint for SendCustomMessage {
    type Context = WechatContext;
    type Output = ();

    const METADATA: Metadata = Metadata {
        name: "wechat.custom_send",
        method: Method::Post,
        path: "/cgi-bin/message/custom/send",
        idempotent: false,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        wire::post(ctx, Self::METADATA.path, &self.message)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        wire::parse_ack(&response)
    }
}
