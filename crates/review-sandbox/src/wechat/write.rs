//! The comment writes: replies and follow-ups added and deleted, the customer-service quota
//! reset, and the settlement.
//!
//! Rules (WeChat documents the codes, not when each applies; these are the sandbox's):
//! - A body that is empty or misses a field, or a blank `content`, is -10001; a body that is
//!   not JSON is 47001.
//! - An evaluation this mini program does not have is -10403 (it is someone else's).
//! - An evaluation has at most one first reply: adding a second is 10000.
//! - A `replyId` that is not the evaluation's current first reply is -10003, and so is a
//!   `commentReplyId` that is not a follow-up under that reply.
//! - A follow-up the buyer wrote is not the merchant's to delete: -10403.
//! - Deleting the first reply deletes every follow-up under it.
//! - The quota reset and the settlement apply to bad reviews (one or two stars now) only;
//!   otherwise 10000. A settled review (step 2 of its process reached) cannot settle again
//!   (10000). Every `picList` id must come from `/cgi-bin/media/upload` in the last 3 days
//!   (40007). A settlement marks step 2 reached now; its text and pictures are in the writes log.
//! - The quota reset marks `extInfo.isAlreadySendTmpl` and opens a 48-hour window in which
//!   `/cgi-bin/message/custom/send` reaches the reviewer's openid.

use jiff::Timestamp;
use review_model::CommentId;
use review_model::wechat::{
    Action, ActionType, CommentReply, CommentReplyAdd, CommentReplyDelete, ConfirmCompromise,
    ErrCode, KfQuotaReset, ProcessInfo, Reply, ReplyAdd, ReplyDelete, TextBody,
};

use super::answer::Refusal;
use super::data;
use super::request;
use super::state::WechatState;
use super::store::{FollowUp, Thread};

/// The position of `id`, else -10403.
fn find(state: &WechatState, id: &CommentId) -> Result<u32, Refusal> {
    state
        .store
        .find(id.as_str())
        .ok_or_else(|| Refusal::not_yours("comment"))
}

/// `wechat.reply_add`: the evaluation's first reply.
pub(super) fn add_reply(
    state: &mut WechatState,
    body: ReplyAdd,
    now: Timestamp,
) -> Result<(), Refusal> {
    request::text("content", &body.content)?;
    let at = find(state, &body.comment_id)?;
    if state.store.get(at).is_some_and(|r| r.thread.is_some()) {
        return Err(Refusal::not_applicable(
            "the comment already has a reply: add a follow-up under it or delete it first",
        ));
    }
    let reply = Reply {
        comment_id: body.comment_id,
        reply_id: state.generator.reply_id(),
        create_time: now,
        update_time: Some(now),
        reply_content: TextBody {
            content: body.content,
        },
        reply_object: Some(data::merchant()),
    };
    state.store.update(at, |record| {
        record.thread = Some(Thread {
            reply,
            follow_ups: Vec::new(),
        });
    });
    Ok(())
}

/// The evaluation's position, if `reply_id` is its first reply; else -10003.
fn thread_of(state: &WechatState, id: &CommentId, reply_id: &str) -> Result<u32, Refusal> {
    let at = find(state, id)?;
    let matches = state
        .store
        .get(at)
        .and_then(|r| r.thread.as_ref())
        .is_some_and(|t| t.reply.reply_id.as_str() == reply_id);
    if !matches {
        return Err(Refusal::mismatch("replyId is not a reply of this comment"));
    }
    Ok(at)
}

/// `wechat.reply_delete`: the first reply and its follow-ups.
pub(super) fn delete_reply(state: &mut WechatState, body: &ReplyDelete) -> Result<(), Refusal> {
    let at = thread_of(state, &body.comment_id, body.reply_id.as_str())?;
    state.store.update(at, |record| record.thread = None);
    Ok(())
}

/// `wechat.comment_reply_add`: a follow-up under the first reply.
pub(super) fn add_follow_up(
    state: &mut WechatState,
    body: CommentReplyAdd,
    now: Timestamp,
) -> Result<(), Refusal> {
    request::text("content", &body.content)?;
    let at = thread_of(state, &body.comment_id, body.reply_id.as_str())?;
    let follow_up = FollowUp {
        reply: CommentReply {
            comment_id: body.comment_id,
            comment_reply_id: state.generator.follow_up_id(),
            create_time: now,
            update_time: Some(now),
            comment_reply_content: TextBody {
                content: body.content,
            },
            comment_reply_object: Some(data::merchant()),
        },
        by_buyer: false,
    };
    state.store.update(at, |record| {
        if let Some(thread) = &mut record.thread {
            thread.follow_ups.push(follow_up);
        }
    });
    Ok(())
}

