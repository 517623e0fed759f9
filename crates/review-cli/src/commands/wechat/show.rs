//! `reviews wechat show ID` and `reviews wechat thread ID`: one evaluation in full, and its
//! replies. A table is a readable block; JSON is the model as one object.

use jiff::tz::TimeZone;
use review_model::CommentId;
use review_model::wechat::{ActionType, CommentDetail, ReplyThread};

use crate::cli::ListFormat;
use crate::error::{CliError, CliResult};
use crate::output::table::stars;
use crate::output::{Stdout, json, times};
use crate::setup::Session;

/// Keys of the block are padded to this width.
const KEY: usize = 12;

/// The model's time fields, sent as Unix seconds, shown in JSON as RFC 3339 in UTC.
const TIME_KEYS: &[&str] = &["createTime", "payTime", "updateTime"];

/// The evaluation, its bad-review process and its earlier version.
pub(super) fn detail(id: &CommentId, format: ListFormat, session: &Session) -> CliResult {
    let wechat = session.wechat()?;
    let detail = wechat
        .client
        .comment_detail(id.clone())
        .map_err(|e| wechat.error(&e))?;
    let mut out = Stdout::new();
    match format {
        ListFormat::Json => {
            let mut value = serde_json::to_value(&detail)
                .map_err(|e| CliError::runtime(format!("cannot encode the detail: {e}")))?;
            json::rfc3339_times(&mut value, TIME_KEYS);
            json::line(&mut out, &value)?;
        }
        _ => {
            for line in detail_block(&detail, &session.tz) {
                out.line(&line)?;
            }
        }
    }
    out.finish()
}

/// The first reply and its follow-ups.
pub(super) fn thread(id: &CommentId, format: ListFormat, session: &Session) -> CliResult {
    let wechat = session.wechat()?;
    let thread = wechat
        .client
        .reply_thread(id.clone())
        .map_err(|e| wechat.error(&e))?;
    let mut out = Stdout::new();
    match format {
        ListFormat::Json => {
            let mut value = serde_json::to_value(&thread)
                .map_err(|e| CliError::runtime(format!("cannot encode the thread: {e}")))?;
            json::rfc3339_times(&mut value, TIME_KEYS);
            if let Some(object) = value.as_object_mut() {
                object.insert("commentId".to_owned(), id.as_str().into());
            }
            json::line(&mut out, &value)?;
        }
        _ => {
            for line in thread_block(id, &thread, &session.tz) {
                out.line(&line)?;
            }
        }
    }
    out.finish()
}

fn kv(key: &str, value: impl std::fmt::Display) -> String {
    format!("{key:<KEY$}{value}")
}

/// The detail as `key  value` lines.
fn detail_block(detail: &CommentDetail, tz: &TimeZone) -> Vec<String> {
    let c = &detail.info.content;
    let zone = times::zone_label(tz);
    let mut lines = vec![
        kv("id", &c.comment_id),
        kv(
            "time",
            format!("{} ({zone})", times::long(c.create_time, tz)),
        ),
        kv(
            "stars",
            format!("{} {}", stars(c.score.get()), c.score.get()),
        ),
        kv("sentiment", c.score.sentiment()),
    ];
    if let Some(nick) = c.nickname() {
        lines.push(kv("author", nick));
    }
    if let Some(openid) = c.openid() {
        lines.push(kv("openid", openid));
    }
    if let Some(order) = &c.order_id {
        lines.push(kv("order", order));
    }
    if let Some(busi) = c.order_info.as_ref().and_then(|o| o.busi_order_id.as_ref()) {
        lines.push(kv("your order", busi));
    }
    if let Some(amount) = c.amount {
        lines.push(kv("amount", format!("¥{amount}")));
    }
    if let Some(paid) = c.pay_time {
        lines.push(kv("paid", times::long(paid, tz)));
    }
    let items: Vec<&str> = c.products().iter().map(|p| p.name.as_str()).collect();
    if !items.is_empty() {
        lines.push(kv("items", items.join(", ")));
    }
    lines.push(kv("text", &c.content.text));
    for media in &c.content.media {
        if let Some(url) = media.url() {
            lines.push(kv("media", url));
        }
    }
    if let Some(ext) = c.ext_info {
        let sent = if ext.is_already_send_tmpl {
            "yes"
        } else {
            "no"
        };
        lines.push(kv("kf invited", sent));
    }
    if let Some(process) = &detail.process {
        lines.push("process".to_owned());
        let current = process.current_step().map(|a| a.kind);
        for action in &process.action_list {
            let mark = match (Some(action.kind) == current, action.update_time.is_some()) {
                (true, _) => "▶",
                (false, true) => "✓",
                (false, false) => "·",
            };
            let when = action
                .update_time
                .map_or_else(|| "not yet".to_owned(), |t| times::long(t, tz));
            let mut line = format!("  {mark} {:<24}{when}", step_name(action.kind));
            if Some(action.kind) == current {
                line.push_str("  (current)");
            }
            lines.push(line);
        }
    }
    if let Some(old) = &detail.old_comment {
        let score = old
            .score
            .map(|s| format!("{} {}", stars(s.get()), s.get()))
            .unwrap_or_else(|| "?".to_owned());
        let when = old
            .create_time
            .map(|t| format!(" on {}", times::long(t, tz)))
            .unwrap_or_default();
        lines.push(kv("revised", format!("from {score}{when}")));
        lines.push(kv("old text", &old.content.text));
    }
    lines
}

fn step_name(kind: ActionType) -> String {
    match kind {
        ActionType::BadReviewPosted => "1 bad review posted".to_owned(),
        ActionType::MerchantHandled => "2 merchant handled".to_owned(),
        ActionType::UserSurveyed => "3 buyer surveyed".to_owned(),
        ActionType::UserReviewed => "4 buyer reviewed again".to_owned(),
        other => format!("{} unknown step", other.code()),
    }
}

/// The thread as one line per reply, follow-ups indented under the first reply.
fn thread_block(id: &CommentId, thread: &ReplyThread, tz: &TimeZone) -> Vec<String> {
    let Some(reply) = &thread.reply else {
        return vec![format!(
            "comment {id} has no reply yet: answer it with 'reviews wechat reply {id} TEXT'"
        )];
    };
    let author = |a: Option<&review_model::wechat::Author>| {
        a.map(|a| a.nickname.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "?".to_owned())
    };
    let mut lines = vec![format!(
        "reply {}  {}  {}: {}",
        reply.reply_id,
        times::table(reply.create_time, tz),
        author(reply.reply_object.as_ref()),
        reply.reply_content.content
    )];
    for follow_up in &thread.follow_ups {
        lines.push(format!(
            "  follow-up {}  {}  {}: {}",
            follow_up.comment_reply_id,
            times::table(follow_up.create_time, tz),
            author(follow_up.comment_reply_object.as_ref()),
            follow_up.comment_reply_content.content
        ));
    }
    lines
}
