//! Configuring and starting a sandbox.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use jiff::SignedDuration;

use crate::clock::Clock;
use crate::faults::{FaultKind, Faults};
use crate::handle::Sandbox;
use crate::push::{PushTarget, Pushes};
use crate::shared::Shared;
use crate::{credentials, fw199, wechat};

/// The seed used when none is given, so that a bare `reviews sandbox` is the same every run.
pub const DEFAULT_SEED: u64 = 20_261_123;

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

    /// How many WeChat comments to generate over the last 180 days (default 240).
    #[must_use]
    pub fn comments(mut self, count: usize) -> Self {
        self.config.comments = count;
        self
    }

    /// How many Taobao rates to generate (default 2400). Above 1600, one hour holds a burst of
    /// more than 1500, so that window splitting is exercised.
    #[must_use]
    pub fn rates(mut self, count: usize) -> Self {
        self.config.rates = count;
        self
    }

    /// The share of requests that meet a fault, 0.0 to 1.0 (default 0).
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

    /// How long a "slow response" fault stalls (default 3 s): set it above the client's timeout.
    #[must_use]
    pub fn slow_response(mut self, delay: Duration) -> Self {
        self.config.slow_response = delay;
        self
    }

    /// How long access tokens live (default 7200 s), so tests can watch them expire.
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

    /// Creates and pushes a new bad review at this interval (default: only on demand through
    /// `POST /sandbox/bad-review`).
    #[must_use]
    pub fn push_every(mut self, interval: Duration) -> Self {
        self.config.push_interval = Some(interval);
        self
    }

    /// How long a push waits for an answer before retrying (default 5 s, as WeChat).
    #[must_use]
    pub fn push_retry_after(mut self, wait: Duration) -> Self {
        self.config.push_retry_after = wait;
        self
    }

    /// Generates the data, binds `addr` and serves on a thread of its own until the returned
    /// handle is dropped. Works from synchronous code and from inside an async runtime alike.
    pub fn start(
        self,
        addr: impl ToSocketAddrs + std::fmt::Debug,
    ) -> Result<Sandbox, SandboxError> {
        let config = self.config;
        if !(0.0..=1.0).contains(&config.fault_rate) {
            return Err(SandboxError::Setting(format!(
                "the fault rate must be between 0 and 1, not {}",
                config.fault_rate
            )));
        }
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
