//! What a push leaves in the mirror's `push_events`: its dedup key, tenant, event, comment id,
//! times and the decrypted event as JSON.

use std::fmt::Write as _;

use jiff::Timestamp;
use review_model::wechat::PushEvent;
use review_protocol::wechat::push::Push;
use review_store::{PushRecord, PushStatus};
use serde_json::Value;
use sha1::{Digest, Sha1};

/// A push as `push_events` keeps it, owned so that it can cross to the database thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PushEntry {
    pub(super) dedup_key: String,
    pub(super) tenant: String,
    pub(super) event: String,
    pub(super) comment_id: Option<String>,
    pub(super) create_time: Timestamp,
    pub(super) received_at: Timestamp,
    pub(super) raw: String,
    pub(super) status: PushStatus,
}

impl PushEntry {
    /// The entry for `push`, received at `received_at`, kept for `appid` when the WeChat app is
    /// known (else for the push's `ToUserName`). A bad review is `pending` when a fetcher will
    /// read its detail (`fetch`), else `received`, like every other event.
    pub(super) fn of(
        push: &Push,
        appid: Option<&str>,
        fetch: bool,
        received_at: Timestamp,
    ) -> Self {
        let fields = push.event.to_fields();
        let to_user = match &push.event {
            PushEvent::BadScore(event) => Some(event.to_user_name.clone()),
            _ => text(&fields, "ToUserName"),
        };
        let tenant = appid
            .map(str::to_owned)
            .or(to_user)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| String::from("unknown"));
        let (comment_id, create_time) = match &push.event {
            PushEvent::BadScore(event) => (Some(event.comment_id.to_string()), event.create_time),
            _ => (None, create_time(&fields).unwrap_or(received_at)),
        };
        let status = if fetch && comment_id.is_some() {
            PushStatus::Pending
        } else {
            PushStatus::Received
        };
        Self {
            dedup_key: dedup_key(push),
            tenant,
            event: push.event.name().to_owned(),
            comment_id,
            create_time,
            received_at,
            raw: Value::Object(fields).to_string(),
            status,
        }
    }

    /// The record `record_push` takes.
    pub(super) fn as_record(&self) -> PushRecord<'_> {
        PushRecord {
            dedup_key: &self.dedup_key,
            tenant: &self.tenant,
            event: &self.event,
            comment_id: self.comment_id.as_deref(),
            create_time: self.create_time,
            received_at: self.received_at,
            raw: &self.raw,
            status: self.status,
        }
    }
}

/// What identifies an event across WeChat's retries and across instances: the protocol's
/// [`Push::identity`], which the in-memory `Deduplicator` digests too. A bad review's is
/// readable (`wxa_comment_bad_score:<FromUserName>:<CreateTime>:<comment id>`); any other
/// event's holds all its fields, so it is kept as its name and the identity's SHA-1, which
/// keeps the unique index small.
pub(super) fn dedup_key(push: &Push) -> String {
    let identity = push.identity();
    match &push.event {
        PushEvent::BadScore(_) => identity,
        other => {
            let digest = Sha1::digest(identity.as_bytes());
            let mut key = String::with_capacity(other.name().len() + 41);
            key.push_str(other.name());
            key.push(':');
            for byte in digest {
                let _ = write!(key, "{byte:02x}");
            }
            key
        }
    }
}

fn text(fields: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An event's `CreateTime` (seconds, as a number or a string).
fn create_time(fields: &serde_json::Map<String, Value>) -> Option<Timestamp> {
    let seconds: i64 = text(fields, "CreateTime")?.trim().parse().ok()?;
    Timestamp::from_second(seconds).ok()
}

#[cfg(test)]
mod tests {
    use review_protocol::wechat::push::Format;

    use super::*;

    fn push(body: &[u8], nonce: &str) -> Push {
        Push {
            event: PushEvent::from_json(body).unwrap(),
            format: Format::Json,
            encrypted: false,
            timestamp: Timestamp::from_second(1_704_038_400).unwrap(),
            nonce: nonce.to_owned(),
            body_digest: [0; 20],
        }
    }

    const BAD: &[u8] = br#"{"ToUserName":"gh_abc","FromUserName":"oXYZ","CreateTime":1704038400,"MsgType":"event","Event":"wxa_comment_bad_score","result":{"comment_id":"2272502024443330610"}}"#;
    const OTHER: &[u8] =
        br#"{"ToUserName":"gh_abc","FromUserName":"oX","CreateTime":"1704038401","MsgType":"event","Event":"weapp_audit_success","SuccTime":1}"#;

    #[test]
    fn a_bad_review_is_keyed_by_its_event_time_and_comment() {
        let now = Timestamp::from_second(1_704_038_460).unwrap();
        let entry = PushEntry::of(&push(BAD, "a"), Some("wx1"), true, now);
        assert_eq!(
            entry.dedup_key,
            "wxa_comment_bad_score:oXYZ:1704038400:2272502024443330610"
        );
        assert_eq!(entry.tenant, "wx1");
        assert_eq!(entry.event, "wxa_comment_bad_score");
        assert_eq!(entry.comment_id.as_deref(), Some("2272502024443330610"));
        assert_eq!(entry.create_time.as_second(), 1_704_038_400);
        assert_eq!(entry.received_at, now);
        assert_eq!(entry.status, PushStatus::Pending);
        let raw: Value = serde_json::from_str(&entry.raw).unwrap();
        assert_eq!(raw["result"]["comment_id"], "2272502024443330610");
        // A retry (another nonce, the same event) has the same key; without an app the
        // tenant is the push's ToUserName, and without a fetcher nothing is pending.
        let retry = PushEntry::of(&push(BAD, "b"), None, false, now);
        assert_eq!(retry.dedup_key, entry.dedup_key);
        assert_eq!(retry.tenant, "gh_abc");
        assert_eq!(retry.status, PushStatus::Received);
    }

    #[test]
    fn other_events_are_keyed_by_name_and_digest_and_never_pending() {
        let now = Timestamp::from_second(1_704_038_460).unwrap();
        let entry = PushEntry::of(&push(OTHER, "a"), None, true, now);
        assert!(entry.dedup_key.starts_with("weapp_audit_success:"));
        assert_eq!(entry.dedup_key.len(), "weapp_audit_success:".len() + 40);
        assert_eq!(entry.status, PushStatus::Received);
        assert_eq!(entry.comment_id, None);
        assert_eq!(entry.create_time.as_second(), 1_704_038_401);
        assert_eq!(entry.tenant, "gh_abc");
        assert_eq!(
            PushEntry::of(&push(OTHER, "b"), None, true, now).dedup_key,
            entry.dedup_key
        );
        let changed = br#"{"ToUserName":"gh_abc","FromUserName":"oX","CreateTime":"1704038401","MsgType":"event","Event":"weapp_audit_success","SuccTime":2}"#;
        assert_ne!(
            PushEntry::of(&push(changed, "a"), None, true, now).dedup_key,
            entry.dedup_key
        );
    }
}
