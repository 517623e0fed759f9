//! `/gateway/taobao/traderates/get` answers: the gateway's envelope with `code` 0 around a page.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

use super::{Scanner, first};
use crate::Fen;
use crate::taobao::{Oid, RateResult, Role, Tid, TradeRate, TradeRatePage, parse_time};

impl TradeRatePage {
    /// The page of a successful gateway answer (`{"code": 0, "data": {...}}`), read by a
    /// hand-written decoder in one pass; `None` for anything it does not take (an error, a TOP
    /// `error_response`, an unusual shape or value), which serde then reads exactly as before.
    /// When it answers, it answers what serde would.
    ///
    /// ```
    /// use review_model::taobao::TradeRatePage;
    ///
    /// let body = br#"{"code":0,"message":"ok","data":{"has_next":false,"trade_rates":{"trade_rate":[
    ///     {"tid":"1","oid":"2","role":"buyer","result":"good","created":"2021-05-21 16:32:09"}]}}}"#;
    /// let page = TradeRatePage::from_ok_answer(body).unwrap();
    /// assert_eq!(page.rates[0].created.to_string(), "2021-05-21T08:32:09Z");
    /// assert!(TradeRatePage::from_ok_answer(br#"{"code":1001,"message":"bad sign"}"#).is_none());
    /// ```
    pub fn from_ok_answer(body: &[u8]) -> Option<Self> {
        let mut s = Scanner::new(body)?;
        let mut seen = 0;
        let mut data = None;
        s.object(|s, key| match key {
            "code" => {
                first(&mut seen, 0)?;
                (s.uint()? == 0).then_some(())
            }
            "message" => {
                first(&mut seen, 1)?;
                s.opt_string().map(drop)
            }
            "data" => {
                first(&mut seen, 2)?;
                // About one rate per 400 bytes of a real page.
                data = Some(page(s, (body.len() / 400).clamp(1, 1024))?);
                Some(())
            }
            // A TOP error passed through, whatever else came with it.
            "error_response" => None,
            _ => s.skip(),
        })?;
        if !s.at_end() {
            return None;
        }
        data
    }
}

