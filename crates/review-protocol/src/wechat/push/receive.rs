//! Checking and opening what WeChat delivers: the URL check and the pushes themselves.

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::{EncryptedPush, PushEvent};
use sha1::{Digest, Sha1};

use super::{PushConfig, PushError, cipher, signature};

/// The form of a push body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `<xml>...</xml>`.
    Xml,
    /// `{...}`.
    Json,
}

impl Format {
    /// Tells the form from the first character that is not whitespace.
    pub fn detect(body: &str) -> Option<Self> {
        match body.trim_start().chars().next() {
            Some('<') => Some(Self::Xml),
            Some('{') => Some(Self::Json),
            _ => None,
        }
    }
}

/// A verified, decrypted, decoded push.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    /// The event.
    pub event: PushEvent,
    /// Whether it arrived as XML or JSON.
    pub format: Format,
    /// Whether it arrived encrypted (safe or compatible mode).
    pub encrypted: bool,
    /// The delivery's `timestamp`.
    pub timestamp: Timestamp,
    /// The delivery's `nonce`: with `timestamp`, what a retry repeats and a replay reuses.
    pub nonce: String,
    /// SHA-1 of the body as received, so that a reused `timestamp` and `nonce` with another
    /// body can be told from WeChat's retry of the same one.
    pub body_digest: [u8; 20],
}

/// What to answer WeChat so that it stops retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The body.
    pub body: &'static [u8],
}

impl Answer {
    /// The documented answer, `{"errcode":0,"success":true}`.
    pub const JSON: Answer = Answer {
        content_type: "application/json",
        body: br#"{"errcode":0,"success":true}"#,
    };
    /// The plain `success` that WeChat's message pushes also accept.
    pub const TEXT: Answer = Answer {
        content_type: "text/plain; charset=utf-8",
        body: b"success",
    };
}

impl Push {
    /// The documented answer for this push.
    pub fn answer(&self) -> Answer {
        Answer::JSON
    }

    /// What identifies a delivery across WeChat's retries (it retries three times when no
    /// answer comes within five seconds): the same event re-sent has the same identity.
    pub fn identity(&self) -> String {
        match &self.event {
            PushEvent::BadScore(event) => format!(
                "{}:{}:{}:{}",
                review_model::wechat::BAD_SCORE_EVENT,
                event.from_user_name,
                event.create_time.as_second(),
                event.comment_id
            ),
            other => {
                let fields = match other {
                    PushEvent::Other(o) => &o.fields,
                    PushEvent::BadScore(_) => return String::new(),
                    _ => return format!("{other:?}"),
                };
                let text = |key: &str| match fields.get(key) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(value) => value.to_string(),
                    None => String::new(),
                };
                match fields.get("MsgId") {
                    Some(_) => format!("msg:{}", text("MsgId")),
                    None => format!(
                        "{}:{}:{}:{}",
                        other.name(),
                        text("FromUserName"),
                        text("CreateTime"),
                        serde_json::Value::Object(fields.clone())
                    ),
                }
            }
        }
    }
}

/// The query parameters WeChat adds to every delivery.
struct Query {
    signature: Option<String>,
    timestamp: Option<String>,
    nonce: Option<String>,
    echostr: Option<String>,
    encrypt_type: Option<String>,
    msg_signature: Option<String>,
}

impl Query {
    fn parse(query: &str) -> Self {
        let mut out = Query {
            signature: None,
            timestamp: None,
            nonce: None,
            echostr: None,
            encrypt_type: None,
            msg_signature: None,
        };
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match key.as_ref() {
                "signature" => &mut out.signature,
                "timestamp" => &mut out.timestamp,
                "nonce" => &mut out.nonce,
                "echostr" => &mut out.echostr,
                "encrypt_type" => &mut out.encrypt_type,
                "msg_signature" => &mut out.msg_signature,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        out
    }
}

fn required<'q>(value: &'q Option<String>, name: &'static str) -> Result<&'q str, PushError> {
    value.as_deref().ok_or(PushError::Missing(name))
}

impl PushConfig {
    /// Checks `signature`, then `timestamp` against the replay window; returns the timestamp.
    fn authenticate(&self, query: &Query, now: Timestamp) -> Result<Timestamp, PushError> {
        let signature = required(&query.signature, "signature")?;
        let timestamp = required(&query.timestamp, "timestamp")?;
        let nonce = required(&query.nonce, "nonce")?;
        if !signature::matches(&[&self.token, timestamp, nonce], signature) {
            return Err(PushError::BadSignature("signature"));
        }
        let seconds: i64 = timestamp.parse().map_err(|_| PushError::BadTimestamp)?;
        let at = Timestamp::from_second(seconds).map_err(|_| PushError::BadTimestamp)?;
        let skew = now.duration_since(at);
        if skew.abs() > self.window {
            return Err(PushError::Stale {
                skew_seconds: skew.as_secs(),
                window_seconds: self.window.as_secs(),
            });
        }
        Ok(at)
    }

