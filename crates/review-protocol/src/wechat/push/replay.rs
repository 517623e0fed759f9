//! Telling WeChat's retries from new events, and replays from both.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};

use jiff::{SignedDuration, Timestamp};
use sha1::{Digest, Sha1};

use review_model::wechat::{BAD_SCORE_EVENT, PushEvent};

use super::Push;

/// What to do with a verified push, from what was seen before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The first delivery of this event: handle it, then call
    /// [`Deduplicator::recorded`] once it is safely kept (and only then answer success), or
    /// [`Deduplicator::abandoned`] if it could not be kept (answer an error: WeChat retries).
    New,
    /// A retry of an event already recorded: answer success, handle nothing.
    Recorded,
    /// A retry of an event whose first delivery is still being handled: wait for that one
    /// (bounded) and answer as it ends, so that success is never answered before it is kept.
    InProgress,
    /// The `timestamp` and `nonce` of an earlier delivery with another body. The plaintext
    /// `signature` does not cover the body, so this is a forged body under a captured URL:
    /// refuse it ([`PushError::NonceReused`](super::PushError::NonceReused), 401).
    Replayed,
    /// So many events arrived within the memory that remembering another would break the
    /// bound: answer 503 so that WeChat retries once older entries have expired. Nothing
    /// inside the memory is ever forgotten to make room.
    Full,
}

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InProgress,
    Recorded,
}

/// What an entry of the expiry queue refers to.
#[derive(Debug, Clone, Copy)]
enum Key {
    Event(u128),
    Nonce(u128),
}

/// Remembers recent deliveries so that a retried push is handled once and a replayed one not
/// at all.
///
/// WeChat retries a push three times when no answer comes within five seconds, so a slow
/// handler sees the same event up to four times. An event counts as seen only once it is
/// [`recorded`](Self::recorded): a retry that arrives while the first delivery is still being
/// handled is told [`Admission::InProgress`], never answered success early. Each delivery's
/// `(timestamp, nonce)` is remembered with a digest of its body, so that a captured URL
/// cannot carry another body ([`Admission::Replayed`]).
///
/// The bound is time, not a count that a burst could flush: entries are kept for `memory`
/// (default 10 minutes, twice the replay window, beyond which a delivery is refused as stale
/// anyway). `capacity` (default 1,000,000 events, some 260 MB at most, reached only by more
/// than 1,600 distinct events a second for ten minutes) only protects the process: when it is
/// reached, new events get [`Admission::Full`] until old ones expire.
/// Keys are 128-bit digests, so memory does not grow with the size of the events. The memory
/// does not survive a restart; a durable store is the caller's.
///
/// ```
/// use review_protocol::wechat::push::{Admission, Deduplicator, Format, Push};
/// use review_model::wechat::PushEvent;
/// use jiff::Timestamp;
///
/// let event = PushEvent::from_json(br#"{"ToUserName":"gh","FromUserName":"o","CreateTime":1704038400,
///     "MsgType":"event","Event":"wxa_comment_bad_score","result":{"comment_id":"1"}}"#)?;
/// let push = Push {
///     event,
///     format: Format::Json,
///     encrypted: false,
///     timestamp: Timestamp::from_second(1_704_038_400)?,
///     nonce: "n0nce".into(),
///     body_digest: [0; 20],
/// };
/// let mut seen = Deduplicator::default();
/// let now = Timestamp::from_second(1_704_038_401)?;
/// assert_eq!(seen.admit(&push, now), Admission::New);
/// assert_eq!(seen.admit(&push, now), Admission::InProgress); // a retry while we write it
/// seen.recorded(&push, now);
/// assert_eq!(seen.admit(&push, now), Admission::Recorded); // a retry afterwards
///
/// let mut forged = push.clone();
/// forged.body_digest = [1; 20];
/// assert_eq!(seen.admit(&forged, now), Admission::Replayed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Deduplicator {
    /// In milliseconds, like every stamp below (compact entries keep a busy memory in cache).
    memory: i64,
    capacity: usize,
    events: HashMap<u128, (State, i64), Digested>,
    nonces: HashMap<u128, (u128, i64), Digested>,
    order: VecDeque<(i64, Key)>,
}

/// The keys are already SHA-1 digests, uniform and not chosen by a client without the push
/// token: their low bits serve as the hash, and no second hash function runs per lookup.
#[derive(Debug, Clone, Copy, Default)]
struct Digested;

impl BuildHasher for Digested {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// See [`Digested`].
#[derive(Debug, Clone, Copy)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `u128` keys; folds anything else in anyway.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u128(&mut self, key: u128) {
        // The low 64 bits of the digest.
        self.0 = key as u64;
    }
}

/// The default memory: twice the default replay window.
pub const DEFAULT_MEMORY: SignedDuration = SignedDuration::from_mins(10);
/// The default most events (and most `(timestamp, nonce)` pairs) held.
pub const DEFAULT_CAPACITY: usize = 1_000_000;

impl Default for Deduplicator {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY, DEFAULT_CAPACITY)
    }
}

fn digest(parts: &[&[u8]]) -> u128 {
    let mut sha = Sha1::new();
    for part in parts {
        sha.update((part.len() as u64).to_le_bytes());
        sha.update(part);
    }
    truncate(&sha.finalize().into())
}

