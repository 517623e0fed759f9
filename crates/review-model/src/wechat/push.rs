//! The bad-review push (`wxa_comment_bad_score`) and any other event, in XML and JSON forms.
//!
//! These are the plaintext messages. Verifying signatures and decrypting safe-mode bodies is the
//! protocol crate's job; it hands the decrypted document to [`PushEvent::from_xml`] or
//! [`PushEvent::from_json`].

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::xml::{self, XmlError};
use crate::{CommentId, DecodeError};

/// The `Event` name of the bad-review push.
pub const BAD_SCORE_EVENT: &str = "wxa_comment_bad_score";

/// A decoded push message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PushEvent {
    /// A buyer left a bad review.
    BadScore(BadScoreEvent),
    /// Any other message, kept with every field as sent.
    Other(OtherEvent),
}

/// A buyer left a bad review (`wxa_comment_bad_score`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadScoreEvent {
    /// The mini program's original id (`gh_...`).
    pub to_user_name: String,
    /// The sender (a fixed WeChat team openid).
    pub from_user_name: String,
    /// When the event happened.
    pub create_time: Timestamp,
    /// The bad review (`result.comment_id`, snake_case unlike the HTTP APIs).
    pub comment_id: CommentId,
}

/// A push this crate does not type, with its name and raw fields.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherEvent {
    /// `MsgType`, if present.
    pub msg_type: Option<String>,
    /// `Event`, if present.
    pub event: Option<String>,
    /// Every field as decoded (XML leaves are strings).
    pub fields: Map<String, Value>,
}

/// A push body that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushDecodeError {
    /// The XML form was malformed or unsafe.
    #[error("push XML: {0}")]
    Xml(#[from] XmlError),
    /// The JSON form was malformed, or a typed event missed a field.
    #[error("push message: {0}")]
    Decode(#[from] DecodeError),
    /// The body was JSON but not an object.
    #[error("push message: expected a JSON object")]
    NotAnObject,
    /// Neither `Event` nor `MsgType` names the message: nothing says what it is (an empty
    /// `<xml></xml>` decodes to no fields at all).
    #[error("push message: neither `Event` nor `MsgType` says what it is")]
    Unnamed,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BadScoreWire {
    to_user_name: String,
    from_user_name: String,
    #[serde(with = "crate::codec::unix::number")]
    create_time: Timestamp,
    msg_type: String,
    event: String,
    #[serde(rename = "result")]
    result: ResultWire,
}

#[derive(Serialize, Deserialize)]
struct ResultWire {
    comment_id: CommentId,
}

fn text_field(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl PushEvent {
    /// Decodes a plaintext XML push (`<xml>...</xml>`).
    pub fn from_xml(document: &str) -> Result<Self, PushDecodeError> {
        Self::from_fields(xml::to_json(document)?)
    }

    /// Decodes a plaintext JSON push.
    pub fn from_json(body: &[u8]) -> Result<Self, PushDecodeError> {
        match crate::from_slice::<Value>(body)? {
            Value::Object(fields) => Self::from_fields(fields),
            _ => Err(PushDecodeError::NotAnObject),
        }
    }

    /// Types a message from its fields; an unknown event is [`PushEvent::Other`]. A message
    /// that names neither an `Event` nor a `MsgType` is refused: it cannot be told apart from
    /// an empty or truncated body.
    pub fn from_fields(fields: Map<String, Value>) -> Result<Self, PushDecodeError> {
        let event = text_field(&fields, "Event").filter(|e| !e.trim().is_empty());
        let msg_type = text_field(&fields, "MsgType").filter(|m| !m.trim().is_empty());
        if event.is_none() && msg_type.is_none() {
            return Err(PushDecodeError::Unnamed);
        }
        if event.as_deref() == Some(BAD_SCORE_EVENT) {
            let wire: BadScoreWire = crate::from_value(Value::Object(fields))?;
            return Ok(Self::BadScore(BadScoreEvent {
                to_user_name: wire.to_user_name,
                from_user_name: wire.from_user_name,
                create_time: wire.create_time,
                comment_id: wire.result.comment_id,
            }));
        }
        Ok(Self::Other(OtherEvent {
            msg_type,
            event,
            fields,
        }))
    }

    /// The `Event` name, or the `MsgType` of a message that is not an event.
    pub fn name(&self) -> &str {
        match self {
            Self::BadScore(_) => BAD_SCORE_EVENT,
            Self::Other(other) => other
                .event
                .as_deref()
                .or(other.msg_type.as_deref())
                .unwrap_or(""),
        }
    }

    /// The message's fields in the documented form (PascalCase, `result.comment_id`).
    pub fn to_fields(&self) -> Map<String, Value> {
        match self {
            Self::BadScore(event) => {
                let wire = BadScoreWire {
                    to_user_name: event.to_user_name.clone(),
                    from_user_name: event.from_user_name.clone(),
                    create_time: event.create_time,
                    msg_type: "event".to_owned(),
                    event: BAD_SCORE_EVENT.to_owned(),
                    result: ResultWire {
                        comment_id: event.comment_id.clone(),
                    },
                };
                match serde_json::to_value(wire) {
                    Ok(Value::Object(map)) => map,
                    // A struct of strings and integers always serializes to an object.
                    _ => Map::new(),
                }
            }
            Self::Other(other) => other.fields.clone(),
        }
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        Value::Object(self.to_fields()).to_string()
    }

    /// The XML form, as WeChat sends it.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        xml::from_json(&self.to_fields())
    }
}

/// A safe-mode push body: the encrypted message and the recipient.
///
/// WeChat sends `<xml><ToUserName/><Encrypt/></xml>` or `{"ToUserName","Encrypt"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptedPush {
    /// The mini program's original id; absent in some deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_user_name: Option<String>,
    /// The base64 ciphertext.
    pub encrypt: String,
}

impl EncryptedPush {
    /// Decodes the XML form.
    pub fn from_xml(document: &str) -> Result<Self, PushDecodeError> {
        Ok(crate::from_value(Value::Object(xml::to_json(document)?))?)
    }

    /// Decodes the JSON form.
    pub fn from_json(body: &[u8]) -> Result<Self, PushDecodeError> {
        Ok(crate::from_slice(body)?)
    }

    /// The XML form.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => xml::from_json(&map),
            _ => xml::from_json(&Map::new()),
        }
    }
}
