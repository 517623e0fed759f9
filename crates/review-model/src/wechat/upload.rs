//! The answer of `/cgi-bin/media/upload?type=image`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::MediaId;

/// A temporary media upload: the id to put in a settlement's `picList` (valid three days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaUpload {
    /// The media kind (`image`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The id to reference the upload by.
    pub media_id: MediaId,
    /// When it was uploaded.
    #[serde(with = "crate::codec::unix::number")]
    pub created_at: Timestamp,
}

impl MediaUpload {
    /// How long WeChat keeps a temporary media item.
    pub const LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_hours(72);

    /// When the media id stops working.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.created_at.checked_add(Self::LIFETIME).ok()
    }
}
