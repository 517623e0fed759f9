//! What the trade-rate handler sees: the credentials it checks against, the clock, and the
//! seller's rates.

use std::sync::Arc;

use jiff::Timestamp;

use super::answer::AnswerIds;
use super::data;
use super::store::Store;
use crate::clock::Clock;
use crate::credentials::TaobaoCredentials;
use crate::throttle::Counter;

/// One tenant's emulated shop behind the gateway. Its rates never change after generation, so
/// no lock guards them; answers' ids come from an atomic counter.
pub(crate) struct Platform {
    /// What the tenant spent of the request quota.
    pub(super) calls: Counter,
    /// The partner credentials and seller the gateway accepts.
    pub(super) credentials: TaobaoCredentials,
    /// The sandbox's clock.
    pub(super) clock: Arc<Clock>,
    /// Every rate, indexed.
    pub(super) store: Store,
    /// The counter behind answers' ids.
    pub(super) ids: AnswerIds,
}

impl Platform {
    /// `count` rates generated from `seed` over the 180 days before `now`, for the seller of
    /// `credentials`.
    pub(crate) fn new(
        seed: u64,
        count: usize,
        now: Timestamp,
        credentials: TaobaoCredentials,
        clock: Arc<Clock>,
    ) -> Self {
        let rates = data::generate(seed, count, now, &credentials.seller_nick);
        Self {
            calls: Counter::default(),
            store: Store::new(rates),
            ids: AnswerIds::new(seed),
            credentials,
            clock,
        }
    }
}
