//! Property tests of the one-pass page decoders over typed pages: what serde encodes, the fast
//! decoder reads back to what serde decodes (and takes every page without a media shape it
//! leaves to serde).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use review_model::taobao::{Envelope, TradeRatePage};
use review_model::wechat::{CommentListPage, Media};

mod strategies;

use strategies::{comment, trade_rate};

proptest! {
    #[test]
    fn comment_pages(comments in vec(comment(), 0..4), total in option::of(any::<u64>()), offset in any::<u64>()) {
        let page = CommentListPage { comments, total, offset };
        let mut value = serde_json::to_value(&page).unwrap();
        value["errcode"] = 0.into();
        value["errmsg"] = "ok".into();
        let body = serde_json::to_vec_pretty(&value).unwrap();
        let fast = CommentListPage::from_ok_answer(&body);
        let unknown_media = page.comments.iter().flat_map(|c| &c.content.media).any(|m| matches!(m, Media::Other(_)));
        if unknown_media {
            prop_assert_eq!(fast, None);
        } else {
            prop_assert_eq!(fast.as_ref(), Some(&page));
            prop_assert_eq!(fast, review_model::from_slice(&body).ok());
        }
    }

    #[test]
    fn trade_rate_pages(rates in vec(trade_rate(), 0..4), total in option::of(0u64..=1500), has_next in option::of(any::<bool>())) {
        let page = TradeRatePage { request_id: Some("r1".to_owned()), total_results: total, has_next, rates };
        let body = serde_json::to_vec(&Envelope::ok(page.clone())).unwrap();
        prop_assert_eq!(TradeRatePage::from_ok_answer(&body), Some(page));
    }
}

#[test]
fn errors_and_odd_shapes_are_left_to_serde() {
    for body in [
        &br#"{"errcode":40001,"errmsg":"invalid credential"}"#[..],
        br#"{"errcode":0,"commentList":[{"commentId":"1","score":500,"createTime":1,"score":400}]}"#,
        br#"{"errcode":0,"commentList":[{"commentId":"1","score":1.5e2,"createTime":1}]}"#,
        br#"{"errcode":0,"commentList":[]} trailing"#,
        b"\xff{}",
    ] {
        assert_eq!(CommentListPage::from_ok_answer(body), None, "{}", String::from_utf8_lossy(body));
    }
    for body in [
        &br#"{"code":1001,"message":"bad sign"}"#[..],
        br#"{"error_response":{"code":27,"msg":"Invalid session"}}"#,
        br#"{"code":0,"data":null}"#,
        br#"{"code":0,"data":{"trade_rates":{"trade_rate":[{"tid":1,"oid":2,"role":"buyer","result":"good","created":"2021-05-21 16:32:09","item_price":1.5}]}}}"#,
    ] {
        assert_eq!(TradeRatePage::from_ok_answer(body), None, "{}", String::from_utf8_lossy(body));
    }
}

/// The recorded list answers: every success is taken, and read as serde reads it; every refusal
/// is left to serde.
#[test]
fn recorded_answers() {
    for (dir, wechat) in [("wechat/comment_list", true), ("taobao/trade_rates", false)] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(dir);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let fixture: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let body = serde_json::to_vec(&fixture["response"]["body"]).unwrap();
            let error = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("error_");
            let shown = path.display();
            if wechat {
                let fast = CommentListPage::from_ok_answer(&body);
                assert_eq!(fast.is_none(), error, "{shown}");
                if let Some(page) = fast {
                    assert_eq!(Some(page), review_model::from_slice(&body).ok(), "{shown}");
                }
            } else {
                let fast = TradeRatePage::from_ok_answer(&body);
                assert_eq!(fast.is_none(), error, "{shown}");
                if let Some(page) = fast {
                    let envelope: Envelope<TradeRatePage> =
                        review_model::from_slice(&body).unwrap();
                    assert_eq!(Some(page), envelope.data, "{shown}");
                }
            }
        }
    }
}
