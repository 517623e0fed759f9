//! Configuring and starting a sandbox: the one place that derives the credentials, generates
//! both platforms and composes them.

use std::fmt::Debug;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use review_server::Limits;

use crate::admin::Admin;
use crate::clock::Clock;
use crate::config::Config;
use crate::credentials::Credentials;
use crate::error::SandboxError;
use crate::faults::{FaultKind, FaultLayer, Faults};
use crate::handle::Sandbox;
use crate::push::{PushTarget, Pusher, Pushes};
use crate::stats::Stats;
use crate::writes::Writes;
use crate::{router, taobao, wechat};

impl Sandbox {
    /// A builder with the defaults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Builds a [`Sandbox`]: `Sandbox::builder().seed(7).comments(500).start("127.0.0.1:0")`.
#[derive(Debug, Clone, Default)]
pub struct SandboxBuilder {
    config: Config,
}

impl SandboxBuilder {
    /// The seed of every generated id, text and fault decision (default [`DEFAULT_SEED`]).
    ///
    /// [`DEFAULT_SEED`]: crate::DEFAULT_SEED
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// How many WeChat comments to generate over the last 180 days (default 240; at most
    /// [`MAX_COMMENTS`]).
    ///
    /// [`MAX_COMMENTS`]: crate::MAX_COMMENTS
    #[must_use]
    pub fn comments(mut self, count: usize) -> Self {
        self.config.comments = count;
        self
    }

    /// How many Taobao rates to generate (default 2400; at most [`MAX_RATES`]). Above 1600, one
    /// hour holds a burst of more than 1500, so that window splitting is exercised.
    ///
    /// [`MAX_RATES`]: crate::MAX_RATES
    #[must_use]
    pub fn rates(mut self, count: usize) -> Self {
        self.config.rates = count;
        self
    }

    /// The share of requests that meet a fault, 0.0 to [`MAX_FAULT_RATE`] (default 0).
    ///
    /// [`MAX_FAULT_RATE`]: crate::MAX_FAULT_RATE
    #[must_use]
    pub fn faults(mut self, rate: f64) -> Self {
        self.config.fault_rate = rate;
        self
    }

    /// Which faults may be injected (default: all).
    #[must_use]
    pub fn fault_kinds(mut self, kinds: &[FaultKind]) -> Self {
        self.config.fault_kinds = kinds.to_vec();
        self
    }

    /// How long a "slow response" fault stalls (default 3 s; at most [`MAX_SLOW_RESPONSE`]):
    /// set it above the client's timeout.
    ///
    /// [`MAX_SLOW_RESPONSE`]: crate::MAX_SLOW_RESPONSE
    #[must_use]
    pub fn slow_response(mut self, delay: Duration) -> Self {
        self.config.slow_response = delay;
        self
    }

    /// How long access tokens live (default 7200 s; [`MIN_TOKEN_LIFETIME`] to
    /// [`MAX_TOKEN_LIFETIME`]), so tests can watch them expire.
    ///
    /// [`MIN_TOKEN_LIFETIME`]: crate::MIN_TOKEN_LIFETIME
    /// [`MAX_TOKEN_LIFETIME`]: crate::MAX_TOKEN_LIFETIME
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: SignedDuration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// How many `/cgi-bin/token` calls a day are granted (default 2000, as WeChat; 0 to
    /// [`MAX_TOKEN_DAILY_QUOTA`]); the next ones answer 45009 until 00:00 China Standard Time
    /// by the sandbox's clock, so a client that fetches a plain token per process meets it.
    ///
    /// [`MAX_TOKEN_DAILY_QUOTA`]: crate::MAX_TOKEN_DAILY_QUOTA
    #[must_use]
    pub fn plain_token_daily_quota(mut self, calls: u32) -> Self {
        self.config.plain_token_daily_quota = calls;
        self
    }

    /// How many stable-token calls with `force_refresh: true` a day are granted (default 20,
    /// as WeChat; 0 to [`MAX_TOKEN_DAILY_QUOTA`]); the next ones answer 45009 until 00:00
    /// China Standard Time. Unforced calls are not limited.
    ///
    /// [`MAX_TOKEN_DAILY_QUOTA`]: crate::MAX_TOKEN_DAILY_QUOTA
    #[must_use]
    pub fn force_refresh_daily_quota(mut self, calls: u32) -> Self {
        self.config.force_refresh_daily_quota = calls;
        self
    }

