//! `RedisBackend` against the real Redis server (`REVIEWS_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379/0`): the same answers as `MemoryBackend`, atomic under races, the
//! lease on Redis's clock, and failures that are fast, one line and secret-free.
//!
//! Each test uses keys under a prefix of its own and deletes them at the end. Without a
//! reachable Redis a test prints `skipped: ...` and passes, unless `CI=true`.

// The helpers (fixture, proxy) panic on what a test does not expect, as the tests do.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use redis::{ConnectionAddr, IntoConnectionInfo};
use review_client::{MemoryBackend, TokenBackend};
use review_model::{AccessToken, AppId};
use review_protocol::wechat::token_cache::RefreshKind;
use review_protocol::wechat::token_share::{
    ForceLog, LockOwner, StoreAnswer, StoreKey, StoreOp, StoredToken, TokenRecord,
};
use review_redis::{RedisBackend, RedisBuilder, RedisStoreError};

const DEFAULT_URL: &str = "redis://127.0.0.1:6379/0";

/// A test's view of the real Redis: its URL, a prefix of its own, and a plain connection to
/// look at and clean up the keys.
struct Redis {
    url: String,
    prefix: String,
    admin: redis::Connection,
}

impl Redis {
    /// The server, or `None` after printing one `skipped:` line (a failure when `CI=true`).
    fn get() -> Option<Self> {
        let url = std::env::var("REVIEWS_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.into());
        let admin = redis::Client::open(url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)));
        match admin {
            Ok(admin) => Some(Self {
                prefix: unique_prefix(),
                url,
                admin,
            }),
            Err(err) => {
                let shown = match url.rfind('@') {
                    Some(at) => format!("redis://{}", url.get(at + 1..).unwrap_or_default()),
                    None => url.clone(),
                };
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("Redis not reachable at {shown}: {err}");
                }
                // Straight to stdout, past the test harness's capture, so that a skip shows.
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "skipped: Redis not reachable at {shown}"
                );
                None
            }
        }
    }

    fn builder(&self) -> RedisBuilder {
        RedisBackend::builder(self.url.as_str()).prefix(self.prefix.as_str())
    }

    fn backend(&self) -> RedisBackend {
        self.builder().connect().unwrap()
    }

    /// The server's `host:port`, for a proxy in front of it.
    fn upstream(&self) -> SocketAddr {
        let info = self.url.as_str().into_connection_info().unwrap();
        let ConnectionAddr::Tcp(host, port) = info.addr() else {
            panic!("the proxy tests need a TCP Redis URL");
        };
        std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), *port))
            .unwrap()
            .next()
            .unwrap()
    }

    /// The same server reached through `proxy`.
    fn url_via(&self, proxy: &Proxy) -> String {
        let url = &self.url;
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let rest = url.get(scheme_end..).unwrap_or_default();
        let (userinfo, hostpath) = match rest.rfind('@') {
            Some(at) => (rest.get(..=at).unwrap_or_default(), &rest[at + 1..]),
            None => ("", rest),
        };
        let path = hostpath.find('/').map_or("", |i| &hostpath[i..]);
        format!("redis://{userinfo}{}{path}", proxy.addr)
    }

    fn cmd<T: redis::FromRedisValue>(&mut self, cmd: &mut redis::Cmd) -> T {
        cmd.query(&mut self.admin).unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let pattern = format!("{}*", self.prefix);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(&pattern)
            .query(&mut self.admin)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query(&mut self.admin);
        }
    }
}

fn unique_prefix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = RandomState::new().hash_one((std::process::id(), n, Instant::now()));
    format!("reviews-test:{random:016x}:")
}

macro_rules! redis_or_skip {
    () => {
        match Redis::get() {
            Some(redis) => redis,
            None => return,
        }
    };
}

fn key(app: &str) -> StoreKey {
    StoreKey::new("api.weixin.qq.com", AppId::new(app), RefreshKind::Stable)
}

