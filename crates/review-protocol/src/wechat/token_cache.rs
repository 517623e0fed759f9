//! The access-token lifecycle as a state machine with no I/O, no clock and no randomness.
//!
//! One [`TokenCache`] per app answers every caller's "which token?" with a [`Next`]: use this
//! [`TokenLease`], send this [`RefreshTicket`]'s request first, or wait for someone else's
//! refresh. The time is always a parameter (`now`), so a tokio service, a blocking script and a
//! test drive it identically. A [`TokenStore`](crate::call::TokenStore) holds it behind a lock
//! (`Mutex<TokenCache>` is the in-process one) and the [call machine](crate::call) drives it;
//! neither decides anything of its own.
//!
//! The rules, all decided here:
//!
//! - A token is refreshed [`TokenConfig::margin`] before it expires, but the margin is never more
//!   than half the token's lifetime, so a short-lived answer (a stable token near its end reports
//!   its remaining seconds) does not make every poll refresh again.
//! - One refresh at a time. While it is out, callers get the current token if it is still valid,
//!   and are told to [`Wait`](Next::Wait) only when there is none.
//! - A refresh not completed within [`TokenConfig::refresh_timeout`] (its caller crashed, its
//!   future was dropped) is abandoned and a new one may go out. The abandoned ticket's late answer
//!   is installed only if no token was installed since it was issued, so it never replaces a
//!   newer token; otherwise it is ignored.
//! - A token's expiry is counted from the earlier of the `now` at which its refresh was issued
//!   and the `now` at which it completed: the platform started its clock somewhere in between,
//!   and a clock that stepped backwards must not stretch a lifetime.
//! - A token error invalidates only the token that failed (by generation). The call is sent
//!   again as long as its [`RetryPolicy`](crate::retry::RetryPolicy) allows: a call's first
//!   token error on a token it did not fetch itself (an old token that expired or was
//!   replaced, which is routine) is retried at once and not counted; any other (the token was
//!   fetched for this very call, or the call already had a token error) counts as a failed
//!   attempt, with the policy's backoff, so a platform refusing every token ends the call
//!   within its budget instead of in a loop of refreshes ([`TokenErrorAction`], [`CallTokens`]).
//! - No token with `expires_at <= now` is ever handed out, whatever the sequence of `now`s.
//!
//! The loop a driver runs for one call:
//!
//! ```
//! use jiff::Timestamp;
//! use review_model::{AppId, Secret};
//! use review_protocol::wechat::token_cache::{
//!     CallTokens, Completed, Next, RefreshKind, TokenCache, TokenConfig, TokenErrorAction,
//! };
//! use review_protocol::{BaseUrl, Endpoint};
//!
//! let config = TokenConfig::new(RefreshKind::Stable);
//! let mut cache = TokenCache::new(AppId::new("wx1234"), Secret::new("s3cr3t"), config);
//! let now: Timestamp = "2024-05-01T08:00:00Z".parse()?;
//! // What this call met, kept for as long as the call lasts.
//! let mut call = CallTokens::new();
//!
//! let lease = loop {
//!     match cache.next(now) {
//!         Next::Use(lease) => break lease,
//!         Next::Refresh(ticket) => {
//!             let request = ticket.endpoint().request(&BaseUrl::wechat())?;
//!             assert_eq!(request.uri().path(), "/cgi-bin/stable_token");
//!             // Send `request`; here, a canned answer stands in for WeChat's.
//!             let body = br#"{"access_token":"t0ken","expires_in":7200}"#;
//!             let result = ticket.endpoint().parse(http::Response::new(&body[..]));
//!             // An `Err` (the refresh failed) is handed back: fail this call with it.
//!             if cache.complete(ticket, now, result)? == Completed::Installed {
//!                 call.refreshed();
//!             }
//!         }
//!         // Wait until a completion wakes us, or until `retry_at` at the latest.
//!         Next::Wait { retry_at } => unreachable!("no other caller here (wait until {retry_at})"),
//!     }
//! };
//! assert_eq!(lease.token().expose_secret(), "t0ken");
//! assert_eq!(lease.expires_at(), "2024-05-01T10:00:00Z".parse()?);
//! // Send the call with `lease.token()`. Had it been refused for its token, the cache would
//! // say how to go on: this token was fetched for this very call, so its refusal counts as a
//! // failed attempt (ask the retry policy), it is not retried at once.
//! assert_eq!(cache.on_token_error(&lease, &mut call), TokenErrorAction::Backoff);
//! assert!(!format!("{cache:?}").contains("t0ken"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::{AccessTokenResponse, ErrCode};
use review_model::{AccessToken, AppId, Secret};

