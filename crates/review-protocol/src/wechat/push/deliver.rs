//! Producing what WeChat sends: signed, optionally encrypted deliveries (for emulators and
//! tests) and encrypted replies.

use jiff::Timestamp;
use review_model::wechat::{EncryptedPush, PushEvent};

use super::{Format, PushConfig, PushError, cipher, signature};

/// A push ready to POST to a merchant's endpoint: the query string and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `signature=...&timestamp=...&nonce=...` (plus `encrypt_type=aes&msg_signature=...`).
    pub query: String,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

/// An encrypted message and the signature over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The base64 ciphertext (`Encrypt`).
    pub encrypt: String,
    /// `msg_signature` over `[token, timestamp, nonce, encrypt]`.
    pub msg_signature: String,
}

impl PushConfig {
    /// Encrypts `message` with the given 16 random bytes and signs the result.
    ///
    /// The random bytes are a parameter so that this crate stays free of randomness; pass fresh
    /// ones from a CSPRNG for every message.
    pub fn seal(
        &self,
        message: &str,
        random: [u8; 16],
        timestamp: Timestamp,
        nonce: &str,
    ) -> Result<Sealed, PushError> {
        let safe = self.safe.as_ref().ok_or(PushError::NoKey)?;
        let encrypt = cipher::encrypt(&safe.key, &safe.appid, message.as_bytes(), random);
        let ts = timestamp.as_second().to_string();
        let msg_signature = signature(&[&self.token, &ts, nonce, &encrypt]);
        Ok(Sealed {
            encrypt,
            msg_signature,
        })
    }

    /// Builds the delivery WeChat would make of `event`: plaintext when no key is configured or
    /// `random` is `None`, safe mode otherwise.
    pub fn deliver(
        &self,
        event: &PushEvent,
        format: Format,
        timestamp: Timestamp,
        nonce: &str,
        random: Option<[u8; 16]>,
    ) -> Result<Delivery, PushError> {
        let ts = timestamp.as_second().to_string();
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("signature", &signature(&[&self.token, &ts, nonce]));
        query.append_pair("timestamp", &ts);
        query.append_pair("nonce", nonce);
        let message = match format {
            Format::Xml => event.to_xml()?,
            Format::Json => event.to_json(),
        };
        let (content_type, body) = match format {
            Format::Xml => ("text/xml; charset=utf-8", message.clone()),
            Format::Json => ("application/json", message.clone()),
        };
        let body = match (random, self.is_safe()) {
            (Some(random), true) => {
                let sealed = self.seal(&message, random, timestamp, nonce)?;
                query.append_pair("encrypt_type", "aes");
                query.append_pair("msg_signature", &sealed.msg_signature);
                let to_user_name = match event {
                    PushEvent::BadScore(e) => Some(e.to_user_name.clone()),
                    _ => None,
                };
                let envelope = EncryptedPush {
                    to_user_name,
                    encrypt: sealed.encrypt,
                };
                match format {
                    Format::Xml => envelope.to_xml()?,
                    Format::Json => serde_json::to_string(&envelope).unwrap_or_default(),
                }
            }
            _ => body,
        };
        Ok(Delivery {
            query: query.finish(),
            content_type,
            body: body.into_bytes(),
        })
    }
}
