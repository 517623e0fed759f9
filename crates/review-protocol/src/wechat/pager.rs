//! Every evaluation of a time window, page by page, as a sans-IO state machine.
//!
//! `/wxaapi/comment/mpcommentlist/get` pages by `offset`/`limit` over a list that keeps changing
//! while we read it: buyers write new reviews, reviews get deleted. [`CommentPager`] decides
//! which page to ask for next and which comments are new; the caller owns the socket. The
//! blocking `Iterator` and the async `Stream` drivers both run this one machine, so they make
//! the same decisions (the gitlab crate's lazy pager follows the same split).
//!
//! # The loop
//!
//! [`next_request`](CommentPager::next_request) gives the endpoint of the next page (`None` once
//! the run is over); the driver sends it, parses the answer with
//! [`Endpoint::parse`](crate::Endpoint::parse), and hands the page to
//! [`feed`](CommentPager::feed), which returns the comments not delivered before.
//!
//! # When the run ends
//!
//! - an empty page: nothing lies beyond it (unless `total` shrank: see below);
//! - the next offset reaches the last known `total`;
//! - `total` was never sent and a page brought nothing new: a server that ignores `offset`
//!   answers the first page again and again, and without a total there is no other way to tell
//!   the end from an endless loop.
//!
//! A page shorter than `limit` does not end the run: the platform may cap the page size, and
//! only an empty page or the total proves the end.
//!
//! # When the list changes under us
//!
//! Comment ids are remembered for the whole run, so no comment is ever delivered twice,
//! whatever the server does.
//!
//! - **`total` grows** (new reviews at the head): everything older shifts forward, so the next
//!   page starts with comments already delivered. They are filtered out; nothing is skipped.
//!   The new reviews themselves sit behind us and are not read: start a new run to see them.
//! - **`total` shrinks by `d`** (reviews deleted): if the deleted ones were behind our offset,
//!   everything after them shifted back by up to `d`, and the page just read started `d` places
//!   too far: the comments now at `[offset - d, offset)` were never read. So the pager steps
//!   back and reads again from `offset - d`; the overlap comes back as duplicates and is
//!   filtered. If the deleted ones were ahead of us, the step back costs one page of
//!   duplicates and loses nothing. `total` alone cannot tell the two cases apart, so the pager
//!   always assumes the one that loses data. This holds for an empty page too: when the
//!   deletions moved everything left to before our offset, the page comes back empty, yet the
//!   comments are there. (Stepping back only from the *next* offset,
//!   `offset + len - d`, is not enough: the skipped comments lie before the page just read.)
//!
//! # Progress
//!
//! The offset cannot strictly increase on every page: the comments skipped after a deletion lie
//! before the page just read, so reading them means going back. Instead, between two step
//! backs the offset strictly increases (by the length of each page, at least one), and the
//! steps back of a run add up to at most the largest `total` seen. That allowance covers every
//! deletion of the reviews the window held (they are at most that many), so nothing is lost
//! to it unless a run sees more reviews deleted than the window ever held. And a server that
//! makes `total` swing up and down without changing its content cannot keep the pager going
//! round in circles: once the allowance is spent the offset only moves forward, and the run
//! ends at the total or at an empty page. Without a total there is no step back at all.
//!
//! # Example
//!
//! ```
//! use jiff::Timestamp;
//! use review_protocol::Endpoint;
//! use review_protocol::wechat::{CommentPager, GetCommentList};
//!
//! // A fake server: three comments, two per page, answering like the platform.
//! let all = ["101", "102", "103"];
//! let serve = |query: &GetCommentList| -> Vec<u8> {
//!     let start = usize::try_from(query.offset).unwrap().min(all.len());
//!     let end = (start + query.limit as usize).min(all.len());
//!     let list: Vec<_> = all[start..end]
//!         .iter()
//!         .map(|id| serde_json::json!({"commentId": id, "score": 500, "createTime": "1700000000"}))
//!         .collect();
//!     serde_json::to_vec(&serde_json::json!({
//!         "errcode": 0,
//!         "commentList": list,
//!         "total": all.len(),
//!         "offset": query.offset,
//!     }))
//!     .unwrap()
//! };
//!
//! let window = GetCommentList::new(
//!     Timestamp::from_second(1_700_000_000)?,
//!     Timestamp::from_second(1_700_086_400)?,
//! )
//! .limit(2);
//! let mut pager = CommentPager::new(window)?;
//! let mut ids = Vec::new();
//! while let Some(request) = pager.next_request() {
//!     let body = serve(&request); // a driver sends `request.request(&ctx)?` here
//!     let page = request.parse(http::Response::new(&body[..]))?;
//!     ids.extend(pager.feed(page).into_iter().map(|c| c.comment_id.into_string()));
//! }
//! assert_eq!(ids, ["101", "102", "103"]);
//! assert_eq!((pager.pages(), pager.items(), pager.total()), (2, 3, Some(3)));
//! assert!(pager.is_done());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::id_set::IdSet;
use review_model::wechat::{Comment, CommentListPage};

