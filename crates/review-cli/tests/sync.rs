//! `reviews sync` and `reviews inbox` end to end: real processes against an in-process sandbox,
//! real SQLite files (and the PostgreSQL server of the machine). A first sync's changes are
//! exactly an export of the same range; the inbox lists exactly the unanswered bad reviews,
//! oldest first, with no API call; a sync killed with SIGKILL at ten random moments and run
//! again leaves the mirror an uninterrupted sync leaves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../../review-store/tests/common/mod.rs"]
mod dbs;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Instant;

use common::{fw199_env, json_lines, reviews_std, stderr, stdout, wechat_env};
use review_sandbox::Sandbox;
use serde_json::Value;

/// The binary with the sandbox's credentials for both platforms.
fn reviews_at(sandbox: &Sandbox) -> Command {
    let mut command = reviews_std();
    command.envs(wechat_env(sandbox)).envs(fw199_env(sandbox));
    command
}

fn sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite:{}", dir.join(name).display())
}

/// Runs `command`, expecting success; returns (stdout, stderr).
fn success(command: &mut Command) -> (String, String) {
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (stdout(&output), stderr(&output))
}

/// Records by (platform, id), without the keys that are not the unified record's.
fn by_key(records: Vec<Value>, drop: &[&str]) -> BTreeMap<(String, String), Value> {
    records
        .into_iter()
        .map(|mut record| {
            let map = record.as_object_mut().unwrap();
            for key in drop {
                map.remove(*key);
            }
            let key = (
                map["platform"].as_str().unwrap().to_owned(),
                map["id"].as_str().unwrap().to_owned(),
            );
            (key, record)
        })
        .collect()
}

#[test]
fn a_first_sync_changes_are_the_export_and_the_inbox_reads_the_mirror_alone() {
    let sandbox = common::start_sandbox(Sandbox::builder().seed(5).comments(300).rates(400));
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "mirror.sqlite3");

    let (changes, summary) = success(reviews_at(&sandbox).args([
        "sync",
        "--db",
        &db,
        "--since",
        "179d",
        "--changes",
        "-",
    ]));
    let (exported, _) = success(reviews_at(&sandbox).args(["export", "--since", "179d"]));
    let exported = by_key(json_lines(&exported), &[]);
    let changes = json_lines(&changes);
    assert!(
        changes
            .iter()
            .all(|c| c["change"] == "new" && c["changes"] == serde_json::json!(["new"]))
    );
    assert_eq!(by_key(changes, &["change", "changes", "tenant"]), exported);
    let line = summary.lines().last().unwrap();
    assert!(
        line.starts_with(&format!(
            "reviews: synced {} reviews into {db}: {} new, 0 changed, 0 unchanged; ",
            exported.len(),
            exported.len()
        )),
        "{line}"
    );

    // Again: nothing new, the lookback read again, fewer requests.
    let (changes, summary) =
        success(reviews_at(&sandbox).args(["sync", "--db", &db, "--changes", "-"]));
    assert_eq!(changes, "");
    assert!(summary.contains(" 0 new, 0 changed, "), "{summary}");

    // The inbox, with the API gone: no credentials, so no sandbox either.
    drop(sandbox);
    let (inbox, err) = success(reviews_std().args(["inbox", "--db", &db, "--format", "jsonl"]));
    assert_eq!(err, "", "the inbox makes no call and starts no sandbox");
    let inbox = json_lines(&inbox);
    let expected: Vec<&Value> = {
        let mut waiting: Vec<&Value> = exported
            .values()
            .filter(|r| {
                r["replied"] == false
                    && match r["platform"].as_str() {
                        Some("wechat") => r["stars"].as_u64().is_some_and(|s| s <= 2),
                        _ => r["sentiment"] != "positive",
                    }
            })
            .collect();
        waiting.sort_by_key(|r| {
            (
                r["created_at"].as_str().unwrap().to_owned(),
                r["id"].as_str().unwrap().to_owned(),
            )
        });
        waiting
    };
    assert!(!expected.is_empty());
    assert_eq!(inbox.len(), expected.len());
    for (row, want) in inbox.iter().zip(&expected) {
        for key in review_model::Review::KEYS {
            assert_eq!(row[key], want[key], "{key}");
        }
        assert!(row["age_seconds"].as_i64().unwrap() >= 0);
        assert!(row["next_step"].as_str().unwrap().len() > 10);
    }
    let (csv, _) = success(reviews_std().args(["inbox", "--db", &db, "--format", "csv"]));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",tenant,age_seconds,next_step")
    );
    assert_eq!(csv.lines().count(), expected.len() + 1);
    let (table, _) = success(reviews_std().args(["inbox", "--db", &db, "--format", "table"]));
    assert!(
        table.lines().next().unwrap().contains("next step"),
        "{table}"
    );
}

