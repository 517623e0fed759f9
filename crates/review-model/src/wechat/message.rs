//! Customer-service messages (`/cgi-bin/message/custom/send`), sent after a quota reset.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::{MediaId, OpenId};

/// A customer-service message to one user.
///
/// Encodes as `{"touser": ..., "msgtype": "text", "text": {"content": ...}}`, the kind's
/// content under a key named after the kind.
///
/// ```
/// use review_model::wechat::{CustomMessage, MessageBody};
///
/// let msg = CustomMessage::text("oUser".into(), "抱歉,我们马上处理");
/// let json = serde_json::to_string(&msg)?;
/// assert_eq!(json, r#"{"touser":"oUser","msgtype":"text","text":{"content":"抱歉,我们马上处理"}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMessage {
    /// The recipient.
    pub touser: OpenId,
    /// What to send.
    pub body: MessageBody,
}

/// The kinds of customer-service message a mini program may send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageBody {
    /// Plain text.
    Text(TextMessage),
    /// A picture uploaded with `/cgi-bin/media/upload`.
    Image(ImageMessage),
    /// A link card.
    Link(LinkMessage),
    /// A card that opens a page of the mini program.
    MiniProgramPage(MiniProgramPageMessage),
}

/// `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    /// The text.
    pub content: String,
}

/// `image`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMessage {
    /// The uploaded picture.
    pub media_id: MediaId,
}

/// `link`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkMessage {
    /// The card title.
    pub title: String,
    /// The card description.
    pub description: String,
    /// Where the card leads.
    pub url: String,
    /// The card picture URL.
    pub thumb_url: String,
}

/// `miniprogrampage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiniProgramPageMessage {
    /// The card title.
    pub title: String,
    /// The page to open, with its query (`pages/order/detail?id=1`).
    pub pagepath: String,
    /// The card picture, uploaded with `/cgi-bin/media/upload`.
    pub thumb_media_id: MediaId,
}

impl MessageBody {
    /// The `msgtype` value.
    pub fn msgtype(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Image(_) => "image",
            Self::Link(_) => "link",
            Self::MiniProgramPage(_) => "miniprogrampage",
        }
    }
}

impl CustomMessage {
    /// A text message.
    pub fn text(touser: OpenId, content: impl Into<String>) -> Self {
        Self {
            touser,
            body: MessageBody::Text(TextMessage {
                content: content.into(),
            }),
        }
    }
}

impl Serialize for CustomMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("touser", &self.touser)?;
        let kind = self.body.msgtype();
        map.serialize_entry("msgtype", kind)?;
        match &self.body {
            MessageBody::Text(body) => map.serialize_entry(kind, body)?,
            MessageBody::Image(body) => map.serialize_entry(kind, body)?,
            MessageBody::Link(body) => map.serialize_entry(kind, body)?,
            MessageBody::MiniProgramPage(body) => map.serialize_entry(kind, body)?,
        }
        map.end()
    }
}

#[derive(Deserialize)]
struct Wire {
    touser: OpenId,
    msgtype: String,
    text: Option<TextMessage>,
    image: Option<ImageMessage>,
    link: Option<LinkMessage>,
    miniprogrampage: Option<MiniProgramPageMessage>,
}

impl<'de> Deserialize<'de> for CustomMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(d)?;
        let missing = |kind: &'static str| de::Error::missing_field(kind);
        let body = match wire.msgtype.as_str() {
            "text" => MessageBody::Text(wire.text.ok_or_else(|| missing("text"))?),
            "image" => MessageBody::Image(wire.image.ok_or_else(|| missing("image"))?),
            "link" => MessageBody::Link(wire.link.ok_or_else(|| missing("link"))?),
            "miniprogrampage" => MessageBody::MiniProgramPage(
                wire.miniprogrampage
                    .ok_or_else(|| missing("miniprogrampage"))?,
            ),
            other => {
                return Err(de::Error::unknown_variant(
                    other,
                    &["text", "image", "link", "miniprogrampage"],
                ));
            }
        };
        Ok(Self {
            touser: wire.touser,
            body,
        })
    }
}
