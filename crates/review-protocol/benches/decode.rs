//! Decoding a 100-comment list page: the protocol's typed parse against two baselines measured
//! in the same run, `serde_json::Value` (what SDKs without a model do) and
//! `serde::de::IgnoredAny` (the floor: JSON syntax only).
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

/// The median time of one call of `f`, over batches that each run for about 20 ms.
fn median(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_millis(20) {
        f();
        calls += 1;
    }
    let per_batch = calls.max(1);
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            t.elapsed() / per_batch
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let body = page(100);
    let endpoint = GetCommentList::new(Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH);

    let typed = median(|| {
        let response = http::Response::new(black_box(body.as_slice()));
        black_box(endpoint.parse(response).unwrap());
    });
    let value = median(|| {
        black_box(serde_json::from_slice::<Value>(black_box(&body)).unwrap());
    });
    let ignored = median(|| {
        black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&body)).unwrap());
    });

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("decode a 100-comment list page ({} bytes)", body.len());
    println!("{:<36} {:>12}", "", "median");
    println!("{:<36} {:>12.1?}", "typed (GetCommentList::parse)", typed);
    println!("{:<36} {:>12.1?}", "baseline serde_json::Value", value);
    println!("{:<36} {:>12.1?}", "floor serde::de::IgnoredAny", ignored);
    println!(
        "typed is {:.2}x faster than Value (target >= 1.5x)",
        ratio(value, typed)
    );
    println!(
        "typed costs {:.2}x the syntax-only floor",
        ratio(typed, ignored)
    );
}
