//! What a client is built with.

use std::sync::Arc;
use std::time::Duration;

use review_model::{AppId, Secret};
use review_protocol::BaseUrl;
use review_protocol::retry::RetryPolicy;
use review_protocol::taobao::{Fw199Context, Fw199Credentials};
use review_protocol::wechat::token_cache::{RefreshKind, TokenConfig};

use crate::tokens::{MemoryTokenStore, TokenStore};

/// A client's platforms, time limits and retry policy.
///
/// ```
/// use review_client::ClientConfig;
/// use review_model::{AppId, Secret};
///
/// let config = ClientConfig::new()
///     .wechat("http://127.0.0.1:8080".parse()?, AppId::new("wx1"), Secret::new("s"))
///     .fw199("http://127.0.0.1:8080".parse()?, "partner", Secret::new("s2"), "shop-nick");
/// # Ok::<(), review_protocol::InvalidBaseUrl>(())
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) wechat: Option<WechatSide>,
    pub(crate) fw199: Option<Fw199Side>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

#[derive(Clone)]
pub(crate) struct WechatSide {
    pub(crate) base_url: BaseUrl,
    pub(crate) tokens: Arc<dyn TokenStore>,
}

#[derive(Clone)]
pub(crate) struct Fw199Side {
    pub(crate) context: Fw199Context,
    pub(crate) seller_nick: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientConfig {
    /// No platform yet, 30 s per request, the default retry policy.
    pub fn new() -> Self {
        Self {
            wechat: None,
            fw199: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// WeChat at `base_url`, with plain tokens kept in a store of this client's own.
    #[must_use]
    pub fn wechat(self, base_url: BaseUrl, appid: AppId, secret: Secret) -> Self {
        let store = MemoryTokenStore::new(appid, secret, TokenConfig::new(RefreshKind::Plain));
        self.wechat_with_store(base_url, Arc::new(store))
    }

    /// WeChat at `base_url`, with tokens from `store`: share one store between clients (and
    /// tasks, and threads) so that one refresh serves them all. Pick plain or stable tokens
    /// when building the store.
    #[must_use]
    pub fn wechat_with_store(mut self, base_url: BaseUrl, store: Arc<dyn TokenStore>) -> Self {
        self.wechat = Some(WechatSide {
            base_url,
            tokens: store,
        });
        self
    }

    /// The fw199 gateway at `base_url`, for `seller_nick`'s shop.
    #[must_use]
    pub fn fw199(
        mut self,
        base_url: BaseUrl,
        appid: impl Into<String>,
        secret: Secret,
        seller_nick: impl Into<String>,
    ) -> Self {
        let credentials = Fw199Credentials::new(appid, secret);
        self.fw199 = Some(Fw199Side {
            context: Fw199Context::new(base_url, credentials, jiff::Timestamp::UNIX_EPOCH),
            seller_nick: seller_nick.into(),
        });
        self
    }

    /// The most one request may take (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Attempts and backoff (default: 5 attempts within 60 s).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The seller nick configured for fw199, if any.
    pub fn seller_nick(&self) -> Option<&str> {
        self.fw199.as_ref().map(|f| f.seller_nick.as_str())
    }
}
