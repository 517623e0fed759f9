//! Seeded, reproducible fault injection: the middleware in front of both platforms' routes.
//!
//! Which requests can be hit and what each kind does are described on [`FaultKind`]; how a
//! request's fault is drawn is described on [`Faults`]; which endpoint is a read, a write or
//! exempt comes from the protocol's metadata ([`Target`]).

mod answers;
pub(crate) mod kind;
mod plan;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use rand::Rng;

pub use kind::{FaultKind, UnknownFaultKind};
pub(crate) use plan::Faults;
use plan::{Decision, Target, addressed};

use crate::wechat;
use crate::writes::Writes;

/// What the fault layer needs: its plan, WeChat (whose tokens it expires early: those of the
/// request's tenant), the write log (whose lost answers it marks) and how long a slow response
/// stalls.
pub(crate) struct FaultLayer {
    pub(crate) plan: Faults,
    pub(crate) wechat: Arc<wechat::Fleet>,
    pub(crate) writes: Arc<Writes>,
    pub(crate) slow_response: Duration,
}

/// The fault layer: lets the request through, or fails it as the seed decides.
pub(crate) async fn inject(
    State(layer): State<Arc<FaultLayer>>,
    request: Request,
    next: Next,
) -> Response {
    if !layer.plan.enabled() {
        return next.run(request).await;
    }
    let Some(endpoint @ (_, metadata)) = addressed(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let target = Target::of_endpoint(endpoint);
    let Some(Decision { kind, mut rng }) = layer.plan.decide(target) else {
        return next.run(request).await;
    };
    let path = metadata.path;
    tracing::debug!(%kind, %path, "injecting a fault");
    let write = target == Target::WechatWrite;
    match kind {
        FaultKind::SystemBusy | FaultKind::ServiceError | FaultKind::RateLimited => {
            let comment_write = write && wechat::refuses_with_success(metadata.name);
            answers::errcode(kind, comment_write, &mut rng)
        }
        FaultKind::BadGateway => answers::html(StatusCode::BAD_GATEWAY),
        FaultKind::ServiceUnavailable => answers::html(StatusCode::SERVICE_UNAVAILABLE),
        FaultKind::WriteRefused => answers::refusal(&mut rng),
        FaultKind::TokenExpired => {
            let query =
                form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes());
            let token = query
                .into_iter()
                .find(|(key, _)| key == "access_token")
                .map(|(_, token)| token);
            layer.wechat.expire_tokens(token.as_deref());
            next.run(request).await
        }
        FaultKind::DroppedConnection => {
            let before = layer.writes.len();
            let response = next.run(request).await;
            if write {
                layer.writes.mark_lost(before, path);
            }
            answers::cut(response, &mut rng).await
        }
        FaultKind::WriteAnswerLost => {
            let before = layer.writes.len();
            let response = next.run(request).await;
            layer.writes.mark_lost(before, path);
            if rng.random::<bool>() {
                answers::cut(response, &mut rng).await
            } else {
                answers::html(StatusCode::BAD_GATEWAY)
            }
        }
        FaultKind::SlowResponse => {
            let before = layer.writes.len();
            let response = next.run(request).await;
            // Hyper drops this future when the client hangs up: then the answer is lost.
            let mut guard = LostIfDropped {
                writes: Arc::clone(&layer.writes),
                before,
                path,
                armed: write,
            };
            tokio::time::sleep(layer.slow_response).await;
            guard.armed = false;
            response
        }
    }
}

/// Marks a slow write's answer lost if the server gives up on the request before sending it.
struct LostIfDropped {
    writes: Arc<Writes>,
    before: usize,
    path: &'static str,
    /// Cleared once the answer is on its way.
    armed: bool,
}

impl Drop for LostIfDropped {
    fn drop(&mut self) {
        if self.armed {
            self.writes.mark_lost(self.before, self.path);
        }
    }
}
