//! The fw199 signature: `md5(secret + k1 + v1 + ... + secret)` over the parameters sorted by name.
//!
//! Names are sorted by byte, values are concatenated raw (not URL-encoded), `sign` itself is left
//! out, and parameters that are not sent are left out of the signature too. The digest is
//! lowercase hex.

use md5::{Digest, Md5};
use review_model::Secret;
use subtle::ConstantTimeEq;

/// The name of the signature parameter.
pub const SIGN: &str = "sign";

/// Signs `params` (every parameter to be sent, except `sign`).
///
/// ```
/// use review_model::Secret;
/// use review_protocol::taobao::fw199::sign;
///
/// let signature = sign(&[("b", "2"), ("a", "1")], &Secret::new("S"));
/// // md5("S" + "a1" + "b2" + "S")
/// assert_eq!(signature, "db08fdc3f25263430791acf66d2de0c9");
/// ```
pub fn sign(params: &[(&str, &str)], secret: &Secret) -> String {
    let mut sorted: Vec<&(&str, &str)> = params.iter().filter(|(k, _)| *k != SIGN).collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut md5 = Md5::new();
    md5.update(secret.expose_secret().as_bytes());
    for (key, value) in sorted {
        md5.update(key.as_bytes());
        md5.update(value.as_bytes());
    }
    md5.update(secret.expose_secret().as_bytes());
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a signed form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `sign` parameter.
    #[error("the form has no `sign` parameter")]
    Missing,
    /// `sign` does not match the parameters.
    #[error("the signature does not match the parameters")]
    Mismatch,
    /// A parameter appears twice, so the signed value is ambiguous.
    #[error("parameter `{0}` appears more than once")]
    Duplicate(String),
}

/// Checks a signed parameter list, as the gateway does, comparing in constant time.
///
/// Returns the parameters without `sign`. A repeated parameter is refused: two values for one
/// name would let a signature over one of them vouch for the other.
pub fn verify(params: &[(String, String)], secret: &Secret) -> Result<(), SignatureError> {
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w.first() == w.get(1)) {
        let name = pair.first().copied().unwrap_or_default();
        return Err(SignatureError::Duplicate(name.to_owned()));
    }
    let given = params
        .iter()
        .find(|(k, _)| k == SIGN)
        .map(|(_, v)| v.to_ascii_lowercase())
        .ok_or(SignatureError::Missing)?;
    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = sign(&borrowed, secret);
    if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Decodes an `application/x-www-form-urlencoded` body and verifies its signature.
pub fn verify_form(body: &[u8], secret: &Secret) -> Result<Vec<(String, String)>, SignatureError> {
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    verify(&params, secret)?;
    Ok(params.into_iter().filter(|(k, _)| k != SIGN).collect())
}
