//! AES-256-CBC as WeChat uses it: IV = key[0..16], PKCS#7 padding to 32-byte blocks, and a
//! plaintext of 16 random bytes ‖ big-endian u32 length ‖ message ‖ appid.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use subtle::ConstantTimeEq;

use super::{EncodingAesKey, PushError};

/// WeChat pads to 32 bytes, not to the AES block of 16: pad values run 1..=32.
const PAD_BLOCK: usize = 32;

/// Encrypts `message` for `appid` with the given 16 random bytes; returns base64.
pub(crate) fn encrypt(
    key: &EncodingAesKey,
    appid: &str,
    message: &[u8],
    random: [u8; 16],
) -> String {
    let length = u32::try_from(message.len()).unwrap_or(u32::MAX);
    let mut plain = Vec::with_capacity(20 + message.len() + appid.len() + PAD_BLOCK);
    plain.extend_from_slice(&random);
    plain.extend_from_slice(&length.to_be_bytes());
    plain.extend_from_slice(message);
    plain.extend_from_slice(appid.as_bytes());
    let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
    let pad_byte = u8::try_from(pad).unwrap_or(32);
    plain.resize(plain.len() + pad, pad_byte);
    let cipher = cbc::Encryptor::<Aes256>::new(key.bytes().into(), &key.iv().into());
    let len = plain.len();
    let encrypted = cipher
        .encrypt_padded_mut::<NoPadding>(&mut plain, len)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    STANDARD.encode(encrypted)
}

/// Decrypts a base64 `Encrypt` value and checks its appid; returns the message bytes.
///
/// Call only after the signature over the ciphertext has been verified: the distinct errors
/// below would otherwise be a padding oracle.
pub(crate) fn decrypt(
    key: &EncodingAesKey,
    appid: &str,
    encrypted: &str,
) -> Result<Vec<u8>, PushError> {
    let mut data = STANDARD
        .decode(encrypted.trim())
        .map_err(|_| PushError::Decrypt("`Encrypt` is not base64"))?;
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(PushError::Decrypt(
            "the ciphertext is not a whole number of AES blocks",
        ));
    }
    let cipher = cbc::Decryptor::<Aes256>::new(key.bytes().into(), &key.iv().into());
    let plain = cipher
        .decrypt_padded_mut::<NoPadding>(&mut data)
        .map_err(|_| PushError::Decrypt("the ciphertext does not decrypt"))?;
    let pad = usize::from(*plain.last().ok_or(PushError::Decrypt("empty plaintext"))?);
    if !(1..=PAD_BLOCK).contains(&pad) || pad > plain.len() {
        return Err(PushError::Decrypt("bad padding"));
    }
    let (content, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) {
        return Err(PushError::Decrypt("bad padding"));
    }
    let length_bytes: [u8; 4] = content
        .get(16..20)
        .and_then(|b| b.try_into().ok())
        .ok_or(PushError::Decrypt("the plaintext is too short"))?;
    let length = usize::try_from(u32::from_be_bytes(length_bytes))
        .map_err(|_| PushError::Decrypt("the message length does not fit"))?;
    let end = 20usize
        .checked_add(length)
        .filter(|&end| end <= content.len())
        .ok_or(PushError::Decrypt(
            "the message length exceeds the plaintext",
        ))?;
    let message = content.get(20..end).unwrap_or_default();
    let sender = content.get(end..).unwrap_or_default();
    if !bool::from(sender.ct_eq(appid.as_bytes())) {
        return Err(PushError::AppIdMismatch);
    }
    Ok(message.to_vec())
}