    /// Answers WeChat's URL check (`GET ?signature&timestamp&nonce&echostr`): returns the
    /// `echostr` to send back, or why the check is refused.
    ///
    /// ```
    /// use review_protocol::wechat::push::{PushConfig, signature};
    /// use jiff::Timestamp;
    ///
    /// let config = PushConfig::new("PushToken123")?;
    /// let sig = signature(&["PushToken123", "1704038400", "n0nce"]);
    /// let query = format!("signature={sig}&timestamp=1704038400&nonce=n0nce&echostr=hello");
    /// let now = Timestamp::from_second(1_704_038_430)?;
    /// assert_eq!(config.verify_url(&query, now)?, "hello");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_url(&self, query: &str, now: Timestamp) -> Result<String, PushError> {
        let query = Query::parse(query);
        self.authenticate(&query, now)?;
        Ok(required(&query.echostr, "echostr")?.to_owned())
    }

    /// Verifies, decrypts (in safe and compatible mode) and decodes a push.
    ///
    /// `query` is the request's query string, `body` its bytes, `now` the server's clock.
    /// The body size is checked before anything else, the signature before any parsing of the
    /// body, and `msg_signature` before any decryption. With safe mode configured a plaintext
    /// push is refused unless [`allow_plaintext`](Self::allow_plaintext) was set.
    pub fn open(&self, query: &str, body: &[u8], now: Timestamp) -> Result<Push, PushError> {
        if body.len() > self.max_body {
            return Err(PushError::TooLarge {
                size: body.len(),
                limit: self.max_body,
            });
        }
        let query = Query::parse(query);
        let timestamp = self.authenticate(&query, now)?;
        let encrypted = query.encrypt_type.as_deref() == Some("aes");
        if !encrypted && !self.accepts_plaintext() {
            return Err(PushError::PlaintextRefused);
        }
        let nonce = required(&query.nonce, "nonce")?.to_owned();
        let body_digest: [u8; 20] = Sha1::digest(body).into();
        let text = std::str::from_utf8(body).map_err(|_| PushError::NotUtf8)?;
        let format = Format::detect(text).ok_or(PushError::UnknownFormat)?;
        if encrypted {
            if self.safe.is_none() {
                return Err(PushError::NoKey);
            }
            let msg_signature = required(&query.msg_signature, "msg_signature")?;
            let envelope = match format {
                Format::Xml => EncryptedPush::from_xml(text)?,
                Format::Json => EncryptedPush::from_json(body)?,
            };
            let ts = required(&query.timestamp, "timestamp")?;
            let message = self.open_sealed(ts, &nonce, msg_signature, &envelope.encrypt)?;
            let inner = Format::detect(&message).ok_or(PushError::UnknownFormat)?;
            let event = decode(&message, inner)?;
            return Ok(Push {
                event,
                format,
                encrypted: true,
                timestamp,
                nonce,
                body_digest,
            });
        }
        Ok(Push {
            event: decode(text, format)?,
            format,
            encrypted: false,
            timestamp,
            nonce,
            body_digest,
        })
    }

    /// Verifies `msg_signature` over an `Encrypt` value and decrypts it: the safe-mode core of
    /// [`open`](Self::open), for callers that parse the envelope themselves. The replay window
    /// is not checked here.
    pub fn open_sealed(
        &self,
        timestamp: &str,
        nonce: &str,
        msg_signature: &str,
        encrypt: &str,
    ) -> Result<String, PushError> {
        let safe = self.safe.as_ref().ok_or(PushError::NoKey)?;
        if !signature::matches(&[&self.token, timestamp, nonce, encrypt], msg_signature) {
            return Err(PushError::BadSignature("msg_signature"));
        }
        let message = cipher::decrypt(&safe.key, &safe.appid, encrypt)?;
        String::from_utf8(message).map_err(|_| PushError::NotUtf8)
    }

    /// The replay window, for callers that keep their own records.
    pub fn window(&self) -> SignedDuration {
        self.window
    }
}

fn decode(text: &str, format: Format) -> Result<PushEvent, PushError> {
    Ok(match format {
        Format::Xml => PushEvent::from_xml(text)?,
        Format::Json => PushEvent::from_json(text.as_bytes())?,
    })
}
