//! The whole application: both platforms' routes behind the fault layer and the latency
//! layer, and the sandbox's own, all behind the stats layer (which skips `/sandbox/...`
//! itself, and sees 404s and 405s).

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::admin::{self, Admin};
use crate::faults::{self, FaultLayer};
use crate::latency::{self, Latency};
use crate::{stats, taobao, wechat};

/// The application of one sandbox.
pub(crate) fn router(
    wechat: Arc<wechat::Fleet>,
    taobao: Arc<taobao::Shops>,
    faults: Arc<FaultLayer>,
    latency: Arc<Latency>,
    admin: Arc<Admin>,
) -> Router {
    let stats = Arc::clone(&admin.stats);
    Router::new()
        .merge(wechat::routes(wechat))
        .merge(taobao::routes(taobao))
        .layer(from_fn_with_state(faults, faults::inject))
        .layer(from_fn_with_state(latency, latency::delay_answers))
        .merge(admin::routes(admin))
        .layer(from_fn_with_state(stats, stats::count))
}

/// Whether the sandbox emulates the endpoint named `name` (its
/// [`Metadata::name`](review_protocol::Metadata::name), e.g. `wechat.comment_list`).
///
/// Every endpoint of `review_protocol::wechat::ENDPOINTS` and `review_protocol::taobao::ENDPOINTS`
/// is routed; one the sandbox does not emulate yet answers its platform's refusal
/// (WeChat: `errcode` 48001, "api unauthorized: the sandbox does not emulate NAME yet"; the
/// fw199 gateway: `code` 10006) instead of data.
///
/// ```
/// assert!(review_sandbox::emulates("wechat.comment_list"));
/// assert!(review_sandbox::emulates("taobao.trade_rates"));
/// assert!(!review_sandbox::emulates("wechat.no_such_endpoint"));
/// ```
pub fn emulates(name: &str) -> bool {
    wechat::emulates(name) || taobao::emulates(name)
}
