//! The query window both platforms' walks cut ranges into: whole seconds, both ends inclusive,
//! which is how WeChat's `startTime`/`endTime` and Taobao's `start_date`/`end_date` read them.
//! Halves of a window split at a second neither overlap nor leave a gap.

use std::fmt;

use jiff::Timestamp;
use review_model::taobao;

/// A query window, both ends inclusive, at whole seconds: the unit both platforms count and cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    /// The first second.
    pub start: Timestamp,
    /// The last second.
    pub end: Timestamp,
}

impl Window {
    /// How many seconds the window spans (at least 1), to tell a window that can still be
    /// split from one that cannot.
    pub fn seconds(&self) -> u64 {
        let span = self.end.as_second().saturating_sub(self.start.as_second());
        u64::try_from(span).map_or(0, |span| span.saturating_add(1))
    }

    /// The window of the whole seconds `time` and `until` fall in.
    pub(crate) fn covering(since: Timestamp, until: Timestamp) -> Self {
        Self::from_seconds(floor_second(since), floor_second(until))
    }

    pub(crate) fn from_seconds(start: i64, end: i64) -> Self {
        Self {
            start: at_second(start),
            end: at_second(end),
        }
    }

    /// The older and the newer half, cut at a second; `None` for a one-second window.
    pub(crate) fn halves(&self) -> Option<(Self, Self)> {
        let (start, end) = (self.start.as_second(), self.end.as_second());
        if start >= end {
            return None;
        }
        let middle = start.saturating_add(end.saturating_sub(start) / 2);
        Some((
            Self::from_seconds(start, middle),
            Self::from_seconds(middle.saturating_add(1), end),
        ))
    }
}

impl fmt::Display for Window {
    /// As Taobao writes times (China Standard Time), for messages a seller can check.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to {}",
            taobao::format_time(self.start),
            taobao::format_time(self.end)
        )
    }
}

/// The whole second `time` falls in, as `format_time` writes it.
pub(crate) fn floor_second(time: Timestamp) -> i64 {
    let second = time.as_second();
    if time.subsec_nanosecond() < 0 {
        second.saturating_sub(1)
    } else {
        second
    }
}

/// The first whole second not before `time`.
pub(crate) fn ceil_second(time: Timestamp) -> i64 {
    let second = floor_second(time);
    if time.subsec_nanosecond() == 0 {
        second
    } else {
        second.saturating_add(1)
    }
}

/// The timestamp of a whole second, saturating at jiff's range (which the walks' windows, all
/// inside valid timestamps, never leave).
pub(crate) fn at_second(second: i64) -> Timestamp {
    let clamped = second.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH)
}
