//! The random part of the backoff, drawn from a seed the driver supplies: this crate has no
//! entropy of its own.

/// SplitMix64 over the driver's seed: a few arithmetic steps per draw, a well-spread sequence
/// from any seed (zero included), and the same sequence for the same seed, so a test can pin
/// every sleep. Backoff jitter only has to keep clients that fail together from retrying
/// together; it needs no cryptographic strength.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next draw.
    pub(crate) fn draw(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_seeds_differ() {
        let (mut a, mut b, mut c) = (Jitter::new(7), Jitter::new(7), Jitter::new(8));
        let (x, y, z) = (a.draw(), b.draw(), c.draw());
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(a.draw(), x);
    }

    #[test]
    fn matches_the_reference_splitmix64() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut j = Jitter::new(0);
        assert_eq!(j.draw(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(j.draw(), 0x6E78_9E6A_A1B9_65F4);
    }
}
