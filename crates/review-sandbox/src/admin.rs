//! The sandbox's own endpoints under `/sandbox/`: make a bad review appear, read the writes and
//! push logs, move the clock, read and reset the stats, list the tenants, check health. They
//! are never faulted, never delayed and never counted in the stats.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::SignedDuration;
use review_model::wechat::Comment;
use serde_json::json;

use crate::clock::Clock;
use crate::credentials::TenantCredentials;
use crate::push::{Pusher, new_bad_review};
use crate::stats::Stats;
use crate::writes::Writes;

/// What the admin routes read and move.
pub(crate) struct Admin {
    pub(crate) pusher: Arc<Pusher>,
    pub(crate) writes: Arc<Writes>,
    pub(crate) clock: Arc<Clock>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) tenants: Arc<[TenantCredentials]>,
}

/// The admin routes.
pub(crate) fn routes(admin: Arc<Admin>) -> Router {
    Router::new()
        .route("/sandbox/health", get(health))
        .route("/sandbox/bad-review", post(bad_review))
        .route("/sandbox/writes", get(writes))
        .route("/sandbox/pushes", get(pushes))
        .route("/sandbox/clock", post(clock))
        .route("/sandbox/stats", get(stats))
        .route("/sandbox/stats/reset", post(reset_stats))
        .route("/sandbox/tenants", get(tenants))
        .with_state(admin)
}

/// `GET /sandbox/health`: `{"ok":true}` once the server answers.
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "ok": true }))
}

/// `POST /sandbox/bad-review`: a new one- or two-star review at the sandbox's now, pushed to the
/// configured target (in the background); answers the comment as the list endpoint shows it.
async fn bad_review(State(admin): State<Arc<Admin>>) -> Json<Comment> {
    Json(new_bad_review(&admin.pusher))
}

/// `GET /sandbox/writes`: every executed write, in order.
async fn writes(State(admin): State<Arc<Admin>>) -> Response {
    Json(admin.writes.all()).into_response()
}

/// `GET /sandbox/pushes`: every push delivery attempt, in order.
async fn pushes(State(admin): State<Arc<Admin>>) -> Response {
    Json(admin.pusher.log.records()).into_response()
}

/// `POST /sandbox/clock?advance=SECONDS`: moves the sandbox's clock (negative moves it back);
/// answers the new now.
async fn clock(
    State(admin): State<Arc<Admin>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(raw) = query.get("advance") else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing `advance` (seconds, may be negative)",
        );
    };
    let Ok(seconds) = raw.trim().parse::<i64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "`advance` must be a whole number of seconds",
        );
    };
    admin.clock.advance(SignedDuration::from_secs(seconds));
    Json(json!({ "now": admin.clock.now(), "advanced_seconds": seconds })).into_response()
}

/// `GET /sandbox/stats`: the counts since the start or the last reset, as
/// [`SandboxStats`](crate::SandboxStats).
async fn stats(State(admin): State<Arc<Admin>>) -> Response {
    Json(admin.stats.snapshot()).into_response()
}

/// `POST /sandbox/stats/reset`: zeroes every count and answers 200 with the counts it cleared
/// (the same shape as `GET /sandbox/stats`), so a script can close one phase and start the
/// next without losing a request in between.
async fn reset_stats(State(admin): State<Arc<Admin>>) -> Response {
    Json(admin.stats.reset()).into_response()
}

/// `GET /sandbox/tenants`: every tenant's credentials, in order, tenant 0 first:
/// `{"tenants":[{"index":0,"wechat":{"appid","secret"},"fw199":{"appid","secret","seller_nick"}}]}`.
async fn tenants(State(admin): State<Arc<Admin>>) -> Response {
    let tenants: Vec<serde_json::Value> = admin.tenants.iter().map(tenant_json).collect();
    Json(json!({ "tenants": tenants })).into_response()
}

/// One tenant's credentials, in the readiness line's shape (secrets included: they are the
/// sandbox's own test credentials).
pub(crate) fn tenant_json(tenant: &TenantCredentials) -> serde_json::Value {
    json!({
        "index": tenant.index,
        "wechat": {
            "appid": tenant.wechat.appid.as_str(),
            "secret": tenant.wechat.secret.expose_secret(),
        },
        "fw199": {
            "appid": tenant.taobao.gateway.appid,
            "secret": tenant.taobao.gateway.secret.expose_secret(),
            "seller_nick": tenant.taobao.seller_nick,
        },
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