/// Every row of the mirror's `reviews` table but the times of the sync that wrote it.
fn dump(db: &str) -> Vec<String> {
    let path = db.trim_start_matches("sqlite:");
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection
        .prepare(
            "SELECT platform, tenant, id, order_id, created_at, stars, sentiment, text, author, replied, \
             reply, service_sent, pending_settlement, revised, raw FROM reviews ORDER BY platform, tenant, id",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            let mut cells = Vec::new();
            for i in 0..15 {
                let cell: rusqlite::types::Value = row.get(i)?;
                cells.push(format!("{cell:?}"));
            }
            Ok(cells.join("|"))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn a_sync_killed_at_ten_random_moments_and_run_again_equals_an_uninterrupted_one() {
    let sandbox = common::start_sandbox(Sandbox::builder().seed(9).comments(6_000).rates(6_000));
    let dir = tempfile::tempdir().unwrap();
    let whole = sqlite(dir.path(), "whole.sqlite3");
    let started = Instant::now();
    success(reviews_at(&sandbox).args(["sync", "--db", &whole]));
    let took = started.elapsed();
    let expected = dump(&whole);
    assert!(expected.len() > 5_000, "{} rows", expected.len());

    // A small linear congruential generator: the seeds name the moments.
    let mut killed_midway = 0;
    for seed in 1u64..=10 {
        let moment = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407)
            >> 33;
        let delay = took.mul_f64((moment % 1_000) as f64 / 1_000.0);
        let db = sqlite(dir.path(), &format!("killed-{seed}.sqlite3"));
        let mut child = reviews_at(&sandbox)
            .args(["sync", "--db", &db])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed_midway += 1;
        }
        success(reviews_at(&sandbox).args(["sync", "--db", &db]));
        assert_eq!(dump(&db), expected, "seed {seed}: killed after {delay:?}");
    }
    assert!(
        killed_midway >= 5,
        "only {killed_midway} of 10 runs were killed before they finished"
    );
}

#[test]
fn bad_options_are_refused_before_anything_starts() {
    common::refused(&["sync", "--db", "mysql://x"], "--db");
    common::refused(&["sync", "--lookback", "two weeks"], "--lookback");
    common::refused(&["sync", "--since", "2999-01-01"], "--since");
    common::refused(&["inbox", "--db", "nonsense"], "--db");
    common::refused(
        &["sync", "--changes", "/nonexistent/dir/changes.jsonl"],
        "--changes",
    );
}

#[test]
fn an_unreachable_database_is_one_line_without_its_password() {
    let port = common::free_port();
    let url = format!("postgres://reviews:hunter2-secret@127.0.0.1:{port}/reviews");
    let output = reviews_std()
        .args(["--sandbox", "sync", "--db", &url])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("hunter2-secret"), "{err}");
    assert!(err.lines().last().unwrap().contains("mirror"), "{err}");
}

#[test]
fn a_sync_into_postgresql_reads_back_the_inbox_a_sqlite_mirror_does() {
    let Some(postgres) = dbs::postgres_db() else {
        return;
    };
    let sandbox = common::start_sandbox(Sandbox::builder().seed(3).comments(200).rates(300));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite(dir.path(), "mirror.sqlite3");
    let postgres = postgres.url_text();
    let mut inboxes = Vec::new();
    for db in [&sqlite, &postgres] {
        let (_, summary) = success(reviews_at(&sandbox).args(["sync", "--db", db]));
        assert!(
            summary.contains(" new, 0 changed, 0 unchanged; "),
            "{summary}"
        );
        let (inbox, _) = success(reviews_std().args(["inbox", "--db", db, "--format", "jsonl"]));
        let rows: Vec<Value> = json_lines(&inbox)
            .into_iter()
            .map(|mut row| {
                row.as_object_mut().unwrap().remove("age_seconds");
                row.as_object_mut().unwrap().remove("first_seen_at");
                row
            })
            .collect();
        assert!(!rows.is_empty());
        inboxes.push(rows);
    }
    assert_eq!(inboxes[0], inboxes[1]);
}
