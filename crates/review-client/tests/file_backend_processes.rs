//! `FileBackend` across real processes: this test binary starts copies of itself whose
//! `child` test acts on `FILE_BACKEND_CHILD` (and does nothing without it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::env;
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_client::{FileBackend, TokenBackend};
use review_model::AppId;
use review_protocol::wechat::token_cache::RefreshKind;
use review_protocol::wechat::token_share::{
    LockOwner, StoreAnswer, StoreKey, StoreOp, TokenRecord,
};

/// What a child does: `worker`, `lock-and-exit`, `hold-os-lock` or `default-dir`.
const ROLE: &str = "FILE_BACKEND_CHILD";
/// The store's directory.
const DIR: &str = "FILE_BACKEND_DIR";
/// A worker's number and iterations, `lock-and-exit`'s time (ms).
const ARG: &str = "FILE_BACKEND_ARG";

const ITERATIONS: u64 = 150;
const WORKERS: u64 = 2;

fn key() -> StoreKey {
    StoreKey::new("127.0.0.1:8080", AppId::new("wx1"), RefreshKind::Stable)
}

fn answer(backend: &FileBackend, op: StoreOp) -> StoreAnswer {
    backend.run_blocking(&key(), op).unwrap()
}

fn generation(backend: &FileBackend) -> Option<u64> {
    match answer(backend, StoreOp::Load) {
        StoreAnswer::Record(record) => record.map(|r| r.generation),
        other => panic!("Load answered {other:?}"),
    }
}

fn next(generation: u64) -> StoreOp {
    StoreOp::Put {
        expected: Some(generation),
        record: TokenRecord {
            generation: generation + 1,
            ..TokenRecord::default()
        },
    }
}

/// Polls `done` every millisecond for up to 30 s.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// The child's side. Without `FILE_BACKEND_CHILD` (a normal test run) it does nothing.
#[test]
fn child() {
    let Ok(role) = env::var(ROLE) else {
        return;
    };
    let dir = PathBuf::from(env::var(DIR).unwrap());
    let arg: i64 = env::var(ARG).map_or(0, |a| a.parse().unwrap());
    match role.as_str() {
        "worker" => {
            let backend = FileBackend::new(&dir).unwrap();
            wait_for("the start", || dir.join("go").exists());
            let refused = increment(&backend, u128::try_from(arg).unwrap(), ITERATIONS);
            fs::write(dir.join(format!("done-{arg}")), refused.to_string()).unwrap();
        }
        "lock-and-exit" => {
            let backend = FileBackend::new(&dir).unwrap();
            let op = StoreOp::Lock {
                owner: LockOwner::from_random(1),
                lease: SignedDuration::from_secs(10),
                now: Timestamp::from_millisecond(arg).unwrap(),
            };
            assert_eq!(answer(&backend, op), StoreAnswer::Locked(true));
            // Ends without releasing it, as a process killed mid-refresh would.
        }
        "hold-os-lock" => {
            let path = dir.join(format!("{}.lock", key().slug()));
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .unwrap();
            let mut lock = fd_lock::RwLock::new(file);
            let _held = lock.write().unwrap();
            fs::write(dir.join("holding"), "").unwrap();
            // Killed by the parent long before this.
            thread::sleep(Duration::from_secs(60));
        }
        "default-dir" => {
            let expected = env::var("EXPECTED").unwrap();
            assert_eq!(FileBackend::default_dir(), Some(PathBuf::from(expected)));
        }
        other => panic!("unknown role {other}"),
    }
}

/// Lock until taken, load, write the next generation, unlock; `iterations` times. Returns how
/// many Lock attempts were refused.
fn increment(backend: &FileBackend, worker: u128, iterations: u64) -> u64 {
    let mut refused = 0;
    for i in 0..iterations {
        let me = LockOwner::from_random((worker << 64) | u128::from(i));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let op = StoreOp::Lock {
                owner: me.clone(),
                lease: SignedDuration::from_secs(60),
                now: Timestamp::now(),
            };
            match answer(backend, op) {
                StoreAnswer::Locked(true) => break,
                StoreAnswer::Locked(false) => refused += 1,
                other => panic!("Lock answered {other:?}"),
            }
            assert!(Instant::now() < deadline, "worker {worker} starved");
            thread::sleep(Duration::from_micros(50));
        }
        let current = generation(backend).unwrap();
        thread::yield_now();
        assert_eq!(
            answer(backend, next(current)),
            StoreAnswer::Written(true),
            "worker {worker} lost a write while holding the lock"
        );
        answer(backend, StoreOp::Unlock { owner: me });
    }
    refused
}

