//! The chunks of one sync run and the bookmark after each.

use jiff::{SignedDuration, Timestamp};
use review_model::mirror::Bookmark;

use crate::Window;

/// How far back a first sync reads when no `since` is given: the 180 days Taobao keeps.
pub const BACKFILL: SignedDuration = SignedDuration::from_hours(180 * 24);
/// How far before its bookmark a later sync reads again, to catch replies, revisions and
/// process steps of recent reviews.
pub const LOOKBACK: SignedDuration = SignedDuration::from_hours(14 * 24);
/// The longest chunk: the bookmark moves after each, so a killed sync re-reads at most one.
pub const CHUNK: SignedDuration = SignedDuration::from_hours(30 * 24);

/// The windows one sync of one tenant reads, oldest first, with the bookmark to commit after
/// each.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use review_model::mirror::Bookmark;
/// use review_protocol::sync::{LOOKBACK, SyncPlan};
///
/// let now: Timestamp = "2026-12-01T00:00:00Z".parse()?;
/// let day = SignedDuration::from_hours(24);
/// // A first sync of the last 45 days: two chunks, oldest first.
/// let first = SyncPlan::new(None, Some(now - day * 45), LOOKBACK, now);
/// assert_eq!(first.chunks().len(), 2);
/// // The next day, from the bookmark minus 14 days.
/// let bookmark = first.bookmark_after(None, first.chunks()[1]);
/// let later = SyncPlan::new(Some(bookmark), None, LOOKBACK, now + day);
/// assert_eq!(later.chunks()[0].start, now - day * 14);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPlan {
    chunks: Vec<Window>,
}

impl SyncPlan {
    /// The plan at `now`.
    ///
    /// - No bookmark: `[since, now]` (`since` defaults to [`BACKFILL`] before now).
    /// - A bookmark: `[until - lookback, now]`, never before the bookmark's `from`, and first
    ///   `[since, from]` when `since` reaches further back than the mirror does.
    ///
    /// Every chunk is at most [`CHUNK`] long; the chunks are contiguous, so each bookmark
    /// covers one range.
    pub fn new(
        bookmark: Option<Bookmark>,
        since: Option<Timestamp>,
        lookback: SignedDuration,
        now: Timestamp,
    ) -> Self {
        Self::with_chunk(bookmark, since, lookback, now, CHUNK)
    }

    /// [`SyncPlan::new`] with chunks of at most `chunk` (at least one second).
    pub fn with_chunk(
        bookmark: Option<Bookmark>,
        since: Option<Timestamp>,
        lookback: SignedDuration,
        now: Timestamp,
        chunk: SignedDuration,
    ) -> Self {
        let lookback = lookback.abs();
        let mut ranges = Vec::new();
        match bookmark {
            None => {
                let since = since.unwrap_or_else(|| now.saturating_sub(BACKFILL).unwrap_or(now));
                ranges.push((since.min(now), now));
            }
            Some(mark) => {
                if let Some(since) = since.filter(|since| *since < mark.from) {
                    ranges.push((since, mark.from));
                }
                let back = mark.until.saturating_sub(lookback).unwrap_or(mark.from);
                ranges.push((back.max(mark.from).min(now), now));
            }
        }
        let step = chunk.as_secs().max(1);
        let mut chunks = Vec::new();
        for (start, end) in ranges {
            let (mut first, last) = (start.as_second(), end.as_second());
            while first <= last {
                let stop = first.saturating_add(step - 1).min(last);
                chunks.push(Window::from_seconds(first, stop));
                first = stop.saturating_add(1);
            }
        }
        Self { chunks }
    }

    /// The windows to read, oldest first.
    pub fn chunks(&self) -> &[Window] {
        &self.chunks
    }

    /// The bookmark to commit with the last rows of `chunk`, given the one before this run.
    pub fn bookmark_after(&self, before: Option<Bookmark>, chunk: Window) -> Bookmark {
        match before {
            None => Bookmark {
                from: self.chunks.first().map_or(chunk.start, |first| first.start),
                until: chunk.end,
            },
            Some(mark) => Bookmark {
                from: mark.from.min(chunk.start),
                until: mark.until.max(chunk.end),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    proptest! {
        /// Chunks are contiguous, oldest first, bounded; folding their bookmarks covers the
        /// whole plan; a later plan starts no later than the lookback before the bookmark.
        #[test]
        fn chunks_tile_the_range(
            now in 1_600_000_000i64..1_800_000_000,
            since_back in 0i64..400 * 86_400,
            chunk in 3_600i64..40 * 86_400,
            lookback in 0i64..30 * 86_400,
            later in 0i64..10 * 86_400,
        ) {
            let chunk = SignedDuration::from_secs(chunk);
            let plan = SyncPlan::with_chunk(None, Some(at(now - since_back)), SignedDuration::from_secs(lookback), at(now), chunk);
            let chunks = plan.chunks();
            prop_assert_eq!(chunks.first().map(|w| w.start), Some(at(now - since_back)));
            prop_assert_eq!(chunks.last().map(|w| w.end), Some(at(now)));
            let mut mark = None;
            for pair in chunks.windows(2) {
                prop_assert_eq!(pair[0].end.as_second() + 1, pair[1].start.as_second());
            }
            for window in chunks {
                prop_assert!(window.seconds() as i64 <= chunk.as_secs());
                let next = plan.bookmark_after(mark, *window);
                prop_assert_eq!(next.from, at(now - since_back));
                prop_assert_eq!(next.until, window.end);
                mark = Some(next);
            }
            let Some(mark) = mark else { return Err(TestCaseError::fail("no chunk")) };
            let next = SyncPlan::with_chunk(Some(mark), None, SignedDuration::from_secs(lookback), at(now + later), chunk);
            let first = next.chunks().first().map(|w| w.start.as_second());
            prop_assert_eq!(first, Some((now - lookback).max(now - since_back)));
            let mut resumed = Some(mark);
            for window in next.chunks() {
                resumed = Some(next.bookmark_after(resumed, *window));
            }
            prop_assert_eq!(resumed, Some(Bookmark { from: mark.from, until: at(now + later) }));
        }
    }

    #[test]
    fn an_earlier_since_backfills_first() {
        let day = 86_400;
        let mark = Bookmark {
            from: at(100 * day),
            until: at(200 * day),
        };
        let plan = SyncPlan::new(Some(mark), Some(at(50 * day)), LOOKBACK, at(201 * day));
        let chunks = plan.chunks();
        assert_eq!(chunks.first().map(|w| w.start), Some(at(50 * day)));
        assert!(chunks.iter().any(|w| w.end == at(100 * day)));
        assert_eq!(chunks.last().map(|w| w.end), Some(at(201 * day)));
        let mut resumed = Some(mark);
        for window in chunks {
            resumed = Some(plan.bookmark_after(resumed, *window));
        }
        assert_eq!(
            resumed,
            Some(Bookmark {
                from: at(50 * day),
                until: at(201 * day)
            })
        );
    }
}
