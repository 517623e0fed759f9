//! CPU per exported record: the bytes of one page (100 WeChat comments, 100 Taobao rates) →
//! `Endpoint::parse` → the review walk's items → JSON lines or CSV bytes, the path of
//! `reviews export` without the network.
//!
//! The baseline, measured in the same run, is the path as it was before issue 16 (part 4),
//! kept in this file: each record built by cloning the decoded strings, JSON lines through
//! `serde_json`'s `Serialize` of `Review`, CSV through a `csv::Writer` per record over
//! `String` cells with times formatted by `jiff`'s `strftime`. Target: at least halve the CPU.
//!
//! `cargo bench -p review-protocol --bench record` (`RECORD_ROUNDS`: rounds of interleaved
//! timing, 31 by default). `RECORD_ONLY=wechat-jsonl-new` (platform
//! `wechat`|`taobao`, format `jsonl`|`csv`, path `old`|`new`) runs only that case,
//! `RECORD_PAGES` times (default 2000), for a profiler such as
//! `valgrind --tool=callgrind`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

use std::hint::black_box;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use review_model::Review;
use review_model::taobao::TradeRatePage;
use review_model::wechat::{CommentListPage, FilterType};
use review_protocol::taobao::{FromRate, SearchTradeRates, WindowPlanner};
use review_protocol::wechat::{FromComment, GetCommentList};
use review_protocol::{Endpoint, Walk, taobao, wechat};

mod old;
mod pages;
mod timing;

/// Records per page.
const PAGE: usize = 100;

fn now() -> Timestamp {
    Timestamp::from_second(1_793_000_000).unwrap()
}

/// One WeChat page through the export's walk: the window is counted, its awaiting-reply listing
/// is empty, and `body` is the listing's one page.
fn wechat_items<I: FromComment>(body: &[u8], old: bool) -> Vec<I> {
    let query = GetCommentList::new(now() - SignedDuration::from_hours(24), now())
        .filter(FilterType::All)
        .limit(100);
    let mut walk = wechat::ReviewWalk::<I>::of(query).unwrap();
    let counted = CommentListPage {
        total: Some(PAGE as u64),
        ..CommentListPage::default()
    };
    assert!(walk.feed(counted).is_empty());
    let awaiting = CommentListPage {
        total: Some(0),
        ..CommentListPage::default()
    };
    assert!(walk.feed(awaiting).is_empty());
    let request = walk.next_request().unwrap();
    let page = if old {
        old::parse_comment_list(body)
    } else {
        request.parse(http::Response::new(body)).unwrap()
    };
    walk.feed(page)
}