    /// The least time between two granted forced refreshes (default 30 s, as WeChat; zero to
    /// [`MAX_FORCE_REFRESH_INTERVAL`]); one sooner answers 45011 and spends nothing.
    ///
    /// [`MAX_FORCE_REFRESH_INTERVAL`]: crate::MAX_FORCE_REFRESH_INTERVAL
    #[must_use]
    pub fn force_refresh_interval(mut self, interval: SignedDuration) -> Self {
        self.config.force_refresh_interval = interval;
        self
    }

    /// Where and how to push bad reviews.
    #[must_use]
    pub fn push(mut self, target: PushTarget) -> Self {
        self.config.push = Some(target);
        self
    }

    /// Creates and pushes a new bad review at this interval ([`MIN_PUSH_INTERVAL`] to
    /// [`MAX_PUSH_INTERVAL`]; default: only on demand through `POST /sandbox/bad-review`).
    ///
    /// [`MIN_PUSH_INTERVAL`]: crate::MIN_PUSH_INTERVAL
    /// [`MAX_PUSH_INTERVAL`]: crate::MAX_PUSH_INTERVAL
    #[must_use]
    pub fn push_every(mut self, interval: Duration) -> Self {
        self.config.push_interval = Some(interval);
        self
    }

    /// How long a push waits for an answer before retrying (default 5 s, as WeChat;
    /// [`MIN_PUSH_RETRY_AFTER`] to [`MAX_PUSH_RETRY_AFTER`]).
    ///
    /// [`MIN_PUSH_RETRY_AFTER`]: crate::MIN_PUSH_RETRY_AFTER
    /// [`MAX_PUSH_RETRY_AFTER`]: crate::MAX_PUSH_RETRY_AFTER
    #[must_use]
    pub fn push_retry_after(mut self, wait: Duration) -> Self {
        self.config.push_retry_after = wait;
        self
    }

    /// The bounds the server puts on clients: head, body and idle timeouts, connections at
    /// once, and the shutdown grace (default [`Limits::default`]). The grace also bounds how
    /// long [`Sandbox::shutdown`] and dropping the sandbox wait for requests in progress.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Generates the data, binds `addr` and serves on a thread of its own until the returned
    /// handle is dropped. Works from synchronous code and from inside an async runtime alike.
    ///
    /// Every setting is checked against its range first ([`SandboxError::OutOfRange`],
    /// [`SandboxError::Limits`]).
    pub fn start(self, addr: impl ToSocketAddrs + Debug) -> Result<Sandbox, SandboxError> {
        let config = self.config;
        config.check()?;
        let listener = TcpListener::bind(&addr).map_err(|source| SandboxError::Bind {
            addr: format!("{addr:?}"),
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(SandboxError::Start)?;
        let local: SocketAddr = listener.local_addr().map_err(SandboxError::Start)?;

        let Config {
            seed,
            comments,
            rates,
            fault_rate,
            fault_kinds,
            slow_response,
            token_lifetime,
            token_overlap,
            plain_token_daily_quota,
            force_refresh_daily_quota,
            force_refresh_interval,
            push,
            push_interval,
            push_retry_after,
            limits,
        } = config;
        let credentials = Credentials::derive(seed);
        if let Some(target) = &push {
            target
                .config(credentials.wechat.appid.as_str())
                .map_err(SandboxError::Setting)?;
        }
        let clock = Arc::new(Clock::default());
        let writes = Arc::new(Writes::default());
        let now = clock.now();
        let rules = wechat::Rules {
            lifetime: token_lifetime,
            overlap: token_overlap,
            quotas: wechat::Quotas {
                plain_daily: plain_token_daily_quota,
                forced_daily: force_refresh_daily_quota,
                forced_interval: force_refresh_interval,
            },
        };
        let wechat = Arc::new(wechat::Platform::new(
            seed,
            comments,
            now,
            credentials.wechat.clone(),
            rules,
            Arc::clone(&clock),
            Arc::clone(&writes),
        ));
        let taobao = Arc::new(taobao::Platform::new(
            seed,
            rates,
            now,
            credentials.taobao.clone(),
            Arc::clone(&clock),
        ));
        let faults = Arc::new(FaultLayer {
            plan: Faults::new(seed, fault_rate, fault_kinds),
            wechat: Arc::clone(&wechat),
            writes: Arc::clone(&writes),
            slow_response,
        });
        let pusher = Arc::new(Pusher {
            target: push,
            every: push_interval,
            retry_after: push_retry_after,
            seed,
            clock: Arc::clone(&clock),
            wechat: Arc::clone(&wechat),
            log: Pushes::default(),
        });
        let admin = Arc::new(Admin {
            pusher,
            writes,
            clock,
            stats: Arc::new(Stats::default()),
        });
        let app = router::router(wechat, taobao, faults, Arc::clone(&admin));
        Sandbox::serve(app, limits, credentials, admin, listener, local)
    }
}
