//! Every WeChat review of a range as a unified [`Review`], with `replied` right, in memory
//! bounded by a window: [`ReviewWalk`].

use std::marker::PhantomData;
use std::mem;

use review_model::Review;
use review_model::mirror::{Observed, ReviewState};
use review_model::wechat::{Comment, CommentListPage, FilterType};

use super::id_set::IdSet;
use super::pager::predict_pages;
use super::{CommentPager, GetCommentList};
use crate::{BuildError, MergeStats, Walk, Window};

/// The most comments one window holds before it is halved: the memory bound.
pub const WINDOW_CAP: u64 = 5_000;

/// What a run did, for progress lines and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReviewStats {
    /// Count probes fed.
    pub probes: u64,
    /// Windows halved because they held more than the cap.
    pub splits: u64,
    /// Windows read (both listings).
    pub windows: u64,
    /// Listing pages fed, awaiting-reply ones included.
    pub pages: u64,
    /// Reviews delivered.
    pub reviews: u64,
    /// The most awaiting-reply ids held at once: what the join cost in memory.
    pub largest_awaiting: u64,
}

/// What the walk waits for.
#[derive(Debug, Clone)]
enum Step {
    /// The count of this window.
    Probe(Window),
    /// The next page of the window's awaiting-reply listing.
    Awaiting {
        window: Window,
        /// The window's count, when it was probed: how many pages its listing has.
        count: Option<u64>,
        pager: CommentPager,
        ids: IdSet,
    },
    /// The next page of the window's listing; `awaiting: None` when the listing is the
    /// awaiting-reply one itself, so nothing in it is replied.
    Listing {
        pager: CommentPager,
        awaiting: Option<IdSet>,
        /// The window's count when the listing is the whole window's: its pages before the
        /// first one tells.
        count: Option<u64>,
    },
    /// Nothing: the run is over.
    Done,
}

/// Reads every WeChat review of a range once, as a [`Review`] with `replied` right, a window of
/// at most [`WINDOW_CAP`] comments at a time.
///
/// The list endpoint does not say whether a comment was answered, but its `awaiting-reply`
/// listing of the same window does: a comment is `replied` exactly when it is not in it. So
/// each window is read twice: the awaiting-reply ids into a set, then the listing itself,
/// joined against the set.
///
/// That set, and the [`CommentPager`]s (which remember every id they delivered, to drop the
/// duplicates of a changing list), grow with the window. So the range is cut into windows of
/// at most [`WINDOW_CAP`] comments: a one-comment probe reads a window's `total`, a window
/// above the cap is halved (the newer half first, so reviews come newest first, as the
/// platform lists them), and each final window gets pagers and a set of its own. Memory is
/// bounded by the cap (some 70 bytes per id in each of the three sets: about 1 MB), whatever
/// the range, at the cost of one small probe per window. Windows are whole seconds with
/// inclusive bounds, as the API reads them ([`Window`]), so halves neither overlap nor leave a
/// gap. A single second holding more than the cap cannot be split and is read whole. A
/// one-second window needs no probe.
///
/// Holds the decisions only; the caller sends the requests ([`Walk::next_request`] gives the
/// same request until fed, so a failed one is retried by asking again).
///
/// # Example
///
/// ```
/// use jiff::Timestamp;
/// use review_model::wechat::{CommentListPage, FilterType};
/// use review_protocol::Walk;
/// use review_protocol::wechat::{GetCommentList, ReviewWalk};
///
/// // Two comments; "2" awaits a reply.
/// let serve = |query: &GetCommentList| -> CommentListPage {
///     let ids: &[&str] = match query.filter {
///         Some(FilterType::AwaitingReply) => &["2"],
///         _ => &["1", "2"],
///     };
///     let list: Vec<_> = ids
///         .iter()
///         .skip(query.offset as usize)
///         .take(query.limit as usize)
///         .map(|id| serde_json::json!({"commentId": id, "score": 500, "createTime": "1700000000"}))
///         .collect();
///     serde_json::from_value(serde_json::json!({"commentList": list, "total": ids.len()})).unwrap()
/// };
///
/// let (since, until) = (Timestamp::from_second(1_699_999_000)?, Timestamp::from_second(1_700_000_000)?);
/// let mut walk = ReviewWalk::new(GetCommentList::new(since, until).filter(FilterType::All).limit(100))?;
/// let mut replied = Vec::new();
/// while let Some(request) = walk.next_request() {
///     // A driver sends `request.request(&ctx)?` and parses the answer here.
///     replied.extend(walk.feed(serve(&request)).into_iter().map(|r| (r.id, r.replied)));
/// }
/// assert_eq!(replied, [("1".to_owned(), true), ("2".to_owned(), false)]);
/// assert_eq!((walk.stats().probes, walk.stats().windows), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReviewWalk<I = Review> {
    /// The filter and page size of the listings; its window is the range.
    query: GetCommentList,
    cap: u64,
    /// Windows still to count, the newest on top.
    pending: Vec<Window>,
    step: Step,
    stats: ReviewStats,
    items: PhantomData<fn() -> I>,
}

