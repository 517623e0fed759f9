//! The routes of both platforms and the sandbox's own, behind the fault layer.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::shared::Shared;
use crate::{admin, faults, fw199, wechat};

/// The whole application.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(wechat::routes())
        .merge(fw199::routes())
        .layer(from_fn_with_state(Arc::clone(&shared), faults::inject))
        .merge(admin::routes())
        .with_state(shared)
}