fn truncate(digest: &[u8; 20]) -> u128 {
    let mut first = [0u8; 16];
    first.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    u128::from_le_bytes(first)
}

/// What the memory knows an event by: a 128-bit digest of its [identity](Push::identity).
/// Computed once, it lets the caller report the outcome without the push at hand.
/// What the memory knows an event by: a 128-bit digest of its [identity](Push::identity).
/// Computed once, it lets the caller report the outcome without the push at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKey(u128);

impl From<&Push> for EventKey {
    fn from(push: &Push) -> Self {
        match &push.event {
            // The common case, digested from its parts without building the identity string
            // (the same parts, so the same event gives the same key).
            PushEvent::BadScore(event) => Self(digest(&[
                BAD_SCORE_EVENT.as_bytes(),
                event.from_user_name.as_bytes(),
                &event.create_time.as_second().to_le_bytes(),
                event.comment_id.as_str().as_bytes(),
            ])),
            _ => Self(digest(&[push.identity().as_bytes()])),
        }
    }
}

fn nonce_key(push: &Push) -> u128 {
    digest(&[
        &push.timestamp.as_second().to_le_bytes(),
        push.nonce.as_bytes(),
    ])
}

impl Deduplicator {
    /// Remembers deliveries for `memory` (either way: a clock stepping back forgets nothing
    /// early), at most `capacity` events.
    pub fn new(memory: SignedDuration, capacity: usize) -> Self {
        Self {
            memory: i64::try_from(memory.abs().as_millis()).unwrap_or(i64::MAX),
            capacity: capacity.max(1),
            events: HashMap::with_hasher(Digested),
            nonces: HashMap::with_hasher(Digested),
            order: VecDeque::new(),
        }
    }

    /// Tells what to do with `push`, and remembers its delivery. A [`New`](Admission::New)
    /// event is held as in progress until [`recorded`](Self::recorded) or
    /// [`abandoned`](Self::abandoned).
    pub fn admit(&mut self, push: &Push, now: Timestamp) -> Admission {
        self.admit_event(push, EventKey::from(push), now)
    }

    /// [`admit`](Self::admit), with `push`'s [`EventKey`] already computed (by a caller that
    /// keeps it to report the outcome with): the digest is taken once per push.
    pub fn admit_event(&mut self, push: &Push, event: EventKey, now: Timestamp) -> Admission {
        let now = now.as_millisecond();
        self.forget(now);
        let nonce = nonce_key(push);
        let body = truncate(&push.body_digest);
        match self.nonces.get(&nonce) {
            Some((seen_body, _)) if *seen_body != body => return Admission::Replayed,
            Some(_) => {}
            None if self.nonces.len() < self.capacity => {
                self.nonces.insert(nonce, (body, now));
                self.order.push_back((now, Key::Nonce(nonce)));
            }
            // Full: a retry of a known event is still answered below; a new one is refused.
            None => {}
        }
        let EventKey(key) = event;
        match self.events.get(&key) {
            Some((State::Recorded, _)) => Admission::Recorded,
            Some((State::InProgress, _)) => Admission::InProgress,
            None if self.events.len() >= self.capacity => Admission::Full,
            None => {
                self.events.insert(key, (State::InProgress, now));
                self.order.push_back((now, Key::Event(key)));
                Admission::New
            }
        }
    }

    /// The event (a `&Push` or its [`EventKey`]) is safely kept: its retries are
    /// [`Recorded`](Admission::Recorded) from now on, for the whole memory.
    pub fn recorded(&mut self, event: impl Into<EventKey>, now: Timestamp) {
        let now = now.as_millisecond();
        let EventKey(key) = event.into();
        match self.events.entry(key) {
            Entry::Occupied(mut entry) => *entry.get_mut() = (State::Recorded, now),
            Entry::Vacant(entry) => {
                entry.insert((State::Recorded, now));
            }
        }
        self.order.push_back((now, Key::Event(key)));
    }

    /// The event (a `&Push` or its [`EventKey`]) could not be kept: forget it, so that
    /// WeChat's retry is [`New`](Admission::New) again. Its `(timestamp, nonce)` stays
    /// remembered.
    pub fn abandoned(&mut self, event: impl Into<EventKey>) {
        let EventKey(key) = event.into();
        self.events.remove(&key);
    }

    /// How many events are remembered (in progress or recorded).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is remembered.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Drops entries older than the memory. An entry re-stamped since (recorded later, or
    /// admitted again after being abandoned) is dropped by its newest stamp only; an event
    /// still in progress is never dropped.
    fn forget(&mut self, now: i64) {
        while let Some(&(at, key)) = self.order.front() {
            let age = now.saturating_sub(at);
            if age <= self.memory && age >= -self.memory {
                break;
            }
            self.order.pop_front();
            match key {
                Key::Event(key) => {
                    if let Some(&(state, stamped)) = self.events.get(&key)
                        && stamped == at
                    {
                        if state == State::InProgress {
                            self.events.insert(key, (state, now));
                            self.order.push_back((now, Key::Event(key)));
                        } else {
                            self.events.remove(&key);
                        }
                    }
                }
                Key::Nonce(key) => {
                    if self
                        .nonces
                        .get(&key)
                        .is_some_and(|&(_, stamped)| stamped == at)
                    {
                        self.nonces.remove(&key);
                    }
                }
            }
        }
    }
}
