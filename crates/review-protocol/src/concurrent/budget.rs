//! How many requests a quota window lets through, learnt from the platform's refusals.
//!
//! Halving the number in flight slows a walk down but does not bound what it sends in a
//! window: answers keep coming back within the window and each lets another request go. A
//! request refused by a spent quota would then be sent again at the next window's start behind
//! as many requests as the quota allows, and be refused again. So the budget counts: once a
//! quota refusal is seen, a window lets through as many requests as the platform granted in
//! the window of the refusal (its quota, as far as this walk can tell), requests refused
//! before going first. A window that used its whole budget without a refusal lets the next
//! one probe for a larger quota with one request more, as AIMD grows, but only with a request
//! never refused: if the probe is refused, it is the one that goes first next time. A request
//! is thus refused at most once in a row, unless others spend the same quota meanwhile.

use std::collections::VecDeque;

use jiff::Timestamp;

/// The number of the quota window `now` is in: windows are aligned to the Unix epoch.
pub(crate) fn window_of(now: Timestamp, length_ms: i64) -> i64 {
    now.as_millisecond().div_euclid(length_ms.max(1))
}

/// Windows whose grants are remembered: a refusal comes back within a window or two of its
/// request.
const REMEMBERED: usize = 3;

/// What a window has room for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Room {
    /// Any request.
    Any,
    /// One request that was never refused: the probe for a larger quota.
    Probe,
    /// Nothing until this time (the next window's start).
    Full(Timestamp),
}

/// Requests per quota window.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    length_ms: i64,
    /// `None` until a quota refusal: nothing bounds a window but the limit in flight.
    per_window: Option<u64>,
    /// The window requests are being sent in, and how many were.
    current: i64,
    sent: u64,
    /// Whether a request sent in `current` was refused by the quota.
    refused: bool,
    /// Whether `current` may probe: the window before it spent its whole budget unrefused.
    may_probe: bool,
    /// Granted requests of the last few windows they were sent in, the newest last.
    grants: VecDeque<(i64, u64)>,
    /// The window the budget was last learnt from.
    learnt: Option<i64>,
}

impl Budget {
    /// Windows of `length_ms` milliseconds, aligned to the Unix epoch.
    pub(crate) fn new(length_ms: i64) -> Self {
        Self {
            length_ms: length_ms.max(1),
            per_window: None,
            current: i64::MIN,
            sent: 0,
            refused: false,
            may_probe: false,
            grants: VecDeque::with_capacity(REMEMBERED),
            learnt: None,
        }
    }

    /// The requests a window lets through, once learnt.
    pub(crate) fn per_window(&self) -> Option<u64> {
        self.per_window
    }

    /// What may be sent at `now`.
    pub(crate) fn room(&mut self, now: Timestamp) -> Room {
        let window = window_of(now, self.length_ms);
        self.enter(window);
        match self.per_window {
            None => Room::Any,
            Some(budget) if self.sent < budget => Room::Any,
            Some(budget) if self.sent == budget && self.may_probe => Room::Probe,
            Some(_) => Room::Full(self.start_of(window.saturating_add(1))),
        }
    }

    /// A request sent at `now`; returns its window, to report its answer with.
    pub(crate) fn sent(&mut self, now: Timestamp) -> i64 {
        let window = window_of(now, self.length_ms);
        self.enter(window);
        self.sent = self.sent.saturating_add(1);
        window
    }

    /// A request sent in `window` was granted (a page, or any answer but a quota refusal): a
    /// window granting more than the budget shows a larger quota.
    pub(crate) fn granted(&mut self, window: i64) {
        let Some(count) = self
            .grants
            .iter_mut()
            .find_map(|(w, count)| (*w == window).then_some(count))
        else {
            return;
        };
        *count = count.saturating_add(1);
        let granted = *count;
        if self.learnt.is_some_and(|learnt| window >= learnt) {
            self.per_window = Some(self.per_window.map_or(granted, |b| b.max(granted)));
        }
    }

    /// A request sent in `window` was refused by the quota: what that window granted is the
    /// quota (grants still on their way raise it as they come).
    pub(crate) fn refused(&mut self, window: i64) {
        if window == self.current {
            self.refused = true;
        }
        if self.learnt.is_some_and(|learnt| learnt >= window) {
            return;
        }
        let granted = self
            .grants
            .iter()
            .find_map(|(w, count)| (*w == window).then_some(*count))
            .unwrap_or(0);
        self.learnt = Some(window);
        self.per_window = Some(granted.max(1));
    }

    /// The start of the window after the one `now` is in (see [`Budget::start_of`]).
    pub(crate) fn next_start(&self, now: Timestamp) -> Timestamp {
        self.start_of(window_of(now, self.length_ms).saturating_add(1))
    }