/// `wechat.comment_reply_delete`: one of the merchant's follow-ups.
pub(super) fn delete_follow_up(
    state: &mut WechatState,
    body: &CommentReplyDelete,
) -> Result<(), Refusal> {
    let at = thread_of(state, &body.comment_id, body.reply_id.as_str())?;
    let wanted = body.comment_reply_id.as_str();
    let found = state
        .store
        .get(at)
        .and_then(|r| r.thread.as_ref())
        .and_then(|t| {
            t.follow_ups
                .iter()
                .position(|f| f.reply.comment_reply_id.as_str() == wanted)
                .map(|i| (i, t.follow_ups.get(i).is_some_and(|f| f.by_buyer)))
        });
    match found {
        None => Err(Refusal::mismatch(
            "commentReplyId is not a follow-up under this reply",
        )),
        Some((_, true)) => Err(Refusal::not_yours("comment reply: the buyer wrote it")),
        Some((index, false)) => {
            state.store.update(at, |record| {
                if let Some(thread) = &mut record.thread
                    && index < thread.follow_ups.len()
                {
                    thread.follow_ups.remove(index);
                }
            });
            Ok(())
        }
    }
}

/// `wechat.kf_quota_reset`: opens the customer-service window of a bad review.
pub(super) fn reset_quota(
    state: &mut WechatState,
    body: &KfQuotaReset,
    now: Timestamp,
) -> Result<(), Refusal> {
    let at = find(state, &body.comment_id)?;
    let record = state
        .store
        .get(at)
        .ok_or_else(|| Refusal::not_yours("comment"))?;
    if !record.is_bad() {
        return Err(Refusal::not_applicable(
            "not a bad comment: the customer-service quota is for bad reviews only",
        ));
    }
    let broken = |err: review_model::DecodeError| {
        tracing::error!(%err, "a stored comment does not decode");
        Refusal::new(ErrCode::ServiceError, "service exception")
    };
    let openid = record.comment().map_err(broken)?.openid().cloned();
    state
        .store
        .update(at, |record| record.mark_messaged())
        .transpose()
        .map_err(broken)?;
    if let Some(openid) = openid {
        state.outreach.open_session(openid, now);
    }
    Ok(())
}

/// `wechat.confirm_compromise`: marks a bad review handled.
pub(super) fn settle(
    state: &mut WechatState,
    body: ConfirmCompromise,
    now: Timestamp,
) -> Result<(), Refusal> {
    if let Some(content) = &body.content {
        request::text("content", content)?;
    }
    let at = find(state, &body.comment_id)?;
    let record = state
        .store
        .get(at)
        .ok_or_else(|| Refusal::not_yours("comment"))?;
    if !record.is_bad() {
        return Err(Refusal::not_applicable("not a bad comment"));
    }
    if record.settled() {
        return Err(Refusal::not_applicable(
            "the bad comment is already settled",
        ));
    }
    let created = Timestamp::from_second(record.created()).unwrap_or(now);
    for pic in &body.pic_list {
        state.outreach.check_media(pic, now)?;
    }
    let comment_id = body.comment_id;
    state.store.update(at, |record| {
        let process = record.process.get_or_insert_with(|| ProcessInfo {
            comment_id: Some(comment_id),
            action_list: vec![Action {
                kind: ActionType::BadReviewPosted,
                update_time: Some(created),
            }],
        });
        mark_handled(process, now);
    });
    Ok(())
}

/// Marks step 2 reached at `now`, adding the later steps (unreached) where missing.
fn mark_handled(process: &mut ProcessInfo, now: Timestamp) {
    for kind in [
        ActionType::MerchantHandled,
        ActionType::UserSurveyed,
        ActionType::UserReviewed,
    ] {
        if !process.action_list.iter().any(|a| a.kind == kind) {
            process.action_list.push(Action {
                kind,
                update_time: None,
            });
        }
    }
    process.action_list.sort_by_key(|a| a.kind.code());
    if let Some(step) = process
        .action_list
        .iter_mut()
        .find(|a| a.kind == ActionType::MerchantHandled)
    {
        step.update_time = Some(now);
    }
}
