//! The three reads: a page of evaluations, one evaluation's detail, its reply thread.
//!
//! Rules beyond the document (documented here because clients meet them):
//! - `startTime` and `endTime` are required inclusive Unix seconds (-10001 if absent, not an
//!   integer, or start after end); `filterType` defaults to 6 (all) and must be 1–6;
//!   `offset` defaults to 0; `limit` defaults to 8 and must be 1–[`MAX_LIMIT`] (-10001).
//! - Pages are newest first (by `createTime`, then by id order for equal times).
//! - The detail of an evaluation this mini program does not have answers -10403 (it belongs to
//!   someone else), its thread -10003 (the id does not match), as WeChat answers them.
//! - The detail serves `info.content` without `extInfo`, as documented; the list carries it.

use std::fmt::Write as _;

use axum::extract::RawQuery;
use axum::response::Response;
use review_model::wechat::{
    CommentDetail, CommentInfo, ErrCode, FilterType, ReplyThread, ReplyThreadResponse,
};

use super::answer::{self, Refusal, Style};
use super::fleet::Tenant;
use super::platform::Platform;
use super::request::Params;
use super::store::Record;

/// The largest page the list serves.
pub(crate) const MAX_LIMIT: usize = 100;

/// The documented page size when `limit` is absent.
const DEFAULT_LIMIT: usize = 8;

/// What a list request asks for.
struct Query {
    filter: FilterType,
    start: i64,
    end: i64,
    offset: u64,
    limit: usize,
}

fn query(params: &Params) -> Result<Query, Refusal> {
    let time = |name: &str| -> Result<i64, Refusal> {
        let value = params.required(name)?;
        value
            .parse()
            .map_err(|_| Refusal::param(format_args!("{name} must be Unix seconds, not {value:?}")))
    };
    let start = time("startTime")?;
    let end = time("endTime")?;
    if start > end {
        return Err(Refusal::param(format_args!(
            "startTime ({start}) is after endTime ({end})"
        )));
    }
    let filter = match params.integer::<u64>("filterType")? {
        None => FilterType::All,
        Some(code) => FilterType::from_code(code)
            .ok_or_else(|| Refusal::param(format_args!("filterType must be 1 to 6, not {code}")))?,
    };
    let offset = params.integer::<u64>("offset")?.unwrap_or(0);
    let limit = params.integer::<usize>("limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Refusal::param(format_args!(
            "limit must be 1 to {MAX_LIMIT}, not {limit}"
        )));
    }
    Ok(Query {
        filter,
        start,
        end,
        offset,
        limit,
    })
}

/// `wechat.comment_list`.
pub(super) async fn list(Tenant(platform): Tenant, RawQuery(raw): RawQuery) -> Response {
    answer::finish(list_page(&platform, raw.as_deref()), Style::Plain)
}

fn list_page(platform: &Platform, raw: Option<&str>) -> Result<Response, Refusal> {
    let params = Params::parse(raw);
    let asked = query(&params);
    let now = platform.clock.now();
    let (total, page, offset) = {
        let state = platform.state();
        state.tokens.check(params.token(), now)?;
        let q = asked?;
        let (total, page) = state
            .store
            .page(q.filter, q.start, q.end, q.offset, q.limit);
        (total, page, q.offset)
    };
    // Assembled after the lock is released: the page holds shared strings, not the state.
    // Each entry is the model's `Comment` as encoded when it last changed; the frame around
    // them is `Envelope<CommentListPage>`'s encoding, written out.
    let size = page.iter().map(|entry| entry.len() + 1).sum::<usize>() + 96;
    let mut body = String::with_capacity(size);
    body.push_str(r#"{"errcode":0,"success":true,"commentList":["#);
    for (i, entry) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(entry);
    }
    // Writing to a String cannot fail.
    let _ = write!(body, r#"],"total":{total},"offset":{offset}}}"#);
    Ok(answer::raw(body))
}

/// `wechat.comment_detail`.
pub(super) async fn detail(Tenant(platform): Tenant, RawQuery(raw): RawQuery) -> Response {
    answer::finish(comment_detail(&platform, raw.as_deref()), Style::Plain)
}

fn comment_detail(platform: &Platform, raw: Option<&str>) -> Result<Response, Refusal> {
    let detail = with_record(platform, raw, Refusal::not_yours("comment"), |record| {
        let mut content = record.comment().map_err(|err| {
            tracing::error!(%err, "a stored comment does not decode");
            Refusal::new(ErrCode::ServiceError, "service exception")
        })?;
        content.ext_info = None;
        Ok(CommentDetail {
            info: CommentInfo { content },
            process: record.process.clone(),
            old_comment: record.old_comment.clone(),
        })
    })?;
    Ok(answer::read(detail))
}

/// `wechat.reply_thread`.
pub(super) async fn thread(Tenant(platform): Tenant, RawQuery(raw): RawQuery) -> Response {
    answer::finish(reply_thread(&platform, raw.as_deref()), Style::Plain)
}

fn reply_thread(platform: &Platform, raw: Option<&str>) -> Result<Response, Refusal> {
    let unknown = Refusal::mismatch("no such comment");
    let list = with_record(platform, raw, unknown, |record| {
        Ok(match &record.thread {
            None => ReplyThread::default(),
            Some(thread) => ReplyThread {
                reply: Some(thread.reply.clone()),
                follow_ups: thread.follow_ups.iter().map(|f| f.reply.clone()).collect(),
            },
        })
    })?;
    Ok(answer::read(ReplyThreadResponse { list }))
}

/// Reads the evaluation named by `commentId` under the lock, after the token check; an
/// evaluation this mini program does not have is `unknown`.
fn with_record<T>(
    platform: &Platform,
    raw: Option<&str>,
    unknown: Refusal,
    read: impl FnOnce(&Record) -> Result<T, Refusal>,
) -> Result<T, Refusal> {
    let params = Params::parse(raw);
    let now = platform.clock.now();
    let state = platform.state();
    state.tokens.check(params.token(), now)?;
    let id = params.required("commentId")?;
    let record = state
        .store
        .find(id)
        .and_then(|at| state.store.get(at))
        .ok_or(unknown)?;
    read(record)
}