/// What a [`ReviewWalk`] hands out for each listed comment: the unified [`Review`] (export), or
/// an [`Observed`] that also keeps the platform's record (a mirror).
pub trait FromComment {
    /// The item of `comment`, with whether the merchant answered it.
    fn from_comment(comment: Comment, replied: bool) -> Self;
}

impl FromComment for Review {
    fn from_comment(comment: Comment, replied: bool) -> Self {
        Review::wechat(comment, replied)
    }
}

impl FromComment for Observed {
    fn from_comment(comment: Comment, replied: bool) -> Self {
        Observed::wechat(&comment, replied, ReviewState::default())
    }
}

impl ReviewWalk {
    /// Walks `query`'s window with its filter (`None` leaves the platform's default) and page
    /// size; its `offset` is ignored, since every window is read from its start. Refuses a
    /// query no page of which could be built.
    pub fn new(query: GetCommentList) -> Result<Self, BuildError> {
        Self::of(query)
    }
}

impl<I: FromComment> ReviewWalk<I> {
    /// [`ReviewWalk::new`], handing out `I`s.
    pub fn of(query: GetCommentList) -> Result<Self, BuildError> {
        query.validate()?;
        let range = Window::covering(query.start_time, query.end_time);
        let mut walk = Self {
            query,
            cap: WINDOW_CAP,
            pending: Vec::new(),
            step: Step::Done,
            stats: ReviewStats::default(),
            items: PhantomData,
        };
        walk.enter(range);
        Ok(walk)
    }

    /// Halves windows above `cap` comments (at least 1) instead of [`WINDOW_CAP`].
    #[must_use]
    pub fn window_cap(mut self, cap: u64) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// Whether the run is over: no request follows.
    pub fn is_done(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    /// Counts `window` first, unless it is a single second that could not be split anyway.
    fn enter(&mut self, window: Window) {
        if window.seconds() > 1 {
            self.step = Step::Probe(window);
        } else {
            self.read(window, None);
        }
    }

    /// Starts reading `window`: its awaiting-reply ids first, unless that is the listing.
    fn read(&mut self, window: Window, count: Option<u64>) {
        self.stats.windows = self.stats.windows.saturating_add(1);
        let listing = self.query.filter;
        if listing == Some(FilterType::AwaitingReply) {
            self.list(window, None, None);
            return;
        }
        match self.pager(window, Some(FilterType::AwaitingReply)) {
            Some(pager) => {
                self.step = Step::Awaiting {
                    window,
                    count,
                    pager,
                    ids: IdSet::default(),
                }
            }
            None => self.next_window(),
        }
    }

    /// Starts the window's listing, joined against `awaiting`.
    fn list(&mut self, window: Window, awaiting: Option<IdSet>, count: Option<u64>) {
        let count = self.listing_count(count);
        match self.pager(window, self.query.filter) {
            Some(pager) => {
                self.step = Step::Listing {
                    pager,
                    awaiting,
                    count,
                }
            }
            None => self.next_window(),
        }
    }

    /// How many the listing holds, from the window's count: known only when the listing is
    /// the whole window's.
    fn listing_count(&self, count: Option<u64>) -> Option<u64> {
        count.filter(|_| self.query.filter == Some(FilterType::All))
    }

    /// A pager over `window`; `None` only if the query could not be built, which `new`
    /// already ruled out (the window lies within the validated one, the page size is kept).
    fn pager(&self, window: Window, filter: Option<FilterType>) -> Option<CommentPager> {
        let mut query = GetCommentList::new(window.start, window.end).limit(self.query.limit);
        query.filter = filter;
        CommentPager::new(query).ok()
    }

    /// The listing's pages of `window` after its awaiting-reply ids; how many follows from
    /// the count only when the listing is the whole window's.
    fn predict_listing(
        &self,
        window: Window,
        count: Option<u64>,
        max: usize,
        out: &mut Vec<GetCommentList>,
    ) -> bool {
        let Some(pager) = self.pager(window, self.query.filter) else {
            return false;
        };
        predict_pages(pager.query(), 0, self.listing_count(count), max, out)
    }

    /// The first request of `window` once it is the walk's turn.
    fn first_request(&self, window: Window) -> Option<GetCommentList> {
        if window.seconds() > 1 {
            return Some(probe(window));
        }
        self.first_page(window)
    }

    /// The first page `window` is read with once counted (its awaiting-reply listing's,
    /// unless that is the listing).
    fn first_page(&self, window: Window) -> Option<GetCommentList> {
        let filter = if self.query.filter == Some(FilterType::AwaitingReply) {
            self.query.filter
        } else {
            Some(FilterType::AwaitingReply)
        };
        self.pager(window, filter)?.next_request()
    }

    /// Counts the next pending window, or ends the run.
    fn next_window(&mut self) {
        match self.pending.pop() {
            Some(window) => self.enter(window),
            None => self.step = Step::Done,
        }
    }

    /// Decides on a counted window: skip it, halve it, or read it.
    fn counted(&mut self, window: Window, total: Option<u64>) {
        match total {
            Some(0) => self.next_window(),
            Some(total) if total > self.cap => match window.halves() {
                Some((older, newer)) => {
                    self.stats.splits = self.stats.splits.saturating_add(1);
                    self.pending.push(older);
                    self.enter(newer);
                }
                None => self.read(window, Some(total)),
            },
            _ => self.read(window, total),
        }
    }
}

impl<I: FromComment> Walk for ReviewWalk<I> {
    type Request = GetCommentList;
    type Page = CommentListPage;
    type Item = I;
    type Stats = ReviewStats;

