//! Access tokens from the merchant's own token service: a command (`--wechat-token-command`)
//! or a token handed in whole (`REVIEWS_WECHAT_ACCESS_TOKEN`).
//!
//! A merchant whose backend already holds the app's token must not fetch another: a plain
//! fetch ends the backend's token, and even a stable one spends quota. So this store never asks
//! WeChat for a token. It is a [`TokenCache`] filled with [`TokenCache::set_token`]:
//!
//! - The command runs on first need (`sh -c`, [`shell::TIMEOUT`]), and again when its token is
//!   due for renewal. It prints the token alone, which counts as valid for 2 hours (WeChat's
//!   lifetime; a token older than that is refused and renewed as below), or
//!   `{"access_token":"...","expires_in":N}`.
//! - After WeChat refuses its token, it runs once more. Should it give the refused token again,
//!   or should WeChat refuse the new one too, the command fails.
//! - A token from the environment cannot be renewed: it counts as valid for 2 hours from the
//!   start, and when WeChat refuses it the command fails saying so.
//!
//! A [`TokenStore`] cannot fail a call by itself: when there is no token to give, [`next`]
//! hands out the cache's refresh ticket, whose request cannot be built (the cache has no app
//! secret), so the call fails without sending anything, and [`ExternalTokens::failure`] says
//! why for the error line.
//!
//! [`next`]: TokenStore::next

use std::sync::{Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};
use review_client::TokenStore;
use review_model::wechat::AccessTokenResponse;
use review_model::{AccessToken, AppId, Secret};
use review_protocol::Error;
use review_protocol::wechat::token_cache::{
    CallTokens, Completed, Next, RefreshKind, RefreshTicket, TokenCache, TokenConfig,
    TokenErrorAction, TokenLease,
};
use serde::Deserialize;

use crate::shell;

/// How long a token printed alone (or taken from the environment) counts as valid.
pub(crate) const BARE_LIFETIME: SignedDuration = SignedDuration::from_hours(2);

/// The environment variable holding a token.
pub(crate) const TOKEN_ENV: &str = "REVIEWS_WECHAT_ACCESS_TOKEN";

/// Where the tokens come from.
enum Source {
    /// `sh -c` this.
    Command(String),
    /// This token, from [`TOKEN_ENV`].
    Env(AccessToken),
}

/// A [`TokenStore`] of tokens from outside. See the module's documentation.
pub(crate) struct ExternalTokens {
    source: Source,
    state: Mutex<State>,
}

struct State {
    cache: TokenCache,
    /// The token the source gave last.
    last: Option<AccessToken>,
    /// The token WeChat refused, until the source gives another.
    refused: Option<AccessToken>,
    /// Whether the one run after a refusal was spent on the source's current token.
    rerun_spent: bool,
    /// Why there is no token: every call fails with it.
    failure: Option<String>,
}

impl ExternalTokens {
    /// Tokens from `command`, run with `sh -c`.
    pub(crate) fn command(command: impl Into<String>) -> Self {
        // A margin before expiry, as for tokens fetched from WeChat: the command runs again
        // before its token dies.
        Self::new(
            Source::Command(command.into()),
            TokenConfig::new(RefreshKind::Plain),
        )
    }

    /// The one token `token`, from the environment.
    pub(crate) fn env(token: AccessToken) -> Self {
        // No margin: it cannot be renewed, so it is used to its last second.
        let config = TokenConfig::new(RefreshKind::Plain).with_margin(SignedDuration::ZERO);
        Self::new(Source::Env(token), config)
    }

    fn new(source: Source, config: TokenConfig) -> Self {
        // No secret: the cache's refresh request cannot be built, so it is never sent.
        let cache = TokenCache::new(AppId::new("external"), Secret::new(""), config);
        Self {
            source,
            state: Mutex::new(State {
                cache,
                last: None,
                refused: None,
                rerun_spent: false,
                failure: None,
            }),
        }
    }