use super::GetCommentList;
use crate::{BuildError, Walk};

/// Reads every evaluation of a window once, whatever the list does meanwhile.
///
/// Holds the decisions only: which page next, which comments are new, when to stop; the
/// caller sends the requests. No comment is delivered twice in a run. The run ends at an
/// empty page, at the last `total`, or, when the platform sends no total, at a page with
/// nothing new (a server ignoring `offset`). When `total` shrinks between pages, reviews were
/// deleted and later ones moved back, so the pager steps back by as much and reads the overlap
/// again rather than skip any; those steps back are bounded, so a run always ends.
///
/// ```
/// # use review_model::wechat::CommentListPage;
/// use review_protocol::wechat::{CommentPager, GetCommentList};
/// # let (start, end) = (jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::UNIX_EPOCH);
/// # let fetch = |_: &GetCommentList| Ok::<_, review_protocol::Error>(CommentListPage::default());
/// let mut pager = CommentPager::new(GetCommentList::new(start, end).limit(20))?;
/// while let Some(request) = pager.next_request() {
///     // Send `request.request(&ctx)?`, then `request.parse(response)?`.
///     let page = fetch(&request)?;
///     for comment in pager.feed(page) {
///         println!("{}", comment.comment_id);
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CommentPager {
    /// The window, filter and page size; its `offset` is where the run started.
    query: GetCommentList,
    /// Where the next page starts.
    next_offset: u64,
    /// The last `total` a page sent.
    total: Option<u64>,
    /// The largest `total` any page sent: how far the steps back may go in all.
    largest_total: u64,
    /// How far the pager has stepped back in all.
    rewound: u64,
    /// Every comment id delivered so far.
    seen: IdSet,
    /// Pages fed.
    pages: u64,
    /// Comments delivered.
    items: u64,
    /// Whether the run is over.
    done: bool,
}

impl CommentPager {
    /// Starts a run at `query.offset`, refusing a query no page of which could be built, so a
    /// driver learns of a bad window before sending anything.
    ///
    /// The page size is `query.limit` ([`DEFAULT_LIMIT`](super::DEFAULT_LIMIT) unless set).
    pub fn new(query: GetCommentList) -> Result<Self, BuildError> {
        query.validate()?;
        Ok(Self {
            next_offset: query.offset,
            query,
            total: None,
            largest_total: 0,
            rewound: 0,
            seen: IdSet::default(),
            pages: 0,
            items: 0,
            done: false,
        })
    }

    /// The endpoint to send next, or `None` when the run is over.
    ///
    /// Asking twice without feeding gives the same request, so a driver may retry it freely.
    #[must_use]
    pub fn next_request(&self) -> Option<GetCommentList> {
        if self.done {
            return None;
        }
        Some(self.query.clone().offset(self.next_offset))
    }

    /// Takes the answer to [`next_request`](Self::next_request) and returns the comments of
    /// this page not delivered before, in the page's order.
    ///
    /// A driver that wants pages rather than items reads [`total`](Self::total) after each
    /// call. Feeding a finished pager changes nothing and returns nothing.
    #[must_use = "the new comments are returned only once"]
    pub fn feed(&mut self, page: CommentListPage) -> Vec<Comment> {
        if self.done {
            return Vec::new();
        }
        self.pages = self.pages.saturating_add(1);
        let requested = self.next_offset;
        let previous_total = self.total;
        if let Some(total) = page.total {
            self.total = Some(total);
            self.largest_total = self.largest_total.max(total);
        }

        let received = u64::try_from(page.comments.len()).unwrap_or(u64::MAX);
        let fresh: Vec<Comment> = page
            .comments
            .into_iter()
            .filter(|comment| self.seen.insert(&comment.comment_id))
            .collect();
        let delivered = u64::try_from(fresh.len()).unwrap_or(u64::MAX);
        self.items = self.items.saturating_add(delivered);

        // Deletions behind us shifted unread comments to `[requested - shrunk, requested)`,
        // possibly all of what was left: even an empty page may need a step back.
        let shrunk = match (previous_total, page.total) {
            (Some(before), Some(now)) => before.saturating_sub(now),
            _ => 0,
        };
        let allowance = self.largest_total.saturating_sub(self.rewound);
        let back = shrunk.min(requested).min(allowance);
        if back > 0 {
            self.rewound = self.rewound.saturating_add(back);
            self.next_offset = requested.saturating_sub(back);
        } else if received == 0 {
            self.done = true;
            return fresh;
        } else {
            self.next_offset = requested.saturating_add(received);
        }

        self.done = match self.total {
            Some(total) => self.next_offset >= total,
            None => delivered == 0,
        };
        fresh
    }

