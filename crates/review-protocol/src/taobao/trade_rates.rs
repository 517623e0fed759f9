//! `POST /gateway/taobao/traderates/get` (`taobao.trade_rates`): a signed search of the shop's
//! trade rates.

use jiff::{SignedDuration, Timestamp};
use review_model::taobao::{self, RateResult, RateType, Role, TradeRatePage};

use super::fw199::{Fw199Context, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// How far back Taobao keeps rates.
pub const HISTORY: SignedDuration = SignedDuration::from_hours(180 * 24);
/// How far past the 180-day edge a start may fall before it is refused: the time a planned
/// request may spend in retries.
pub const RETRY_GRACE: SignedDuration = SignedDuration::from_mins(10);
/// The highest `page_no` the API serves.
pub const MAX_PAGE_NO: u32 = 200;
/// The largest `page_size`.
pub const MAX_PAGE_SIZE: u32 = 150;
/// The page size when none is given.
pub const DEFAULT_PAGE_SIZE: u32 = 40;

/// Searches the trade rates of a shop, with every parameter of the gateway.
///
/// `start_date` and `end_date` are inclusive, at second resolution, in China Standard Time on
/// the wire. A window reaching more than 180 days before the context's time is refused here
/// (Taobao would silently return less); the window planner clamps instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTradeRates {
    /// The seller's login nick (`tb_seller_nick`), not the shop name.
    pub seller_nick: String,
    /// Received or given rates.
    pub rate_type: RateType,
    /// Who wrote them.
    pub role: Role,
    /// Only good, neutral or bad.
    pub result: Option<RateResult>,
    /// 1..=200.
    pub page_no: Option<u32>,
    /// 1..=150 (the platform's default is 40).
    pub page_size: Option<u32>,
    /// The first second of the window.
    pub start_date: Option<Timestamp>,
    /// The last second of the window.
    pub end_date: Option<Timestamp>,
    /// One trade (parent or child order id).
    pub tid: Option<u64>,
    /// Page by `has_next` instead of counting (`total_results` is then absent).
    pub use_has_next: Option<bool>,
    /// One item.
    pub num_iid: Option<u64>,
    /// One buyer.
    pub ouid: Option<String>,
}

impl SearchTradeRates {
    /// The buyers' rates of the shop (`rate_type=get`, `role=buyer`): what merchants read.
    pub fn received(seller_nick: impl Into<String>) -> Self {
        Self {
            seller_nick: seller_nick.into(),
            rate_type: RateType::Get,
            role: Role::Buyer,
            result: None,
            page_no: None,
            page_size: None,
            start_date: None,
            end_date: None,
            tid: None,
            use_has_next: None,
            num_iid: None,
            ouid: None,
        }
    }

    /// Between `start` and `end`, both inclusive.
    #[must_use]
    pub fn window(mut self, start: Timestamp, end: Timestamp) -> Self {
        self.start_date = Some(start);
        self.end_date = Some(end);
        self
    }

    /// Page `page_no` of `page_size`.
    #[must_use]
    pub fn page(mut self, page_no: u32, page_size: u32) -> Self {
        self.page_no = Some(page_no);
        self.page_size = Some(page_size);
        self
    }

    /// Refuses what the gateway would refuse or silently truncate.
    pub fn validate(&self, now: Timestamp) -> Result<(), BuildError> {
        if self.seller_nick.trim().is_empty() {
            return Err(BuildError::new(
                "tb_seller_nick",
                "the seller nick is empty",
            ));
        }
        if let Some(page_no) = self.page_no
            && !(1..=MAX_PAGE_NO).contains(&page_no)
        {
            return Err(BuildError::new(
                "page_no",
                format!("{page_no} is outside 1..={MAX_PAGE_NO}"),
            ));
        }
        if let Some(size) = self.page_size
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return Err(BuildError::new(
                "page_size",
                format!("{size} is outside 1..={MAX_PAGE_SIZE}"),
            ));
        }
        if let (Some(start), Some(end)) = (self.start_date, self.end_date)
            && start > end
        {
            return Err(BuildError::new(
                "start_date",
                format!(
                    "the window starts ({}) after it ends ({})",
                    taobao::format_time(start),
                    taobao::format_time(end)
                ),
            ));
        }
        if let Some(start) = self.start_date {
            let oldest = oldest(now);
            // A request planned a moment ago and resent after a retry's backoff may start a
            // few seconds past the edge; only a start clearly beyond it is a mistake.
            if start < oldest.checked_sub(RETRY_GRACE).unwrap_or(oldest) {
                return Err(BuildError::new(
                    "start_date",
                    format!(
                        "Taobao keeps only the last 180 days: {} is before {}",
                        taobao::format_time(start),
                        taobao::format_time(oldest)
                    ),
                ));
            }
        }
        if let Some(ouid) = &self.ouid
            && ouid.trim().is_empty()
        {
            return Err(BuildError::new("ouid", "the ouid is empty"));
        }
        Ok(())
    }

    /// The parameters to send, in a fixed order, without `appid`, `timestamp` and `sign`.
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("tb_seller_nick", self.seller_nick.clone()),
            ("rate_type", self.rate_type.as_str().to_owned()),
            ("role", self.role.as_str().to_owned()),
        ];
        let mut push = |key: &'static str, value: Option<String>| {
            if let Some(value) = value {
                params.push((key, value));
            }
        };
        push("result", self.result.map(|r| r.as_str().to_owned()));
        push("page_no", self.page_no.map(|n| n.to_string()));
        push("page_size", self.page_size.map(|n| n.to_string()));
        push("start_date", self.start_date.map(taobao::format_time));
        push("end_date", self.end_date.map(taobao::format_time));
        push("tid", self.tid.map(|n| n.to_string()));
        push("use_has_next", self.use_has_next.map(|b| b.to_string()));
        push("num_iid", self.num_iid.map(|n| n.to_string()));
        push("ouid", self.ouid.clone());
        params
    }
}

/// The oldest second Taobao still serves, 180 days before `now`.
pub fn oldest(now: Timestamp) -> Timestamp {
    now.checked_sub(HISTORY).unwrap_or(Timestamp::MIN)
}

impl Endpoint for SearchTradeRates {
    type Context = Fw199Context;
    type Output = TradeRatePage;

    const METADATA: Metadata = Metadata {
        name: "taobao.trade_rates",
        method: Method::Post,
        path: "/gateway/taobao/traderates/get",
        idempotent: true,
        access: Access::Signature,
    };

    fn request(&self, ctx: &Fw199Context) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate(ctx.timestamp)?;
        wire::signed_post(ctx, Self::METADATA.path, &self.params())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<TradeRatePage, Error> {
        wire::parse(&response)
    }
}
