//! The mirror's behaviour, each test written once and run over SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use jiff::SignedDuration;
use review_model::Platform;
use review_model::Sentiment;
use review_model::mirror::{Change, Observed, ProcessStep};
use review_store::{
    Batch, Bookmark, InboxView, Mirror, MirrorUrl, PushRecord, PushStatus, Recorded, ReviewQuery,
    StoreError, Tenant,
};

use common::{backends, taobao, ts, wechat};

fn wx() -> Tenant {
    Tenant::new(Platform::Wechat, "wx0123456789abcdef")
}

fn apply(
    mirror: &mut Mirror,
    tenant: &Tenant,
    reviews: &[Observed],
    now: &str,
) -> Vec<(usize, Vec<Change>)> {
    let batch = Batch {
        tenant,
        reviews,
        covered: None,
        now: ts(now),
    };
    mirror
        .apply(&batch)
        .unwrap()
        .changed
        .into_iter()
        .map(|c| (c.index, c.changes))
        .collect()
}

#[test]
fn migrations_are_idempotent_on_reopen() {
    for db in backends() {
        let mut mirror = db.open();
        apply(
            &mut mirror,
            &wx(),
            &[wechat("1", 1, "2024-05-01T00:00:00Z")],
            "2024-05-02T00:00:00Z",
        );
        drop(mirror);
        let mut again = db.open();
        assert_eq!(again.count().unwrap(), 1, "{}", db.name);
        drop(again);
        let _third = db.open();
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM schema_migrations"),
            1,
            "{}",
            db.name
        );
    }
}

#[test]
fn a_newer_schema_is_refused() {
    for db in backends() {
        drop(db.open());
        let insert = "INSERT INTO schema_migrations (version, name, applied_at) \
                      VALUES (9999, 'future', '2030-01-01T00:00:00Z')";
        db.exec(insert, insert);
        let err = Mirror::open(&db.url).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    found: 9999,
                    known: 1
                }
            ),
            "{}: {err:?}",
            db.name
        );
        assert!(err.to_string().contains("newer than this build"), "{err}");
    }
}

#[test]
fn each_change_kind() {
    for db in backends() {
        let mut m = db.open();
        let t = wx();
        let mut r = wechat("1", 2, "2024-05-01T00:00:00Z");
        let name = db.name;
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-02T00:00:00Z"),
            [(0, vec![Change::New])],
            "{name}"
        );
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-02T01:00:00Z"),
            [],
            "{name}"
        );

        r.review.text = "revised text".into();
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-03T00:00:00Z"),
            [(0, vec![Change::Revised])],
            "{name}"
        );
        r.review.media.clear();
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-03T00:01:00Z"),
            [(0, vec![Change::Revised])],
            "{name}"
        );
        r.state.revised = true;
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-03T00:02:00Z"),
            [(0, vec![Change::Revised])],
            "{name}"
        );

        r.review.replied = true;
        r.review.reply = Some("sorry".into());
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-04T00:00:00Z"),
            [(0, vec![Change::Replied])],
            "{name}"
        );
        // A listing: replied without the text keeps the stored text.
        r.review.reply = None;
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-04T01:00:00Z"),
            [],
            "{name}"
        );
        let stored = m.reviews(&ReviewQuery::default()).unwrap();
        assert_eq!(stored[0].review.reply.as_deref(), Some("sorry"), "{name}");
        r.review.reply = Some("sorry, refunded".into());
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-04T02:00:00Z"),
            [(0, vec![Change::Replied])],
            "{name}"
        );

        r.state.service_sent = true;
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-05T00:00:00Z"),
            [(0, vec![Change::Process])],
            "{name}"
        );
        r.process = Some(vec![
            ProcessStep {
                code: 1,
                at: Some(ts("2024-05-01T00:00:00Z")),
            },
            ProcessStep { code: 2, at: None },
        ]);
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-05T01:00:00Z"),
            [(0, vec![Change::Process])],
            "{name}"
        );
        // No steps in this read: the stored ones stay.
        let mut listing = r.clone();
        listing.process = None;
        assert_eq!(
            apply(&mut m, &t, &[listing], "2024-05-05T02:00:00Z"),
            [],
            "{name}"
        );
        assert_eq!(
            m.reviews(&ReviewQuery::default()).unwrap()[0].process,
            r.process.clone().unwrap(),
            "{name}"
        );

        r.review.replied = false;
        r.review.reply = None;
        r.review.stars = review_model::Stars::new(1).ok();
        assert_eq!(
            apply(&mut m, &t, &[r.clone()], "2024-05-06T00:00:00Z"),
            [(0, vec![Change::Revised, Change::RemovedReply])],
            "{name}"
        );
        assert_eq!(
            m.reviews(&ReviewQuery::default()).unwrap()[0].review.reply,
            None,
            "{name}"
        );

        // A silent update: rewritten, not reported.
        r.review.author = Some("Wang".into());
        let applied = m
            .apply(&Batch {
                tenant: &t,
                reviews: &[r.clone()],
                covered: None,
                now: ts("2024-05-07T00:00:00Z"),
            })
            .unwrap();
        assert!(applied.changed.is_empty(), "{name}");
        assert_eq!(applied.unchanged, 1, "{name}");
        let stored = &m.reviews(&ReviewQuery::default()).unwrap()[0];
        assert_eq!(stored.review.author.as_deref(), Some("Wang"), "{name}");
        assert_eq!(stored.changed_at, ts("2024-05-07T00:00:00Z"), "{name}");
        assert_eq!(stored.first_seen_at, ts("2024-05-02T00:00:00Z"), "{name}");

        // One review_changes row per kind reported.
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM review_changes"),
            10,
            "{name}"
        );
    }
}

