//! The writes: reply, follow up, delete, open a customer-service session, message, settle.
//!
//! Each prints one confirmation line on stdout. A write whose outcome is unknown (the request
//! went out, no clear answer came back) is never repeated by the client: the error says how to
//! check before sending it again.

use std::path::PathBuf;

use review_client::ClientError;
use review_model::wechat::CustomMessage;
use review_model::{CommentId, CommentReplyId, OpenId, ReplyId};
use review_protocol::wechat::ConfirmCompromise;

use crate::error::{CliError, CliResult};
use crate::output::Stdout;
use crate::setup::{Session, Wechat};

/// Replies to `id`, or follows up under its first reply `to`.
pub(super) fn reply(
    id: &CommentId,
    text: &str,
    to: Option<&ReplyId>,
    session: &Session,
) -> CliResult {
    let wechat = session.wechat()?;
    let check = format!("check with 'reviews wechat thread {id}'");
    let line = match to {
        None => {
            wechat
                .client
                .reply_add(id.clone(), text)
                .map_err(|e| failed(&e, wechat, &check))?;
            // Name the new reply so that a script can follow up under it; best effort.
            let new_id = wechat
                .client
                .reply_thread(id.clone())
                .ok()
                .and_then(|t| t.reply)
                .map(|r| format!(" (reply id {})", r.reply_id))
                .unwrap_or_default();
            format!("replied to comment {id}{new_id}")
        }
        Some(reply_id) => {
            wechat
                .client
                .comment_reply_add(id.clone(), reply_id.clone(), text)
                .map_err(|e| failed(&e, wechat, &check))?;
            let new_id = wechat
                .client
                .reply_thread(id.clone())
                .ok()
                .and_then(|t| t.follow_ups.last().map(|f| f.comment_reply_id.clone()))
                .map(|f| format!(" (follow-up id {f})"))
                .unwrap_or_default();
            format!("followed up under reply {reply_id} of comment {id}{new_id}")
        }
    };
    confirm(&line)
}

/// Deletes the first reply `reply_id` (and its follow-ups), or only the follow-up `follow_up`.
pub(super) fn delete_reply(
    id: &CommentId,
    reply_id: &ReplyId,
    follow_up: Option<&CommentReplyId>,
    session: &Session,
) -> CliResult {
    let wechat = session.wechat()?;
    let check = format!("check with 'reviews wechat thread {id}'");
    let line = match follow_up {
        None => {
            wechat
                .client
                .reply_delete(id.clone(), reply_id.clone())
                .map_err(|e| failed(&e, wechat, &check))?;
            format!("deleted reply {reply_id} of comment {id} and its follow-ups")
        }
        Some(follow_up) => {
            wechat
                .client
                .comment_reply_delete(id.clone(), reply_id.clone(), follow_up.clone())
                .map_err(|e| failed(&e, wechat, &check))?;
            format!("deleted follow-up {follow_up} under reply {reply_id} of comment {id}")
        }
    };
    confirm(&line)
}

/// Opens a customer-service session with the author of the bad review `id`.
pub(super) fn kf_reset(id: &CommentId, session: &Session) -> CliResult {
    let wechat = session.wechat()?;
    let check = format!("check with 'reviews wechat show {id}'");
    wechat
        .client
        .kf_quota_reset(id.clone())
        .map_err(|e| failed(&e, wechat, &check))?;
    // Name the author to message; best effort.
    let next = wechat
        .client
        .comment_detail(id.clone())
        .ok()
        .and_then(|d| d.info.content.openid().cloned())
        .map(|openid| format!(": message them with 'reviews wechat message {openid} TEXT'"))
        .unwrap_or_default();
    confirm(&format!(
        "opened a customer-service session with the author of comment {id}{next}"
    ))
}

/// Sends a text message to `openid`.
pub(super) fn message(openid: &OpenId, text: &str, session: &Session) -> CliResult {
    let wechat = session.wechat()?;
    wechat
        .client
        .custom_send(CustomMessage::text(openid.clone(), text))
        .map_err(|e| {
            failed(
                &e,
                wechat,
                "check the conversation on the WeChat customer-service console",
            )
        })?;
    confirm(&format!("sent a message to {openid}"))
}

/// Uploads each picture, then confirms the settlement of the bad review `id`.
pub(super) fn compromise(
    id: &CommentId,
    text: Option<&str>,
    pics: &[PathBuf],
    session: &Session,
) -> CliResult {
    let wechat = session.wechat()?;
    let mut settlement = ConfirmCompromise::new(id.clone());
    if let Some(text) = text {
        settlement = settlement.content(text);
    }
    for path in pics {
        let shown = path.display();
        let data = super::picture(path)?;
        let name = super::file_name(path);
        let upload = wechat.client.media_upload(&name, data).map_err(|e| {
            let err = wechat.error(&e);
            CliError {
                code: err.code,
                message: format!("--pic {shown}: {}", err.message),
            }
        })?;
        settlement = settlement.picture(upload.media_id);
    }
    let check = format!("check with 'reviews wechat show {id}'");
    wechat
        .client
        .confirm_compromise(&settlement)
        .map_err(|e| failed(&e, wechat, &check))?;
    let pictures = match pics.len() {
        0 => String::new(),
        1 => " with 1 picture".to_owned(),
        n => format!(" with {n} pictures"),
    };
    confirm(&format!(
        "confirmed the settlement of comment {id}{pictures}"
    ))
}

/// A failed write; when it may have executed, say how to `check` before retrying.
fn failed(err: &ClientError, wechat: &Wechat, check: &str) -> CliError {
    let mut error = wechat.error(err);
    if err.outcome_unknown() {
        if !error.message.contains("may have executed") {
            error.message.push_str("; the write may have executed");
        }
        error.message = format!(
            "{}: {check} before retrying",
            error
                .message
                .trim_end_matches(": check before sending it again")
        );
    }
    error
}

fn confirm(line: &str) -> CliResult {
    let mut out = Stdout::new();
    out.line(line)?;
    out.finish()
}
