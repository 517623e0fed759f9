//! The request quota of [`SandboxBuilder::quota_per_minute`]: per tenant and per platform, at
//! most `limit` review-API requests are granted in each fixed window of the sandbox's clock.
//!
//! Windows are aligned to multiples of their length since the Unix epoch (a 60 s window is a
//! calendar minute, as WeChat counts), so every tenant's windows turn at the same instants and
//! a client can predict them. A window changes whenever the clock enters another one, also
//! when it is moved back. A refused request spends nothing.
//!
//! [`SandboxBuilder::quota_per_minute`]: crate::SandboxBuilder::quota_per_minute

use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;

use crate::lock::lock;

/// The quota's setting: how many requests a window grants, and how long a window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    /// Requests granted per window, at least 1.
    pub(crate) limit: u32,
    /// The window's length in milliseconds, at least 1.
    pub(crate) window_ms: i64,
}

impl Rule {
    /// `limit` requests per `window` (at least a millisecond).
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        Self { limit, window_ms }
    }

    /// The window as people say it: `a minute`, `5 s`, `250 ms`.
    pub(crate) fn window_text(&self) -> String {
        match self.window_ms {
            60_000 => "a minute".to_owned(),
            ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
            ms => format!("{ms} ms"),
        }
    }
}

/// The window holding the instant `now_ms` (milliseconds since the epoch): its index since
/// the epoch.
pub(crate) fn window_of(now_ms: i64, window_ms: i64) -> i64 {
    now_ms.div_euclid(window_ms.max(1))
}

/// How long after `now_ms` the next window starts, in milliseconds (at least 1).
pub(crate) fn until_next(now_ms: i64, window_ms: i64) -> i64 {
    let window_ms = window_ms.max(1);
    window_ms.saturating_sub(now_ms.rem_euclid(window_ms))
}

/// What one tenant has spent of one platform's quota: the window it counts and the requests
/// granted in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spent {
    window: i64,
    used: u32,
}

impl Spent {
    /// Grants a request at `now_ms` under `rule`, or refuses it with the milliseconds until
    /// the next window; only a grant is counted.
    pub(crate) fn grant(&mut self, now_ms: i64, rule: Rule) -> Result<(), i64> {
        let window = window_of(now_ms, rule.window_ms);
        if window != self.window {
            *self = Self { window, used: 0 };
        }
        if self.used >= rule.limit {
            return Err(until_next(now_ms, rule.window_ms));
        }
        self.used = self.used.saturating_add(1);
        Ok(())
    }
}

/// One tenant's count for one platform, shared by its handlers.
#[derive(Debug, Default)]
pub(crate) struct Counter(Mutex<Spent>);

impl Counter {
    /// Grants a request at `now` under `rule`, or refuses it with the wait until the next
    /// window.
    pub(crate) fn grant(&self, now: Timestamp, rule: Rule) -> Result<(), Duration> {
        lock(&self.0)
            .grant(now.as_millisecond(), rule)
            .map_err(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(1)))
    }
}

/// The wait before a window turns, as a refusal says it: whole seconds, rounded up, or
/// milliseconds below a second.
pub(crate) fn wait_text(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{} ms", wait.as_millis().max(1))
    } else {
        let ms = wait.as_millis();
        format!("{} s", ms.div_ceil(1000))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    const RULE: Rule = Rule {
        limit: 3,
        window_ms: 60_000,
    };

    #[test]
    fn a_window_grants_its_limit_then_refuses_until_the_next() {
        let mut spent = Spent::default();
        let minute = 29_000_000 * 60_000;
        for at in [0, 10, 59_000] {
            assert_eq!(spent.grant(minute + at, RULE), Ok(()));
        }
        assert_eq!(spent.grant(minute + 59_000, RULE), Err(1000));
        assert_eq!(spent.grant(minute + 59_999, RULE), Err(1));
        assert_eq!(spent.grant(minute + 60_000, RULE), Ok(()));
        // Back into the previous window: counted afresh, as a changed window.
        assert_eq!(spent.grant(minute + 1, RULE), Ok(()));
    }

    #[test]
    fn windows_are_aligned_to_the_epoch() {
        assert_eq!(window_of(0, 1000), 0);
        assert_eq!(window_of(999, 1000), 0);
        assert_eq!(window_of(1000, 1000), 1);
        assert_eq!(window_of(-1, 1000), -1);
        assert_eq!(until_next(1000, 1000), 1000);
        assert_eq!(until_next(1999, 1000), 1);
        assert_eq!(
            Rule::new(5, Duration::from_secs(60)).window_text(),
            "a minute"
        );
        assert_eq!(Rule::new(5, Duration::from_secs(2)).window_text(), "2 s");
        assert_eq!(
            Rule::new(5, Duration::from_millis(250)).window_text(),
            "250 ms"
        );
        assert_eq!(wait_text(Duration::from_millis(1001)), "2 s");
        assert_eq!(wait_text(Duration::from_millis(20)), "20 ms");
    }

    proptest! {
        /// For any limit, window and times going forward, each window grants exactly its first
        /// `limit` requests, a refusal names the time left in its window, and refusals spend
        /// nothing.
        #[test]
        fn each_window_grants_exactly_its_first_requests(
            limit in 1u32..6,
            window_ms in 1i64..5000,
            start in 0i64..10_000_000_000_000,
            steps in proptest::collection::vec(0i64..3000, 1..200),
        ) {
            let rule = Rule { limit, window_ms };
            let mut spent = Spent::default();
            let mut now = start;
            let mut granted: std::collections::HashMap<i64, u32> = Default::default();
            for step in steps {
                now += step;
                let window = window_of(now, window_ms);
                let before = *granted.get(&window).unwrap_or(&0);
                match spent.grant(now, rule) {
                    Ok(()) => {
                        prop_assert!(before < limit);
                        granted.insert(window, before + 1);
                    }
                    Err(wait) => {
                        prop_assert_eq!(before, limit);
                        prop_assert!(wait >= 1 && wait <= window_ms);
                        prop_assert_eq!(window_of(now + wait, window_ms), window + 1);
                        prop_assert_eq!(window_of(now + wait - 1, window_ms), window);
                    }
                }
            }
        }
    }
}
