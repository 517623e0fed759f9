//! Customer-service messages and temporary media: the state the quota reset opens and the
//! settlement's pictures come from.
//!
//! - `/cgi-bin/message/custom/send` reaches an openid only within 48 hours of a quota reset on
//!   one of its bad reviews; otherwise 45015. An image message needs a live media id (40007).
//! - `/cgi-bin/media/upload?type=image` takes the multipart field `media` (up to 10 MiB; other
//!   types 40004, no media 41005, too large 40006) and answers `{type, media_id, created_at}`.
//!   A media id lives 3 days.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use review_model::wechat::{ApiStatus, CustomMessage, ErrCode, MediaUpload, MessageBody};
use review_model::{MediaId, OpenId};

use super::answer::{self, Refusal, Style};
use super::data::alnum;
use super::request::{self, BodyError, Params};
use super::{WechatState, multipart};
use crate::shared::{Shared, lock};

/// Mixed into the seed for media ids.
const STREAM: u64 = 0x6d65_6469_612d_4121;

/// How long a reset quota lets the merchant message the reviewer.
const SESSION: SignedDuration = SignedDuration::from_hours(48);

/// The largest upload accepted, as WeChat's limit for pictures.
pub(crate) const MAX_UPLOAD: usize = review_protocol::wechat::MAX_IMAGE_BYTES;

const CUSTOM_SEND: &str = "/cgi-bin/message/custom/send";
const MEDIA_UPLOAD: &str = "/cgi-bin/media/upload";

/// Open customer-service windows and uploaded media.
#[derive(Debug)]
pub(crate) struct Outreach {
    rng: ChaCha20Rng,
    sessions: HashMap<OpenId, Timestamp>,
    media: HashMap<MediaId, Timestamp>,
}

impl Outreach {
    /// Nothing open, nothing uploaded; media ids drawn from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha20Rng::seed_from_u64(seed ^ STREAM),
            sessions: HashMap::new(),
            media: HashMap::new(),
        }
    }

    /// Lets the merchant message `openid` for the next 48 hours.
    pub(crate) fn open_session(&mut self, openid: OpenId, now: Timestamp) {
        let until = now.checked_add(SESSION).unwrap_or(now);
        self.sessions.insert(openid, until);
    }

    fn session_open(&self, openid: &OpenId, now: Timestamp) -> bool {
        self.sessions.get(openid).is_some_and(|until| now < *until)
    }

    /// A media id that was uploaded in the last 3 days, else 40007.
    pub(crate) fn check_media(&self, id: &MediaId, now: Timestamp) -> Result<(), Refusal> {
        let live = self.media.get(id).is_some_and(|created| {
            created
                .checked_add(MediaUpload::LIFETIME)
                .is_ok_and(|end| now < end)
        });
        if live {
            Ok(())
        } else {
            Err(Refusal::new(ErrCode::InvalidMediaId, "invalid media_id"))
        }
    }

    fn store_media(&mut self, now: Timestamp) -> MediaId {
        let id = MediaId::new(alnum(&mut self.rng, 64));
        self.media.insert(id.clone(), now);
        id
    }
}

/// `POST /cgi-bin/message/custom/send`.
pub(crate) async fn custom_send(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let result = request::write(
        &shared,
        raw.as_deref(),
        &body,
        CUSTOM_SEND,
        BodyError::cgi_refusal,
        |state, message, now| send(state, &message, now),
    );
    let ok = ApiStatus {
        errcode: ErrCode::Ok,
        errmsg: Some("ok".to_owned()),
        success: None,
    };
    answer::finish(result.map(|()| answer::json(&ok)), Style::Plain)
}

fn send(state: &mut WechatState, message: &CustomMessage, now: Timestamp) -> Result<(), Refusal> {
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

/// `POST /cgi-bin/media/upload?type=image`.
pub(crate) async fn media_upload(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer::finish(
        upload(&shared, raw.as_deref(), &headers, &body),
        Style::Plain,
    )
}

fn upload(
    shared: &Shared,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    let params = Params::parse(raw);
    let now = shared.clock.now();
    let mut state = lock(&shared.wechat);
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
    shared.record_write(
        MEDIA_UPLOAD,
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