    /// Why calls fail for want of a token, if they do: one line, no token in it.
    pub(crate) fn failure(&self) -> Option<String> {
        self.lock().failure.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing under this lock panics; a poisoned one is used as is.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A token from the source and when it expires.
    fn fetch(&self, state: &State, now: Timestamp) -> Result<(AccessToken, Timestamp), String> {
        match &self.source {
            Source::Env(token) => {
                if state.last.is_some() {
                    return Err(format!(
                        "the token in {TOKEN_ENV} is more than 2 hours old (WeChat's tokens last 2 hours) and cannot be renewed: pass a fresh one, or use --wechat-token-command"
                    ));
                }
                Ok((token.clone(), add(now, BARE_LIFETIME)))
            }
            Source::Command(command) => {
                let text = shell::output(command, shell::TIMEOUT).map_err(|failure| {
                    failure.describe("the WeChat token command (--wechat-token-command)")
                })?;
                let (token, lifetime) = parse(&text)?;
                Ok((token, add(now, lifetime)))
            }
        }
    }

    /// Installs a token from the source, or says why it cannot be used.
    fn refill(&self, state: &mut State, now: Timestamp) -> Result<(), String> {
        let (token, expires_at) = self.fetch(state, now)?;
        if state.refused.as_ref() == Some(&token) {
            return Err(
                "the WeChat token command gave again the token WeChat just refused: check the merchant's token service"
                    .to_owned(),
            );
        }
        if !state.cache.set_token(token.clone(), expires_at, now) {
            return Err(if expires_at <= now {
                "the WeChat token command gave a token that has already expired (expires_in 0): check the merchant's token service".to_owned()
            } else {
                "the WeChat token command gave a token expiring before the one it gave last: check the merchant's token service".to_owned()
            });
        }
        let rerun = state.refused.take().is_some();
        if !rerun {
            // A renewal in due course: the next refusal may be answered by a run again.
            state.rerun_spent = false;
        }
        state.last = Some(token);
        Ok(())
    }
}

impl TokenStore for ExternalTokens {
    fn next(&self, now: Timestamp) -> Next {
        let mut state = self.lock();
        match state.cache.next(now) {
            Next::Refresh(ticket) => {
                if state.failure.is_some() {
                    // Its request cannot be built: the call fails unsent.
                    return Next::Refresh(ticket);
                }
                match self.refill(&mut state, now) {
                    Ok(()) => {
                        state.cache.abandon(ticket);
                        state.cache.next(now)
                    }
                    Err(failure) => {
                        state.failure = Some(failure);
                        Next::Refresh(ticket)
                    }
                }
            }
            next => next,
        }
    }

    fn complete(
        &self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error> {
        self.lock().cache.complete(ticket, now, result)
    }

    fn on_token_error(&self, lease: &TokenLease, call: &mut CallTokens) -> TokenErrorAction {
        let mut state = self.lock();
        let _ = state.cache.on_token_error(lease, call);
        if state.last.as_ref() == Some(lease.token()) && state.failure.is_none() {
            state.failure = match &self.source {
                Source::Env(_) => Some(format!(
                    "WeChat refused the token in {TOKEN_ENV} (expired or revoked), which cannot be renewed: pass a fresh one, or use --wechat-token-command"
                )),
                Source::Command(_) if state.rerun_spent => Some(
                    "WeChat refused the token of the WeChat token command, and the one it gave when run again: check the merchant's token service"
                        .to_owned(),
                ),
                Source::Command(_) => {
                    state.rerun_spent = true;
                    state.refused = Some(lease.token().clone());
                    None
                }
            };
        }
        // At once, and not counted: either the command runs again (once) or the call fails
        // with the failure above, so this cannot loop.
        TokenErrorAction::Retry
    }

    fn abandon(&self, ticket: RefreshTicket) {
        self.lock().cache.abandon(ticket);
    }
}

/// What the command may print as JSON; other keys are ignored.
#[derive(Deserialize)]
struct Printed {
    access_token: String,
    expires_in: u64,
}

/// The command's output: a token alone, or the JSON object. Never quoted in a message.
fn parse(text: &str) -> Result<(AccessToken, SignedDuration), String> {
    let (token, lifetime) = if text.starts_with('{') {
        let printed: Printed = serde_json::from_str(text).map_err(|_| {
            r#"the WeChat token command printed JSON that is not {"access_token":"...","expires_in":N}: fix its output"#
                .to_owned()
        })?;
        let lifetime =
            SignedDuration::from_secs(i64::try_from(printed.expires_in).unwrap_or(i64::MAX));
        (printed.access_token, lifetime)
    } else {
        (text.to_owned(), BARE_LIFETIME)
    };
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            r#"the WeChat token command printed something that is not a token: it must print the token alone or {"access_token":"...","expires_in":N}"#
                .to_owned(),
        );
    }
    Ok((AccessToken::new(token), lifetime))
}

