//! Delivering `wxa_comment_bad_score` as WeChat does: signed (and sealed in safe mode), retried
//! three times when no answer comes in time.

use std::sync::Arc;
use std::time::Duration;

use http::header::CONTENT_TYPE;
use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_model::CommentId;
use review_model::wechat::{BadScoreEvent, Comment, PushEvent};
use review_protocol::wechat::push::PushConfig;
use tokio::time::{Instant, MissedTickBehavior};

use super::{PushRecord, PushTarget, Pushes};
use crate::clock::Clock;
use crate::wechat;

/// This module's own random stream (nonces, safe mode's random bytes).
const STREAM: u64 = 0x7075_7368_6573_2121;
/// The id of the ToUserName stream.
const ORIGINAL_ID_STREAM: u64 = 0x6768_5f69_6421_2121;
/// The sender of WeChat's event pushes: a fixed WeChat-team openid.
pub(crate) const WECHAT_TEAM: &str = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M";
/// The first delivery and three retries.
pub(crate) const ATTEMPTS: u32 = 4;

/// The mini program's original id (`gh_` and 12 hex digits), the same for a seed every run.
pub(crate) fn original_id(seed: u64) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ ORIGINAL_ID_STREAM);
    let hex: String = (0..6)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect();
    format!("gh_{hex}")
}

/// Where and how often bad reviews are pushed, and the log of every attempt.
pub(crate) struct Pusher {
    /// Where to push (none: bad reviews are only created).
    pub(crate) target: Option<PushTarget>,
    /// How often a new bad review is created and pushed (none: only on demand).
    pub(crate) every: Option<Duration>,
    /// How long an attempt waits for an answer before the next.
    pub(crate) retry_after: Duration,
    /// The seed of nonces and safe mode's random bytes.
    pub(crate) seed: u64,
    /// The sandbox's clock (when a review is created and each attempt made).
    pub(crate) clock: Arc<Clock>,
    /// Where bad reviews are created, and whose appid seals them.
    pub(crate) wechat: Arc<wechat::Platform>,
    /// Every delivery attempt, and the numbers that seed each delivery.
    pub(crate) log: Pushes,
}

/// Creates a bad review at the sandbox's now and pushes it if a target is configured.
pub(crate) fn new_bad_review(pusher: &Arc<Pusher>) -> Comment {
    let comment = pusher.wechat.add_bad_review();
    deliver(pusher, &comment.comment_id);
    comment
}

/// Pushes `comment_id` in the background; returns whether a push was scheduled (a target is
/// configured and a runtime is running).
fn deliver(pusher: &Arc<Pusher>, comment_id: &CommentId) -> bool {
    let Some(target) = pusher.target.clone() else {
        return false;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    runtime.spawn(run(Arc::clone(pusher), target, comment_id.clone()));
    true
}

/// Every attempt of one push: at most [`ATTEMPTS`], one per `push_retry_after`, until one is
/// answered with a 2xx.
async fn run(pusher: Arc<Pusher>, target: PushTarget, comment_id: CommentId) {
    let mut rng = ChaCha20Rng::seed_from_u64(pusher.seed ^ STREAM);
    rng.set_stream(pusher.log.next_delivery());
    let event = PushEvent::BadScore(BadScoreEvent {
        to_user_name: original_id(pusher.seed),
        from_user_name: WECHAT_TEAM.to_owned(),
        create_time: pusher.clock.now(),
        comment_id: comment_id.clone(),
    });
    let config = target.config(pusher.wechat.appid());
    let wait = pusher.retry_after;
    for attempt in 1..=ATTEMPTS {
        let started = Instant::now();
        let at = pusher.clock.now();
        let outcome = match &config {
            Ok(config) => send(&pusher, config, &target, &event, at, wait, &mut rng).await,
            Err(err) => Err(err.clone()),
        };
        let done = config.is_err() || matches!(outcome, Ok(status) if (200..300).contains(&status));
        let (status, error) = match outcome {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        pusher.log.record(PushRecord {
            comment_id: comment_id.as_str().to_owned(),
            attempt,
            status,
            error,
            at,
        });
        if done {
            break;
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep_until(started + wait).await;
        }
    }
}

/// One POST; the receiver's status, or why there is none.
async fn send(
    pusher: &Pusher,
    config: &PushConfig,
    target: &PushTarget,
    event: &PushEvent,
    at: Timestamp,
    wait: Duration,
    rng: &mut ChaCha20Rng,
) -> Result<u16, String> {
    let nonce = rng.random::<u32>().to_string();
    let random = config.is_safe().then(|| {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes);
        bytes
    });
    let delivery = config
        .deliver(event, target.format, at, &nonce, random)
        .map_err(|err| format!("cannot build the push: {err}"))?;
    let separator = if target.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}{}", target.url, delivery.query);
    let client = pusher
        .log
        .client()
        .ok_or_else(|| "cannot build an HTTP client".to_owned())?;
    let response = client
        .post(url)
        .header(CONTENT_TYPE, delivery.content_type)
        .body(delivery.body)
        .timeout(wait)
        .send()
        .await
        .map_err(|err| describe(&err, wait))?;
    Ok(response.status().as_u16())
}

fn describe(err: &reqwest::Error, wait: Duration) -> String {
    if err.is_timeout() {
        format!("no answer within {} ms", wait.as_millis())
    } else if err.is_connect() {
        "cannot connect to the push URL".to_owned()
    } else {
        format!("the push failed: {err}")
    }
}

/// Creates and pushes a bad review every interval, if one is configured.
pub(crate) fn start_timer(pusher: Arc<Pusher>) {
    let Some(every) = pusher.every else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    // A zero period would make `interval` panic; a millisecond is as good as "continuously".
    let every = every.max(Duration::from_millis(1));
    runtime.spawn(async move {
        let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            new_bad_review(&pusher);
        }
    });
}