use crate::wechat::{GetStableToken, GetToken, WechatContext};
use crate::{BaseUrl, BuildError, Endpoint, Error, Metadata};

/// How long before expiry a token is refreshed unless configured otherwise: WeChat keeps the
/// old token valid for five minutes after a new one is issued, so five minutes is the overlap
/// a refresh can use without any call seeing a dead token.
pub const DEFAULT_MARGIN: SignedDuration = SignedDuration::from_mins(5);

/// How long a refresh may stay out before another caller may issue a new one, unless
/// configured otherwise. Longer than any sane HTTP timeout, short enough not to stall a service.
pub const DEFAULT_REFRESH_TIMEOUT: SignedDuration = SignedDuration::from_secs(30);

/// The shortest refresh timeout honoured: below it, the one-refresh-at-a-time rule would be
/// meaningless because every poll would find the refresh abandoned.
pub const MIN_REFRESH_TIMEOUT: SignedDuration = SignedDuration::from_secs(1);

/// Which endpoint refreshes the token, chosen once per app.
///
/// A plain token (`/cgi-bin/token`) is replaced by every fetch, so only one process may fetch
/// it; a stable token (`/cgi-bin/stable_token`) is shared by every process that asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefreshKind {
    /// `GET /cgi-bin/token`.
    Plain,
    /// `POST /cgi-bin/stable_token`.
    Stable,
}

/// How a [`TokenCache`] behaves. Build it with [`TokenConfig::new`] and adjust the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenConfig {
    /// Which endpoint refreshes the token.
    pub kind: RefreshKind,
    /// How long before expiry to refresh ([`DEFAULT_MARGIN`]). A negative margin counts as
    /// zero; a margin above half a token's lifetime counts as half of it.
    pub margin: SignedDuration,
    /// How long a refresh may stay out before it is abandoned ([`DEFAULT_REFRESH_TIMEOUT`]).
    /// Raised to [`MIN_REFRESH_TIMEOUT`] if lower.
    pub refresh_timeout: SignedDuration,
}

impl TokenConfig {
    /// The defaults for `kind`: a five-minute margin and a thirty-second refresh timeout.
    pub fn new(kind: RefreshKind) -> Self {
        Self {
            kind,
            margin: DEFAULT_MARGIN,
            refresh_timeout: DEFAULT_REFRESH_TIMEOUT,
        }
    }

    /// The same configuration with another margin.
    pub fn with_margin(mut self, margin: SignedDuration) -> Self {
        self.margin = margin;
        self
    }

    /// The same configuration with another refresh timeout.
    pub fn with_refresh_timeout(mut self, refresh_timeout: SignedDuration) -> Self {
        self.refresh_timeout = refresh_timeout;
        self
    }

    fn effective_margin(&self) -> SignedDuration {
        self.margin.max(SignedDuration::ZERO)
    }

    fn effective_refresh_timeout(&self) -> SignedDuration {
        self.refresh_timeout.max(MIN_REFRESH_TIMEOUT)
    }
}

/// A token handed out for one call, with what is needed to report a token error on it.
///
/// The generation names the token value: a refresh that returns the same token keeps it, a
/// different token gets a new one. Reporting an error on a lease of an older generation cannot
/// invalidate the token that replaced it. `Debug` shows the token as `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLease {
    token: AccessToken,
    generation: u64,
    expires_at: Timestamp,
}

impl TokenLease {
    /// The token to send.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Which token this is, counting from 1 for the first one installed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When the token expires, by the cache's conservative count; always after the `now` at
    /// which it was handed out.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// The context of a WeChat call made with this token.
    pub fn context(&self, base_url: BaseUrl) -> WechatContext {
        WechatContext::new(base_url, self.token.clone())
    }
}