    /// Moves the count on to `window`.
    fn enter(&mut self, window: i64) {
        if window <= self.current {
            return;
        }
        self.may_probe = self.per_window.is_some_and(|budget| self.sent >= budget)
            && !self.refused
            && window == self.current.saturating_add(1);
        self.current = window;
        self.sent = 0;
        self.refused = false;
        if self.grants.len() >= REMEMBERED {
            self.grants.pop_front();
        }
        self.grants.push_back((window, 0));
    }

    /// The start of `window`, with a margin for clocks that disagree a little (a fiftieth of
    /// the window, from 10 ms to 2 s).
    fn start_of(&self, window: i64) -> Timestamp {
        let margin = (self.length_ms / 50).clamp(10, 2_000);
        let start = window.saturating_mul(self.length_ms).saturating_add(margin);
        Timestamp::from_millisecond(start).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(ms).unwrap()
    }

    #[test]
    fn unbounded_until_a_refusal() {
        let mut budget = Budget::new(1_000);
        for _ in 0..100 {
            assert_eq!(budget.room(at(10)), Room::Any);
            budget.sent(at(10));
        }
        assert_eq!(budget.per_window(), None);
    }

    #[test]
    fn learns_the_quota_from_the_window_of_a_refusal() {
        let mut budget = Budget::new(1_000);
        let windows: Vec<i64> = (0..8).map(|_| budget.sent(at(5))).collect();
        // The platform grants 3 and refuses the rest; one refusal overtakes the grants.
        budget.refused(windows[7]);
        assert_eq!(budget.per_window(), Some(1));
        for window in &windows[..3] {
            budget.granted(*window);
        }
        for window in &windows[3..7] {
            budget.refused(*window);
        }
        assert_eq!(budget.per_window(), Some(3));
        // Spent in this window; the next one lets three through, and no probe: it followed
        // a refusal.
        assert_eq!(budget.room(at(900)), Room::Full(budget.next_start(at(900))));
        for _ in 0..3 {
            assert_eq!(budget.room(at(1_020)), Room::Any);
            let window = budget.sent(at(1_020));
            budget.granted(window);
        }
        assert!(matches!(budget.room(at(1_500)), Room::Full(_)));
        // A window spent whole without a refusal lets the next one probe once.
        for _ in 0..3 {
            assert_eq!(budget.room(at(2_020)), Room::Any);
            let window = budget.sent(at(2_020));
            budget.granted(window);
        }
        assert_eq!(budget.room(at(2_020)), Room::Probe);
        let probe = budget.sent(at(2_020));
        assert!(matches!(budget.room(at(2_020)), Room::Full(_)));
        // The probe granted: the quota is larger.
        budget.granted(probe);
        assert_eq!(budget.per_window(), Some(4));
    }

    #[test]
    fn the_next_start_has_a_margin() {
        let budget = Budget::new(60_000);
        assert_eq!(budget.next_start(at(59_999)), at(61_200));
        assert_eq!(Budget::new(100).next_start(at(0)), at(110));
    }

    proptest! {
        /// Against a platform granting `quota` a window, with the refused requests first and
        /// only fresh ones probing (as the scheduler sends them), no request is refused twice
        /// in a row, and the budget stays within one of the quota.
        #[test]
        fn a_refused_request_is_granted_next_time(quota in 1_u64..20, wanted in 1_u64..200, burst in 1_u64..30) {
            let mut budget = Budget::new(1_000);
            let mut owed = wanted; // requests not granted yet
            let mut waiting_refused = 0_u64; // of them, refused before
            let mut window = 0_i64;
            while owed > 0 {
                let now = at(window * 1_000 + 20);
                let mut sent = Vec::new(); // (window, refused before)
                while (sent.len() as u64) < burst.min(owed) {
                    let refused_before = (sent.len() as u64) < waiting_refused;
                    match budget.room(now) {
                        Room::Any => {}
                        Room::Probe if !refused_before && (sent.len() as u64) < owed => {}
                        _ => break,
                    }
                    sent.push((budget.sent(now), refused_before));
                }
                let mut granted = 0;
                let mut refused_now = 0;
                for (index, (window, refused_before)) in sent.iter().enumerate() {
                    if (index as u64) < quota {
                        granted += 1;
                        budget.granted(*window);
                    } else {
                        prop_assert!(!refused_before, "a request refused twice in a row");
                        refused_now += 1;
                        budget.refused(*window);
                    }
                }
                if let Some(per_window) = budget.per_window() {
                    prop_assert!(per_window <= quota);
                }
                waiting_refused = waiting_refused.saturating_sub(granted) + refused_now;
                owed -= granted;
                window += 1;
                prop_assert!(window < 1_000);
            }
        }
    }
}
