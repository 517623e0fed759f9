//! What a shared store's entries are named by, and who holds a lock.

use std::fmt;

use review_model::AppId;

use crate::wechat::token_cache::RefreshKind;

/// The token a record holds: one per API host, app and kind of token.
///
/// Plain and stable tokens are separate records because WeChat keeps them apart: a plain
/// token in the record of stable ones would be handed to processes that never asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreKey {
    host: String,
    appid: AppId,
    kind: RefreshKind,
}

impl StoreKey {
    /// The record of `appid`'s `kind` tokens at `host` (`api.weixin.qq.com`, `127.0.0.1:8080`).
    pub fn new(host: impl Into<String>, appid: AppId, kind: RefreshKind) -> Self {
        Self {
            host: host.into(),
            appid,
            kind,
        }
    }

    /// The API host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The app.
    pub fn appid(&self) -> &AppId {
        &self.appid
    }

    /// Plain or stable.
    pub fn kind(&self) -> RefreshKind {
        self.kind
    }

    /// A name made of `[A-Za-z0-9._-]` only, unique per key, for a file name or a Redis key:
    /// `api.weixin.qq.com_wx1234_stable`. Other bytes are written as `%XX`-like `-XX` escapes,
    /// so two different keys never share a name.
    pub fn slug(&self) -> String {
        let kind = match self.kind {
            RefreshKind::Plain => "plain",
            RefreshKind::Stable => "stable",
        };
        format!(
            "{}_{}_{kind}",
            escape(&self.host),
            escape(self.appid.as_str())
        )
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' => out.push(char::from(byte)),
            _ => {
                out.push('-');
                out.push_str(&format!("{byte:02x}"));
            }
        }
    }
    out
}

/// Who holds a refresh lock: random per refresh, so that a lock is released only by its
/// holder (compare-and-delete), never by a process whose own lease ran out meanwhile.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LockOwner(String);

impl LockOwner {
    /// An owner named by 128 random bits (the driver's randomness; this crate has none).
    pub fn from_random(bits: u128) -> Self {
        Self(format!("{bits:032x}"))
    }

    /// The owner's value, as stored beside the lock.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LockOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockOwner({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_distinct() {
        let a = StoreKey::new("api.weixin.qq.com", AppId::new("wx1"), RefreshKind::Stable);
        assert_eq!(a.slug(), "api.weixin.qq.com_wx1_stable");
        let b = StoreKey::new("127.0.0.1:80", AppId::new("a/b_c"), RefreshKind::Plain);
        assert_eq!(b.slug(), "127.0.0.1-3a80_a-2fb-5fc_plain");
        let c = StoreKey::new("127.0.0.1:80", AppId::new("a/b_c"), RefreshKind::Stable);
        assert_ne!(b.slug(), c.slug());
    }
}
