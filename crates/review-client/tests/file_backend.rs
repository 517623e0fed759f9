//! `FileBackend` within one process: the four operations answer exactly as `MemoryBackend`'s,
//! files are private, replacement is atomic, damaged files read as absent, and two instances
//! on one directory exclude each other. Other processes: `file_backend_processes.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::Path;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_client::{FileBackend, FileStoreError, MemoryBackend, TokenBackend};
use review_model::{AccessToken, AppId};
use review_protocol::wechat::token_cache::RefreshKind;
use review_protocol::wechat::token_share::{
    ForceLog, LockOwner, StoreAnswer, StoreKey, StoreOp, StoredToken, TokenRecord,
};

const SECRET_TOKEN: &str = "SECRET-TOKEN-never-in-a-message";

fn key() -> StoreKey {
    StoreKey::new("127.0.0.1:8080", AppId::new("wx1"), RefreshKind::Stable)
}

fn other_key() -> StoreKey {
    StoreKey::new("127.0.0.1:8080", AppId::new("wx1"), RefreshKind::Plain)
}

/// A millisecond-aligned time: the file store keeps leases to the millisecond.
fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_800_000_000_000 + ms).unwrap()
}

fn record(generation: u64, token: Option<&str>) -> TokenRecord {
    TokenRecord {
        generation,
        token: token.map(|t| StoredToken {
            access_token: AccessToken::new(t),
            obtained_at: at(0),
            expires_at: at(7_200_000),
        }),
        refused: if generation.is_multiple_of(3) {
            vec![AccessToken::new("dead")]
        } else {
            Vec::new()
        },
        forced: ForceLog {
            day: 20_000,
            count: u32::try_from(generation % 5).unwrap(),
            last_at: None,
        },
    }
}

fn owner(n: u128) -> LockOwner {
    LockOwner::from_random(n)
}

fn put(expected: Option<u64>, token: &str) -> StoreOp {
    StoreOp::Put {
        expected,
        record: record(expected.map_or(0, |g| g + 1), Some(token)),
    }
}

fn lock(who: u128, lease_ms: i64, now_ms: i64) -> StoreOp {
    StoreOp::Lock {
        owner: owner(who),
        lease: SignedDuration::from_millis(lease_ms),
        now: at(now_ms),
    }
}

fn unlock(who: u128) -> StoreOp {
    StoreOp::Unlock { owner: owner(who) }
}

/// `run_async` of a store that runs inline: ready at the first poll.
fn run_async(backend: &dyn TokenBackend, key: &StoreKey, op: StoreOp) -> StoreAnswer {
    let mut future = backend.run_async(key, op);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(answer) => answer.unwrap(),
        Poll::Pending => panic!("the file store's async face must run inline"),
    }
}

fn load(backend: &dyn TokenBackend) -> Option<TokenRecord> {
    match backend.run_blocking(&key(), StoreOp::Load).unwrap() {
        StoreAnswer::Record(record) => record,
        other => panic!("Load answered {other:?}"),
    }
}

/// Runs `ops` against a fresh `MemoryBackend` and against `file`, alternating the blocking and
/// async faces, and fails at the first answer that differs.
fn mirror(file: &FileBackend, ops: &[(StoreKey, StoreOp)]) {
    let memory = MemoryBackend::new();
    for (i, (key, op)) in ops.iter().enumerate() {
        let expected = memory.run_blocking(key, op.clone()).unwrap();
        let got = if i % 2 == 0 {
            file.run_blocking(key, op.clone()).unwrap()
        } else {
            run_async(file, key, op.clone())
        };
        assert_eq!(got, expected, "operation {i}: {op:?}");
    }
}

#[test]
fn operations_answer_as_the_memory_backend_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let k = key();
    let ops = [
        StoreOp::Load,
        put(Some(0), "a"), // nothing stored: refused
        put(None, "a"),    // written, generation 0
        put(None, "b"),    // refused: there is a record now
        StoreOp::Load,
        put(Some(1), "b"), // wrong generation
        put(Some(0), "b"), // written, generation 1
        StoreOp::Load,
        lock(1, 10_000, 0),      // taken
        lock(2, 10_000, 5_000),  // held by 1
        lock(1, 10_000, 5_000),  // held, even by its own owner
        unlock(2),               // not 2's: nothing happens
        lock(2, 10_000, 9_999),  // still held by 1
        lock(2, 10_000, 10_000), // 1's lease ran out: 2 takes it over
        unlock(1),               // 1's lock is gone: nothing happens
        lock(3, 10_000, 15_000), // held by 2
        unlock(2),               // released
        lock(3, 10_000, 15_000), // free: taken
        unlock(3),
        unlock(3),           // nothing left to release
        lock(4, -5, 20_000), // a negative lease: taken, already over
        lock(5, 1, 20_000),  // so the next one takes it
        put(Some(1), "c"),   // the lock does not guard writes
        StoreOp::Load,
    ];
    let mut ops: Vec<_> = ops.into_iter().map(|op| (k.clone(), op)).collect();
    // Another key's entry is its own.
    ops.extend([
        (other_key(), StoreOp::Load),
        (other_key(), lock(9, 10_000, 20_000)),
        (other_key(), put(None, "plain")),
        (key(), lock(6, 10_000, 20_001)),
        (key(), StoreOp::Load),
    ]);
    mirror(&file, &ops);
}

