//! Concurrent walks against simulated platforms that answer in any order: whatever order the
//! answers come in, whatever the platform throttles, and however many are in flight, a
//! concurrent walk delivers exactly the sequence the walk alone delivers, holds a bounded
//! number of pages, and never has more in flight than allowed. Against a store that changes
//! while it is read, no review comes twice.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use review_model::taobao::{TradeRate, TradeRatePage, WINDOW_CAP};
use review_model::wechat::{CommentListPage, FilterType};
use review_model::{Review, Sentiment};
use review_protocol::concurrent::{Concurrency, Concurrent, ConcurrentStats, Next};
use review_protocol::taobao::{self, SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{self, GetCommentList};
use review_protocol::{MergeStats, Throttle, Walk};

/// More steps than any terminating run of these tests needs.
const RUNAWAY: usize = 200_000;
const T0: i64 = 1_700_000_000;

fn now() -> Timestamp {
    Timestamp::from_second(T0).unwrap()
}

/// A deterministic stream of choices, from a proptest seed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % sides.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.roll(100) < percent
    }
}

/// Drives `walk` alone, one request at a time.
fn sequential<W: Walk>(mut walk: W, mut serve: impl FnMut(&W::Request) -> W::Page) -> Vec<W::Item> {
    let mut items = Vec::new();
    for _ in 0..RUNAWAY {
        let Some(request) = walk.next_request() else {
            return items;
        };
        items.extend(walk.feed(serve(&request)));
    }
    panic!("the walk did not end");
}

/// How the simulated platform answers a concurrent walk.
#[derive(Debug, Clone, Copy)]
struct Network {
    seed: u64,
    /// Out of 100: an answer is a throttle instead.
    throttle: usize,
    /// Requests granted per quota window (counted when they are sent, as a platform counts
    /// them on arrival); the rest of a window's are refused as a spent quota.
    quota: Option<u64>,
}

impl Network {
    /// Answers in any order, throttling `throttle` out of 100 at random.
    fn random(seed: u64, throttle: usize) -> Self {
        Self {
            seed,
            throttle,
            quota: None,
        }
    }

    /// Answers in any order, granting `quota` requests a window.
    fn quota(seed: u64, quota: u64) -> Self {
        Self {
            seed,
            throttle: 0,
            quota: Some(quota),
        }
    }
}

/// Drives `walk` with up to `settings` in flight, answering a random request in flight at each
/// millisecond (or throttling it as `network` says); `serve` may change the store before each
/// answer.
fn concurrent<W>(
    walk: W,
    settings: Concurrency,
    network: Network,
    mut serve: impl FnMut(&W::Request, &mut Dice) -> W::Page,
) -> (Vec<W::Item>, ConcurrentStats, W::Stats)
where
    W: Walk,
    W::Request: PartialEq + Clone,
    W::Stats: MergeStats + Clone,
{
    let window_ms = i64::try_from(settings.window().as_millis()).unwrap();
    let mut dice = Dice(network.seed);
    let mut walk = Concurrent::new(walk, settings);
    let mut clock = now();
    // The quota window requests are counted in, and how many were sent in it.
    let mut counted: (i64, u64) = (i64::MIN, 0);
    let mut on_the_wire = Vec::new();
    let mut items = Vec::new();
    for _ in 0..RUNAWAY {
        match walk.next(clock) {
            Next::Send(ticket, request) => {
                let window = clock.as_millisecond().div_euclid(window_ms);
                if counted.0 != window {
                    counted = (window, 0);
                }
                counted.1 += 1;
                let over_quota = network.quota.is_some_and(|quota| counted.1 > quota);
                on_the_wire.push((ticket, request, over_quota));
                assert!(on_the_wire.len() <= settings.max_in_flight());
            }
            Next::Wait { until } => {
                if on_the_wire.is_empty() {
                    let until = until.expect("a wait with nothing in flight has an end");
                    assert!(until > clock, "a pause ends later");
                    clock = until;
                    continue;
                }
                let (ticket, request, over_quota) =
                    on_the_wire.swap_remove(dice.roll(on_the_wire.len()));
                clock += SignedDuration::from_millis(1);
                if over_quota {
                    assert!(walk.refused(ticket, Throttle::Quota, clock));
                } else if dice.chance(network.throttle) {
                    let kind = if dice.chance(50) {
                        Throttle::Quota
                    } else {
                        Throttle::Busy
                    };
                    assert!(
                        walk.refused(ticket, kind, clock),
                        "refused too often in a row"
                    );
                } else {
                    let page = serve(&request, &mut dice);
                    walk.answered(ticket, page);
                }
            }
            Next::Done => {
                items.extend(walk.ready());
                let stats = walk.stats();
                assert!(
                    stats.peak_held <= settings.hold() + settings.max_in_flight(),
                    "held {} pages",
                    stats.peak_held
                );
                return (items, stats, walk.walk_stats().unwrap());
            }
        }
        items.extend(walk.ready());
    }
    panic!("the concurrent walk did not end");
}

