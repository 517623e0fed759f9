//! Keeping credentials out of everything a human or a log might read.
//!
//! WeChat puts the access token (and, for `/cgi-bin/token`, the app secret) in the query string,
//! and answers carry tokens in their bodies, so URLs, request dumps and body excerpts all pass
//! through here before they are shown. A URL's userinfo (`user:password@`) is masked wherever a
//! URL is: a caller may have typed one, and a transport quotes the URL it failed on.

use std::borrow::Cow;
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

/// How many characters of a URL a message shows.
const URL_LIMIT: usize = 200;

/// `url` with its userinfo replaced by `***` and the values of secret query parameters too.
///
/// ```
/// let shown = review_protocol::redact::url("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t");
/// assert_eq!(shown, "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***");
/// assert_eq!(review_protocol::redact::url("http://alice:pw@proxy/x"), "http://***@proxy/x");
/// ```
pub fn url(url: &str) -> String {
    let url = url_without_userinfo(url);
    match url.split_once('?') {
        Some((path, query)) => format!("{path}?{}", form(query)),
        None => url.into_owned(),
    }
}

/// `url` with its userinfo (`user:password@`, or `user@`) replaced by `***`, for any message
/// that shows a URL someone typed. Borrowed when there is none.
///
/// It works on the text, not on a parse, so it also masks what a parser would reject (a
/// password holding `/`, `?`, `#` or a space; no scheme) and every URL nested in the query. An
/// `@` in a path or a query (`https://host/@name`, `?mail=a@b`) is left alone.
///
/// ```
/// use review_protocol::redact::url_without_userinfo;
///
/// assert_eq!(url_without_userinfo("http://alice:pw@host:8080/x"), "http://***@host:8080/x");
/// assert_eq!(url_without_userinfo("https://alice@host/"), "https://***@host/");
/// assert_eq!(url_without_userinfo("alice:pw@host"), "***@host");
/// // Nothing to hide: the same string, not a copy.
/// assert!(matches!(url_without_userinfo("https://host/@name"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn url_without_userinfo(url: &str) -> Cow<'_, str> {
    strip_userinfo(url, true)
}

/// `url` as an error message shows it: userinfo and secret parameters masked, on one line,
/// at most 200 characters followed by `…`. For any message that repeats a URL a
/// user gave (an option, a setting).
///
/// ```
/// use review_protocol::redact::url_for_message;
///
/// assert_eq!(url_for_message("http://alice:pw@host/x"), "http://***@host/x");
/// assert!(url_for_message(&format!("http://host/{}", "a".repeat(100_000))).ends_with('…'));
/// ```
pub fn url_for_message(url: &str) -> String {
    cut(&self::url(url), URL_LIMIT)
}

/// At most `limit` characters of `text` on one line, `…` marking a cut.
fn cut(text: &str, limit: usize) -> String {
    let mut shown: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(limit)
        .collect();
    if text.chars().nth(limit).is_some() {
        shown.push('…');
    }
    shown
}

