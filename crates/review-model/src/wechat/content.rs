//! The body of a comment: its text and media.

use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Deserializer, Serialize};

use super::Media;

/// What the buyer wrote and attached.
///
/// The text arrives as `txt` in comments, `text` in the detail table and `ext` in revised
/// comments' `oldComment`; all three decode here (the first present wins, in that order).
/// It encodes as `txt`, the documented key, except in [`OldComment`](super::OldComment) where the
/// documented key is `text`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    /// The review text (may be empty).
    pub text: String,
    /// Pictures or a video.
    pub media: Vec<Media>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    txt: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    ext: Option<String>,
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    media: Vec<Media>,
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Option::<Raw>::deserialize(d)?;
        Ok(raw.map_or_else(Content::default, |raw| Content {
            text: raw.txt.or(raw.text).or(raw.ext).unwrap_or_default(),
            media: raw.media,
        }))
    }
}

impl Content {
    fn serialize_with_key<S: Serializer>(
        &self,
        key: &'static str,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("Content", 2)?;
        out.serialize_field(key, &self.text)?;
        out.serialize_field("media", &self.media)?;
        out.end()
    }
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_with_key("txt", s)
    }
}

/// Encodes the content with the `text` key, as the `oldComment` table documents.
pub(crate) fn serialize_as_text<S: Serializer>(content: &Content, s: S) -> Result<S::Ok, S::Error> {
    content.serialize_with_key("text", s)
}