/// A small xorshift, so that the random sequences are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn random_sequences_answer_as_the_memory_backend_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut now = 0_i64;
    let ops: Vec<_> = (0..400)
        .map(|_| {
            // Whole seconds, so that leases often end exactly at a later `now`.
            now += 1_000 * i64::try_from(rng.below(4)).unwrap();
            let key = if rng.below(4) == 0 {
                other_key()
            } else {
                key()
            };
            let who = u128::from(rng.below(3));
            let op = match rng.below(4) {
                0 => StoreOp::Load,
                1 => {
                    let expected = rng.below(5);
                    let expected = (expected < 4).then_some(expected);
                    put(expected, "t")
                }
                2 => lock(who, 1_000 * i64::try_from(rng.below(10)).unwrap(), now),
                _ => unlock(who),
            };
            (key, op)
        })
        .collect();
    mirror(&file, &ops);
}

#[test]
fn a_record_is_stored_as_is_and_describe_names_the_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    assert_eq!(file.dir(), dir.path());
    assert_eq!(
        file.describe(),
        format!("file store in {}", dir.path().display())
    );
    let stored = record(0, Some(SECRET_TOKEN));
    let answer = file
        .run_blocking(
            &key(),
            StoreOp::Put {
                expected: None,
                record: stored.clone(),
            },
        )
        .unwrap();
    assert_eq!(answer, StoreAnswer::Written(true));
    assert_eq!(load(&file), Some(stored.clone()));
    // Another instance sees it: the record lives in the directory, not in the instance.
    assert_eq!(load(&FileBackend::new(dir.path()).unwrap()), Some(stored));
    assert!(!format!("{file:?}").contains(SECRET_TOKEN));
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn one_key_has_a_record_a_lease_and_a_lock_file_and_no_temporary_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let slug = key().slug();
    file.run_blocking(&key(), StoreOp::Load).unwrap();
    assert_eq!(names(dir.path()), [format!("{slug}.lock")]);
    file.run_blocking(&key(), put(None, "a")).unwrap();
    file.run_blocking(&key(), lock(1, 10_000, 0)).unwrap();
    assert_eq!(
        names(dir.path()),
        [
            format!("{slug}.json"),
            format!("{slug}.lease"),
            format!("{slug}.lock")
        ]
    );
    file.run_blocking(&key(), unlock(1)).unwrap();
    assert_eq!(
        names(dir.path()),
        [format!("{slug}.json"), format!("{slug}.lock")]
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("cache/reviews/tokens");
    let file = FileBackend::new(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&parent.path().join("cache/reviews")), 0o700);
    file.run_blocking(&key(), put(None, SECRET_TOKEN)).unwrap();
    file.run_blocking(&key(), lock(1, 10_000, 0)).unwrap();
    let slug = key().slug();
    for suffix in ["json", "lease", "lock"] {
        assert_eq!(
            mode(&dir.join(format!("{slug}.{suffix}"))),
            0o600,
            "{suffix}"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_open_directory_is_narrowed_and_an_open_record_is_made_private() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let file = FileBackend::new(dir.path()).unwrap();
    assert_eq!(mode(dir.path()), 0o700);

    let path = dir.path().join(format!("{}.json", key().slug()));
    file.run_blocking(&key(), put(None, SECRET_TOKEN)).unwrap();
    set_mode(&path, 0o644);
    assert!(load(&file).is_some());
    assert_eq!(mode(&path), 0o600, "narrowed when read");
    set_mode(&path, 0o666);
    let written = file.run_blocking(&key(), put(Some(0), "b")).unwrap();
    assert_eq!(written, StoreAnswer::Written(true));
    assert_eq!(mode(&path), 0o600, "after a write");
    // Leftovers of a process killed mid-write are replaced, privately.
    let tmp = dir.path().join(format!("{}.json.tmp", key().slug()));
    fs::write(&tmp, "half a rec").unwrap();
    set_mode(&tmp, 0o644);
    file.run_blocking(&key(), put(Some(1), "c")).unwrap();
    assert!(!tmp.exists());
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_path_that_is_not_a_directory_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens");
    fs::write(&path, "").unwrap();
    let err = FileBackend::new(&path).unwrap_err();
    assert!(
        matches!(err, FileStoreError::NotADirectory { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );

    let below = path.join("below");
    let err = FileBackend::new(&below).unwrap_err();
    assert!(
        matches!(
            err,
            FileStoreError::Inspect { .. } | FileStoreError::Create { .. }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&below.display().to_string()),
        "{err}"
    );
}

#[test]
fn io_failures_name_the_path_and_the_os_error_but_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    file.run_blocking(&key(), put(None, SECRET_TOKEN)).unwrap();
    // The lock file's place is taken by a directory: no operation can run.
    let lock_path = dir.path().join(format!("{}.lock", key().slug()));
    fs::remove_file(&lock_path).unwrap();
    fs::create_dir(&lock_path).unwrap();
    for op in [
        StoreOp::Load,
        put(Some(0), SECRET_TOKEN),
        lock(1, 10, 0),
        unlock(1),
    ] {
        let err = file.run_blocking(&key(), op).unwrap_err();
        assert!(
            err.message().contains(&lock_path.display().to_string()),
            "{err}"
        );
        assert!(err.message().contains("os error"), "{err}");
        assert!(!format!("{err} {err:?}").contains(SECRET_TOKEN), "{err:?}");
    }
    fs::remove_dir(&lock_path).unwrap();

    // The record's place is taken by a directory: it can be neither read nor replaced.
    let record_path = dir.path().join(format!("{}.json", key().slug()));
    fs::remove_file(&record_path).unwrap();
    fs::create_dir(&record_path).unwrap();
    let err = file.run_blocking(&key(), StoreOp::Load).unwrap_err();
    assert!(
        err.message().contains(&record_path.display().to_string()),
        "{err}"
    );
    let err = file
        .run_blocking(&key(), put(None, SECRET_TOKEN))
        .unwrap_err();
    assert!(
        err.message().contains(&record_path.display().to_string()),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains(SECRET_TOKEN), "{err:?}");
}

#[test]
fn a_damaged_record_loads_as_none_and_a_put_from_none_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let path = dir.path().join(format!("{}.json", key().slug()));
    let whole = record(4, Some(SECRET_TOKEN)).encode();
    let damaged: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"garbage".to_vec(),
        whole[..whole.len() / 2].to_vec(),
        br#"{"format":99,"generation":4}"#.to_vec(),
        [whole.clone(), vec![b' '; 70 * 1024]].concat(),
        vec![0xff; 16],
    ];
    for bytes in damaged {
        fs::write(&path, &bytes).unwrap();
        assert_eq!(load(&file), None, "{} bytes", bytes.len());
        let refused = file.run_blocking(&key(), put(Some(4), "x")).unwrap();
        assert_eq!(refused, StoreAnswer::Written(false));
        let written = file.run_blocking(&key(), put(None, "y")).unwrap();
        assert_eq!(written, StoreAnswer::Written(true));
        assert_eq!(load(&file).unwrap().generation, 0);
    }
    // A whole record loads.
    fs::write(&path, &whole).unwrap();
    assert_eq!(load(&file).unwrap().generation, 4);
}