/// Masks the userinfo of every URL in `text`: after each `://`, and, for a `whole` URL, at its
/// start when it has no scheme. In free text a URL ends at a space, a quote or a bracket.
fn strip_userinfo(text: &str, whole: bool) -> Cow<'_, str> {
    let schemes: Vec<usize> = text.match_indices("://").map(|(at, _)| at).collect();
    // Where each authority starts, with the `://` that ends it (the next URL's), if any.
    let mut starts: Vec<usize> = schemes.iter().map(|at| at + 3).collect();
    let scheme_first = schemes
        .first()
        .is_some_and(|&at| text.get(..at).is_some_and(is_scheme));
    if whole && !scheme_first {
        starts.insert(0, if text.starts_with("//") { 2 } else { 0 });
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    for (n, &start) in starts.iter().enumerate() {
        let next = starts
            .get(n + 1)
            .map_or(text.len(), |&s| s.saturating_sub(3).max(start));
        let mut region = text.get(start..next).unwrap_or_default();
        if !whole {
            let end = region.find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '(' | ')')
            });
            region = region.get(..end.unwrap_or(region.len())).unwrap_or(region);
        }
        if let Some(at) = userinfo_end(region) {
            out.push_str(text.get(copied..start).unwrap_or_default());
            out.push_str(MASK);
            copied = start + at;
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// Whether `s` is a URL scheme (`http`, `svn+ssh`).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The `@` that ends the userinfo at the start of `rest` (what follows `://`), if there is one.
///
/// The last `@` is tried first, since a password may hold one. Before it, text with no `/`,
/// `?` or `#` is userinfo. Text with one is a host and a path holding `@` (`host/@name`,
/// `host:8080/@name`), unless it starts with `user:password` (`:` not followed by a port):
/// then it is a password holding `/`, and masked.
fn userinfo_end(rest: &str) -> Option<usize> {
    rest.match_indices('@').rev().map(|(at, _)| at).find(|&at| {
        let before = rest.get(..at).unwrap_or_default();
        let Some(cut) = before.find(['/', '?', '#']) else {
            return true;
        };
        let head = before.get(..cut).unwrap_or_default();
        if head.starts_with('[') && head.ends_with(']') {
            return false;
        }
        match head.rsplit_once(':') {
            Some((_, port)) => port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()),
            None => false,
        }
    })
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
/// masked, wherever it stands, and the userinfo of every URL in it.
///
/// ```
/// let shown = review_protocol::redact::inline("error sending request for url (http://h/x?a=1&access_token=T0K&b=2)");
/// assert_eq!(shown, "error sending request for url (http://h/x?a=1&access_token=***&b=2)");
/// let shown = review_protocol::redact::inline("proxy http://alice:pw@proxy:3128 refused");
/// assert_eq!(shown, "proxy http://***@proxy:3128 refused");
/// ```
pub fn inline(text: &str) -> String {
    let mut out = strip_userinfo(text, false).into_owned();
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
    cut(&strip_userinfo(&masked, false), limit)
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
    fn userinfo_is_masked_in_every_shape() {
        for (raw, shown) in [
            ("http://alice:pw@host/x", "http://***@host/x"),
            ("https://alice@host", "https://***@host"),
            ("http://@host/", "http://***@host/"),
            ("http://alice:p@ss@host/", "http://***@host/"),
            ("http://alice:pa/ss@host/", "http://***@host/"),
            ("http://alice:pa?ss@host/", "http://***@host/"),
            ("http://alice:p w@host/", "http://***@host/"),
            ("http://alice@host:8080/p@q", "http://***@host:8080/p@q"),
            ("alice:pw@host:8080", "***@host:8080"),
            ("//alice:pw@host/x", "//***@host/x"),
            ("HTTPS://a:b@[::1]:8443/", "HTTPS://***@[::1]:8443/"),
            (
                "http://h/r?to=https://bob:pw@other/",
                "http://h/r?to=https://***@other/",
            ),
        ] {
            assert_eq!(url_without_userinfo(raw), shown, "{raw}");
            assert_eq!(url(raw), shown, "{raw}");
        }
    }

    #[test]
    fn an_at_in_a_path_or_query_is_not_userinfo() {
        for raw in [
            "https://host/@name",
            "https://host:8080/@name",
            "https://[::1]/@name",
            "https://host/x?mail=a@b.c",
            "https://host?mail=a:b@c",
            "host/@name",
            "not a url",
            "",
        ] {
            assert!(
                matches!(url_without_userinfo(raw), Cow::Borrowed(_)),
                "{raw}"
            );
        }
    }

    #[test]
    fn urls_in_text_lose_their_userinfo() {
        assert_eq!(
            inline(
                r#"error sending request for url (http://alice:pw@host/x?access_token=T): "boom""#
            ),
            r#"error sending request for url (http://***@host/x?access_token=***): "boom""#
        );
        assert_eq!(
            inline("two: http://a:1@h1/ and https://b:2@h2/."),
            "two: http://***@h1/ and https://***@h2/."
        );
        assert_eq!(inline("mail alice@example.com"), "mail alice@example.com");
        assert_eq!(
            excerpt(b"<a href='http://alice:pw@proxy/'>", 100),
            "<a href='http://***@proxy/'>"
        );
    }

    #[test]
    fn urls_in_messages_are_cut() {
        let long = format!("http://alice:pw@host/{}", "x".repeat(100_000));
        let shown = url_for_message(&long);
        assert_eq!(shown.chars().count(), URL_LIMIT + 1);
        assert!(shown.starts_with("http://***@host/xxx"), "{shown}");
        assert!(shown.ends_with('…'));
        assert_eq!(url_for_message("http://h/\nx"), "http://h/ x");
    }

    #[test]
    fn excerpt_is_bounded_and_single_line() {
        let shown = excerpt("line1\nline2 中文".as_bytes(), 8);
        assert_eq!(shown, "line1 li…");
    }
}
