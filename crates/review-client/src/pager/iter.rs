//! The pager on the blocking client: an `Iterator`, each request sent on the caller's thread.

use review_protocol::{Endpoint, Walk};

use super::{Next, Pager};
use crate::blocking::BlockingClient;
use crate::drive::Throttles;
use crate::error::ClientError;
use crate::route::Route;
use crate::transport::BlockingTransport;

impl<T, W> Iterator for Pager<'_, BlockingClient<T>, W>
where
    T: BlockingTransport,
    W: Walk,
    <W::Request as Endpoint>::Context: Route,
{
    type Item = Result<W::Item, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.next_step() {
                Next::Item(item) => return Some(Ok(item)),
                Next::Fetch(request) => {
                    let page = Route::blocking(self.client, &request, Throttles::Retry);
                    if let Err(err) = self.fed(page) {
                        return Some(Err(err));
                    }
                }
                Next::Done => return None,
            }
        }
    }
}
