//! The concurrent walk on the blocking client: the scheduler on the caller's thread, the
//! requests on worker threads of a scope (started as the walk needs them, at most the limit
//! in flight), the items handed to the caller's closure in order.

use std::ops::ControlFlow;
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

use jiff::Timestamp;
use review_protocol::concurrent::{Concurrency, Concurrent, Next, Ticket};
use review_protocol::{Endpoint, MergeStats, Walk};

use super::{Walked, throttle};
use crate::blocking::BlockingClient;
use crate::drive::Throttles;
use crate::error::ClientError;
use crate::requests::Paged;
use crate::route::Route;
use crate::transport::BlockingTransport;

/// A walk with many requests in flight on a [`BlockingClient`], made by
/// [`BlockingClient::concurrent`]: [`for_each`](Self::for_each) runs it, handing out its items
/// in the walk's own order; [`walked`](Self::walked) tells what it did, also after a failure.
pub struct ConcurrentWalk<'c, T, W: Walk> {
    client: &'c BlockingClient<T>,
    walk: Concurrent<W>,
}

impl<T: BlockingTransport> BlockingClient<T> {
    /// `request`'s walk with up to `settings` requests in flight; nothing is sent until
    /// [`ConcurrentWalk::for_each`].
    pub fn concurrent<R>(
        &self,
        request: R,
        settings: Concurrency,
    ) -> Result<ConcurrentWalk<'_, T, R::Walk>, ClientError>
    where
        R: Paged,
        <R::Walk as Walk>::Request: PartialEq + Clone,
        <R::Walk as Walk>::Stats: MergeStats + Clone,
    {
        let walk = request.walk(self.config(), Timestamp::now())?;
        Ok(ConcurrentWalk {
            client: self,
            walk: Concurrent::new(walk, settings),
        })
    }

    /// Every item of `request`'s walk, with up to `settings` requests in flight, handed to
    /// `each` in the walk's own order (exactly the items, and the order, of
    /// [`pager`](Self::pager)). `each` returns [`ControlFlow::Break`] to stop early.
    ///
    /// The requests run on scoped threads of this call, as many as are in flight at once; a
    /// throttle slows the walk down as a whole (see `review_protocol::concurrent`). The first
    /// failure that is not a throttle ends the walk with it.
    ///
    /// ```no_run
    /// # fn demo<T: review_client::BlockingTransport>(client: review_client::BlockingClient<T>) -> Result<(), review_client::ClientError> {
    /// use std::ops::ControlFlow;
    /// use review_client::WechatReviews;
    /// use review_protocol::concurrent::Concurrency;
    ///
    /// let now = jiff::Timestamp::now();
    /// let since = now - jiff::SignedDuration::from_hours(24 * 30);
    /// let walked = client.for_each_concurrent(WechatReviews::new(since, now), Concurrency::new(8), |review| {
    ///     println!("{} replied: {}", review.id, review.replied);
    ///     ControlFlow::Continue(())
    /// })?;
    /// println!("{} requests, {} lanes", walked.concurrency.sent, walked.concurrency.lanes);
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_each_concurrent<R, F>(
        &self,
        request: R,
        settings: Concurrency,
        each: F,
    ) -> Result<Walked<<R::Walk as Walk>::Stats>, ClientError>
    where
        R: Paged,
        <R::Walk as Walk>::Request: PartialEq + Clone + Send,
        <R::Walk as Walk>::Page: Send,
        <R::Walk as Walk>::Stats: MergeStats + Clone,
        <<R::Walk as Walk>::Request as Endpoint>::Context: Route,
        F: FnMut(<R::Walk as Walk>::Item) -> ControlFlow<()>,
    {
        let mut walk = self.concurrent(request, settings)?;
        walk.for_each(each)?;
        Ok(walk.walked())
    }
}

