//! Where access tokens live: shared by every client, task and thread of a process.

use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;
use review_model::wechat::AccessTokenResponse;
use review_model::{AppId, Secret};
use review_protocol::Error;
use review_protocol::token::{
    CallTokens, Completed, Next, RefreshTicket, TokenCache, TokenConfig, TokenErrorAction,
    TokenLease,
};

/// Holds the access-token state machine of one app.
///
/// The in-memory [`MemoryTokenStore`] serves one process: share it (`Arc`) between clients and
/// threads so that exactly one refresh happens at a time. A store shared between processes
/// (Redis, a database row) implements the same three calls around its own lock.
pub trait TokenStore: Send + Sync {
    /// A token to use, a refresh to send, or how long to wait.
    fn next(&self, now: Timestamp) -> Next;

    /// The outcome of a refresh this store asked for.
    fn complete(
        &self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error>;

    /// A call with `lease` was refused for its token: invalidate that token (and no other),
    /// and say whether the call is sent again at once or within its retry budget, as
    /// [`TokenCache::on_token_error`] decides from what `call` met.
    fn on_token_error(&self, lease: &TokenLease, call: &mut CallTokens) -> TokenErrorAction;

    /// A refresh this store asked for was never answered (the transport failed): let another
    /// caller refresh at once instead of waiting for the timeout.
    fn abandon(&self, ticket: RefreshTicket);
}

/// The default store: a [`TokenCache`] behind a mutex.
#[derive(Debug)]
pub struct MemoryTokenStore {
    cache: Mutex<TokenCache>,
}

impl MemoryTokenStore {
    /// A store for `appid` refreshing as `config` says.
    pub fn new(appid: AppId, secret: Secret, config: TokenConfig) -> Self {
        Self {
            cache: Mutex::new(TokenCache::new(appid, secret, config)),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut TokenCache) -> R) -> R {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut cache)
    }
}

impl TokenStore for MemoryTokenStore {
    fn next(&self, now: Timestamp) -> Next {
        self.with(|cache| cache.next(now))
    }

    fn complete(
        &self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error> {
        self.with(|cache| cache.complete(ticket, now, result))
    }

    fn on_token_error(&self, lease: &TokenLease, call: &mut CallTokens) -> TokenErrorAction {
        self.with(|cache| cache.on_token_error(lease, call))
    }

    fn abandon(&self, ticket: RefreshTicket) {
        self.with(|cache| cache.abandon(ticket));
    }
}
