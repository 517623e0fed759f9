//! Telling WeChat's retries from new events.

use std::collections::{HashMap, VecDeque};

use jiff::{SignedDuration, Timestamp};

use super::Push;

/// Remembers recent deliveries so that a retried push is handled once.
///
/// WeChat retries a push three times when no answer comes within five seconds, so a slow
/// handler sees the same event up to four times. Entries are forgotten after `memory` (default
/// 10 minutes, twice the replay window) or when more than `capacity` are held; both bounds keep
/// the memory of a long-running server flat.
///
/// ```
/// use review_protocol::push::{Deduplicator, Format, Push};
/// use review_model::wechat::PushEvent;
/// use jiff::Timestamp;
///
/// let event = PushEvent::from_json(br#"{"ToUserName":"gh","FromUserName":"o","CreateTime":1704038400,
///     "MsgType":"event","Event":"wxa_comment_bad_score","result":{"comment_id":"1"}}"#)?;
/// let push = Push { event, format: Format::Json, encrypted: false, timestamp: Timestamp::from_second(1_704_038_400)? };
/// let mut seen = Deduplicator::default();
/// let now = Timestamp::from_second(1_704_038_401)?;
/// assert!(seen.first_delivery(&push, now));
/// assert!(!seen.first_delivery(&push, now)); // the retry
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Deduplicator {
    memory: SignedDuration,
    capacity: usize,
    seen: HashMap<String, Timestamp>,
    order: VecDeque<(Timestamp, String)>,
}

impl Default for Deduplicator {
    fn default() -> Self {
        Self::new(SignedDuration::from_mins(10), 10_000)
    }
}

impl Deduplicator {
    /// Remembers deliveries for `memory`, at most `capacity` of them.
    pub fn new(memory: SignedDuration, capacity: usize) -> Self {
        Self {
            memory,
            capacity: capacity.max(1),
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether this is the first delivery of `push`'s event; records it.
    pub fn first_delivery(&mut self, push: &Push, now: Timestamp) -> bool {
        self.forget(now);
        let identity = push.identity();
        if self.seen.contains_key(&identity) {
            return false;
        }
        self.seen.insert(identity.clone(), now);
        self.order.push_back((now, identity));
        while self.order.len() > self.capacity {
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// How many deliveries are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    fn forget(&mut self, now: Timestamp) {
        while let Some((at, _)) = self.order.front() {
            let age = now.duration_since(*at);
            if age <= self.memory && age >= -self.memory {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }
}
