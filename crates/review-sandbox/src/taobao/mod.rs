//! Taobao's side: the trade-rate search (`taobao.trade_rates`), signed and enveloped as the
//! fw199 gateway does ([`gateway`]), over seeded rates. Routes are built from the protocol's
//! endpoint list ([`routes`]).
//!
//! # Requests
//!
//! The body is an `application/x-www-form-urlencoded` UTF-8 form (a request without a
//! content type is read as one). Its signature is checked with the protocol's own verifier
//! against the sandbox's secret, the `timestamp` against the sandbox clock, then the search
//! parameters (`params.rs` lists them with their ranges).
//!
//! # Failure codes
//!
//! A refusal is HTTP 200 with `{"code": <code>, "message": "...", "data": null, "trace_id": "..."}`.
//! The message starts with the gateway's Chinese reason and names the parameter.
//!
//! | code | when |
//! | --- | --- |
//! | 10001 | `sign` missing or not matching the parameters (`签名错误: ...`) |
//! | 10002 | a required parameter missing, a value malformed or out of range, a parameter repeated, `start_date` after `end_date`, a body that is not a UTF-8 form (`参数错误: ...`) |
//! | 10003 | `timestamp` more than 600 s from the sandbox's now, either way (`时间戳无效: ...`) |
//! | 10004 | `appid` not the sandbox's (`appid 不存在: ...`) |
//! | 10005 | `tb_seller_nick` not the sandbox's seller (`无权访问: ...`) |
//! | 10006 | the sandbox's own: an endpoint of the protocol's list not emulated yet (`接口未开放: ...`) |
//! | 10007 | the sandbox's own: the appid's request quota of the current window is spent (`调用频率超限: ...`, see `SandboxBuilder::quota_per_minute`) |
//!
//! Checks run in that order of discovery: form, `appid`, signature, `timestamp`, the request
//! quota, then the search's parameters; the first failure answers.
//!
//! # Tenants
//!
//! Each tenant has its own partner credentials, seller and rates; a call is for the tenant of
//! its `appid` ([`shops`]).
//!
//! # Answers
//!
//! `{"code":0,"message":"ok","data":{"request_id", "total_results" | "has_next",
//! "trade_rates":{"trade_rate":[...]}},"trace_id"}`, encoded from the model's
//! `Envelope<TradeRatePage>`, as the fixtures show.
//!
//! - **Order**: newest first by `created`; rates of the same second by `oid`, descending.
//! - **Windows**: `start_date` and `end_date` are inclusive seconds in China Standard Time;
//!   only a start gives everything from it on, only an end everything up to it.
//! - **180 days**: a start before `now - 180 days` (or none) is clamped to the first whole
//!   second inside them, as Taobao returns only the last 180 days rather than failing.
//! - **The 1500 cap**: `total_results = min(matching, 1500)`, and only the first 1500 rates of
//!   a window (in the order above) are reachable: a page reaching past the 1500th returns the
//!   rates up to it, pages after it are empty.
//! - **`use_has_next=true`**: no `total_results`; `has_next` says whether a later page holds
//!   reachable rates.
//! - **Filters**: `result` and `rate_type` + `role` pick an index list; `tid` (matching a parent
//!   `tid` or a child `oid`), `num_iid` and `ouid` scan the window only.
//!
//! # Data
//!
//! `data.rs` generates exactly the configured count of rates for the seller (most
//! `get`+`buyer`, a share `give`+`seller`; above 1600, a burst of 1600 in one hour about
//! 30 days back), so a test that reads every list once can compare with the builder's count.
//! `store.rs` indexes them and encodes each rate once, so a page costs two binary searches and
//! a copy of ready JSON: with 100,000 rates the search is a small part of a request, which
//! costs mostly HTTP.

mod answer;
mod catalog;
mod data;
mod gateway;
mod params;
mod platform;
mod routes;
mod search;
mod shops;
mod store;

pub(crate) use platform::Platform;
pub(crate) use routes::{emulates, routes};
pub(crate) use shops::Shops;