fn owner(n: u128) -> LockOwner {
    LockOwner::from_random(n)
}

/// Now, to the millisecond the record keeps.
fn now_ms() -> Timestamp {
    Timestamp::from_millisecond(Timestamp::now().as_millisecond()).unwrap()
}

fn record(generation: u64, token: Option<&str>) -> TokenRecord {
    let obtained_at = now_ms();
    TokenRecord {
        generation,
        token: token.map(|t| StoredToken {
            access_token: AccessToken::new(t),
            obtained_at,
            expires_at: obtained_at + SignedDuration::from_hours(2),
        }),
        refused: if token.is_none() {
            vec![AccessToken::new("dead")]
        } else {
            Vec::new()
        },
        forced: ForceLog::default(),
    }
}

fn lock(who: u128, lease: SignedDuration) -> StoreOp {
    StoreOp::Lock {
        owner: owner(who),
        lease,
        now: Timestamp::now(),
    }
}

fn put(expected: Option<u64>, record: TokenRecord) -> StoreOp {
    StoreOp::Put { expected, record }
}

/// Every kind of answer, on two keys: reads, winning and losing writes, a held and a free
/// lock, releases by the holder and by another.
fn sequence() -> Vec<(StoreKey, StoreOp)> {
    let a = key("wx-a");
    let b = key("wx-b");
    let long = SignedDuration::from_mins(1);
    vec![
        (a.clone(), StoreOp::Load),
        (a.clone(), put(Some(0), record(1, Some("t1")))),
        (a.clone(), put(None, record(1, Some("t1")))),
        (a.clone(), put(None, record(1, Some("t1-late")))),
        (a.clone(), StoreOp::Load),
        (b.clone(), StoreOp::Load),
        (a.clone(), put(Some(0), record(2, Some("t2")))),
        (a.clone(), put(Some(2), record(3, Some("t2")))),
        (a.clone(), put(Some(1), record(2, Some("t2")))),
        (a.clone(), StoreOp::Load),
        (a.clone(), lock(1, long)),
        (a.clone(), lock(2, long)),
        (a.clone(), lock(1, long)),
        (b.clone(), lock(2, long)),
        (a.clone(), StoreOp::Unlock { owner: owner(2) }),
        (a.clone(), lock(2, long)),
        (a.clone(), StoreOp::Unlock { owner: owner(1) }),
        (a.clone(), lock(2, long)),
        (a.clone(), StoreOp::Unlock { owner: owner(2) }),
        (b.clone(), StoreOp::Unlock { owner: owner(2) }),
        (a.clone(), put(Some(2), record(3, None))),
        (a, StoreOp::Load),
        (b, StoreOp::Load),
    ]
}

fn memory_answers(ops: &[(StoreKey, StoreOp)]) -> Vec<StoreAnswer> {
    let memory = MemoryBackend::new();
    ops.iter()
        .map(|(key, op)| memory.run_blocking(key, op.clone()).unwrap())
        .collect()
}

#[test]
fn the_blocking_face_answers_as_the_memory_backend_does() {
    let redis = redis_or_skip!();
    let backend = redis.backend();
    let ops = sequence();
    let answers: Vec<_> = ops
        .iter()
        .map(|(key, op)| backend.run_blocking(key, op.clone()).unwrap())
        .collect();
    assert_eq!(answers, memory_answers(&ops));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_face_answers_as_the_memory_backend_does() {
    let redis = redis_or_skip!();
    let backend = redis.backend();
    let ops = sequence();
    let mut answers = Vec::new();
    for (key, op) in &ops {
        answers.push(backend.run_async(key, op.clone()).await.unwrap());
    }
    assert_eq!(answers, memory_answers(&ops));
}

#[test]
fn keys_are_a_hash_under_the_prefix_and_a_lock_beside_it() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-keys");
    let record_key = format!("{}api.weixin.qq.com_wx-2dkeys_stable", redis.prefix);
    assert_eq!(backend.record_key(&k), record_key);
    assert_eq!(backend.lock_key(&k), format!("{record_key}:lock"));

    let stored = record(1, Some("t"));
    let answer = backend.run_blocking(&k, put(None, stored.clone()));
    assert_eq!(answer, Ok(StoreAnswer::Written(true)));
    let (generation, bytes): (String, Vec<u8>) = redis.cmd(
        redis::cmd("HMGET")
            .arg(&record_key)
            .arg("generation")
            .arg("record"),
    );
    assert_eq!(generation, "1");
    assert_eq!(bytes, stored.encode());

    let _ = backend.run_blocking(&k, lock(7, SignedDuration::from_secs(5)));
    let holder: String = redis.cmd(redis::cmd("GET").arg(format!("{record_key}:lock")));
    assert_eq!(holder, owner(7).as_str());
}

