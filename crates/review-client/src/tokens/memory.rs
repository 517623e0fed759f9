//! The process-local store: one token cache for every client, task and thread of a process.

use std::sync::Mutex;

use jiff::Timestamp;
use review_model::wechat::AccessTokenResponse;
use review_model::{AppId, Secret};
use review_protocol::Error;
use review_protocol::call::TokenStore;
use review_protocol::wechat::token_cache::{
    CallTokens, Completed, Next, RefreshTicket, TokenCache, TokenConfig, TokenErrorAction,
    TokenLease,
};

/// The default store: a [`TokenCache`] behind a mutex, for one process.
///
/// Share it (`Arc`) between clients and threads so that exactly one refresh happens at a time.
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
}

/// The protocol's `Mutex<TokenCache>` store, under the name this crate has always given it.
impl TokenStore for MemoryTokenStore {
    fn next(&self, now: Timestamp) -> Next {
        self.cache.next(now)
    }

    fn complete(
        &self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error> {
        self.cache.complete(ticket, now, result)
    }

    fn on_token_error(&self, lease: &TokenLease, call: &mut CallTokens) -> TokenErrorAction {
        self.cache.on_token_error(lease, call)
    }

    fn abandon(&self, ticket: RefreshTicket) {
        self.cache.abandon(ticket);
    }
}
