//! WeChat's push signatures: sha1 over the sorted parts, concatenated.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// `sha1(sorted(parts).concat())` as lowercase hex.
///
/// The URL check signs `[token, timestamp, nonce]`; safe mode's `msg_signature` adds the
/// `Encrypt` value.
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let mut sha = Sha1::new();
    for part in sorted {
        sha.update(part.as_bytes());
    }
    sha.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the signature of `parts`, compared in constant time.
pub(crate) fn matches(parts: &[&str], given: &str) -> bool {
    let expected = signature(parts);
    bool::from(
        expected
            .as_bytes()
            .ct_eq(given.to_ascii_lowercase().as_bytes()),
    )
}
