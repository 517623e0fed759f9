//! The window planner against a simulated fw199 store that answers like the gateway: the
//! 1500-record cap per window, `total_results` capped, pages past the cap empty or cut, and
//! 180 days of history. Scattered rates, dense bursts, a single second holding more than the cap,
//! and a store that changes while the planner walks it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::sample::Index;
use review_model::taobao::{Oid, RateResult, Role, Tid, TradeRate, TradeRatePage, WINDOW_CAP};
use review_protocol::Endpoint;
use review_protocol::taobao::{SearchTradeRates, Truncated, Window, WindowPlanner, oldest};

/// More requests than any terminating run of these tests needs.
const RUNAWAY: u64 = 100_000;
const DAY: i64 = 86_400;
const CAP: usize = 1500;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

/// `now` moved by `offset` seconds.
fn at(offset: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() + offset).unwrap()
}

fn rate(tid: u64, created: Timestamp, result: RateResult) -> TradeRate {
    TradeRate {
        tid: Tid(tid),
        oid: Oid(tid),
        role: Role::Buyer,
        nick: None,
        result,
        created,
        rated_nick: None,
        item_title: None,
        item_price: None,
        content: String::new(),
        reply: None,
        num_iid: None,
        logistics_service_score: None,
        ouid: None,
        valid_score: None,
    }
}

type Key = (Tid, Oid, Role);

fn key(rate: &TradeRate) -> Key {
    (rate.tid, rate.oid, rate.role)
}

/// Rates kept in `(created, tid)` order, answered newest first, like the gateway.
#[derive(Debug, Clone, Default)]
struct Store {
    rates: Vec<TradeRate>,
    /// A page reaching past the 1500th rate of its window (`page_no × page_size > 1500`)
    /// comes back empty, instead of cut at the 1500th.
    strict: bool,
    next_tid: u64,
}

impl Store {
    fn new(created: impl IntoIterator<Item = (Timestamp, RateResult)>, strict: bool) -> Self {
        let mut store = Self {
            strict,
            ..Self::default()
        };
        for (created, result) in created {
            store.insert(created, result);
        }
        store
    }

    fn insert(&mut self, created: Timestamp, result: RateResult) {
        self.next_tid += 1;
        self.put(rate(self.next_tid, created, result));
    }

    fn put(&mut self, rate: TradeRate) {
        let at = self
            .rates
            .partition_point(|r| (r.created, r.tid) < (rate.created, rate.tid));
        self.rates.insert(at, rate);
    }

    /// The rates of the query's window (with its `result` filter), newest first.
    fn window(&self, query: &SearchTradeRates) -> Vec<&TradeRate> {
        let (start, end) = (query.start_date.unwrap(), query.end_date.unwrap());
        let lo = self.rates.partition_point(|r| r.created < start);
        let hi = self.rates.partition_point(|r| r.created <= end);
        self.rates[lo..hi.max(lo)]
            .iter()
            .rev()
            .filter(|r| query.result.is_none_or(|result| r.result == result))
            .collect()
    }

    /// How many rates the query's window holds, uncapped.
    fn count(&self, query: &SearchTradeRates) -> usize {
        self.window(query).len()
    }

    fn serve(&self, query: &SearchTradeRates) -> TradeRatePage {
        let window = self.window(query);
        let visible = window.len().min(CAP);
        let size = query.page_size.unwrap() as usize;
        let page_no = query.page_no.unwrap() as usize;
        let from = ((page_no - 1) * size).min(visible);
        let to = if self.strict && page_no * size > CAP {
            from
        } else {
            (page_no * size).min(visible)
        };
        let has_next = query.use_has_next == Some(true);
        TradeRatePage {
            request_id: None,
            total_results: (!has_next).then_some(visible as u64),
            has_next: has_next.then_some(to < visible),
            rates: window[from..to].iter().map(|r| (*r).clone()).collect(),
        }
    }
}

/// What a run sent and got.
#[derive(Debug, Default)]
struct Run {
    delivered: Vec<TradeRate>,
    requests: u64,
    /// Every window paged, with the rates it held when its first page was asked.
    paged: Vec<(Window, usize)>,
}

