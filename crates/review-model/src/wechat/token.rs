//! Access-token requests and answers (`/cgi-bin/token`, `/cgi-bin/stable_token`).

use serde::{Deserialize, Serialize};

use crate::{AccessToken, AppId, Secret};

/// The only `grant_type` WeChat accepts for server tokens.
pub const CLIENT_CREDENTIAL: &str = "client_credential";

/// The body of `POST /cgi-bin/stable_token`.
///
/// `Debug` shows `secret` as `***`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StableTokenRequest {
    /// Always `client_credential`.
    pub grant_type: String,
    /// The mini program's AppID.
    pub appid: AppId,
    /// The app secret.
    pub secret: Secret,
    /// `true` forces a new token (limited to a few calls a day); `false` returns the current one.
    #[serde(default, deserialize_with = "crate::codec::flag::deserialize")]
    pub force_refresh: bool,
}

impl StableTokenRequest {
    /// A request for the current stable token, or a new one if `force_refresh`.
    pub fn new(appid: AppId, secret: Secret, force_refresh: bool) -> Self {
        Self {
            grant_type: CLIENT_CREDENTIAL.to_owned(),
            appid,
            secret,
            force_refresh,
        }
    }
}

/// The answer of both token endpoints.
///
/// `Debug` shows the token as `***`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenResponse {
    /// The token.
    pub access_token: AccessToken,
    /// Seconds until it expires (7200 in practice).
    #[serde(with = "crate::codec::int::number")]
    pub expires_in: u64,
}
