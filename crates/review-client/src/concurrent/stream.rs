//! The concurrent walk on the async client: a `futures::Stream` whose requests in flight are
//! futures polled together (no task is spawned: the stream runs on whatever polls it), and a
//! pause after a throttle is the transport's own sleep.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use jiff::Timestamp;
use review_protocol::concurrent::{Concurrency, Concurrent, ConcurrentStats, Next, Ticket};
use review_protocol::{Endpoint, MergeStats, Walk};

use super::{Walked, throttle};
use crate::drive::Throttles;
use crate::error::ClientError;
use crate::nonblocking::AsyncClient;
use crate::requests::Paged;
use crate::route::Route;
use crate::transport::AsyncTransport;

type Answer<'c, P> = Pin<Box<dyn Future<Output = (Ticket, Result<P, ClientError>)> + Send + 'c>>;
type Pause<'c> = Pin<Box<dyn Future<Output = ()> + Send + 'c>>;

/// Every item of a walk with many requests in flight, as a `futures::Stream`, in the walk's own
/// order; made by [`AsyncClient::concurrent`]. An error ends it.
pub struct ConcurrentPager<'c, T, W: Walk> {
    client: &'c AsyncClient<T>,
    walk: Concurrent<W>,
    in_flight: FuturesUnordered<Answer<'c, W::Page>>,
    pause: Option<(Timestamp, Pause<'c>)>,
    ready: VecDeque<W::Item>,
    stopped: bool,
}

/// Nothing in the pager needs pinning in place: what it polls is boxed.
impl<T, W: Walk> Unpin for ConcurrentPager<'_, T, W> {}

impl<T: AsyncTransport> AsyncClient<T> {
    /// Every item of `request`'s walk, with up to `settings` requests in flight, as a stream in
    /// the walk's own order (exactly the items, and the order, of [`pager`](Self::pager)).
    /// Nothing is sent until it is polled; a throttle slows the walk down as a whole (see
    /// `review_protocol::concurrent`).
    ///
    /// ```no_run
    /// # async fn demo<T: review_client::AsyncTransport>(client: review_client::AsyncClient<T>) -> Result<(), review_client::ClientError> {
    /// use futures_util::StreamExt;
    /// use review_client::TaobaoReviews;
    /// use review_protocol::concurrent::Concurrency;
    ///
    /// let now = jiff::Timestamp::now();
    /// let mut rates = client.concurrent(TaobaoReviews::new(now - jiff::SignedDuration::from_hours(24 * 30), now), Concurrency::new(8))?;
    /// while let Some(review) = rates.next().await {
    ///     println!("{}", review?.id);
    /// }
    /// println!("{} requests", rates.walked().concurrency.sent);
    /// # Ok(())
    /// # }
    /// ```
    pub fn concurrent<R: Paged>(
        &self,
        request: R,
        settings: Concurrency,
    ) -> Result<ConcurrentPager<'_, T, R::Walk>, ClientError>
    where
        <R::Walk as Walk>::Request: PartialEq + Clone,
        <R::Walk as Walk>::Stats: MergeStats + Clone,
    {
        let walk = request.walk(self.config(), Timestamp::now())?;
        Ok(ConcurrentPager {
            client: self,
            walk: Concurrent::new(walk, settings),
            in_flight: FuturesUnordered::new(),
            pause: None,
            ready: VecDeque::new(),
            stopped: false,
        })
    }
}

impl<T, W> ConcurrentPager<'_, T, W>
where
    W: Walk,
    W::Request: PartialEq + Clone,
    W::Stats: MergeStats + Clone,
{
    /// What the walk and its scheduling did so far; final once the stream is exhausted.
    pub fn walked(&self) -> Walked<W::Stats> {
        Walked {
            walk: self.walk.walk_stats(),
            concurrency: self.walk.stats(),
        }
    }

    /// The scheduling so far.
    pub fn stats(&self) -> ConcurrentStats {
        self.walk.stats()
    }
}

impl<'c, T, W> Stream for ConcurrentPager<'c, T, W>
where
    T: AsyncTransport,
    W: Walk,
    W::Request: PartialEq + Clone + Send + Sync + 'c,
    W::Page: Send + 'c,
    W::Stats: MergeStats + Clone,
    <W::Request as Endpoint>::Context: Route,
{
    type Item = Result<W::Item, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.stopped {
                return Poll::Ready(None);
            }
            match this.walk.next(Timestamp::now()) {
                Next::Send(ticket, request) => {
                    let client = this.client;
                    this.in_flight.push(Box::pin(async move {
                        let page = Route::nonblocking(client, &request, Throttles::Surface).await;
                        (ticket, page)
                    }));
                    continue;
                }
                Next::Done => {
                    this.stopped = true;
                    this.ready.extend(this.walk.ready());
                    continue;
                }
                Next::Wait { until } => {
                    if let Some(until) = until {
                        this.pause_until(until);
                    }
                }
            }
            if let Poll::Ready(Some((ticket, result))) = this.in_flight.poll_next_unpin(cx) {
                match result {
                    Ok(page) => this.walk.answered(ticket, page),
                    Err(err) => match throttle(&err) {
                        Some(kind) if this.walk.refused(ticket, kind, Timestamp::now()) => {}
                        _ => {
                            this.stopped = true;
                            return Poll::Ready(Some(Err(err)));
                        }
                    },
                }
                this.ready.extend(this.walk.ready());
                continue;
            }
            if let Some((_, pause)) = this.pause.as_mut()
                && pause.as_mut().poll(cx).is_ready()
            {
                this.pause = None;
                continue;
            }
            return Poll::Pending;
        }
    }
}

impl<'c, T: AsyncTransport, W: Walk> ConcurrentPager<'c, T, W> {
    /// Sleeps with the transport's timer until `until`, unless already sleeping until then.
    fn pause_until(&mut self, until: Timestamp) {
        if self.pause.as_ref().is_some_and(|(at, _)| *at == until) {
            return;
        }
        let wait = Duration::try_from(until.duration_since(Timestamp::now())).unwrap_or_default();
        let client = self.client;
        self.pause = Some((until, Box::pin(async move { client.sleep(wait).await })));
    }
}
