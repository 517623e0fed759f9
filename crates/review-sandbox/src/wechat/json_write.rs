//! The one path of every JSON write (the comment writes and the customer-service message):
//! check the token, decode the body, execute, record, answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::routing::{MethodRouter, on};
use jiff::Timestamp;
use review_protocol::Metadata;
use serde::de::DeserializeOwned;

use super::answer::{self, Refusal, Style};
use super::fleet::{Fleet, Tenant};
use super::platform::Platform;
use super::request::{self, Params};
use super::state::WechatState;
use crate::routing::method_filter;

/// What a write does to the state once its token and body passed, given the decoded body and
/// the sandbox's now.
pub(super) type Execute<T> = fn(&mut WechatState, T, Timestamp) -> Result<(), Refusal>;

/// The route of a JSON write: `execute` runs on the body decoded as `T`, and the write is
/// recorded under the endpoint's path; refusals and the answer take the endpoint's style.
pub(super) fn route<T: DeserializeOwned + 'static>(
    endpoint: &'static Metadata,
    style: Style,
    execute: Execute<T>,
) -> MethodRouter<Arc<Fleet>> {
    let handler = move |Tenant(platform): Tenant, RawQuery(raw): RawQuery, body: Bytes| async move {
        let result = write(
            &platform,
            endpoint.path,
            style,
            raw.as_deref(),
            &body,
            execute,
        );
        answer::finish(result.map(|()| answer::done(style)), style)
    };
    on(method_filter(endpoint), handler)
}

/// Runs a JSON write: checks the token, decodes the body as `T`, executes it on the state,
/// and records the write once it executed. The state stays locked throughout, so writes are
/// recorded in the order they executed.
fn write<T: DeserializeOwned>(
    platform: &Platform,
    path: &str,
    style: Style,
    query: Option<&str>,
    bytes: &[u8],
    execute: Execute<T>,
) -> Result<(), Refusal> {
    let params = Params::parse(query);
    let now = platform.clock.now();
    let decoded = request::body::<T>(bytes);
    let mut state = platform.state();
    state.tokens.check(params.token(), now)?;
    let (typed, raw) = decoded.map_err(|err| err.refusal(style))?;
    execute(&mut state, typed, now)?;
    platform.record_write(path, raw);
    Ok(())
}