/// The request that refreshes the token, built by the cache so a driver cannot pick the wrong
/// endpoint or the wrong `force_refresh`.
///
/// Build its request, send it, parse the answer with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// `GET /cgi-bin/token`.
    Plain(GetToken),
    /// `POST /cgi-bin/stable_token`.
    Stable(GetStableToken),
}

impl Refresh {
    /// Whether this refresh forces a new stable token (always `false` for a plain one).
    pub fn force_refresh(&self) -> bool {
        match self {
            Self::Plain(_) => false,
            Self::Stable(endpoint) => endpoint.force_refresh,
        }
    }
}

/// A refresh is either endpoint, chosen at run time, so it has no single [`Metadata`]: it
/// answers as the endpoint it holds.
impl Refresh {
    /// The metadata of the endpoint it holds.
    pub fn metadata(&self) -> Metadata {
        match self {
            Self::Plain(_) => GetToken::METADATA,
            Self::Stable(_) => GetStableToken::METADATA,
        }
    }

    /// The held endpoint's name.
    pub fn name(&self) -> &'static str {
        self.metadata().name
    }

    /// Builds the held endpoint's request.
    pub fn request(&self, base: &BaseUrl) -> Result<http::Request<Vec<u8>>, BuildError> {
        match self {
            Self::Plain(endpoint) => endpoint.request(base),
            Self::Stable(endpoint) => endpoint.request(base),
        }
    }

    /// Parses the answer as the held endpoint.
    pub fn parse(&self, response: http::Response<&[u8]>) -> Result<AccessTokenResponse, Error> {
        match self {
            Self::Plain(endpoint) => endpoint.parse(response),
            Self::Stable(endpoint) => endpoint.parse(response),
        }
    }

    /// Whether the held request may be repeated (a forced stable refresh may not).
    pub fn idempotent(&self) -> bool {
        match self {
            Self::Plain(endpoint) => endpoint.idempotent(),
            Self::Stable(endpoint) => endpoint.idempotent(),
        }
    }
}

/// The permission to send one refresh, to be handed back to [`TokenCache::complete`].
///
/// Not `Clone`: a refresh completes at most once. Dropping it without completing is allowed;
/// the cache abandons it after the refresh timeout (or at once, with [`TokenCache::abandon`]).
/// `Debug` shows the secret as `***`.
#[derive(Debug)]
#[must_use = "send the refresh and hand the ticket back to `TokenCache::complete`"]
pub struct RefreshTicket {
    id: u64,
    issued_at: Timestamp,
    installs: u64,
    endpoint: Refresh,
}

impl RefreshTicket {
    /// The request to send.
    pub fn endpoint(&self) -> &Refresh {
        &self.endpoint
    }

    /// The `now` at which the cache issued it: the refresh timeout and the token's lifetime
    /// count from here.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// A number unique within its cache, for logs.
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// What a caller does next.
#[derive(Debug)]
#[must_use]
pub enum Next {
    /// Send the call with this token.
    Use(TokenLease),
    /// There is no usable token, or it is due for a refresh, and nobody is refreshing: send
    /// this refresh, report it with [`TokenCache::complete`], then ask again.
    Refresh(RefreshTicket),
    /// Someone else's refresh is out and there is no usable token: wait until a completion
    /// wakes you, or until `retry_at` at the latest (when that refresh counts as abandoned),
    /// then ask again.
    Wait {
        /// When to ask again if nothing wakes the caller first; always after `now`.
        retry_at: Timestamp,
    },
}

/// What [`TokenCache::complete`] did with a token answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Completed {
    /// The token is installed: wake the waiters and ask [`TokenCache::next`] again.
    Installed,
    /// The ticket had been abandoned and a newer token, or a refusal of this very token,
    /// arrived since: the answer was dropped. Ask [`TokenCache::next`] again.
    Ignored,
}

/// How a call refused for its token goes on. Either way it may be sent again, even a write:
/// WeChat checks the token before it executes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum TokenErrorAction {
    /// Ask [`TokenCache::next`] for a token and send the call again at once, without counting
    /// the attempt against the retry budget: the refused token was an old one (expired early,
    /// replaced by another process), which happens in normal operation.
    Retry,
    /// Count the attempt as failed and let the call's
    /// [`RetryPolicy`](crate::retry::RetryPolicy) decide, as for a request that was not carried
    /// out ([`Failure::NotSent`](crate::retry::Failure::NotSent)): back off, then ask
    /// [`TokenCache::next`] and send again, or give up with the token error once the attempts
    /// or the time are spent. A token fetched for this very call, or a second token error in
    /// one call, says the next token may fail too: retrying at once could loop.
    Backoff,
}

