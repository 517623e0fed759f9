//! The partner credentials of the fw199 gateway.

use review_model::Secret;

/// An fw199 partner AppId and its secret.
///
/// `Debug` shows the secret as `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fw199Credentials {
    /// The partner AppId (`appid`).
    pub appid: String,
    /// The partner secret that keys every signature.
    pub secret: Secret,
}

impl Fw199Credentials {
    /// Credentials for `appid`.
    pub fn new(appid: impl Into<String>, secret: Secret) -> Self {
        Self {
            appid: appid.into(),
            secret,
        }
    }
}
