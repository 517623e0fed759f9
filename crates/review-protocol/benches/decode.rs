//! Decoding a 100-comment WeChat list page and a 100-rate fw199 search page: the protocol's typed
//! parse against two baselines measured in the same run, `serde_json::Value` (what SDKs without
//! a model do) and `serde::de::IgnoredAny` (the floor: JSON syntax only).
//!
//! Run with `cargo bench -p review-protocol`. Prints medians and ratios; the target is a typed
//! decode at least 1.5x faster than `Value`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::float_arithmetic
)]

use std::hint::black_box;
use std::time::Duration;

use review_model::Timestamp;
use review_protocol::Endpoint;
use review_protocol::taobao::SearchTradeRates;
use review_protocol::wechat::GetCommentList;
use serde_json::Value;

mod pages;
mod timing;

use timing::medians_of;

/// Times `typed` against the two baselines on `body` and prints one table.
fn compare(title: &str, body: &[u8], mut typed: impl FnMut(&[u8])) {
    let [typed, value, ignored] = medians_of(
        21,
        [
            &mut || typed(black_box(body)),
            &mut || {
                black_box(serde_json::from_slice::<Value>(black_box(body)).unwrap());
            },
            &mut || {
                black_box(
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)).unwrap(),
                );
            },
        ],
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("{title} ({} bytes)", body.len());
    println!("  {:<34} {:>12.1?}", "typed (Endpoint::parse)", typed);
    println!("  {:<34} {:>12.1?}", "baseline serde_json::Value", value);
    println!("  {:<34} {:>12.1?}", "floor serde::de::IgnoredAny", ignored);
    println!(
        "  typed is {:.2}x faster than Value (target >= 1.5x); {:.2}x the syntax-only floor",
        ratio(value, typed),
        ratio(typed, ignored)
    );
}

fn main() {
    let comments = pages::comments(100);
    let list = GetCommentList::new(Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH);
    compare("WeChat: a 100-comment list page", &comments, |body| {
        black_box(list.parse(http::Response::new(body)).unwrap());
    });

    let rates = pages::rates(100);
    let search = SearchTradeRates::received("shop");
    compare("fw199: a 100-rate search page", &rates, |body| {
        black_box(search.parse(http::Response::new(body)).unwrap());
    });
}
