//! Where the machine gets its tokens: a [`TokenCache`] behind whatever lock its users share.

use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;
use review_model::wechat::AccessTokenResponse;

use crate::Error;
use crate::wechat::token_cache::{
    CallTokens, Completed, Next, RefreshTicket, TokenCache, TokenErrorAction, TokenLease,
};

/// Holds the access-token state machine of one app for every call that uses it.
///
/// The methods are [`TokenCache`]'s, taking `&self`: the store brings the lock, so that calls
/// on many tasks, threads or processes share one cache and exactly one refresh happens at a
/// time. `Mutex<TokenCache>` is the in-process store; one shared between processes (Redis, a
/// database row) implements the same four calls around its own lock.
pub trait TokenStore: Send + Sync {
    /// A token to use, a refresh to send, or how long to wait ([`TokenCache::next`]).
    fn next(&self, now: Timestamp) -> Next;

    /// The outcome of a refresh this store asked for ([`TokenCache::complete`]).
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
    /// caller refresh at once instead of waiting for the timeout ([`TokenCache::abandon`]).
    fn abandon(&self, ticket: RefreshTicket);
}

/// Runs `f` on the cache. Only the cache's own methods run under the lock, and they do not
/// panic; should one ever, going on with the cache beats failing every later call, so a
/// poisoned lock is used as is.
fn with<R>(cache: &Mutex<TokenCache>, f: impl FnOnce(&mut TokenCache) -> R) -> R {
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut cache)
}

impl TokenStore for Mutex<TokenCache> {
    fn next(&self, now: Timestamp) -> Next {
        with(self, |cache| cache.next(now))
    }

    fn complete(
        &self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error> {
        with(self, |cache| cache.complete(ticket, now, result))
    }

    fn on_token_error(&self, lease: &TokenLease, call: &mut CallTokens) -> TokenErrorAction {
        with(self, |cache| cache.on_token_error(lease, call))
    }

    fn abandon(&self, ticket: RefreshTicket) {
        with(self, |cache| cache.abandon(ticket));
    }
}
