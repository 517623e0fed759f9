//! The customer-service message and the media upload (their state is in [`outreach`]).
//!
//! [`outreach`]: super::outreach
//!
//! - `/cgi-bin/message/custom/send` reaches an openid only within 48 hours of a quota reset on
//!   one of its bad reviews; otherwise 45015. An image message needs a live media id (40007).
//! - `/cgi-bin/media/upload?type=image` takes the multipart field `media` (up to 10 MiB; other
//!   types 40004, no media 41005, too large 40006) and answers `{type, media_id, created_at}`.
//!   A media id lives 3 days.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use jiff::Timestamp;
use review_model::wechat::{CustomMessage, ErrCode, MediaUpload, MessageBody};
use review_protocol::Endpoint;
use review_protocol::wechat::UploadMedia;

use super::answer::{self, Refusal, Style};
use super::fleet::Tenant;
use super::multipart;
use super::platform::Platform;
use super::request::{self, Params};
use super::state::WechatState;

/// The largest upload accepted, as WeChat's limit for pictures.
pub(crate) const MAX_UPLOAD: usize = review_protocol::wechat::MAX_IMAGE_BYTES;

/// `wechat.custom_send`: reaches the reviewer only within the window a quota reset opened.
pub(super) fn send(
    state: &mut WechatState,
    message: &CustomMessage,
    now: Timestamp,
) -> Result<(), Refusal> {
    if let MessageBody::Text(text) = &message.body {
        request::text("text.content", &text.content)
            .map_err(|_| Refusal::new(ErrCode::BadPayload, "data format error: empty text"))?;
    }
    if let MessageBody::Image(image) = &message.body {
        state.outreach.check_media(&image.media_id, now)?;
    }
    if !state.outreach.session_open(&message.touser, now) {
        return Err(Refusal::new(
            ErrCode::ReplyWindowClosed,
            "response out of time limit or subscription is canceled",
        ));
    }
    Ok(())
}

/// `wechat.media_upload` (`?type=image`).
pub(super) async fn media_upload(
    Tenant(platform): Tenant,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer::finish(
        upload(&platform, raw.as_deref(), &headers, &body),
        Style::Plain,
    )
}

fn upload(
    platform: &Platform,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    let params = Params::parse(raw);
    let now = platform.clock.now();
    let mut state = platform.state();
    state.tokens.check(params.token(), now)?;
    if params.get("type") != Some("image") {
        return Err(Refusal::new(ErrCode::from(40004), "invalid media type"));
    }
    let missing = || Refusal::new(ErrCode::from(41005), "media data missing");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing)?;
    let boundary = multipart::boundary(content_type).ok_or_else(missing)?;
    let part = multipart::part(body, &boundary, "media").ok_or_else(missing)?;
    if part.data.is_empty() {
        return Err(missing());
    }
    if part.data.len() > MAX_UPLOAD {
        return Err(Refusal::new(ErrCode::from(40006), "invalid media size"));
    }
    let media_id = state.outreach.store_media(now);
    platform.record_write(
        UploadMedia::METADATA.path,
        serde_json::json!({
            "type": "image",
            "filename": part.filename,
            "bytes": part.data.len(),
            "media_id": media_id.as_str(),
        }),
    );
    drop(state);
    Ok(answer::json(&MediaUpload {
        kind: "image".to_owned(),
        media_id,
        created_at: now,
    }))
}