#[test]
fn unchanged_rows_are_not_rewritten() {
    for db in backends() {
        let mut m = db.open();
        let reviews: Vec<Observed> = (0..20)
            .map(|i| wechat(&i.to_string(), 5, "2024-05-01T00:00:00Z"))
            .collect();
        apply(&mut m, &wx(), &reviews, "2024-05-02T00:00:00Z");
        let applied = m
            .apply(&Batch {
                tenant: &wx(),
                reviews: &reviews,
                covered: None,
                now: ts("2024-06-01T00:00:00Z"),
            })
            .unwrap();
        assert!(applied.changed.is_empty(), "{}", db.name);
        assert_eq!(applied.unchanged, 20, "{}", db.name);
        for stored in m.reviews(&ReviewQuery::default()).unwrap() {
            assert_eq!(stored.changed_at, ts("2024-05-02T00:00:00Z"), "{}", db.name);
        }
    }
}

#[test]
fn duplicate_ids_in_a_batch_last_wins() {
    for db in backends() {
        let mut m = db.open();
        let first = wechat("7", 5, "2024-05-01T00:00:00Z");
        let mut last = first.clone();
        last.review.text = "the later read".into();
        let changed = apply(
            &mut m,
            &wx(),
            &[first, wechat("8", 4, "2024-05-01T00:00:00Z"), last],
            "2024-05-02T00:00:00Z",
        );
        assert_eq!(
            changed,
            [(1, vec![Change::New]), (2, vec![Change::New])],
            "{}",
            db.name
        );
        let stored = m.reviews(&ReviewQuery::default()).unwrap();
        assert_eq!(
            stored
                .iter()
                .find(|s| s.review.id == "7")
                .unwrap()
                .review
                .text,
            "the later read"
        );
    }
}

