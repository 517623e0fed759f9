//! `taobao.trade_rates`: the gateway's checks, the 180-day clamp, then one
//! page from the store in the model's envelope.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use review_model::taobao::TradeRatePage;
use review_protocol::taobao::oldest;

use super::shops::Shops;
use super::store::Range;
use super::{answer, gateway, params};
use crate::stats::tag::{self, Throttled};

/// The handler. Everything is in-memory work; nothing awaits.
pub(super) async fn handle(
    State(shops): State<Arc<Shops>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or("(not text)"));
    answer_for(&shops, content_type, &body)
}

fn answer_for(shops: &Shops, content_type: Option<&str>, body: &[u8]) -> Response {
    let decoded = gateway::decode(content_type, body);
    let appid = decoded
        .as_ref()
        .ok()
        .and_then(|form| gateway::value(form, "appid"));
    let Some(platform) = shops.by_appid(appid) else {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let now = platform.clock.now();
    let credentials = &platform.credentials;
    let verified = decoded.and_then(|form| gateway::verify(&credentials.gateway, &form, body, now));
    if verified.is_ok()
        && let Err(refusal) = shops.spend(platform, now)
    {
        let (_, trace_id) = platform.ids.next();
        return tag::throttled(answer::refusal(refusal, trace_id), Throttled::Fw199);
    }
    let checked = verified.and_then(|form| params::parse(&form, &credentials.seller_nick));
    let (request_id, trace_id) = platform.ids.next();
    let query = match checked {
        Ok(query) => query,
        Err(refusal) => return answer::refusal(refusal, trace_id),
    };
    let found = platform
        .store
        .search(query.list, clamp(query.range, now), &query.filter, query.at);
    let reachable = u64::try_from(found.reachable).unwrap_or(u64::MAX);
    let meta = TradeRatePage {
        request_id: Some(request_id),
        total_results: (!query.use_has_next).then_some(reachable),
        has_next: query.use_has_next.then_some(found.has_next),
        rates: Vec::new(),
    };
    // The page borrows the store's encoded rates, copied once into the body.
    answer::page(meta, &found.rates, trace_id)
}

/// Taobao serves the last 180 days only: an earlier (or absent) start is moved to the first
/// whole second inside them, as the real API silently returns only what it keeps.
fn clamp(range: Range, now: Timestamp) -> Range {
    let edge = oldest(now);
    let edge = if edge.subsec_nanosecond() > 0 {
        edge.as_second().saturating_add(1)
    } else {
        edge.as_second()
    };
    Range {
        start: Some(range.start.map_or(edge, |start| start.max(edge))),
        end: range.end,
    }
}