impl<T, W> ConcurrentWalk<'_, T, W>
where
    T: BlockingTransport,
    W: Walk,
    W::Request: PartialEq + Clone + Send,
    W::Page: Send,
    W::Stats: MergeStats + Clone,
    <W::Request as Endpoint>::Context: Route,
{
    /// Runs the walk, handing each item to `each` in order until it is over, `each` breaks,
    /// or a request fails (not a throttle: that only slows the walk down).
    pub fn for_each<F>(&mut self, mut each: F) -> Result<(), ClientError>
    where
        F: FnMut(W::Item) -> ControlFlow<()>,
    {
        let client = self.client;
        let walk = &mut self.walk;
        let (jobs, queue) = mpsc::channel::<(Ticket, W::Request)>();
        let queue = Mutex::new(queue);
        let (answers, inbox) = mpsc::channel();
        // The caller's span (a tenant's, say) names the requests the workers send.
        let span = tracing::Span::current();
        std::thread::scope(|scope| {
            let mut workers = 0_usize;
            let mut drive = || -> Result<(), ClientError> {
                loop {
                    match walk.next(Timestamp::now()) {
                        Next::Send(ticket, request) => {
                            if workers < walk.in_flight() {
                                let (queue, answers, span) = (&queue, answers.clone(), &span);
                                std::thread::Builder::new()
                                    .name("review-walk".to_owned())
                                    .spawn_scoped(scope, move || {
                                        let _entered = span.enter();
                                        work(client, queue, &answers);
                                    })
                                    .map_err(|err| spawn_failed(&err))?;
                                workers += 1;
                            }
                            if jobs.send((ticket, request)).is_err() {
                                return Ok(());
                            }
                        }
                        Next::Wait { until } => {
                            let answer = match until {
                                None => inbox.recv().ok(),
                                Some(until) => {
                                    let wait = until.duration_since(Timestamp::now());
                                    let wait = Duration::try_from(wait).unwrap_or_default();
                                    inbox.recv_timeout(wait).ok()
                                }
                            };
                            if let Some((ticket, result)) = answer {
                                take(walk, ticket, result)?;
                            }
                        }
                        Next::Done => return Ok(()),
                    }
                    for item in walk.ready() {
                        if each(item).is_break() {
                            return Ok(());
                        }
                    }
                }
            };
            let outcome = drive();
            // The workers finish the request they hold and stop.
            drop(jobs);
            outcome
        })
    }

    /// What the walk and its scheduling did so far.
    pub fn walked(&self) -> Walked<W::Stats> {
        Walked {
            walk: self.walk.walk_stats(),
            concurrency: self.walk.stats(),
        }
    }
}

/// A worker: sends what the queue holds until the walk drops it.
fn work<T, R>(
    client: &BlockingClient<T>,
    queue: &Mutex<mpsc::Receiver<(Ticket, R)>>,
    answers: &mpsc::Sender<(Ticket, Result<R::Output, ClientError>)>,
) where
    T: BlockingTransport,
    R: Endpoint,
    R::Context: Route,
{
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((ticket, request)) = job else {
            return;
        };
        let result = Route::blocking(client, &request, Throttles::Surface);
        if answers.send((ticket, result)).is_err() {
            return;
        }
    }
}

/// Feeds one result to the walk: a page, a throttle, or the failure that ends it.
fn take<W>(
    walk: &mut Concurrent<W>,
    ticket: Ticket,
    result: Result<W::Page, ClientError>,
) -> Result<(), ClientError>
where
    W: Walk,
    W::Request: PartialEq + Clone,
    W::Stats: MergeStats + Clone,
{
    match result {
        Ok(page) => {
            walk.answered(ticket, page);
            Ok(())
        }
        Err(err) => match throttle(&err) {
            Some(kind) if walk.refused(ticket, kind, Timestamp::now()) => Ok(()),
            _ => Err(err),
        },
    }
}

fn spawn_failed(err: &std::io::Error) -> ClientError {
    let err =
        review_protocol::BuildError::new("concurrency", format!("cannot start a thread: {err}"));
    ClientError::new(
        "walk",
        crate::error::ErrorKind::Protocol(err.into()),
        0,
        false,
    )
}