/// One stored WeChat comment.
#[derive(Debug, Clone, Copy)]
struct Stored {
    id: u64,
    second: i64,
    awaiting: bool,
}

/// A WeChat store answering like the platform: newest first, `total` the window's count.
#[derive(Debug, Clone)]
struct Wechat {
    comments: Vec<Stored>,
}

impl Wechat {
    fn new(mut comments: Vec<Stored>) -> Self {
        comments.sort_by_key(|c| (std::cmp::Reverse(c.second), c.id));
        Self { comments }
    }

    fn serve(&self, query: &GetCommentList) -> CommentListPage {
        let (start, end) = (query.start_time.as_second(), query.end_time.as_second());
        let listed: Vec<&Stored> = self
            .comments
            .iter()
            .filter(|c| (start..=end).contains(&c.second))
            .filter(|c| query.filter != Some(FilterType::AwaitingReply) || c.awaiting)
            .collect();
        let from = usize::try_from(query.offset).unwrap().min(listed.len());
        let to = from.saturating_add(query.limit as usize).min(listed.len());
        let json: Vec<String> = listed[from..to]
            .iter()
            .map(|c| {
                format!(
                    r#"{{"commentId":"{}","score":{},"createTime":"{}"}}"#,
                    c.id,
                    100 * (1 + c.id % 5),
                    c.second
                )
            })
            .collect();
        let body = format!(
            r#"{{"commentList":[{}],"total":{}}}"#,
            json.join(","),
            listed.len()
        );
        review_model::from_slice(body.as_bytes()).unwrap()
    }

    /// Deletes one comment or writes a new one, as buyers do while a walk runs.
    fn change(&mut self, dice: &mut Dice, next_id: &mut u64, span: i64, delete: bool) {
        if delete && !self.comments.is_empty() {
            let at = dice.roll(self.comments.len());
            self.comments.remove(at);
        } else {
            *next_id += 1;
            let second = T0 - i64::try_from(dice.roll(usize::try_from(span).unwrap())).unwrap();
            self.comments.push(Stored {
                id: *next_id,
                second,
                awaiting: dice.chance(30),
            });
            self.comments
                .sort_by_key(|c| (std::cmp::Reverse(c.second), c.id));
        }
    }
}

fn stored_comments(count: usize, span: i64, seed: u64) -> Vec<Stored> {
    let mut dice = Dice(seed);
    (0..count)
        .map(|i| Stored {
            id: i as u64 + 1,
            second: T0 - i64::try_from(dice.roll(usize::try_from(span).unwrap())).unwrap(),
            awaiting: dice.chance(30),
        })
        .collect()
}

fn wechat_walk(span: i64, limit: u32, cap: u64) -> wechat::ReviewWalk {
    let query = GetCommentList::new(Timestamp::from_second(T0 - span).unwrap(), now())
        .filter(FilterType::All)
        .limit(limit);
    wechat::ReviewWalk::new(query).unwrap().window_cap(cap)
}

fn keys(reviews: &[Review]) -> Vec<(String, bool, Sentiment)> {
    reviews
        .iter()
        .map(|r| (r.id.clone(), r.replied, r.sentiment))
        .collect()
}

/// A Taobao store answering like the gateway: at most 1500 per window.
struct Gateway {
    rates: Vec<TradeRate>,
}

impl Gateway {
    fn new(count: usize, span: i64, bursts: usize, seed: u64) -> Self {
        let mut dice = Dice(seed);
        let mut rates = Vec::new();
        for i in 0..count {
            // A share of the rates fall in a few one-hour bursts, so that windows split.
            let offset = if bursts > 0 && dice.chance(60) {
                let burst = dice.roll(bursts) as i64;
                (burst * 7 + 1) * 86_400 % span + dice.roll(3_600) as i64
            } else {
                dice.roll(usize::try_from(span).unwrap()) as i64
            };
            let created = Timestamp::from_second(T0 - offset.min(span - 1)).unwrap();
            let result = ["good", "neutral", "bad"][i % 3];
            let json = serde_json::json!({
                "tid": i as u64 + 1, "oid": i as u64 + 1, "role": "buyer",
                "result": result,
                "created": review_model::taobao::format_time(created),
            });
            rates.push(serde_json::from_value::<TradeRate>(json).unwrap());
        }
        // The gateway's order within a window: newest first.
        rates.sort_by_key(|r| (std::cmp::Reverse(r.created), r.tid));
        Self { rates }
    }

