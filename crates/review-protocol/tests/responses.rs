//! Every recorded WeChat exchange in `fixtures/`, parsed by the endpoint that owns it.
//!
//! Each fixture's answer goes through the real `Endpoint::parse` (status line, `errcode`,
//! payload), and the request the endpoint builds must hit the fixture's method and path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Debug;

use review_model::wechat::CustomMessage;
use review_model::{AccessToken, AppId, CommentId, OpenId, Secret, Timestamp};
use review_protocol::wechat::*;
use review_protocol::{BaseUrl, Endpoint, Error};
use serde_json::Value;

#[derive(serde::Deserialize)]
struct Fixture {
    request: Exchange,
    response: Exchange,
}

#[derive(serde::Deserialize)]
struct Exchange {
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    body: Option<Value>,
    body_text: Option<String>,
}

fn ctx() -> WechatContext {
    WechatContext::new(BaseUrl::wechat(), AccessToken::new("TOKEN"))
}

/// Parses the fixture's answer with `endpoint` and checks the request lines up with it.
fn run<E>(endpoint: &E, context: &E::Context, fixture: &Fixture) -> String
where
    E: Endpoint,
    E::Output: Debug,
{
    let request = endpoint.request(context).unwrap();
    assert_eq!(
        Some(request.method().as_str()),
        fixture.request.method.as_deref()
    );
    assert_eq!(Some(request.uri().path()), fixture.request.path.as_deref());

    let body = match (&fixture.response.body, &fixture.response.body_text) {
        (Some(json), _) => serde_json::to_vec(json).unwrap(),
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    let response = http::Response::builder()
        .status(fixture.response.status.unwrap_or(200))
        .body(body.as_slice())
        .unwrap();
    match endpoint.parse(response) {
        Ok(output) => format!("{} ok:\n{output:#?}", endpoint.name()),
        Err(err) => describe(endpoint.name(), &err),
    }
}

fn describe(name: &str, err: &Error) -> String {
    format!(
        "{name} error: {err}\nretryable: {}\ntoken error: {}\ncode: {:?}",
        err.is_retryable(),
        err.is_token_error(),
        err.wechat_code(),
    )
}

fn parse_fixture(operation: &str, fixture: &Fixture) -> String {
    let c = ctx();
    let comment = CommentId::new("2797755680173111111");
    let base = BaseUrl::wechat();
    let t = Timestamp::from_second(1_700_000_000).unwrap();
    match operation {
        "mpcommentlist_get" => run(&GetCommentList::new(t, t), &c, fixture),
        "replyandcommentreplylist_get" => run(&GetReplyThread::new(comment), &c, fixture),
        "commentinfo_get" => run(&GetCommentDetail::new(comment), &c, fixture),
        "reply_add" => run(&AddReply::new(comment, "谢谢"), &c, fixture),
        "reply_delete" => run(&DeleteReply::new(comment, "1".into()), &c, fixture),
        "commentreply_add" => run(&AddCommentReply::new(comment, "1".into(), "x"), &c, fixture),
        "commentreply_delete" => run(
            &DeleteCommentReply::new(comment, "1".into(), "2".into()),
            &c,
            fixture,
        ),
        "apikfquota_reset" => run(&ResetKfQuota::new(comment), &c, fixture),
        "confirmcompromise" => run(&ConfirmCompromise::new(comment), &c, fixture),
        "token" => run(
            &GetToken::new(AppId::new("wx1"), Secret::new("s")),
            &base,
            fixture,
        ),
        "stable_token" => run(
            &GetStableToken::new(AppId::new("wx1"), Secret::new("s"), false),
            &base,
            fixture,
        ),
        "custom_send" => run(
            &SendCustomMessage::new(CustomMessage::text(OpenId::new("o"), "hi")),
            &c,
            fixture,
        ),
        "media_upload" => run(
            &UploadMedia::image("a.png", b"\x89PNG\r\n\x1a\n".to_vec()),
            &c,
            fixture,
        ),
        other => panic!("no endpoint for fixtures/wechat/{other}"),
    }
}

#[test]
fn every_wechat_answer_parses_as_recorded() {
    insta::glob!("../../../fixtures/wechat", "*/*.json", |path| {
        let operation = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if operation == "push" {
            return; // not an answer of ours: covered by the push module
        }
        let fixture: Fixture =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let shown = parse_fixture(&operation, &fixture);
        assert!(
            !shown.contains("ACCESS_TOKEN_VALUE"),
            "a token leaked: {shown}"
        );
        insta::assert_snapshot!(shown);
    });
}

fn answer(status: u16, body: &str) -> Result<(), Error> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes())
        .unwrap();
    ResetKfQuota::new(CommentId::new("1")).parse(response)
}

#[test]
fn gateway_failures_are_http_errors_with_an_excerpt() {
    let err = answer(502, "<html><body>502 Bad Gateway</body></html>").unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTP 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>"
    );
    assert!(err.is_retryable());
    let err = answer(404, "").unwrap_err();
    assert_eq!(err.to_string(), "HTTP 404 Not Found");
    assert!(!err.is_retryable());
}

#[test]
fn undecodable_answers_keep_the_body_and_the_path() {
    let err = GetCommentList::new(Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH)
        .parse(http::Response::new(
            br#"{"errcode":0,"commentList":[{"commentId":"1","score":900,"createTime":"1"}]}"#,
        ))
        .unwrap_err();
    let Error::Decode(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.path(), "commentList[0].score");
    assert!(failure.raw_body().starts_with(b"{\"errcode\""));
    assert!(
        err.to_string().contains("score 900 is out of range"),
        "{err}"
    );

    let err = answer(200, "not json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("could not decode the answer: expected ident"),
        "{err}"
    );
}

#[test]
fn tokens_in_undecodable_answers_are_masked() {
    let body = br#"{"access_token":"LEAKED-TOKEN","expires_in":"soon"}"#;
    let err = GetToken::new(AppId::new("wx1"), Secret::new("s"))
        .parse(http::Response::new(body))
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("LEAKED-TOKEN"), "{shown}");
    assert!(shown.contains(r#""access_token":"***""#), "{shown}");
}

#[test]
fn unknown_codes_are_kept() {
    let err = answer(200, r#"{"errcode":61024,"errmsg":"something new"}"#).unwrap_err();
    assert_eq!(err.to_string(), "WeChat error 61024: something new");
    assert!(!err.is_retryable() && !err.is_token_error());
}

#[test]
fn the_status_is_read_wherever_it_stands_in_the_object() {
    let list = GetCommentList::new(Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH);
    for body in [
        r#"{"commentList":[],"total":0,"errcode":40001,"errmsg":"invalid credential"}"#,
        r#"{"errcode":"40001","commentList":[]}"#,
        r#"{"commentList":[{"commentId":"1"}],"errcode":40001}"#,
    ] {
        let err = list
            .parse(http::Response::new(body.as_bytes()))
            .unwrap_err();
        assert!(err.is_token_error(), "{body}: {err}");
    }
    let page = list
        .parse(http::Response::new(
            &br#"{"commentList":[],"errmsg":"ok","total":0,"errcode":0}"#[..],
        ))
        .unwrap();
    assert_eq!(page.total, Some(0));
}