    /// Whether the run is over: no request follows.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// How many pages were fed, for progress reports and request budgets.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// How many comments were delivered (duplicates not counted).
    pub fn items(&self) -> u64 {
        self.items
    }

    /// The last `total` the platform sent, for a progress bar; `None` until a page carries one.
    ///
    /// Only an estimate: the list may change during the run.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Where the next page starts, for logs and for resuming a run with
    /// [`GetCommentList::offset`].
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// The window, filter and page size of the run.
    pub fn query(&self) -> &GetCommentList {
        &self.query
    }

    /// Whether a page fetched ahead of its turn shows the list as the pages before it did: the
    /// same `total` (or no total to compare).
    pub(crate) fn accepts(&self, page: &CommentListPage) -> bool {
        match (self.total, page.total) {
            (Some(before), Some(now)) => before == now,
            _ => true,
        }
    }

    /// Appends to `out` the pages that follow if each comes back full and the total stays
    /// (at most `max` in all in `out`); returns whether they end the run.
    pub(crate) fn predict(&self, max: usize, out: &mut Vec<GetCommentList>) -> bool {
        if self.done {
            return true;
        }
        predict_pages(&self.query, self.next_offset, self.total, max, out)
    }
}

/// Appends to `out` the pages of `query` from `offset` on, up to `total` when it is known (at
/// most `max` in all in `out`); returns whether they reach `total`.
pub(crate) fn predict_pages(
    query: &GetCommentList,
    offset: u64,
    total: Option<u64>,
    max: usize,
    out: &mut Vec<GetCommentList>,
) -> bool {
    let step = u64::from(query.limit.max(1));
    let mut offset = offset;
    loop {
        if out.len() >= max {
            return false;
        }
        out.push(query.clone().offset(offset));
        offset = offset.saturating_add(step);
        match total {
            Some(total) if offset < total => {}
            Some(_) => return true,
            None => return false,
        }
    }
}

impl Walk for CommentPager {
    type Request = GetCommentList;
    type Page = CommentListPage;
    type Item = Comment;
    /// The pager is its own report: pages, items, total.
    type Stats = Self;

    fn next_request(&self) -> Option<GetCommentList> {
        CommentPager::next_request(self)
    }

    fn feed(&mut self, page: CommentListPage) -> Vec<Comment> {
        CommentPager::feed(self, page)
    }

    fn upcoming(&self, max: usize) -> Vec<GetCommentList> {
        let mut out = Vec::new();
        self.predict(max, &mut out);
        out
    }

    fn accepts(&self, page: &CommentListPage) -> bool {
        CommentPager::accepts(self, page)
    }

    fn stats(&self) -> &Self {
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use jiff::Timestamp;

    use super::*;

    fn comment(id: u64) -> Comment {
        let json = format!(r#"{{"commentId":"{id}","score":500,"createTime":"1700000000"}}"#);
        review_model::from_slice(json.as_bytes()).expect("a valid comment")
    }

    fn page(ids: &[u64], total: Option<u64>) -> CommentListPage {
        CommentListPage {
            comments: ids.iter().copied().map(comment).collect(),
            total,
            offset: 0,
        }
    }

    fn pager(limit: u32) -> CommentPager {
        let window = GetCommentList::new(
            Timestamp::from_second(1_700_000_000).unwrap(),
            Timestamp::from_second(1_700_086_400).unwrap(),
        )
        .limit(limit);
        CommentPager::new(window).unwrap()
    }

    #[test]
    fn the_same_request_until_fed() {
        let pager = pager(3);
        assert_eq!(pager.next_request(), pager.next_request());
        assert_eq!(pager.next_request().map(|q| q.offset), Some(0));
    }

    #[test]
    fn a_finished_pager_ignores_pages() {
        let mut pager = pager(3);
        assert!(pager.feed(page(&[], Some(0))).is_empty());
        assert!(pager.is_done());
        assert!(pager.feed(page(&[1, 2], Some(2))).is_empty());
        assert_eq!((pager.pages(), pager.items()), (1, 0));
    }

    #[test]
    fn a_shrinking_total_steps_back_by_the_shrink() {
        let mut pager = pager(3);
        assert_eq!(pager.feed(page(&[1, 2, 3], Some(10))).len(), 3);
        assert_eq!(pager.next_offset(), 3);
        // Comment 2 was deleted: 4 moved to offset 2, the page at 3 starts with 5.
        assert_eq!(pager.feed(page(&[5, 6, 7], Some(9))).len(), 3);
        assert_eq!(pager.next_offset(), 2);
        let again: Vec<_> = pager
            .feed(page(&[4, 5, 6], Some(9)))
            .into_iter()
            .map(|c| c.comment_id.into_string())
            .collect();
        assert_eq!(again, ["4"]);
        assert_eq!(pager.next_offset(), 5);
    }
}