/// One Taobao page through the export's walk: the window is counted, then `body` is its page.
fn taobao_items<I: FromRate>(body: &[u8], old: bool) -> Vec<I> {
    let planner = WindowPlanner::new(
        SearchTradeRates::received("shop"),
        now() - SignedDuration::from_hours(24),
        now(),
        now(),
        100,
    )
    .unwrap();
    let mut walk = taobao::ReviewWalk::<I>::of(planner);
    let counted = TradeRatePage {
        total_results: Some(PAGE as u64),
        ..TradeRatePage::default()
    };
    assert!(walk.feed(counted).is_empty());
    let request = walk.next_request().unwrap();
    let page = if old {
        old::parse_trade_rates(body)
    } else {
        request.parse(http::Response::new(body)).unwrap()
    };
    walk.feed(page)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Platform {
    Wechat,
    Taobao,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Jsonl,
    Csv,
}

/// The old path: items built by cloning, encoded the old way.
fn old_path(platform: Platform, format: Format, body: &[u8], out: &mut Vec<u8>) {
    let reviews: Vec<old::OldReview> = match platform {
        Platform::Wechat => wechat_items(body, true),
        Platform::Taobao => taobao_items(body, true),
    };
    let mut writer = old::Writer::new(format == Format::Csv);
    for review in &reviews {
        writer.write(&review.0, out);
    }
}

/// The path `reviews export` runs now.
fn new_path(platform: Platform, format: Format, body: &[u8], out: &mut Vec<u8>) {
    let reviews: Vec<Review> = match platform {
        Platform::Wechat => wechat_items(body, false),
        Platform::Taobao => taobao_items(body, false),
    };
    for review in &reviews {
        match format {
            Format::Jsonl => review.write_json_line(out),
            Format::Csv => review.write_csv_row(out),
        }
    }
}

fn per_record(d: Duration) -> Duration {
    d / PAGE as u32
}

fn compare(platform: Platform, format: Format, body: &[u8]) {
    let mut old_out = Vec::with_capacity(256 * 1024);
    let mut new_out = Vec::with_capacity(256 * 1024);
    // Both paths write the same bytes (CSV without its header line).
    old_path(platform, format, body, &mut old_out);
    new_path(platform, format, body, &mut new_out);
    assert_eq!(
        String::from_utf8_lossy(&old_out),
        String::from_utf8_lossy(&new_out),
        "{platform:?} {format:?}: the paths disagree"
    );
    let bytes = new_out.len();
    let rounds = std::env::var("RECORD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(31);
    let [old, new] = timing::medians_of(
        rounds,
        [
            &mut || {
                old_out.clear();
                old_path(platform, format, black_box(body), &mut old_out);
                black_box(&old_out);
            },
            &mut || {
                new_out.clear();
                new_path(platform, format, black_box(body), &mut new_out);
                black_box(&new_out);
            },
        ],
    );
    let (what, name) = match platform {
        Platform::Wechat => ("comments", "WeChat"),
        Platform::Taobao => ("rates", "Taobao"),
    };
    let format_name = match format {
        Format::Jsonl => "JSON lines",
        Format::Csv => "CSV",
    };
    println!(
        "{name} {format_name}: a page of {PAGE} {what} to records ({} bytes in, {bytes} bytes out)",
        body.len()
    );
    println!(
        "  {:<44} {:>10.1?}/record",
        "old (clone, serde, csv::Writer)",
        per_record(old)
    );
    println!(
        "  {:<44} {:>10.1?}/record",
        "new (Review::write_*)",
        per_record(new)
    );
    println!(
        "  old / new CPU per record: {:.2}x (target >= 2.00x)",
        old.as_secs_f64() / new.as_secs_f64()
    );
}

fn parse_case(case: &str) -> (Platform, Format, bool) {
    let parts: Vec<&str> = case.split('-').collect();
    let platform = match parts.first().copied() {
        Some("wechat") => Platform::Wechat,
        Some("taobao") => Platform::Taobao,
        _ => panic!("RECORD_ONLY={case}: expected wechat|taobao-jsonl|csv-old|new"),
    };
    let format = match parts.get(1).copied() {
        Some("jsonl") => Format::Jsonl,
        Some("csv") => Format::Csv,
        _ => panic!("RECORD_ONLY={case}: expected wechat|taobao-jsonl|csv-old|new"),
    };
    (platform, format, parts.get(2).copied() == Some("new"))
}

fn main() {
    let comments = pages::comments(PAGE);
    let rates = pages::rates(PAGE);
    if let Ok(case) = std::env::var("RECORD_ONLY") {
        let (platform, format, new) = parse_case(&case);
        let body = match platform {
            Platform::Wechat => &comments,
            Platform::Taobao => &rates,
        };
        let pages: usize = std::env::var("RECORD_PAGES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let mut out = Vec::with_capacity(256 * 1024);
        for _ in 0..pages {
            out.clear();
            if new {
                new_path(platform, format, black_box(body), &mut out);
            } else {
                old_path(platform, format, black_box(body), &mut out);
            }
            black_box(&out);
        }
        println!("{case}: {pages} pages, {} bytes out each", out.len());
        return;
    }
    for (platform, body) in [(Platform::Wechat, &comments), (Platform::Taobao, &rates)] {
        for format in [Format::Jsonl, Format::Csv] {
            compare(platform, format, body);
        }
    }
}
