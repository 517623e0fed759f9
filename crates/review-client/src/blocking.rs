//! The blocking driver: `review_protocol::call`'s machine, sending on the caller's thread.

use jiff::Timestamp;
use review_model::taobao::TradeRate;
use review_model::wechat::Comment;
use review_protocol::Endpoint;
use review_protocol::call::Call;
use review_protocol::taobao::{Fw199Context, PlanStats, SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{CommentPager, GetCommentList, WechatContext};

use crate::config::ClientConfig;
use crate::drive::{self, Machine, Step};
use crate::error::ClientError;
use crate::methods::endpoint_methods;
use crate::trace::Sent;
use crate::transport::BlockingTransport;
use crate::walk::{self, Walk, WalkStep};

/// A client for scripts, CLIs and batch jobs: every call blocks the calling thread.
///
/// ```no_run
/// use review_client::{BlockingClient, ClientConfig};
/// use review_model::{AppId, Secret, Timestamp};
/// use review_protocol::wechat::GetCommentList;
///
/// # fn transport() -> impl review_client::BlockingTransport {
/// #     |_: http::Request<Vec<u8>>, _| Err(review_client::TransportError::new(review_client::TransportErrorKind::Connect, "offline"))
/// # }
/// let config = ClientConfig::new().wechat("http://127.0.0.1:8080".parse()?, AppId::new("wx1"), Secret::new("s"));
/// let client = BlockingClient::new(transport(), config);
/// let now = Timestamp::now();
/// for comment in client.comments(GetCommentList::new(now - jiff::SignedDuration::from_hours(24 * 30), now))? {
///     let comment = comment?;
///     println!("{} {}★ {}", comment.comment_id, comment.score, comment.content.text);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BlockingClient<T> {
    transport: T,
    config: ClientConfig,
}

impl<T: BlockingTransport> BlockingClient<T> {
    /// A client sending through `transport`.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Self { transport, config }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn run<C: Call>(&self, mut machine: Machine<'_, C>) -> Result<C::Output, ClientError> {
        let mut step = machine.next(Timestamp::now());
        loop {
            step = match step {
                Step::Send(request) => {
                    let sent = Sent::start(machine.name(), machine.attempt(), &request);
                    let result = self.transport.send(request, self.config.timeout);
                    sent.finish(&result);
                    machine.feed(drive::answer(result), Timestamp::now())
                }
                Step::Sleep(wait) => {
                    self.transport.sleep(wait);
                    machine.next(Timestamp::now())
                }
                Step::Done(result) => return result.map_err(ClientError::from),
            };
        }
    }

    /// Runs any WeChat endpoint with a token, retries and refreshes.
    pub fn wechat<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::wechat(&self.config, endpoint)?)
    }

    /// Runs any fw199 endpoint, signed at each attempt, with retries.
    pub fn fw199<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::fw199(&self.config, endpoint)?)
    }

    endpoint_methods!(;);

    /// Every comment of `query`'s window, page after page, each once.
    pub fn comments(&self, query: GetCommentList) -> Result<Comments<'_, T>, ClientError> {
        Ok(Comments {
            client: self,
            walk: walk::comments(query)?,
        })
    }

    /// Every comment of `query`'s window, a page at a time (each comment once).
    pub fn comment_pages(&self, query: GetCommentList) -> Result<CommentPages<'_, T>, ClientError> {
        Ok(CommentPages {
            client: self,
            walk: walk::comments(query)?,
        })
    }

    /// Every rate of the configured shop between `since` and `until` (clamped to the last 180
    /// days), windows split under the 1500 cap, each rate once. `base` sets the rate type, role
    /// and filters; `None` reads the buyers' rates of the shop.
    pub fn trade_rates(
        &self,
        base: Option<SearchTradeRates>,
        since: Timestamp,
        until: Timestamp,
        page_size: u32,
    ) -> Result<TradeRates<'_, T>, ClientError> {
        Ok(TradeRates {
            client: self,
            walk: walk::trade_rates(&self.config, base, since, until, page_size)?,
        })
    }
}

/// The comments of a window, as an iterator. An error ends it.
pub struct Comments<'c, T> {
    client: &'c BlockingClient<T>,
    walk: Walk<CommentPager>,
}

impl<T> Comments<'_, T> {
    /// The pager's view: pages, items, total.
    pub fn pager(&self) -> &CommentPager {
        self.walk.pager()
    }
}

impl<T: BlockingTransport> Iterator for Comments<'_, T> {
    type Item = Result<Comment, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.walk.step(Timestamp::now()) {
                WalkStep::Item(comment) => return Some(Ok(comment)),
                WalkStep::Fetch(request) => {
                    if let Err(err) = self.walk.fed(self.client.wechat(&request)) {
                        return Some(Err(err));
                    }
                }
                WalkStep::Done => return None,
            }
        }
    }
}

/// The comments of a window, a page at a time. An error ends it.
pub struct CommentPages<'c, T> {
    client: &'c BlockingClient<T>,
    walk: Walk<CommentPager>,
}

impl<T: BlockingTransport> Iterator for CommentPages<'_, T> {
    type Item = Result<Vec<Comment>, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        let request = self.walk.step_page(Timestamp::now())?;
        Some(self.walk.fed_page(self.client.wechat(&request)))
    }
}

/// The rates of a range, as an iterator. An error ends it; `stats` tells what the walk did.
pub struct TradeRates<'c, T> {
    client: &'c BlockingClient<T>,
    walk: Walk<WindowPlanner>,
}

impl<T> TradeRates<'_, T> {
    /// Probes, pages, splits, truncated windows, the clamped range.
    pub fn stats(&self) -> &PlanStats {
        self.walk.pager().stats()
    }
}

impl<T: BlockingTransport> Iterator for TradeRates<'_, T> {
    type Item = Result<TradeRate, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.walk.step(Timestamp::now()) {
                WalkStep::Item(rate) => return Some(Ok(rate)),
                WalkStep::Fetch(request) => {
                    if let Err(err) = self.walk.fed(self.client.fw199(&request)) {
                        return Some(Err(err));
                    }
                }
                WalkStep::Done => return None,
            }
        }
    }
}
