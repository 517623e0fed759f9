//! The context of a signed fw199 call.

use jiff::Timestamp;

use super::Fw199Credentials;
use crate::BaseUrl;

/// Where to send an fw199 call, with which credentials, and at what time.
///
/// The time is both the signed `timestamp` parameter and the "now" from which the 180-day limit
/// is counted; it is a field, not a clock reading, so a request can be rebuilt exactly.
#[derive(Debug, Clone)]
pub struct Fw199Context {
    /// `https://kf.fw199.com`, or an emulator's URL.
    pub base_url: BaseUrl,
    /// The partner credentials.
    pub credentials: Fw199Credentials,
    /// When the request is made.
    pub timestamp: Timestamp,
}

impl Fw199Context {
    /// A context for `base_url` with `credentials` at `timestamp`.
    pub fn new(base_url: BaseUrl, credentials: Fw199Credentials, timestamp: Timestamp) -> Self {
        Self {
            base_url,
            credentials,
            timestamp,
        }
    }

    /// The same context at another time.
    #[must_use]
    pub fn at(&self, timestamp: Timestamp) -> Self {
        Self {
            timestamp,
            ..self.clone()
        }
    }
}
