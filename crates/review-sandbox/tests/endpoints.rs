//! The routes come from the protocol's endpoint lists: every endpoint the sandbox claims to
//! emulate answers at its method and path (and only at its method), and the current ones are
//! all emulated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use review_protocol::{Metadata, Method, taobao, wechat};
use review_sandbox::{Sandbox, emulates};

/// Every endpoint of both lists.
fn endpoints() -> impl Iterator<Item = &'static Metadata> {
    wechat::ENDPOINTS.iter().chain(taobao::ENDPOINTS)
}

#[test]
fn the_current_fourteen_are_emulated() {
    let names = [
        "wechat.token",
        "wechat.stable_token",
        "wechat.comment_list",
        "wechat.comment_detail",
        "wechat.reply_thread",
        "wechat.reply_add",
        "wechat.reply_delete",
        "wechat.comment_reply_add",
        "wechat.comment_reply_delete",
        "wechat.kf_quota_reset",
        "wechat.confirm_compromise",
        "wechat.custom_send",
        "wechat.media_upload",
        "taobao.trade_rates",
    ];
    for name in names {
        assert!(endpoints().any(|e| e.name == name), "{name} is not listed");
        assert!(emulates(name), "{name} is not emulated");
    }
    assert!(!emulates("wechat.no_such_endpoint"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_emulated_endpoint_is_routed_with_its_method() {
    let sandbox = Sandbox::builder()
        .comments(5)
        .rates(5)
        .start("127.0.0.1:0")
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for endpoint in endpoints().filter(|e| emulates(e.name)) {
        let url = format!("{}{}", sandbox.base_url(), endpoint.path);
        let (method, other) = match endpoint.method {
            Method::Get => (reqwest::Method::GET, reqwest::Method::POST),
            Method::Post => (reqwest::Method::POST, reqwest::Method::GET),
        };
        let answer = client.request(method, &url).send().await.unwrap();
        assert_eq!(
            answer.status(),
            200,
            "{} at {}",
            endpoint.name,
            endpoint.path
        );
        let body = answer.text().await.unwrap();
        assert!(
            !body.contains("does not emulate"),
            "{}: {body}",
            endpoint.name
        );
        let wrong = client.request(other, &url).send().await.unwrap();
        assert_eq!(
            wrong.status(),
            405,
            "{} with the other method",
            endpoint.name
        );
    }
}
