//! Routes from the protocol's endpoint descriptions: the method and path of every route come
//! from its [`Metadata`], so the sandbox serves exactly the endpoints the clients call.

use axum::Router;
use axum::routing::{MethodFilter, MethodRouter};
use review_protocol::{Metadata, Method};

/// The axum filter of `endpoint`'s method.
pub(crate) fn method_filter(endpoint: &Metadata) -> MethodFilter {
    match endpoint.method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
    }
}

/// A router for every endpoint of a platform's list: the emulated ones (`emulated` gives their
/// handler) to their handler, the others to `refuse`, so an endpoint the protocol gained
/// before the sandbox learnt it gets the platform's own refusal instead of a 404.
pub(crate) fn platform_routes<S: Clone + Send + Sync + 'static>(
    endpoints: &'static [Metadata],
    emulated: impl Fn(&'static Metadata) -> Option<MethodRouter<S>>,
    refuse: impl Fn(&'static Metadata) -> MethodRouter<S>,
) -> Router<S> {
    endpoints.iter().fold(Router::new(), |router, endpoint| {
        let handler = emulated(endpoint).unwrap_or_else(|| refuse(endpoint));
        router.route(endpoint.path, handler)
    })
}
