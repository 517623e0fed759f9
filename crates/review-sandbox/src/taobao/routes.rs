//! Taobao's routes, built from the protocol's [`ENDPOINTS`]: each endpoint the sandbox
//! emulates is listed here with its handler; its method and path come from its [`Metadata`].
//!
//! An endpoint of the list that the sandbox does not emulate yet (one just added to the
//! protocol) answers in the gateway's envelope with code 10006
//! (`接口未开放: the sandbox does not emulate <name> yet`), whatever its parameters.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, on};
use review_protocol::taobao::{ENDPOINTS, SearchTradeRates};
use review_protocol::{Endpoint, Metadata};

use super::answer::{self, Code, Refusal};
use super::platform::Platform;
use super::search;
use super::shops::Shops;
use crate::routing::{method_filter, platform_routes};

/// One emulated endpoint: the protocol's description and its handler, routed with the
/// endpoint's method.
struct Emulation {
    endpoint: Metadata,
    handler: fn(&Metadata) -> MethodRouter<Arc<Shops>>,
}

/// Every Taobao endpoint the sandbox emulates.
static EMULATED: &[Emulation] = &[Emulation {
    endpoint: SearchTradeRates::METADATA,
    handler: |endpoint| on(method_filter(endpoint), search::handle),
}];

fn emulation(name: &str) -> Option<&'static Emulation> {
    EMULATED.iter().find(|e| e.endpoint.name == name)
}

/// Whether the sandbox emulates the Taobao endpoint named `name` (`taobao.trade_rates`).
pub(crate) fn emulates(name: &str) -> bool {
    emulation(name).is_some()
}

/// The Taobao routes: every endpoint of the protocol's list, for every tenant of `shops`.
pub(crate) fn routes(shops: Arc<Shops>) -> Router {
    platform_routes(
        ENDPOINTS,
        |endpoint| emulation(endpoint.name).map(|e| (e.handler)(&e.endpoint)),
        |endpoint| {
            let refuse = move |State(shops): State<Arc<Shops>>| async move {
                match shops.first() {
                    Some(platform) => not_emulated(platform, endpoint),
                    None => http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            };
            on(method_filter(endpoint), refuse)
        },
    )
    .with_state(shops)
}

/// The answer of an endpoint the sandbox does not emulate yet (see the module doc).
fn not_emulated(platform: &Platform, endpoint: &Metadata) -> Response {
    let (_, trace_id) = platform.ids.next();
    answer::refusal(refusal(endpoint), trace_id)
}

fn refusal(endpoint: &Metadata) -> Refusal {
    Refusal::new(
        Code::NotEmulated,
        format!(
            "接口未开放: the sandbox does not emulate {} yet",
            endpoint.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use review_protocol::{Access, Method};

    use super::*;

    #[test]
    fn every_emulation_is_a_protocol_endpoint() {
        for e in EMULATED {
            assert!(ENDPOINTS.contains(&e.endpoint), "{}", e.endpoint.name);
        }
    }

    #[test]
    fn an_endpoint_not_emulated_is_refused_by_name() {
        let unknown = Metadata {
            name: "taobao.not_yet",
            method: Method::Post,
            path: "/not-emulated",
            idempotent: true,
            access: Access::Signature,
        };
        assert!(!emulates(unknown.name));
        let refusal = refusal(&unknown);
        assert_eq!(refusal.code, Code::NotEmulated);
        assert!(refusal.message.contains("does not emulate taobao.not_yet"));
    }
}
