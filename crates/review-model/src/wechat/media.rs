//! Pictures and videos attached to a comment.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One media item of a comment: a picture or a video (WeChat allows one kind per comment).
///
/// Decoded by which keys are present (`img` or `video`); an item with neither is kept as
/// [`Media::Other`] rather than failing the whole page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Media {
    /// A picture with its thumbnail.
    Image(Image),
    /// A video with its cover and duration.
    Video(Video),
    /// A shape this crate does not know, kept as sent.
    Other(Map<String, Value>),
}

/// A picture attached to a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The picture's CDN URL.
    pub img: String,
    /// The thumbnail's CDN URL.
    #[serde(
        default,
        deserialize_with = "crate::codec::null::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub thumb_img: Option<String>,
}

/// A video attached to a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// The video's CDN URL.
    pub video: String,
    /// The cover picture's CDN URL.
    #[serde(
        default,
        deserialize_with = "crate::codec::null::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_cover: Option<String>,
    /// The duration in seconds.
    #[serde(
        default,
        with = "crate::codec::int::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_duration: Option<u32>,
}

impl Media {
    /// The URL of the picture or video, if this is a known kind.
    pub fn url(&self) -> Option<&str> {
        match self {
            Media::Image(image) => Some(&image.img),
            Media::Video(video) => Some(&video.video),
            Media::Other(_) => None,
        }
    }
}

impl Serialize for Media {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Media::Image(image) => image.serialize(s),
            Media::Video(video) => video.serialize(s),
            Media::Other(raw) => {
                let mut map = s.serialize_map(Some(raw.len()))?;
                for (k, v) in raw {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Media {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Map::<String, Value>::deserialize(d)?;
        let has = |key: &str| raw.get(key).is_some_and(|v| !v.is_null());
        if has("video") {
            serde_json::from_value(Value::Object(raw))
                .map(Media::Video)
                .map_err(de::Error::custom)
        } else if has("img") {
            serde_json::from_value(Value::Object(raw))
                .map(Media::Image)
                .map_err(de::Error::custom)
        } else {
            Ok(Media::Other(raw))
        }
    }
}
