//! Seeded, reproducible fault injection: the middleware in front of both platforms' routes.
//!
//! Which requests can be hit and what each kind does are described on [`FaultKind`]; how a
//! request's fault is drawn is described on [`Faults`].

mod answers;
mod kind;
mod plan;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use rand::Rng;

pub use kind::{FaultKind, UnknownFaultKind};
pub(crate) use plan::Faults;
use plan::{Decision, Target};

use crate::shared::{Shared, lock};

/// The fault layer: lets the request through, or fails it as the seed decides.
pub(crate) async fn inject(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if !shared.faults.enabled() {
        return next.run(request).await;
    }
    let target = Target::of(request.method(), request.uri().path());
    let Some(Decision { kind, mut rng }) = shared.faults.decide(target) else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    tracing::debug!(%kind, %path, "injecting a fault");
    let write = target == Target::WechatWrite;
    match kind {
        FaultKind::SystemBusy | FaultKind::ServiceError | FaultKind::RateLimited => {
            answers::errcode(kind, write && path.starts_with("/wxaapi/"), &mut rng)
        }
        FaultKind::BadGateway => answers::html(StatusCode::BAD_GATEWAY),
        FaultKind::ServiceUnavailable => answers::html(StatusCode::SERVICE_UNAVAILABLE),
        FaultKind::WriteRefused => answers::refusal(&mut rng),
        FaultKind::TokenExpired => {
            lock(&shared.wechat).expire_tokens();
            next.run(request).await
        }
        FaultKind::DroppedConnection => {
            let before = lock(&shared.writes).len();
            let response = next.run(request).await;
            if write {
                mark_lost(&shared, before, &path);
            }
            answers::cut(response, &mut rng).await
        }
        FaultKind::WriteAnswerLost => {
            let before = lock(&shared.writes).len();
            let response = next.run(request).await;
            mark_lost(&shared, before, &path);
            if rng.random::<bool>() {
                answers::cut(response, &mut rng).await
            } else {
                answers::html(StatusCode::BAD_GATEWAY)
            }
        }
        FaultKind::SlowResponse => {
            let before = lock(&shared.writes).len();
            let response = next.run(request).await;
            // Hyper drops this future when the client hangs up: then the answer is lost.
            let mut guard = LostIfDropped {
                shared: Arc::clone(&shared),
                before,
                path,
                armed: write,
            };
            tokio::time::sleep(shared.config.slow_response).await;
            guard.armed = false;
            response
        }
    }
}

/// Marks the write this request executed (the first unmarked record of `path` since `before`)
/// as having lost its answer. Returns whether one was found.
///
/// Exact for a sequential client; two concurrent writes to the same path may have their marks
/// swapped, never lost or doubled.
fn mark_lost(shared: &Shared, before: usize, path: &str) -> bool {
    let mut writes = lock(&shared.writes);
    let record = writes
        .iter_mut()
        .skip(before)
        .find(|record| record.path == path && !record.answer_lost);
    match record {
        Some(record) => {
            record.answer_lost = true;
            true
        }
        None => false,
    }
}

/// Marks a slow write's answer lost if the server gives up on the request before sending it.
struct LostIfDropped {
    shared: Arc<Shared>,
    before: usize,
    path: String,
    /// Cleared once the answer is on its way.
    armed: bool,
}

impl Drop for LostIfDropped {
    fn drop(&mut self) {
        if self.armed {
            mark_lost(&self.shared, self.before, &self.path);
        }
    }
}