    fn next_request(&self) -> Option<GetCommentList> {
        match &self.step {
            Step::Probe(window) => Some(probe(*window)),
            Step::Awaiting { pager, .. } | Step::Listing { pager, .. } => pager.next_request(),
            Step::Done => None,
        }
    }

    fn feed(&mut self, page: CommentListPage) -> Vec<I> {
        match mem::replace(&mut self.step, Step::Done) {
            Step::Done => Vec::new(),
            Step::Probe(window) => {
                self.stats.probes = self.stats.probes.saturating_add(1);
                self.counted(window, page.total);
                Vec::new()
            }
            Step::Awaiting {
                window,
                count,
                mut pager,
                mut ids,
            } => {
                self.stats.pages = self.stats.pages.saturating_add(1);
                for comment in pager.feed(page) {
                    ids.insert(&comment.comment_id);
                }
                let held = u64::try_from(ids.len()).unwrap_or(u64::MAX);
                self.stats.largest_awaiting = self.stats.largest_awaiting.max(held);
                if pager.is_done() {
                    self.list(window, Some(ids), count);
                } else {
                    self.step = Step::Awaiting {
                        window,
                        count,
                        pager,
                        ids,
                    };
                }
                Vec::new()
            }
            Step::Listing {
                mut pager,
                awaiting,
                count,
            } => {
                self.stats.pages = self.stats.pages.saturating_add(1);
                let reviews: Vec<I> = pager
                    .feed(page)
                    .into_iter()
                    .map(|comment| {
                        let replied = awaiting
                            .as_ref()
                            .is_some_and(|ids| !ids.contains(&comment.comment_id));
                        I::from_comment(comment, replied)
                    })
                    .collect();
                let delivered = u64::try_from(reviews.len()).unwrap_or(u64::MAX);
                self.stats.reviews = self.stats.reviews.saturating_add(delivered);
                if pager.is_done() {
                    self.next_window();
                } else {
                    self.step = Step::Listing {
                        pager,
                        awaiting,
                        count,
                    };
                }
                reviews
            }
        }
    }

    fn stats(&self) -> &ReviewStats {
        &self.stats
    }

    /// A window's first page is guessed beside its count (the window is usually read whole:
    /// a window that is split or empty wastes that one request), its other pages follow the
    /// count; the next window's first request follows its last page.
    fn upcoming(&self, max: usize) -> Vec<GetCommentList> {
        let mut out = Vec::new();
        let ends = match &self.step {
            Step::Probe(window) => {
                out.push(probe(*window));
                if out.len() < max {
                    out.extend(self.first_page(*window));
                }
                false
            }
            Step::Awaiting {
                window,
                count,
                pager,
                ..
            } => {
                pager.predict(max, &mut out) && self.predict_listing(*window, *count, max, &mut out)
            }
            Step::Listing { pager, count, .. } if pager.pages() == 0 && !pager.is_done() => {
                predict_pages(pager.query(), pager.next_offset(), *count, max, &mut out)
            }
            Step::Listing { pager, .. } => pager.predict(max, &mut out),
            Step::Done => false,
        };
        if ends
            && out.len() < max
            && let Some(next) = self.pending.last()
        {
            out.extend(self.first_request(*next));
        }
        out
    }

    fn accepts(&self, page: &CommentListPage) -> bool {
        match &self.step {
            Step::Awaiting { pager, .. } | Step::Listing { pager, .. } => pager.accepts(page),
            Step::Probe(_) | Step::Done => true,
        }
    }

    /// The oldest pending window, as a walk of its own.
    fn split_off(&mut self) -> Option<Self> {
        if self.pending.is_empty() {
            return None;
        }
        let window = self.pending.remove(0);
        let mut walk = Self {
            query: self.query.clone(),
            cap: self.cap,
            pending: Vec::new(),
            step: Step::Done,
            stats: ReviewStats::default(),
            items: PhantomData,
        };
        walk.enter(window);
        Some(walk)
    }
}

impl MergeStats for ReviewStats {
    fn merge(&mut self, other: &Self) {
        self.probes = self.probes.saturating_add(other.probes);
        self.splits = self.splits.saturating_add(other.splits);
        self.windows = self.windows.saturating_add(other.windows);
        self.pages = self.pages.saturating_add(other.pages);
        self.reviews = self.reviews.saturating_add(other.reviews);
        self.largest_awaiting = self.largest_awaiting.max(other.largest_awaiting);
    }
}

/// The one-comment count of `window`.
fn probe(window: Window) -> GetCommentList {
    GetCommentList::new(window.start, window.end)
        .filter(FilterType::All)
        .limit(1)
}
