//! What a sandbox is started with: the settings, their defaults and their documented ranges.

use std::fmt::Debug;
use std::ops::RangeInclusive;
use std::time::Duration;

use jiff::SignedDuration;
use review_server::Limits;

use crate::error::SandboxError;
use crate::faults::kind::FaultKind;
use crate::push::target::PushTarget;

/// The seed used when none is given, so that a bare `reviews sandbox` is the same every run.
pub const DEFAULT_SEED: u64 = 20_261_123;

/// The most comments [`SandboxBuilder::comments`] takes. Generating one costs about 2 KB at
/// peak: 500,000 take about 1 GB and 3.5 s (release build), so that both maxima together fit in
/// 2 GB.
///
/// [`SandboxBuilder::comments`]: crate::SandboxBuilder::comments
pub const MAX_COMMENTS: usize = 500_000;
/// The most rates [`SandboxBuilder::rates`] takes: about 1 KB each at peak, so 1,000,000 take
/// about 1 GB and 2.5 s (release build).
///
/// [`SandboxBuilder::rates`]: crate::SandboxBuilder::rates
pub const MAX_RATES: usize = 1_000_000;
/// The highest fault rate [`SandboxBuilder::faults`] takes (every request fails); the lowest
/// is 0.
///
/// [`SandboxBuilder::faults`]: crate::SandboxBuilder::faults
pub const MAX_FAULT_RATE: f64 = 1.0;
/// The longest stall of [`SandboxBuilder::slow_response`]; the shortest is zero.
///
/// [`SandboxBuilder::slow_response`]: crate::SandboxBuilder::slow_response
pub const MAX_SLOW_RESPONSE: Duration = Duration::from_secs(60 * 60);
/// The shortest token life of [`SandboxBuilder::token_lifetime`].
///
/// [`SandboxBuilder::token_lifetime`]: crate::SandboxBuilder::token_lifetime
pub const MIN_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_secs(1);
/// The longest token life of [`SandboxBuilder::token_lifetime`] (30 days; WeChat's is 2 h).
///
/// [`SandboxBuilder::token_lifetime`]: crate::SandboxBuilder::token_lifetime
pub const MAX_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// The longest delay of [`SandboxBuilder::latency`] (a minute); the shortest is zero (none).
///
/// [`SandboxBuilder::latency`]: crate::SandboxBuilder::latency
pub const MAX_LATENCY: Duration = Duration::from_secs(60);
/// The most requests a window of [`SandboxBuilder::quota_per_minute`]; the fewest is 1 (leave
/// it unset for no quota).
///
/// [`SandboxBuilder::quota_per_minute`]: crate::SandboxBuilder::quota_per_minute
pub const MAX_QUOTA_PER_MINUTE: u32 = 10_000_000;
/// The shortest window of [`SandboxBuilder::quota_window`].
///
/// [`SandboxBuilder::quota_window`]: crate::SandboxBuilder::quota_window
pub const MIN_QUOTA_WINDOW: Duration = Duration::from_millis(10);
/// The longest window of [`SandboxBuilder::quota_window`] (a day).
///
/// [`SandboxBuilder::quota_window`]: crate::SandboxBuilder::quota_window
pub const MAX_QUOTA_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// The most tenants of [`SandboxBuilder::tenants`]; the fewest is 1. Every tenant holds its
/// own comments and rates, so the totals (tenants × comments, tenants × rates) are held to
/// [`MAX_COMMENTS`] and [`MAX_RATES`] as well: 10,000 tenants take at most 50 comments and 100
/// rates each. Tenants are generated in parallel; on two cores (release build) 200 tenants of
/// 500 comments and 500 rates start in 0.75 s and hold 245 MB, 10,000 of 50 and 100 start in
/// 8 s and hold 1.6 GB (a debug build is about 20 times slower).
///
/// [`SandboxBuilder::tenants`]: crate::SandboxBuilder::tenants
pub const MAX_TENANTS: usize = 10_000;
/// The most calls a day of [`SandboxBuilder::plain_token_daily_quota`] and
/// [`SandboxBuilder::force_refresh_daily_quota`] (WeChat's are 2,000 and 20); the fewest is 0,
/// which refuses every call.
///
/// [`SandboxBuilder::plain_token_daily_quota`]: crate::SandboxBuilder::plain_token_daily_quota
/// [`SandboxBuilder::force_refresh_daily_quota`]: crate::SandboxBuilder::force_refresh_daily_quota
pub const MAX_TOKEN_DAILY_QUOTA: u32 = 1_000_000;
/// The longest wait of [`SandboxBuilder::force_refresh_interval`] (a day; WeChat's is 30 s);
/// the shortest is zero, which leaves only the daily quota.
///
/// [`SandboxBuilder::force_refresh_interval`]: crate::SandboxBuilder::force_refresh_interval
pub const MAX_FORCE_REFRESH_INTERVAL: SignedDuration = SignedDuration::from_hours(24);
/// The shortest interval of [`SandboxBuilder::push_every`]: at most 100 new bad reviews a
/// second, each kept in memory.
///
/// [`SandboxBuilder::push_every`]: crate::SandboxBuilder::push_every
pub const MIN_PUSH_INTERVAL: Duration = Duration::from_millis(10);
/// The longest interval of [`SandboxBuilder::push_every`].
///
/// [`SandboxBuilder::push_every`]: crate::SandboxBuilder::push_every
pub const MAX_PUSH_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// The shortest wait of [`SandboxBuilder::push_retry_after`].
///
/// [`SandboxBuilder::push_retry_after`]: crate::SandboxBuilder::push_retry_after
pub const MIN_PUSH_RETRY_AFTER: Duration = Duration::from_millis(1);
/// The longest wait of [`SandboxBuilder::push_retry_after`].
///
/// [`SandboxBuilder::push_retry_after`]: crate::SandboxBuilder::push_retry_after
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
    pub(crate) plain_token_daily_quota: u32,
    pub(crate) force_refresh_daily_quota: u32,
    pub(crate) force_refresh_interval: SignedDuration,
    pub(crate) push: Option<PushTarget>,
    pub(crate) push_interval: Option<Duration>,
    pub(crate) push_retry_after: Duration,
    pub(crate) limits: Limits,
    pub(crate) latency: Duration,
    pub(crate) quota_per_minute: Option<u32>,
    pub(crate) quota_window: Duration,
    pub(crate) tenants: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            comments: 240,
            rates: 2400,
            fault_rate: 0.0,
            fault_kinds: FaultKind::ALL.to_vec(),
            slow_response: Duration::from_secs(3),
            token_lifetime: SignedDuration::from_hours(2),
            token_overlap: SignedDuration::from_mins(5),
            plain_token_daily_quota: 2000,
            force_refresh_daily_quota: 20,
            force_refresh_interval: SignedDuration::from_secs(30),
            push: None,
            push_interval: None,
            push_retry_after: Duration::from_secs(5),
            limits: Limits::default(),
            latency: Duration::ZERO,
            quota_per_minute: None,
            quota_window: Duration::from_secs(60),
            tenants: 1,
        }
    }
}