#[test]
fn a_put_race_between_threads_and_tasks_loses_no_write() {
    const WORKERS: u64 = 4;
    const WRITES: u64 = 25;

    fn next(answer: StoreAnswer) -> (Option<u64>, TokenRecord) {
        let StoreAnswer::Record(read) = answer else {
            panic!("{answer:?}");
        };
        let expected = read.map(|r| r.generation);
        (expected, record(expected.map_or(1, |g| g + 1), Some("t")))
    }

    let redis = redis_or_skip!();
    let backend = Arc::new(redis.backend());
    let k = key("wx-race");
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                for _ in 0..WRITES {
                    loop {
                        let (expected, record) =
                            next(backend.run_blocking(&k, StoreOp::Load).unwrap());
                        let written = backend.run_blocking(&k, put(expected, record)).unwrap();
                        if written == StoreAnswer::Written(true) {
                            break;
                        }
                    }
                }
            });
        }
        scope.spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let tasks: Vec<_> = (0..WORKERS)
                    .map(|_| {
                        let backend = Arc::clone(&backend);
                        let k = k.clone();
                        tokio::spawn(async move {
                            for _ in 0..WRITES {
                                loop {
                                    let read = backend.run_async(&k, StoreOp::Load).await.unwrap();
                                    let (expected, record) = next(read);
                                    let written =
                                        backend.run_async(&k, put(expected, record)).await.unwrap();
                                    if written == StoreAnswer::Written(true) {
                                        break;
                                    }
                                }
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
        });
    });
    let StoreAnswer::Record(Some(last)) = backend.run_blocking(&k, StoreOp::Load).unwrap() else {
        panic!("no record");
    };
    // Every write that won bumped the generation by one: none was lost or doubled.
    assert_eq!(last.generation, 2 * WORKERS * WRITES);
}

#[test]
fn one_of_several_lockers_wins() {
    let redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-lockers");
    let start = Barrier::new(8);
    let winners = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let (backend, k, start) = (&backend, &k, &start);
                scope.spawn(move || {
                    start.wait();
                    backend.run_blocking(k, lock(n, SignedDuration::from_secs(5)))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .filter(|answer| *answer == StoreAnswer::Locked(true))
            .count()
    });
    assert_eq!(winners, 1);
}