#[test]
fn the_bookmark_is_in_the_batch_transaction() {
    for db in backends() {
        let mut m = db.open();
        let t = wx();
        let covered = Bookmark {
            from: ts("2024-05-01T00:00:00Z"),
            until: ts("2024-05-02T00:00:00Z"),
        };
        // Make the bookmark's write fail after the rows were written.
        db.exec(
            "CREATE TRIGGER no_bookmarks BEFORE INSERT ON sync_bookmarks BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; \
             CREATE TRIGGER no_bookmarks BEFORE INSERT ON sync_bookmarks FOR EACH ROW EXECUTE FUNCTION refuse();",
        );
        let reviews = [wechat("1", 1, "2024-05-01T10:00:00Z")];
        let batch = Batch {
            tenant: &t,
            reviews: &reviews,
            covered: Some(covered),
            now: ts("2024-05-02T00:00:00Z"),
        };
        let err = m.apply(&batch).unwrap_err();
        assert!(
            matches!(err, StoreError::Query { .. }),
            "{}: {err:?}",
            db.name
        );
        assert_eq!(m.count().unwrap(), 0, "{}", db.name);
        assert_eq!(m.bookmark(&t).unwrap(), None, "{}", db.name);
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM review_changes"),
            0,
            "{}",
            db.name
        );

        db.exec(
            "DROP TRIGGER no_bookmarks;",
            "DROP TRIGGER no_bookmarks ON sync_bookmarks;",
        );
        let applied = m.apply(&batch).unwrap();
        assert_eq!(applied.changed.len(), 1, "{}", db.name);
        assert_eq!(m.bookmark(&t).unwrap(), Some(covered), "{}", db.name);
        assert_eq!(
            m.bookmark(&Tenant::new(Platform::Taobao, "shop")).unwrap(),
            None
        );
    }
}

#[test]
fn inbox_views_and_order() {
    for db in backends() {
        let mut m = db.open();
        let mut replied_bad = wechat("w-replied", 1, "2024-05-01T00:00:00Z");
        replied_bad.review.replied = true;
        replied_bad.state.pending_settlement = true;
        let mut pending = wechat("w-pending", 2, "2024-05-03T00:00:00Z");
        pending.state.pending_settlement = true;
        let wechat_reviews = [
            wechat("w-late", 1, "2024-05-09T00:00:00Z"),
            wechat("w-three", 3, "2024-05-02T00:00:00Z"),
            wechat("w-five", 5, "2024-05-02T00:00:00Z"),
            replied_bad,
            pending,
        ];
        apply(&mut m, &wx(), &wechat_reviews, "2024-05-10T00:00:00Z");
        let shop = Tenant::new(Platform::Taobao, "supercode");
        let mut replied_rate = taobao(
            "t-replied:buyer",
            Sentiment::Negative,
            "2024-05-01T00:00:00Z",
        );
        replied_rate.review.replied = true;
        let rates = [
            taobao("t-bad:buyer", Sentiment::Negative, "2024-05-05T00:00:00Z"),
            taobao(
                "t-neutral:buyer",
                Sentiment::Neutral,
                "2024-04-30T00:00:00Z",
            ),
            taobao("t-good:buyer", Sentiment::Positive, "2024-05-01T00:00:00Z"),
            replied_rate,
        ];
        apply(&mut m, &shop, &rates, "2024-05-10T00:00:00Z");

        let ids = |view| -> Vec<String> {
            m.inbox(view)
                .unwrap()
                .into_iter()
                .map(|s| s.review.id)
                .collect()
        };
        let mut ids = ids;
        assert_eq!(
            ids(InboxView::Unanswered),
            ["t-neutral:buyer", "w-pending", "t-bad:buyer", "w-late"],
            "{}",
            db.name
        );
        assert_eq!(
            ids(InboxView::PendingSettlement),
            ["w-replied", "w-pending"],
            "{}",
            db.name
        );
        assert_eq!(
            ids(InboxView::RepliedUnsettled),
            ["w-replied"],
            "{}",
            db.name
        );

        // reviews(): platform, tenant, newest first, id; and the filters.
        let all: Vec<String> = m
            .reviews(&ReviewQuery::default())
            .unwrap()
            .into_iter()
            .map(|s| s.review.id)
            .collect();
        assert_eq!(
            all,
            [
                "t-bad:buyer",
                "t-good:buyer",
                "t-replied:buyer",
                "t-neutral:buyer",
                "w-late",
                "w-pending",
                "w-five",
                "w-three",
                "w-replied"
            ],
            "{}",
            db.name
        );
        let only = m
            .reviews(&ReviewQuery {
                platform: Some(Platform::Wechat),
                tenant: Some("wx0123456789abcdef".into()),
            })
            .unwrap();
        assert_eq!(only.len(), 5, "{}", db.name);
        assert!(
            m.reviews(&ReviewQuery {
                platform: None,
                tenant: Some("nobody".into())
            })
            .unwrap()
            .is_empty()
        );
        assert_eq!(m.count().unwrap(), 9);
    }
}

