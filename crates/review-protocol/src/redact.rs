//! Keeping credentials out of everything a human or a log might read.
//!
//! WeChat puts the access token (and, for `/cgi-bin/token`, the app secret) in the query string,
//! and answers carry tokens in their bodies, so URLs, request dumps and body excerpts all pass
//! through here before they are shown.

use std::fmt;

/// Names whose values are secrets, in queries, forms and JSON bodies.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "secret",
    "app_secret",
    "appsecret",
    "EncodingAESKey",
    "encoding_aes_key",
];

/// What a secret is shown as.
pub const MASK: &str = "***";

fn is_secret(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// `url` with the values of secret query parameters replaced by `***`.
///
/// ```
/// let shown = review_protocol::redact::url("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t");
/// assert_eq!(shown, "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***");
/// ```
pub fn url(url: &str) -> String {
    match url.split_once('?') {
        Some((path, query)) => format!("{path}?{}", form(query)),
        None => url.to_owned(),
    }
}

/// A `k=v&k=v` string with secret values replaced by `***`.
pub fn form(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Text (a JSON or form body) with the values of secret keys replaced by `***`.
///
/// ```
/// let shown = review_protocol::redact::text(r#"{"access_token":"ACCESS","expires_in":7200}"#);
/// assert_eq!(shown, r#"{"access_token":"***","expires_in":7200}"#);
/// ```
pub fn text(body: &str) -> String {
    if !body.trim_start().starts_with(['{', '[']) && body.contains('=') {
        return form(body);
    }
    let mut out = body.to_owned();
    for key in SECRET_KEYS {
        out = mask_json_key(&out, key);
    }
    out
}

/// Masks every `"key" : "value"` string value in `text`, tolerating whitespace and escapes.
fn mask_json_key(text: &str, key: &str) -> String {
    let needle = format!("\"{key}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let after_key = at + needle.len();
        out.push_str(&rest[..after_key]);
        rest = &rest[after_key..];
        let trimmed = rest.trim_start();
        let Some(after_colon) = trimmed.strip_prefix(':') else {
            continue;
        };
        let value = after_colon.trim_start();
        let Some(inner) = value.strip_prefix('"') else {
            continue;
        };
        // Copy the key-to-value separator, then skip the string value up to its closing quote.
        out.push_str(&rest[..rest.len() - value.len()]);
        out.push('"');
        out.push_str(MASK);
        let mut escaped = false;
        let mut end = inner.len();
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &inner[end..];
    }
    out.push_str(rest);
    out
}

/// Free text (an error message that quotes a URL) with every `key=value` of a secret key
/// masked, wherever it stands.
///
/// ```
/// let shown = review_protocol::redact::inline("error sending request for url (http://h/x?a=1&access_token=T0K&b=2)");
/// assert_eq!(shown, "error sending request for url (http://h/x?a=1&access_token=***&b=2)");
/// ```
pub fn inline(text: &str) -> String {
    let mut out = text.to_owned();
    for key in SECRET_KEYS {
        let needle = format!("{key}=");
        let mut from = 0;
        while let Some(found) = out.get(from..).and_then(|rest| rest.find(&needle)) {
            let start = from + found + needle.len();
            let end = out
                .get(start..)
                .and_then(|rest| rest.find(['&', ' ', ')', '"', '\'', '#', '\n']))
                .map_or(out.len(), |i| start + i);
            out.replace_range(start..end, MASK);
            from = start + MASK.len();
        }
    }
    out
}

/// At most `limit` characters of `body`, lossily decoded, on one line, secrets masked.
pub fn excerpt(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let masked = self::text(&text);
    let mut one_line: String = masked
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(limit)
        .collect();
    if masked.chars().nth(limit).is_some() {
        one_line.push('…');
    }
    one_line
}

/// Shows a request without its secrets: `Display` gives `METHOD url`, `Debug` adds the headers
/// and a body excerpt.
///
/// ```
/// let request = http::Request::get("https://api.weixin.qq.com/x?access_token=t0k3n").body(Vec::new())?;
/// let shown = review_protocol::redact::Request(&request).to_string();
/// assert_eq!(shown, "GET https://api.weixin.qq.com/x?access_token=***");
/// # Ok::<(), http::Error>(())
/// ```
pub struct Request<'a>(pub &'a http::Request<Vec<u8>>);

impl fmt::Display for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.method(), url(&self.0.uri().to_string()))
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> = self
            .0
            .headers()
            .iter()
            .map(|(name, value)| {
                let shown = if name == http::header::AUTHORIZATION {
                    MASK.to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("Request")
            .field("method", self.0.method())
            .field("url", &url(&self.0.uri().to_string()))
            .field("headers", &headers)
            .field("body", &excerpt(self.0.body(), 200))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_json_with_spaces_and_escapes() {
        let body = r#"{ "access_token" : "a\"b", "secret":"x", "other":"access_token"}"#;
        assert_eq!(
            text(body),
            r#"{ "access_token" : "***", "secret":"***", "other":"access_token"}"#
        );
    }

    #[test]
    fn masks_forms_and_urls() {
        assert_eq!(
            form("a=1&access_token=x&secret="),
            "a=1&access_token=***&secret=***"
        );
        assert_eq!(url("http://h/p"), "http://h/p");
    }

    #[test]
    fn leaves_numbers_and_unterminated_values_safe() {
        assert_eq!(text(r#"{"secret":12}"#), r#"{"secret":12}"#);
        assert_eq!(text(r#"{"secret":"abc"#), r#"{"secret":"***"#);
    }

    #[test]
    fn excerpt_is_bounded_and_single_line() {
        let shown = excerpt("line1\nline2 中文".as_bytes(), 8);
        assert_eq!(shown, "line1 li…");
    }
}
