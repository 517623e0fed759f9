//! Seeded generation of the shop's trade rates.
//!
//! Every id, text and relative age comes from one ChaCha20 stream seeded from the seed alone;
//! only the absolute `created` times are `now - age`. So the same seed gives the same rates,
//! ids and texts whatever the day, shifted in time. Ages are whole seconds between one minute
//! and 179 days: a generated rate stays inside Taobao's 180 days for at least a day of
//! sandbox time.
//!
//! The shape of the data:
//! - Exactly `count` rates. Most are buyers' rates of the shop (`rate_type=get`, `role=buyer`),
//!   one per sub-order; for about a fifth of sub-orders the shop rated the buyer back
//!   (`rate_type=give`, `role=seller`, same `tid` and `oid`).
//! - Orders have one sub-order (`oid == tid`) three times in four, else two or three sharing
//!   the `tid`. `tid`/`oid` are distinct 19-digit numbers.
//! - Buyers' verdicts are good/neutral/bad 85/8/7 (the shop's 96/2/2), with Chinese texts and
//!   emoji, Taobao's default good text for buyers who did not rate, seller replies to 15% of
//!   good, 50% of neutral and 80% of bad rates, logistics scores that follow the verdict, and a
//!   few rates that do not count toward the score.
//! - Buyers come from a pool a third the size of the data, so one `ouid` has several rates.
//! - The first two rates carry the prices 200.07 and 0.01, so even tiny data shows both.
//! - When `count` is above [`BURST`], the first [`BURST`] buyers' rates fall inside one hour
//!   about 30 days back (a flash sale): one query window of that hour holds more than the 1500
//!   Taobao returns, so clients must split windows.

use std::collections::HashSet;

use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_model::Fen;
use review_model::taobao::{Oid, RateResult, RateType, Role, Tid, TradeRate};

use super::catalog::{self, Item};

/// How many buyers' rates the burst hour holds when there are enough rates.
pub(crate) const BURST: usize = 1600;

/// This module's stream: the seed is XORed with it so other generators never share draws.
const STREAM: u64 = 0x6677_3139_3972_6174;
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// The youngest age of a rate.
const MIN_AGE: i64 = MINUTE;
/// The oldest age: a day inside the 180 days Taobao keeps.
const MAX_AGE: i64 = 179 * DAY;

/// A generated rate and the list it belongs to (the model's rate has no `rate_type`).
pub(crate) struct Generated {
    /// `get` (received by the shop) or `give` (given by the shop).
    pub(crate) rate_type: RateType,
    /// The rate as the gateway sends it.
    pub(crate) rate: TradeRate,
}

/// A buyer of the shop.
struct Buyer {
    /// Masked as Taobao shows it (`b**7`, `小***子`).
    nick: String,
    ouid: String,
}

/// An item with its numeric id.
struct Listed {
    item: &'static Item,
    num_iid: u64,
}

/// Generates `count` rates for `seller_nick` over the 180 days before `now`.
pub(crate) fn generate(
    seed: u64,
    count: usize,
    now: Timestamp,
    seller_nick: &str,
) -> Vec<Generated> {
    let mut generator = Generator::new(seed, count, now, seller_nick);
    generator.run();
    generator.out
}

struct Generator<'a> {
    rng: ChaCha20Rng,
    count: usize,
    now: i64,
    seller_nick: &'a str,
    items: Vec<Listed>,
    buyers: Vec<Buyer>,
    used_ids: HashSet<u64>,
    /// The age of the burst hour's newest second.
    burst_age: i64,
    out: Vec<Generated>,
}