/// Runs the planner to the end against `store`, checking every request as the gateway would;
/// `mutate` changes the store after the `n`th request (from 1). With `json`, each page travels
/// as the gateway's JSON envelope through `Endpoint::parse`.
fn drive(
    planner: &mut WindowPlanner,
    store: &mut Store,
    json: bool,
    mut mutate: impl FnMut(u64, &mut Store),
) -> Run {
    let now = planner.now();
    let mut run = Run::default();
    while let Some(query) = planner.next_request() {
        assert!(run.requests < RUNAWAY, "the planner does not stop");
        assert_eq!(planner.next_request().as_ref(), Some(&query), "not stable");
        query.validate(now).unwrap();
        let (start, end) = (query.start_date.unwrap(), query.end_date.unwrap());
        assert!(start <= end, "{query:?}");
        assert!(start >= oldest(now) && end <= now, "{query:?}");
        assert_eq!((start.subsec_nanosecond(), end.subsec_nanosecond()), (0, 0));
        match query.use_has_next {
            Some(false) => assert_eq!((query.page_no, query.page_size), (Some(1), Some(1))),
            Some(true) => {
                if query.page_no == Some(1) {
                    run.paged.push((Window { start, end }, store.count(&query)));
                }
            }
            None => panic!("use_has_next unset: {query:?}"),
        }
        let page = store.serve(&query);
        let page = if json {
            let body = serde_json::to_vec(&serde_json::json!({
                "code": 0,
                "message": "ok",
                "data": page,
            }))
            .unwrap();
            query.parse(http::Response::new(&body[..])).unwrap()
        } else {
            page
        };
        run.delivered.extend(planner.feed(page));
        run.requests += 1;
        mutate(run.requests, store);
    }
    assert!(planner.is_done());
    assert!(planner.feed(TradeRatePage::default()).is_empty());
    let stats = planner.stats();
    assert_eq!(stats.requests(), run.requests);
    assert_eq!(stats.delivered, run.delivered.len() as u64);
    assert_unique(&run.delivered);
    run
}