impl Config {
    /// Refuses any setting outside its documented range.
    pub(crate) fn check(&self) -> Result<(), SandboxError> {
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
        within(
            "plain_token_daily_quota",
            self.plain_token_daily_quota,
            0..=MAX_TOKEN_DAILY_QUOTA,
        )?;
        within(
            "force_refresh_daily_quota",
            self.force_refresh_daily_quota,
            0..=MAX_TOKEN_DAILY_QUOTA,
        )?;
        within(
            "force_refresh_interval",
            self.force_refresh_interval,
            SignedDuration::ZERO..=MAX_FORCE_REFRESH_INTERVAL,
        )?;
        if let Some(every) = self.push_interval {
            within("push_every", every, MIN_PUSH_INTERVAL..=MAX_PUSH_INTERVAL)?;
        }
        within(
            "push_retry_after",
            self.push_retry_after,
            MIN_PUSH_RETRY_AFTER..=MAX_PUSH_RETRY_AFTER,
        )?;
        within("latency", self.latency, Duration::ZERO..=MAX_LATENCY)?;
        if let Some(quota) = self.quota_per_minute {
            within("quota_per_minute", quota, 1..=MAX_QUOTA_PER_MINUTE)?;
        }
        within(
            "quota_window",
            self.quota_window,
            MIN_QUOTA_WINDOW..=MAX_QUOTA_WINDOW,
        )?;
        within("tenants", self.tenants, 1..=MAX_TENANTS)?;
        // Every tenant holds its own data: the totals have the single maxima.
        within(
            "tenants × comments",
            self.tenants.saturating_mul(self.comments),
            0..=MAX_COMMENTS,
        )?;
        within(
            "tenants × rates",
            self.tenants.saturating_mul(self.rates),
            0..=MAX_RATES,
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
