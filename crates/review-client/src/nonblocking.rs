//! The async driver: `review_protocol::call`'s machine, sending through an async transport.

use futures_util::stream::{self, Stream, StreamExt};
use jiff::Timestamp;
use review_model::taobao::TradeRate;
use review_model::wechat::Comment;
use review_protocol::Endpoint;
use review_protocol::call::Call;
use review_protocol::taobao::{Fw199Context, PlanStats, SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{GetCommentList, WechatContext};

use crate::config::ClientConfig;
use crate::drive::{self, Machine, Step};
use crate::error::ClientError;
use crate::methods::endpoint_methods;
use crate::trace::Sent;
use crate::transport::AsyncTransport;
use crate::walk::{self, Walk, WalkStep};

/// A client for async services: the same methods and decisions as
/// [`BlockingClient`](crate::BlockingClient), awaiting instead of blocking.
pub struct AsyncClient<T> {
    transport: T,
    config: ClientConfig,
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// A client sending through `transport`.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Self { transport, config }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    async fn run<C: Call>(&self, mut machine: Machine<'_, C>) -> Result<C::Output, ClientError> {
        let mut step = machine.next(Timestamp::now());
        loop {
            step = match step {
                Step::Send(request) => {
                    let sent = Sent::start(machine.name(), machine.attempt(), &request);
                    let result = self.transport.send(request, self.config.timeout).await;
                    sent.finish(&result);
                    machine.feed(drive::answer(result), Timestamp::now())
                }
                Step::Sleep(wait) => {
                    self.transport.sleep(wait).await;
                    machine.next(Timestamp::now())
                }
                Step::Done(result) => return result.map_err(ClientError::from),
            };
        }
    }

    /// Runs any WeChat endpoint with a token, retries and refreshes.
    pub async fn wechat<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::wechat(&self.config, endpoint)?).await
    }

    /// Runs any fw199 endpoint, signed at each attempt, with retries.
    pub async fn fw199<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::fw199(&self.config, endpoint)?).await
    }

    endpoint_methods!(async; .await);

    /// Every comment of `query`'s window as a stream of pages, each comment once.
    pub fn comment_pages(
        &self,
        query: GetCommentList,
    ) -> Result<impl Stream<Item = Result<Vec<Comment>, ClientError>> + '_, ClientError> {
        let walk = walk::comments(query)?;
        Ok(stream::unfold(walk, move |mut walk| async move {
            let request = walk.step_page(Timestamp::now())?;
            let page = walk.fed_page(self.wechat(&request).await);
            Some((page, walk))
        }))
    }

    /// Every comment of `query`'s window as a stream, each once. An error ends it.
    pub fn comments(
        &self,
        query: GetCommentList,
    ) -> Result<impl Stream<Item = Result<Comment, ClientError>> + '_, ClientError> {
        Ok(self.comment_pages(query)?.flat_map(|page| match page {
            Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(err) => stream::iter(vec![Err(err)]),
        }))
    }

    /// Every rate of the configured shop between `since` and `until`; see
    /// [`BlockingClient::trade_rates`](crate::BlockingClient::trade_rates).
    pub fn trade_rates(
        &self,
        base: Option<SearchTradeRates>,
        since: Timestamp,
        until: Timestamp,
        page_size: u32,
    ) -> Result<RateWalk<'_, T>, ClientError> {
        Ok(RateWalk {
            client: self,
            walk: walk::trade_rates(&self.config, base, since, until, page_size)?,
        })
    }
}

/// A walk over the rates of a range; `next().await` gives them one by one, `stats()` what the
/// walk did.
pub struct RateWalk<'c, T> {
    client: &'c AsyncClient<T>,
    walk: Walk<WindowPlanner>,
}

impl<T: AsyncTransport> RateWalk<'_, T> {
    /// The next rate, `None` at the end. An error ends the walk.
    pub async fn next(&mut self) -> Option<Result<TradeRate, ClientError>> {
        loop {
            match self.walk.step(Timestamp::now()) {
                WalkStep::Item(rate) => return Some(Ok(rate)),
                WalkStep::Fetch(request) => {
                    if let Err(err) = self.walk.fed(self.client.fw199(&request).await) {
                        return Some(Err(err));
                    }
                }
                WalkStep::Done => return None,
            }
        }
    }

    /// Probes, pages, splits, truncated windows, the clamped range.
    pub fn stats(&self) -> &PlanStats {
        self.walk.pager().stats()
    }
}
