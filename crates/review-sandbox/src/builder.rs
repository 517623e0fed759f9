//! Configuring and starting a sandbox: the one place that derives the credentials, generates
//! both platforms for every tenant and composes them.

use std::fmt::Debug;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use review_server::Limits;

use crate::admin::Admin;
use crate::clock::Clock;
use crate::config::Config;
use crate::credentials::{Credentials, TenantCredentials, tenant_seed};
use crate::error::SandboxError;
use crate::faults::{FaultKind, FaultLayer, Faults};
use crate::handle::Sandbox;
use crate::latency::Latency;
use crate::push::{PushTarget, Pusher, Pushes};
use crate::stats::Stats;
use crate::writes::Writes;
use crate::{router, taobao, throttle, wechat};

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

    /// Delays every answer of both platforms (not the `/sandbox/...` routes) by about `delay`:
    /// uniformly 0.8 to 1.2 times it, drawn from the seed in the order requests arrive
    /// (default zero, none; at most [`MAX_LATENCY`]). The wait is a timer, so concurrent
    /// requests overlap as on a real network: a hundred at 30 ms take about 30-40 ms in all.
    ///
    /// [`MAX_LATENCY`]: crate::MAX_LATENCY
    #[must_use]
    pub fn latency(mut self, delay: Duration) -> Self {
        self.config.latency = delay;
        self
    }

    /// Grants each tenant at most `calls` review-API requests per platform in each window of
    /// [`quota_window`](Self::quota_window) (a minute by default, aligned to the Unix epoch
    /// by the sandbox's clock, as WeChat's calendar minutes; 1 to [`MAX_QUOTA_PER_MINUTE`];
    /// default: no quota).
    ///
    /// Over it, WeChat answers HTTP 200 `{"errcode":45011,"errmsg":"api minute-quota reach
    /// limit  mustslower  retry next minute rid: ..."}` (with `"success":false` on the comment
    /// writes) and the fw199 gateway its envelope with `code` 10007 (`调用频率超限: ...`), until
    /// the next window. Counted are WeChat calls with a valid access token and gateway calls
    /// that passed its signature checks; the token endpoints (which keep their own daily
    /// quotas) and refused calls, the quota's own refusals included, are not. Refusals are
    /// counted in [`SandboxStats::answers`] as `quota_wechat` and `quota_fw199`.
    ///
    /// [`MAX_QUOTA_PER_MINUTE`]: crate::MAX_QUOTA_PER_MINUTE
    /// [`SandboxStats::answers`]: crate::SandboxStats::answers
    #[must_use]
    pub fn quota_per_minute(mut self, calls: u32) -> Self {
        self.config.quota_per_minute = Some(calls);
        self
    }

    /// The length of [`quota_per_minute`](Self::quota_per_minute)'s windows (default 60 s;
    /// [`MIN_QUOTA_WINDOW`] to [`MAX_QUOTA_WINDOW`]), so that a test need not wait a minute.
    ///
    /// [`MIN_QUOTA_WINDOW`]: crate::MIN_QUOTA_WINDOW
    /// [`MAX_QUOTA_WINDOW`]: crate::MAX_QUOTA_WINDOW
    #[must_use]
    pub fn quota_window(mut self, window: Duration) -> Self {
        self.config.quota_window = window;
        self
    }

    /// How many tenants to serve (default 1; 1 to [`MAX_TENANTS`]): each a mini program and a
    /// shop with credentials of its own ([`Sandbox::tenants`], `GET /sandbox/tenants`), its own
    /// [`comments`](Self::comments) and [`rates`](Self::rates) (each count per tenant; the
    /// totals are held to [`MAX_COMMENTS`] and [`MAX_RATES`]), its own tokens, writes and
    /// request quota.
    ///
    /// Tenant 0 is exactly the sandbox of one tenant: the same credentials and data for the
    /// same seed. The others' credentials and data are drawn from the seed and their index,
    /// so they are the same every run and differ from each other. A WeChat call is for the
    /// tenant that issued its access token (token calls: of their `appid`); a gateway call for
    /// the tenant of its `appid`. Bad reviews are created and pushed for tenant 0 only; the
    /// stats count every tenant together. Tenants are generated in parallel, on every core.
    ///
    /// [`MAX_TENANTS`]: crate::MAX_TENANTS
    /// [`MAX_COMMENTS`]: crate::MAX_COMMENTS
    /// [`MAX_RATES`]: crate::MAX_RATES
    /// [`Sandbox::tenants`]: crate::Sandbox::tenants
    #[must_use]
    pub fn tenants(mut self, count: usize) -> Self {
        self.config.tenants = count;
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
            latency,
            quota_per_minute,
            quota_window,
            tenants,
        } = config;
        let credentials: Arc<[TenantCredentials]> = (0..tenants)
            .map(|index| Credentials::tenant(seed, index))
            .collect();
        let first = credentials.first().ok_or_else(|| {
            SandboxError::Setting("a sandbox needs at least one tenant".to_owned())
        })?;
        if let Some(target) = &push {
            target
                .config(first.wechat.appid.as_str())
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
        let generate = |index: usize| {
            let tenant = credentials.get(index).unwrap_or(first);
            let seed = tenant_seed(seed, index);
            let wechat = wechat::Platform::new(
                index,
                seed,
                comments,
                now,
                tenant.wechat.clone(),
                rules,
                Arc::clone(&clock),
                Arc::clone(&writes),
            );
            let taobao =
                taobao::Platform::new(seed, rates, now, tenant.taobao.clone(), Arc::clone(&clock));
            (Arc::new(wechat), taobao)
        };
        let (mini_programs, shops) = generate_all(tenants, &generate)?.into_iter().unzip();
        let quota = quota_per_minute.map(|calls| throttle::Rule::new(calls, quota_window));
        let wechat = Arc::new(wechat::Fleet::new(
            mini_programs,
            quota,
            wechat::style_of_path,
        ));
        let taobao = Arc::new(taobao::Shops::new(shops, quota));
        let first_wechat = wechat.first().map(Arc::clone).ok_or_else(|| {
            SandboxError::Setting("a sandbox needs at least one tenant".to_owned())
        })?;
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
            wechat: first_wechat,
            log: Pushes::default(),
        });
        let admin = Arc::new(Admin {
            pusher,
            writes,
            clock,
            stats: Arc::new(Stats::default()),
            tenants: Arc::clone(&credentials),
        });
        let latency = Arc::new(Latency::new(latency, seed));
        let app = router::router(wechat, taobao, faults, latency, Arc::clone(&admin));
        Sandbox::serve(app, limits, admin, listener, local)
    }
}

/// Every tenant's data, `generate(index)` for each index in order, on every core: each
/// tenant is generated whole by one thread from its own seed, so the result does not depend
/// on how many threads there are.
fn generate_all<T: Send>(
    tenants: usize,
    generate: &(impl Fn(usize) -> T + Sync),
) -> Result<Vec<T>, SandboxError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(tenants);
    if threads <= 1 {
        return Ok((0..tenants).map(generate).collect());
    }
    let parts = std::thread::scope(|scope| {
        let handles = (0..threads)
            .map(|first| {
                std::thread::Builder::new()
                    .name("review-sandbox-generate".to_owned())
                    .spawn_scoped(scope, move || {
                        (first..tenants)
                            .step_by(threads)
                            .map(|index| (index, generate(index)))
                            .collect::<Vec<_>>()
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(SandboxError::Start)?;
        handles
            .into_iter()
            .map(|handle| {
                handle.join().map_err(|_| {
                    SandboxError::Start(std::io::Error::other("generating a tenant's data failed"))
                })
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let mut all: Vec<(usize, T)> = parts.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(index, _)| *index);
    Ok(all.into_iter().map(|(_, data)| data).collect())
}
