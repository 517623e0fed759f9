//! `reviews wechat ...`: list, show and answer WeChat Mini Program evaluations.
//!
//! Every argument is checked by [`check`] before the session starts, so that bad input gives
//! exactly one line on stderr (not the sandbox's notice and then the error).

mod list;
mod show;
mod write;

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use jiff::Timestamp;
use review_model::wechat::FilterType;
use review_model::{CommentId, CommentReplyId, OpenId, ReplyId};
use review_protocol::wechat::{MAX_IMAGE_BYTES, UploadMedia};

use crate::cli::{ListFormat, WechatCommand, Window};
use crate::error::{CliError, CliResult};
use crate::setup::Session;
use crate::time;

/// Checks every argument of `command` without touching the network.
pub(crate) fn check(command: &WechatCommand) -> CliResult {
    match command {
        WechatCommand::List { filter, window, .. } => {
            parse_filter(filter)?;
            parse_window(window)?;
        }
        WechatCommand::Show { id, format } | WechatCommand::Thread { id, format } => {
            comment_id(id)?;
            detail_format(*format)?;
        }
        WechatCommand::Reply { id, text, to } => {
            comment_id(id)?;
            non_empty(text, "the reply text")?;
            to.as_deref().map(reply_id).transpose()?;
        }
        WechatCommand::DeleteReply {
            id,
            reply_id: reply,
            comment_reply,
        } => {
            comment_id(id)?;
            reply_id(reply)?;
            comment_reply.as_deref().map(comment_reply_id).transpose()?;
        }
        WechatCommand::KfReset { id } => {
            comment_id(id)?;
        }
        WechatCommand::Message { openid: to, text } => {
            openid(to)?;
            non_empty(text, "the message text")?;
        }
        WechatCommand::Compromise { id, text, pic } => {
            comment_id(id)?;
            text.as_deref()
                .map(|t| non_empty(t, "the --text of the settlement"))
                .transpose()?;
            for path in pic {
                picture(path)?;
            }
        }
    }
    Ok(())
}

/// Whether `command` changes anything on WeChat (and so needs credentials or `--sandbox`).
pub(crate) fn writes(command: &WechatCommand) -> bool {
    match command {
        WechatCommand::List { .. } | WechatCommand::Show { .. } | WechatCommand::Thread { .. } => {
            false
        }
        WechatCommand::Reply { .. }
        | WechatCommand::DeleteReply { .. }
        | WechatCommand::KfReset { .. }
        | WechatCommand::Message { .. }
        | WechatCommand::Compromise { .. } => true,
    }
}

/// Runs `command` against the session's WeChat client.
pub(crate) fn run(command: &WechatCommand, session: &Session) -> CliResult {
    match command {
        WechatCommand::List {
            filter,
            window,
            format,
        } => list::run(
            parse_filter(filter)?,
            parse_window(window)?,
            *format,
            session,
        ),
        WechatCommand::Show { id, format } => {
            show::detail(&comment_id(id)?, detail_format(*format)?, session)
        }
        WechatCommand::Thread { id, format } => {
            show::thread(&comment_id(id)?, detail_format(*format)?, session)
        }
        WechatCommand::Reply { id, text, to } => {
            let to = to.as_deref().map(reply_id).transpose()?;
            write::reply(&comment_id(id)?, text, to.as_ref(), session)
        }
        WechatCommand::DeleteReply {
            id,
            reply_id: reply,
            comment_reply,
        } => {
            let follow_up = comment_reply.as_deref().map(comment_reply_id).transpose()?;
            write::delete_reply(
                &comment_id(id)?,
                &reply_id(reply)?,
                follow_up.as_ref(),
                session,
            )
        }
        WechatCommand::KfReset { id } => write::kf_reset(&comment_id(id)?, session),
        WechatCommand::Message { openid: to, text } => write::message(&openid(to)?, text, session),
        WechatCommand::Compromise { id, text, pic } => {
            write::compromise(&comment_id(id)?, text.as_deref(), pic, session)
        }
    }
}

/// `--filter`: a name (or wire number) of the list endpoint's filters.
fn parse_filter(text: &str) -> CliResult<FilterType> {
    FilterType::from_str(text).map_err(|err| CliError::usage(format!("--filter: {err}")))
}

/// `--since`/`--until`, relative to now.
fn parse_window(window: &Window) -> CliResult<(Timestamp, Timestamp)> {
    time::window(
        window.since.as_deref(),
        window.until.as_deref(),
        Timestamp::now(),
    )
}

fn comment_id(text: &str) -> CliResult<CommentId> {
    CommentId::from_str(text).map_err(|err| {
        CliError::usage(format!(
            "{err}: pass a comment id as 'reviews wechat list' shows it"
        ))
    })
}

fn reply_id(text: &str) -> CliResult<ReplyId> {
    ReplyId::from_str(text).map_err(|err| {
        CliError::usage(format!(
            "{err}: pass the reply id as 'reviews wechat thread ID' shows it"
        ))
    })
}

fn comment_reply_id(text: &str) -> CliResult<CommentReplyId> {
    CommentReplyId::from_str(text).map_err(|err| {
        CliError::usage(format!(
            "{err}: pass the follow-up id as 'reviews wechat thread ID' shows it"
        ))
    })
}

fn openid(text: &str) -> CliResult<OpenId> {
    OpenId::from_str(text).map_err(|err| {
        CliError::usage(format!(
            "{err}: pass the openid as 'reviews wechat show ID' shows it"
        ))
    })
}

fn non_empty(text: &str, what: &str) -> CliResult {
    if text.trim().is_empty() {
        return Err(CliError::usage(format!("{what} is empty: write something")));
    }
    Ok(())
}

/// `show` and `thread` print a block or one JSON object; CSV has no shape for them.
fn detail_format(format: Option<ListFormat>) -> CliResult<ListFormat> {
    match crate::output::format(format) {
        ListFormat::Csv => Err(CliError::usage(
            "--format csv is for listings: use --format table or --format json here",
        )),
        other => Ok(other),
    }
}

/// The bytes of a `--pic`, checked to be a picture WeChat takes, so that a wrong file fails
/// before anything is uploaded.
///
/// The type and size come from the file's metadata before it is opened: a FIFO would block
/// the open, `/dev/zero` would never end. The read is capped as well, in case the file grows
/// in between.
fn picture(path: &Path) -> CliResult<Vec<u8>> {
    let shown = path.display();
    let cannot =
        |err: &std::io::Error| CliError::usage(format!("--pic {shown}: cannot read it: {err}"));
    let metadata = std::fs::metadata(path).map_err(|e| cannot(&e))?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(CliError::usage(format!(
            "--pic {shown}: {kind}: pass a JPEG, PNG, GIF or BMP picture"
        )));
    }
    let limit = MAX_IMAGE_BYTES as u64;
    let too_big = |size: u64| {
        CliError::usage(format!(
            "--pic {shown}: the picture is {size} bytes; WeChat takes at most {limit} (10 MiB)"
        ))
    };
    if metadata.len() > limit {
        return Err(too_big(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let mut data = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| cannot(&e))?;
    if data.len() as u64 > limit {
        return Err(too_big(data.len() as u64));
    }
    UploadMedia::image(file_name(path), data.clone())
        .validate()
        .map_err(|err| CliError::usage(format!("--pic {shown}: {err}")))?;
    Ok(data)
}

/// The name the picture is uploaded under.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "picture".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}
