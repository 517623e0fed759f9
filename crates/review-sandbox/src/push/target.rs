//! Where and how the sandbox pushes bad reviews.

use review_protocol::wechat::push::{Format, PushConfig};

/// A merchant's push endpoint as configured on the WeChat console: the URL, the token, and for
/// safe mode the EncodingAESKey (and the appid the messages are sealed for).
///
/// ```
/// use review_sandbox::PushTarget;
/// use review_protocol::wechat::push::Format;
///
/// let plain = PushTarget::new("http://127.0.0.1:9000/wechat/callback", "PushToken123");
/// let safe = PushTarget::new("http://127.0.0.1:9000/wechat/callback", "PushToken123")
///     .format(Format::Json)
///     .safe_mode("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
/// assert_eq!(plain.format, Format::Xml);
/// assert!(safe.encoding_aes_key.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The webhook (`http://...`); the signed query parameters are appended to it.
    pub url: String,
    /// The token both sides sign with (3 to 32 visible ASCII characters).
    pub token: String,
    /// The 43-character EncodingAESKey: set for safe mode, `None` for plaintext.
    pub encoding_aes_key: Option<String>,
    /// The appid sealed into safe-mode messages; `None` means the sandbox's own WeChat appid,
    /// as WeChat seals with the mini program's appid.
    pub appid: Option<String>,
    /// XML (WeChat's default) or JSON bodies.
    pub format: Format,
}

impl PushTarget {
    /// Plaintext XML pushes to `url`, signed with `token`.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            encoding_aes_key: None,
            appid: None,
            format: Format::Xml,
        }
    }

    /// With bodies in `format`.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// In safe mode, encrypted with `encoding_aes_key` for the sandbox's appid.
    #[must_use]
    pub fn safe_mode(mut self, encoding_aes_key: impl Into<String>) -> Self {
        self.encoding_aes_key = Some(encoding_aes_key.into());
        self
    }

    /// Sealed for `appid` instead of the sandbox's own.
    #[must_use]
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// The protocol's configuration for this target, checked; `default_appid` stands in for an
    /// unset [`appid`](Self::appid). The error says what is wrong, for `SandboxError::Setting`.
    pub(crate) fn config(&self, default_appid: &str) -> Result<PushConfig, String> {
        // Shown without userinfo (a password) and cut: it may come from anyone's command line.
        let shown = review_protocol::redact::url_for_message(&self.url);
        let url = reqwest::Url::parse(&self.url)
            .map_err(|err| format!("the push URL {shown:?} is not a URL: {err}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("the push URL {shown:?} is not http(s)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "the push URL {shown:?} holds credentials: WeChat pushes carry none, sign them with --push-token instead"
            ));
        }
        let config = PushConfig::new(self.token.clone()).map_err(|err| err.to_string())?;
        match &self.encoding_aes_key {
            Some(key) => {
                let appid = self.appid.as_deref().unwrap_or(default_appid);
                config.with_aes(key, appid).map_err(|err| err.to_string())
            }
            None => Ok(config),
        }
    }
}
