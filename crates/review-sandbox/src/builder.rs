//! Configuring and starting a sandbox.

use std::fmt::Debug;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use jiff::SignedDuration;
use review_server::{Limits, ServeError};

use crate::clock::Clock;
use crate::faults::{FaultKind, Faults};
use crate::handle::Sandbox;
use crate::push::{PushTarget, Pushes};
use crate::shared::Shared;
use crate::{credentials, fw199, wechat};

/// The seed used when none is given, so that a bare `reviews sandbox` is the same every run.
pub const DEFAULT_SEED: u64 = 20_261_123;

/// The most comments [`SandboxBuilder::comments`] takes. Generating one costs about 2 KB at
/// peak: 500,000 take about 1 GB and 3.5 s (release build), so that both maxima together fit in
/// 2 GB.
pub const MAX_COMMENTS: usize = 500_000;
/// The most rates [`SandboxBuilder::rates`] takes: about 1 KB each at peak, so 1,000,000 take
/// about 1 GB and 2.5 s (release build).
pub const MAX_RATES: usize = 1_000_000;
/// The highest fault rate [`SandboxBuilder::faults`] takes (every request fails); the lowest
/// is 0.
pub const MAX_FAULT_RATE: f64 = 1.0;
/// The longest stall of [`SandboxBuilder::slow_response`]; the shortest is zero.
pub const MAX_SLOW_RESPONSE: Duration = Duration::from_secs(60 * 60);
/// The shortest token life of [`SandboxBuilder::token_lifetime`].
pub const MIN_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_secs(1);
/// The longest token life of [`SandboxBuilder::token_lifetime`] (30 days; WeChat's is 2 h).
pub const MAX_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// The shortest interval of [`SandboxBuilder::push_every`]: at most 100 new bad reviews a
/// second, each kept in memory.
pub const MIN_PUSH_INTERVAL: Duration = Duration::from_millis(10);
/// The longest interval of [`SandboxBuilder::push_every`].
pub const MAX_PUSH_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// The shortest wait of [`SandboxBuilder::push_retry_after`].
pub const MIN_PUSH_RETRY_AFTER: Duration = Duration::from_millis(1);
/// The longest wait of [`SandboxBuilder::push_retry_after`].
pub const MAX_PUSH_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// What a sandbox is started with.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) comments: usize,
    pub(crate) rates: usize,
    pub(crate) fault_rate: f64,
    pub(crate) fault_kinds: Vec<FaultKind>,
    pub(crate) slow_response: Duration,
    pub(crate) token_lifetime: SignedDuration,
    pub(crate) token_overlap: SignedDuration,
    pub(crate) push: Option<PushTarget>,
    pub(crate) push_interval: Option<Duration>,
    pub(crate) push_retry_after: Duration,
    pub(crate) limits: Limits,
}

/// A sandbox that could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server thread or its runtime could not start.
    #[error("cannot start the sandbox: {0}")]
    Start(std::io::Error),
    /// A setting is out of range.
    #[error("invalid sandbox setting: {0}")]
    Setting(String),
    /// A size or duration is outside its documented range (see the `MAX_*` and `MIN_*`
    /// constants), refused before anything is generated.
    #[error("the sandbox option `{option}` must be within {range}, not {value}")]
    OutOfRange {
        /// The builder method, e.g. `comments`.
        option: &'static str,
        /// The accepted range, written out.
        range: String,
        /// The refused value, written out.
        value: String,
    },
    /// The server [`Limits`] are invalid.
    #[error("invalid sandbox server limits: {0}")]
    Limits(#[from] ServeError),
}

/// Builds a [`Sandbox`]: `Sandbox::builder().seed(7).comments(500).start("127.0.0.1:0")`.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    config: Config,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                seed: DEFAULT_SEED,
                comments: 240,
                rates: 2400,
                fault_rate: 0.0,
                fault_kinds: FaultKind::ALL.to_vec(),
                slow_response: Duration::from_secs(3),
                token_lifetime: SignedDuration::from_hours(2),
                token_overlap: SignedDuration::from_mins(5),
                push: None,
                push_interval: None,
                push_retry_after: Duration::from_secs(5),
                limits: Limits::default(),
            },
        }
    }
}