/// `ts + d`, saturating.
fn add(ts: Timestamp, d: SignedDuration) -> Timestamp {
    ts.checked_add(d).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use review_protocol::BaseUrl;

    use super::*;

    fn now() -> Timestamp {
        "2026-05-01T08:00:00Z".parse().unwrap()
    }

    fn lease(store: &ExternalTokens, at: Timestamp) -> TokenLease {
        match store.next(at) {
            Next::Use(lease) => lease,
            other => panic!("no token: {other:?} ({:?})", store.failure()),
        }
    }

    /// With no token to give, the store hands out a ticket whose request cannot be built.
    fn refuses(store: &ExternalTokens, at: Timestamp) -> String {
        match store.next(at) {
            Next::Refresh(ticket) => {
                assert!(ticket.endpoint().request(&BaseUrl::wechat()).is_err());
                store.abandon(ticket);
            }
            other => panic!("a token was given: {other:?}"),
        }
        store.failure().unwrap()
    }

    #[test]
    fn parses_a_bare_token_and_json() {
        let (token, lifetime) = parse("tok3n").unwrap();
        assert_eq!(token.expose_secret(), "tok3n");
        assert_eq!(lifetime, BARE_LIFETIME);
        let (token, lifetime) = parse(r#"{"access_token":"t2","expires_in":600,"x":1}"#).unwrap();
        assert_eq!(token.expose_secret(), "t2");
        assert_eq!(lifetime, SignedDuration::from_secs(600));
        for bad in [
            "two words",
            r#"{"access_token":"s3cr3t"}"#,
            r#"{"access_token":"","expires_in":5}"#,
        ] {
            let message = parse(bad).unwrap_err();
            assert!(
                !message.contains("s3cr3t") && !message.contains("words"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_command_runs_once_more_after_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("n");
        // Prints t1, t2, t3...: a new token on every run.
        let command = format!(
            "n=$(cat {0} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {0}; echo t$n",
            counter.display()
        );
        let store = ExternalTokens::command(command);
        let first = lease(&store, now());
        assert_eq!(first.token().expose_secret(), "t1");
        // Used again without running the command.
        assert_eq!(lease(&store, now()).token().expose_secret(), "t1");
        let mut call = CallTokens::new();
        assert_eq!(
            store.on_token_error(&first, &mut call),
            TokenErrorAction::Retry
        );
        let second = lease(&store, now());
        assert_eq!(second.token().expose_secret(), "t2");
        let _ = store.on_token_error(&second, &mut call);
        let message = refuses(&store, now());
        assert!(message.contains("run again"), "{message}");
    }

    #[test]
    fn a_command_renews_when_due_and_fails_on_the_refused_token() {
        let store = ExternalTokens::command("echo same");
        let first = lease(&store, now());
        // Due 5 minutes before the 2 hours are up: the command runs again, same token.
        let later = add(now(), SignedDuration::from_mins(116));
        assert_eq!(lease(&store, later).token().expose_secret(), "same");
        let _ = store.on_token_error(&first, &mut CallTokens::new());
        let message = refuses(&store, later);
        assert!(message.contains("just refused"), "{message}");
    }

    #[test]
    fn a_failing_command_fails_every_call() {
        let store = ExternalTokens::command("echo s3cr3t; exit 4");
        let message = refuses(&store, now());
        assert!(
            message.contains("status 4") && !message.contains("s3cr3t"),
            "{message}"
        );
    }

    #[test]
    fn an_env_token_is_not_renewed() {
        let store = ExternalTokens::env(AccessToken::new("envtok"));
        let first = lease(&store, now());
        assert_eq!(first.token().expose_secret(), "envtok");
        let _ = store.on_token_error(&first, &mut CallTokens::new());
        let message = refuses(&store, now());
        assert!(
            message.contains(TOKEN_ENV) && !message.contains("envtok"),
            "{message}"
        );

        let store = ExternalTokens::env(AccessToken::new("envtok"));
        let _ = lease(&store, now());
        let message = refuses(&store, add(now(), BARE_LIFETIME));
        assert!(message.contains("2 hours"), "{message}");
    }
}
