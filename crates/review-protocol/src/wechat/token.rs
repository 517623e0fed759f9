//! `GET /cgi-bin/token`: a new access token (the previous one dies five minutes later).

use review_model::wechat::{AccessTokenResponse, CLIENT_CREDENTIAL};
use review_model::{AppId, Secret};

use super::wire;
use crate::{Access, BaseUrl, BuildError, Endpoint, Error, Metadata, Method};

/// Fetches a plain access token.
///
/// Every call issues a new token and invalidates the previous one after a five-minute overlap,
/// so processes sharing an app must share the token: see [`TokenCache`](crate::wechat::token_cache::TokenCache).
/// The secret travels in the query string; [`redact`](crate::redact) masks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetToken {
    /// The mini program's AppID.
    pub appid: AppId,
    /// The app secret.
    pub secret: Secret,
}

impl GetToken {
    /// A token request for `appid`.
    pub fn new(appid: AppId, secret: Secret) -> Self {
        Self { appid, secret }
    }

    /// Refuses an empty appid or secret.
    pub fn validate(&self) -> Result<(), BuildError> {
        wire::id("appid", self.appid.as_str())?;
        wire::id("secret", self.secret.expose_secret())
            .map_err(|_| BuildError::new("secret", "the app secret is empty or has spaces"))
    }
}

impl Endpoint for GetToken {
    type Context = BaseUrl;
    type Output = AccessTokenResponse;

    const METADATA: Metadata = Metadata {
        name: "wechat.token",
        method: Method::Get,
        path: "/cgi-bin/token",
        idempotent: true,
        access: Access::Credentials,
    };

    fn request(&self, base: &BaseUrl) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let params = [
            ("grant_type", CLIENT_CREDENTIAL),
            ("appid", self.appid.as_str()),
            ("secret", self.secret.expose_secret()),
        ];
        wire::get_public(base, Self::METADATA.path, &params)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<AccessTokenResponse, Error> {
        wire::parse(&response)
    }
}
