//! The record a shared store keeps per [`StoreKey`](super::StoreKey), and its JSON form.

use jiff::{SignedDuration, Timestamp};
use review_model::AccessToken;
use serde::{Deserialize, Serialize};

use super::force::ForceLog;

/// The format of [`TokenRecord::encode`]; a record of another version is treated as absent
/// and overwritten by the next refresh, so an upgrade never strands a store.
const FORMAT: u32 = 1;

/// A token as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token (`Debug` shows `***`).
    pub access_token: AccessToken,
    /// When the refresh that fetched it was sent: its lifetime counts from here.
    pub obtained_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
}

impl StoredToken {
    /// When a token this fresh should be replaced: `margin` before expiry, at most half its life.
    pub fn refresh_at(&self, margin: SignedDuration) -> Timestamp {
        let half = self
            .expires_at
            .duration_since(self.obtained_at)
            .checked_div(2)
            .unwrap_or(SignedDuration::ZERO)
            .max(SignedDuration::ZERO);
        let margin = margin.max(SignedDuration::ZERO).min(half);
        self.expires_at
            .checked_sub(margin)
            .unwrap_or(Timestamp::MIN)
    }

    /// Whether it may be used at `now` without a refresh.
    pub fn fresh(&self, now: Timestamp, margin: SignedDuration) -> bool {
        now < self.refresh_at(margin)
    }
}

/// What a shared store holds for one key.
///
/// `Debug` shows no token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRecord {
    /// Bumped by every write: a write names the generation it read and loses if another
    /// write came first (compare-and-set).
    pub generation: u64,
    /// The current token, if any.
    pub token: Option<StoredToken>,
    /// The last tokens WeChat refused, oldest first, at most [`TokenRecord::REFUSED_KEPT`]:
    /// never stored again, and if an unforced stable refresh hands one back, the refresh is
    /// forced. More than one, because a late report of an older token must not push a newer
    /// refused one out.
    pub refused: Vec<AccessToken>,
    /// The forced refreshes of the day.
    pub forced: ForceLog,
}

/// A stored record that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("the token record is not valid JSON of format {FORMAT}: {0}")]
pub struct RecordError(String);

#[derive(Serialize, Deserialize)]
struct Wire {
    format: u32,
    generation: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<WireToken>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    refused_tokens: Vec<String>,
    #[serde(default)]
    forced_day: i64,
    #[serde(default)]
    forced_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    forced_last_at_ms: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct WireToken {
    access_token: String,
    obtained_at_ms: i64,
    expires_at_ms: i64,
}

impl TokenRecord {
    /// The record's JSON, as stored. It holds the token: keep it where only its owner reads.
    pub fn encode(&self) -> Vec<u8> {
        let wire = Wire {
            format: FORMAT,
            generation: self.generation,
            token: self.token.as_ref().map(|t| WireToken {
                access_token: t.access_token.expose_secret().to_owned(),
                obtained_at_ms: t.obtained_at.as_millisecond(),
                expires_at_ms: t.expires_at.as_millisecond(),
            }),
            refused_tokens: self
                .refused
                .iter()
                .map(|t| t.expose_secret().to_owned())
                .collect(),
            forced_day: self.forced.day,
            forced_count: self.forced.count,
            forced_last_at_ms: self.forced.last_at.map(Timestamp::as_millisecond),
        };
        // A struct of strings, numbers and timestamps always serializes.
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// Reads a stored record. The error never quotes the bytes, which may hold a token.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let wire: Wire = serde_json::from_slice(bytes).map_err(|e| {
            RecordError(format!(
                "{} at line {} column {}",
                category(&e),
                e.line(),
                e.column()
            ))
        })?;
        if wire.format != FORMAT {
            return Err(RecordError(format!("format {} found", wire.format)));
        }
        let token = match wire.token {
            Some(t) => Some(StoredToken {
                access_token: AccessToken::new(t.access_token),
                obtained_at: millis(t.obtained_at_ms)?,
                expires_at: millis(t.expires_at_ms)?,
            }),
            None => None,
        };
        let last_at = wire.forced_last_at_ms.map(millis).transpose()?;
        Ok(Self {
            generation: wire.generation,
            token,
            refused: wire
                .refused_tokens
                .into_iter()
                .map(AccessToken::new)
                .collect(),
            forced: ForceLog {
                day: wire.forced_day,
                count: wire.forced_count,
                last_at,
            },
        })
    }

    /// How many refused tokens a record keeps.
    pub const REFUSED_KEPT: usize = 4;

    /// Whether WeChat refused `token`.
    pub fn is_refused(&self, token: &AccessToken) -> bool {
        self.refused.contains(token)
    }

    /// Remembers that WeChat refused `token`, forgetting the oldest beyond
    /// [`REFUSED_KEPT`](Self::REFUSED_KEPT).
    pub fn refuse(&mut self, token: AccessToken) {
        if !self.is_refused(&token) {
            self.refused.push(token);
        }
        let excess = self.refused.len().saturating_sub(Self::REFUSED_KEPT);
        self.refused.drain(..excess);
    }

    /// The stored token if it may be used at `now` without a refresh.
    pub fn fresh_token(&self, now: Timestamp, margin: SignedDuration) -> Option<&StoredToken> {
        self.token.as_ref().filter(|t| t.fresh(now, margin))
    }
}

fn millis(ms: i64) -> Result<Timestamp, RecordError> {
    Timestamp::from_millisecond(ms)
        .map_err(|_| RecordError(format!("{ms} ms is not a time jiff can represent")))
}

fn category(err: &serde_json::Error) -> &'static str {
    match err.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "unexpected fields",
        serde_json::error::Category::Eof => "cut short",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hides_the_token() {
        let record = TokenRecord {
            generation: 7,
            token: Some(StoredToken {
                access_token: AccessToken::new("t0ken"),
                obtained_at: "2026-12-01T00:00:00Z".parse().unwrap(),
                expires_at: "2026-12-01T02:00:00Z".parse().unwrap(),
            }),
            refused: vec![AccessToken::new("dead")],
            forced: ForceLog {
                day: 20_000,
                count: 3,
                last_at: Some("2026-12-01T00:00:00Z".parse().unwrap()),
            },
        };
        assert_eq!(TokenRecord::decode(&record.encode()).unwrap(), record);
        assert!(!format!("{record:?}").contains("t0ken"));
        let err =
            TokenRecord::decode(br#"{"format":1,"generation":1,"token":{"access_token":"t0ken"}}"#)
                .unwrap_err();
        assert!(!err.to_string().contains("t0ken"), "{err}");
        assert!(TokenRecord::decode(br#"{"format":2,"generation":1}"#).is_err());
    }

    #[test]
    fn freshness_uses_the_margin_capped_at_half_life() {
        let token = StoredToken {
            access_token: AccessToken::new("t"),
            obtained_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            expires_at: "2026-12-01T00:04:00Z".parse().unwrap(),
        };
        let margin = SignedDuration::from_mins(5);
        assert!(token.fresh("2026-12-01T00:01:59Z".parse().unwrap(), margin));
        assert!(!token.fresh("2026-12-01T00:02:00Z".parse().unwrap(), margin));
    }
}
