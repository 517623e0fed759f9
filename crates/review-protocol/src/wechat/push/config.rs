//! What a merchant's push endpoint is configured with.

use std::fmt;

use jiff::SignedDuration;

use super::{EncodingAesKey, InvalidAesKey};

/// The default largest body accepted.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;
/// The default replay window on `timestamp`, each way.
pub const DEFAULT_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// A push configuration that WeChat would not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushConfigError {
    /// The token is not 3 to 32 visible ASCII characters.
    #[error(
        "the push token must be 3 to 32 visible ASCII characters (WeChat asks for letters and digits)"
    )]
    Token,
    /// The EncodingAESKey is malformed.
    #[error(transparent)]
    Key(#[from] InvalidAesKey),
    /// The appid is empty.
    #[error("the appid is empty")]
    AppId,
}

/// Safe mode's key and the appid every decrypted message must name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct SafeMode {
    pub(crate) key: EncodingAesKey,
    pub(crate) appid: String,
}

/// The token (and, for safe mode, the key and appid) set on the WeChat console, plus limits.
///
/// Everything is checked when the configuration is built. `Debug` shows neither the token nor
/// the key.
///
/// ```
/// use review_protocol::wechat::push::PushConfig;
///
/// let config = PushConfig::new("PushToken123")?
///     .with_aes("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1a2b3c4d5e6f7a8b")?;
/// assert!(!format!("{config:?}").contains("PushToken123"));
/// assert!(PushConfig::new("PushToken123")?.with_aes("short", "wx1").is_err());
/// # Ok::<(), review_protocol::wechat::push::PushConfigError>(())
/// ```
#[derive(Clone)]
pub struct PushConfig {
    pub(crate) token: String,
    pub(crate) safe: Option<SafeMode>,
    pub(crate) max_body: usize,
    pub(crate) window: SignedDuration,
    pub(crate) plaintext_allowed: bool,
}

impl PushConfig {
    /// Plaintext mode with `token`.
    pub fn new(token: impl Into<String>) -> Result<Self, PushConfigError> {
        let token = token.into();
        if !(3..=32).contains(&token.len()) || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(PushConfigError::Token);
        }
        Ok(Self {
            token,
            safe: None,
            max_body: DEFAULT_MAX_BODY,
            window: DEFAULT_WINDOW,
            plaintext_allowed: false,
        })
    }

    /// Adds safe (and compatible) mode: the 43-character EncodingAESKey and the app's appid.
    ///
    /// From then on only encrypted pushes (`encrypt_type=aes` with a valid `msg_signature`)
    /// are accepted: a plaintext push is refused with [`PushError::PlaintextRefused`], because
    /// its `signature` covers the token, timestamp and nonce but not the body, so anyone who
    /// saw one push URL could post other bodies under it. [`allow_plaintext`](Self::allow_plaintext)
    /// accepts both.
    ///
    /// [`PushError::PlaintextRefused`]: super::PushError::PlaintextRefused
    pub fn with_aes(
        mut self,
        encoding_aes_key: &str,
        appid: &str,
    ) -> Result<Self, PushConfigError> {
        if appid.trim().is_empty() {
            return Err(PushConfigError::AppId);
        }
        self.safe = Some(SafeMode {
            key: EncodingAesKey::parse(encoding_aes_key)?,
            appid: appid.to_owned(),
        });
        Ok(self)
    }

    /// With safe mode, also accept plaintext pushes (for a console switching modes). Their body
    /// is not signed: see [`with_aes`](Self::with_aes). Without safe mode plaintext is the only
    /// mode and this changes nothing.
    #[must_use]
    pub fn allow_plaintext(mut self, allowed: bool) -> Self {
        self.plaintext_allowed = allowed;
        self
    }

    /// Whether a plaintext push is accepted: always without safe mode, only when
    /// [`allow_plaintext`](Self::allow_plaintext) was set with it.
    pub fn accepts_plaintext(&self) -> bool {
        self.safe.is_none() || self.plaintext_allowed
    }

    /// Refuses bodies over `bytes` (default 64 KiB).
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Refuses `timestamp`s further than `window` from now, either way (default 5 minutes).
    #[must_use]
    pub fn replay_window(mut self, window: SignedDuration) -> Self {
        self.window = window.abs();
        self
    }

    /// Whether safe mode is configured.
    pub fn is_safe(&self) -> bool {
        self.safe.is_some()
    }
}

impl fmt::Debug for PushConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushConfig")
            .field("token", &"***")
            .field("safe_mode", &self.safe.as_ref().map(|s| &s.appid))
            .field("max_body", &self.max_body)
            .field("window", &self.window)
            .field("plaintext_allowed", &self.plaintext_allowed)
            .finish()
    }
}
