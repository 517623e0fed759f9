//! `reviews taobao search` end to end: the built binary against the embedded sandbox (no
//! credentials; each run starts a fresh sandbox with the default seed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use review_model::Review;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use common::{
    first_stdout_line, is_rfc3339_utc, json_lines, ok, read_csv, refused, reviews_std, run, spawn,
    stderr, stdout,
};

/// `taobao search --format json` with `extra` arguments (default window: 30 days).
fn search(extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["taobao", "search", "--format", "json"];
    args.extend_from_slice(extra);
    json_lines(&ok(&args))
}

#[test]
fn search_json_lines_are_unified_records() {
    let records = search(&["--since", "7d"]);
    assert!(records.len() > 20, "{}", records.len());
    let week_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 7 + 1);
    for r in &records {
        assert_eq!(r["platform"], "taobao");
        let id = r["id"].as_str().unwrap();
        let (oid, role) = id.split_once(':').unwrap();
        assert!(oid.parse::<u64>().is_ok(), "{id}");
        assert_eq!(role, "buyer");
        assert!(r["order_id"].as_str().unwrap().parse::<u64>().is_ok());
        let created = r["created_at"].as_str().unwrap();
        assert!(is_rfc3339_utc(created), "{r}");
        assert!(
            created.parse::<jiff::Timestamp>().unwrap() >= week_ago,
            "{r}"
        );
        assert!(r["stars"].is_null());
        assert!(["positive", "neutral", "negative"].contains(&r["sentiment"].as_str().unwrap()));
        assert!(r["text"].is_string());
        assert_eq!(r["replied"], r.get("reply").is_some());
    }
}

#[test]
fn search_csv_has_a_header_and_one_row_per_rate() {
    let text = ok(&["taobao", "search", "--format", "csv", "--since", "7d"]);
    let (header, rows) = read_csv(text.as_bytes());
    assert_eq!(header[..Review::KEYS.len()], Review::KEYS);
    assert!(rows.len() > 20);
    for row in &rows {
        assert_eq!(row.len(), header.len());
        assert_eq!(&row[0], "taobao");
        assert!(is_rfc3339_utc(&row[3]), "{row:?}");
        assert_eq!(&row[4], "", "no stars on Taobao");
    }
    let json = search(&["--since", "7d"]);
    assert!(
        rows.len().abs_diff(json.len()) <= 2,
        "{} vs {}",
        rows.len(),
        json.len()
    );
}

#[test]
fn search_table_is_aligned_and_fits_the_terminal() {
    let text = ok(&["taobao", "search", "--format", "table", "--since", "7d"]);
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0];
    assert!(header.starts_with("time (UTC+08)"), "{header}");
    for name in ["result", "nick", "item", "price", "text", "reply"] {
        assert!(header.contains(name), "{name}: {header}");
    }
    let result_col = header[..header.find("result").unwrap()].width();
    let price_col = header[..header.find("price").unwrap()].width();
    for line in &lines {
        assert!(line.width() <= 100, "{} wide: {line}", line.width());
    }
    assert!(lines.len() > 20);
    for line in &lines[1..] {
        // The columns after Chinese item titles still start where their headers do.
        let at = |col: usize| {
            line.char_indices()
                .map(|(i, _)| i)
                .find(|i| line[..*i].width() == col)
                .map(|i| &line[i..])
                .unwrap_or_else(|| panic!("nothing starts at column {col}: {line}"))
        };
        assert!(
            ["good", "neutral", "bad"]
                .iter()
                .any(|r| at(result_col).starts_with(r)),
            "{line}"
        );
        let price = at(price_col).split(' ').next().unwrap();
        let (yuan, fen) = price.split_once('.').unwrap_or_else(|| panic!("{line}"));
        assert!(yuan.parse::<u64>().is_ok() && fen.len() == 2, "{line}");
    }
    assert!(lines.iter().any(|l| l.ends_with('…')), "no text was cut");
    assert!(lines.iter().any(|l| !l.is_ascii()), "Chinese text is shown");
}

#[test]
fn search_every_filter() {
    let all = search(&["--since", "7d"]);
    for (result, sentiment) in [
        ("good", "positive"),
        ("neutral", "neutral"),
        ("bad", "negative"),
    ] {
        let records = search(&["--since", "7d", "--result", result]);
        assert!(!records.is_empty(), "{result}");
        assert!(
            records.iter().all(|r| r["sentiment"] == sentiment),
            "{result}"
        );
        assert!(records.len() < all.len());
    }
    let received = search(&["--since", "7d", "--rate-type", "get", "--role", "buyer"]);
    assert!(received.len().abs_diff(all.len()) <= 2);
    let given = search(&["--since", "7d", "--rate-type", "give", "--role", "seller"]);
    assert!(!given.is_empty());
    for r in &given {
        assert!(r["id"].as_str().unwrap().ends_with(":seller"), "{r}");
    }
    let good_given = search(&[
        "--since",
        "7d",
        "--rate-type",
        "give",
        "--role",
        "seller",
        "--result",
        "good",
    ]);
    assert!(good_given.iter().all(|r| r["sentiment"] == "positive"));
}

#[test]
fn a_range_past_180_days_is_clamped_with_one_warning() {
    let output = run(&[
        "taobao", "search", "--format", "json", "--since", "400d", "--result", "bad",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}"); // the sandbox notice, then the warning
    assert!(
        lines[1].starts_with("reviews: Taobao keeps only the last 180 days: read from "),
        "{err}"
    );
    assert!(!stdout(&output).is_empty());
    // Within the 180 days: no warning.
    let output = run(&["taobao", "search", "--format", "json", "--since", "7d"]);
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    refused(
        &["taobao", "search", "--result", "meh"],
        "--result: unknown result \"meh\": expected one of good, neutral, bad",
    );
    refused(
        &["taobao", "search", "--rate-type", "take"],
        "--rate-type: unknown rate_type \"take\": expected one of get, give",
    );
    refused(
        &["taobao", "search", "--role", "admin"],
        "--role: unknown role \"admin\": expected one of buyer, seller",
    );
    refused(
        &["taobao", "search", "--since", "last week"],
        "--since \"last week\" is not a time",
    );
    refused(
        &["taobao", "search", "--until", "7w"],
        "--until \"7w\" is not a time",
    );
    refused(
        &[
            "taobao",
            "search",
            "--since",
            "2026-11-02",
            "--until",
            "2026-11-01",
        ],
        "is after --until",
    );
    refused(
        &["taobao", "search", "--format", "yaml"],
        "invalid value 'yaml'",
    );
    refused(
        &["taobao", "search", "--tz", "Mars/Olympus"],
        "--tz \"Mars/Olympus\" is not a time zone",
    );
}

#[test]
fn a_closed_stdout_ends_the_search_quietly() {
    let mut child =
        spawn(reviews_std().args(["taobao", "search", "--since", "179d", "--format", "csv"]));
    let first = first_stdout_line(&mut child);
    assert!(first.starts_with("platform,id,"), "{first}");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Only the sandbox's notice: no error about the pipe.
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}
