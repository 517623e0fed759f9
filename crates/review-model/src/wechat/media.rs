//! Pictures and videos attached to a comment.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_img: Option<String>,
}

/// A video attached to a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// The video's CDN URL.
    pub video: String,
    /// The cover picture's CDN URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// The URL of the picture or video, moved out, if this is a known kind.
    pub fn into_url(self) -> Option<String> {
        match self {
            Media::Image(image) => Some(image.img),
            Media::Video(video) => Some(video.video),
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

/// Reads a media item in one pass: known keys into their fields, anything else kept aside so
/// that an unknown shape survives as [`Media::Other`].
struct MediaVisitor;

impl<'de> Visitor<'de> for MediaVisitor {
    type Value = Media;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a media object with `img` or `video`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Media, A::Error> {
        let mut img: Option<String> = None;
        let mut thumb_img: Option<String> = None;
        let mut video: Option<String> = None;
        let mut video_cover: Option<String> = None;
        let mut video_duration: Option<u32> = None;
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "img" => img = map.next_value()?,
                "thumbImg" => thumb_img = map.next_value()?,
                "video" => video = map.next_value()?,
                "videoCover" => video_cover = map.next_value()?,
                "videoDuration" => {
                    video_duration = map.next_value::<LenientDuration>()?.0;
                }
                _ => {
                    rest.insert(key.into_owned(), map.next_value()?);
                }
            }
        }
        Ok(match (video, img) {
            (Some(video), _) => Media::Video(Video {
                video,
                video_cover,
                video_duration,
            }),
            (None, Some(img)) => Media::Image(Image { img, thumb_img }),
            (None, None) => {
                // Keep every field of a shape we do not know, including the known keys seen.
                let known = [("thumbImg", thumb_img), ("videoCover", video_cover)];
                for (key, value) in known {
                    if let Some(value) = value {
                        rest.insert(key.to_owned(), Value::String(value));
                    }
                }
                if let Some(duration) = video_duration {
                    rest.insert("videoDuration".to_owned(), Value::from(duration));
                }
                Media::Other(rest)
            }
        })
    }
}

struct LenientDuration(Option<u32>);

impl<'de> Deserialize<'de> for LenientDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::codec::int::deserialize_opt(d).map(LenientDuration)
    }
}

impl<'de> Deserialize<'de> for Media {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MediaVisitor)
    }
}