impl SandboxBuilder {
    /// The seed of every generated id, text and fault decision (default [`DEFAULT_SEED`]).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// How many WeChat comments to generate over the last 180 days (default 240; at most
    /// [`MAX_COMMENTS`]).
    #[must_use]
    pub fn comments(mut self, count: usize) -> Self {
        self.config.comments = count;
        self
    }

    /// How many Taobao rates to generate (default 2400; at most [`MAX_RATES`]). Above 1600, one
    /// hour holds a burst of more than 1500, so that window splitting is exercised.
    #[must_use]
    pub fn rates(mut self, count: usize) -> Self {
        self.config.rates = count;
        self
    }

    /// The share of requests that meet a fault, 0.0 to [`MAX_FAULT_RATE`] (default 0).
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
    #[must_use]
    pub fn slow_response(mut self, delay: Duration) -> Self {
        self.config.slow_response = delay;
        self
    }

    /// How long access tokens live (default 7200 s; [`MIN_TOKEN_LIFETIME`] to
    /// [`MAX_TOKEN_LIFETIME`]), so tests can watch them expire.
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: SignedDuration) -> Self {
        self.config.token_lifetime = lifetime;
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
    #[must_use]
    pub fn push_every(mut self, interval: Duration) -> Self {
        self.config.push_interval = Some(interval);
        self
    }

    /// How long a push waits for an answer before retrying (default 5 s, as WeChat;
    /// [`MIN_PUSH_RETRY_AFTER`] to [`MAX_PUSH_RETRY_AFTER`]).
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

        let clock = Clock::default();
        let now = clock.now();
        let (wechat_credentials, fw199_credentials) = credentials::derive(config.seed);
        if let Some(target) = &config.push {
            target
                .config(wechat_credentials.appid.as_str())
                .map_err(SandboxError::Setting)?;
        }
        let wechat = wechat::WechatState::generate(config.seed, config.comments, now);
        let taobao = fw199::TaobaoState::generate(config.seed, config.rates, now);
        let shared = Arc::new(Shared {
            faults: Faults::new(config.seed, config.fault_rate, config.fault_kinds.clone()),
            pushes: Pushes::default(),
            config,
            clock,
            wechat_credentials,
            fw199_credentials,
            wechat: Mutex::new(wechat),
            taobao: RwLock::new(taobao),
            writes: Mutex::new(Vec::new()),
        });
        Sandbox::serve(shared, listener, local)
    }
}

impl Config {
    /// Refuses any setting outside its documented range.
    fn check(&self) -> Result<(), SandboxError> {
        within("comments", self.comments, 0..=MAX_COMMENTS)?;
        within("rates", self.rates, 0..=MAX_RATES)?;
        within("faults", self.fault_rate, 0.0..=MAX_FAULT_RATE)?;
        within(
            "slow_response",
            self.slow_response,
            Duration::ZERO..=MAX_SLOW_RESPONSE,
        )?;
        within(
            "token_lifetime",
            self.token_lifetime,
            MIN_TOKEN_LIFETIME..=MAX_TOKEN_LIFETIME,
        )?;
        if let Some(every) = self.push_interval {
            within("push_every", every, MIN_PUSH_INTERVAL..=MAX_PUSH_INTERVAL)?;
        }
        within(
            "push_retry_after",
            self.push_retry_after,
            MIN_PUSH_RETRY_AFTER..=MAX_PUSH_RETRY_AFTER,
        )?;
        self.limits.validate()?;
        Ok(())
    }
}

/// Refuses `value` outside `range` (a NaN is never inside), naming `option`.
fn within<T: PartialOrd + Debug + Copy>(
    option: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), SandboxError> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(SandboxError::OutOfRange {
        option,
        range: format!("{range:?}"),
        value: format!("{value:?}"),
    })
}
