//! WeChat's side of the export, in constant memory, with `replied` right and no per-comment
//! thread read.
//!
//! The list does not say whether a comment was answered, but the `awaiting-reply` listing of
//! the same window does: a comment is `replied` exactly when it is not in it. The ids of that
//! listing are collected into a set before the window's full listing is streamed.
//!
//! Both that set and the client's pager (which remembers every id it delivered, to drop the
//! duplicates a changing list produces) grow with the window. So the range is cut into windows
//! of at most [`WINDOW_CAP`] comments: a one-comment probe reads a window's `total`, a window
//! above the cap is halved (newer half first, so the output stays newest first), and each
//! final window gets pagers and a set of its own. Memory is bounded by the cap (about 70 bytes
//! per id in each of three sets: some 1 MB), whatever the range, at the cost of one small
//! probe per window. Windows are whole seconds with inclusive bounds, as the API reads them,
//! so halves neither overlap nor leave a gap. A single second holding more than the cap cannot
//! be split and is read whole.

use std::collections::HashSet;

use jiff::Timestamp;
use review_client::ClientError;
use review_model::wechat::FilterType;
use review_model::{CommentId, Review};
use review_protocol::wechat::GetCommentList;

use super::{Export, Halt};
use crate::error::CliError;
use crate::setup::Wechat;

/// The most comments one window holds before it is halved.
const WINDOW_CAP: u64 = 5_000;

/// Comments per page (the platform's maximum).
const PAGE_SIZE: u32 = 100;

/// Writes every comment of `[since, until]`, newest first.
pub(super) fn export(
    side: &Wechat,
    since: Timestamp,
    until: Timestamp,
    export: &mut Export,
) -> Result<(), Halt> {
    let failed = |err: &ClientError| Halt::Failed(CliError::client(err, &side.host));
    // A stack of inclusive windows in Unix seconds, the newest on top.
    let mut pending = vec![(since.as_second(), until.as_second())];
    while let Some((start, end)) = pending.pop() {
        export.check()?;
        let query = GetCommentList::new(second(start)?, second(end)?).filter(FilterType::All);
        if start < end {
            let probe = side
                .client
                .comment_page(&query.clone().limit(1))
                .map_err(|e| failed(&e))?;
            match probe.total {
                Some(0) => continue,
                Some(total) if total > WINDOW_CAP => {
                    let middle = start + (end - start) / 2;
                    pending.push((start, middle));
                    pending.push((middle + 1, end));
                    tracing::debug!(start, end, total, "window above the cap: halved");
                    continue;
                }
                _ => {}
            }
        }
        let awaiting = awaiting_reply(side, &query, export)?;
        tracing::debug!(start, end, awaiting = awaiting.len(), "reading a window");
        let comments = side
            .client
            .comments(query.limit(PAGE_SIZE))
            .map_err(|e| failed(&e))?;
        for comment in comments {
            let comment = comment.map_err(|e| failed(&e))?;
            let replied = !awaiting.contains(&comment.comment_id);
            export.emit(&Review::from_wechat(&comment, replied))?;
        }
    }
    Ok(())
}

/// The ids of the window's comments that still await a reply.
fn awaiting_reply(
    side: &Wechat,
    query: &GetCommentList,
    export: &Export,
) -> Result<HashSet<CommentId>, Halt> {
    let failed = |err: &ClientError| Halt::Failed(CliError::client(err, &side.host));
    let listing = query
        .clone()
        .filter(FilterType::AwaitingReply)
        .limit(PAGE_SIZE);
    let mut ids = HashSet::new();
    for comment in side.client.comments(listing).map_err(|e| failed(&e))? {
        ids.insert(comment.map_err(|e| failed(&e))?.comment_id);
        export.check()?;
    }
    Ok(ids)
}

/// A window bound; the bounds come from valid timestamps, so this cannot fail in practice.
fn second(s: i64) -> Result<Timestamp, Halt> {
    Timestamp::from_second(s)
        .map_err(|e| Halt::Failed(CliError::usage(format!("time out of range: {e}"))))
}
