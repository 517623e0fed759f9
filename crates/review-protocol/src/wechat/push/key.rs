//! The EncodingAESKey of safe mode.

use std::fmt;

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

/// WeChat's keys are not canonical base64: the last character carries bits past the 32nd byte,
/// which a strict decoder rejects. Those bits are dropped, as WeChat's own SDKs do.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The 32-byte AES key behind a 43-character EncodingAESKey.
///
/// WeChat shows the key as 43 characters of base64 without the trailing `=`. It is checked when
/// the configuration is built, so a mistyped key fails at start-up rather than on the first push.
/// `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodingAesKey([u8; 32]);

/// An EncodingAESKey that is not 43 characters of base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the EncodingAESKey must be 43 characters of base64 (A-Z, a-z, 0-9, + and /): {0}")]
pub struct InvalidAesKey(&'static str);

impl EncodingAesKey {
    /// Decodes the key as WeChat shows it.
    ///
    /// ```
    /// use review_protocol::wechat::push::EncodingAesKey;
    ///
    /// assert!(EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").is_ok());
    /// assert!(EncodingAesKey::parse("too-short").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, InvalidAesKey> {
        if text.chars().count() != 43 {
            return Err(InvalidAesKey("wrong length"));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        {
            return Err(InvalidAesKey("a character outside the base64 alphabet"));
        }
        let bytes = LENIENT
            .decode(format!("{text}="))
            .map_err(|_| InvalidAesKey("not valid base64"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| InvalidAesKey("does not decode to 32 bytes"))?;
        Ok(Self(key))
    }

    /// The AES-256 key.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The CBC initialisation vector: the key's first 16 bytes, as WeChat defines it.
    pub(crate) fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(self.0.get(..16).unwrap_or(&[0u8; 16]));
        iv
    }
}

impl fmt::Debug for EncodingAesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncodingAesKey(***)")
    }
}
