//! The detail fetcher: a plain thread that claims the mirror's pending bad-review pushes,
//! reads each comment's detail and reply thread from WeChat, and stores the review.
//!
//! Claims hold an event for [`HOLD`], so two instances never fetch one event at once and the
//! events of an instance killed mid-fetch come back after the hold. A failure is retried with
//! exponential backoff (1 s doubling, at most 5 minutes); a refusal about the event itself, or
//! the [`MAX_ATTEMPTS`]th failure, marks it `failed`. Pending events left by an earlier run
//! are claimed like new ones, so a restart resumes them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use review_client::{ClientError, ErrorKind};
use review_model::mirror::{Observed, ProcessStep, ReviewState};
use review_model::wechat::{ActionType, CommentDetail, ErrCode, ReplyThread};
use review_model::{CommentId, Platform, Review};
use review_store::{PendingPush, Tenant};

use super::db::Db;
use super::notices;

/// How long a claim keeps an event from other fetchers.
pub(super) const HOLD: SignedDuration = SignedDuration::from_secs(60);
/// The failures after which an event is given up (`failed`).
pub(super) const MAX_ATTEMPTS: u32 = 10;
/// The longest wait between two attempts.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_mins(5);
/// Events claimed at once.
const BATCH: u32 = 16;
/// How often an idle fetcher looks for events (other instances', or retries now due).
const POLL: Duration = Duration::from_secs(1);

/// The wait before the next attempt, after `attempts` failed ones: 1 s, 2 s, 4 s... at most 5
/// minutes.
pub(super) fn backoff(attempts: u32) -> SignedDuration {
    let doublings = attempts.saturating_sub(1).min(16);
    SignedDuration::from_secs(1_i64 << doublings).min(MAX_BACKOFF)
}

/// Whether sending the same reads again cannot help: WeChat refused the parameters or the
/// comment itself, or its answer does not decode. Everything else (the network, 5xx, busy,
/// quotas, tokens, credentials) may get better and is retried, up to [`MAX_ATTEMPTS`].
pub(super) fn permanent(err: &ClientError) -> bool {
    match err.kind() {
        ErrorKind::Protocol(
            review_protocol::Error::Build(_) | review_protocol::Error::Decode(_),
        ) => true,
        ErrorKind::Protocol(protocol) => matches!(
            protocol.wechat_code(),
            Some(
                ErrCode::InvalidParameter
                    | ErrCode::ParameterMismatch
                    | ErrCode::NotYours
                    | ErrCode::NotApplicable
            )
        ),
        _ => false,
    }
}

/// The review a detail and its reply thread show: replied (with the reply's text) from the
/// thread, revised when the detail carries the old comment, and the process steps.
/// `pending_settlement` is the `pending-compromise` listing's answer, which the detail does not
/// give: a bad review counts as pending until its process shows the merchant handled it (the
/// next sync's listing corrects it either way).
pub(super) fn observed(detail: &CommentDetail, thread: &ReplyThread) -> Observed {
    let comment = &detail.info.content;
    let handled = detail
        .process
        .as_ref()
        .is_some_and(|process| process.reached(ActionType::MerchantHandled));
    let state = ReviewState {
        revised: detail.old_comment.is_some(),
        pending_settlement: comment.score.get() <= 2 && !handled,
        ..ReviewState::default()
    };
    let mut observed = Observed::wechat(comment, thread.reply.is_some(), state);
    observed.review = Review::from((comment, thread));
    observed.process = Some(
        detail
            .process
            .as_ref()
            .map(ProcessStep::from_process)
            .unwrap_or_default(),
    );
    observed
}

/// The running fetcher.
pub(super) struct Fetcher {
    stop: Arc<AtomicBool>,
    wake: SyncSender<()>,
    /// Closed when the thread ends.
    ended: Receiver<()>,
    thread: JoinHandle<()>,
}

/// Wakes the fetcher when a pending event is recorded (cheap, never blocks).
#[derive(Clone)]
pub(super) struct Waker(SyncSender<()>);

impl Waker {
    pub(super) fn wake(&self) {
        let _ = self.0.try_send(());
    }
}

impl Fetcher {
    /// Starts fetching with `client` through `db`.
    pub(super) fn start(db: Db, client: review_ureq::Client) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let (wake, woken) = mpsc::sync_channel(1);
        let (end, ended) = mpsc::sync_channel::<()>(0);
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("webhook-fetcher".to_owned())
            .spawn(move || {
                let _end = end;
                run(&db, &client, &flag, &woken);
            })?;
        Ok(Self {
            stop,
            wake,
            ended,
            thread,
        })
    }

    pub(super) fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Asks the thread to stop and waits for it at most `within`: a fetch in flight finishes
    /// (its result is stored) and claimed events not started are handed back. A thread still
    /// in a slow request after that is left behind; its event comes back after the hold.
    pub(super) fn stop(self, within: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.try_send(());
        if matches!(
            self.ended.recv_timeout(within),
            Err(RecvTimeoutError::Disconnected)
        ) {
            let _ = self.thread.join();
        }
    }
}