fn assert_unique(delivered: &[TradeRate]) {
    let mut counts: HashMap<Key, usize> = HashMap::new();
    for rate in delivered {
        *counts.entry(key(rate)).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

/// The final windows are adjacent, do not overlap, and cover `range` with no gap.
fn assert_tiles(planner: &WindowPlanner) {
    let stats = planner.stats();
    let Some(range) = stats.range else {
        assert!(stats.windows.is_empty());
        return;
    };
    let windows: Vec<Window> = stats.windows.iter().map(|w| w.window).collect();
    assert_eq!(windows.first().map(|w| w.start), Some(range.start));
    assert_eq!(windows.last().map(|w| w.end), Some(range.end));
    for w in &windows {
        assert!(w.start <= w.end, "{w:?}");
    }
    for pair in windows.windows(2) {
        assert_eq!(
            pair[1].start.as_second(),
            pair[0].end.as_second() + 1,
            "gap or overlap between {} and {}",
            pair[0],
            pair[1]
        );
    }
}

fn planner(since: Timestamp, until: Timestamp, page_size: u32) -> WindowPlanner {
    WindowPlanner::new(
        SearchTradeRates::received("shop"),
        since,
        until,
        now(),
        page_size,
    )
    .unwrap()
}

/// `count` rates spread over the minute starting `offset` seconds from now.
fn burst(offset: i64, count: usize, seed: i64) -> Vec<(Timestamp, RateResult)> {
    (0..count as i64)
        .map(|i| (at((offset + (i * 37 + seed) % 60).min(0)), RateResult::Good))
        .collect()
}

fn results() -> impl Strategy<Value = RateResult> {
    prop::sample::select(RateResult::ALL.to_vec())
}

fn page_sizes() -> impl Strategy<Value = u32> {
    prop_oneof![1u32..=12, 1u32..=150, Just(40), Just(150)]
}

/// A requested range, as offsets from now: from 200 days back to a day into the future.
fn ranges() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![
        (-(200 * DAY)..=0i64, 0..=(201 * DAY)).prop_map(|(since, len)| (since, since + len)),
        Just((-(365 * DAY), DAY)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_rate_once_and_truncation_reported(
        scattered in prop::collection::vec((-(200 * DAY)..=0i64, results()), 0..300),
        bursts in prop::collection::vec((-(185 * DAY)..=0i64, 1501usize..1800, 0..60i64), 0..=2),
        second in prop::option::of((-(179 * DAY)..=0i64, 1500usize..1700)),
        (since, until) in ranges(),
        page_size in page_sizes(),
        strict in any::<bool>(),
    ) {
        let mut created: Vec<(Timestamp, RateResult)> =
            scattered.iter().map(|&(offset, result)| (at(offset), result)).collect();
        for &(offset, count, seed) in &bursts {
            created.extend(burst(offset, count, seed));
        }
        if let Some((offset, count)) = second {
            created.extend((0..count).map(|_| (at(offset), RateResult::Bad)));
        }
        let mut store = Store::new(created, strict);
        let mut planner = planner(at(since), at(until), page_size);
        let run = drive(&mut planner, &mut store, false, |_, _| {});
        assert_tiles(&planner);
        let stats = planner.stats();

        // Expected: every rate of the clamped range, a truncated second giving its first 1500.
        let range = stats.range;
        let in_range: Vec<&TradeRate> = store
            .rates
            .iter()
            .filter(|r| range.is_some_and(|w| w.start <= r.created && r.created <= w.end))
            .collect();
        let mut per_second: HashMap<Timestamp, usize> = HashMap::new();
        for r in &in_range {
            *per_second.entry(r.created).or_default() += 1;
        }
        let mut full: Vec<Truncated> = per_second
            .iter()
            .filter(|(_, n)| **n >= CAP)
            .map(|(second, _)| Truncated {
                window: Window { start: *second, end: *second },
                count: WINDOW_CAP,
            })
            .collect();
        full.sort_by_key(|t| t.window);
        prop_assert_eq!(&stats.truncated, &full, "truncations reported");

        let delivered: HashSet<Key> = run.delivered.iter().map(key).collect();
        let mut delivered_per_second: HashMap<Timestamp, usize> = HashMap::new();
        for r in &run.delivered {
            *delivered_per_second.entry(r.created).or_default() += 1;
        }
        for r in &in_range {
            if per_second[&r.created] < CAP {
                prop_assert!(delivered.contains(&key(r)), "lost {:?}", r.created);
            }
        }
        for t in &full {
            prop_assert_eq!(delivered_per_second.get(&t.window.start).copied(), Some(CAP));
        }
        let expected: usize = per_second.values().map(|n| (*n).min(CAP)).sum();
        prop_assert_eq!(run.delivered.len(), expected);
        prop_assert!(run.delivered.iter().all(|r| range.is_some_and(|w| w.start <= r.created && r.created <= w.end)));
        prop_assert_eq!(stats.duplicates, 0);

        // No window over the cap was paged, unless it is a reported one-second truncation.
        for (window, count) in &run.paged {
            prop_assert!(
                *count < CAP || (window.seconds() == 1 && full.iter().any(|t| t.window == *window)),
                "paged {} holding {}", window, count
            );
        }

        // The request bound: 1 + 2S probes, at most ⌊c/p⌋ + 1 pages per window paged.
        let n = in_range.len() as u64;
        let paged = stats.windows.iter().filter(|w| w.page_size.is_some()).count() as u64;
        prop_assert_eq!(paged, run.paged.len() as u64);
        if range.is_some() {
            prop_assert_eq!(stats.probes, 1 + 2 * stats.splits);
        } else {
            prop_assert_eq!(run.requests, 0);
        }
        let bound = n / u64::from(page_size) + paged + 2 * stats.splits + 1;
        prop_assert!(run.requests <= bound, "{} requests > bound {}", run.requests, bound);
        prop_assert!(stats.windows.len() as u64 <= stats.splits + 1);
    }

    #[test]
    fn a_changing_store_never_yields_a_rate_twice(
        scattered in prop::collection::vec(-(180 * DAY)..=0i64, 0..200),
        dense in prop::option::of((-(170 * DAY)..=0i64, 1501usize..1700, 0..60i64)),
        changes in prop::collection::vec((0u8..3, -(180 * DAY)..=0i64, any::<Index>()), 1..40),
        every in 1u64..5,
        page_size in page_sizes(),
        strict in any::<bool>(),
    ) {
        let mut created: Vec<(Timestamp, RateResult)> =
            scattered.iter().map(|&offset| (at(offset), RateResult::Good)).collect();
        if let Some((offset, count, seed)) = dense {
            created.extend(burst(offset, count, seed));
        }
        let mut store = Store::new(created, strict);
        let mut planner = planner(at(-(180 * DAY)), now(), page_size);
        let mut pending = changes.into_iter();
        // `drive` checks that no rate comes twice, whatever moves.
        let run = drive(&mut planner, &mut store, false, |n, store| {
            if n % every != 0 {
                return;
            }
            let Some((kind, offset, index)) = pending.next() else { return };
            match kind {
                0 => store.insert(at(offset), RateResult::Neutral),
                _ if store.rates.is_empty() => {}
                1 => {
                    store.rates.remove(index.index(store.rates.len()));
                }
                _ => {
                    // Moved: a rate already read may show up again in a later window.
                    let mut moved = store.rates.remove(index.index(store.rates.len()));
                    moved.created = at(offset);
                    store.put(moved);
                }
            }
        });
        assert_tiles(&planner);
        prop_assert!(run.requests > 0);
    }
}

#[test]
fn pages_travel_as_json_through_parse() {
    let mut created = burst(-DAY, 1700, 3);
    created.extend((0..500).map(|i| (at(-i * 3_000), RateResult::Neutral)));
    let mut store = Store::new(created, true);
    let mut planner = planner(at(-(30 * DAY)), now(), 100);
    let run = drive(&mut planner, &mut store, true, |_, _| {});
    assert_eq!(run.delivered.len(), 2200);
    assert_tiles(&planner);
    assert!(planner.stats().splits > 0);
    assert!(planner.stats().truncated.is_empty());
}

#[test]
fn the_result_filter_goes_on_every_request() {
    let created = (0..3000).map(|i| (at(-i * 60), RateResult::ALL[i as usize % 3]));
    let mut store = Store::new(created, false);
    let mut base = SearchTradeRates::received("shop");
    base.result = Some(RateResult::Bad);
    let mut planner = WindowPlanner::new(base, at(-(10 * DAY)), now(), now(), 150).unwrap();
    let run = drive(&mut planner, &mut store, false, |_, _| {});
    assert_eq!(run.delivered.len(), 1000);
    assert!(run.delivered.iter().all(|r| r.result == RateResult::Bad));
    // 1000 bad rates fit in one window: no split.
    assert_eq!(planner.stats().splits, 0);
}

#[test]
fn a_range_older_than_180_days_is_clamped_and_reported() {
    let mut store = Store::new(
        [
            (at(-(200 * DAY)), RateResult::Good),
            (at(-DAY), RateResult::Good),
        ],
        false,
    );
    let mut planner = planner(at(-(365 * DAY)), at(-DAY), 40);
    let stats = planner.stats();
    assert_eq!(stats.clamped_start, Some(oldest(now())));
    assert_eq!(stats.clamped_end, None);
    assert_eq!(stats.requested.start, at(-(365 * DAY)));
    assert_eq!(
        stats.range,
        Some(Window {
            start: oldest(now()),
            end: at(-DAY)
        })
    );
    let run = drive(&mut planner, &mut store, false, |_, _| {});
    assert_eq!(run.delivered.len(), 1);
    assert_eq!(run.delivered[0].created, at(-DAY));
}

#[test]
fn a_range_in_the_future_is_clamped_to_now() {
    let planner = planner(at(-DAY), at(DAY), 40);
    let stats = planner.stats();
    assert_eq!(stats.clamped_start, None);
    assert_eq!(stats.clamped_end, Some(now()));
    assert_eq!(stats.range.map(|w| w.end), Some(now()));
    assert_eq!(planner.next_request().unwrap().end_date, Some(now()));
}

#[test]
fn a_range_entirely_outside_is_done_with_nothing() {
    for (since, until) in [(-(400 * DAY), -(190 * DAY)), (DAY, 2 * DAY)] {
        let mut planner = planner(at(since), at(until), 40);
        assert!(planner.is_done());
        assert_eq!(planner.next_request(), None);
        let stats = planner.stats();
        assert_eq!(stats.range, None);
        assert!(stats.clamped_start.is_some() || stats.clamped_end.is_some());
        assert!(planner.feed(TradeRatePage::default()).is_empty());
        assert_eq!(planner.stats().requests(), 0);
    }
}

#[test]
fn refusals_say_what_is_wrong() {
    let refuse = |base: SearchTradeRates, since: Timestamp, until: Timestamp, size: u32| {
        WindowPlanner::new(base, since, until, now(), size)
            .unwrap_err()
            .to_string()
    };
    let shop = SearchTradeRates::received("shop");
    assert_eq!(
        refuse(shop.clone(), now(), at(-DAY), 40),
        "invalid `start_date`: the range starts (2023-11-15 06:13:20) after it ends \
         (2023-11-14 06:13:20)"
    );
    assert_eq!(
        refuse(shop.clone(), at(-DAY), now(), 0),
        "invalid `page_size`: 0 is outside 1..=150"
    );
    assert_eq!(
        refuse(shop, at(-DAY), now(), 151),
        "invalid `page_size`: 151 is outside 1..=150"
    );
    assert_eq!(
        refuse(SearchTradeRates::received(" "), at(-DAY), now(), 40),
        "invalid `tb_seller_nick`: the seller nick is empty"
    );
}

#[test]
fn the_base_window_and_paging_are_ignored() {
    let base = SearchTradeRates::received("shop")
        .window(at(-(300 * DAY)), at(-(250 * DAY)))
        .page(7, 3);
    let planner = WindowPlanner::new(base, at(-DAY), now(), now(), 40).unwrap();
    let request = planner.next_request().unwrap();
    assert_eq!(
        (request.start_date, request.end_date, request.page_no),
        (Some(at(-DAY)), Some(now()), Some(1))
    );
}

/// Rates spread over a day, one every `86400 / count` seconds.
fn spread(count: i64) -> Store {
    Store::new(
        (0..count).map(|i| (at(-i * (DAY / count)), RateResult::Good)),
        false,
    )
}

#[test]
fn a_window_of_1499_is_not_split() {
    let mut store = spread(1499);
    let mut planner = planner(at(-DAY), now(), 150);
    let run = drive(&mut planner, &mut store, false, |_, _| {});
    let stats = planner.stats();
    assert_eq!(stats.splits, 0);
    assert_eq!(stats.windows.len(), 1);
    assert_eq!(stats.windows[0].count, Some(1499));
    assert_eq!(run.delivered.len(), 1499);
    assert_eq!((stats.probes, stats.pages), (1, 10));
}

#[test]
fn a_window_of_1500_is_split() {
    let mut store = spread(1500);
    let mut planner = planner(at(-DAY), now(), 150);
    let run = drive(&mut planner, &mut store, false, |_, _| {});
    let stats = planner.stats();
    assert_eq!(stats.splits, 1);
    assert_eq!(stats.windows.len(), 2);
    assert_eq!(stats.probes, 3);
    assert_eq!(run.delivered.len(), 1500);
    assert_tiles(&planner);
}

#[test]
fn a_crowded_second_is_read_and_reported() {
    let mut store = Store::new((0..1600).map(|_| (at(-DAY), RateResult::Good)), true);
    let mut planner = planner(at(-(2 * DAY)), now(), 40);
    let run = drive(&mut planner, &mut store, false, |_, _| {});
    let stats = planner.stats();
    assert_eq!(
        stats.truncated,
        [Truncated {
            window: Window {
                start: at(-DAY),
                end: at(-DAY)
            },
            count: 1500
        }]
    );
    assert_eq!(run.delivered.len(), 1500);
    assert_tiles(&planner);
}

#[test]
fn advancing_keeps_requests_inside_180_days() {
    let store = spread(3000);
    let mut planner = WindowPlanner::new(
        SearchTradeRates::received("shop"),
        at(-(180 * DAY)),
        now(),
        now(),
        100,
    )
    .unwrap();
    let mut delivered = 0;
    let mut clock = now();
    while let Some(query) = planner.next_request() {
        query.validate(clock).unwrap();
        delivered += planner.feed(store.serve(&query)).len();
        clock += SignedDuration::from_mins(10);
        planner.advance(clock);
    }
    assert_eq!(delivered, 3000);
    assert!(planner.stats().expired_until.is_some());
}