#[test]
fn a_lease_runs_out_on_the_servers_clock() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-lease");
    let short = SignedDuration::from_millis(100);
    // The caller's clock is ignored: a `now` decades off changes nothing.
    let stale = StoreOp::Lock {
        owner: owner(1),
        lease: short,
        now: Timestamp::UNIX_EPOCH,
    };
    assert_eq!(
        backend.run_blocking(&k, stale),
        Ok(StoreAnswer::Locked(true))
    );
    assert_eq!(
        backend.run_blocking(&k, lock(2, short)),
        Ok(StoreAnswer::Locked(false))
    );
    thread::sleep(Duration::from_millis(150));
    let long = SignedDuration::from_secs(5);
    assert_eq!(
        backend.run_blocking(&k, lock(2, long)),
        Ok(StoreAnswer::Locked(true))
    );
    // The first owner, whose lease ran out, cannot release the second's lock.
    let late = StoreOp::Unlock { owner: owner(1) };
    assert_eq!(backend.run_blocking(&k, late), Ok(StoreAnswer::Unlocked));
    assert_eq!(
        backend.run_blocking(&k, lock(3, long)),
        Ok(StoreAnswer::Locked(false))
    );
    let holder: String = redis.cmd(redis::cmd("GET").arg(backend.lock_key(&k)));
    assert_eq!(holder, owner(2).as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlock_by_another_owner_does_nothing() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-unlock");
    let lease = SignedDuration::from_secs(5);
    assert_eq!(
        backend.run_async(&k, lock(1, lease)).await,
        Ok(StoreAnswer::Locked(true))
    );
    let other = StoreOp::Unlock { owner: owner(2) };
    assert_eq!(
        backend.run_async(&k, other).await,
        Ok(StoreAnswer::Unlocked)
    );
    let holder: Option<String> = redis.cmd(redis::cmd("GET").arg(backend.lock_key(&k)));
    assert_eq!(holder.as_deref(), Some(owner(1).as_str()));
    let mine = StoreOp::Unlock { owner: owner(1) };
    assert_eq!(backend.run_async(&k, mine).await, Ok(StoreAnswer::Unlocked));
    let holder: Option<String> = redis.cmd(redis::cmd("GET").arg(backend.lock_key(&k)));
    assert_eq!(holder, None);
}

#[test]
fn a_damaged_record_loads_as_none_and_the_next_write_replaces_it() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-damaged");
    let record_key = backend.record_key(&k);
    let fresh = record(1, Some("t"));

    let damaged: [&mut dyn FnMut(&mut Redis); 3] = [
        &mut |r| {
            let _: () = r.cmd(
                redis::cmd("HSET")
                    .arg(&record_key)
                    .arg("generation")
                    .arg("7")
                    .arg("record")
                    .arg("{not json"),
            );
        },
        // Readable, but of another generation than the field a write compares.
        &mut |r| {
            let _: () = r.cmd(
                redis::cmd("HSET")
                    .arg(&record_key)
                    .arg("generation")
                    .arg("7")
                    .arg("record")
                    .arg(record(6, Some("t")).encode()),
            );
        },
        &mut |r| {
            let _: () = r.cmd(redis::cmd("SET").arg(&record_key).arg("a string"));
        },
    ];
    for damage in damaged {
        damage(&mut redis);
        assert_eq!(
            backend.run_blocking(&k, StoreOp::Load),
            Ok(StoreAnswer::Record(None))
        );
        let answer = backend.run_blocking(&k, put(None, fresh.clone()));
        assert_eq!(answer, Ok(StoreAnswer::Written(true)));
        let answer = backend.run_blocking(&k, StoreOp::Load);
        assert_eq!(answer, Ok(StoreAnswer::Record(Some(fresh.clone()))));
        let _: i64 = redis.cmd(redis::cmd("DEL").arg(&record_key));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_face_replaces_a_damaged_record_too() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-damaged-async");
    let _: () = redis.cmd(
        redis::cmd("HSET")
            .arg(backend.record_key(&k))
            .arg("generation")
            .arg("3")
            .arg("record")
            .arg("{\"format\":99,\"generation\":3}"),
    );
    let answer = backend.run_async(&k, StoreOp::Load).await;
    assert_eq!(answer, Ok(StoreAnswer::Record(None)));
    let fresh = record(1, Some("t"));
    let answer = backend.run_async(&k, put(None, fresh)).await;
    assert_eq!(answer, Ok(StoreAnswer::Written(true)));
}