    fn serve(&self, query: &SearchTradeRates) -> TradeRatePage {
        let (start, end) = (query.start_date.unwrap(), query.end_date.unwrap());
        let window: Vec<&TradeRate> = self
            .rates
            .iter()
            .filter(|r| (start..=end).contains(&r.created))
            .collect();
        let visible = window.len().min(WINDOW_CAP as usize);
        let size = query.page_size.unwrap() as usize;
        let from = ((query.page_no.unwrap() as usize - 1) * size).min(visible);
        let to = (from + size).min(visible);
        let has_next = query.use_has_next == Some(true);
        TradeRatePage {
            total_results: (!has_next).then_some(visible as u64),
            has_next: has_next.then_some(to < visible),
            rates: window[from..to].iter().map(|r| (*r).clone()).collect(),
            ..TradeRatePage::default()
        }
    }
}

fn taobao_walk(span: i64, page_size: u32) -> taobao::ReviewWalk {
    let since = Timestamp::from_second(T0 - span).unwrap();
    let planner = WindowPlanner::new(
        SearchTradeRates::received("shop"),
        since,
        now(),
        now(),
        page_size,
    )
    .unwrap();
    taobao::ReviewWalk::new(planner)
}

fn rate_keys(reviews: &[Review]) -> Vec<String> {
    reviews.iter().map(|r| r.id.clone()).collect()
}

