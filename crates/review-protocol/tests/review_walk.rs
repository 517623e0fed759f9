//! The WeChat review walk against simulated servers: honest ones, ones whose requests fail and
//! are asked again, ones that leave `total` out. Every page goes through JSON and
//! `Endpoint::parse`, as a real driver's would. Each review comes exactly once, newest first,
//! with `replied` true exactly when the awaiting-reply listing does not hold it, and no window
//! read holds more awaiting ids than the cap (or one second's worth).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use proptest::prelude::*;
use review_model::wechat::{Comment, CommentListPage, FilterType};
use review_protocol::wechat::{GetCommentList, ReviewWalk};
use review_protocol::{Endpoint, Walk};

/// More requests than any terminating run of these tests needs.
const RUNAWAY: usize = 100_000;

const T0: i64 = 1_700_000_000;

/// One stored comment: id, second, whether it awaits a reply.
#[derive(Debug, Clone, Copy)]
struct Stored {
    id: u64,
    second: i64,
    awaiting: bool,
}

fn comment(stored: &Stored) -> Comment {
    let json = format!(
        r#"{{"commentId":"{}","score":500,"createTime":"{}"}}"#,
        stored.id, stored.second
    );
    review_model::from_slice::<Comment>(json.as_bytes()).expect("a valid comment")
}

/// How the server misbehaves.
#[derive(Debug, Clone, Copy)]
struct Faults {
    /// Out of 100: a request fails and is asked again.
    fail: u32,
    /// Out of 100: an answer leaves `total` out.
    no_total: u32,
}

/// A store answering like the platform: newest first, `total` the window's count.
struct Server {
    /// Newest first.
    comments: Vec<Stored>,
}

impl Server {
    fn new(mut comments: Vec<Stored>) -> Self {
        comments.sort_by_key(|c| (std::cmp::Reverse(c.second), c.id));
        Self { comments }
    }

    fn serve(&self, query: &GetCommentList, total: bool) -> CommentListPage {
        let (start, end) = (query.start_time.as_second(), query.end_time.as_second());
        let listed: Vec<&Stored> = self
            .comments
            .iter()
            .filter(|c| (start..=end).contains(&c.second))
            .filter(|c| query.filter != Some(FilterType::AwaitingReply) || c.awaiting)
            .collect();
        let from = usize::try_from(query.offset).unwrap().min(listed.len());
        let to = from.saturating_add(query.limit as usize).min(listed.len());
        CommentListPage {
            comments: listed[from..to].iter().map(|c| comment(c)).collect(),
            total: total.then_some(listed.len() as u64),
            offset: query.offset,
        }
    }
}

/// What a run delivered: (id, replied) in order, and the requests it sent.
struct Run {
    delivered: Vec<(u64, bool)>,
    requests: usize,
}

/// Runs `walk` to the end; `roll` gives a number in 0..100 per decision.
fn drive(
    walk: &mut ReviewWalk,
    server: &Server,
    faults: Faults,
    mut roll: impl FnMut() -> u32,
) -> Run {
    let mut run = Run {
        delivered: Vec::new(),
        requests: 0,
    };
    while let Some(query) = walk.next_request() {
        assert!(run.requests < RUNAWAY, "the walk does not stop");
        run.requests += 1;
        if roll() < faults.fail {
            // The request failed: the driver asks again and must get the same one.
            assert_eq!(walk.next_request(), Some(query));
            continue;
        }
        let page = server.serve(&query, roll() >= faults.no_total);
        let body = serde_json::to_vec(&page).unwrap();
        let parsed = query.parse(http::Response::new(&body[..])).unwrap();
        for review in walk.feed(parsed) {
            run.delivered
                .push((review.id.parse::<u64>().unwrap(), review.replied));
        }
    }
    assert!(walk.is_done());
    run
}

fn stored() -> impl Strategy<Value = Vec<Stored>> {
    // Up to 300 comments over up to a day, some seconds crowded.
    (
        1i64..86_400,
        prop::collection::vec((0u32..1000, any::<bool>()), 0..300),
    )
        .prop_map(|(span, raw)| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (at, awaiting))| Stored {
                    id: i as u64 + 1,
                    // A third of the comments share a handful of seconds.
                    second: T0
                        + if at % 3 == 0 {
                            i64::from(at % 5)
                        } else {
                            i64::from(at) * span / 1000
                        },
                    awaiting,
                })
                .collect()
        })
}

fn walk(cap: u64, limit: u32, filter: FilterType) -> ReviewWalk {
    let range = GetCommentList::new(
        Timestamp::from_second(T0).unwrap(),
        Timestamp::from_second(T0 + 86_400).unwrap(),
    )
    .filter(filter)
    .limit(limit);
    ReviewWalk::new(range).unwrap().window_cap(cap)
}

