//! What every WeChat endpoint puts on the wire, token redacted, and every parameter it refuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use review_model::wechat::{
    CustomMessage, FilterType, ImageMessage, LinkMessage, MessageBody, MiniProgramPageMessage,
};
use review_model::{AccessToken, AppId, CommentId, MediaId, OpenId, Secret, Timestamp};
use review_protocol::wechat::*;
use review_protocol::{BaseUrl, BuildError, Endpoint, redact};

const TOKEN: &str = "TOKEN-3f9a-must-never-show";
const SECRET: &str = "SECRET-77c1-must-never-show";

fn ctx() -> WechatContext {
    WechatContext::new(BaseUrl::wechat(), AccessToken::new(TOKEN))
}

fn secret() -> Secret {
    Secret::new(SECRET)
}

/// Method, URL, headers and body, as a reviewer reads them, with secrets masked.
fn render(request: &http::Request<Vec<u8>>) -> String {
    let mut out = redact::Request(request).to_string();
    for (name, value) in request.headers() {
        out.push_str(&format!("\n{name}: {}", value.to_str().unwrap()));
    }
    let body = request.body();
    if !body.is_empty() {
        let shown = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => redact::text(&serde_json::to_string_pretty(&json).unwrap()),
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        };
        out.push_str("\n\n");
        out.push_str(&shown);
    }
    assert!(
        !out.contains(TOKEN) && !out.contains(SECRET),
        "a secret leaked:\n{out}"
    );
    let debug = format!("{:?}", redact::Request(request));
    assert!(
        !debug.contains(TOKEN) && !debug.contains(SECRET),
        "a secret leaked:\n{debug}"
    );
    out
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

fn id(s: &str) -> CommentId {
    CommentId::new(s)
}

#[test]
fn comment_list() {
    let endpoint = GetCommentList::new(at(1_588_237_130), at(1_588_237_131))
        .filter(FilterType::Bad)
        .limit(8);
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(endpoint.idempotent());
}

#[test]
fn comment_list_without_filter_at_an_offset() {
    let endpoint = GetCommentList::new(at(1_700_000_000), at(1_700_086_400)).offset(16);
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
}

#[test]
fn reply_thread() {
    let endpoint = GetReplyThread::new(id("2797755680173111111"));
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(endpoint.idempotent());
}

#[test]
fn comment_detail() {
    let endpoint = GetCommentDetail::new(id("2797755680173111111"));
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(endpoint.idempotent());
}

#[test]
fn reply_add() {
    let endpoint = AddReply::new(
        id("2797755680173111111"),
        "亲,非常抱歉给您带来不好的体验 🙏",
    );
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(!endpoint.idempotent());
}

#[test]
fn reply_delete() {
    let endpoint = DeleteReply::new(id("2797755680173111111"), "1".into());
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(!endpoint.idempotent());
}

#[test]
fn comment_reply_add_uses_the_commentreply_path() {
    let endpoint = AddCommentReply::new(id("2797755680173111111"), "1".into(), "已为您补发");
    let request = endpoint.request(&ctx()).unwrap();
    assert_eq!(request.uri().path(), "/wxaapi/comment/commentreply/add");
    insta::assert_snapshot!(render(&request));
    assert!(!endpoint.idempotent());
}

#[test]
fn comment_reply_delete_uses_the_commentreply_path() {
    let endpoint = DeleteCommentReply::new(id("2797755680173111111"), "1".into(), "2".into());
    let request = endpoint.request(&ctx()).unwrap();
    assert_eq!(request.uri().path(), "/wxaapi/comment/commentreply/delete");
    insta::assert_snapshot!(render(&request));
    assert!(!endpoint.idempotent());
}

#[test]
fn kf_quota_reset() {
    let endpoint = ResetKfQuota::new(id("2797755680173111111"));
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(!endpoint.idempotent());
}

#[test]
fn confirm_compromise() {
    let endpoint = ConfirmCompromise::new(id("2797755680173111111"))
        .content("我是和解的内容")
        .picture(MediaId::new("MEDIA_ID_1"))
        .picture(MediaId::new("MEDIA_ID_2"));
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
    assert!(!endpoint.idempotent());
}

#[test]
fn confirm_compromise_bare() {
    let endpoint = ConfirmCompromise::new(id("2797755680173111111"));
    insta::assert_snapshot!(render(&endpoint.request(&ctx()).unwrap()));
}

#[test]
fn token_masks_the_secret() {
    let endpoint = GetToken::new(AppId::new("wx1234567890abcdef"), secret());
    let request = endpoint.request(&BaseUrl::wechat()).unwrap();
    assert!(
        request.uri().to_string().contains(SECRET),
        "the real request carries the secret"
    );
    insta::assert_snapshot!(render(&request));
    assert!(endpoint.idempotent());
    assert!(!format!("{endpoint:?}").contains(SECRET));
}