fn push<'a>(key: &'a str, comment: &'a str, status: PushStatus) -> PushRecord<'a> {
    PushRecord {
        dedup_key: key,
        tenant: "wx0123456789abcdef",
        event: "wxa_comment_bad_score",
        comment_id: Some(comment),
        create_time: ts("2024-05-01T00:00:00Z"),
        received_at: ts("2024-05-01T00:00:01.250Z"),
        raw: r#"{"event":"wxa_comment_bad_score"}"#,
        status,
    }
}

#[test]
fn pushes_are_recorded_once_across_handles_and_threads() {
    for db in backends() {
        drop(db.open());
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let url = db.url.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    let mut m = Mirror::open(&url).unwrap();
                    barrier.wait();
                    (0..40)
                        .map(|i| {
                            let key = format!("key-{i}");
                            m.record_push(&push(&key, "c", PushStatus::Received))
                                .unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let results: Vec<Vec<Recorded>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        for (i, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
            match (*a, *b) {
                (Recorded::New(x), Recorded::Duplicate(y))
                | (Recorded::Duplicate(x), Recorded::New(y)) => {
                    assert_eq!(x, y, "{}", db.name);
                }
                other => panic!("{}: key-{i} recorded as {other:?}", db.name),
            }
        }
        let mut m = db.open();
        let rows = m.push_events().unwrap();
        assert_eq!(rows.len(), 40, "{}", db.name);
        assert_eq!(
            rows[0].received_at,
            ts("2024-05-01T00:00:01.250Z"),
            "{}",
            db.name
        );
        assert_eq!(rows[0].status, PushStatus::Received);
        assert_eq!(
            m.record_push(&push("key-3", "c", PushStatus::Pending))
                .unwrap(),
            Recorded::Duplicate(rows[3].id)
        );
    }
}

#[test]
fn claims_are_exclusive_and_come_back_after_the_hold() {
    for db in backends() {
        let mut m = db.open();
        let mut ids = Vec::new();
        for i in 0..10 {
            let key = format!("k{i}");
            let comment = format!("c{i}");
            let Recorded::New(id) = m
                .record_push(&push(&key, &comment, PushStatus::Pending))
                .unwrap()
            else {
                panic!("new key");
            };
            ids.push(id);
        }
        m.record_push(&push("done", "cx", PushStatus::Received))
            .unwrap();
        let now = ts("2024-05-01T00:01:00Z");
        let hold = SignedDuration::from_secs(60);
        let barrier = Arc::new(Barrier::new(2));
        let claimers: Vec<_> = (0..2)
            .map(|_| {
                let url = db.url.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    let mut m = Mirror::open(&url).unwrap();
                    barrier.wait();
                    let mut mine = Vec::new();
                    for _ in 0..5 {
                        mine.extend(
                            m.claim_pushes(now, hold, 2)
                                .unwrap()
                                .into_iter()
                                .map(|p| p.id),
                        );
                    }
                    mine
                })
            })
            .collect();
        let mut claimed: Vec<i64> = claimers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        claimed.sort_unstable();
        assert_eq!(
            claimed, ids,
            "{}: each pending push claimed exactly once",
            db.name
        );
        assert!(
            m.claim_pushes(now, hold, 100).unwrap().is_empty(),
            "{}",
            db.name
        );

        // The claimer "crashed": after the hold they are due again, oldest first.
        let later = now.checked_add(SignedDuration::from_secs(61)).unwrap();
        let again = m.claim_pushes(later, hold, 3).unwrap();
        assert_eq!(
            again.iter().map(|p| p.id).collect::<Vec<_>>(),
            ids[..3],
            "{}",
            db.name
        );
        assert!(
            again
                .iter()
                .all(|p| p.attempts == 2 && p.tenant == "wx0123456789abcdef")
        );
        assert_eq!(again[0].comment_id, "c0");

        // Fetched: the review is applied with its steps and the push is done.
        let mut fetched = wechat("c0", 1, "2024-05-01T00:00:00Z");
        fetched.process = Some(vec![ProcessStep {
            code: 1,
            at: Some(ts("2024-05-01T00:00:00Z")),
        }]);
        let applied = m.push_fetched(again[0].id, &wx(), &fetched, later).unwrap();
        assert_eq!(applied.changed[0].changes, [Change::New], "{}", db.name);
        assert_eq!(
            m.reviews(&ReviewQuery::default()).unwrap()[0].process.len(),
            1,
            "{}",
            db.name
        );
        m.push_retry(again[1].id, ts("2030-01-01T00:00:00Z"), "HTTP 503")
            .unwrap();
        m.push_failed(again[2].id, "comment gone").unwrap();
        assert!(matches!(
            m.push_failed(987_654, "x"),
            Err(StoreError::UnknownPush(987_654))
        ));

        let rows = m.push_events().unwrap();
        let row = |id: i64| rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(row(again[0].id).status, PushStatus::Fetched, "{}", db.name);
        assert_eq!(row(again[1].id).status, PushStatus::Pending);
        assert_eq!(row(again[1].id).last_error.as_deref(), Some("HTTP 503"));
        assert_eq!(row(again[2].id).status, PushStatus::Failed);
        assert_eq!(row(again[2].id).last_error.as_deref(), Some("comment gone"));
        // The retried one waits for its time; the rest of the expired claims are due.
        let rest = m.claim_pushes(later, hold, 100).unwrap();
        assert_eq!(
            rest.iter().map(|p| p.id).collect::<Vec<_>>(),
            ids[3..],
            "{}",
            db.name
        );
    }
}