#[test]
fn a_record_expires_a_day_after_its_token_and_never_without_one() {
    let mut redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-ttl");
    let with_token = record(1, Some("t"));
    let expires_at = with_token.token.as_ref().unwrap().expires_at;
    assert_eq!(
        backend.run_blocking(&k, put(None, with_token)),
        Ok(StoreAnswer::Written(true))
    );
    let ttl_ms: i64 = redis.cmd(redis::cmd("PTTL").arg(backend.record_key(&k)));
    let expected = (expires_at + SignedDuration::from_hours(24))
        .duration_since(Timestamp::now())
        .as_millis();
    let expected = i64::try_from(expected).unwrap();
    assert!(
        (ttl_ms - expected).abs() < 10_000,
        "PTTL {ttl_ms}, expected about {expected}"
    );

    assert_eq!(
        backend.run_blocking(&k, put(Some(1), record(2, None))),
        Ok(StoreAnswer::Written(true))
    );
    let ttl_ms: i64 = redis.cmd(redis::cmd("PTTL").arg(backend.record_key(&k)));
    assert_eq!(ttl_ms, -1, "a record without a token must not expire");
}

#[test]
fn an_unreachable_redis_fails_fast_in_one_line_without_the_password() {
    let started = Instant::now();
    let err = RedisBackend::connect("redis://:hunter2@127.0.0.1:1/0").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.to_string(),
        "Redis at 127.0.0.1:1 is unreachable: connection refused"
    );
    assert!(matches!(err, RedisStoreError::Unreachable { .. }));
    assert!(!format!("{err:?}").contains("hunter2"));
}

#[test]
fn a_silent_server_fails_the_connect_within_its_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts and never answers.
    thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    let started = Instant::now();
    let err = RedisBackend::builder(format!("redis://{addr}/0"))
        .connect_timeout(Duration::from_millis(300))
        .connect()
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.to_string(),
        format!("Redis at {addr} is unreachable: no answer within 300ms")
    );
}

#[test]
fn no_password_is_shown() {
    let redis = redis_or_skip!();
    if redis.url.contains('@') {
        return; // A URL with credentials of its own: nothing to add one to.
    }
    let url = redis.url.replacen("://", "://default:hunter2@", 1);
    match RedisBackend::builder(url)
        .prefix(redis.prefix.as_str())
        .connect()
    {
        // The default user of a server without passwords takes any password.
        Ok(backend) => {
            assert!(!backend.describe().contains("hunter2"));
            assert!(!format!("{backend:?}").contains("hunter2"));
            let k = key("wx-secret");
            assert_eq!(
                backend.run_blocking(&k, StoreOp::Load),
                Ok(StoreAnswer::Record(None))
            );
        }
        Err(err) => {
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(matches!(err, RedisStoreError::Refused { .. }), "{err}");
        }
    }
    if redis.url == DEFAULT_URL {
        assert_eq!(
            redis.backend().describe(),
            "Redis store at redis://127.0.0.1:6379/0"
        );
    }
}