#[test]
fn a_damaged_lease_leaves_the_lock_free() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let path = dir.path().join(format!("{}.lease", key().slug()));
    for bytes in [
        &b""[..],
        b"1 ",
        b"not a lease\n",
        b"99999999999999999999 x\n",
    ] {
        fs::write(&path, bytes).unwrap();
        let taken = file.run_blocking(&key(), lock(1, 10_000, 0)).unwrap();
        assert_eq!(taken, StoreAnswer::Locked(true), "{bytes:?}");
        let held = file.run_blocking(&key(), lock(2, 10_000, 1)).unwrap();
        assert_eq!(held, StoreAnswer::Locked(false), "{bytes:?}");
    }
}

#[test]
fn a_stale_lease_is_taken_over_and_only_its_owner_unlocks() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let answer = |op| file.run_blocking(&key(), op).unwrap();
    assert_eq!(answer(lock(1, 10_000, 0)), StoreAnswer::Locked(true));
    // Another owner cannot release it, nor take it before the lease ends.
    assert_eq!(answer(unlock(2)), StoreAnswer::Unlocked);
    assert_eq!(answer(lock(2, 10_000, 9_999)), StoreAnswer::Locked(false));
    // Its owner died without releasing it: the lease runs out and another takes it over.
    assert_eq!(answer(lock(2, 10_000, 10_000)), StoreAnswer::Locked(true));
    // The dead owner's late release does not free the new holder's lock.
    assert_eq!(answer(unlock(1)), StoreAnswer::Unlocked);
    assert_eq!(answer(lock(3, 10_000, 10_001)), StoreAnswer::Locked(false));
    assert_eq!(answer(unlock(2)), StoreAnswer::Unlocked);
    assert_eq!(answer(lock(3, 10_000, 10_001)), StoreAnswer::Locked(true));
}