impl<'a> Generator<'a> {
    fn new(seed: u64, count: usize, now: Timestamp, seller_nick: &'a str) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed ^ STREAM);
        let burst_age = 30 * DAY + rng.random_range(0..12 * HOUR);
        let mut num_iids = HashSet::new();
        let mut listed = |rng: &mut ChaCha20Rng, item: &'static Item| loop {
            let num_iid = rng.random_range(600_000_000_000..800_000_000_000_u64);
            if num_iids.insert(num_iid) {
                return Listed { item, num_iid };
            }
        };
        let mut items = vec![
            listed(&mut rng, &catalog::FREIGHT_LINK),
            listed(&mut rng, &catalog::MANGO),
        ];
        for item in catalog::ITEMS {
            items.push(listed(&mut rng, item));
        }
        let buyers = (0..(count / 3).max(16)).map(|_| buyer(&mut rng)).collect();
        Self {
            rng,
            count,
            now: now.as_second(),
            seller_nick,
            items,
            buyers,
            used_ids: HashSet::with_capacity(count.saturating_mul(2)),
            burst_age,
            out: Vec::with_capacity(count),
        }
    }

    fn run(&mut self) {
        let burst = if self.count > BURST { BURST } else { 0 };
        while self.out.len() < burst {
            self.order(true, burst);
        }
        while self.out.len() < self.count {
            self.order(false, self.count);
        }
    }

    /// One order: one to three sub-orders, each rated by the buyer, some rated back.
    fn order(&mut self, in_burst: bool, until: usize) {
        let buyer = self.rng.random_range(0..self.buyers.len());
        let sub_orders = match self.rng.random_range(0..100) {
            0..75 => 1,
            75..93 => 2,
            _ => 3,
        };
        let tid = self.fresh_id();
        let order_age = self.rng.random_range(MIN_AGE..=MAX_AGE);
        for _ in 0..sub_orders {
            if self.out.len() >= until {
                return;
            }
            let oid = if sub_orders == 1 {
                tid
            } else {
                self.fresh_id()
            };
            let age = if in_burst {
                self.burst_age + self.rng.random_range(0..HOUR)
            } else {
                (order_age + self.rng.random_range(0..=2 * MINUTE)).min(MAX_AGE)
            };
            let listed = self.item();
            let rate = self.buyer_rate(buyer, tid, oid, &listed, age);
            self.out.push(Generated {
                rate_type: RateType::Get,
                rate,
            });
            // The shop rates a fifth of its buyers back (never in the burst, whose count is exact).
            if !in_burst && self.out.len() < until && self.rng.random_range(0..100) < 20 {
                let back_age = (age - self.rng.random_range(10 * MINUTE..=3 * DAY)).max(MIN_AGE);
                let rate = self.seller_rate(buyer, tid, oid, &listed, back_age);
                self.out.push(Generated {
                    rate_type: RateType::Give,
                    rate,
                });
            }
        }
    }

    /// A distinct 19-digit id.
    fn fresh_id(&mut self) -> u64 {
        loop {
            let id = self
                .rng
                .random_range(1_000_000_000_000_000_000..10_000_000_000_000_000_000_u64);
            if self.used_ids.insert(id) {
                return id;
            }
        }
    }

    /// The item of the next rate: the 0.01 and 200.07 prices first, then mostly fruit.
    fn item(&mut self) -> Listed {
        let index = match self.out.len() {
            0 => 1,
            1 => 0,
            _ if self.rng.random_range(0..100) < 2 => 0,
            _ => self.rng.random_range(2..self.items.len().max(3)),
        };
        let listed = self.items.get(index).or_else(|| self.items.first());
        listed.map_or(
            Listed {
                item: &catalog::MANGO,
                num_iid: 0,
            },
            |l| Listed {
                item: l.item,
                num_iid: l.num_iid,
            },
        )
    }

    fn created(&self, age: i64) -> Timestamp {
        Timestamp::from_second(self.now.saturating_sub(age)).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn buyer_rate(
        &mut self,
        buyer: usize,
        tid: u64,
        oid: u64,
        listed: &Listed,
        age: i64,
    ) -> TradeRate {
        let rng = &mut self.rng;
        let result = match rng.random_range(0..100) {
            0..85 => RateResult::Good,
            85..93 => RateResult::Neutral,
            _ => RateResult::Bad,
        };
        let defaulted = matches!(result, RateResult::Good) && rng.random_range(0..100) < 8;
        let content = if defaulted {
            catalog::DEFAULT_GOOD.to_owned()
        } else {
            sentence(rng, result)
        };
        let reply_share = match result {
            RateResult::Good => 15,
            RateResult::Neutral => 50,
            RateResult::Bad => 80,
        };
        let reply = (!defaulted && rng.random_range(0..100) < reply_share).then(|| {
            let replies = if result == RateResult::Good {
                catalog::GOOD_REPLIES
            } else {
                catalog::SORRY_REPLIES
            };
            pick(rng, replies).to_owned()
        });
        let logistics = match result {
            RateResult::Good => rng.random_range(4..=5),
            RateResult::Neutral => rng.random_range(3..=4),
            RateResult::Bad => rng.random_range(1..=3),
        };
        let valid_score = if defaulted {
            rng.random_bool(0.5)
        } else {
            rng.random_range(0..100) >= 3
        };
        let (nick, ouid) = self.buyer_identity(buyer);
        TradeRate {
            tid: Tid(tid),
            oid: Oid(oid),
            role: Role::Buyer,
            nick: Some(nick),
            result,
            created: self.created(age),
            rated_nick: Some(self.seller_nick.to_owned()),
            item_title: Some(listed.item.title.to_owned()),
            item_price: Some(Fen::new(listed.item.price_fen)),
            content,
            reply,
            num_iid: Some(listed.num_iid),
            logistics_service_score: Some(logistics),
            ouid: Some(ouid),
            valid_score: Some(valid_score),
        }
    }

    fn seller_rate(
        &mut self,
        buyer: usize,
        tid: u64,
        oid: u64,
        listed: &Listed,
        age: i64,
    ) -> TradeRate {
        let rng = &mut self.rng;
        let (result, texts) = match rng.random_range(0..100) {
            0..96 => (RateResult::Good, catalog::SELLER_GOOD),
            96..98 => (RateResult::Neutral, catalog::SELLER_NEUTRAL),
            _ => (RateResult::Bad, catalog::SELLER_BAD),
        };
        let content = pick(rng, texts).to_owned();
        let reply =
            (rng.random_range(0..100) < 2).then(|| pick(rng, catalog::BUYER_REPLIES).to_owned());
        let (nick, ouid) = self.buyer_identity(buyer);
        TradeRate {
            tid: Tid(tid),
            oid: Oid(oid),
            role: Role::Seller,
            nick: Some(self.seller_nick.to_owned()),
            result,
            created: self.created(age),
            rated_nick: Some(nick),
            item_title: Some(listed.item.title.to_owned()),
            item_price: Some(Fen::new(listed.item.price_fen)),
            content,
            reply,
            num_iid: Some(listed.num_iid),
            logistics_service_score: None,
            ouid: Some(ouid),
            valid_score: Some(true),
        }
    }

    fn buyer_identity(&self, buyer: usize) -> (String, String) {
        self.buyers
            .get(buyer)
            .map_or_else(Default::default, |b| (b.nick.clone(), b.ouid.clone()))
    }
}

