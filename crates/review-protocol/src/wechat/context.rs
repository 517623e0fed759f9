//! The context of an authenticated WeChat call.

use review_model::AccessToken;

use crate::BaseUrl;

/// Where to send a WeChat call and with which access token.
///
/// `Debug` shows the token as `***`.
#[derive(Debug, Clone)]
pub struct WechatContext {
    /// `https://api.weixin.qq.com`, or an emulator's URL.
    pub base_url: BaseUrl,
    /// The token to put in the query string.
    pub access_token: AccessToken,
}

impl WechatContext {
    /// A context for `base_url` with `access_token`.
    pub fn new(base_url: BaseUrl, access_token: AccessToken) -> Self {
        Self {
            base_url,
            access_token,
        }
    }
}
