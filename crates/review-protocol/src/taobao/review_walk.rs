//! Taobao's side of "every review of a range": the window planner's rates as unified
//! [`Review`]s (a Taobao rate carries its reply, so `replied` needs no second listing).

use std::marker::PhantomData;

use jiff::Timestamp;
use review_model::Review;
use review_model::mirror::Observed;
use review_model::taobao::{TradeRate, TradeRatePage};

use super::{PlanStats, SearchTradeRates, WindowPlanner};
use crate::Walk;

/// Every trade rate of a range as a [`Review`], each once: the [`WindowPlanner`]'s run, its
/// decisions and its [`PlanStats`] unchanged.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use review_protocol::Walk;
/// use review_protocol::taobao::{ReviewWalk, SearchTradeRates, WindowPlanner};
///
/// let now = Timestamp::from_second(1_700_000_000)?;
/// let since = now - SignedDuration::from_hours(24);
/// let planner = WindowPlanner::new(SearchTradeRates::received("shop"), since, now, now, 100)?;
/// let walk = ReviewWalk::new(planner);
/// assert_eq!(walk.next_request().and_then(|r| r.page_size), Some(1)); // the first count
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReviewWalk<I = Review> {
    planner: WindowPlanner,
    items: PhantomData<fn() -> I>,
}

/// What a [`ReviewWalk`] hands out for each rate: the unified [`Review`] (export), or an
/// [`Observed`] that also keeps the platform's record (a mirror).
pub trait FromRate {
    /// The item of `rate`.
    fn from_rate(rate: TradeRate) -> Self;
}

impl FromRate for Review {
    fn from_rate(rate: TradeRate) -> Self {
        Review::from(rate)
    }
}

impl FromRate for Observed {
    fn from_rate(rate: TradeRate) -> Self {
        Observed::taobao(&rate)
    }
}

impl ReviewWalk {
    /// The reviews of `planner`'s range.
    pub fn new(planner: WindowPlanner) -> Self {
        Self::of(planner)
    }
}

impl<I: FromRate> ReviewWalk<I> {
    /// [`ReviewWalk::new`], handing out `I`s.
    pub fn of(planner: WindowPlanner) -> Self {
        Self {
            planner,
            items: PhantomData,
        }
    }

    /// The planner, for its `now` and whether it is done.
    pub fn planner(&self) -> &WindowPlanner {
        &self.planner
    }
}

impl<I: FromRate> Walk for ReviewWalk<I> {
    type Request = SearchTradeRates;
    type Page = TradeRatePage;
    type Item = I;
    type Stats = PlanStats;

    fn next_request(&self) -> Option<SearchTradeRates> {
        self.planner.next_request()
    }

    fn feed(&mut self, page: TradeRatePage) -> Vec<I> {
        self.planner
            .feed(page)
            .into_iter()
            .map(I::from_rate)
            .collect()
    }

    fn advance(&mut self, now: Timestamp) {
        self.planner.advance(now);
    }

    fn stats(&self) -> &PlanStats {
        self.planner.stats()
    }

    fn upcoming(&self, max: usize) -> Vec<SearchTradeRates> {
        self.planner.upcoming(max)
    }

    fn split_off(&mut self) -> Option<Self> {
        self.planner.split_off().map(Self::of)
    }
}
