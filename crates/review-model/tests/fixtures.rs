//! Decodes every recorded exchange under `fixtures/` and snapshots what the model makes of it.
//!
//! A new fixture file is a new test: the operation is read from its directory
//! (`fixtures/<platform>/<operation>/<case>.json`) and looked up in `fixtures/manifest.json`.
//! An operation whose output is still raw JSON there (`json`, a freshly scaffolded endpoint)
//! gets no snapshot: its fixtures must decode as a status, a success unless named `error_*`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../fixtures/manifest.rs"]
mod manifest;

use std::fmt::Write as _;
use std::path::Path;

use manifest::{Manifest, Output};

use review_model::taobao::{self, TradeRatePage};
use review_model::wechat::{
    AccessTokenResponse, ApiStatus, CommentDetail, CommentListPage, CommentReplyAdd,
    CommentReplyDelete, ConfirmCompromise, CustomMessage, EncryptedPush, Envelope, KfQuotaReset,
    MediaUpload, PushEvent, ReplyAdd, ReplyDelete, ReplyThreadResponse, StableTokenRequest,
};
use review_model::{Review, from_value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One recorded exchange.
#[derive(serde::Deserialize)]
struct Fixture {
    description: String,
    request: Message,
    response: Message,
}

#[derive(serde::Deserialize)]
struct Message {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    body_text: Option<String>,
}

fn decoded<T: DeserializeOwned + Serialize + std::fmt::Debug>(
    out: &mut String,
    label: &str,
    body: &Value,
) -> T {
    let value: T =
        from_value(body.clone()).unwrap_or_else(|e| panic!("{label} does not decode: {e}"));
    let mut encoded = serde_json::to_value(&value).unwrap();
    redact(&mut encoded);
    let encoded = serde_json::to_string_pretty(&encoded).unwrap();
    writeln!(
        out,
        "{label}:\n{value:#?}\n\n{label} re-encoded:\n{encoded}\n"
    )
    .unwrap();
    value
}

/// Secrets never reach a snapshot, even the placeholders of a fixture.
fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if matches!(key.as_str(), "access_token" | "secret") {
                    *field = Value::String("***".to_owned());
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn reviews(out: &mut String, reviews: impl IntoIterator<Item = Review>) {
    writeln!(out, "unified records:").unwrap();
    for review in reviews {
        writeln!(out, "{}", serde_json::to_string(&review).unwrap()).unwrap();
    }
    out.push('\n');
}

fn wechat_response(out: &mut String, operation: &str, body: &Value) {
    let status: ApiStatus = from_value(body.clone()).expect("every WeChat answer has a status");
    if !status.errcode.is_ok() {
        writeln!(out, "error: {}\n{status:#?}\n", status.errcode).unwrap();
        return;
    }
    match operation {
        "comment_list" => {
            let page: Envelope<CommentListPage> = decoded(out, "response", body);
            reviews(
                out,
                page.body
                    .comments
                    .iter()
                    .map(|c| Review::from_wechat(c, false)),
            );
        }
        "comment_detail" => {
            let detail: Envelope<CommentDetail> = decoded(out, "response", body);
            let step = detail.body.process.as_ref().and_then(|p| p.current_step());
            writeln!(out, "current step: {step:?}\n").unwrap();
        }
        "reply_thread" => {
            decoded::<Envelope<ReplyThreadResponse>>(out, "response", body);
        }
        "token" | "stable_token" => {
            decoded::<Envelope<AccessTokenResponse>>(out, "response", body);
        }
        "media_upload" => {
            decoded::<Envelope<MediaUpload>>(out, "response", body);
        }
        _ => {
            decoded::<ApiStatus>(out, "response", body);
        }
    }
}

fn wechat_request(out: &mut String, operation: &str, request: &Message) {
    let Some(body) = &request.body else { return };
    match operation {
        "reply_add" => drop(decoded::<ReplyAdd>(out, "request", body)),
        "reply_delete" => drop(decoded::<ReplyDelete>(out, "request", body)),
        "comment_reply_add" => drop(decoded::<CommentReplyAdd>(out, "request", body)),
        "comment_reply_delete" => drop(decoded::<CommentReplyDelete>(out, "request", body)),
        "kf_quota_reset" => drop(decoded::<KfQuotaReset>(out, "request", body)),
        "confirm_compromise" => drop(decoded::<ConfirmCompromise>(out, "request", body)),
        "stable_token" => drop(decoded::<StableTokenRequest>(out, "request", body)),
        "custom_send" => drop(decoded::<CustomMessage>(out, "request", body)),
        _ => {}
    }
}

fn push(out: &mut String, request: &Message) {
    let (json, xml) = (request.body.as_ref(), request.body_text.as_deref());
    let encrypted = json.is_some_and(|b| b.get("Encrypt").is_some())
        || xml.is_some_and(|x| x.contains("<Encrypt>"));
    if encrypted {
        let push = match (json, xml) {
            (Some(body), _) => EncryptedPush::from_json(body.to_string().as_bytes()),
            (None, Some(xml)) => EncryptedPush::from_xml(xml),
            (None, None) => panic!("push fixture without a body"),
        }
        .unwrap_or_else(|e| panic!("encrypted push does not decode: {e}"));
        writeln!(out, "encrypted push:\n{push:#?}\n").unwrap();
        return;
    }
    let event = match (json, xml) {
        (Some(body), _) => PushEvent::from_json(body.to_string().as_bytes()),
        (None, Some(xml)) => PushEvent::from_xml(xml),
        (None, None) => panic!("push fixture without a body"),
    }
    .unwrap_or_else(|e| panic!("push does not decode: {e}"));
    writeln!(
        out,
        "event {}:\n{event:#?}\n\njson form:\n{}\n",
        event.name(),
        event.to_json()
    )
    .unwrap();
}

fn taobao_response(out: &mut String, operation: &str, body: &Value) {
    if body.get("error_response").is_some() {
        decoded::<taobao::TopErrorResponse>(out, "TOP error", body);
        return;
    }
    match operation {
        "trade_rates" => {
            let envelope: taobao::Envelope<TradeRatePage> = decoded(out, "response", body);
            if let Some(page) = &envelope.data {
                writeln!(out, "capped window: {}\n", page.is_capped()).unwrap();
                reviews(out, page.rates.iter().map(Review::from));
            }
        }
        _ => drop(decoded::<taobao::Envelope<Value>>(out, "response", body)),
    }
}

/// A raw-JSON operation's fixture: its status decodes, and says success unless the case is
/// named `error_*`.
fn provisional(platform: &str, case: &str, body: &Value, shown: &str) {
    let ok = match platform {
        "wechat" => from_value::<ApiStatus>(body.clone())
            .unwrap_or_else(|e| panic!("{shown}: no WeChat status: {e}"))
            .errcode
            .is_ok(),
        _ => {
            body.get("error_response").is_none()
                && from_value::<taobao::Envelope<Value>>(body.clone())
                    .unwrap_or_else(|e| panic!("{shown}: no gateway envelope: {e}"))
                    .code
                    == 0
        }
    };
    assert_eq!(ok, !case.starts_with("error_"), "{shown}");
}

#[test]
fn every_fixture_decodes() {
    let manifest =
        Manifest::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")).unwrap();
    insta::glob!("../../../fixtures", "*/*/*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let fixture: Fixture = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a fixture: {e}", path.display()));
        let mut parts = path.iter().rev().map(|p| p.to_string_lossy().into_owned());
        let case = parts.next().unwrap().trim_end_matches(".json").to_owned();
        let operation = parts.next().unwrap();
        let platform = parts.next().unwrap();
        let entry = manifest.get(&platform, &operation).unwrap_or_else(|| {
            panic!("fixtures/{platform}/{operation} is not in fixtures/manifest.json")
        });
        assert!(
            fixture.request.method.is_some() && fixture.request.path.is_some(),
            "{}: request needs method and path",
            path.display()
        );
        assert!(
            fixture.response.status.is_some(),
            "{}: response needs a status",
            path.display()
        );
        let body = fixture.response.body.as_ref();
        if entry.output == Output::Json {
            let body = body.unwrap_or_else(|| panic!("{}: no JSON answer", path.display()));
            provisional(&platform, &case, body, &path.display().to_string());
            return;
        }

        let mut out = String::new();
        writeln!(out, "{}\n", fixture.description).unwrap();
        match (platform.as_str(), entry.output) {
            ("wechat", Output::Push) => push(&mut out, &fixture.request),
            ("wechat", _) => {
                wechat_request(&mut out, &operation, &fixture.request);
                match (body, &fixture.response.body_text) {
                    (Some(body), _) => wechat_response(&mut out, &operation, body),
                    (None, Some(text)) => writeln!(out, "response text: {text}").unwrap(),
                    (None, None) => panic!("{}: no response body", path.display()),
                }
            }
            ("taobao", _) => {
                let body = body.expect("gateway answers are JSON");
                taobao_response(&mut out, &operation, body);
            }
            (other, _) => panic!("unknown platform directory {other} in {}", path.display()),
        }
        insta::assert_snapshot!(out);
    });
}
