//! What a pager walks: one request type per walk, instead of loose arguments. Each builds its
//! `review-protocol` walk from the client's configuration when the pager is made (nothing is
//! sent then).

use jiff::Timestamp;
use review_model::wechat::FilterType;
use review_protocol::taobao::{self, SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{self, CommentPager, GetCommentList};
use review_protocol::{BuildError, Endpoint, Walk};

use crate::config::ClientConfig;
use crate::error::{ClientError, ErrorKind};

/// A request for a whole walk: [`GetCommentList`] (every comment of a window),
/// [`WechatReviews`], [`RateRange`] or [`TaobaoReviews`].
pub trait Paged {
    /// The walk it starts.
    type Walk: Walk;

    /// The walk, at `now`, with what `config` holds (the shop's seller nick).
    fn walk(self, config: &ClientConfig, now: Timestamp) -> Result<Self::Walk, ClientError>;
}

fn refused(endpoint: &'static str, err: BuildError) -> ClientError {
    ClientError::new(endpoint, ErrorKind::Protocol(err.into()), 0, false)
}

impl Paged for GetCommentList {
    type Walk = CommentPager;

    fn walk(self, _: &ClientConfig, _: Timestamp) -> Result<CommentPager, ClientError> {
        CommentPager::new(self).map_err(|e| refused(GetCommentList::METADATA.name, e))
    }
}

/// Every WeChat review of `[since, until]` as a unified `Review`, newest first, with
/// `replied` from the awaiting-reply listing of the same window, in memory bounded by
/// [`WINDOW_CAP`](review_protocol::wechat::WINDOW_CAP) comments (see
/// [`wechat::ReviewWalk`]).
///
/// ```
/// use review_client::WechatReviews;
/// use review_model::Timestamp;
/// use review_model::wechat::FilterType;
///
/// let now = Timestamp::now();
/// let bad = WechatReviews::new(now - jiff::SignedDuration::from_hours(24), now).filter(FilterType::Bad);
/// # let _ = bad;
/// ```
#[derive(Debug, Clone)]
pub struct WechatReviews {
    query: GetCommentList,
    cap: u64,
}

impl WechatReviews {
    /// Every review of `[since, until]`, in pages of 100 (the platform's maximum).
    pub fn new(since: Timestamp, until: Timestamp) -> Self {
        Self {
            query: GetCommentList::new(since, until)
                .filter(FilterType::All)
                .limit(100),
            cap: wechat::WINDOW_CAP,
        }
    }

    /// Only the reviews `filter` lists (`replied` is still read from the whole window).
    #[must_use]
    pub fn filter(mut self, filter: FilterType) -> Self {
        self.query = self.query.filter(filter);
        self
    }

    /// With pages of `limit`.
    #[must_use]
    pub fn page_size(mut self, limit: u32) -> Self {
        self.query = self.query.limit(limit);
        self
    }

    /// Halves windows above `cap` comments rather than above the default cap.
    #[must_use]
    pub fn window_cap(mut self, cap: u64) -> Self {
        self.cap = cap;
        self
    }
}

impl Paged for WechatReviews {
    type Walk = wechat::ReviewWalk;

    fn walk(self, _: &ClientConfig, _: Timestamp) -> Result<wechat::ReviewWalk, ClientError> {
        wechat::ReviewWalk::new(self.query)
            .map(|walk| walk.window_cap(self.cap))
            .map_err(|e| refused(GetCommentList::METADATA.name, e))
    }
}

/// Every trade rate of the configured shop in `[since, until]` (clamped to the 180 days Taobao
/// keeps), windows split under the 1500 cap, each rate once (see [`WindowPlanner`]).
///
/// ```
/// use review_client::RateRange;
/// use review_model::Timestamp;
/// use review_protocol::taobao::SearchTradeRates;
///
/// let now = Timestamp::now();
/// let mut sold = SearchTradeRates::received("shop");
/// sold.result = Some(review_model::taobao::RateResult::Bad);
/// let range = RateRange::new(now - jiff::SignedDuration::from_hours(24), now).base(sold).page_size(150);
/// # let _ = range;
/// ```
#[derive(Debug, Clone)]
pub struct RateRange {
    since: Timestamp,
    until: Timestamp,
    base: Option<SearchTradeRates>,
    page_size: u32,
}

impl RateRange {
    /// The buyers' rates of the shop, in pages of 100.
    pub fn new(since: Timestamp, until: Timestamp) -> Self {
        Self {
            since,
            until,
            base: None,
            page_size: 100,
        }
    }

    /// With `base`'s seller, rate type, role and filters (its window and paging are the
    /// planner's).
    #[must_use]
    pub fn base(mut self, base: SearchTradeRates) -> Self {
        self.base = Some(base);
        self
    }

    /// With pages of `page_size` (1..=150).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }
}

impl Paged for RateRange {
    type Walk = WindowPlanner;

    fn walk(self, config: &ClientConfig, now: Timestamp) -> Result<WindowPlanner, ClientError> {
        let name = SearchTradeRates::METADATA.name;
        let Some(nick) = config.seller_nick() else {
            let missing = BuildError::new("appid", "this client has no fw199 credentials");
            return Err(refused(name, missing));
        };
        let base = self
            .base
            .unwrap_or_else(|| SearchTradeRates::received(nick));
        WindowPlanner::new(base, self.since, self.until, now, self.page_size)
            .map_err(|e| refused(name, e))
    }
}

/// Every Taobao review of `[since, until]` as a unified `Review`: a [`RateRange`]'s rates.
#[derive(Debug, Clone)]
pub struct TaobaoReviews(RateRange);

impl TaobaoReviews {
    /// The buyers' rates of the shop, in pages of 100.
    pub fn new(since: Timestamp, until: Timestamp) -> Self {
        Self(RateRange::new(since, until))
    }
}

impl From<RateRange> for TaobaoReviews {
    fn from(range: RateRange) -> Self {
        Self(range)
    }
}

impl Paged for TaobaoReviews {
    type Walk = taobao::ReviewWalk;

    fn walk(
        self,
        config: &ClientConfig,
        now: Timestamp,
    ) -> Result<taobao::ReviewWalk, ClientError> {
        self.0.walk(config, now).map(taobao::ReviewWalk::new)
    }
}

/// One chunk of a WeChat sync: every comment of `[since, until]` as an
/// [`Observed`](review_model::mirror::Observed), with the settlement and revision state the
/// listing filters tell (see [`wechat::MirrorWalk`]).
#[derive(Debug, Clone)]
pub struct WechatMirror {
    since: Timestamp,
    until: Timestamp,
    limit: u32,
    cap: u64,
}

impl WechatMirror {
    /// The comments of `[since, until]`, in pages of 100.
    pub fn new(since: Timestamp, until: Timestamp) -> Self {
        Self {
            since,
            until,
            limit: 100,
            cap: wechat::WINDOW_CAP,
        }
    }

    /// Halves review windows above `cap` comments rather than above the default cap.
    #[must_use]
    pub fn window_cap(mut self, cap: u64) -> Self {
        self.cap = cap;
        self
    }
}

impl Paged for WechatMirror {
    type Walk = wechat::MirrorWalk;

    fn walk(self, _: &ClientConfig, _: Timestamp) -> Result<wechat::MirrorWalk, ClientError> {
        wechat::MirrorWalk::new(self.since, self.until, self.limit)
            .map(|walk| walk.window_cap(self.cap))
            .map_err(|e| refused(GetCommentList::METADATA.name, e))
    }
}

/// One chunk of a Taobao sync: a [`RateRange`]'s rates as
/// [`Observed`](review_model::mirror::Observed)s.
#[derive(Debug, Clone)]
pub struct TaobaoMirror(RateRange);

impl TaobaoMirror {
    /// The buyers' rates of the shop in `[since, until]`, in pages of 100.
    pub fn new(since: Timestamp, until: Timestamp) -> Self {
        Self(RateRange::new(since, until))
    }
}

impl From<RateRange> for TaobaoMirror {
    fn from(range: RateRange) -> Self {
        Self(range)
    }
}

impl Paged for TaobaoMirror {
    type Walk = taobao::ReviewWalk<review_model::mirror::Observed>;

    fn walk(self, config: &ClientConfig, now: Timestamp) -> Result<Self::Walk, ClientError> {
        self.0.walk(config, now).map(taobao::ReviewWalk::of)
    }
}
