//! The one paging loop both drivers run: buffer, next request, feed, stop on an error.
//!
//! The pagers of `review-protocol` decide what to ask for; a [`Walk`] adds what every driver
//! needs around them (items buffered from the last page, the moving 180-day edge, stopping after
//! an error) so that the blocking iterators and the async streams only send.

use std::collections::VecDeque;

use jiff::Timestamp;
use review_model::taobao::{TradeRate, TradeRatePage};
use review_model::wechat::{Comment, CommentListPage};
use review_protocol::Endpoint;
use review_protocol::taobao::{SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{CommentPager, GetCommentList};

use crate::config::ClientConfig;
use crate::error::{ClientError, ErrorKind};

/// A sans-IO pager the walk can drive.
pub(crate) trait Paging {
    type Item;
    type Page;
    type Request;
    fn next_request(&self) -> Option<Self::Request>;
    fn feed(&mut self, page: Self::Page) -> Vec<Self::Item>;
    /// Lets time-bound pagers follow the clock; most ignore it.
    fn advance(&mut self, _now: Timestamp) {}
}

impl Paging for CommentPager {
    type Item = Comment;
    type Page = CommentListPage;
    type Request = GetCommentList;

    fn next_request(&self) -> Option<GetCommentList> {
        CommentPager::next_request(self)
    }

    fn feed(&mut self, page: CommentListPage) -> Vec<Comment> {
        CommentPager::feed(self, page)
    }
}

impl Paging for WindowPlanner {
    type Item = TradeRate;
    type Page = TradeRatePage;
    type Request = SearchTradeRates;

    fn next_request(&self) -> Option<SearchTradeRates> {
        WindowPlanner::next_request(self)
    }

    fn feed(&mut self, page: TradeRatePage) -> Vec<TradeRate> {
        WindowPlanner::feed(self, page)
    }

    fn advance(&mut self, now: Timestamp) {
        WindowPlanner::advance(self, now);
    }
}

/// What the driver does next.
pub(crate) enum WalkStep<I, R> {
    /// Hand this item out.
    Item(I),
    /// Send this request and give the result to [`Walk::fed`].
    Fetch(R),
    /// The walk is over.
    Done,
}

/// A pager with its buffer and its stop.
pub(crate) struct Walk<P: Paging> {
    pager: P,
    buffer: VecDeque<P::Item>,
    stopped: bool,
}

impl<P: Paging> Walk<P> {
    pub(crate) fn new(pager: P) -> Self {
        Self {
            pager,
            buffer: VecDeque::new(),
            stopped: false,
        }
    }

    pub(crate) fn pager(&self) -> &P {
        &self.pager
    }

    /// The next item if one is buffered, else the next request, else the end.
    pub(crate) fn step(&mut self, now: Timestamp) -> WalkStep<P::Item, P::Request> {
        if let Some(item) = self.buffer.pop_front() {
            return WalkStep::Item(item);
        }
        if self.stopped {
            return WalkStep::Done;
        }
        self.pager.advance(now);
        match self.pager.next_request() {
            Some(request) => WalkStep::Fetch(request),
            None => WalkStep::Done,
        }
    }

    /// The next whole page's request (for page-at-a-time callers), or the end.
    pub(crate) fn step_page(&mut self, now: Timestamp) -> Option<P::Request> {
        if self.stopped {
            return None;
        }
        self.pager.advance(now);
        self.pager.next_request()
    }

    /// Takes a fetched page (its items are buffered), or the error that ends the walk.
    pub(crate) fn fed(&mut self, result: Result<P::Page, ClientError>) -> Result<(), ClientError> {
        let page = result.inspect_err(|_| self.stopped = true)?;
        let items = self.pager.feed(page);
        self.buffer.extend(items);
        Ok(())
    }

    /// Takes a fetched page and returns its new items rather than buffering them.
    pub(crate) fn fed_page(
        &mut self,
        result: Result<P::Page, ClientError>,
    ) -> Result<Vec<P::Item>, ClientError> {
        let page = result.inspect_err(|_| self.stopped = true)?;
        Ok(self.pager.feed(page))
    }
}

fn refused(endpoint: &'static str, err: review_protocol::BuildError) -> ClientError {
    ClientError::new(endpoint, ErrorKind::Protocol(err.into()), 0, false)
}

/// The walk over every comment of `query`'s window.
pub(crate) fn comments(query: GetCommentList) -> Result<Walk<CommentPager>, ClientError> {
    CommentPager::new(query)
        .map(Walk::new)
        .map_err(|e| refused("wechat.comment_list", e))
}

/// The walk over every rate of the configured shop between `since` and `until`.
pub(crate) fn trade_rates(
    config: &ClientConfig,
    base: Option<SearchTradeRates>,
    since: Timestamp,
    until: Timestamp,
    page_size: u32,
) -> Result<Walk<WindowPlanner>, ClientError> {
    let Some(side) = &config.fw199 else {
        let missing =
            review_protocol::BuildError::new("appid", "this client has no fw199 credentials");
        return Err(refused(SearchTradeRates::METADATA.name, missing));
    };
    let base = base.unwrap_or_else(|| SearchTradeRates::received(side.seller_nick.clone()));
    WindowPlanner::new(base, since, until, Timestamp::now(), page_size)
        .map(Walk::new)
        .map_err(|e| refused(SearchTradeRates::METADATA.name, e))
}