#[test]
fn stable_token() {
    let plain = GetStableToken::new(AppId::new("wx1234567890abcdef"), secret(), false);
    insta::assert_snapshot!(render(&plain.request(&BaseUrl::wechat()).unwrap()));
    assert!(plain.idempotent());
    let forced = GetStableToken::new(AppId::new("wx1234567890abcdef"), secret(), true);
    assert!(!forced.idempotent(), "a forced refresh spends quota");
}

#[test]
fn custom_messages_of_every_kind() {
    let to = OpenId::new("oUser123");
    let bodies = [
        CustomMessage::text(to.clone(), "您好,关于您的评价我们已处理"),
        CustomMessage {
            touser: to.clone(),
            body: MessageBody::Image(ImageMessage {
                media_id: MediaId::new("MEDIA_ID"),
            }),
        },
        CustomMessage {
            touser: to.clone(),
            body: MessageBody::Link(LinkMessage {
                title: "退款进度".into(),
                description: "点击查看".into(),
                url: "https://example.com/refund".into(),
                thumb_url: "https://example.com/t.png".into(),
            }),
        },
        CustomMessage {
            touser: to,
            body: MessageBody::MiniProgramPage(MiniProgramPageMessage {
                title: "订单详情".into(),
                pagepath: "pages/order/detail?id=1".into(),
                thumb_media_id: MediaId::new("THUMB_ID"),
            }),
        },
    ];
    let rendered: Vec<String> = bodies
        .into_iter()
        .map(|m| render(&SendCustomMessage::new(m).request(&ctx()).unwrap()))
        .collect();
    insta::assert_snapshot!(rendered.join("\n\n----\n\n"));
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[test]
fn media_upload_multipart() {
    let endpoint = UploadMedia::image("proof.png", PNG.to_vec());
    let request = endpoint.request(&ctx()).unwrap();
    let body: String = request
        .body()
        .iter()
        .map(|&b| match b {
            b'\n' => "\n".to_owned(),
            b' '..=b'~' => char::from(b).to_string(),
            other => format!("\\x{other:02x}"),
        })
        .collect();
    let head = redact::Request(&request).to_string();
    let content_type = request.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    insta::assert_snapshot!(format!("{head}\ncontent-type: {content_type}\n\n{body}"));
    assert!(endpoint.idempotent());
}

fn refused(result: Result<http::Request<Vec<u8>>, BuildError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn bad_parameters_are_refused_before_building() {
    let c = ctx();
    let cases = [
        refused(GetCommentDetail::new(id("")).request(&c)),
        refused(GetReplyThread::new(id("12 34")).request(&c)),
        refused(GetCommentList::new(at(10), at(5)).request(&c)),
        refused(GetCommentList::new(at(5), at(10)).limit(0).request(&c)),
        refused(AddReply::new(id("1"), "").request(&c)),
        refused(AddReply::new(id("1"), " \n ").request(&c)),
        refused(AddCommentReply::new(id("1"), "".into(), "x").request(&c)),
        refused(DeleteCommentReply::new(id("1"), "1".into(), "".into()).request(&c)),
        refused(ConfirmCompromise::new(id("1")).content("  ").request(&c)),
        refused(
            ConfirmCompromise::new(id("1"))
                .picture(MediaId::new(""))
                .request(&c),
        ),
        refused(SendCustomMessage::new(CustomMessage::text(OpenId::new("o"), "")).request(&c)),
        refused(SendCustomMessage::new(CustomMessage::text(OpenId::new(""), "hi")).request(&c)),
        refused(UploadMedia::image("a.txt", b"hello".to_vec()).request(&c)),
        refused(UploadMedia::image("a.png", Vec::new()).request(&c)),
        refused(UploadMedia::image("a\".png", PNG.to_vec()).request(&c)),
        refused(
            UploadMedia::image("big.png", [PNG, &vec![0u8; MAX_IMAGE_BYTES]].concat()).request(&c),
        ),
        refused(GetToken::new(AppId::new(""), secret()).request(&BaseUrl::wechat())),
        refused(GetToken::new(AppId::new("wx1"), Secret::new("")).request(&BaseUrl::wechat())),
    ];
    insta::assert_snapshot!(cases.join("\n"));
}

#[test]
fn base_urls() {
    let with_prefix: BaseUrl = "http://127.0.0.1:9000/proxy/".parse().unwrap();
    let request = GetCommentDetail::new(id("1"))
        .request(&WechatContext::new(with_prefix, AccessToken::new(TOKEN)))
        .unwrap();
    assert_eq!(
        redact::url(&request.uri().to_string()),
        "http://127.0.0.1:9000/proxy/wxaapi/comment/commentinfo/get?commentId=1&access_token=***"
    );
    let refused: Vec<String> = [
        "ftp://x",
        "http://u:p@host",
        "http://h/?q=1",
        "not a url",
        "/relative",
    ]
    .iter()
    .map(|u| u.parse::<BaseUrl>().unwrap_err().to_string())
    .collect();
    insta::assert_snapshot!(refused.join("\n"));
}