/// The characters of an `ouid`.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A buyer with a masked nick and an `AA…` ouid of 24 characters.
fn buyer(rng: &mut ChaCha20Rng) -> Buyer {
    let name = if rng.random_range(0..100) < 45 {
        format!(
            "{}{}",
            pick(rng, catalog::LATIN_NICKS),
            rng.random_range(0..10)
        )
    } else {
        pick(rng, catalog::CHINESE_NICKS).to_owned()
    };
    let tail: String = (0..22)
        .map(|_| {
            let index = rng.random_range(0..ALPHABET.len());
            ALPHABET.get(index).map_or('A', |b| char::from(*b))
        })
        .collect();
    Buyer {
        nick: mask(&name),
        ouid: format!("AA{tail}"),
    }
}

/// Masks a nick as Taobao shows it: first and last character around `**` (Latin) or `***`.
pub(crate) fn mask(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().unwrap_or('*');
    let last = chars.next_back().unwrap_or(first);
    let stars = if first.is_ascii() { "**" } else { "***" };
    format!("{first}{stars}{last}")
}

/// A rate's words for `result`: three picks from the catalog, in the result's pattern.
fn sentence(rng: &mut ChaCha20Rng, result: RateResult) -> String {
    let parts = match result {
        RateResult::Good => [
            catalog::GOOD_OPENERS,
            catalog::GOOD_DETAILS,
            catalog::GOOD_EMOJI,
        ],
        RateResult::Neutral => [
            catalog::NEUTRAL_EMOJI,
            catalog::NEUTRAL_PARTS,
            catalog::NEUTRAL_PARTS,
        ],
        RateResult::Bad => [catalog::BAD_EMOJI, catalog::BAD_PARTS, catalog::BAD_PARTS],
    };
    // Drawn in order, as the sentence reads.
    let [first, second, third] = parts.map(|options| pick(rng, options));
    match result {
        RateResult::Good => format!("{first},{second}{third}"),
        RateResult::Neutral => format!("{first}{second},{third}。"),
        RateResult::Bad => format!("{first} {second},{third}!"),
    }
}

