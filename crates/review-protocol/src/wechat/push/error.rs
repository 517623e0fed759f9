//! Why a push was refused.

use review_model::wechat::PushDecodeError;
use review_model::xml::XmlError;

/// A push, URL check or configuration that was refused.
///
/// No variant carries the token, the key or a signature value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The body exceeds the configured limit.
    #[error("the push body is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// The body's size.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A query parameter WeChat always sends is missing.
    #[error("the push has no `{0}` query parameter")]
    Missing(&'static str),
    /// A signature does not match: not from WeChat, or tampered with.
    #[error("`{0}` does not match: the push is not from WeChat or was altered")]
    BadSignature(&'static str),
    /// `timestamp` is not Unix seconds.
    #[error("`timestamp` is not Unix seconds")]
    BadTimestamp,
    /// `timestamp` is outside the replay window.
    #[error(
        "`timestamp` is {skew_seconds} s away from now, outside the {window_seconds} s replay window"
    )]
    Stale {
        /// How far the timestamp is from now, in seconds.
        skew_seconds: i64,
        /// The window, in seconds.
        window_seconds: i64,
    },
    /// The body is not UTF-8 text.
    #[error("the push body is not UTF-8")]
    NotUtf8,
    /// The body is neither XML nor JSON.
    #[error("the push body is neither XML nor JSON")]
    UnknownFormat,
    /// A plaintext push arrived where safe mode accepts encrypted pushes only.
    #[error(
        "a plaintext push arrived but safe mode accepts encrypted pushes only (encrypt_type=aes with msg_signature)"
    )]
    PlaintextRefused,
    /// The `timestamp` and `nonce` of an earlier delivery came with another body: the plaintext
    /// signature does not cover the body, so this is a replay with a forged body.
    #[error("`timestamp` and `nonce` were already used for another body: a replayed push")]
    NonceReused,
    /// An encrypted push arrived but no EncodingAESKey is configured.
    #[error("an encrypted push arrived but no EncodingAESKey is configured")]
    NoKey,
    /// The ciphertext is malformed.
    #[error("cannot decrypt the push: {0}")]
    Decrypt(&'static str),
    /// The decrypted message is for another app.
    #[error("the decrypted push is for another appid")]
    AppIdMismatch,
    /// The message itself did not decode.
    #[error(transparent)]
    Message(#[from] PushDecodeError),
    /// A message could not be written as XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
}

impl PushError {
    /// The HTTP status a server should answer with: 401 for anything that fails
    /// authentication, 413 for an oversized body, 400 otherwise.
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            Self::BadSignature(_)
            | Self::Stale { .. }
            | Self::Missing(_)
            | Self::BadTimestamp
            | Self::PlaintextRefused
            | Self::NonceReused => http::StatusCode::UNAUTHORIZED,
            Self::TooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            _ => http::StatusCode::BAD_REQUEST,
        }
    }
}