#[test]
fn bad_urls_say_what_is_accepted() {
    for bad in [
        "mysql://localhost/db",
        "",
        "sqlite:",
        "localhost:5432",
        "postgres://u:hunter2@h:notaport/db",
    ] {
        let err = bad.parse::<MirrorUrl>().unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StoreError::Url { .. }), "{bad}: {err:?}");
        assert!(
            text.contains("sqlite:PATH") && text.contains("postgres://"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }
    for good in [
        "sqlite:mirror.db",
        "sqlite:///tmp/m.db",
        "sqlite::memory:",
        "postgresql://h/db",
    ] {
        assert!(good.parse::<MirrorUrl>().is_ok(), "{good}");
    }
    assert_eq!(
        "sqlite:///tmp/m.db"
            .parse::<MirrorUrl>()
            .unwrap()
            .to_string(),
        "sqlite:/tmp/m.db"
    );
}

#[test]
fn the_password_is_never_shown() {
    let url: MirrorUrl =
        "postgres://reviews:hunter2@127.0.0.1:1/db?password=hunter2&connect_timeout=2"
            .parse()
            .unwrap();
    for shown in [url.to_string(), format!("{url:?}"), url.redacted()] {
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("reviews:***@127.0.0.1:1/db"), "{shown}");
    }
    let err = Mirror::open(&url).unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert!(
        err.to_string().contains("reviews:***@127.0.0.1:1/db"),
        "{err}"
    );
    if let Some(db) = common::postgres_db() {
        let m = db.open();
        assert!(!format!("{m:?} {}", m.describe()).contains("hunter2"));
    }
}