/// One of `options` (an empty string for an empty list, which the catalog never has).
fn pick(rng: &mut ChaCha20Rng, options: &[&'static str]) -> &'static str {
    let index = rng.random_range(0..options.len().max(1));
    options.get(index).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use jiff::SignedDuration;

    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_rates_whatever_the_day() {
        let later = now() + SignedDuration::from_hours(24 * 41 + 7);
        let a = generate(7, 2000, now(), "shop");
        let b = generate(7, 2000, later, "shop");
        assert_eq!(a.len(), 2000);
        for (a, b) in a.iter().zip(&b) {
            assert_eq!(a.rate_type, b.rate_type);
            let moved = TradeRate {
                created: a.rate.created + SignedDuration::from_hours(24 * 41 + 7),
                ..a.rate.clone()
            };
            assert_eq!(moved, b.rate);
        }
        let other = generate(8, 2000, now(), "shop");
        assert_ne!(a[0].rate.tid, other[0].rate.tid);
    }

    #[test]
    fn exactly_count_rates_with_distinct_keys_inside_180_days() {
        for count in [0, 1, 2, 17, 1600, 1601, 3000] {
            let rates = generate(3, count, now(), "shop");
            assert_eq!(rates.len(), count);
            let keys: HashSet<String> = rates.iter().map(|g| g.rate.key()).collect();
            assert_eq!(keys.len(), count);
            for g in &rates {
                let age = now().as_second() - g.rate.created.as_second();
                assert!((MIN_AGE..=MAX_AGE).contains(&age), "{age}");
                assert_eq!(g.rate.created.subsec_nanosecond(), 0);
                assert_eq!(g.rate.tid.0.to_string().len(), 19);
                assert_eq!(g.rate.oid.0.to_string().len(), 19);
                assert_eq!(g.rate_type == RateType::Get, g.rate.role == Role::Buyer);
            }
        }
    }

    #[test]
    fn a_burst_of_1600_in_one_hour_when_there_are_enough() {
        let rates = generate(11, 2400, now(), "shop");
        let burst: Vec<i64> = rates[..BURST]
            .iter()
            .map(|g| g.rate.created.as_second())
            .collect();
        let span = burst.iter().max().unwrap() - burst.iter().min().unwrap();
        assert!(span < HOUR);
        assert!(rates[..BURST].iter().all(|g| g.rate_type == RateType::Get));
    }

    #[test]
    fn prices_and_mix_are_realistic() {
        let rates = generate(5, 10_000, now(), "shop");
        let prices: HashSet<String> = rates
            .iter()
            .filter_map(|g| g.rate.item_price.map(|p| p.to_string()))
            .collect();
        assert!(prices.contains("0.01") && prices.contains("200.07"));
        let buyers: Vec<&TradeRate> = rates
            .iter()
            .filter(|g| g.rate_type == RateType::Get)
            .map(|g| &g.rate)
            .collect();
        let share =
            |result| buyers.iter().filter(|r| r.result == result).count() * 100 / buyers.len();
        assert!((80..=90).contains(&share(RateResult::Good)));
        assert!((5..=11).contains(&share(RateResult::Neutral)));
        assert!(buyers.len() > rates.len() * 3 / 4);
        assert!(buyers.iter().any(|r| r.reply.is_some()));
        assert_eq!(mask("bob7"), "b**7");
        assert_eq!(mask("小橙子"), "小***子");
    }
}
