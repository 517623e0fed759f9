//! The four operations as Redis commands and scripts, on a blocking connection and an async one.

use std::sync::LazyLock;

use jiff::SignedDuration;
use redis::aio::MultiplexedConnection;
use redis::{Cmd, Connection, RedisError, RedisResult, Script, ScriptInvocation};
use review_protocol::wechat::token_share::{LockOwner, StoreAnswer, StoreOp, TokenRecord};

/// How long a record outlives its token: a day, so that the day's count of forced refreshes
/// (which only a token error followed by a forced refresh spends) outlives the token too.
pub(crate) const KEPT_PAST_EXPIRY_MS: i64 = 24 * 3600 * 1000;

/// The longest lease `PX` is given; Redis refuses one whose end overflows its clock.
const MAX_LEASE_MS: i64 = i64::MAX / 4;

/// Compare-and-set on the generation. `ARGV`: the expected generation (`''`: none), the new
/// one, the record, and when the key expires (Unix ms, `''`: never).
static PUT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('HGET', KEYS[1], 'generation')
if (ARGV[1] == '' and not current) or current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'generation', ARGV[2], 'record', ARGV[3])
  if ARGV[4] == '' then
    redis.call('PERSIST', KEYS[1])
  else
    redis.call('PEXPIREAT', KEYS[1], ARGV[4])
  end
  return 1
end
return 0
",
    )
});

/// Compare-and-delete on the lock's owner.
static UNLOCK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// Deletes a record that cannot be read, if it is still the one read (same generation field,
/// `ARGV[1]`), or a key of another type than a hash.
static DISCARD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then
  return 0
end
if kind ~= 'hash' or redis.call('HGET', KEYS[1], 'generation') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// The two keys of a [`StoreKey`](review_protocol::wechat::token_share::StoreKey)'s entry.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub(crate) record: String,
    pub(crate) lock: String,
}

/// What an operation is doing, for messages.
pub(crate) fn action(op: &StoreOp) -> &'static str {
    match op {
        StoreOp::Load => "load the token record",
        StoreOp::Put { .. } => "write the token record",
        StoreOp::Lock { .. } => "take the refresh lock",
        StoreOp::Unlock { .. } => "release the refresh lock",
    }
}

/// What `HMGET generation record` found.
enum Entry {
    /// A record to answer (`None`: none, or one without a generation, which a `Put` expecting
    /// none overwrites).
    Read(Option<TokenRecord>),
    /// A record that cannot be read, with the generation field seen (empty: the key is not a
    /// hash). A `Put` expecting none would never match it, so it is deleted.
    Damaged(Vec<u8>),
}

fn entry(generation: Option<Vec<u8>>, record: Option<Vec<u8>>) -> Entry {
    let Some(generation) = generation else {
        return Entry::Read(None);
    };
    let decoded = record.and_then(|bytes| TokenRecord::decode(&bytes).ok());
    match decoded {
        // The field is what `Put` compares; a record that disagrees with it could never be
        // replaced by the generation it names.
        Some(record) if record.generation.to_string().as_bytes() == generation.as_slice() => {
            Entry::Read(Some(record))
        }
        _ => Entry::Damaged(generation),
    }
}

fn is_wrong_type(err: &RedisError) -> bool {
    err.code() == Some("WRONGTYPE")
}

fn load_cmd(keys: &Keys) -> Cmd {
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(&keys.record).arg("generation").arg("record");
    cmd
}

fn discard(keys: &Keys, generation: &[u8]) -> ScriptInvocation<'static> {
    let mut invocation = DISCARD.prepare_invoke();
    invocation.key(&keys.record).arg(generation);
    invocation
}

fn put(keys: &Keys, expected: Option<u64>, record: &TokenRecord) -> ScriptInvocation<'static> {
    let expected = expected.map(|g| g.to_string()).unwrap_or_default();
    let expire_at = expire_at_ms(record)
        .map(|ms| ms.to_string())
        .unwrap_or_default();
    let mut invocation = PUT.prepare_invoke();
    invocation
        .key(&keys.record)
        .arg(expected)
        .arg(record.generation.to_string())
        .arg(record.encode())
        .arg(expire_at);
    invocation
}

/// When a record's key expires: a day past its token's expiry; never if it holds no token (a
/// cleared token's record keeps the refused token and the day's forced refreshes, which must not be lost).
pub(crate) fn expire_at_ms(record: &TokenRecord) -> Option<i64> {
    record.token.as_ref().map(|token| {
        token
            .expires_at
            .as_millisecond()
            .saturating_add(KEPT_PAST_EXPIRY_MS)
    })
}

/// `lease` in whole milliseconds, rounded up, at least one (`PX 0` is refused).
pub(crate) fn lease_ms(lease: SignedDuration) -> i64 {
    let ms = lease
        .as_nanos()
        .saturating_add(999_999)
        .div_euclid(1_000_000);
    i64::try_from(ms.clamp(1, i128::from(MAX_LEASE_MS))).unwrap_or(MAX_LEASE_MS)
}