#[test]
fn a_large_batch_of_new_and_known_rows_round_trips() {
    // 150 rows: SQLite writes them 64 to a statement and the rest in smaller pieces; half of
    // them were stored before (the upsert), half are new (the plain insert).
    for db in backends() {
        let mut m = db.open();
        let reviews: Vec<Observed> = (0..150)
            .map(|i| {
                wechat(
                    &format!("{i:03}"),
                    1 + (i % 5) as u8,
                    "2024-05-01T00:00:00Z",
                )
            })
            .collect();
        let known: Vec<Observed> = reviews.iter().step_by(2).cloned().collect();
        apply(&mut m, &wx(), &known, "2024-05-02T00:00:00Z");
        let mut next = reviews.clone();
        for (i, observed) in next.iter_mut().enumerate() {
            if i % 4 == 0 {
                observed.review.text = format!("revised {i}");
            }
        }
        let changed = apply(&mut m, &wx(), &next, "2024-05-03T00:00:00Z");
        let expect: Vec<(usize, Vec<Change>)> = (0..150)
            .filter_map(|i| match (i % 2, i % 4) {
                (1, _) => Some((i, vec![Change::New])),
                (_, 0) => Some((i, vec![Change::Revised])),
                _ => None,
            })
            .collect();
        assert_eq!(changed, expect, "{}", db.name);
        assert_eq!(m.count().unwrap(), 150, "{}", db.name);
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM review_changes"),
            75 + 75 + 38,
            "{}",
            db.name
        );
        let mut stored = m.reviews(&ReviewQuery::default()).unwrap();
        stored.sort_by(|a, b| a.review.id.cmp(&b.review.id));
        for (i, (stored, observed)) in stored.iter().zip(&next).enumerate() {
            assert_eq!(stored.review, observed.review, "{} row {i}", db.name);
            assert_eq!(
                stored.first_seen_at,
                ts(if i % 2 == 0 {
                    "2024-05-02T00:00:00Z"
                } else {
                    "2024-05-03T00:00:00Z"
                }),
                "{} row {i}",
                db.name
            );
        }
    }
}

#[test]
fn a_row_stored_since_the_lookup_is_upserted() {
    // A trigger stores the row just before the mirror's insert of it, as another writer would
    // between the batch's lookup and its write (possible on PostgreSQL; SQLite's write lock
    // rules it out, and it upserts new rows anyway): PostgreSQL's plain insert hits the key,
    // falls back to the upsert, and the batch commits with the row as read.
    for db in backends() {
        let mut m = db.open();
        db.exec(
            "CREATE TRIGGER racer BEFORE INSERT ON reviews WHEN NEW.id = 'race' BEGIN \
             INSERT OR IGNORE INTO reviews SELECT NEW.platform, NEW.tenant, NEW.id, \
             NEW.order_id, NEW.created_at, NEW.stars, NEW.sentiment, 'the other writer', \
             NEW.author, NEW.replied, NEW.reply, NEW.media, NEW.items, NEW.amount_fen, \
             NEW.user_id, NEW.service_sent, NEW.pending_settlement, NEW.revised, NEW.raw, \
             NEW.first_seen_at, NEW.changed_at; END;",
            // PostgreSQL's upsert refuses a row its own command's trigger stored, so the
            // other writer acts on the first attempt only (a sequence outlives the rollback).
            "CREATE SEQUENCE racer_attempts; \
             CREATE FUNCTION racer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF pg_trigger_depth() = 1 AND nextval('racer_attempts') = 1 THEN \
               INSERT INTO reviews SELECT (NEW).*; \
               UPDATE reviews SET text = 'the other writer' \
                 WHERE platform = NEW.platform AND tenant = NEW.tenant AND id = NEW.id; \
             END IF; RETURN NEW; END $$; \
             CREATE TRIGGER racer BEFORE INSERT ON reviews FOR EACH ROW \
             WHEN (NEW.id = 'race') EXECUTE FUNCTION racer();",
        );
        let reviews = [
            wechat("before", 5, "2024-05-01T00:00:00Z"),
            wechat("race", 1, "2024-05-01T00:00:00Z"),
            wechat("after", 4, "2024-05-01T00:00:00Z"),
        ];
        let batch = Batch {
            tenant: &wx(),
            reviews: &reviews,
            covered: None,
            now: ts("2024-05-02T00:00:00Z"),
        };
        let applied = m.apply(&batch);
        let applied = match applied {
            Ok(applied) => applied,
            Err(err) => panic!("{}: {err:?}", db.name),
        };
        assert_eq!(applied.changed.len(), 3, "{}", db.name);
        assert_eq!(m.count().unwrap(), 3, "{}", db.name);
        let stored = m.reviews(&ReviewQuery::default()).unwrap();
        let race = stored.iter().find(|s| s.review.id == "race").unwrap();
        assert_eq!(race.review, reviews[1].review, "{}", db.name);
        if db.name == "postgres" {
            assert_eq!(
                db.scalar("SELECT last_value FROM racer_attempts"),
                2,
                "the insert, then the upsert"
            );
        }
    }
}
