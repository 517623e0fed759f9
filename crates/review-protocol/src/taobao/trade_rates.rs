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
        // A successful page is read by the model's one-pass decoder; anything it does not take
        // (refusals, TOP errors, unusual shapes) by serde, which also names what is wrong.
        if response.status().is_success()
            && let Some(page) = TradeRatePage::from_ok_answer(response.body())
        {
            return Ok(page);
        }
        wire::parse(&response)
    }
}

#[cfg(test)]
mod fast_path_tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use review_model::taobao::TradeRatePage;

    use super::wire;
    use crate::Endpoint;
    use crate::json_cases::{
        Json, any_json, flag, int, list, object, or_odd, string, style, text, write,
    };

    fn one_of(words: &'static [&'static str], clean: bool) -> BoxedStrategy<Json> {
        let good = proptest::sample::select(words).prop_map(Json::str).boxed();
        or_odd(good, clean)
    }

    /// `yyyy-MM-dd HH:mm:ss`, with `clean` false also impossible dates and other shapes.
    fn created(clean: bool) -> BoxedStrategy<Json> {
        let good = (
            1971i32..2100,
            1u32..=12,
            1u32..=28,
            0u32..24,
            0u32..60,
            0u32..60,
        )
            .prop_map(|(y, mo, d, h, mi, s)| {
                Json::Str(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
            })
            .boxed();
        if clean {
            return good;
        }
        prop_oneof![
            20 => good,
            1 => prop_oneof![
                Just(Json::str("2021-02-30 10:00:00")),
                Just(Json::str("2021-05-21 16:32:60")),
                Just(Json::str("2021-5-21 16:32:09")),
                Just(Json::str("2021-05-21T16:32:09")),
                Just(Json::str("0000-01-01 00:00:00")),
                Just(Json::num(1_621_518_654)),
                any_json(),
            ],
        ]
        .boxed()
    }

    fn price(clean: bool) -> BoxedStrategy<Json> {
        let good = (0u64..100_000, 0u64..100)
            .prop_flat_map(|(yuan, fen)| {
                prop_oneof![
                    Just(Json::Str(format!("{yuan}.{fen:02}"))),
                    Just(Json::Str(yuan.to_string())),
                    Just(Json::Str(format!("{yuan}.{}", fen / 10))),
                ]
            })
            .boxed();
        if clean {
            return good;
        }
        prop_oneof![
            20 => good,
            1 => prop_oneof![
                Just(Json::str("")),
                Just(Json::Null),
                Just(Json::num("1.5")),
                Just(Json::num(3)),
                Just(Json::str("1.234")),
                Just(Json::str("abc")),
            ],
        ]
        .boxed()
    }

    fn rate(clean: bool) -> BoxedStrategy<Json> {
        object(
            vec![
                ("tid", int(u64::MAX, clean), true),
                ("oid", int(u64::MAX, clean), true),
                ("role", one_of(&["buyer", "seller"], clean), true),
                ("nick", string(clean), false),
                ("result", one_of(&["good", "neutral", "bad"], clean), true),
                ("created", created(clean), true),
                ("rated_nick", string(clean), false),
                ("item_title", string(clean), false),
                ("item_price", price(clean), false),
                ("content", string(clean), false),
                ("reply", string(clean), false),
                ("num_iid", int(u64::MAX, clean), false),
                (
                    "logistics_service_score",
                    int(u64::from(u32::MAX) + 1, clean),
                    false,
                ),
                ("ouid", string(clean), false),
                ("valid_score", flag(clean), false),
            ],
            clean,
        )
    }

    fn answer(clean: bool) -> BoxedStrategy<Json> {
        let rates = list(rate(clean), 3);
        let wrapped = object(
            vec![("trade_rate", or_odd(rates.clone(), clean), true)],
            clean,
        );
        let trade_rates = if clean {
            prop_oneof![3 => wrapped, 1 => rates].boxed()
        } else {
            or_odd(prop_oneof![3 => wrapped, 1 => rates].boxed(), false)
        };
        let data = object(
            vec![
                ("request_id", string(clean), false),
                ("total_results", int(1500, clean), false),
                ("has_next", flag(clean), false),
                ("trade_rates", trade_rates, false),
            ],
            clean,
        );
        let code = if clean {
            Just(Json::num(0)).boxed()
        } else {
            prop_oneof![20 => Just(Json::num(0)), 1 => Just(Json::str("0")), 1 => Just(Json::num(1001)), 1 => Just(Json::Null)].boxed()
        };
        let error = object(
            vec![
                ("code", Just(Json::num(27)).boxed(), true),
                ("msg", string(true), false),
            ],
            true,
        );
        object(
            vec![
                ("code", code, !clean),
                ("message", string(clean), false),
                ("data", or_odd(data, clean), true),
                ("trace_id", string(clean), false),
                ("error_response", if clean { Just(Json::Null).boxed() } else { or_odd(error, false) }, false),
            ],
            clean,
        )
        .prop_filter("clean answers carry no TOP error", move |a| {
            !clean || !matches!(a, Json::Obj(fields) if fields.iter().any(|(k, _)| k == "error_response"))
        })
        .boxed()
    }

    fn serde_parse(body: &str) -> Option<TradeRatePage> {
        wire::parse(&http::Response::new(body.as_bytes())).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_fast_decoder_answers_only_what_serde_answers(answer in answer(false), style in style()) {
            let body = write(&answer, style);
            if let Some(fast) = TradeRatePage::from_ok_answer(body.as_bytes()) {
                prop_assert_eq!(Some(fast), serde_parse(&body), "{}", body);
            }
        }

        #[test]
        fn the_fast_decoder_takes_every_ordinary_page(answer in answer(true), style in style()) {
            let body = write(&answer, style);
            let fast = TradeRatePage::from_ok_answer(body.as_bytes());
            prop_assert!(fast.is_some(), "{}", body);
            prop_assert_eq!(fast, serde_parse(&body), "{}", body);
        }

        #[test]
        fn neither_decoder_panics_on_any_text(body in text(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = TradeRatePage::from_ok_answer(body.as_bytes());
            let _ = TradeRatePage::from_ok_answer(&bytes);
        }
    }

    #[test]
    fn refusals_go_to_serde_which_names_them() {
        let search = super::SearchTradeRates::received("shop");
        let err = search
            .parse(http::Response::new(
                br#"{"error_response":{"code":27,"msg":"Invalid session"}}"#,
            ))
            .unwrap_err();
        assert!(err.to_string().contains("Invalid session"), "{err}");
        let err = search
            .parse(http::Response::new(br#"{"code":0,"data":{"trade_rates":{"trade_rate":[{"tid":"1","oid":"2","role":"buyer","result":"fine","created":"2021-05-21 16:32:09"}]}}}"#))
            .unwrap_err();
        assert!(err.to_string().contains("result"), "{err}");
    }
}
