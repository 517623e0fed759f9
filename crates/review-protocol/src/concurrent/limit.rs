//! The number of requests in flight, additive increase and multiplicative decrease (AIMD), in
//! thousandths so that the increase of `1/limit` per answer needs no floating point.

/// Thousandths of a request.
const ONE: u64 = 1_000;

/// The adaptive limit: grows by one per round of successful answers, halves on a throttle.
#[derive(Debug, Clone)]
pub(crate) struct Limit {
    milli: u64,
    ceiling: u64,
    /// Halvings so far: a request sent before the last one cannot halve the limit again.
    round: u64,
}

impl Limit {
    /// Starts at `ceiling`: a walk presses as hard as allowed until told otherwise.
    pub(crate) fn new(ceiling: usize) -> Self {
        let ceiling = u64::try_from(ceiling.max(1))
            .unwrap_or(u64::MAX / ONE)
            .saturating_mul(ONE);
        Self {
            milli: ceiling,
            ceiling,
            round: 0,
        }
    }

    /// How many requests may be in flight now (at least 1).
    pub(crate) fn current(&self) -> usize {
        usize::try_from(self.milli / ONE)
            .unwrap_or(usize::MAX)
            .max(1)
    }

    /// The round a request sent now belongs to.
    pub(crate) fn round(&self) -> u64 {
        self.round
    }

    /// A page answered: `1/limit` more.
    pub(crate) fn grow(&mut self) {
        let step = (ONE * ONE) / self.milli.max(ONE);
        self.milli = self.milli.saturating_add(step.max(1)).min(self.ceiling);
    }

    /// A throttle of a request sent in `round`: halves the limit unless a throttle of this
    /// round (or a later one) already did. Returns whether it halved.
    pub(crate) fn throttled(&mut self, round: u64) -> bool {
        if round < self.round {
            return false;
        }
        self.milli = (self.milli / 2).max(ONE);
        self.round = self.round.saturating_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn one_more_per_round_of_answers() {
        let mut limit = Limit::new(8);
        limit.throttled(0);
        assert_eq!(limit.current(), 4);
        let mut answers = 0;
        while limit.current() == 4 {
            limit.grow();
            answers += 1;
        }
        // About one round of 4 answers (each adds 1/limit of a limit that grows meanwhile).
        assert!((4..=5).contains(&answers), "{answers}");
        assert_eq!(limit.current(), 5);
    }

    #[test]
    fn one_halving_per_round() {
        let mut limit = Limit::new(16);
        let round = limit.round();
        assert!(limit.throttled(round));
        assert!(
            !limit.throttled(round),
            "a throttle of the same round halves once"
        );
        assert_eq!(limit.current(), 8);
        assert!(limit.throttled(limit.round()));
        assert_eq!(limit.current(), 4);
    }

    proptest! {
        #[test]
        fn stays_within_one_and_the_ceiling(ceiling in 1_usize..64, events in proptest::collection::vec(any::<bool>(), 0..500)) {
            let mut limit = Limit::new(ceiling);
            for grow in events {
                if grow { limit.grow() } else { limit.throttled(limit.round()); }
                prop_assert!((1..=ceiling).contains(&limit.current()));
            }
        }
    }
}