fn page(s: &mut Scanner<'_>, capacity: usize) -> Option<TradeRatePage> {
    let mut seen = 0;
    let mut page = TradeRatePage::default();
    s.object(|s, key| {
        match key {
            "request_id" => {
                first(&mut seen, 0)?;
                page.request_id = s.opt_string()?;
            }
            "total_results" => {
                first(&mut seen, 1)?;
                page.total_results = s.lenient_opt()?;
            }
            "has_next" => {
                first(&mut seen, 2)?;
                page.has_next = Some(s.flag()?);
            }
            "trade_rates" => {
                first(&mut seen, 3)?;
                page.rates = rate_list(s, capacity)?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(page)
}

/// `{"trade_rate": [...]}`, `null` or a bare array.
fn rate_list(s: &mut Scanner<'_>, capacity: usize) -> Option<Vec<TradeRate>> {
    let mut rates = Vec::new();
    match s.peek()? {
        b'n' => {
            s.null()?;
        }
        b'[' => rates = rates_array(s, capacity)?,
        _ => {
            let mut seen = 0;
            s.object(|s, key| match key {
                "trade_rate" => {
                    first(&mut seen, 0)?;
                    rates = if s.null()? {
                        Vec::new()
                    } else {
                        rates_array(s, capacity)?
                    };
                    Some(())
                }
                _ => s.skip(),
            })?;
        }
    }
    Some(rates)
}

fn rates_array(s: &mut Scanner<'_>, capacity: usize) -> Option<Vec<TradeRate>> {
    let mut rates = Vec::with_capacity(capacity);
    s.array(|s| {
        rates.push(rate(s)?);
        Some(())
    })?;
    Some(rates)
}

/// `2021-05-21 16:32:09` in China Standard Time, read by hand when it is exactly that shape
/// and a valid time, else by [`parse_time`] (the reference).
fn created(text: &str) -> Option<Timestamp> {
    fast_time(text).or_else(|| parse_time(text).ok())
}

fn fast_time(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 19
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b' ')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i16> {
        let digits = b.get(from..to)?;
        digits.iter().try_fold(0i16, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i16::from(d - b'0'))
        })
    };
    let small = |from: usize| number(from, from + 2).and_then(|n| i8::try_from(n).ok());
    let civil = DateTime::new(
        number(0, 4)?,
        small(5)?,
        small(8)?,
        small(11)?,
        small(14)?,
        small(17)?,
        0,
    )
    .ok()?;
    Offset::constant(8).to_timestamp(civil).ok()
}

fn role(text: &str) -> Option<Role> {
    match text {
        "buyer" => Some(Role::Buyer),
        "seller" => Some(Role::Seller),
        _ => None,
    }
}

fn result(text: &str) -> Option<RateResult> {
    match text {
        "good" => Some(RateResult::Good),
        "neutral" => Some(RateResult::Neutral),
        "bad" => Some(RateResult::Bad),
        _ => None,
    }
}

fn rate(s: &mut Scanner<'_>) -> Option<TradeRate> {
    let mut seen = 0;
    let (mut tid, mut oid, mut role, mut result, mut created) = (None, None, None, None, None);
    let mut rate = TradeRate {
        tid: Tid(0),
        oid: Oid(0),
        role: Role::Buyer,
        nick: None,
        result: RateResult::Good,
        created: Timestamp::UNIX_EPOCH,
        rated_nick: None,
        item_title: None,
        item_price: None,
        content: String::new(),
        reply: None,
        num_iid: None,
        logistics_service_score: None,
        ouid: None,
        valid_score: None,
    };
    s.object(|s, key| {
        match key {
            "tid" => {
                first(&mut seen, 0)?;
                tid = Some(Tid(s.lenient()?));
            }
            "oid" => {
                first(&mut seen, 1)?;
                oid = Some(Oid(s.lenient()?));
            }
            "role" => {
                first(&mut seen, 2)?;
                role = Some(self::role(&s.string()?)?);
            }
            "nick" => {
                first(&mut seen, 3)?;
                rate.nick = s.opt_string()?;
            }
            "result" => {
                first(&mut seen, 4)?;
                result = Some(self::result(&s.string()?)?);
            }
            "created" => {
                first(&mut seen, 5)?;
                created = Some(self::created(&s.string()?)?);
            }
            "rated_nick" => {
                first(&mut seen, 6)?;
                rate.rated_nick = s.opt_string()?;
            }
            "item_title" => {
                first(&mut seen, 7)?;
                rate.item_title = s.opt_string()?;
            }
            "item_price" => {
                first(&mut seen, 8)?;
                // Yuan as a string; a number of yuan is left to serde.
                rate.item_price = match s.opt_string()? {
                    None => None,
                    Some(yuan) if yuan.is_empty() => None,
                    Some(yuan) => Some(yuan.parse::<Fen>().ok()?),
                };
            }
            "content" => {
                first(&mut seen, 9)?;
                rate.content = s.string_or_null()?;
            }
            "reply" => {
                first(&mut seen, 10)?;
                rate.reply = s.opt_string()?.filter(|r| !r.is_empty());
            }
            "num_iid" => {
                first(&mut seen, 11)?;
                rate.num_iid = s.lenient_opt()?;
            }
            "logistics_service_score" => {
                first(&mut seen, 12)?;
                rate.logistics_service_score = s.lenient_opt()?;
            }
            "ouid" => {
                first(&mut seen, 13)?;
                rate.ouid = s.opt_string()?;
            }
            "valid_score" => {
                first(&mut seen, 14)?;
                rate.valid_score = Some(s.flag()?);
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    rate.tid = tid?;
    rate.oid = oid?;
    rate.role = role?;
    rate.result = result?;
    rate.created = created?;
    Some(rate)
}