fn settings(max: usize, hold: usize) -> Concurrency {
    Concurrency::new(max)
        .hold_pages(hold)
        .quota_window(Duration::from_secs(60))
        .max_refusals(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any order of answers, throttles included, any limit and hold: the walk's own sequence.
    #[test]
    fn wechat_concurrent_is_the_sequential_walk(
        count in 0_usize..900,
        span in 1_i64..400_000,
        limit in 1_u32..60,
        cap in 5_u64..400,
        max in 1_usize..12,
        hold in 1_usize..24,
        seed in any::<u64>(),
        throttle in prop_oneof![Just(0_usize), 1_usize..30],
    ) {
        let store = Wechat::new(stored_comments(count, span, seed));
        let alone = sequential(wechat_walk(span, limit, cap), |q| store.serve(q));
        let network = Network::random(seed, throttle);
        let (together, stats, walk_stats) = concurrent(
            wechat_walk(span, limit, cap),
            settings(max, hold),
            network,
            |q, _| store.serve(q),
        );
        prop_assert_eq!(keys(&together), keys(&alone));
        prop_assert_eq!(walk_stats.reviews, alone.len() as u64);
        prop_assert!(stats.peak_in_flight <= max);
        if throttle == 0 {
            prop_assert_eq!(stats.refused, 0);
        }
    }

    /// On a list that does not change, nothing is fetched twice: the only requests beyond the
    /// walk's own are the first pages guessed beside counts that then split or skip the
    /// window, one per probe at most.
    #[test]
    fn a_stable_wechat_list_is_fetched_once(
        count in 0_usize..900,
        span in 1_i64..400_000,
        limit in 1_u32..60,
        cap in 5_u64..400,
        max in 1_usize..12,
        hold in 1_usize..24,
        seed in any::<u64>(),
    ) {
        let store = Wechat::new(stored_comments(count, span, seed));
        let mut asked = 0_u64;
        let alone = sequential(wechat_walk(span, limit, cap), |q| {
            asked += 1;
            store.serve(q)
        });
        let network = Network::random(seed, 0);
        let (together, stats, walk_stats) = concurrent(
            wechat_walk(span, limit, cap),
            settings(max, hold),
            network,
            |q, _| store.serve(q),
        );
        prop_assert_eq!(keys(&together), keys(&alone));
        prop_assert!(
            stats.sent <= asked + walk_stats.probes,
            "sent {} for {} requests and {} probes", stats.sent, asked, walk_stats.probes
        );
    }

    /// The gateway's window planner, split into lanes: the walk's own sequence, and the
    /// planned windows still tile the range.
    #[test]
    fn taobao_concurrent_is_the_sequential_walk(
        count in 0_usize..5_000,
        bursts in 0_usize..4,
        span_days in 1_i64..170,
        page_size in prop_oneof![Just(100_u32), 1_u32..150],
        max in 1_usize..12,
        seed in any::<u64>(),
        throttle in prop_oneof![Just(0_usize), 1_usize..30],
    ) {
        let span = span_days * 86_400;
        let gateway = Gateway::new(count, span, bursts, seed);
        let alone = sequential(taobao_walk(span, page_size), |q| gateway.serve(q));
        let (together, _, plan) = concurrent(
            taobao_walk(span, page_size),
            settings(max, 2 * max),
            Network::random(seed, throttle),
            |q, _| gateway.serve(q),
        );
        prop_assert_eq!(rate_keys(&together), rate_keys(&alone));
        prop_assert_eq!(plan.delivered, alone.len() as u64);
        let windows: Vec<_> = plan.windows.iter().map(|w| w.window).collect();
        for pair in windows.windows(2) {
            prop_assert_eq!(pair[0].end.as_second() + 1, pair[1].start.as_second());
        }
        if let (Some(first), Some(last), Some(range)) = (windows.first(), windows.last(), plan.range) {
            prop_assert_eq!((first.start, last.end), (range.start, range.end));
        }
    }

    /// A store that changes while it is read, answers in any order: no review twice; and
    /// while the changes all go one way (only new reviews, or only deletions), so that every
    /// change shows in `total`, every review that was there from start to end is delivered.
    /// (Changes that cancel out in `total` between the serving of two pages of a window can
    /// hide a shift, from the sequential walk too: see the module documentation.)
    #[test]
    fn a_changing_wechat_store_never_yields_a_review_twice(
        count in 0_usize..600,
        span in 1_i64..200_000,
        limit in 1_u32..40,
        max in 1_usize..10,
        seed in any::<u64>(),
        churn in 1_usize..30,
        mode in 0_u8..3,
    ) {
        let mut store = Wechat::new(stored_comments(count, span, seed));
        let mut next_id = 1_000_000;
        let mut removed = HashSet::new();
        let (together, _, _) = concurrent(
            wechat_walk(span, limit, 200),
            settings(max, 2 * max),
            Network::random(seed, 5),
            |q, dice| {
                if dice.chance(churn) {
                    let before: HashSet<u64> = store.comments.iter().map(|c| c.id).collect();
                    let delete = match mode {
                        0 => true,
                        1 => false,
                        _ => dice.chance(50),
                    };
                    store.change(dice, &mut next_id, span, delete);
                    let after: HashSet<u64> = store.comments.iter().map(|c| c.id).collect();
                    removed.extend(before.difference(&after).copied());
                }
                store.serve(q)
            },
        );
        let mut seen = HashSet::new();
        for review in &together {
            prop_assert!(seen.insert(review.id.clone()), "{} twice", review.id);
        }
        for stored in stored_comments(count, span, seed) {
            if mode < 2 && !removed.contains(&stored.id) {
                prop_assert!(seen.contains(&stored.id.to_string()), "{} lost", stored.id);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Against a quota of a few requests a window, no request is refused twice in a row and
    /// the walk still delivers its own sequence.
    #[test]
    fn a_quota_refuses_no_request_twice_in_a_row(
        count in 0_usize..1_500,
        span in 1_i64..400_000,
        limit in 5_u32..60,
        max in 1_usize..12,
        quota in 1_u64..10,
        seed in any::<u64>(),
    ) {
        let store = Wechat::new(stored_comments(count, span, seed));
        let alone = sequential(wechat_walk(span, limit, 300), |q| store.serve(q));
        let settings = Concurrency::new(max).quota_window(Duration::from_millis(200));
        let (together, stats, _) = concurrent(
            wechat_walk(span, limit, 300),
            settings,
            Network::quota(seed, quota),
            |q, _| store.serve(q),
        );
        prop_assert_eq!(keys(&together), keys(&alone));
        prop_assert!(stats.longest_refusal_run <= 1, "{:?}", stats);
        if stats.refused > 0 {
            prop_assert!(stats.window_budget.is_some_and(|b| b <= quota), "{:?}", stats);
        }
    }

    /// The same for the gateway's windows, read in lanes.
    #[test]
    fn a_quota_refuses_no_taobao_request_twice_in_a_row(
        count in 0_usize..3_000,
        bursts in 0_usize..4,
        span_days in 1_i64..170,
        page_size in 20_u32..150,
        max in 1_usize..12,
        quota in 1_u64..10,
        seed in any::<u64>(),
    ) {
        let span = span_days * 86_400;
        let gateway = Gateway::new(count, span, bursts, seed);
        let alone = sequential(taobao_walk(span, page_size), |q| gateway.serve(q));
        let settings = Concurrency::new(max).quota_window(Duration::from_millis(200));
        let (together, stats, _) = concurrent(
            taobao_walk(span, page_size),
            settings,
            Network::quota(seed, quota),
            |q, _| gateway.serve(q),
        );
        prop_assert_eq!(rate_keys(&together), rate_keys(&alone));
        prop_assert!(stats.longest_refusal_run <= 1, "{:?}", stats);
    }
}

/// A throttle pauses every send until the next quota window, then the walk goes on at half
/// the limit; the refused request is the first sent again.
#[test]
fn a_spent_quota_pauses_until_the_next_window_and_halves_the_limit() {
    let store = Wechat::new(stored_comments(2_000, 10_000, 7));
    let mut walk = Concurrent::new(
        wechat_walk(10_000, 50, 5_000),
        Concurrency::new(8).quota_window(Duration::from_secs(60)),
    );
    let clock = Timestamp::from_second(T0 + 30).unwrap();
    // Probe, awaiting page 0: one at a time until the counts are known.
    let mut sent = Vec::new();
    while sent.len() < 8 {
        match walk.next(clock) {
            Next::Send(ticket, request) => sent.push((ticket, request)),
            Next::Wait { .. } => {
                let (ticket, request) = sent.remove(0);
                walk.answered(ticket, store.serve(&request));
            }
            Next::Done => panic!("over too soon"),
        }
    }
    let (ticket, refused) = sent.remove(3);
    assert!(walk.refused(ticket, Throttle::Quota, clock));
    assert_eq!(walk.stats().limit, 4, "halved");
    let Next::Wait { until: Some(until) } = walk.next(clock) else {
        panic!("a spent quota pauses");
    };
    // The next window starts at the next multiple of 60 s since the epoch, plus a margin.
    let next_minute = Timestamp::from_second((clock.as_second() / 60 + 1) * 60).unwrap();
    assert!(until > next_minute);
    assert!(until < next_minute + SignedDuration::from_secs(2));
    assert!(matches!(
        walk.next(until - SignedDuration::from_millis(1)),
        Next::Wait { .. }
    ));
    for (ticket, request) in sent.drain(..) {
        walk.answered(ticket, store.serve(&request));
    }
    let Next::Send(_, again) = walk.next(until) else {
        panic!("sending resumes at the next window");
    };
    assert_eq!(again, refused, "the refused request goes first");
    assert!(walk.stats().limit > 4, "answers grow the limit again");
}

/// A request refused too often in a row gives the walk up.
#[test]
fn a_request_refused_every_time_gives_up() {
    let mut walk = Concurrent::new(
        wechat_walk(1_000, 50, 5_000),
        Concurrency::new(2)
            .max_refusals(3)
            .busy_backoff(Duration::from_millis(10), Duration::from_secs(1)),
    );
    let mut clock = now();
    let mut verdicts = Vec::new();
    for _ in 0..10 {
        match walk.next(clock) {
            Next::Send(ticket, _) => verdicts.push(walk.refused(ticket, Throttle::Busy, clock)),
            Next::Wait { until } => clock = until.unwrap(),
            Next::Done => panic!("not done"),
        }
        if verdicts.last() == Some(&false) {
            break;
        }
    }
    assert_eq!(verdicts, [true, true, false]);
    assert_eq!(walk.stats().longest_refusal_run, 3);
}

/// Busy answers back off longer each time in a row.
#[test]
fn busy_backoff_doubles() {
    let mut walk = Concurrent::new(
        wechat_walk(1_000, 50, 5_000),
        Concurrency::new(1).busy_backoff(Duration::from_millis(100), Duration::from_secs(1)),
    );
    let clock = now();
    let mut waits = Vec::new();
    let mut at = clock;
    for _ in 0..5 {
        let Next::Send(ticket, _) = walk.next(at) else {
            panic!("expected a send");
        };
        assert!(walk.refused(ticket, Throttle::Busy, at));
        let Next::Wait { until: Some(until) } = walk.next(at) else {
            panic!("expected a pause");
        };
        waits.push(until.duration_since(at).as_millis());
        at = until;
    }
    assert_eq!(waits, [100, 200, 400, 800, 1000]);
}

/// The simulated gateway caps a window's count as the real one does.
#[test]
fn the_simulated_gateway_caps_windows() {
    let gateway = Gateway::new(2_000, 3_600, 0, 1);
    let probe = {
        let mut q = SearchTradeRates::received("shop")
            .window(Timestamp::from_second(T0 - 3_599).unwrap(), now())
            .page(1, 1);
        q.use_has_next = Some(false);
        q
    };
    assert_eq!(gateway.serve(&probe).total_results, Some(1_500));
}
