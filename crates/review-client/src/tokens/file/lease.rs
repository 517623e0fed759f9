//! The refresh lock's lease file: who holds the lock and until when, as one line of text.

use jiff::Timestamp;
use review_protocol::wechat::token_share::LockOwner;

/// A refresh lock as stored: `<until_ms> <owner>\n`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Lease {
    pub(super) owner: String,
    pub(super) until: Timestamp,
}

impl Lease {
    /// `owner`'s lease ending at `until`, rounded up to the millisecond that is stored, so a
    /// lease never ends before the time asked for.
    pub(super) fn new(owner: &LockOwner, until: Timestamp) -> Self {
        let ms = until.as_millisecond();
        let ms = match Timestamp::from_millisecond(ms) {
            Ok(stored) if stored < until => ms.saturating_add(1),
            _ => ms,
        };
        Self {
            owner: owner.as_str().to_owned(),
            until: Timestamp::from_millisecond(ms).unwrap_or(until),
        }
    }

    /// Whether the lock is free at `now`: its lease has run out.
    pub(super) fn expired(&self, now: Timestamp) -> bool {
        self.until <= now
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        format!("{} {}\n", self.until.as_millisecond(), self.owner).into_bytes()
    }

    /// `None` if the bytes are not a lease (a file cut short by a power loss): the lock is then
    /// taken as free, which costs at most one extra refresh, never a wrong token, since writes
    /// are compare-and-set.
    pub(super) fn decode(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?.strip_suffix('\n')?;
        let (until, owner) = text.split_once(' ')?;
        let until = Timestamp::from_millisecond(until.parse().ok()?).ok()?;
        (!owner.is_empty()).then(|| Self {
            owner: owner.to_owned(),
            until,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rounds_up() {
        let owner = LockOwner::from_random(0xabc);
        let until: Timestamp = "2026-12-01T00:00:10.0004Z".parse().unwrap();
        let lease = Lease::new(&owner, until);
        assert_eq!(lease.until, "2026-12-01T00:00:10.001Z".parse().unwrap());
        assert_eq!(Lease::decode(&lease.encode()), Some(lease));
        assert_eq!(Lease::decode(b"12 "), None);
        assert_eq!(Lease::decode(b"12 x"), None);
        assert_eq!(Lease::decode(b"x y\n"), None);
    }
}
