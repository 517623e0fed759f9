//! The gateway's answers: the `{"code","message","data","trace_id"}` envelope around a page, the
//! refusals with their codes, and the ids every answer carries.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use review_model::taobao::{Envelope, TradeRatePage};

use crate::stats::tag;

/// The gateway's failure codes (documented in the module doc of `taobao`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// `sign` is missing or does not match the parameters.
    BadSignature = 10001,
    /// A parameter is missing, malformed, repeated or out of range, or the body is not a form.
    BadParameter = 10002,
    /// `timestamp` is more than ten minutes from the gateway's now.
    StaleTimestamp = 10003,
    /// `appid` is not a partner of the gateway.
    UnknownAppid = 10004,
    /// The partner is not authorised for `tb_seller_nick`.
    NotAuthorised = 10005,
    /// The sandbox's own: an endpoint it does not emulate yet.
    NotEmulated = 10006,
    /// The sandbox's own: the partner's request quota of the current window is spent.
    RateLimited = 10007,
}

/// A refused request: its code and a message that says what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: Code,
    pub(crate) message: String,
}

impl Refusal {
    /// A bad or missing signature (`签名错误 ...`).
    pub(crate) fn signature(detail: &str) -> Self {
        Self {
            code: Code::BadSignature,
            message: format!("签名错误: {detail}"),
        }
    }

    /// A required parameter that is absent or empty.
    pub(crate) fn missing(name: &str) -> Self {
        Self {
            code: Code::BadParameter,
            message: format!("参数错误: 缺少必填参数 {name} (missing required parameter `{name}`)"),
        }
    }

    /// A parameter whose value breaks its rule (`rule` says what is accepted).
    pub(crate) fn invalid(name: &str, rule: &str, value: &str) -> Self {
        Self {
            code: Code::BadParameter,
            message: format!("参数错误: {name} {rule}, 收到 {value:?} (invalid `{name}`)"),
        }
    }

    /// Any other malformed request.
    pub(crate) fn malformed(detail: &str) -> Self {
        Self {
            code: Code::BadParameter,
            message: format!("参数错误: {detail}"),
        }
    }

    /// Any other refusal.
    pub(crate) fn new(code: Code, message: String) -> Self {
        Self { code, message }
    }
}

/// Draws the `request_id` and `trace_id` of each answer from a counter, so that a run's ids
/// are reproducible and never repeat.
pub(crate) struct AnswerIds {
    seed: u64,
    next: AtomicU64,
}

impl AnswerIds {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            next: AtomicU64::new(1),
        }
    }

    /// The next answer's (`request_id`, `trace_id`): 12 base-36 characters, 30 hex digits.
    pub(crate) fn next(&self) -> (String, String) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let a = mix(self.seed ^ n);
        let b = mix(a ^ n.rotate_left(32));
        let mut request_id = String::with_capacity(12);
        let mut rest = a;
        for _ in 0..12 {
            let digit = u32::try_from(rest % 36).unwrap_or(0);
            request_id.push(char::from_digit(digit, 36).unwrap_or('0'));
            rest /= 36;
        }
        let trace_id = format!("0b{:012x}{:016x}", a >> 16, b);
        (request_id, trace_id)
    }
}

/// splitmix64's finaliser: spreads a counter over 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Where the rates go in the encoded envelope of a page without rates.
const EMPTY_LIST: &str = r#""trade_rate":[]"#;

/// A successful answer: the model's envelope around `meta` (a page without its rates), with
/// the rates, already encoded by the model, in `trade_rate`.
pub(crate) fn page(meta: TradeRatePage, rates: &[&str], trace_id: String) -> Response {
    json(encode_page(meta, rates, trace_id), 0)
}

/// The bytes serde would write for the envelope with the rates in place: the empty list the
/// model writes is opened and the ready fragments are put in, comma-separated.
fn encode_page(
    meta: TradeRatePage,
    rates: &[&str],
    trace_id: String,
) -> serde_json::Result<Vec<u8>> {
    let mut envelope = Envelope::ok(meta);
    envelope.trace_id = trace_id;
    let head = serde_json::to_string(&envelope)?;
    // The ids around it are alphanumeric, so the first match is the list.
    let Some(at) = head.find(EMPTY_LIST) else {
        return Err(serde::ser::Error::custom(
            "the page's encoding has no empty trade_rate list",
        ));
    };
    let (before, after) = head.split_at(at + EMPTY_LIST.len() - 1);
    let size = rates.iter().map(|rate| rate.len() + 1).sum::<usize>();
    let mut body = Vec::with_capacity(head.len() + size);
    body.extend_from_slice(before.as_bytes());
    for (i, rate) in rates.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(rate.as_bytes());
    }
    body.extend_from_slice(after.as_bytes());
    Ok(body)
}

/// A refusal: HTTP 200 with a non-zero `code` and `"data": null`, as the gateway sends them.
pub(crate) fn refusal(refusal: Refusal, trace_id: String) -> Response {
    let code = refusal.code as i64;
    let mut envelope = Envelope::<TradeRatePage>::error(code, refusal.message);
    envelope.trace_id = trace_id;
    // The model leaves `data` out when there is none; the gateway writes `null`.
    let body = serde_json::to_value(&envelope).and_then(|mut value| {
        if let Some(object) = value.as_object_mut() {
            object.insert("data".to_owned(), serde_json::Value::Null);
        }
        serde_json::to_vec(&value)
    });
    json(body, code)
}

/// The encoded envelope with HTTP 200, counted in the stats as `code`; a 500 if it could not
/// be encoded.
fn json(body: serde_json::Result<Vec<u8>>, code: i64) -> Response {
    match body {
        Ok(body) => {
            let response = (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json; charset=utf-8")],
                body,
            )
                .into_response();
            tag::coded(response, code)
        }
        Err(err) => {
            tracing::error!(%err, "cannot encode an fw199 answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use review_model::taobao::TradeRate;

    use super::*;

    #[test]
    fn spliced_pages_are_what_the_model_encodes() {
        let rates: Vec<TradeRate> = (1..=3_u64)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "tid": i, "oid": i, "role": "buyer", "result": "good",
                    "created": "2026-09-24 19:08:33", "content": "好\"吃\"😋", "reply": "",
                    "item_price": "200.07",
                }))
                .unwrap()
            })
            .collect();
        let fragments: Vec<String> = rates
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect();
        let borrowed: Vec<&str> = fragments.iter().map(String::as_str).collect();
        for n in 0..=3 {
            for (total, has_next) in [(Some(7), None), (None, Some(true))] {
                let meta = TradeRatePage {
                    request_id: Some("abc123".to_owned()),
                    total_results: total,
                    has_next,
                    rates: Vec::new(),
                };
                let spliced = encode_page(meta.clone(), &borrowed[..n], "0b12".to_owned()).unwrap();
                let mut whole = Envelope::ok(TradeRatePage {
                    rates: rates[..n].to_vec(),
                    ..meta
                });
                whole.trace_id = "0b12".to_owned();
                assert_eq!(
                    String::from_utf8(spliced).unwrap(),
                    serde_json::to_string(&whole).unwrap()
                );
            }
        }
    }

    #[test]
    fn ids_are_reproducible_and_distinct() {
        let (a, b) = (AnswerIds::new(1), AnswerIds::new(1));
        let first = a.next();
        assert_eq!(first, b.next());
        assert_ne!(first, a.next());
        assert_eq!(first.0.len(), 12);
        assert_eq!(first.1.len(), 30);
        assert!(first.1.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
