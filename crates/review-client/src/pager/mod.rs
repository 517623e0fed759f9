//! The one pager of both clients, over any [`Walk`]: an `Iterator` on the blocking client, a
//! `futures::Stream` on the async one (the gitlab crate's lazy pager: nothing is sent until
//! the first item is asked for).
//!
//! The walks of `review-protocol` decide what to ask for; the pager adds what every driver
//! needs around them: the items of the last page, the moving clock, stopping after an error.

mod iter;
mod methods;
mod stream;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use jiff::Timestamp;
use review_protocol::Walk;

use crate::error::ClientError;

pub(crate) use methods::pager_methods;

/// A request on the wire, for the async pager (boxed: the pager is a named type).
type InFlight<'c, P> = Pin<Box<dyn Future<Output = Result<P, ClientError>> + Send + 'c>>;

/// Every item of a walk: an `Iterator` of `Result<W::Item, ClientError>` on a
/// [`BlockingClient`](crate::BlockingClient), a `futures::Stream` of them on an
/// [`AsyncClient`](crate::AsyncClient). Lazy: nothing is fetched until it is iterated. An error
/// ends it; [`stats`](Self::stats) tells what the walk did.
///
/// ```no_run
/// # fn demo<T: review_client::BlockingTransport>(client: review_client::BlockingClient<T>) -> Result<(), review_client::ClientError> {
/// use review_client::WechatReviews;
/// use review_model::Timestamp;
///
/// let now = Timestamp::now();
/// let mut reviews = client.reviews(WechatReviews::new(now - jiff::SignedDuration::from_hours(24), now))?;
/// for review in reviews.by_ref() {
///     let review = review?;
///     println!("{} replied: {}", review.id, review.replied);
/// }
/// println!("{} windows", reviews.stats().windows);
/// # Ok(())
/// # }
/// ```
pub struct Pager<'c, C, W: Walk> {
    client: &'c C,
    walk: W,
    buffer: VecDeque<W::Item>,
    stopped: bool,
    in_flight: Option<InFlight<'c, W::Page>>,
}

/// The pager holds nothing that pinning must keep in place: the request in flight is boxed.
impl<C, W: Walk> Unpin for Pager<'_, C, W> {}

/// What the pager does next.
enum Next<I, R> {
    /// Hand this item out.
    Item(I),
    /// Send this request and give the result to [`Pager::fed`].
    Fetch(R),
    /// The walk is over.
    Done,
}

impl<'c, C, W: Walk> Pager<'c, C, W> {
    pub(crate) fn new(client: &'c C, walk: W) -> Self {
        Self {
            client,
            walk,
            buffer: VecDeque::new(),
            stopped: false,
            in_flight: None,
        }
    }

    /// What the walk did so far: pages, windows, splits... final once the pager is exhausted.
    pub fn stats(&self) -> &W::Stats {
        self.walk.stats()
    }

    /// The walk itself.
    pub fn walk(&self) -> &W {
        &self.walk
    }

    /// The next buffered item, else the next request, else the end.
    fn next_step(&mut self) -> Next<W::Item, W::Request> {
        if let Some(item) = self.buffer.pop_front() {
            return Next::Item(item);
        }
        if self.stopped {
            return Next::Done;
        }
        self.walk.advance(Timestamp::now());
        match self.walk.next_request() {
            Some(request) => Next::Fetch(request),
            None => Next::Done,
        }
    }

    /// Takes a fetched page (its items are buffered), or the error that ends the walk.
    fn fed(&mut self, result: Result<W::Page, ClientError>) -> Result<(), ClientError> {
        let page = result.inspect_err(|_| self.stopped = true)?;
        let items = self.walk.feed(page);
        self.buffer.extend(items);
        Ok(())
    }
}
