//! WeChat's limits on `force_refresh`, counted in the shared record for every process.

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::ErrCode;

use crate::Error;

/// China Standard Time, in which WeChat's daily quotas reset.
const CST_OFFSET_SECS: i64 = 8 * 3600;

/// How often a stable token may be forced: WeChat allows 20 forced refreshes a day, 30 s apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForceLimits {
    /// Forced refreshes allowed per day (China Standard Time).
    pub per_day: u32,
    /// The least time between two forced refreshes.
    pub spacing: SignedDuration,
}

impl Default for ForceLimits {
    fn default() -> Self {
        Self {
            per_day: 20,
            spacing: SignedDuration::from_secs(30),
        }
    }
}

/// The forced refreshes of the current day, as the record keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForceLog {
    /// The day counted, in days since 1970-01-01 in China Standard Time.
    pub day: i64,
    /// Forced refreshes on that day.
    pub count: u32,
    /// The last forced refresh.
    pub last_at: Option<Timestamp>,
}

/// `now`'s day in China Standard Time.
fn day(now: Timestamp) -> i64 {
    (now.as_second() + CST_OFFSET_SECS).div_euclid(86_400)
}

impl ForceLog {
    /// How many forced refreshes `now`'s day has seen.
    pub fn count_on(&self, now: Timestamp) -> u32 {
        if self.day == day(now) { self.count } else { 0 }
    }

    /// Whether a forced refresh may go out at `now`; the error says why not and when it may.
    ///
    /// Neither error comes from WeChat: they stop a refresh WeChat would refuse (45009, 45011)
    /// and whose refusal would still count against the quota.
    pub fn check(&self, limits: ForceLimits, now: Timestamp) -> Result<(), Error> {
        if self.count_on(now) >= limits.per_day {
            return Err(Error::wechat(
                ErrCode::DailyQuotaExceeded,
                Some(format!(
                    "the stable token was refused and {} forced refreshes were spent today \
                     (WeChat allows {} a day, counted in China Standard Time): no new token \
                     until tomorrow; check that the app secret is current",
                    self.count, limits.per_day
                )),
            ));
        }
        if let Some(last) = self.last_at {
            let since = now.duration_since(last);
            if since < limits.spacing && since > -limits.spacing {
                let wait = (limits.spacing - since).as_secs().max(1);
                return Err(Error::wechat(
                    ErrCode::RateLimited,
                    Some(format!(
                        "the stable token was refused {}s after a forced refresh; WeChat allows \
                         one every {}s: try again in {wait}s",
                        since.as_secs().max(0),
                        limits.spacing.as_secs()
                    )),
                ));
            }
        }
        Ok(())
    }

    /// Counts a forced refresh sent at `now`.
    pub fn note(&mut self, now: Timestamp) {
        let today = day(now);
        if self.day != today {
            self.day = today;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        self.last_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn days_turn_at_cst_midnight() {
        let mut log = ForceLog::default();
        log.note(ts("2026-12-01T15:59:00Z"));
        assert_eq!(log.count_on(ts("2026-12-01T15:59:59Z")), 1);
        assert_eq!(log.count_on(ts("2026-12-01T16:00:00Z")), 0);
    }

    #[test]
    fn spacing_and_daily_cap() {
        let limits = ForceLimits::default();
        let mut log = ForceLog::default();
        let t0 = ts("2026-12-01T01:00:00Z");
        log.note(t0);
        let soon = log.check(limits, ts("2026-12-01T01:00:10Z")).unwrap_err();
        assert_eq!(soon.wechat_code(), Some(ErrCode::RateLimited));
        assert!(soon.to_string().contains("try again in 20s"), "{soon}");
        assert!(log.check(limits, ts("2026-12-01T01:00:30Z")).is_ok());
        for i in 1..20 {
            log.note(t0 + SignedDuration::from_mins(i));
        }
        let spent = log.check(limits, ts("2026-12-01T03:00:00Z")).unwrap_err();
        assert_eq!(spent.wechat_code(), Some(ErrCode::DailyQuotaExceeded));
        assert!(log.check(limits, ts("2026-12-01T16:00:00Z")).is_ok());
    }
}
