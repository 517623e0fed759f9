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
use std::time::{Duration, Instant};

use review_model::Timestamp;
use review_protocol::Endpoint;
use review_protocol::taobao::SearchTradeRates;
use review_protocol::wechat::GetCommentList;
use serde_json::{Value, json};

/// A realistic page: Chinese text, media, nested objects, ids beyond 2^53, drifted types.
fn page(comments: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..comments)
        .map(|i| {
            let media = if i % 3 == 0 {
                json!([{"video": format!("https://vod.example.com/{i}.mp4"), "videoCover": "https://vod.example.com/c.jpg", "videoDuration": 11}])
            } else {
                json!([{"img": format!("https://img.example.com/{i}.jpg"), "thumbImg": format!("https://img.example.com/{i}_t.jpg")}])
            };
            json!({
                "commentId": format!("27977556801731{i:05}"),
                "amount": if i % 2 == 0 { json!(100 + i) } else { json!((100 + i).to_string()) },
                "orderId": format!("payorder@_42000017612023020963{i:08}"),
                "payTime": "1675915718",
                "wxPayId": format!("42000017612023020963{i:08}"),
                "orderInfo": {"busiOrderId": format!("XG2026{i:06}")},
                "userInfo": {"openid": format!("oQ3Xv5Gh9Ij2Kl5Mn8Op1Qr{i:04}"), "headImg": "http://wx.qlogo.cn/mmhead/abcdefghijk/0", "nickName": "豆豆妈😊"},
                "bizInfo": {"appid": "wx1234567890", "headImg": "http://wx.qlogo.cn/mmhead/xyz/0", "nickName": "鲜果优选商城"},
                "score": (i % 5 + 1) * 100,
                "createTime": 1_676_351_504 + i,
                "content": {"media": media, "txt": "一般吧 我总感觉这个成分很伤皮肤,用了之后一直很干燥,不是很喜欢这款产品 😡"},
                "extInfo": {"isAlreadySendTmpl": i % 4 == 0},
                "productInfo": {"productList": [{"name": "海南金钻凤梨 2个装 约3斤", "picUrl": "https://mmbiz.qpic.cn/x/0?wx_fmt=png"}]}
            })
        })
        .collect();
    serde_json::to_vec(&json!({"errcode": 0, "success": true, "commentList": list, "total": comments, "offset": 0})).unwrap()
}

/// How many calls of `f` fill about 10 ms.
fn batch(f: &mut dyn FnMut()) -> u32 {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_millis(10) {
        f();
        calls += 1;
    }
    calls.max(1)
}

/// The median time of one call of each function, sampled in interleaved rounds so that load
/// from the rest of the machine falls on every candidate alike.
fn medians<const N: usize>(mut fs: [&mut dyn FnMut(); N]) -> [Duration; N] {
    let sizes: Vec<u32> = fs.iter_mut().map(|f| batch(*f)).collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); N];
    for _ in 0..21 {
        for (i, f) in fs.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..sizes[i] {
                f();
            }
            samples[i].push(t.elapsed() / sizes[i]);
        }
    }
    std::array::from_fn(|i| {
        samples[i].sort();
        samples[i][samples[i].len() / 2]
    })
}

/// A page of 100 trade rates as the gateway sends them: string ids, yuan prices, CST times.
fn rates(count: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..count)
        .map(|i| {
            json!({
                "content": "物流很快,包装完好,果子很甜 👍 下次还来",
                "created": format!("2026-10-{:02} {:02}:{:02}:09", i % 28 + 1, i % 24, i % 60),
                "item_price": format!("{}.{:02}", 10 + i, i % 100),
                "item_title": "海南金钻凤梨 2个装 约3斤 新鲜水果",
                "nick": format!("b**{i}"),
                "num_iid": 544_876_335_798u64 + i as u64,
                "oid": format!("17024739482215{i:05}"),
                "rated_nick": "鲜果优选旗舰店",
                "reply": if i % 3 == 0 { "感谢亲的支持" } else { "" },
                "result": (["good", "neutral", "bad"])[i % 3],
                "role": "buyer",
                "tid": format!("17024739482215{i:05}"),
                "valid_score": i % 2 == 0,
                "logistics_service_score": 5,
                "ouid": format!("AAF3x9kLm{i}")
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "code": 0, "message": "ok", "trace_id": "",
        "data": {"request_id": "5tidszrdyw", "has_next": true, "trade_rates": {"trade_rate": list}}
    }))
    .unwrap()
}

/// Times `typed` against the two baselines on `body` and prints one table.
fn compare(title: &str, body: &[u8], mut typed: impl FnMut(&[u8])) {
    let [typed, value, ignored] = medians([
        &mut || typed(black_box(body)),
        &mut || {
            black_box(serde_json::from_slice::<Value>(black_box(body)).unwrap());
        },
        &mut || {
            black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)).unwrap());
        },
    ]);
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
    let comments = page(100);
    let list = GetCommentList::new(Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH);
    compare("WeChat: a 100-comment list page", &comments, |body| {
        black_box(list.parse(http::Response::new(body)).unwrap());
    });

    let rates = rates(100);
    let search = SearchTradeRates::received("shop");
    compare("fw199: a 100-rate search page", &rates, |body| {
        black_box(search.parse(http::Response::new(body)).unwrap());
    });
}
