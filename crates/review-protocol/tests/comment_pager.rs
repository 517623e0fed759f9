//! The comment pager against simulated servers: honest ones, ones whose list grows or shrinks
//! between pages, and ones that ignore `offset`. Every page goes through JSON and
//! `Endpoint::parse`, as a real driver's would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use proptest::prelude::*;
use proptest::sample::Index;
use review_model::wechat::{Comment, CommentListPage, FilterType};
use review_model::{AccessToken, CommentId};
use review_protocol::wechat::{CommentPager, DEFAULT_LIMIT, GetCommentList, WechatContext};
use review_protocol::{BaseUrl, Endpoint};

/// More requests than any terminating run of these tests needs.
const RUNAWAY: usize = 10_000;

fn comment(id: u64) -> Comment {
    let json = format!(r#"{{"commentId":"{id}","score":500,"createTime":"1700000000"}}"#);
    review_model::from_slice::<Comment>(json.as_bytes()).expect("a valid comment")
}

fn page(ids: &[u64], total: Option<u64>, offset: u64) -> CommentListPage {
    CommentListPage {
        comments: ids.iter().copied().map(comment).collect(),
        total,
        offset,
    }
}

fn window() -> GetCommentList {
    GetCommentList::new(
        Timestamp::from_second(1_700_000_000).unwrap(),
        Timestamp::from_second(1_700_086_400).unwrap(),
    )
}

fn pager(limit: u32) -> CommentPager {
    CommentPager::new(window().limit(limit)).unwrap()
}

/// `items[offset..offset + limit]`, as the platform would slice it.
fn slice(items: &[u64], query: &GetCommentList) -> Vec<u64> {
    let start = usize::try_from(query.offset).unwrap().min(items.len());
    let end = start.saturating_add(query.limit as usize).min(items.len());
    items[start..end].to_vec()
}

/// Runs the pager to the end. `serve` answers the `n`th request (from 0); the page travels as
/// JSON and is parsed by the endpoint. Returns the delivered ids and the number of requests.
fn drive(
    pager: &mut CommentPager,
    mut serve: impl FnMut(usize, &GetCommentList) -> CommentListPage,
) -> (Vec<u64>, usize) {
    let mut delivered = Vec::new();
    let mut requests = 0;
    while let Some(query) = pager.next_request() {
        assert!(requests < RUNAWAY, "the pager does not stop");
        let body = serde_json::to_vec(&serve(requests, &query)).unwrap();
        requests += 1;
        let parsed = query.parse(http::Response::new(&body[..])).unwrap();
        for c in pager.feed(parsed) {
            delivered.push(c.comment_id.as_str().parse::<u64>().unwrap());
        }
    }
    assert!(pager.is_done());
    assert_eq!(pager.pages(), requests as u64);
    assert_eq!(pager.items(), delivered.len() as u64);
    (delivered, requests)
}

fn assert_unique(delivered: &[u64]) {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for id in delivered {
        *counts.entry(*id).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

fn limits() -> impl Strategy<Value = u32> {
    1u32..50
}

proptest! {
    #[test]
    fn an_honest_server_yields_every_item_once_in_order(n in 0u64..200, limit in limits()) {
        let items: Vec<u64> = (1..=n).collect();
        let mut pager = pager(limit);
        let (delivered, requests) =
            drive(&mut pager, |_, q| page(&slice(&items, q), Some(n), q.offset));
        prop_assert_eq!(&delivered, &items);
        prop_assert!(requests as u64 <= n / u64::from(limit) + 2, "{} requests", requests);
        prop_assert_eq!(pager.total(), Some(n));
    }

    #[test]
    fn without_a_total_an_honest_server_is_read_to_the_empty_page(
        n in 0u64..200,
        limit in limits(),
    ) {
        let items: Vec<u64> = (1..=n).collect();
        let mut pager = pager(limit);
        let (delivered, requests) =
            drive(&mut pager, |_, q| page(&slice(&items, q), None, q.offset));
        prop_assert_eq!(&delivered, &items);
        prop_assert_eq!(requests as u64, n.div_ceil(u64::from(limit)) + 1);
        prop_assert_eq!(pager.total(), None);
    }

    #[test]
    fn reviews_inserted_at_the_head_neither_skip_nor_repeat(
        n in 0u64..200,
        limit in limits(),
        inserts in prop::collection::vec(0usize..20, 0..10),
    ) {
        let original: Vec<u64> = (1..=n).collect();
        let mut items = original.clone();
        let mut fresh_id = 1_000_000;
        let mut pager = pager(limit);
        let (delivered, _) = drive(&mut pager, |request, q| {
            // Before every page but the first, the next batch of new reviews arrives.
            if let Some(k) = request.checked_sub(1).and_then(|i| inserts.get(i)) {
                for _ in 0..*k {
                    fresh_id += 1;
                    items.insert(0, fresh_id);
                }
            }
            page(&slice(&items, q), Some(items.len() as u64), q.offset)
        });
        assert_unique(&delivered);
        let originals: Vec<u64> =
            delivered.iter().copied().filter(|id| *id <= n).collect();
        prop_assert_eq!(originals, original);
    }

    #[test]
    fn deleted_reviews_neither_skip_nor_repeat_the_others(
        n in 1u64..200,
        limit in limits(),
        deletions in prop::collection::vec(prop::collection::vec(any::<Index>(), 0..10), 0..10),
    ) {
        let original: Vec<u64> = (1..=n).collect();
        let mut items = original.clone();
        let mut pager = pager(limit);
        let (delivered, requests) = drive(&mut pager, |request, q| {
            // Before every page but the first, a batch of reviews is deleted, behind or ahead.
            if let Some(batch) = request.checked_sub(1).and_then(|i| deletions.get(i)) {
                for index in batch {
                    if !items.is_empty() {
                        items.remove(index.index(items.len()));
                    }
                }
            }
            page(&slice(&items, q), Some(items.len() as u64), q.offset)
        });
        assert_unique(&delivered);
        let delivered_set: HashSet<u64> = delivered.iter().copied().collect();
        let missing: Vec<u64> =
            items.iter().copied().filter(|id| !delivered_set.contains(id)).collect();
        prop_assert!(missing.is_empty(), "never delivered: {:?}", missing);
        prop_assert!(delivered.iter().all(|id| original.contains(id)));
        // Forward steps, plus steps back bounded by the first total.
        prop_assert!(requests as u64 <= 3 * n + 2, "{} requests", requests);
    }

    #[test]
    fn reviews_inserted_and_deleted_together_neither_skip_nor_repeat(
        n in 1u64..200,
        limit in limits(),
        changes in prop::collection::vec(
            (0usize..20, prop::collection::vec(any::<Index>(), 0..10)),
            0..10,
        ),
    ) {
        let mut items: Vec<u64> = (1..=n).collect();
        let mut fresh_id = 1_000_000;
        let mut pager = pager(limit);
        let (delivered, _) = drive(&mut pager, |request, q| {
            // Before every page but the first: new reviews at the head, then some of the
            // original ones deleted, wherever they are.
            if let Some((k, batch)) = request.checked_sub(1).and_then(|i| changes.get(i)) {
                for _ in 0..*k {
                    fresh_id += 1;
                    items.insert(0, fresh_id);
                }
                for index in batch {
                    let originals: Vec<usize> =
                        (0..items.len()).filter(|i| items[*i] <= n).collect();
                    if !originals.is_empty() {
                        items.remove(originals[index.index(originals.len())]);
                    }
                }
            }
            page(&slice(&items, q), Some(items.len() as u64), q.offset)
        });
        assert_unique(&delivered);
        let delivered_set: HashSet<u64> = delivered.iter().copied().collect();
        let missing: Vec<u64> = items
            .iter()
            .copied()
            .filter(|id| *id <= n && !delivered_set.contains(id))
            .collect();
        prop_assert!(missing.is_empty(), "never delivered: {:?}", missing);
    }

    #[test]
    fn a_server_ignoring_offset_is_left_after_two_requests(n in 0u64..200, limit in limits()) {
        let items: Vec<u64> = (1..=n).collect();
        let first = slice(&items, &window().limit(limit));
        let mut pager = pager(limit);
        let (delivered, requests) = drive(&mut pager, |_, _| page(&first, None, 0));
        prop_assert!(requests <= 2, "{} requests", requests);
        prop_assert_eq!(delivered, first);
    }

    #[test]
    fn a_server_ignoring_offset_with_a_total_ends_at_the_total(
        n in 0u64..200,
        limit in limits(),
    ) {
        let items: Vec<u64> = (1..=n).collect();
        let first = slice(&items, &window().limit(limit));
        let mut pager = pager(limit);
        let (delivered, requests) = drive(&mut pager, |_, _| page(&first, Some(n), 0));
        prop_assert!(requests as u64 <= n.div_ceil(u64::from(limit)) + 1, "{} requests", requests);
        prop_assert_eq!(delivered, first);
    }
}

#[test]
fn an_empty_first_page_ends_the_run() {
    let mut pager = pager(8);
    assert!(pager.feed(page(&[], None, 0)).is_empty());
    assert!(pager.is_done());
    assert_eq!(pager.next_request(), None);
    assert_eq!((pager.pages(), pager.items()), (1, 0));
}

#[test]
fn an_empty_first_page_with_a_total_ends_the_run() {
    let mut pager = pager(8);
    assert!(pager.feed(page(&[], Some(5), 0)).is_empty());
    assert!(pager.is_done());
    assert_eq!(pager.total(), Some(5));
}

#[test]
fn without_a_total_short_pages_do_not_end_the_run() {
    // The platform may cap the page size: only an empty page proves the end.
    let pages = [vec![1, 2, 3], vec![4], vec![5, 6], vec![]];
    let mut pager = pager(3);
    let (delivered, requests) = drive(&mut pager, |i, q| page(&pages[i], None, q.offset));
    assert_eq!(delivered, [1, 2, 3, 4, 5, 6]);
    assert_eq!(requests, 4);
    assert_eq!(pager.total(), None);
}

#[test]
fn offsets_advance_by_what_the_page_held() {
    let mut pager = pager(3);
    let _ = pager.feed(page(&[1, 2, 3], None, 0));
    assert_eq!(pager.next_request().map(|q| q.offset), Some(3));
    let _ = pager.feed(page(&[4], None, 3));
    assert_eq!(pager.next_request().map(|q| q.offset), Some(4));
}

#[test]
fn a_known_total_ends_the_run_without_an_empty_page() {
    let items: Vec<u64> = (1..=6).collect();
    let mut pager = pager(3);
    let (delivered, requests) = drive(&mut pager, |_, q| {
        page(&slice(&items, q), Some(6), q.offset)
    });
    assert_eq!(delivered, items);
    assert_eq!(requests, 2);
}

#[test]
fn a_page_repeating_itself_inside_one_page_is_deduplicated() {
    let mut pager = pager(4);
    let fresh = pager.feed(page(&[1, 2, 2, 1], Some(10), 0));
    let ids: Vec<&str> = fresh.iter().map(|c| c.comment_id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(pager.items(), 2);
    assert_eq!(pager.next_offset(), 4);
}

#[test]
fn every_request_keeps_the_window_filter_and_page_size() {
    let query = window().filter(FilterType::Bad).limit(5).offset(10);
    let mut pager = CommentPager::new(query.clone()).unwrap();
    assert_eq!(pager.next_request(), Some(query.clone()));
    let _ = pager.feed(page(&[1, 2, 3, 4, 5], Some(100), 10));
    assert_eq!(pager.next_request(), Some(query.clone().offset(15)));
    assert_eq!(pager.query(), &query);
}

#[test]
fn the_default_page_size_is_the_documented_eight() {
    let pager = CommentPager::new(window()).unwrap();
    let query = pager.next_request().unwrap();
    assert_eq!(query.limit, DEFAULT_LIMIT);
    assert_eq!(query.limit, 8);
    let ctx = WechatContext::new(BaseUrl::wechat(), AccessToken::new("t0ken"));
    let request = query.request(&ctx).unwrap();
    let uri = request.uri().to_string();
    assert!(uri.contains("offset=0"), "{uri}");
    assert!(uri.contains("limit=8"), "{uri}");
}

#[test]
fn a_zero_page_size_is_refused() {
    let err = CommentPager::new(window().limit(0)).unwrap_err();
    assert_eq!(err.param(), "limit");
    assert_eq!(
        err.to_string(),
        "invalid `limit`: the page size must be at least 1"
    );
}

#[test]
fn a_window_ending_before_it_starts_is_refused() {
    let query = GetCommentList::new(
        Timestamp::from_second(1_700_086_400).unwrap(),
        Timestamp::from_second(1_700_000_000).unwrap(),
    );
    let err = CommentPager::new(query).unwrap_err();
    assert_eq!(err.param(), "startTime");
    assert_eq!(
        err.to_string(),
        "invalid `startTime`: the window starts (2023-11-15T22:13:20Z) after it ends \
         (2023-11-14T22:13:20Z)"
    );
}

#[test]
fn a_run_never_repeats_an_id_even_across_resets_of_the_list() {
    // The server answers the same two ids at every offset while the total says more.
    let mut pager = pager(2);
    let (delivered, requests) = drive(&mut pager, |_, q| page(&[7, 8], Some(6), q.offset));
    assert_eq!(delivered, [7, 8]);
    assert_eq!(requests, 3);
    let ids: HashSet<CommentId> = [CommentId::new("7"), CommentId::new("8")].into();
    assert_eq!(ids.len() as u64, pager.items());
}

#[test]
fn deletions_behind_us_that_empty_the_next_page_are_read_back() {
    // Seven reviews, pages of two; after the first page the first five are deleted, so the
    // page at offset 2 comes back empty although 6 and 7 are still there, at 0 and 1.
    let mut items: Vec<u64> = (1..=7).collect();
    let mut pager = pager(2);
    let (delivered, requests) = drive(&mut pager, |request, q| {
        if request == 1 {
            items.drain(..5);
        }
        page(&slice(&items, q), Some(items.len() as u64), q.offset)
    });
    assert_eq!(delivered, [1, 2, 6, 7]);
    assert_eq!(requests, 3);
}

#[test]
fn a_total_swinging_without_new_content_cannot_keep_the_run_going() {
    let items: Vec<u64> = (1..=10).collect();
    let mut pager = pager(2);
    let (delivered, requests) = drive(&mut pager, |request, q| {
        let total = if request % 2 == 0 { 10 } else { 4 };
        page(&slice(&items, q), Some(total), q.offset)
    });
    assert_unique(&delivered);
    assert!(requests <= 30, "{requests} requests");
}
