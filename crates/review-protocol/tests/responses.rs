//! Every recorded WeChat exchange in `fixtures/`, parsed by the endpoint that owns it.
//!
//! Each fixture's answer goes through the real `Endpoint::parse` (status line, `errcode`,
//! payload), and the request the endpoint builds must hit the fixture's method and path. The
//! endpoint is found by operation in the table below, for the operations `fixtures/manifest.json`
//! marks `typed`; an endpoint whose output is still raw JSON (`json`, as scaffolded) is checked
//! through its `Metadata` instead, on both platforms.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../fixtures/manifest.rs"]
mod manifest;

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use manifest::{Manifest, Operation, Output};

use review_model::wechat::CustomMessage;
use review_model::{AccessToken, AppId, CommentId, OpenId, Secret, Timestamp};
use review_protocol::wechat::*;
use review_protocol::{BaseUrl, Endpoint, Error, Metadata};
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

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn manifest() -> Manifest {
    Manifest::load(&fixtures_dir()).unwrap()
}

/// Parses the fixture's answer with `endpoint` and checks the request lines up with it, and the
/// endpoint with the manifest's entry.
fn run<E>(entry: &Operation, endpoint: &E, context: &E::Context, fixture: &Fixture) -> String
where
    E: Endpoint,
    E::Output: Debug,
{
    assert_eq!(E::METADATA.name, entry.name());
    let type_name = std::any::type_name::<E>();
    let declared = entry.endpoint.as_deref().unwrap();
    assert!(
        type_name.ends_with(&format!("::{declared}")),
        "fixtures/manifest.json says {} is decoded by {declared}, the table by {type_name}",
        entry.folder()
    );
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

/// The typed endpoints, by operation: one line per operation the manifest marks `typed`.
fn parse_fixture(entry: &Operation, fixture: &Fixture) -> String {
    let c = ctx();
    let comment = CommentId::new("2797755680173111111");
    let base = BaseUrl::wechat();
    let t = Timestamp::from_second(1_700_000_000).unwrap();
    let e = entry;
    match entry.operation.as_str() {
        "comment_list" => run(e, &GetCommentList::new(t, t), &c, fixture),
        "reply_thread" => run(e, &GetReplyThread::new(comment), &c, fixture),
        "comment_detail" => run(e, &GetCommentDetail::new(comment), &c, fixture),
        "reply_add" => run(e, &AddReply::new(comment, "谢谢"), &c, fixture),
        "reply_delete" => run(e, &DeleteReply::new(comment, "1".into()), &c, fixture),
        "comment_reply_add" => run(
            e,
            &AddCommentReply::new(comment, "1".into(), "x"),
            &c,
            fixture,
        ),
        "comment_reply_delete" => run(
            e,
            &DeleteCommentReply::new(comment, "1".into(), "2".into()),
            &c,
            fixture,
        ),
        "kf_quota_reset" => run(e, &ResetKfQuota::new(comment), &c, fixture),
        "confirm_compromise" => run(e, &ConfirmCompromise::new(comment), &c, fixture),
        "token" => run(
            e,
            &GetToken::new(AppId::new("wx1"), Secret::new("s")),
            &base,
            fixture,
        ),
        "stable_token" => run(
            e,
            &GetStableToken::new(AppId::new("wx1"), Secret::new("s"), false),
            &base,
            fixture,
        ),
        "custom_send" => run(
            e,
            &SendCustomMessage::new(CustomMessage::text(OpenId::new("o"), "hi")),
            &c,
            fixture,
        ),
        "media_upload" => run(
            e,
            &UploadMedia::image("a.png", b"\x89PNG\r\n\x1a\n".to_vec()),
            &c,
            fixture,
        ),
        other => panic!(
            "fixtures/manifest.json marks wechat/{other} `typed`, but this table has no line for it"
        ),
    }
}

#[test]
fn every_wechat_answer_parses_as_recorded() {
    let manifest = manifest();
    insta::glob!("../../../fixtures/wechat", "*/*.json", |path| {
        let operation = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let entry = manifest.get("wechat", &operation).unwrap_or_else(|| {
            panic!("fixtures/wechat/{operation} is not in fixtures/manifest.json")
        });
        if entry.output != Output::Typed {
            return; // a push (the push module's), or raw JSON (see the test below)
        }
        let fixture: Fixture =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let shown = parse_fixture(entry, &fixture);
        assert!(
            !shown.contains("ACCESS_TOKEN_VALUE"),
            "a token leaked: {shown}"
        );
        insta::assert_snapshot!(shown);
    });
}

/// The metadata of `entry`'s endpoint, from its platform's `ENDPOINTS`.
fn metadata(entry: &Operation) -> Metadata {
    let endpoints = match entry.platform.as_str() {
        "wechat" => ENDPOINTS,
        "taobao" => review_protocol::taobao::ENDPOINTS,
        other => panic!("unknown platform {other} in fixtures/manifest.json"),
    };
    *endpoints
        .iter()
        .find(|m| m.name == entry.name())
        .unwrap_or_else(|| panic!("{} is not in its platform's ENDPOINTS", entry.name()))
}

/// Whether an answer body reports success: WeChat's `errcode` or the gateway's `code` is 0 or
/// absent, and there is no TOP `error_response`.
fn succeeded(body: &Value) -> bool {
    let code = |key: &str| match body.get(key) {
        None => Some(0),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    body.get("error_response").is_none() && code("errcode") == Some(0) && code("code") == Some(0)
}

/// Endpoints still answering raw JSON: their fixtures hit the method and path of their
/// `Metadata`, and a case named `error_*` is a refusal while every other case is a success. No
/// snapshot until the output is typed and the operation has its line in the table above.
#[test]
fn raw_json_answers_match_their_metadata() {
    let manifest = manifest();
    for entry in manifest
        .operations
        .iter()
        .filter(|o| o.output == Output::Json)
    {
        let metadata = metadata(entry);
        let dir = fixtures_dir().join(entry.folder());
        let mut cases = 0;
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let shown = path.display();
            let fixture: Fixture =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(
                fixture.request.method.as_deref(),
                Some(metadata.method.as_http().as_str()),
                "{shown}"
            );
            assert_eq!(
                fixture.request.path.as_deref(),
                Some(metadata.path),
                "{shown}"
            );
            let body = fixture.response.body.as_ref().unwrap();
            let error = path
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .starts_with("error_");
            assert_eq!(succeeded(body), !error, "{shown}: {body}");
            cases += 1;
        }
        assert!(cases > 0, "{} has no fixtures", dir.display());
    }
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