/// What one call met with its tokens so far, for [`TokenCache::on_token_error`] to tell a
/// routine refusal (retried at once) from a repeated one (counted against the retry budget).
///
/// A driver keeps one per call, from its first attempt to its last, and calls
/// [`refreshed`](Self::refreshed) when a refresh it sent installs a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTokens {
    token_errors: u32,
    refreshed: bool,
}

impl CallTokens {
    /// A call that has met nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that a refresh this call sent installed a token: the tokens it uses from now on
    /// were fetched for it, so a refusal of one is not the routine expiry of an old token.
    pub fn refreshed(&mut self) {
        self.refreshed = true;
    }

    /// How many token errors the call met.
    pub fn token_errors(&self) -> u32 {
        self.token_errors
    }
}

/// The token installed, with when to refresh it.
#[derive(Debug)]
struct Current {
    token: AccessToken,
    generation: u64,
    expires_at: Timestamp,
    refresh_at: Timestamp,
}

impl Current {
    fn lease(&self) -> TokenLease {
        TokenLease {
            token: self.token.clone(),
            generation: self.generation,
            expires_at: self.expires_at,
        }
    }
}

/// The refresh that is out.
#[derive(Debug)]
struct InFlight {
    id: u64,
    issued_at: Timestamp,
    force: bool,
}

/// The access token of one app: hands it out, says when to refresh it, and forgets it when the
/// platform refuses it.
///
/// `Debug` shows neither the secret nor the token.
#[derive(Debug)]
pub struct TokenCache {
    appid: AppId,
    secret: Secret,
    config: TokenConfig,
    current: Option<Current>,
    in_flight: Option<InFlight>,
    /// The last generation given to a token.
    generation: u64,
    /// How many times a token was installed: a ticket remembers the count at its issue, so
    /// a late answer can tell whether something newer arrived meanwhile.
    installs: u64,
    next_ticket: u64,
    /// A token was refused and none installed since: a stable refresh must force a new one.
    force_next: bool,
    /// The last token refused, never to be installed again.
    dead: Option<AccessToken>,
}

impl TokenCache {
    /// An empty cache for one app: the first [`next`](Self::next) asks for a refresh.
    pub fn new(appid: AppId, secret: Secret, config: TokenConfig) -> Self {
        Self {
            appid,
            secret,
            config,
            current: None,
            in_flight: None,
            generation: 0,
            installs: 0,
            next_ticket: 0,
            force_next: false,
            dead: None,
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    /// What the caller asking at `now` does: use a token, refresh it, or wait.
    ///
    /// A token is handed out only while `now < expires_at`; one seen expired is dropped for
    /// good, even if a later `now` is earlier. While a refresh is out, the current token keeps
    /// being handed out until it expires.
    pub fn next(&mut self, now: Timestamp) -> Next {
        if self.current.as_ref().is_some_and(|c| c.expires_at <= now) {
            self.current = None;
        }
        let refreshing = self
            .in_flight
            .as_ref()
            .filter(|f| !self.timed_out(f.issued_at, now))
            .map(|f| f.issued_at);
        if let Some(current) = &self.current
            && (now < current.refresh_at || refreshing.is_some())
        {
            return Next::Use(current.lease());
        }
        if let Some(issued_at) = refreshing {
            return Next::Wait {
                retry_at: add(issued_at, self.config.effective_refresh_timeout()),
            };
        }
        Next::Refresh(self.issue(now))
    }

    /// Reports the answer to a refresh, received at `now`.
    ///
    /// - An error is handed back unchanged, for the caller to fail its call with; the cache
    ///   returns to its state before the refresh, so a later [`next`](Self::next) issues a new
    ///   one.
    /// - A token from the outstanding refresh is installed, expiring `expires_in` after the
    ///   earlier of the ticket's [`issued_at`](RefreshTicket::issued_at) and `now`.
    /// - A token from an abandoned ticket (timed out, or superseded by a forced refresh) is
    ///   installed only if no token was installed since the ticket was issued, so it never
    ///   replaces a newer one; otherwise it is [`Ignored`](Completed::Ignored).
    ///
    /// An outstanding refresh that answers with a token already expired at `now`
    /// (`expires_in: 0`, or a refresh slower than the lifetime) fails with a 42001 error, and
    /// one that answers with the token just refused fails with a 40001 error: installing either
    /// would only make the next call fail or refresh in a loop. Neither comes from WeChat; their
    /// messages say so.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "taking the ticket by value is what stops it completing twice"
    )]
    pub fn complete(
        &mut self,
        ticket: RefreshTicket,
        now: Timestamp,
        result: Result<AccessTokenResponse, Error>,
    ) -> Result<Completed, Error> {
        let RefreshTicket {
            id,
            issued_at,
            installs,
            endpoint: _,
        } = ticket;
        let outstanding = self.in_flight.as_ref().is_some_and(|f| f.id == id);
        if outstanding {
            self.in_flight = None;
        }
        let AccessTokenResponse {
            access_token,
            expires_in,
        } = result?;
        let base = issued_at.min(now);
        let expires_at = add(base, seconds(expires_in));
        let dead = self.dead.as_ref() == Some(&access_token);
        if !outstanding {
            if dead || expires_at <= now || installs != self.installs {
                return Ok(Completed::Ignored);
            }
            self.install(access_token, base, expires_at);
            return Ok(Completed::Installed);
        }
        if dead {
            return Err(Error::wechat(
                ErrCode::InvalidCredential,
                Some("the token endpoint answered with the token just refused".to_owned()),
            ));
        }
        if expires_at <= now {
            return Err(Error::wechat(
                ErrCode::AccessTokenExpired,
                Some(format!(
                    "the token endpoint answered with a token that expired before it arrived \
                     (expires_in {expires_in})"
                )),
            ));
        }
        self.install(access_token, base, expires_at);
        Ok(Completed::Installed)
    }

