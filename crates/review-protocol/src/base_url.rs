//! The base URL every endpoint path is joined to.

use std::fmt;
use std::str::FromStr;

/// An `http` or `https` origin, optionally with a path prefix (for a proxy), without a query.
///
/// ```
/// use review_protocol::BaseUrl;
///
/// let url: BaseUrl = "http://127.0.0.1:8080/".parse()?;
/// assert_eq!(url.join("/cgi-bin/token"), "http://127.0.0.1:8080/cgi-bin/token");
/// assert!("ftp://example.com".parse::<BaseUrl>().is_err());
/// # Ok::<(), review_protocol::InvalidBaseUrl>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(String);

/// A base URL that is not an `http(s)://host[:port][/prefix]`.
///
/// Its message and `Debug` show the URL without userinfo or secret parameters, cut at 200
/// characters: the URL came from a user, who may have put a password in it.
///
/// ```
/// let err = "http://alice:pw@host/".parse::<review_protocol::BaseUrl>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid base URL "http://***@host/": credentials in the URL are not allowed: pass them as options"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URL {url:?}: {reason}")]
pub struct InvalidBaseUrl {
    /// The URL as shown, already redacted.
    url: String,
    reason: &'static str,
}

impl BaseUrl {
    /// WeChat's API origin.
    pub const WECHAT_STR: &'static str = "https://api.weixin.qq.com";
    /// The fw199 gateway's origin.
    pub const FW199_STR: &'static str = "https://kf.fw199.com";

    /// WeChat's API origin, `https://api.weixin.qq.com`.
    pub fn wechat() -> Self {
        Self(Self::WECHAT_STR.to_owned())
    }

    /// The fw199 gateway, `https://kf.fw199.com`.
    pub fn fw199() -> Self {
        Self(Self::FW199_STR.to_owned())
    }

    /// The URL as a string, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host and port, with any path prefix (`api.weixin.qq.com`,
    /// `127.0.0.1:8080/proxy`): what a shared token store names a token by, since one app's
    /// token is valid only at the host that issued it.
    ///
    /// ```
    /// let url: review_protocol::BaseUrl = "http://127.0.0.1:8080/proxy/".parse()?;
    /// assert_eq!(url.host(), "127.0.0.1:8080/proxy");
    /// # Ok::<(), review_protocol::InvalidBaseUrl>(())
    /// ```
    pub fn host(&self) -> &str {
        self.0
            .split_once("://")
            .map_or(self.0.as_str(), |(_, rest)| rest)
    }

    /// `path` (starting with `/`) appended to the base.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

impl FromStr for BaseUrl {
    type Err = InvalidBaseUrl;

    fn from_str(s: &str) -> Result<Self, InvalidBaseUrl> {
        let invalid = |reason| InvalidBaseUrl {
            url: crate::redact::url_for_message(s),
            reason,
        };
        let credentials =
            || invalid("credentials in the URL are not allowed: pass them as options");
        // Read from the text, before parsing: `http://user:pa/ss@host` parses, with the
        // password in the path, and `http://user:pa ss@host` does not parse at all.
        if matches!(
            crate::redact::url_without_userinfo(s),
            std::borrow::Cow::Owned(_)
        ) {
            return Err(credentials());
        }
        let uri: http::Uri = s.parse().map_err(|_| invalid("not a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(invalid("the scheme must be http or https")),
        }
        let Some(authority) = uri.authority() else {
            return Err(invalid("no host"));
        };
        if authority.as_str().contains('@') {
            return Err(credentials());
        }
        if uri.query().is_some() || s.contains('#') {
            return Err(invalid("a base URL has no query or fragment"));
        }
        Ok(Self(s.trim_end_matches('/').to_owned()))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_refused_without_showing_it() {
        for raw in [
            "http://alice:pw-s3cr3t@host/",
            "https://alice@host:8443",
            "http://alice:pw-s3cr3t@host/?access_token=T",
            "http://alice:pw s3cr3t@host/",
            "http://alice:pw/s3cr3t@host/",
            "alice:pw-s3cr3t@host",
            "ftp://alice:pw-s3cr3t@host/",
        ] {
            let err = raw.parse::<BaseUrl>().unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("alice"), "{raw}: {shown}");
            assert!(!shown.contains("s3cr3t"), "{raw}: {shown}");
            assert!(shown.contains("***@host"), "{raw}: {shown}");
        }
        let err = "http://alice:pw@host/".parse::<BaseUrl>().unwrap_err();
        assert!(err.to_string().contains("pass them as options"), "{err}");
    }

    #[test]
    fn a_huge_url_is_cut_in_the_message() {
        let raw = format!("ftp://host/{}", "x".repeat(100 * 1024));
        let err = raw.parse::<BaseUrl>().unwrap_err();
        let shown = err.to_string();
        assert!(shown.chars().count() < 300, "{} chars", shown.len());
        assert!(shown.contains("ftp://host/xxx"), "{shown}");
        assert!(shown.contains("…\""), "{shown}");
        assert!(format!("{err:?}").len() < 400);
    }
}
