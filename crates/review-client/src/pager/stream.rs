//! The pager on the async client: a `futures::Stream`, the request in flight boxed inside it
//! so the pager stays one nameable type.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use review_protocol::{Endpoint, Walk};

use super::{Next, Pager};
use crate::drive::Throttles;
use crate::error::ClientError;
use crate::nonblocking::AsyncClient;
use crate::route::Route;
use crate::transport::AsyncTransport;

impl<'c, T, W> Stream for Pager<'c, AsyncClient<T>, W>
where
    T: AsyncTransport,
    W: Walk,
    W::Request: Send + Sync + 'c,
    W::Page: Send + 'c,
    <W::Request as Endpoint>::Context: Route,
{
    type Item = Result<W::Item, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(in_flight) = this.in_flight.as_mut() {
                let page = ready!(in_flight.as_mut().poll(cx));
                this.in_flight = None;
                if let Err(err) = this.fed(page) {
                    return Poll::Ready(Some(Err(err)));
                }
            }
            match this.next_step() {
                Next::Item(item) => return Poll::Ready(Some(Ok(item))),
                Next::Fetch(request) => {
                    let client = this.client;
                    this.in_flight = Some(Box::pin(async move {
                        Route::nonblocking(client, &request, Throttles::Retry).await
                    }));
                }
                Next::Done => return Poll::Ready(None),
            }
        }
    }
}