    /// Gives a ticket up without an answer (the request could not be built or sent, the call
    /// was cancelled), so the next caller may refresh at once instead of after the timeout.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "taking the ticket by value is what stops it completing twice"
    )]
    pub fn abandon(&mut self, ticket: RefreshTicket) {
        if self.in_flight.as_ref().is_some_and(|f| f.id == ticket.id) {
            self.in_flight = None;
        }
    }

    /// Reports that the platform refused `lease`'s token (40001, 40014, 42001:
    /// [`Error::is_token_error`]) in the call `call`, and says how the call goes on.
    ///
    /// Only the token that failed is invalidated: if `lease` is of an older generation, the
    /// token was already replaced and nothing changes. The call's first token error on a token
    /// it did not fetch itself is [`Retry`](TokenErrorAction::Retry): the token was old, and
    /// the next one may work. Any other is [`Backoff`](TokenErrorAction::Backoff): the call
    /// goes on only within its retry budget, so a platform that refuses every token ends it
    /// with the token error instead of looping.
    ///
    /// In [`Stable`](RefreshKind::Stable) mode the refresh that follows an invalidation forces
    /// a new token: without `force_refresh` the stable endpoint hands back the token it
    /// considers current, which is the one just refused. A refresh due to expiry does not force
    /// one, because forcing spends a small daily quota and replaces the token every other
    /// process of the app is using. For the same reason an unforced stable refresh still out is
    /// abandoned, so the forced one may go out at once.
    pub fn on_token_error(
        &mut self,
        lease: &TokenLease,
        call: &mut CallTokens,
    ) -> TokenErrorAction {
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.generation == lease.generation)
        {
            self.current = None;
            self.dead = Some(lease.token.clone());
            self.force_next = true;
            if self.config.kind == RefreshKind::Stable
                && self.in_flight.as_ref().is_some_and(|f| !f.force)
            {
                self.in_flight = None;
            }
        }
        let routine = call.token_errors == 0 && !call.refreshed;
        call.token_errors = call.token_errors.saturating_add(1);
        if routine {
            TokenErrorAction::Retry
        } else {
            TokenErrorAction::Backoff
        }
    }

    /// Installs a token obtained elsewhere (a store shared by several processes), valid until
    /// `expires_at`, and says whether it was taken.
    ///
    /// It is refused if it is already expired at `now`, if it is the token last refused, or if
    /// the current token is a different one expiring no earlier (it is the newer one). A refresh
    /// that is out stays out.
    pub fn set_token(&mut self, token: AccessToken, expires_at: Timestamp, now: Timestamp) -> bool {
        if expires_at <= now || self.dead.as_ref() == Some(&token) {
            return false;
        }
        if let Some(current) = &self.current
            && current.token != token
            && current.expires_at >= expires_at
        {
            return false;
        }
        self.install(token, now, expires_at);
        true
    }

    fn issue(&mut self, now: Timestamp) -> RefreshTicket {
        let id = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1);
        let endpoint = match self.config.kind {
            RefreshKind::Plain => {
                Refresh::Plain(GetToken::new(self.appid.clone(), self.secret.clone()))
            }
            RefreshKind::Stable => Refresh::Stable(GetStableToken::new(
                self.appid.clone(),
                self.secret.clone(),
                self.force_next,
            )),
        };
        self.in_flight = Some(InFlight {
            id,
            issued_at: now,
            force: endpoint.force_refresh(),
        });
        RefreshTicket {
            id,
            issued_at: now,
            installs: self.installs,
            endpoint,
        }
    }

    /// Installs `token`, valid from `base` until `expires_at`: refreshed a margin before, the
    /// margin at most half the lifetime.
    fn install(&mut self, token: AccessToken, base: Timestamp, expires_at: Timestamp) {
        let half_life = expires_at
            .duration_since(base)
            .checked_div(2)
            .unwrap_or(SignedDuration::ZERO)
            .max(SignedDuration::ZERO);
        let margin = self.config.effective_margin().min(half_life);
        let refresh_at = expires_at.checked_sub(margin).unwrap_or(Timestamp::MIN);
        let generation = match &self.current {
            Some(current) if current.token == token => current.generation,
            _ => {
                self.generation = self.generation.wrapping_add(1);
                self.generation
            }
        };
        self.current = Some(Current {
            token,
            generation,
            expires_at,
            refresh_at,
        });
        self.installs = self.installs.wrapping_add(1);
        self.force_next = false;
    }

    /// Whether a refresh issued at `issued_at` counts as abandoned at `now`. A `now` earlier
    /// than `issued_at` by the timeout counts too: the clock stepped back, and waiting for it to
    /// catch up could stall every caller for as long as the step.
    fn timed_out(&self, issued_at: Timestamp, now: Timestamp) -> bool {
        let timeout = self.config.effective_refresh_timeout();
        let elapsed = now.duration_since(issued_at);
        elapsed >= timeout || elapsed.checked_neg().is_none_or(|back| back >= timeout)
    }
}

