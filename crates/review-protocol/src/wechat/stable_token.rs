//! `POST /cgi-bin/stable_token`: the current stable access token, or a forced new one.

use review_model::wechat::{AccessTokenResponse, StableTokenRequest};
use review_model::{AppId, Secret};

use super::wire;
use crate::{Access, BaseUrl, BuildError, Endpoint, Error, Metadata, Method};

/// Fetches a stable access token.
///
/// Without `force_refresh` it returns the same token until its last five minutes, so many
/// processes may call it without invalidating each other. `force_refresh` issues a new one and
/// is limited to a few calls a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStableToken {
    /// The mini program's AppID.
    pub appid: AppId,
    /// The app secret.
    pub secret: Secret,
    /// Whether to force a new token.
    pub force_refresh: bool,
}

impl GetStableToken {
    /// A stable token request for `appid`.
    pub fn new(appid: AppId, secret: Secret, force_refresh: bool) -> Self {
        Self {
            appid,
            secret,
            force_refresh,
        }
    }

    /// Refuses an empty appid or secret.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("appid", self.appid.as_str())?;
        wire::id("secret", self.secret.expose_secret())
            .map_err(|_| BuildError::new("secret", "the app secret is empty or has spaces"))
    }
}

impl Endpoint for GetStableToken {
    type Context = BaseUrl;
    type Output = AccessTokenResponse;

    const METADATA: Metadata = Metadata {
        name: "wechat.stable_token",
        method: Method::Post,
        path: "/cgi-bin/stable_token",
        idempotent: true,
        access: Access::Credentials,
    };

    fn request(&self, base: &BaseUrl) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let body =
            StableTokenRequest::new(self.appid.clone(), self.secret.clone(), self.force_refresh);
        wire::post_json(base, Self::METADATA.path, None, &body)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<AccessTokenResponse, Error> {
        wire::parse(&response)
    }

    /// A plain fetch may be repeated; a forced one spends the daily quota each time.
    fn idempotent(&self) -> bool {
        !self.force_refresh
    }
}
