//! Many requests of one walk in flight at once, its items still delivered exactly once and in
//! the walk's own order, at a pace the platform accepts.
//!
//! A [`Walk`](crate::Walk) asks for one request at a time. On a real network each costs tens of
//! milliseconds, so a walk of a few hundred pages spends nearly all its time waiting. Its
//! windows are independent by construction, and within a window the pages that follow are
//! known as soon as the count is; [`Concurrent`] uses both:
//!
//! - **Lanes.** [`Walk::split_off`](crate::Walk::split_off) hands the windows a walk would
//!   read last to a new walk, a lane of its own, read at the same time. Lanes stay in the
//!   order of the windows they hold, so the items of lane 0, then lane 1, ... are exactly the
//!   sequence the walk alone would deliver.
//! - **Prefetch.** [`Walk::upcoming`](crate::Walk::upcoming) says which requests follow if
//!   every answer is as expected (full pages, an unchanged total). They are sent ahead; their
//!   answers are fed to the lane's walk in its own order, and only when the walk then asks for
//!   exactly that request. A surprise (a short page, a total that moved) makes the walk ask
//!   for something else: the guesses after it are dropped and their answers ignored. So the
//!   walk makes every decision it makes alone, on the same answers, and keeps all of its
//!   guarantees (no comment twice, steps back after deletions, windows split under caps).
//!
//! # A list that changes while it is read
//!
//! WeChat's offset pages shift when reviews are written or deleted; its pager sees that in
//! `total` and steps back. It reasons about the list's states in the order they happened, so
//! a page fetched ahead of its turn, which the platform may have served before the pages fed
//! ahead of it, is fed only if it shows the same `total` ([`Walk::accepts`](crate::Walk::accepts));
//! otherwise it is fetched again, in turn. Every change that moves `total` is thus seen as the
//! walk alone would see it: no review is delivered twice, and none that was there throughout
//! is missed. A deletion and a new review that cancel out in `total` between the serving of
//! two pages can hide a shift, as they can from the walk alone; here the gap they must fall
//! in spans the pages in flight rather than one request.
//!
//! # Order and memory
//!
//! Items come out in the walk's own order, whatever order the answers arrive in: the head
//! lane's items at once, the other lanes' held until the lanes before them are done. What is
//! held is bounded by pages, not by records: answers ahead of their turn and pages fed to a
//! lane that is not the head count against [`Concurrency::hold`], and only the head lane may
//! send while that is spent. Memory is flat in the number of records and grows with the
//! number in flight.
//!
//! # Pace (AIMD)
//!
//! The number in flight adapts, as TCP's congestion window does: each page answered adds
//! `1/limit` (one more per round of answers), up to [`Concurrency::max_in_flight`]; a throttle
//! ([`Error::throttle`](crate::Error::throttle)) halves it, once per round, and pauses every
//! send: until the next quota window starts for a spent quota (WeChat's "retry next minute"),
//! for a backoff that doubles with each throttle in a row for a busy platform. The throttled
//! request goes back to the queue, ahead of the rest. A walk thus converges to what a
//! tenant's quota allows instead of hammering it, and a request refused once by a quota is
//! sent again only when the next window has started.
//!
//! Halving alone does not bound what a window sends (each answer lets another request go), so
//! a spent quota also sets a budget: each window then lets through as many requests as the
//! platform granted in the window of the refusal, those refused before going first, and a
//! window that spent its budget unrefused lets the next probe with one more, never with a
//! request refused before. A request is thus refused at most once in a row, unless something
//! else spends the same quota meanwhile; [`ConcurrentStats::window_budget`] says what was
//! learnt.
//!
//! # The loop
//!
//! The driver asks [`Concurrent::next`] what to do (send a request under a [`Ticket`], wait,
//! or stop), sends each request however it likes, and reports each result with
//! [`Concurrent::answered`] or [`Concurrent::refused`]; after each it takes the
//! [`Concurrent::ready`] items. It supplies the time; nothing here reads a clock.
//!
//! ```
//! use jiff::Timestamp;
//! use review_model::wechat::{CommentListPage, FilterType};
//! use review_protocol::concurrent::{Concurrency, Concurrent, Next};
//! use review_protocol::wechat::{GetCommentList, ReviewWalk};
//!
//! // 250 comments in one second, every tenth awaiting a reply.
//! let serve = |query: &GetCommentList| -> CommentListPage {
//!     let awaiting = query.filter == Some(FilterType::AwaitingReply);
//!     let ids: Vec<u32> = (0..250).filter(|id| !awaiting || id % 10 == 0).collect();
//!     let list: Vec<_> = ids
//!         .iter()
//!         .skip(query.offset as usize)
//!         .take(query.limit as usize)
//!         .map(|id| serde_json::json!({"commentId": id.to_string(), "score": 500, "createTime": "1700000000"}))
//!         .collect();
//!     serde_json::from_value(serde_json::json!({"commentList": list, "total": ids.len()})).unwrap()
//! };
//! let now = Timestamp::from_second(1_700_000_000)?;
//! let query = GetCommentList::new(now - jiff::SignedDuration::from_hours(1), now)
//!     .filter(FilterType::All)
//!     .limit(50);
//! let mut walk = Concurrent::new(ReviewWalk::new(query)?, Concurrency::new(4));
//! let (mut reviews, mut on_the_wire) = (Vec::new(), Vec::new());
//! loop {
//!     match walk.next(now) {
//!         Next::Send(ticket, request) => on_the_wire.push((ticket, request)),
//!         Next::Wait { .. } => {
//!             // The platform answers the newest request first.
//!             let (ticket, request) = on_the_wire.pop().unwrap();
//!             walk.answered(ticket, serve(&request));
//!         }
//!         Next::Done => break,
//!     }
//!     reviews.extend(walk.ready().map(|r| (r.id, r.replied)));
//! }
//! let expected: Vec<_> = (0..250).map(|id| (id.to_string(), id % 10 != 0)).collect();
//! assert_eq!(reviews, expected);
//! assert_eq!(walk.stats().peak_in_flight, 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod budget;
mod lane;
mod limit;
mod scheduler;
mod settings;

pub use scheduler::{Concurrent, ConcurrentStats, Next, Ticket};
pub use settings::{Concurrency, DEFAULT_CONCURRENCY};