fn spawn(role: &str, dir: &Path, arg: i64) -> Child {
    Command::new(env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(DIR, dir)
        .env(ARG, arg.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits up to 60 s for `child` and fails unless its `child` test ran and passed.
fn finish(mut child: Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("a child took over 60 s");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "child failed ({status}):\n{out}\n{err}");
    assert!(
        out.contains("1 passed"),
        "the child test did not run:\n{out}\n{err}"
    );
}

#[test]
fn two_processes_exclude_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FileBackend::new(dir.path()).unwrap();
    let first = StoreOp::Put {
        expected: None,
        record: TokenRecord::default(),
    };
    assert_eq!(answer(&backend, first), StoreAnswer::Written(true));
    let children: Vec<_> = (0..WORKERS)
        .map(|n| spawn("worker", dir.path(), i64::try_from(n).unwrap()))
        .collect();
    let started = Instant::now();
    fs::write(dir.path().join("go"), "").unwrap();
    children.into_iter().for_each(finish);
    let took = started.elapsed();
    assert_eq!(generation(&backend), Some(WORKERS * ITERATIONS));
    let refused: u64 = (0..WORKERS)
        .map(|n| {
            let done = fs::read_to_string(dir.path().join(format!("done-{n}"))).unwrap();
            done.parse::<u64>().unwrap()
        })
        .sum();
    println!(
        "{} increments by {WORKERS} processes in {took:?}, {refused} Locks refused",
        WORKERS * ITERATIONS
    );
    assert!(refused > 0, "the processes never contended");
}

#[test]
fn a_dead_holders_lease_is_taken_over_when_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FileBackend::new(dir.path()).unwrap();
    let t0 = Timestamp::now();
    finish(spawn("lock-and-exit", dir.path(), t0.as_millisecond()));
    let t0 = Timestamp::from_millisecond(t0.as_millisecond()).unwrap();
    let lock = |now| StoreOp::Lock {
        owner: LockOwner::from_random(2),
        lease: SignedDuration::from_secs(10),
        now,
    };
    // Its holder is gone, yet the lock is held until its lease ends.
    let before = t0 + SignedDuration::from_millis(9_999);
    assert_eq!(answer(&backend, lock(before)), StoreAnswer::Locked(false));
    let unlock = StoreOp::Unlock {
        owner: LockOwner::from_random(2),
    };
    assert_eq!(answer(&backend, unlock), StoreAnswer::Unlocked);
    assert_eq!(answer(&backend, lock(before)), StoreAnswer::Locked(false));
    let expiry = t0 + SignedDuration::from_secs(10);
    assert_eq!(answer(&backend, lock(expiry)), StoreAnswer::Locked(true));
}

#[test]
fn an_operation_waits_for_the_os_lock_and_a_killed_holder_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FileBackend::new(dir.path()).unwrap();
    let mut child = spawn("hold-os-lock", dir.path(), 0);
    wait_for("the child's lock", || dir.path().join("holding").exists());
    let (sent, done) = mpsc::channel();
    // Taken before the thread starts, so that the 300 ms waited below are inside the span
    // measured however late a loaded machine runs the thread.
    let started = Instant::now();
    let waiting = thread::spawn(move || {
        let answer = backend.run_blocking(&key(), StoreOp::Load);
        sent.send((answer, started.elapsed())).unwrap();
    });
    assert!(
        done.recv_timeout(Duration::from_millis(300)).is_err(),
        "the operation ran while another process held the lock"
    );
    // SIGKILL on Unix: the process gets no chance to release anything itself.
    child.kill().unwrap();
    child.wait().unwrap();
    let (answer, waited) = done.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(answer, Ok(StoreAnswer::Record(None)));
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    waiting.join().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn the_default_dir_follows_xdg_cache_home() {
    let dir = tempfile::tempdir().unwrap();
    let run = |xdg: &str, home: &Path, expected: PathBuf| {
        let child = Command::new(env::current_exe().unwrap())
            .args(["--exact", "child", "--nocapture", "--test-threads=1"])
            .env(ROLE, "default-dir")
            .env(DIR, dir.path())
            .env("XDG_CACHE_HOME", xdg)
            .env("HOME", home)
            .env("EXPECTED", expected)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        finish(child);
    };
    let home = dir.path().join("home");
    let cache = dir.path().join("cache");
    run(cache.to_str().unwrap(), &home, cache.join("reviews/tokens"));
    // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
    run("relative", &home, home.join(".cache/reviews/tokens"));
    run("", &home, home.join(".cache/reviews/tokens"));
}
