//! WeChat's routes, built from the protocol's [`ENDPOINTS`]: each endpoint the sandbox
//! emulates is listed here with its handler and the shape of its refusals; its method and path
//! come from its [`Metadata`].
//!
//! An endpoint of the list that the sandbox does not emulate yet (one just added to the
//! protocol) answers, whatever its parameters, HTTP 200 with `errcode` 48001 and
//! `errmsg` "api unauthorized: the sandbox does not emulate NAME yet rid: ...":
//! WeChat's own answer to a call the app may not make, so a client reports it as a refusal and
//! does not retry.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, on};
use review_model::wechat::ErrCode;
use review_protocol::wechat::{
    AddCommentReply, AddReply, ConfirmCompromise, DeleteCommentReply, DeleteReply, ENDPOINTS,
    GetCommentDetail, GetCommentList, GetReplyThread, GetStableToken, GetToken, ResetKfQuota,
    SendCustomMessage, UploadMedia,
};
use review_protocol::{Endpoint, Metadata};

use super::answer::{Refusal, Style};
use super::fleet::Fleet;
use super::{auth, json_write, messages, read, write};
use crate::routing::{method_filter, platform_routes};

/// One emulated endpoint: the protocol's description, the shape of its refusals (which the
/// fault layer's `errcode` answers copy), and how its handler is routed.
pub(crate) struct Emulation {
    /// The protocol's description: name, method, path.
    pub(crate) endpoint: Metadata,
    /// `{errcode, errmsg}`, or with `success: false` for the comment writes.
    pub(crate) style: Style,
    /// The handler, routed with the endpoint's method.
    handler: fn(&'static Emulation) -> MethodRouter<Arc<Fleet>>,
}

impl Emulation {
    const fn new(
        endpoint: Metadata,
        style: Style,
        handler: fn(&'static Emulation) -> MethodRouter<Arc<Fleet>>,
    ) -> Self {
        Self {
            endpoint,
            style,
            handler,
        }
    }
}

/// Every WeChat endpoint the sandbox emulates.
static EMULATED: &[Emulation] = &[
    Emulation::new(GetToken::METADATA, Style::Plain, |e| {
        on(method_filter(&e.endpoint), auth::token)
    }),
    Emulation::new(GetStableToken::METADATA, Style::Plain, |e| {
        on(method_filter(&e.endpoint), auth::stable_token)
    }),
    Emulation::new(GetCommentList::METADATA, Style::Plain, |e| {
        on(method_filter(&e.endpoint), read::list)
    }),
    Emulation::new(GetCommentDetail::METADATA, Style::Plain, |e| {
        on(method_filter(&e.endpoint), read::detail)
    }),
    Emulation::new(GetReplyThread::METADATA, Style::Plain, |e| {
        on(method_filter(&e.endpoint), read::thread)
    }),
    Emulation::new(AddReply::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, write::add_reply)
    }),
    Emulation::new(DeleteReply::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, |state, body, _| {
            write::delete_reply(state, &body)
        })
    }),
    Emulation::new(AddCommentReply::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, write::add_follow_up)
    }),
    Emulation::new(DeleteCommentReply::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, |state, body, _| {
            write::delete_follow_up(state, &body)
        })
    }),
    Emulation::new(ResetKfQuota::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, |state, body, now| {
            write::reset_quota(state, &body, now)
        })
    }),
    Emulation::new(ConfirmCompromise::METADATA, Style::Write, |e| {
        json_write::route(&e.endpoint, e.style, write::settle)
    }),
    Emulation::new(SendCustomMessage::METADATA, Style::Plain, |e| {
        json_write::route(&e.endpoint, e.style, |state, message, now| {
            messages::send(state, &message, now)
        })
    }),
    Emulation::new(UploadMedia::METADATA, Style::Plain, |e| {
        // Room for the largest picture plus the multipart framing.
        on(method_filter(&e.endpoint), messages::media_upload)
            .layer(DefaultBodyLimit::max(messages::MAX_UPLOAD + 64 * 1024))
    }),
];

fn emulation(name: &str) -> Option<&'static Emulation> {
    EMULATED.iter().find(|e| e.endpoint.name == name)
}

/// Whether the sandbox emulates the WeChat endpoint named `name` (`wechat.comment_list`).
pub(crate) fn emulates(name: &str) -> bool {
    emulation(name).is_some()
}

/// Whether the endpoint named `name` refuses with `"success": false` (the comment writes).
pub(crate) fn refuses_with_success(name: &str) -> bool {
    emulation(name).is_some_and(|e| e.style == Style::Write)
}

/// The refusal shape of the endpoint at `path`: the comment writes' or the others'.
pub(crate) fn style_of_path(path: &str) -> Style {
    EMULATED
        .iter()
        .find(|e| e.endpoint.path == path)
        .map_or(Style::Plain, |e| e.style)
}

/// The WeChat routes: every endpoint of the protocol's list, for every tenant of `fleet`.
pub(crate) fn routes(fleet: Arc<Fleet>) -> Router {
    platform_routes(
        ENDPOINTS,
        |endpoint| emulation(endpoint.name).map(|e| (e.handler)(e)),
        |endpoint| on(method_filter(endpoint), move || not_emulated(endpoint)),
    )
    .with_state(fleet)
}

/// The answer of an endpoint the sandbox does not emulate yet (see the module doc).
async fn not_emulated(endpoint: &'static Metadata) -> axum::response::Response {
    refusal(endpoint).answer(Style::Plain)
}

fn refusal(endpoint: &Metadata) -> Refusal {
    Refusal::new(
        ErrCode::ApiUnauthorized,
        format!(
            "api unauthorized: the sandbox does not emulate {} yet",
            endpoint.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use review_protocol::{Access, Method};

    use super::*;

    #[test]
    fn every_emulation_is_a_protocol_endpoint_once() {
        for e in EMULATED {
            assert!(ENDPOINTS.contains(&e.endpoint), "{}", e.endpoint.name);
            let same = EMULATED
                .iter()
                .filter(|o| o.endpoint.name == e.endpoint.name);
            assert_eq!(same.count(), 1, "{}", e.endpoint.name);
        }
    }

    #[test]
    fn an_endpoint_not_emulated_is_refused_by_name() {
        let unknown = Metadata {
            name: "wechat.not_yet",
            method: Method::Post,
            path: "/not-emulated",
            idempotent: false,
            access: Access::AccessToken,
        };
        assert!(!emulates(unknown.name));
        let refusal = refusal(&unknown);
        assert_eq!(refusal.code, ErrCode::ApiUnauthorized);
        assert!(refusal.message.contains("does not emulate wechat.not_yet"));
    }
}