/// Checks a run of `filter` against the store: each listed comment once, newest first, with
/// the right `replied`.
fn check(run: &Run, server: &Server, filter: FilterType) -> Result<(), TestCaseError> {
    let expected: Vec<(u64, bool)> = server
        .comments
        .iter()
        .filter(|c| filter != FilterType::AwaitingReply || c.awaiting)
        .map(|c| (c.id, !c.awaiting && filter != FilterType::AwaitingReply))
        .collect();
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for (id, _) in &run.delivered {
        *counts.entry(*id).or_default() += 1;
    }
    prop_assert!(counts.values().all(|n| *n == 1), "a review came twice");
    prop_assert_eq!(&run.delivered, &expected);
    Ok(())
}

fn crowded_second(server: &Server) -> u64 {
    let mut per_second: HashMap<i64, u64> = HashMap::new();
    for c in &server.comments {
        *per_second.entry(c.second).or_default() += 1;
    }
    per_second.values().copied().max().unwrap_or(0)
}

proptest! {
    #[test]
    fn an_honest_server_gives_every_review_once_with_replied(
        comments in stored(), cap in 1u64..60, limit in 1u32..20,
    ) {
        let server = Server::new(comments);
        let mut walk = walk(cap, limit, FilterType::All);
        let run = drive(&mut walk, &server, Faults { fail: 0, no_total: 0 }, || 50);
        check(&run, &server, FilterType::All)?;
        let stats = walk.stats();
        prop_assert_eq!(stats.reviews, server.comments.len() as u64);
        prop_assert_eq!(stats.probes + stats.pages, run.requests as u64);
        // Memory: no window read held more awaiting ids than the cap or one crowded second.
        prop_assert!(stats.largest_awaiting <= cap.max(crowded_second(&server)));
    }

    #[test]
    fn failed_requests_and_missing_totals_change_nothing_delivered(
        comments in stored(), cap in 1u64..60, limit in 1u32..20,
        fail in 0u32..40, no_total in 0u32..40, seed in any::<u64>(),
    ) {
        let server = Server::new(comments);
        let mut state = seed | 1;
        let roll = move || {
            // xorshift: deterministic per case.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 100) as u32
        };
        let mut walk = walk(cap, limit, FilterType::All);
        let run = drive(&mut walk, &server, Faults { fail, no_total }, roll);
        check(&run, &server, FilterType::All)?;
    }

    #[test]
    fn the_awaiting_reply_listing_is_read_once_and_nothing_in_it_is_replied(
        comments in stored(), cap in 1u64..60, limit in 1u32..20,
    ) {
        let server = Server::new(comments);
        let mut walk = walk(cap, limit, FilterType::AwaitingReply);
        let run = drive(&mut walk, &server, Faults { fail: 0, no_total: 0 }, || 50);
        check(&run, &server, FilterType::AwaitingReply)?;
        prop_assert_eq!(walk.stats().largest_awaiting, 0);
    }
}

#[test]
fn a_window_above_the_cap_is_halved_and_each_half_probed_with_one_comment() {
    let comments: Vec<Stored> = (0..10)
        .map(|i| Stored {
            id: i + 1,
            second: T0 + i64::try_from(i).unwrap() * 1000,
            awaiting: i % 2 == 0,
        })
        .collect();
    let server = Server::new(comments);
    let mut walk = walk(4, 100, FilterType::All);
    let first = walk.next_request().unwrap();
    assert_eq!((first.limit, first.filter), (1, Some(FilterType::All)));
    let run = drive(
        &mut walk,
        &server,
        Faults {
            fail: 0,
            no_total: 0,
        },
        || 50,
    );
    check(&run, &server, FilterType::All).unwrap();
    assert!(walk.stats().splits >= 2, "{:?}", walk.stats());
    let ids: HashSet<u64> = run.delivered.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 10);
}

#[test]
fn an_empty_window_costs_one_probe() {
    let server = Server::new(Vec::new());
    let mut walk = walk(10, 100, FilterType::All);
    let run = drive(
        &mut walk,
        &server,
        Faults {
            fail: 0,
            no_total: 0,
        },
        || 50,
    );
    assert_eq!(run.requests, 1);
    assert!(run.delivered.is_empty());
}

#[test]
fn a_window_ending_before_it_starts_is_refused() {
    let query = GetCommentList::new(
        Timestamp::from_second(T0 + 1).unwrap(),
        Timestamp::from_second(T0).unwrap(),
    );
    assert!(ReviewWalk::new(query).is_err());
}