fn lock_cmd(keys: &Keys, owner: &LockOwner, lease: SignedDuration) -> Cmd {
    let mut cmd = redis::cmd("SET");
    cmd.arg(&keys.lock)
        .arg(owner.as_str())
        .arg("NX")
        .arg("PX")
        .arg(lease_ms(lease));
    cmd
}

fn unlock(keys: &Keys, owner: &LockOwner) -> ScriptInvocation<'static> {
    let mut invocation = UNLOCK.prepare_invoke();
    invocation.key(&keys.lock).arg(owner.as_str());
    invocation
}

/// Carries out `op` on a blocking connection.
pub(crate) fn run_blocking(
    conn: &mut Connection,
    keys: &Keys,
    op: &StoreOp,
) -> RedisResult<StoreAnswer> {
    match op {
        StoreOp::Load => {
            let found = match load_cmd(keys).query::<(Option<Vec<u8>>, Option<Vec<u8>>)>(conn) {
                Ok((generation, record)) => entry(generation, record),
                Err(err) if is_wrong_type(&err) => Entry::Damaged(Vec::new()),
                Err(err) => return Err(err),
            };
            match found {
                Entry::Read(record) => Ok(StoreAnswer::Record(record)),
                Entry::Damaged(generation) => {
                    discard(keys, &generation).invoke::<i64>(conn)?;
                    Ok(StoreAnswer::Record(None))
                }
            }
        }
        StoreOp::Put { expected, record } => {
            let written = put(keys, *expected, record).invoke::<i64>(conn)?;
            Ok(StoreAnswer::Written(written == 1))
        }
        // Redis's clock runs the lease (`PX`): the caller's `now` is not needed.
        StoreOp::Lock { owner, lease, .. } => {
            let set = lock_cmd(keys, owner, *lease).query::<Option<String>>(conn)?;
            Ok(StoreAnswer::Locked(set.is_some()))
        }
        StoreOp::Unlock { owner } => {
            unlock(keys, owner).invoke::<i64>(conn)?;
            Ok(StoreAnswer::Unlocked)
        }
    }
}

/// Carries out `op` on an async connection: the same commands as [`run_blocking`].
pub(crate) async fn run_async(
    conn: &mut MultiplexedConnection,
    keys: &Keys,
    op: &StoreOp,
) -> RedisResult<StoreAnswer> {
    match op {
        StoreOp::Load => {
            let found = match load_cmd(keys)
                .query_async::<(Option<Vec<u8>>, Option<Vec<u8>>)>(conn)
                .await
            {
                Ok((generation, record)) => entry(generation, record),
                Err(err) if is_wrong_type(&err) => Entry::Damaged(Vec::new()),
                Err(err) => return Err(err),
            };
            match found {
                Entry::Read(record) => Ok(StoreAnswer::Record(record)),
                Entry::Damaged(generation) => {
                    discard(keys, &generation).invoke_async::<i64>(conn).await?;
                    Ok(StoreAnswer::Record(None))
                }
            }
        }
        StoreOp::Put { expected, record } => {
            let written = put(keys, *expected, record)
                .invoke_async::<i64>(conn)
                .await?;
            Ok(StoreAnswer::Written(written == 1))
        }
        StoreOp::Lock { owner, lease, .. } => {
            let set = lock_cmd(keys, owner, *lease)
                .query_async::<Option<String>>(conn)
                .await?;
            Ok(StoreAnswer::Locked(set.is_some()))
        }
        StoreOp::Unlock { owner } => {
            unlock(keys, owner).invoke_async::<i64>(conn).await?;
            Ok(StoreAnswer::Unlocked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_round_up_to_a_millisecond() {
        assert_eq!(lease_ms(SignedDuration::from_secs(10)), 10_000);
        assert_eq!(lease_ms(SignedDuration::from_micros(1_500)), 2);
        assert_eq!(lease_ms(SignedDuration::ZERO), 1);
        assert_eq!(lease_ms(SignedDuration::from_secs(-5)), 1);
        assert_eq!(lease_ms(SignedDuration::MAX), MAX_LEASE_MS);
    }

    #[test]
    fn a_record_disagreeing_with_its_generation_field_is_damaged() {
        let record = TokenRecord {
            generation: 3,
            ..TokenRecord::default()
        };
        let bytes = record.encode();
        assert!(matches!(
            entry(Some(b"3".to_vec()), Some(bytes.clone())),
            Entry::Read(Some(_))
        ));
        assert!(matches!(
            entry(Some(b"4".to_vec()), Some(bytes.clone())),
            Entry::Damaged(_)
        ));
        assert!(matches!(
            entry(Some(b"3".to_vec()), Some(b"{".to_vec())),
            Entry::Damaged(_)
        ));
        assert!(matches!(
            entry(Some(b"3".to_vec()), None),
            Entry::Damaged(_)
        ));
        assert!(matches!(entry(None, Some(bytes)), Entry::Read(None)));
    }
}