fn run(db: &Db, client: &review_ureq::Client, stop: &AtomicBool, woken: &Receiver<()>) {
    // The last claim failure said, so that a database down says so once, not every second.
    let mut failing: Option<String> = None;
    while !stop.load(Ordering::SeqCst) {
        let now = Timestamp::now();
        let Some(claimed) = db.call(move |mirror| mirror.claim_pushes(now, HOLD, BATCH)) else {
            return;
        };
        let claimed = match claimed {
            Ok(claimed) => {
                failing = None;
                claimed
            }
            Err(err) => {
                db.failed();
                let err = err.to_string();
                if failing.as_ref() != Some(&err) {
                    notices::say(&format!(
                        "reviews: cannot claim pending pushes in {}: {err}; retrying",
                        db.name
                    ));
                    failing = Some(err);
                }
                Vec::new()
            }
        };
        let full = claimed.len() >= BATCH as usize;
        let mut claimed = claimed.into_iter();
        for pending in claimed.by_ref() {
            if stop.load(Ordering::SeqCst) {
                release(db, pending.id);
                break;
            }
            fetch(db, client, pending);
        }
        for rest in claimed {
            release(db, rest.id);
        }
        if !full {
            match woken.recv_timeout(POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// Hands a claimed event back at once (the attempt it was counted for did not happen).
fn release(db: &Db, id: i64) {
    let now = Timestamp::now();
    let _ = db.call(move |mirror| mirror.push_retry(id, now, "stopped before its fetch"));
}

/// One claimed event: read, then store the review or the failure.
fn fetch(db: &Db, client: &review_ureq::Client, pending: PendingPush) {
    let PendingPush {
        id,
        tenant,
        comment_id,
        attempts,
    } = pending;
    let comment = CommentId::new(comment_id.as_str());
    let read = client
        .comment_detail(comment.clone())
        .and_then(|detail| client.reply_thread(comment).map(|thread| (detail, thread)));
    let stored = match read {
        Ok((detail, thread)) => {
            let observed = observed(&detail, &thread);
            let tenant = Tenant::new(Platform::Wechat, tenant);
            db.call(move |mirror| {
                mirror
                    .push_fetched(id, &tenant, &observed, Timestamp::now())
                    .map(|_| ())
            })
        }
        Err(err) => {
            let why = err.to_string().replace(['\n', '\r'], " ");
            if permanent(&err) || attempts >= MAX_ATTEMPTS {
                notices::say(&format!(
                    "reviews: gave up fetching comment {comment_id} after {attempts} attempts: {why}"
                ));
                db.call(move |mirror| mirror.push_failed(id, &why))
            } else {
                let wait = backoff(attempts);
                notices::say(&format!(
                    "reviews: fetching comment {comment_id} failed (attempt {attempts}): {why}; retrying in {}s",
                    wait.as_secs()
                ));
                let next = Timestamp::now()
                    .saturating_add(wait)
                    .unwrap_or_else(|_| Timestamp::now());
                db.call(move |mirror| mirror.push_retry(id, next, &why))
            }
        }
    };
    if let Some(Err(err)) = stored {
        db.failed();
        notices::say(&format!(
            "reviews: cannot store comment {comment_id}'s fetch in {}: {err}; it is fetched again after the hold",
            db.name
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_up_to_five_minutes() {
        let secs: Vec<i64> = (1..=12).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(backoff(0).as_secs(), 1);
        assert_eq!(backoff(u32::MAX).as_secs(), 300);
    }

    /// A fixture's answer body.
    fn body<T: serde::de::DeserializeOwned>(fixture: &str) -> T {
        let recorded: serde_json::Value = serde_json::from_str(fixture).unwrap();
        serde_json::from_value(recorded["response"]["body"].clone()).unwrap()
    }

    #[test]
    fn a_detail_and_its_thread_make_the_observed_review() {
        let detail: CommentDetail = body(include_str!(
            "../../../../../fixtures/wechat/comment_detail/bad_review_handled.json"
        ));
        let observed = observed(&detail, &ReplyThread::default());
        assert_eq!(observed.review.id, "2868511840290615296");
        assert_eq!(observed.review.stars, Some(detail.info.content.score));
        assert!(!observed.review.replied);
        assert_eq!(observed.review.reply, None);
        let steps = observed.process.unwrap();
        assert_eq!(
            steps,
            ProcessStep::from_process(detail.process.as_ref().unwrap())
        );
        assert_eq!(
            steps.iter().take(2).map(|s| s.code).collect::<Vec<_>>(),
            [1, 2]
        );
        assert!(steps[0].at.is_some() && steps[1].at.is_some());
        assert!(!observed.state.revised);
    }

    #[test]
    fn a_revised_detail_is_revised() {
        let detail: CommentDetail = body(include_str!(
            "../../../../../fixtures/wechat/comment_detail/revised_with_ext.json"
        ));
        assert!(detail.old_comment.is_some());
        assert!(observed(&detail, &ReplyThread::default()).state.revised);
    }

    #[test]
    fn a_thread_with_a_reply_makes_it_replied_with_its_text() {
        let detail: CommentDetail = body(include_str!(
            "../../../../../fixtures/wechat/comment_detail/bad_review_handled.json"
        ));
        let thread: review_model::wechat::ReplyThreadResponse = body(include_str!(
            "../../../../../fixtures/wechat/reply_thread/doc_example.json"
        ));
        let reply = thread.list.reply.clone().unwrap();
        let observed = observed(&detail, &thread.list);
        assert!(observed.review.replied);
        assert_eq!(
            observed.review.reply.as_deref(),
            Some(reply.reply_content.content.as_str())
        );
    }
}
