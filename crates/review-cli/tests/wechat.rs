//! `reviews wechat ...` end to end: the built binary against the embedded sandbox (no
//! credentials, so each run starts a fresh sandbox with the default seed: ids are stable, state
//! is not), and, for chains of writes, against one sandbox started here and passed as
//! credentials, so that a reply is still there when the thread is read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use review_model::Review;
use std::collections::HashSet;
use std::process::Output;
use std::time::Duration;

use review_sandbox::Sandbox;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use common::{
    first_stdout_line, is_rfc3339_utc, json_lines, ok, one_line_failure, read_csv, refused,
    reviews, reviews_in_100_columns, run, spawn, start_sandbox, stderr, stdout,
};

/// `wechat list --format json` over the sandbox's whole span, with `extra` arguments.
fn list(extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["wechat", "list", "--format", "json", "--since", "179d"];
    args.extend_from_slice(extra);
    json_lines(&ok(&args))
}

fn id_of(record: &Value) -> String {
    record["id"].as_str().unwrap().to_owned()
}

/// The thread of `id` as JSON (embedded sandbox).
fn thread(id: &str) -> Value {
    json_lines(&ok(&["wechat", "thread", id, "--format", "json"])).remove(0)
}

#[test]
fn list_json_lines_are_unified_records() {
    let records = list(&[]);
    assert!(records.len() > 100, "{}", records.len());
    for r in &records {
        assert_eq!(r["platform"], "wechat");
        assert!(!id_of(r).is_empty());
        assert!(r["order_id"].is_string());
        assert!(is_rfc3339_utc(r["created_at"].as_str().unwrap()), "{r}");
        let stars = r["stars"].as_u64().unwrap();
        assert!((1..=5).contains(&stars));
        let sentiment = match stars {
            1 | 2 => "negative",
            3 => "neutral",
            _ => "positive",
        };
        assert_eq!(r["sentiment"], sentiment);
        assert!(r["text"].is_string());
        assert!(r["author"].is_string());
        assert!(r["replied"].is_boolean());
    }
    // Both answered and unanswered comments are seeded.
    assert!(records.iter().any(|r| r["replied"] == true));
    assert!(records.iter().any(|r| r["replied"] == false));
}

#[test]
fn list_defaults_to_json_in_a_pipe_and_the_last_30_days() {
    let records = json_lines(&ok(&["wechat", "list"]));
    assert!(!records.is_empty());
    let month_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 30 + 1);
    for r in &records {
        let t: jiff::Timestamp = r["created_at"].as_str().unwrap().parse().unwrap();
        assert!(t >= month_ago, "{r}");
    }
}

#[test]
fn list_csv_has_a_header_and_one_row_per_comment() {
    let text = ok(&["wechat", "list", "--format", "csv", "--since", "179d"]);
    let (header, rows) = read_csv(text.as_bytes());
    assert_eq!(header[..Review::KEYS.len()], Review::KEYS);
    assert!(rows.len() > 100);
    for row in &rows {
        assert_eq!(row.len(), header.len());
        assert_eq!(&row[0], "wechat");
        assert!(is_rfc3339_utc(&row[3]), "{row:?}");
        assert!(["true", "false"].contains(&&row[8]));
    }
    // The same comments as the JSON listing.
    let ids: HashSet<String> = rows.iter().map(|r| r[1].to_owned()).collect();
    let json: HashSet<String> = list(&[]).iter().map(id_of).collect();
    let common = ids.intersection(&json).count();
    assert!(
        common + 2 >= ids.len().max(json.len()),
        "{common} of {}",
        ids.len()
    );
}

/// The rest of `line` from display column `col` (widths of whole prefixes, as the table
/// measures them), if a character starts there.
fn at_col(line: &str, col: usize) -> Option<&str> {
    line.char_indices()
        .map(|(i, _)| i)
        .find(|i| line[..*i].width() >= col)
        .filter(|i| line[..*i].width() == col)
        .map(|i| &line[i..])
}

