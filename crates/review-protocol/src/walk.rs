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
}
