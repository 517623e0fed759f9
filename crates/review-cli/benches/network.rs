//! `reviews export` (both platforms at once, 8 pages in flight each) against an independent,
//! sequential client written from the API documents (`hand_loop.py`: Python's standard
//! library, one kept-alive connection, one request at a time), reading the same records from
//! the same in-process sandbox, at 0 ms and at 30 ms of latency per answer; and the export's
//! peak memory at two sizes, which should not grow with the number of records.
//!
//! Goals (issue 16): at least 5x the sequential client at 0 ms, at least 10x at 30 ms, memory
//! flat in the number of records.
//!
//! `cargo bench -p review-cli --bench network` (`EXPORT_COMMENTS`, `EXPORT_RATES` for other
//! sizes, 20,000 each by default; `EXPORT_RUNS` for the best of more runs at 0 ms).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    clippy::panic,
    missing_docs
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_sandbox::Sandbox;

mod watch;

/// The range both clients read: 179 days back from one fixed `now`.
fn range() -> (i64, i64) {
    let now = Timestamp::now();
    let since = now - SignedDuration::from_hours(24 * 179);
    (since.as_second(), now.as_second())
}

/// A run's time, records and peak resident memory (kB; polled from /proc while it runs).
struct Run {
    took: Duration,
    records: usize,
    peak_kb: u64,
}

/// Runs `command` to the end, watching its memory.
fn watched(command: &mut Command) -> (Duration, std::process::Output, u64) {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    // Drain stdout on a thread so a full pipe never stalls the child.
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut { stdout }, &mut out).unwrap();
        out
    });
    let (_, peak) = watch::wait_watching(&mut child, Duration::from_millis(2));
    let took = start.elapsed();
    let mut output = child.wait_with_output().unwrap();
    output.stdout = reader.join().unwrap();
    (took, output, peak)
}

fn export(sandbox: &Sandbox, (since, until): (i64, i64), out: &Path) -> Run {
    let wechat = sandbox.wechat();
    let taobao = sandbox.taobao();
    let mut command = Command::new(env!("CARGO_BIN_EXE_reviews"));
    command
        .args([
            "export",
            "--since",
            &since.to_string(),
            "--until",
            &until.to_string(),
        ])
        .arg("--out")
        .arg(out)
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("REVIEWS_WECHAT_BASE_URL", sandbox.base_url())
        .env("REVIEWS_WECHAT_APPID", wechat.appid.to_string())
        .env("REVIEWS_WECHAT_SECRET", wechat.secret.expose_secret())
        .env("REVIEWS_FW199_BASE_URL", sandbox.base_url())
        .env("REVIEWS_FW199_APPID", &taobao.gateway.appid)
        .env(
            "REVIEWS_FW199_SECRET",
            taobao.gateway.secret.expose_secret(),
        )
        .env("REVIEWS_TAOBAO_SELLER_NICK", &taobao.seller_nick)
        .env("REVIEWS_TOKEN_STORE", "memory");
    let (took, output, peak_kb) = watched(&mut command);
    assert!(
        output.status.success(),
        "reviews export failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = std::fs::read_to_string(out).unwrap().lines().count();
    Run {
        took,
        records,
        peak_kb,
    }
}

fn hand_loop(sandbox: &Sandbox, (since, until): (i64, i64)) -> Run {
    let wechat = sandbox.wechat();
    let taobao = sandbox.taobao();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/hand_loop.py");
    let mut command = Command::new("python3");
    command
        .arg(script)
        .arg(sandbox.base_url())
        .arg(wechat.appid.to_string())
        .arg(wechat.secret.expose_secret())
        .arg(&taobao.gateway.appid)
        .arg(taobao.gateway.secret.expose_secret())
        .arg(&taobao.seller_nick)
        .arg(since.to_string())
        .arg(until.to_string());
    let (took, output, peak_kb) = watched(&mut command);
    assert!(
        output.status.success(),
        "the hand loop failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let records = counts["wechat"].as_u64().unwrap() + counts["taobao"].as_u64().unwrap();
    Run {
        took,
        records: records as usize,
        peak_kb,
    }
}

fn sandbox(comments: usize, rates: usize, latency: Duration) -> Sandbox {
    Sandbox::builder()
        .comments(comments)
        .rates(rates)
        .latency(latency)
        .start("127.0.0.1:0")
        .unwrap()
}

/// The fastest of `runs`.
fn best(runs: usize, mut run: impl FnMut() -> Run) -> Run {
    let mut best = run();
    for _ in 1..runs {
        let next = run();
        assert_eq!(next.records, best.records);
        if next.took < best.took {
            best = next;
        }
    }
    best
}

fn main() {
    let comments = watch::env_or("EXPORT_COMMENTS", 20_000);
    let rates = watch::env_or("EXPORT_RATES", 20_000);
    let runs = watch::env_or("EXPORT_RUNS", 3);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.jsonl");

    println!(
        "reviews export vs a sequential hand-written client (Python http.client + json), {comments} comments + {rates} rates"
    );
    for (latency, runs, goal) in [(0_u64, runs, 5.0), (30, 1, 10.0)] {
        let sandbox = sandbox(comments, rates, Duration::from_millis(latency));
        let window = range();
        let ours = best(runs, || export(&sandbox, window, &out));
        let hand = best(runs, || hand_loop(&sandbox, window));
        assert_eq!(
            ours.records, hand.records,
            "both read the same records at {latency} ms"
        );
        println!(
            "  at {latency} ms: reviews export {:.2?}, hand loop {:.2?} ({} records); speed-up {:.2}x (target >= {goal}x)",
            ours.took,
            hand.took,
            ours.records,
            hand.took.as_secs_f64() / ours.took.as_secs_f64()
        );
    }

    // Memory: the same export of these records, then of four times as many. What the walks
    // hold is bounded by their windows and the pages in flight, which a few thousand records
    // already fill; the Taobao planner's de-duplication keys (some 40 bytes a rate) are all
    // that grows with the number of records.
    let small = {
        let sandbox = sandbox(comments, rates, Duration::ZERO);
        export(&sandbox, range(), &out)
    };
    let large = {
        let sandbox = sandbox(comments * 4, rates * 4, Duration::ZERO);
        export(&sandbox, range(), &out)
    };
    println!(
        "  peak memory of reviews export: {} kB for {} records, {} kB for {} records; growth {:.2}x (target <= 1.25x)",
        small.peak_kb,
        small.records,
        large.peak_kb,
        large.records,
        large.peak_kb as f64 / small.peak_kb.max(1) as f64
    );
}
