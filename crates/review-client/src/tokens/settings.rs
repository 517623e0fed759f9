//! How a client gets its WeChat tokens: which kind, shared through which backend.

use std::fmt;
use std::sync::Arc;

use jiff::SignedDuration;
use review_protocol::wechat::token_cache::{RefreshKind, TokenConfig};
use review_protocol::wechat::token_share::{ForceLimits, SharedConfig};

use super::backend::TokenBackend;
use super::memory_backend::MemoryBackend;

/// The kind of token and the store shared with other processes.
///
/// Stable tokens by default: `/cgi-bin/stable_token` hands every process the same token and
/// leaves the plain token of the merchant's own backend alone, where each `/cgi-bin/token`
/// fetch ends the previous plain token five minutes later (and spends one of 2,000 a day).
///
/// ```
/// use std::sync::Arc;
/// use review_client::{ClientConfig, MemoryBackend, WechatTokens};
/// use review_model::{AppId, Secret};
///
/// // One backend for every client of the process; a FileBackend or a Redis one shares the
/// // token with other processes too.
/// let backend = Arc::new(MemoryBackend::new());
/// let config = ClientConfig::new().wechat_tokens(
///     "http://127.0.0.1:8080".parse()?,
///     AppId::new("wx1"),
///     Secret::new("s"),
///     WechatTokens::stable().backend(backend),
/// );
/// # Ok::<(), review_protocol::InvalidBaseUrl>(())
/// ```
#[derive(Clone)]
pub struct WechatTokens {
    pub(crate) cache: TokenConfig,
    pub(crate) shared: SharedConfig,
    pub(crate) backend: Arc<dyn TokenBackend>,
}

impl fmt::Debug for WechatTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatTokens")
            .field("kind", &self.cache.kind)
            .field("backend", &self.backend.describe())
            .finish_non_exhaustive()
    }
}

impl WechatTokens {
    /// Tokens of `kind`, in a [`MemoryBackend`] of their own.
    pub fn new(kind: RefreshKind) -> Self {
        let cache = TokenConfig::new(kind);
        Self {
            shared: SharedConfig::default().with_margin(cache.margin),
            cache,
            backend: Arc::new(MemoryBackend::new()),
        }
    }

    /// Stable tokens (`/cgi-bin/stable_token`): the default.
    pub fn stable() -> Self {
        Self::new(RefreshKind::Stable)
    }

    /// Plain tokens (`/cgi-bin/token`): only for an app whose plain token nothing else uses.
    pub fn plain() -> Self {
        Self::new(RefreshKind::Plain)
    }

    /// Shares the tokens through `backend`.
    #[must_use]
    pub fn backend(mut self, backend: Arc<dyn TokenBackend>) -> Self {
        self.backend = backend;
        self
    }

    /// How long before expiry a token is replaced (default five minutes).
    #[must_use]
    pub fn margin(mut self, margin: SignedDuration) -> Self {
        self.cache = self.cache.with_margin(margin);
        self.shared = self.shared.with_margin(margin);
        self
    }

    /// How long the shared refresh lock lasts if its holder dies (default 10 s).
    #[must_use]
    pub fn lease(mut self, lease: SignedDuration) -> Self {
        self.shared = self.shared.with_lease(lease);
        self
    }

    /// WeChat's limits on forced refreshes (default 20 a day, 30 s apart).
    #[must_use]
    pub fn force_limits(mut self, limits: ForceLimits) -> Self {
        self.shared = self.shared.with_limits(limits);
        self
    }

    /// Plain or stable.
    pub fn kind(&self) -> RefreshKind {
        self.cache.kind
    }

    /// Where the tokens are shared, for messages.
    pub fn describe(&self) -> String {
        self.backend.describe()
    }
}
