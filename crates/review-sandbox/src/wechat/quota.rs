//! The token endpoints' quotas, by the sandbox's clock in China Standard Time days:
//!
//! - `/cgi-bin/token`: at most `plain_daily` calls a day (WeChat: 2,000), then 45009 until
//!   the next day.
//! - `/cgi-bin/stable_token` with `force_refresh: true`: at most `forced_daily` a day
//!   (WeChat: 20), then 45009; and at least `forced_interval` (WeChat: 30 s) after the previous
//!   forced refresh, else 45011. Unforced stable calls are not limited.
//!
//! Only calls with valid credentials spend quota, and only those that are granted: a refused
//! call spends nothing and mints nothing. A day changes at 00:00 UTC+8 (also when the clock is
//! moved back across it).

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::ErrCode;

use super::answer::Refusal;

/// Seconds east of UTC of China Standard Time, whose days the quotas count.
const CST_OFFSET: i64 = 8 * 60 * 60;
const DAY: i64 = 24 * 60 * 60;

/// How many tokens may be asked for, and how often (the builder's settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quotas {
    /// `/cgi-bin/token` calls a day.
    pub(crate) plain_daily: u32,
    /// Forced stable-token refreshes a day.
    pub(crate) forced_daily: u32,
    /// The least time between two forced refreshes.
    pub(crate) forced_interval: SignedDuration,
}

/// The CST day of `now`, as days since the epoch.
fn cst_day(now: Timestamp) -> i64 {
    now.as_second().saturating_add(CST_OFFSET).div_euclid(DAY)
}

/// Calls granted on one day.
#[derive(Debug, Default)]
struct Daily {
    day: i64,
    used: u32,
}

impl Daily {
    /// Whether a call of `limit` a day is left today.
    fn left(&mut self, now: Timestamp, limit: u32) -> bool {
        let today = cst_day(now);
        if today != self.day {
            *self = Self {
                day: today,
                used: 0,
            };
        }
        self.used < limit
    }

    /// Spends one of today's calls (after [`Daily::left`] said one is left).
    fn spend(&mut self) {
        self.used = self.used.saturating_add(1);
    }
}

/// What has been spent of the quotas.
#[derive(Debug, Default)]
pub(crate) struct Spent {
    plain: Daily,
    forced: Daily,
    last_forced: Option<Timestamp>,
}

fn daily_refusal(what: &str, limit: u32) -> Refusal {
    Refusal::new(
        ErrCode::DailyQuotaExceeded,
        format!(
            "reach max api daily quota limit: {limit} {what} a day, \
             try again after 00:00 China Standard Time (UTC+8)"
        ),
    )
}

impl Spent {
    /// Grants a `/cgi-bin/token` call, or refuses it with 45009.
    pub(crate) fn plain(&mut self, now: Timestamp, quotas: &Quotas) -> Result<(), Refusal> {
        if !self.plain.left(now, quotas.plain_daily) {
            return Err(daily_refusal("/cgi-bin/token calls", quotas.plain_daily));
        }
        self.plain.spend();
        Ok(())
    }

    /// Grants a forced stable-token refresh, or refuses it: 45009 once today's are spent (the
    /// lasting refusal goes first), else 45011 within the interval after the previous one.
    pub(crate) fn forced(&mut self, now: Timestamp, quotas: &Quotas) -> Result<(), Refusal> {
        if !self.forced.left(now, quotas.forced_daily) {
            return Err(daily_refusal(
                "stable_token force_refresh calls",
                quotas.forced_daily,
            ));
        }
        let interval = quotas.forced_interval;
        if let Some(last) = self.last_forced {
            // A clock moved back before the last refresh counts as too soon.
            let since = last.duration_until(now);
            if since < interval {
                let wait = interval.saturating_sub(since).as_secs().max(1);
                return Err(Refusal::new(
                    ErrCode::RateLimited,
                    format!(
                        "api minute-quota reach limit: force_refresh at most once every {} s, \
                         retry in {wait} s",
                        interval.as_secs()
                    ),
                ));
            }
        }
        self.forced.spend();
        self.last_forced = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const QUOTAS: Quotas = Quotas {
        plain_daily: 2,
        forced_daily: 2,
        forced_interval: SignedDuration::from_secs(30),
    };

    /// 2026-03-01 00:00:00 in UTC+8.
    fn cst_midnight() -> Timestamp {
        "2026-03-01T00:00:00+08:00".parse().unwrap()
    }

    fn at(base: Timestamp, secs: i64) -> Timestamp {
        base.checked_add(SignedDuration::from_secs(secs)).unwrap()
    }

    fn code(result: Result<(), Refusal>) -> Option<i64> {
        result.err().map(|r| r.code.code())
    }

    #[test]
    fn a_cst_day_ends_at_midnight_utc_plus_8() {
        let midnight = cst_midnight();
        assert_eq!(cst_day(at(midnight, -1)) + 1, cst_day(midnight));
        assert_eq!(cst_day(midnight), cst_day(at(midnight, DAY - 1)));
        // 16:00 UTC is midnight in Beijing.
        let utc: Timestamp = "2026-02-28T16:00:00Z".parse().unwrap();
        assert_eq!(cst_day(utc), cst_day(midnight));
    }

    #[test]
    fn the_plain_quota_is_per_day() {
        let mut spent = Spent::default();
        let evening = at(cst_midnight(), -60);
        assert_eq!(code(spent.plain(evening, &QUOTAS)), None);
        assert_eq!(code(spent.plain(evening, &QUOTAS)), None);
        assert_eq!(code(spent.plain(evening, &QUOTAS)), Some(45009));
        assert_eq!(code(spent.plain(cst_midnight(), &QUOTAS)), None);
    }

    #[test]
    fn forced_refreshes_are_spaced_and_counted_per_day() {
        let mut spent = Spent::default();
        let morning = at(cst_midnight(), 3600);
        assert_eq!(code(spent.forced(morning, &QUOTAS)), None);
        assert_eq!(code(spent.forced(at(morning, 29), &QUOTAS)), Some(45011));
        assert_eq!(code(spent.forced(at(morning, 30), &QUOTAS)), None);
        assert_eq!(code(spent.forced(at(morning, 90), &QUOTAS)), Some(45009));
        assert_eq!(code(spent.forced(at(morning, DAY), &QUOTAS)), None);
    }

    #[test]
    fn a_zero_interval_allows_back_to_back_refreshes() {
        let quotas = Quotas {
            forced_interval: SignedDuration::ZERO,
            ..QUOTAS
        };
        let mut spent = Spent::default();
        let now = cst_midnight();
        assert_eq!(code(spent.forced(now, &quotas)), None);
        assert_eq!(code(spent.forced(now, &quotas)), None);
        assert_eq!(code(spent.forced(now, &quotas)), Some(45009));
    }
}
