//! What every walk over a platform's pages has in common, so that one driver type runs them
//! all: ask for the next request, feed its answer, hand out the items, report what was done.

use jiff::Timestamp;

use crate::Endpoint;

/// A sans-IO walk: which request to send next, and what its answer yields.
///
/// [`CommentPager`](crate::wechat::CommentPager),
/// [`ReviewWalk`](crate::wechat::ReviewWalk) (WeChat),
/// [`WindowPlanner`](crate::taobao::WindowPlanner) and
/// [`ReviewWalk`](crate::taobao::ReviewWalk) (Taobao) are walks; the client's pager drives any
/// of them as an `Iterator` or a `Stream`.
///
/// ```
/// use review_model::wechat::CommentListPage;
/// use review_protocol::Walk;
/// use review_protocol::wechat::{CommentPager, GetCommentList};
///
/// fn drain<W: Walk>(walk: &mut W, answer: impl Fn(&W::Request) -> W::Page) -> Vec<W::Item> {
///     let mut items = Vec::new();
///     while let Some(request) = walk.next_request() {
///         items.extend(walk.feed(answer(&request)));
///     }
///     items
/// }
///
/// let window = GetCommentList::new(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::UNIX_EPOCH);
/// let mut pager = CommentPager::new(window)?;
/// assert!(drain(&mut pager, |_| CommentListPage::default()).is_empty());
/// # Ok::<(), review_protocol::BuildError>(())
/// ```
pub trait Walk {
    /// The endpoint every request of the walk calls.
    type Request: Endpoint<Output = Self::Page>;
    /// The endpoint's answer.
    type Page;
    /// What the walk hands out.
    type Item;
    /// What the walk reports of its run.
    type Stats;

    /// The request to send next, `None` once the walk is over. The same until fed, so a driver
    /// retries by asking again.
    fn next_request(&self) -> Option<Self::Request>;

    /// Takes the answer to [`next_request`](Self::next_request); returns the new items.
    fn feed(&mut self, page: Self::Page) -> Vec<Self::Item>;

    /// Lets a walk whose requests depend on the clock follow it; most ignore it.
    fn advance(&mut self, now: Timestamp) {
        let _ = now;
    }

    /// The run so far.
    fn stats(&self) -> &Self::Stats;

    /// The requests this walk will ask for, in order, if every answer is the one it expects
    /// (full pages, an unchanged total): at most `max`, the first being
    /// [`next_request`](Self::next_request). A [`Concurrent`](crate::concurrent::Concurrent)
    /// driver sends them ahead and feeds their answers in this order, dropping the guesses a
    /// surprise proved wrong; the default guesses nothing beyond the next request.
    fn upcoming(&self, max: usize) -> Vec<Self::Request> {
        self.next_request().into_iter().take(max).collect()
    }

    /// Whether `page`, the answer to [`next_request`](Self::next_request) but fetched ahead
    /// of its turn (while earlier pages were still unanswered, so the platform may have served
    /// it before them), may be fed as if fetched in turn. `false` when it shows the platform
    /// changed since the pages fed before it (another `total`): a walk that steps back after
    /// deletions must see the list's states in the order they happened, so such a page is
    /// fetched again, in turn. The default accepts every page.
    fn accepts(&self, page: &Self::Page) -> bool {
        let _ = page;
        true
    }

    /// Hands the last part of the run (the windows this walk would read last, in its own
    /// order) to a new walk, so that both can be read at once: this walk's items followed by
    /// the new one's are exactly what this walk alone would have delivered. `None` when
    /// nothing can be handed off (the default).
    fn split_off(&mut self) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }
}

/// Stats that add up: the reports of the walks a [`Walk::split_off`] made, merged into the
/// report of the one walk they replaced.
pub trait MergeStats {
    /// Adds `other`'s run to this one.
    fn merge(&mut self, other: &Self);
}
