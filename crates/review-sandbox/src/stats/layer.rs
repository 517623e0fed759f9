//! The stats middleware, around everything but the admin routes' own paths.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Stats;
use super::tag::{Answer, Minted};

/// Counts the request on arrival and its answer once made; `/sandbox/...` passes uncounted,
/// so reading the stats does not move them.
pub(crate) async fn count(
    State(stats): State<Arc<Stats>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/sandbox" || path.starts_with("/sandbox/") {
        return next.run(request).await;
    }
    stats.arrived(request.method(), path);
    let response = next.run(request).await;
    let extensions = response.extensions();
    stats.answered(
        response.status(),
        extensions.get::<Answer>().copied(),
        extensions.get::<Minted>().is_some(),
    );
    response
}
