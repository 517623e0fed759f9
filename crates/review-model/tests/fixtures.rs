//! Decodes every recorded exchange under `fixtures/` and snapshots what the model makes of it.
//!
//! A new fixture file is a new test: the operation is read from its directory
//! (`fixtures/<platform>/<operation>/<case>.json`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::Path;

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
        "mpcommentlist_get" => {
            let page: Envelope<CommentListPage> = decoded(out, "response", body);
            reviews(
                out,
                page.body
                    .comments
                    .iter()
                    .map(|c| Review::from_wechat(c, false)),
            );
        }
        "commentinfo_get" => {
            let detail: Envelope<CommentDetail> = decoded(out, "response", body);
            let step = detail.body.process.as_ref().and_then(|p| p.current_step());
            writeln!(out, "current step: {step:?}\n").unwrap();
        }
        "replyandcommentreplylist_get" => {
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
        "commentreply_add" => drop(decoded::<CommentReplyAdd>(out, "request", body)),
        "commentreply_delete" => drop(decoded::<CommentReplyDelete>(out, "request", body)),
        "apikfquota_reset" => drop(decoded::<KfQuotaReset>(out, "request", body)),
        "confirmcompromise" => drop(decoded::<ConfirmCompromise>(out, "request", body)),
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

fn fw199_response(out: &mut String, body: &Value) {
    if body.get("error_response").is_some() {
        decoded::<taobao::TopErrorResponse>(out, "TOP error", body);
        return;
    }
    let envelope: taobao::Envelope<TradeRatePage> = decoded(out, "response", body);
    if let Some(page) = &envelope.data {
        writeln!(out, "capped window: {}\n", page.is_capped()).unwrap();
        reviews(out, page.rates.iter().map(Review::from));
    }
}

#[test]
fn every_fixture_decodes() {
    insta::glob!("../../../fixtures", "**/*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let fixture: Fixture = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a fixture: {e}", path.display()));
        let mut parts = path
            .iter()
            .rev()
            .skip(1)
            .map(|p| p.to_string_lossy().into_owned());
        let operation = parts.next().unwrap();
        let platform = parts.next().unwrap();
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

        let mut out = String::new();
        writeln!(out, "{}\n", fixture.description).unwrap();
        match (platform.as_str(), operation.as_str()) {
            ("wechat", "push") => push(&mut out, &fixture.request),
            ("wechat", op) => {
                wechat_request(&mut out, op, &fixture.request);
                match (&fixture.response.body, &fixture.response.body_text) {
                    (Some(body), _) => wechat_response(&mut out, op, body),
                    (None, Some(text)) => writeln!(out, "response text: {text}").unwrap(),
                    (None, None) => panic!("{}: no response body", path.display()),
                }
            }
            ("fw199", _) => {
                let body = fixture
                    .response
                    .body
                    .as_ref()
                    .expect("fw199 answers are JSON");
                fw199_response(&mut out, body);
            }
            (other, _) => panic!("unknown platform directory {other} in {}", path.display()),
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn fixture_directories_are_known_operations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let known = [
        "wechat/mpcommentlist_get",
        "wechat/replyandcommentreplylist_get",
        "wechat/commentinfo_get",
        "wechat/reply_add",
        "wechat/reply_delete",
        "wechat/commentreply_add",
        "wechat/commentreply_delete",
        "wechat/apikfquota_reset",
        "wechat/confirmcompromise",
        "wechat/token",
        "wechat/stable_token",
        "wechat/custom_send",
        "wechat/media_upload",
        "wechat/push",
        "fw199/traderates_get",
    ];
    for platform in std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        for op in std::fs::read_dir(platform.path()).unwrap().flatten() {
            let name = format!(
                "{}/{}",
                platform.file_name().to_string_lossy(),
                op.file_name().to_string_lossy()
            );
            assert!(
                known.contains(&name.as_str()),
                "fixtures/{name} is not a known operation"
            );
        }
    }
}