/// A TCP proxy in front of Redis that can hold back every byte (a hung server) or close every
/// connection (a restart).
struct Proxy {
    addr: SocketAddr,
    frozen: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let frozen = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let (accept_frozen, accept_conns) = (Arc::clone(&frozen), Arc::clone(&conns));
        thread::spawn(move || {
            // Bounded: a test opens a handful of connections.
            for client in listener.incoming().take(32) {
                let Ok(client) = client else { break };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let mut registered = accept_conns.lock().unwrap();
                registered.push(client.try_clone().unwrap());
                registered.push(server.try_clone().unwrap());
                drop(registered);
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (f1, f2) = (Arc::clone(&accept_frozen), Arc::clone(&accept_frozen));
                thread::spawn(move || pipe(client, server, &f1));
                thread::spawn(move || pipe(s2, c2, &f2));
            }
        });
        Self {
            addr,
            frozen,
            conns,
        }
    }

    fn freeze(&self, frozen: bool) {
        self.frozen.store(frozen, Ordering::SeqCst);
    }

    fn cut(&self) {
        for conn in self.conns.lock().unwrap().drain(..) {
            let _ = conn.shutdown(Shutdown::Both);
        }
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, frozen: &AtomicBool) {
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let held = Instant::now();
        while frozen.load(Ordering::SeqCst) && held.elapsed() < Duration::from_secs(10) {
            thread::sleep(Duration::from_millis(5));
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[test]
fn a_hanging_redis_fails_the_command_within_the_response_timeout() {
    let redis = redis_or_skip!();
    let proxy = Proxy::start(redis.upstream());
    let backend = RedisBackend::builder(redis.url_via(&proxy))
        .prefix(redis.prefix.as_str())
        .response_timeout(Duration::from_millis(300))
        .connect()
        .unwrap();
    let k = key("wx-hang");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The async connection is made before the hang.
    assert!(
        runtime
            .block_on(backend.run_async(&k, StoreOp::Load))
            .is_ok()
    );

    proxy.freeze(true);
    let started = Instant::now();
    let err = backend.run_blocking(&k, StoreOp::Load).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let expected = format!("Redis at {} did not answer within 300ms", proxy.addr);
    assert_eq!(err.message(), expected);
    let started = Instant::now();
    let err = runtime
        .block_on(backend.run_async(&k, lock(1, SignedDuration::from_secs(1))))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.message(), expected);

    // Once Redis answers again, so does the store (on new connections).
    proxy.freeze(false);
    assert!(backend.run_blocking(&k, StoreOp::Load).is_ok());
    assert!(
        runtime
            .block_on(backend.run_async(&k, StoreOp::Load))
            .is_ok()
    );
}

#[test]
fn a_connection_the_server_closed_is_replaced() {
    let redis = redis_or_skip!();
    let proxy = Proxy::start(redis.upstream());
    let backend = RedisBackend::builder(redis.url_via(&proxy))
        .prefix(redis.prefix.as_str())
        .connect()
        .unwrap();
    let k = key("wx-restart");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(
        runtime
            .block_on(backend.run_async(&k, StoreOp::Load))
            .is_ok()
    );
    assert!(backend.run_blocking(&k, StoreOp::Load).is_ok());

    proxy.cut();
    thread::sleep(Duration::from_millis(50));
    let answer = backend.run_blocking(&k, put(None, record(1, Some("t"))));
    assert_eq!(answer, Ok(StoreAnswer::Written(true)));
    let answer = runtime.block_on(backend.run_async(&k, StoreOp::Load));
    assert!(
        matches!(answer, Ok(StoreAnswer::Record(Some(_)))),
        "{answer:?}"
    );
}

#[test]
fn the_async_connection_outlives_the_runtime_it_was_made_on() {
    let redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-runtimes");
    for _ in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let answer = runtime.block_on(backend.run_async(&k, StoreOp::Load));
        assert_eq!(answer, Ok(StoreAnswer::Record(None)));
    }
}

#[test]
fn the_async_face_outside_a_runtime_fails_instead_of_panicking() {
    let redis = redis_or_skip!();
    let backend = redis.backend();
    let k = key("wx-no-runtime");
    let mut future = backend.run_async(&k, StoreOp::Load);
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Err(err)) = future.as_mut().poll(&mut cx) else {
        panic!("expected an immediate failure");
    };
    assert!(err.message().contains("outside a tokio runtime"), "{err}");
}

#[test]
fn the_store_is_a_shareable_token_backend() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<RedisBackend>();

    let redis = redis_or_skip!();
    let backend: Arc<dyn TokenBackend> = Arc::new(redis.backend());
    let k = key("wx-shared");
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let (backend, k) = (Arc::clone(&backend), k.clone());
            thread::spawn(move || backend.run_blocking(&k, lock(n, SignedDuration::from_secs(5))))
        })
        .collect();
    let winners = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .filter(|a| *a == StoreAnswer::Locked(true))
        .count();
    assert_eq!(winners, 1);
    assert!(backend.describe().starts_with("Redis store at redis://"));
}