/// `ts + d`, saturating at the ends of the timestamp range.
fn add(ts: Timestamp, d: SignedDuration) -> Timestamp {
    ts.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `expires_in` as a duration, saturating.
fn seconds(secs: u64) -> SignedDuration {
    SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    #[test]
    fn add_saturates() {
        assert_eq!(
            add(Timestamp::MAX, SignedDuration::from_secs(1)),
            Timestamp::MAX
        );
        assert_eq!(
            add(Timestamp::MIN, SignedDuration::from_secs(-1)),
            Timestamp::MIN
        );
        assert_eq!(add(ts(0), seconds(u64::MAX)), Timestamp::MAX);
    }

    #[test]
    fn timed_out_counts_both_directions() {
        let cache = TokenCache::new(
            AppId::new("wx1"),
            Secret::new("s"),
            TokenConfig::new(RefreshKind::Plain),
        );
        assert!(!cache.timed_out(ts(1000), ts(1029)));
        assert!(cache.timed_out(ts(1000), ts(1030)));
        assert!(!cache.timed_out(ts(1000), ts(971)));
        assert!(cache.timed_out(ts(1000), ts(970)));
    }

    #[test]
    fn tiny_timeout_is_raised() {
        let config =
            TokenConfig::new(RefreshKind::Plain).with_refresh_timeout(SignedDuration::ZERO);
        assert_eq!(config.effective_refresh_timeout(), MIN_REFRESH_TIMEOUT);
        let config = config.with_margin(SignedDuration::from_secs(-5));
        assert_eq!(config.effective_margin(), SignedDuration::ZERO);
    }
}