#[test]
fn a_lease_never_ends_before_the_time_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let now = at(0) + SignedDuration::from_micros(300);
    let op = |who, now| StoreOp::Lock {
        owner: owner(who),
        lease: SignedDuration::from_millis(10),
        now,
    };
    assert_eq!(
        file.run_blocking(&key(), op(1, now)).unwrap(),
        StoreAnswer::Locked(true)
    );
    let just_before = now + SignedDuration::from_millis(10) - SignedDuration::from_nanos(1);
    assert_eq!(
        file.run_blocking(&key(), op(2, just_before)).unwrap(),
        StoreAnswer::Locked(false)
    );
    // Rounded up to the next millisecond.
    assert_eq!(
        file.run_blocking(&key(), op(2, at(11))).unwrap(),
        StoreAnswer::Locked(true)
    );
}

#[test]
fn readers_never_see_half_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileBackend::new(dir.path()).unwrap();
    let path = dir.path().join(format!("{}.json", key().slug()));
    let long_token = "t".repeat(4_000);
    file.run_blocking(&key(), put(None, &long_token)).unwrap();
    let writes = 300_u64;
    thread::scope(|s| {
        let writer = s.spawn(|| {
            for generation in 0..writes {
                let op = StoreOp::Put {
                    expected: Some(generation),
                    record: record(generation + 1, Some(&long_token)),
                };
                assert_eq!(
                    file.run_blocking(&key(), op).unwrap(),
                    StoreAnswer::Written(true)
                );
            }
        });
        // Reads the file directly, without the OS lock, as fast as it can.
        let mut reads = 0_u32;
        while !writer.is_finished() || reads == 0 {
            let bytes = fs::read(&path).unwrap();
            let record = TokenRecord::decode(&bytes)
                .unwrap_or_else(|e| panic!("read {} bytes: {e}", bytes.len()));
            assert_eq!(
                record.token.unwrap().access_token.expose_secret(),
                long_token
            );
            reads += 1;
        }
        writer.join().unwrap();
        assert!(reads > 1, "{reads} reads");
    });
    assert_eq!(load(&file).unwrap().generation, writes);
    assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
}

/// Lock until taken, load, write the next generation, unlock; `iterations` times. Returns how
/// many Lock attempts were refused.
fn increment(backend: &FileBackend, worker: u128, iterations: u64) -> u64 {
    let mut refused = 0;
    for i in 0..iterations {
        let me = owner((worker << 64) | u128::from(i));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let op = StoreOp::Lock {
                owner: me.clone(),
                lease: SignedDuration::from_secs(60),
                now: Timestamp::now(),
            };
            match backend.run_blocking(&key(), op).unwrap() {
                StoreAnswer::Locked(true) => break,
                StoreAnswer::Locked(false) => refused += 1,
                other => panic!("Lock answered {other:?}"),
            }
            assert!(Instant::now() < deadline, "worker {worker} starved");
            thread::sleep(Duration::from_micros(50));
        }
        let generation = load(backend).unwrap().generation;
        thread::yield_now();
        let op = StoreOp::Put {
            expected: Some(generation),
            record: record(generation + 1, Some("t")),
        };
        let written = backend.run_blocking(&key(), op).unwrap();
        assert_eq!(
            written,
            StoreAnswer::Written(true),
            "worker {worker} lost a write while holding the lock"
        );
        backend
            .run_blocking(&key(), StoreOp::Unlock { owner: me })
            .unwrap();
    }
    refused
}

#[test]
fn two_instances_on_one_dir_exclude_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let first = FileBackend::new(dir.path()).unwrap();
    let second = FileBackend::new(dir.path()).unwrap();
    first.run_blocking(&key(), put(None, "t")).unwrap();
    let iterations = 100;
    let refused: u64 = thread::scope(|s| {
        let workers: Vec<_> = [&first, &first, &second, &second]
            .into_iter()
            .enumerate()
            .map(|(n, backend)| {
                s.spawn(move || increment(backend, u128::try_from(n).unwrap(), iterations))
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(load(&second).unwrap().generation, 4 * iterations);
    // The workers did contend for the lock.
    assert!(refused > 0, "no Lock was ever refused");
}
