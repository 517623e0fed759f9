//! `POST /cgi-bin/media/upload?type=image`: a temporary picture, for a settlement's `picList`.
//!
//! The multipart body is built here, in memory: no file is opened and no random boundary is
//! drawn (the boundary is the first of a fixed sequence that does not occur in the picture).

use http::header::{ACCEPT, CONTENT_TYPE};
use review_model::wechat::MediaUpload;

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// The largest picture WeChat accepts as temporary media.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// Uploads a picture as temporary media (kept three days).
#[derive(Clone, PartialEq, Eq)]
pub struct UploadMedia {
    /// The file name shown to WeChat (`proof.jpg`).
    pub filename: String,
    /// The picture's bytes: JPEG, PNG, GIF or BMP.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for UploadMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadMedia")
            .field("filename", &self.filename)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// The picture formats WeChat accepts, recognised by their first bytes.
fn image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.starts_with(b"BM") {
        Some("image/bmp")
    } else {
        None
    }
}

/// The first boundary of a fixed sequence that occurs nowhere in `data`.
fn boundary(data: &[u8]) -> String {
    (0u64..)
        .map(|n| format!("reviews-boundary-{n:016x}"))
        .find(|b| !data.windows(b.len()).any(|w| w == b.as_bytes()))
        .unwrap_or_default()
}

impl UploadMedia {
    /// Uploads `data` under `filename`.
    pub fn image(filename: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            filename: filename.into(),
            data,
        }
    }

    /// Refuses an empty or oversized picture, a format WeChat does not take, and a file name
    /// that would break the multipart header.
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.data.is_empty() {
            return Err(BuildError::new("media", "the picture is empty"));
        }
        if self.data.len() > MAX_IMAGE_BYTES {
            return Err(BuildError::new(
                "media",
                format!(
                    "the picture is {} bytes; WeChat takes at most {MAX_IMAGE_BYTES}",
                    self.data.len()
                ),
            ));
        }
        if image_type(&self.data).is_none() {
            return Err(BuildError::new(
                "media",
                "not a JPEG, PNG, GIF or BMP picture",
            ));
        }
        if self.filename.trim().is_empty()
            || self
                .filename
                .chars()
                .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(BuildError::new(
                "filename",
                format!("{:?} cannot be a file name in the upload", self.filename),
            ));
        }
        Ok(())
    }

    /// The multipart body and its boundary.
    fn multipart(&self) -> (String, Vec<u8>) {
        let boundary = boundary(&self.data);
        let kind = image_type(&self.data).unwrap_or("application/octet-stream");
        let mut body = Vec::with_capacity(self.data.len() + 256);
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"media\"; filename=\"{}\"\r\n",
                self.filename
            )
            .as_bytes(),
        );
        body.extend_from_slice(format!("Content-Type: {kind}\r\n\r\n").as_bytes());
        body.extend_from_slice(&self.data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        (boundary, body)
    }
}

impl Endpoint for UploadMedia {
    type Context = WechatContext;
    type Output = MediaUpload;

    const METADATA: Metadata = Metadata {
        name: "wechat.media_upload",
        method: Method::Post,
        path: "/cgi-bin/media/upload",
        // A repeated upload only yields a second media id.
        idempotent: true,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let (boundary, body) = self.multipart();
        let template = wire::get(ctx, Self::METADATA.path, &[("type", "image")])?;
        http::Request::post(template.uri().clone())
            .header(ACCEPT, "application/json")
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .map_err(|e| BuildError::new("base_url", e.to_string()))
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<MediaUpload, Error> {
        wire::parse(&response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_avoids_the_data() {
        let first = boundary(b"abc");
        let data = format!("xx{first}yy").into_bytes();
        let second = boundary(&data);
        assert_ne!(first, second);
        assert!(!String::from_utf8_lossy(&data[..]).contains(&second));
    }
}
