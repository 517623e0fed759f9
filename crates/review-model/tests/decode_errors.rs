//! Every strict decode failure names the field and says what was wrong.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use review_model::taobao::{Envelope, TradeRatePage};
use review_model::wechat::{CommentDetail, CommentListPage, PushEvent, ReplyThreadResponse};
use review_model::{DecodeError, from_slice};

fn list_err(comment: &str) -> DecodeError {
    let body = format!(r#"{{"errcode":0,"commentList":[{comment}],"total":1,"offset":0}}"#);
    from_slice::<CommentListPage>(body.as_bytes()).unwrap_err()
}

fn rate_err(rate: &str) -> DecodeError {
    let body = format!(
        r#"{{"code":0,"message":"ok","data":{{"total_results":1,"trade_rates":{{"trade_rate":[{rate}]}}}},"trace_id":""}}"#
    );
    from_slice::<Envelope<TradeRatePage>>(body.as_bytes()).unwrap_err()
}

const RATE: &str =
    r#""tid":"1","oid":"2","role":"buyer","result":"good","created":"2021-05-21 16:32:09""#;

#[test]
fn score_above_five_stars() {
    let err = list_err(r#"{"commentId":"1","score":900,"createTime":"1676351504"}"#);
    assert_eq!(err.path(), "commentList[0].score");
    assert!(
        err.to_string()
            .contains("score 900 is out of range: expected 100 to 500"),
        "{err}"
    );
}

#[test]
fn score_of_zero() {
    let err = list_err(r#"{"commentId":"1","score":"0","createTime":"1676351504"}"#);
    assert_eq!(err.path(), "commentList[0].score");
    assert!(err.to_string().contains("score 0 is out of range"), "{err}");
}

#[test]
fn score_between_stars() {
    let err = list_err(r#"{"commentId":"1","score":250,"createTime":"1676351504"}"#);
    assert_eq!(err.path(), "commentList[0].score");
    assert!(
        err.to_string()
            .contains("score 250 is not a whole number of stars"),
        "{err}"
    );
}

#[test]
fn amount_not_a_number() {
    let err = list_err(r#"{"commentId":"1","score":200,"createTime":"1","amount":"12.5元"}"#);
    assert_eq!(err.path(), "commentList[0].amount");
    assert!(err.to_string().contains("\"12.5元\""), "{err}");
    assert!(err.to_string().contains("an integer"), "{err}");
}

#[test]
fn negative_amount() {
    let err = list_err(r#"{"commentId":"1","score":200,"createTime":"1","amount":-5}"#);
    assert_eq!(err.path(), "commentList[0].amount");
    assert!(err.to_string().contains("-5"), "{err}");
}

#[test]
fn create_time_not_seconds() {
    let err = list_err(r#"{"commentId":"1","score":200,"createTime":"yesterday"}"#);
    assert_eq!(err.path(), "commentList[0].createTime");
    assert!(err.to_string().contains("\"yesterday\""), "{err}");
}

#[test]
fn missing_comment_id() {
    let err = list_err(r#"{"score":200,"createTime":"1"}"#);
    assert_eq!(err.path(), "commentList[0]");
    assert!(
        err.to_string().contains("missing field `commentId`"),
        "{err}"
    );
}

#[test]
fn empty_comment_id() {
    let err = list_err(r#"{"commentId":"","score":200,"createTime":"1"}"#);
    assert_eq!(err.path(), "commentList[0].commentId");
    assert!(
        err.to_string()
            .contains("a comment id as a non-empty string"),
        "{err}"
    );
}

#[test]
fn video_duration_not_a_number() {
    let err = list_err(
        r#"{"commentId":"1","score":200,"createTime":"1","content":{"media":[{"video":"v","videoDuration":"long"}]}}"#,
    );
    assert!(
        err.path().starts_with("commentList[0].content"),
        "{}",
        err.path()
    );
    assert!(err.to_string().contains("\"long\""), "{err}");
}

#[test]
fn total_not_a_number() {
    let err = from_slice::<CommentListPage>(br#"{"commentList":[],"total":"many"}"#).unwrap_err();
    assert_eq!(err.path(), "total");
}

#[test]
fn not_json_at_all() {
    let err = from_slice::<CommentListPage>(b"<html>502 Bad Gateway</html>").unwrap_err();
    assert!(err.is_syntax());
    assert!(err.to_string().contains("line 1 column 1"), "{err}");
}

#[test]
fn thread_list_as_string() {
    let err = from_slice::<ReplyThreadResponse>(br#"{"errcode":0,"list":"none"}"#).unwrap_err();
    assert_eq!(err.path(), "list");
    assert!(err.to_string().contains("invalid type: string"), "{err}");
}

#[test]
fn thread_list_as_empty_array_is_an_empty_thread() {
    // PHP-style encoders write an empty object as `[]`.
    let thread = from_slice::<ReplyThreadResponse>(br#"{"errcode":0,"list":[]}"#).unwrap();
    assert!(thread.list.reply.is_none());
    assert!(thread.list.follow_ups.is_empty());
}

#[test]
fn old_comment_score_out_of_range() {
    let err = from_slice::<CommentDetail>(
        br#"{"info":{"content":{"commentId":"1","score":100,"createTime":"1"}},"oldComment":{"score":700}}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), "oldComment.score");
    assert!(
        err.to_string().contains("score 700 is out of range"),
        "{err}"
    );
}

#[test]
fn price_with_three_places() {
    let err = rate_err(&format!(r#"{{{RATE},"item_price":"1.234"}}"#));
    assert_eq!(err.path(), "data.trade_rates.trade_rate[0].item_price");
    assert!(
        err.to_string().contains("more than two decimal places"),
        "{err}"
    );
}

#[test]
fn price_not_a_number() {
    let err = rate_err(&format!(r#"{{{RATE},"item_price":"12元"}}"#));
    assert_eq!(err.path(), "data.trade_rates.trade_rate[0].item_price");
    assert!(
        err.to_string().contains("expected an amount of yuan"),
        "{err}"
    );
}

#[test]
fn created_in_another_format() {
    let rate = RATE.replace("2021-05-21 16:32:09", "2021/05/21 16:32");
    let err = rate_err(&format!("{{{rate}}}"));
    assert_eq!(err.path(), "data.trade_rates.trade_rate[0].created");
    assert!(err.to_string().contains("China Standard Time"), "{err}");
}

#[test]
fn unknown_result() {
    let rate = RATE.replace(r#""result":"good""#, r#""result":"great""#);
    let err = rate_err(&format!("{{{rate}}}"));
    assert_eq!(err.path(), "data.trade_rates.trade_rate[0].result");
    assert!(err.to_string().contains("unknown variant `great`"), "{err}");
}

#[test]
fn tid_not_a_number() {
    let rate = RATE.replace(r#""tid":"1""#, r#""tid":"T-1""#);
    let err = rate_err(&format!("{{{rate}}}"));
    assert_eq!(err.path(), "data.trade_rates.trade_rate[0].tid");
}

#[test]
fn filter_type_out_of_range() {
    let err = from_slice::<review_model::wechat::FilterType>(b"7").unwrap_err();
    assert!(
        err.to_string().contains("a filterType from 1 to 6"),
        "{err}"
    );
}

#[test]
fn push_without_comment_id() {
    let err = PushEvent::from_json(
        br#"{"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"wxa_comment_bad_score","result":{}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("result"), "{err}");
    assert!(
        err.to_string().contains("missing field `comment_id`"),
        "{err}"
    );
}

#[test]
fn push_xml_with_dtd() {
    let err = PushEvent::from_xml(
        r#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Event>&xxe;</Event></xml>"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "push XML: XML with a document type declaration (DTD) is refused"
    );
}

#[test]
fn push_xml_with_undeclared_entity() {
    let err = PushEvent::from_xml("<xml><Event>&lol;</Event></xml>").unwrap_err();
    assert!(
        err.to_string().contains("entity &lol; is not allowed"),
        "{err}"
    );
}

#[test]
fn push_xml_predefined_entities_resolve() {
    let event = PushEvent::from_xml("<xml><MsgType>a&amp;b&#x4e2d;</MsgType></xml>").unwrap();
    match event {
        PushEvent::Other(other) => assert_eq!(other.msg_type.as_deref(), Some("a&b中")),
        other => panic!("expected Other, got {other:?}"),
    }
}

#[test]
fn push_xml_too_deep() {
    let deep = format!("<xml>{}{}</xml>", "<a>".repeat(40), "</a>".repeat(40));
    let err = PushEvent::from_xml(&deep).unwrap_err();
    assert!(err.to_string().contains("deeper than 32"), "{err}");
}

#[test]
fn push_xml_unclosed() {
    let err = PushEvent::from_xml("<xml><Event>x</Event>").unwrap_err();
    assert!(err.to_string().contains("malformed XML"), "{err}");
}

#[test]
fn push_json_not_object() {
    let err = PushEvent::from_json(b"[1,2]").unwrap_err();
    assert_eq!(err.to_string(), "push message: expected a JSON object");
}

#[test]
fn a_push_that_names_no_event_or_message_type_is_refused() {
    for xml in [
        "<xml></xml>",
        "<xml><Event></Event></xml>",
        "<xml><ToUserName>gh</ToUserName></xml>",
    ] {
        let err = PushEvent::from_xml(xml).unwrap_err();
        assert_eq!(
            err.to_string(),
            "push message: neither `Event` nor `MsgType` says what it is",
            "{xml}"
        );
    }
    let err = PushEvent::from_json(br#"{"MsgType":" "}"#).unwrap_err();
    assert!(
        err.to_string().contains("neither `Event` nor `MsgType`"),
        "{err}"
    );
    // A message that is not an event is named by its MsgType.
    let text = PushEvent::from_json(br#"{"MsgType":"text","Content":"hi"}"#).unwrap();
    assert_eq!(text.name(), "text");
}
