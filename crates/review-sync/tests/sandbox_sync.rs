//! Syncs against the sandbox over real loopback HTTP into real databases (a SQLite file, and a
//! database of its own on the machine's PostgreSQL; see review-store's test support): the mirror holds
//! exactly what an export of the same range reads; the next sync catches a reply made in
//! between and a new bad review; the async driver writes the same mirror as the blocking one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use review_client::{ClientConfig, TaobaoReviews, WechatReviews};
use review_model::mirror::Change;
use review_model::{CommentId, Platform, Review};
use review_sandbox::Sandbox;
use review_store::{Mirror, ReviewQuery, Tenant};
use review_sync::{MirrorWriter, SyncRequest, sync_async, sync_blocking};

#[path = "../../review-store/tests/common/mod.rs"]
mod dbs;

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(11)
        .comments(400)
        .rates(600)
        .start("127.0.0.1:0")
        .unwrap()
}

fn config(sandbox: &Sandbox) -> ClientConfig {
    let url = sandbox.base_url().parse().unwrap();
    let (w, t) = (sandbox.wechat(), sandbox.taobao());
    ClientConfig::new()
        .wechat(
            sandbox.base_url().parse().unwrap(),
            w.appid.clone(),
            w.secret.clone(),
        )
        .fw199(
            url,
            t.gateway.appid.clone(),
            t.gateway.secret.clone(),
            t.seller_nick.clone(),
        )
}

fn tenants(sandbox: &Sandbox) -> Vec<Tenant> {
    vec![
        Tenant::new(Platform::Wechat, sandbox.wechat().appid.to_string()),
        Tenant::new(Platform::Taobao, sandbox.taobao().seller_nick.clone()),
    ]
}

/// The mirror's reviews by (platform, id).
fn held(mirror: &mut Mirror) -> BTreeMap<(Platform, String), Review> {
    mirror
        .reviews(&ReviewQuery::default())
        .unwrap()
        .into_iter()
        .map(|row| ((row.review.platform, row.review.id.clone()), row.review))
        .collect()
}

#[test]
fn a_sync_holds_what_an_export_of_the_range_reads_and_the_next_catches_up() {
    for db in dbs::backends() {
        holds_the_export_and_catches_up(&mut db.open());
    }
}

fn holds_the_export_and_catches_up(mirror: &mut Mirror) {
    let sandbox = sandbox();
    let client = review_ureq::client(config(&sandbox));
    let now = Timestamp::now();
    let since = now - SignedDuration::from_hours(24 * 179);
    let mut request = SyncRequest::new(tenants(&sandbox)).since(since);
    request.now = Some(now);
    let first = sync_blocking(&client, mirror, &request, &mut ()).unwrap();

    let mut exported = BTreeMap::new();
    for review in client.reviews(WechatReviews::new(since, now)).unwrap() {
        let review = review.unwrap();
        exported.insert((review.platform, review.id.clone()), review);
    }
    for review in client.reviews(TaobaoReviews::new(since, now)).unwrap() {
        let review = review.unwrap();
        exported.insert((review.platform, review.id.clone()), review);
    }
    assert!(exported.len() > 500, "{} reviews", exported.len());
    assert_eq!(held(mirror), exported);
    assert_eq!(first.new, exported.len() as u64);
    assert_eq!((first.unchanged, first.changed_reviews), (0, 0));
    assert!(first.requests > 0);

    // A reply to an unanswered comment, and a new bad review.
    let unanswered = exported
        .values()
        .find(|r| {
            r.platform == Platform::Wechat
                && !r.replied
                && r.created_at > now - SignedDuration::from_hours(24 * 10)
        })
        .expect("an unanswered comment of the lookback window")
        .id
        .clone();
    client
        .reply_add(CommentId::new(unanswered.clone()), "谢谢您的反馈")
        .unwrap();
    ureq::post(&format!("{}/sandbox/bad-review", sandbox.base_url()))
        .send_empty()
        .unwrap();

    let mut request = SyncRequest::new(tenants(&sandbox));
    request.now = Some(Timestamp::now() + SignedDuration::from_secs(1));
    let second = sync_blocking(&client, mirror, &request, &mut ()).unwrap();
    assert_eq!(second.new, 1, "{second:?}");
    assert_eq!(second.changed.get(&Change::Replied), Some(&1), "{second:?}");
    // Only the lookback window is read again.
    assert!(
        second.requests < first.requests,
        "{} >= {}",
        second.requests,
        first.requests
    );
    let after = held(mirror);
    assert!(after[&(Platform::Wechat, unanswered)].replied);
    assert_eq!(after.len(), exported.len() + 1);
    let newest = after
        .values()
        .filter(|r| r.platform == Platform::Wechat)
        .max_by_key(|r| r.created_at)
        .unwrap();
    assert!(newest.stars.is_some_and(|s| s.get() <= 2));
}

#[test]
fn the_async_driver_writes_the_mirror_the_blocking_one_does() {
    let sandbox = sandbox();
    let now = Timestamp::now();
    let mut request = SyncRequest::new(tenants(&sandbox));
    request.now = Some(now);

    let sqlite = dbs::backends().remove(0);
    let mut blocking = sqlite.open();
    let client = review_ureq::client(config(&sandbox));
    let by_thread = sync_blocking(&client, &mut blocking, &request, &mut ()).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The async driver writes to PostgreSQL when the server answers: its client must stay off
    // the executor, which the writer thread sees to.
    let target = dbs::postgres_db().unwrap_or_else(|| dbs::backends().remove(0));
    let writer = MirrorWriter::spawn(target.open()).unwrap();
    let by_task = runtime.block_on(async {
        let client = review_reqwest::client(config(&sandbox)).unwrap();
        sync_async(&client, &writer, &request, &mut ())
            .await
            .unwrap()
    });
    let mut nonblocking = writer.close().unwrap();
    assert_eq!(by_task.new, by_thread.new);
    assert_eq!(by_task.requests, by_thread.requests);
    assert_eq!(held(&mut nonblocking), held(&mut blocking));
}

/// Stops after `after` reviews, like Ctrl-C would.
struct StopAfter {
    after: u64,
    read: u64,
}

impl review_sync::SyncObserver for StopAfter {
    fn read(&mut self, count: u64) {
        self.read += count;
    }

    fn stop(&mut self) -> bool {
        self.read >= self.after
    }
}

#[test]
fn a_stopped_sync_commits_what_it_read_and_the_next_one_finishes_the_mirror() {
    let sandbox = sandbox();
    let client = review_ureq::client(config(&sandbox));
    let db = dbs::backends().remove(0);
    let mut mirror = db.open();
    let mut request = SyncRequest::new(tenants(&sandbox));
    request.now = Some(Timestamp::now());
    let mut stop = StopAfter { after: 37, read: 0 };
    let stopped = sync_blocking(&client, &mut mirror, &request, &mut stop);
    assert!(
        matches!(stopped, Err(review_sync::SyncError::Stopped)),
        "{stopped:?}"
    );
    assert_eq!(held(&mut mirror).len(), 37, "what was read is committed");
    assert_eq!(
        mirror.bookmark(&tenants(&sandbox)[0]).unwrap(),
        None,
        "no chunk was read whole"
    );

    let whole = dbs::backends().remove(0);
    let mut reference = whole.open();
    sync_blocking(&client, &mut reference, &request, &mut ()).unwrap();
    sync_blocking(&client, &mut mirror, &request, &mut ()).unwrap();
    assert_eq!(held(&mut mirror), held(&mut reference));
}
