//! Customer-service windows and temporary media: the state the quota reset opens, the
//! customer-service message checks, and the settlement's pictures come from.
//!
//! A quota reset opens a 48-hour window to the reviewer's openid; a media id lives 3 days.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use review_model::wechat::{ErrCode, MediaUpload};
use review_model::{MediaId, OpenId};

use super::answer::Refusal;
use super::data::alnum;

/// Mixed into the seed for media ids.
const STREAM: u64 = 0x6d65_6469_612d_4121;

/// How long a reset quota lets the merchant message the reviewer.
const SESSION: SignedDuration = SignedDuration::from_hours(48);

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

    /// Whether the merchant may message `openid` now.
    pub(super) fn session_open(&self, openid: &OpenId, now: Timestamp) -> bool {
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

    /// Keeps a new upload for 3 days and returns its id.
    pub(super) fn store_media(&mut self, now: Timestamp) -> MediaId {
        let id = MediaId::new(alnum(&mut self.rng, 64));
        self.media.insert(id.clone(), now);
        id
    }
}
