//! What a client is built with.

use std::sync::Arc;
use std::time::Duration;

use event_listener::Event;
use review_model::{AppId, Secret};
use review_protocol::BaseUrl;
use review_protocol::retry::RetryPolicy;
use review_protocol::taobao::{Fw199Context, Fw199Credentials};
use review_protocol::wechat::token_share::{
    SharedConfig, StoreAnswer, StoreFailure, StoreKey, StoreOp,
};

use crate::tokens::{BoxStoreFuture, MemoryTokenStore, TokenBackend, TokenStore, WechatTokens};

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
    pub(crate) shared: Option<SharedSide>,
    /// Told when a call of this client (or a clone) ends a refresh of `tokens`: the calls
    /// waiting for it look again at once instead of at their next poll.
    pub(crate) refreshed: Arc<Event>,
}

/// The store shared with other processes, and this app's entry in it.
#[derive(Clone)]
pub(crate) struct SharedSide {
    pub(crate) backend: Arc<dyn TokenBackend>,
    pub(crate) key: StoreKey,
    pub(crate) config: SharedConfig,
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

    /// WeChat at `base_url`, with stable tokens kept by this client (and its clones).
    #[must_use]
    pub fn wechat(self, base_url: BaseUrl, appid: AppId, secret: Secret) -> Self {
        self.wechat_tokens(base_url, appid, secret, WechatTokens::stable())
    }

    /// WeChat at `base_url`, with tokens of the kind and shared through the backend `tokens`
    /// says: with a [`FileBackend`](crate::FileBackend) or a Redis one, every process sharing
    /// it makes one refresh at a time and uses the same token.
    #[must_use]
    pub fn wechat_tokens(
        self,
        base_url: BaseUrl,
        appid: AppId,
        secret: Secret,
        tokens: WechatTokens,
    ) -> Self {
        let key = StoreKey::new(base_url.host(), appid.clone(), tokens.kind());
        let store = MemoryTokenStore::new(appid, secret, tokens.cache);
        let shared = SharedSide {
            backend: tokens.backend,
            key,
            config: tokens.shared,
        };
        let mut config = self.wechat_with_store(base_url, Arc::new(store));
        if let Some(side) = &mut config.wechat {
            side.shared = Some(shared);
        }
        config
    }

    /// WeChat at `base_url`, with tokens from `store` alone, shared with no other process:
    /// share one store between clients (and tasks, and threads) so that one refresh serves
    /// them all, or hand in a store of your own (a token service of the merchant's).
    #[must_use]
    pub fn wechat_with_store(mut self, base_url: BaseUrl, store: Arc<dyn TokenStore>) -> Self {
        self.wechat = Some(WechatSide {
            base_url,
            tokens: store,
            shared: None,
            refreshed: Arc::new(Event::new()),
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

    /// What tells the calls waiting for a token refresh that it ended.
    pub(crate) fn token_refreshed(&self) -> Option<&Event> {
        self.wechat.as_ref().map(|side| side.refreshed.as_ref())
    }

    /// Carries out a shared-store operation, blocking.
    pub(crate) fn store_blocking(&self, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        match self.shared() {
            Some(side) => side.backend.run_blocking(&side.key, op),
            None => Err(no_shared_store()),
        }
    }

    /// Carries out a shared-store operation without blocking.
    pub(crate) fn store_async(&self, op: StoreOp) -> BoxStoreFuture<'_> {
        match self.shared() {
            Some(side) => side.backend.run_async(&side.key, op),
            None => Box::pin(async { Err(no_shared_store()) }),
        }
    }

    pub(crate) fn shared(&self) -> Option<&SharedSide> {
        self.wechat.as_ref().and_then(|w| w.shared.as_ref())
    }

    /// The seller nick configured for fw199, if any.
    pub fn seller_nick(&self) -> Option<&str> {
        self.fw199.as_ref().map(|f| f.seller_nick.as_str())
    }
}

fn no_shared_store() -> StoreFailure {
    StoreFailure::new("this client has no shared token store")
}