#[test]
fn list_table_is_aligned_by_display_width_and_fits_the_terminal() {
    let text = ok(&["wechat", "list", "--format", "table", "--since", "179d"]);
    let records = list(&[]);
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0];
    assert!(header.starts_with("id "), "{header}");
    let col = |name: &str| header[..header.find(name).unwrap()].width();
    let (stars, replied, author, body) = (col("stars"), col("replied"), col("author"), col("text"));
    assert!(header.contains("time (UTC+08)"), "{header}");
    let mut checked = 0;
    for line in &lines {
        assert!(line.width() <= 100, "{} wide: {line}", line.width());
    }
    assert!(lines.iter().any(|l| l.ends_with('…')), "no text was cut");
    for line in &lines[1..] {
        let id = line.split(' ').next().unwrap();
        let Some(record) = records.iter().find(|r| r["id"] == id) else {
            continue;
        };
        assert!(
            at_col(line, stars).unwrap().starts_with(['★', '☆']),
            "{line}"
        );
        let yes = if record["replied"] == true {
            "yes"
        } else {
            "no"
        };
        assert!(at_col(line, replied).unwrap().starts_with(yes), "{line}");
        let first = |key: &str| record[key].as_str().unwrap().chars().next();
        if let Some(c) = first("author") {
            assert!(at_col(line, author).unwrap().starts_with(c), "{line}");
        }
        if let Some(c) = first("text") {
            let cell = at_col(line, body).unwrap();
            assert!(cell.starts_with(c) || cell.starts_with('['), "{line}");
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    // Chinese nicknames are among the rows checked.
    assert!(
        records
            .iter()
            .any(|r| !r["author"].as_str().unwrap().is_ascii())
    );
}

#[test]
fn list_every_filter() {
    let all = list(&["--filter", "all"]);
    let awaiting: Vec<Value> = list(&["--filter", "awaiting-reply"]);
    for name in [
        "bad",
        "positive",
        "pending-compromise",
        "awaiting-reply",
        "revised",
        "all",
    ] {
        let records = list(&["--filter", name]);
        assert!(!records.is_empty(), "{name}");
        assert!(records.len() <= all.len(), "{name}");
        for r in &records {
            let stars = r["stars"].as_u64().unwrap();
            match name {
                "bad" | "pending-compromise" => assert!(stars <= 2, "{name}: {r}"),
                "positive" => assert!(stars >= 4, "{name}: {r}"),
                "awaiting-reply" => assert_eq!(r["replied"], false, "{r}"),
                _ => {}
            }
        }
    }
    // The wire numbers work too.
    assert_eq!(list(&["--filter", "4"]).len(), awaiting.len());
    // `replied` of the full listing is exactly "not awaiting a reply".
    let unanswered: HashSet<String> = awaiting.iter().map(id_of).collect();
    for r in &all {
        assert_eq!(r["replied"] == false, unanswered.contains(&id_of(r)), "{r}");
    }
}

#[test]
fn show_a_bad_review_in_json_and_as_a_block() {
    let bad = list(&["--filter", "bad"]);
    let id = id_of(&bad[0]);
    let detail = json_lines(&ok(&["wechat", "show", &id, "--format", "json"])).remove(0);
    let content = &detail["info"]["content"];
    assert_eq!(content["commentId"], id.as_str());
    assert!(
        is_rfc3339_utc(content["createTime"].as_str().unwrap()),
        "{detail}"
    );
    let steps = detail["processInfo"]["actionList"].as_array().unwrap();
    assert_eq!(steps[0]["type"], 1);

    let block = ok(&["wechat", "show", &id, "--format", "table"]);
    assert!(block.starts_with(&format!("id          {id}\n")), "{block}");
    for key in [
        "time ",
        "stars ",
        "sentiment ",
        "author ",
        "openid ",
        "text ",
        "process",
    ] {
        assert!(block.lines().any(|l| l.starts_with(key)), "{key}: {block}");
    }
    assert_eq!(block.matches("(current)").count(), 1, "{block}");
    assert!(block.contains("1 bad review posted"), "{block}");
}

#[test]
fn show_a_revised_review_shows_the_old_one() {
    let revised = list(&["--filter", "revised"]);
    let id = id_of(&revised[0]);
    let detail = json_lines(&ok(&["wechat", "show", &id])).remove(0);
    assert!(detail["oldComment"].is_object(), "{detail}");
    let block = ok(&["wechat", "show", &id, "--format", "table"]);
    assert!(
        block.lines().any(|l| l.starts_with("revised     from ")),
        "{block}"
    );
    assert!(block.lines().any(|l| l.starts_with("old text ")), "{block}");
}

#[test]
fn thread_of_an_answered_and_an_unanswered_comment() {
    let all = list(&[]);
    let answered = id_of(all.iter().find(|r| r["replied"] == true).unwrap());
    let t = thread(&answered);
    assert_eq!(t["commentId"], answered.as_str());
    assert!(t["reply"]["replyId"].is_string(), "{t}");
    assert!(
        is_rfc3339_utc(t["reply"]["createTime"].as_str().unwrap()),
        "{t}"
    );
    assert!(t["commentReplyList"].is_array(), "{t}");
    let block = ok(&["wechat", "thread", &answered, "--format", "table"]);
    let reply_id = t["reply"]["replyId"].as_str().unwrap();
    assert!(block.starts_with(&format!("reply {reply_id}  ")), "{block}");
    assert_eq!(
        block
            .lines()
            .filter(|l| l.starts_with("  follow-up "))
            .count(),
        t["commentReplyList"].as_array().unwrap().len()
    );

    let unanswered = id_of(all.iter().find(|r| r["replied"] == false).unwrap());
    let t = thread(&unanswered);
    assert!(t.get("reply").is_none(), "{t}");
    let block = ok(&["wechat", "thread", &unanswered, "--format", "table"]);
    assert!(block.contains("has no reply yet"), "{block}");
}

#[test]
fn reply_then_follow_up_and_delete_on_the_embedded_sandbox() {
    let all = list(&[]);
    let unanswered = id_of(all.iter().find(|r| r["replied"] == false).unwrap());
    let out = ok(&[
        "--sandbox",
        "wechat",
        "reply",
        &unanswered,
        "非常抱歉,马上为您处理",
    ]);
    assert!(
        out.starts_with(&format!("replied to comment {unanswered} (reply id ")),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1);

    // A seeded reply: follow up under it, then delete it.
    let answered = id_of(all.iter().find(|r| r["replied"] == true).unwrap());
    let reply_id = thread(&answered)["reply"]["replyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = ok(&[
        "--sandbox",
        "wechat",
        "reply",
        &answered,
        "已补发",
        "--to",
        &reply_id,
    ]);
    assert!(
        out.starts_with(&format!(
            "followed up under reply {reply_id} of comment {answered}"
        )),
        "{out}"
    );
    let out = ok(&["--sandbox", "wechat", "delete-reply", &answered, &reply_id]);
    assert_eq!(
        out,
        format!("deleted reply {reply_id} of comment {answered} and its follow-ups\n")
    );

    // A first reply where one exists already: the platform refuses (exit 1, one error line).
    let output = run(&["--sandbox", "wechat", "reply", &answered, "again"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.lines().last().unwrap().contains("already has a reply"),
        "{err}"
    );
}

#[test]
fn delete_a_seeded_follow_up() {
    // Find a seeded follow-up the merchant wrote (the buyer's cannot be deleted).
    let answered: Vec<String> = list(&[])
        .iter()
        .filter(|r| r["replied"] == true)
        .map(id_of)
        .collect();
    let found = answered.iter().find_map(|id| {
        let t = thread(id);
        let reply_id = t["reply"]["replyId"].as_str()?.to_owned();
        let merchant = t["reply"]["replyObject"]["nickname"].clone();
        t["commentReplyList"]
            .as_array()?
            .iter()
            .find(|f| f["commentReplyObject"]["nickname"] == merchant)
            .map(|f| {
                (
                    id.clone(),
                    reply_id,
                    f["commentReplyId"].as_str().unwrap().to_owned(),
                )
            })
    });
    let (id, reply_id, follow_up) = found.expect("a seeded merchant follow-up");
    let out = ok(&[
        "--sandbox",
        "wechat",
        "delete-reply",
        &id,
        &reply_id,
        "--comment-reply",
        &follow_up,
    ]);
    assert_eq!(
        out,
        format!("deleted follow-up {follow_up} under reply {reply_id} of comment {id}\n")
    );

    // A follow-up id that is not under this reply: refused at run time.
    let output = run(&[
        "--sandbox",
        "wechat",
        "delete-reply",
        &id,
        &reply_id,
        "--comment-reply",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).lines().last().unwrap().contains("-10003"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn kf_reset_names_the_author_and_message_needs_an_open_session() {
    let bad = list(&["--filter", "bad"]);
    let id = id_of(&bad[0]);
    let openid = bad[0]["user_id"].as_str().unwrap().to_owned();
    let out = ok(&["--sandbox", "wechat", "kf-reset", &id]);
    assert_eq!(
        out,
        format!(
            "opened a customer-service session with the author of comment {id}: message them with 'reviews wechat message {openid} TEXT'\n"
        )
    );
    // A fresh sandbox has no session open with that user: WeChat's 45015, exit 1.
    let output = run(&["--sandbox", "wechat", "message", &openid, "您好,退款已处理"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 2, "{err}"); // the sandbox notice, then the error
    assert!(err.lines().last().unwrap().contains("45015"), "{err}");

    // Only bad reviews have a quota.
    let good = id_of(&list(&["--filter", "positive"])[0]);
    let output = run(&["--sandbox", "wechat", "kf-reset", &good]);
    assert_eq!(output.status.code(), Some(1));
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}

#[test]
fn compromise_uploads_pictures_then_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let pic = dir.path().join("refund.png");
    std::fs::write(&pic, png()).unwrap();
    let pic = pic.to_str().unwrap();
    let id = id_of(&list(&["--filter", "pending-compromise"])[0]);

    let out = ok(&[
        "--sandbox",
        "wechat",
        "compromise",
        &id,
        "--text",
        "已退款",
        "--pic",
        pic,
        "--pic",
        pic,
    ]);
    assert_eq!(
        out,
        format!("confirmed the settlement of comment {id} with 2 pictures\n")
    );
    let out = ok(&["--sandbox", "wechat", "compromise", &id]);
    assert_eq!(out, format!("confirmed the settlement of comment {id}\n"));

    let missing = dir.path().join("missing.png");
    let missing = missing.to_str().unwrap();
    refused(
        &["wechat", "compromise", &id, "--pic", missing],
        &format!("--pic {missing}: cannot read it"),
    );
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not a picture").unwrap();
    let text = text.to_str().unwrap();
    refused(
        &["wechat", "compromise", &id, "--pic", text],
        "not a JPEG, PNG, GIF or BMP picture",
    );
    refused(
        &[
            "wechat",
            "compromise",
            &id,
            "--pic",
            dir.path().to_str().unwrap(),
        ],
        "a directory",
    );
}

#[test]
fn pic_refuses_devices_fifos_and_oversized_files_without_reading_them() {
    let id = "2778849575614752718";
    // /dev/zero never ends: refused from its metadata, at once, without reading it.
    let started = std::time::Instant::now();
    refused(
        &["wechat", "compromise", id, "--pic", "/dev/zero"],
        "--pic /dev/zero: not a regular file",
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // A FIFO would block the open forever: refused before it is opened.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pic.png");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let output = reviews()
        .args(["wechat", "compromise", id, "--pic", fifo])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        one_line_failure(&output, 2, "a FIFO").trim_end(),
        format!("reviews: --pic {fifo}: not a regular file: pass a JPEG, PNG, GIF or BMP picture")
    );
    // Over 10 MiB by its size (a sparse file: nothing is written or read).
    let big = dir.path().join("big.png");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(64 * 1024 * 1024 * 1024).unwrap();
    refused(
        &["wechat", "compromise", id, "--pic", big.to_str().unwrap()],
        "the picture is 68719476736 bytes; WeChat takes at most 10485760",
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    refused(
        &["wechat", "list", "--filter", "nope"],
        "unknown filter \"nope\": expected one of bad, positive, pending-compromise, awaiting-reply, revised, all",
    );
    refused(
        &["wechat", "list", "--since", "yesterday"],
        "--since \"yesterday\" is not a time",
    );
    refused(
        &["wechat", "list", "--until", "2026-13-01"],
        "--until \"2026-13-01\" is not a time",
    );
    refused(
        &["wechat", "list", "--since", "1d", "--until", "2d"],
        "is after --until",
    );
    refused(
        &["wechat", "list", "--format", "xml"],
        "invalid value 'xml'",
    );
    let empty_id = "a comment id must be a non-empty id";
    refused(&["wechat", "show", ""], empty_id);
    refused(&["wechat", "thread", ""], empty_id);
    refused(&["wechat", "reply", "", "text"], empty_id);
    refused(&["wechat", "delete-reply", "", "1"], empty_id);
    refused(&["wechat", "kf-reset", ""], empty_id);
    refused(&["wechat", "compromise", ""], empty_id);
    refused(
        &["wechat", "reply", "1", "text", "--to", ""],
        "a reply id must be a non-empty id",
    );
    refused(
        &["wechat", "delete-reply", "1", ""],
        "a reply id must be a non-empty id",
    );
    refused(
        &["wechat", "delete-reply", "1", "2", "--comment-reply", ""],
        "a follow-up reply id must be",
    );
    refused(
        &["wechat", "message", "", "hi"],
        "an openid must be a non-empty id",
    );
    refused(&["wechat", "reply", "1", "  "], "the reply text is empty");
    refused(
        &["wechat", "message", "oUser", ""],
        "the message text is empty",
    );
    refused(
        &["wechat", "compromise", "1", "--text", ""],
        "the --text of the settlement is empty",
    );
    refused(
        &["wechat", "show", "1", "--format", "csv"],
        "--format csv is for listings",
    );
    refused(&["wechat", "show"], "required");
}

// ---- Chains of writes against one sandbox that outlives the commands ----

/// `sandbox`'s URL and WeChat credentials as options.
fn credential_args(sandbox: &Sandbox) -> [&str; 6] {
    let creds = sandbox.wechat();
    [
        "--wechat-base-url",
        sandbox.base_url(),
        "--wechat-appid",
        creds.appid.as_str(),
        "--wechat-secret",
        creds.secret.expose_secret(),
    ]
}

/// The binary pointed at `sandbox` with its WeChat credentials.
fn against(sandbox: &Sandbox, args: &[&str]) -> Output {
    reviews_in_100_columns()
        .args(credential_args(sandbox))
        .args(args)
        .output()
        .unwrap()
}

fn ok_against(sandbox: &Sandbox, args: &[&str]) -> String {
    let output = against(sandbox, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    assert!(output.stderr.is_empty(), "{}", stderr(&output)); // credentials: no sandbox notice
    stdout(&output)
}

fn thread_against(sandbox: &Sandbox, id: &str) -> Value {
    json_lines(&ok_against(
        sandbox,
        &["wechat", "thread", id, "--format", "json"],
    ))
    .remove(0)
}

/// `wechat list --filter FILTER --format json` against `sandbox`.
fn list_against(sandbox: &Sandbox, filter: &str) -> Vec<Value> {
    json_lines(&ok_against(
        sandbox,
        &["wechat", "list", "--filter", filter, "--format", "json"],
    ))
}

#[test]
fn reply_thread_follow_up_delete_chain() {
    let sandbox = start_sandbox(Sandbox::builder());
    let id = id_of(&list_against(&sandbox, "awaiting-reply")[0]);

    let out = ok_against(&sandbox, &["wechat", "reply", &id, "非常抱歉,马上为您处理"]);
    let t = thread_against(&sandbox, &id);
    let reply_id = t["reply"]["replyId"].as_str().unwrap().to_owned();
    assert_eq!(
        out,
        format!("replied to comment {id} (reply id {reply_id})\n")
    );
    assert_eq!(
        t["reply"]["replyContent"]["content"],
        "非常抱歉,马上为您处理"
    );
    // The listing now counts it as replied.
    let listing = ok_against(&sandbox, &["wechat", "list", "--format", "json"]);
    let record = json_lines(&listing)
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(record["replied"], true);

    let out = ok_against(
        &sandbox,
        &["wechat", "reply", &id, "已补发,请查收", "--to", &reply_id],
    );
    let t = thread_against(&sandbox, &id);
    let follow_up = t["commentReplyList"][0]["commentReplyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        out,
        format!("followed up under reply {reply_id} of comment {id} (follow-up id {follow_up})\n")
    );
    let block = ok_against(&sandbox, &["wechat", "thread", &id, "--format", "table"]);
    assert!(
        block.contains(&format!("  follow-up {follow_up}  ")),
        "{block}"
    );
    assert!(block.contains("已补发,请查收"), "{block}");

    ok_against(
        &sandbox,
        &[
            "wechat",
            "delete-reply",
            &id,
            &reply_id,
            "--comment-reply",
            &follow_up,
        ],
    );
    let t = thread_against(&sandbox, &id);
    assert_eq!(t["commentReplyList"].as_array().unwrap().len(), 0, "{t}");
    assert!(t["reply"].is_object());

    ok_against(&sandbox, &["wechat", "delete-reply", &id, &reply_id]);
    assert!(thread_against(&sandbox, &id).get("reply").is_none());
}

#[test]
fn kf_reset_then_message_chain() {
    let sandbox = start_sandbox(Sandbox::builder());
    let bad = &list_against(&sandbox, "bad")[0];
    let (id, openid) = (id_of(bad), bad["user_id"].as_str().unwrap().to_owned());
    ok_against(&sandbox, &["wechat", "kf-reset", &id]);
    let out = ok_against(&sandbox, &["wechat", "message", &openid, "您好,退款已处理"]);
    assert_eq!(out, format!("sent a message to {openid}\n"));
}

#[test]
fn compromise_chain_marks_the_review_handled() {
    let sandbox = start_sandbox(Sandbox::builder());
    let dir = tempfile::tempdir().unwrap();
    let pic = dir.path().join("proof.png");
    std::fs::write(&pic, png()).unwrap();
    let id = id_of(&list_against(&sandbox, "pending-compromise")[0]);
    ok_against(
        &sandbox,
        &[
            "wechat",
            "compromise",
            &id,
            "--text",
            "已退款",
            "--pic",
            pic.to_str().unwrap(),
        ],
    );
    let block = ok_against(&sandbox, &["wechat", "show", &id, "--format", "table"]);
    let current = block.lines().find(|l| l.contains("(current)")).unwrap();
    assert!(current.contains("2 merchant handled"), "{block}");
    assert!(
        list_against(&sandbox, "pending-compromise")
            .iter()
            .all(|r| r["id"] != id.as_str())
    );
}

#[test]
fn a_closed_stdout_ends_the_listing_quietly() {
    let sandbox = start_sandbox(Sandbox::builder().comments(6000));
    let mut child = spawn(
        common::reviews_std()
            .args(credential_args(&sandbox))
            .args(["wechat", "list", "--since", "179d", "--format", "json"]),
    );
    let first = first_stdout_line(&mut child);
    assert!(first.starts_with("{\"platform\":\"wechat\""), "{first}");
    // The reader is dropped: the rest of the output meets a closed pipe.
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn a_write_whose_answer_was_lost_says_to_check_before_retrying() {
    let sandbox = start_sandbox(
        Sandbox::builder()
            .faults(1.0)
            .fault_kinds(&[review_sandbox::FaultKind::WriteAnswerLost]),
    );
    let id = id_of(&list_against(&sandbox, "awaiting-reply")[0]);
    let output = against(&sandbox, &["wechat", "reply", &id, "非常抱歉"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("may have executed"), "{err}");
    assert!(
        err.trim_end().ends_with(&format!(
            "check with 'reviews wechat thread {id}' before retrying"
        )),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn ctrl_c_during_a_listing_request_that_never_answers_exits_130_at_once() {
    // A server that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    let mut child = common::reviews_std()
        .env("REVIEWS_WECHAT_BASE_URL", &url)
        .env("REVIEWS_WECHAT_APPID", "wx1234567890abcdef")
        .env("REVIEWS_WECHAT_SECRET", "0123456789abcdef0123456789abcdef")
        .args(["wechat", "list", "--format", "json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "still waiting");
    let sent = std::time::Instant::now();
    common::signal(&child, "-INT");
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "took {:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    let stderr = common::child_stderr(&mut child);
    assert_eq!(stderr.trim_end(), "reviews: interrupted");
}

#[test]
fn writes_without_credentials_need_sandbox() {
    let id = "2778849575614752718";
    let writes: [&[&str]; 5] = [
        &["wechat", "reply", id, "感谢反馈"],
        &["wechat", "delete-reply", id, "1"],
        &["wechat", "kf-reset", id],
        &["wechat", "message", "oQ3Xv5KpFwgDwwKESMsLOLJKr4AL", "您好"],
        &["wechat", "compromise", id],
    ];
    for args in writes {
        let output = run(args);
        let line = one_line_failure(&output, 2, &format!("{args:?}"));
        assert!(
            line.contains("REVIEWS_WECHAT_APPID and REVIEWS_WECHAT_SECRET")
                && line.contains("--sandbox (REVIEWS_SANDBOX=1)"),
            "{args:?}: {line}"
        );
        assert!(
            !line.contains("embedded sandbox at"),
            "nothing started: {line}"
        );
    }
    // Told: the write goes to the embedded sandbox, and its notice says why.
    let output = reviews()
        .env("REVIEWS_SANDBOX", "1")
        .args(["wechat", "kf-reset", "2778849575573496776"])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(
        err.starts_with("reviews: --sandbox: using the embedded sandbox at "),
        "{err}"
    );
    // Reads keep today's behaviour.
    let output = run(&["wechat", "list", "--since", "7d", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).starts_with("reviews: no WeChat credentials: using the embedded sandbox")
    );
}

#[test]
fn sandbox_forces_the_sandbox_even_with_credentials() {
    // Credentials for a host that does not exist: with --sandbox nothing goes there.
    let output = reviews()
        .env("REVIEWS_WECHAT_BASE_URL", "http://127.0.0.1:9")
        .env("REVIEWS_WECHAT_APPID", "wx1234567890abcdef")
        .env("REVIEWS_WECHAT_SECRET", "0123456789abcdef0123456789abcdef")
        .args(["--sandbox", "wechat", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).is_empty());
}
