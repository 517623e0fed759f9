//! Tokens shared between real `reviews` processes: a merchant's backend keeps its plain token,
//! a hundred runs and two hundred concurrent ones make one token request, a refresh holder
//! killed with SIGKILL is outlived, two processes refused on one token refresh once, and a
//! Redis store that goes away stops the command with one line. File store, then Redis.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{reviews_std, send, start_sandbox, wechat_env_at};
use jiff::{SignedDuration, Timestamp};
use review_model::wechat::AccessTokenResponse;
use review_model::{AccessToken, AppId, Secret};
use review_protocol::wechat::{GetCommentList, GetStableToken, GetToken, WechatContext};
use review_protocol::{BaseUrl, Endpoint};
use review_sandbox::Sandbox;

/// Where tokens are shared in one test.
enum Store {
    File(tempfile::TempDir),
    Redis(String),
}

impl Store {
    fn file() -> Self {
        Self::File(tempfile::tempdir().unwrap())
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::File(dir) => vec![
                ("REVIEWS_TOKEN_STORE", "file".to_owned()),
                ("REVIEWS_TOKEN_DIR", dir.path().display().to_string()),
            ],
            Self::Redis(url) => vec![("REVIEWS_TOKEN_STORE", url.clone())],
        }
    }
}

/// The Redis server the tests share, or `None` (with one line saying so) outside CI.
fn redis_url() -> Option<String> {
    let url = std::env::var("REVIEWS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned());
    let address = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    if TcpStream::connect(&address).is_ok() {
        return Some(url);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "Redis is not reachable at {address}, and CI=true: the Redis tests may not be skipped"
    );
    // Straight to stdout, past the test harness's capture, so that a skip shows.
    let _ = writeln!(
        std::io::stdout().lock(),
        "skipped: Redis not reachable at {address}"
    );
    None
}

fn command(base_url: &str, sandbox: &Sandbox, store: &Store) -> Command {
    let mut command = reviews_std();
    command.args(["wechat", "list", "--since", "2d", "--format", "json"]);
    command.envs(wechat_env_at(
        base_url,
        sandbox.wechat().appid.as_str(),
        sandbox.wechat().secret.expose_secret(),
    ));
    command.envs(store.env());
    command.stdin(Stdio::null());
    command
}

fn list(sandbox: &Sandbox, store: &Store) -> Output {
    command(sandbox.base_url(), sandbox, store)
        .output()
        .unwrap()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn stable_requests(sandbox: &Sandbox) -> u64 {
    sandbox.stats().token_requests.stable
}

fn base(sandbox: &Sandbox) -> BaseUrl {
    sandbox.base_url().parse().unwrap()
}

fn appid_secret(sandbox: &Sandbox) -> (AppId, Secret) {
    (
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
    )
}

/// A token as the merchant's own backend fetches it.
fn backend_token(
    sandbox: &Sandbox,
    endpoint: &impl Endpoint<Context = BaseUrl, Output = AccessTokenResponse>,
) -> AccessToken {
    let (status, body) = send(endpoint.request(&base(sandbox)).unwrap());
    assert_eq!(status, 200, "{body}");
    endpoint
        .parse(http::Response::new(body.as_bytes()))
        .unwrap()
        .access_token
}

/// Whether the platform takes `token` for a comment list.
fn token_works(sandbox: &Sandbox, token: &AccessToken) -> bool {
    let now = Timestamp::now();
    let list = GetCommentList::new(now - SignedDuration::from_hours(24), now).limit(1);
    let context = WechatContext::new(base(sandbox), token.clone());
    let (status, body) = send(list.request(&context).unwrap());
    assert_eq!(status, 200, "{body}");
    body.contains(r#""errcode":0"#)
}

#[test]
fn a_backends_plain_token_survives_a_hundred_runs_and_the_overlap() {
    let sandbox = start_sandbox(Sandbox::builder());
    let (appid, secret) = appid_secret(&sandbox);
    let theirs = backend_token(&sandbox, &GetToken::new(appid, secret));
    let store = Store::file();
    for _ in 0..100 {
        assert_ok(&list(&sandbox, &store));
    }
    let stats = sandbox.stats();
    assert_eq!(
        stats.token_requests.plain, 1,
        "only the backend fetched a plain token"
    );
    assert_eq!(
        stats.token_requests.stable, 1,
        "a hundred runs shared one stable token"
    );
    // Past WeChat's five-minute overlap, a plain fetch by us would have ended theirs.
    sandbox.advance_clock(SignedDuration::from_mins(6));
    assert!(
        token_works(&sandbox, &theirs),
        "the backend's plain token was ended"
    );
}

/// Eight `reviews` runs started together; each must succeed.
fn eight_at_once(sandbox: &Sandbox, store: &Store) {
    let children: Vec<Child> = (0..8)
        .map(|_| {
            command(sandbox.base_url(), sandbox, store)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        assert_ok(&child.wait_with_output().unwrap());
    }
}

fn hundred_sequential_runs_one_request(store: &Store) {
    let sandbox = start_sandbox(Sandbox::builder());
    for _ in 0..100 {
        assert_ok(&list(&sandbox, store));
    }
    assert_eq!(stable_requests(&sandbox), 1);
}

fn concurrent_runs_one_request(store: &Store) {
    let sandbox = start_sandbox(Sandbox::builder());
    for _wave in 0..25 {
        eight_at_once(&sandbox, store);
    }
    assert_eq!(
        stable_requests(&sandbox),
        1,
        "8 × 25 runs, one token request"
    );
}

#[test]
fn file_store_a_hundred_sequential_runs_make_one_token_request() {
    hundred_sequential_runs_one_request(&Store::file());
}

#[test]
fn file_store_eight_by_twenty_five_concurrent_runs_make_one_token_request() {
    concurrent_runs_one_request(&Store::file());
}

#[test]
fn redis_store_a_hundred_sequential_runs_make_one_token_request() {
    let Some(url) = redis_url() else { return };
    hundred_sequential_runs_one_request(&Store::Redis(url));
}

#[test]
fn redis_store_eight_by_twenty_five_concurrent_runs_make_one_token_request() {
    let Some(url) = redis_url() else { return };
    concurrent_runs_one_request(&Store::Redis(url));
}

/// Two (here eight) processes refused on the same token: the first to report it clears it,
/// the others find it cleared or already replaced, and one refresh serves them all.
fn refused_together_refresh_once(store: &Store) {
    let sandbox = start_sandbox(Sandbox::builder());
    assert_ok(&list(&sandbox, store));
    // The merchant forces a new stable token elsewhere; ours dies after the overlap.
    let (appid, secret) = appid_secret(&sandbox);
    backend_token(&sandbox, &GetStableToken::new(appid, secret, true));
    sandbox.advance_clock(SignedDuration::from_mins(6));
    sandbox.reset_stats();
    eight_at_once(&sandbox, store);
    let stats = sandbox.stats();
    assert!(
        stats.answers.get("40001").copied().unwrap_or(0) >= 1,
        "the old token was refused: {stats:?}"
    );
    assert_eq!(stats.token_requests.stable, 1, "{stats:?}");
}

#[test]
fn file_store_processes_refused_on_one_token_refresh_once() {
    refused_together_refresh_once(&Store::file());
}

#[test]
fn redis_store_processes_refused_on_one_token_refresh_once() {
    let Some(url) = redis_url() else { return };
    refused_together_refresh_once(&Store::Redis(url));
}

/// A proxy in front of the sandbox that swallows the first token request (its sender waits
/// for ever) and forwards everything else, one request per connection.
fn swallowing_proxy(target: &str) -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let target = target.trim_start_matches("http://").to_owned();
    let swallowed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&swallowed);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let target = target.clone();
            let flag = Arc::clone(&flag);
            thread::spawn(move || forward(stream, &target, &flag));
        }
    });
    (address, swallowed)
}

fn forward(mut client: TcpStream, target: &str, swallowed: &AtomicBool) {
    let mut request = Vec::new();
    let mut buf = [0_u8; 8192];
    let (head_end, length) = loop {
        let Ok(n) = client.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while request.len() < head_end + length {
        let Ok(n) = client.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    if head.contains("/cgi-bin/stable_token") && !swallowed.swap(true, Ordering::SeqCst) {
        // Never answered: the sender holds the refresh lock until it dies.
        thread::sleep(Duration::from_secs(120));
        return;
    }
    let head = head.replacen("\r\n", "\r\nConnection: close\r\n", 1);
    let mut upstream = TcpStream::connect(target).unwrap();
    upstream.write_all(head.as_bytes()).unwrap();
    upstream.write_all(&request[head_end..]).unwrap();
    let mut answer = Vec::new();
    let _ = upstream.read_to_end(&mut answer);
    let _ = client.write_all(&answer);
}

fn lease_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "lease"))
        .count()
}

/// The first process sends its refresh (so it holds the lock) into a proxy that never
/// answers, and is killed with SIGKILL; the next process refreshes once the lease ran out.
fn killed_refresh_holder_is_outlived(store: &Store) {
    let sandbox = start_sandbox(Sandbox::builder());
    let (proxy, swallowed) = swallowing_proxy(sandbox.base_url());
    let mut holder = command(&proxy, &sandbox, store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !swallowed.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the first process never sent its refresh"
        );
        thread::sleep(Duration::from_millis(10));
    }
    if let Store::File(dir) = store {
        assert_eq!(lease_files(dir.path()), 1, "the holder's lease is on disk");
    }
    let locked = Instant::now();
    common::signal(&holder, "-KILL");
    let _ = holder.wait();
    let output = command(&proxy, &sandbox, store).output().unwrap();
    assert_ok(&output);
    let waited = locked.elapsed();
    assert!(
        waited >= Duration::from_secs(8),
        "the next process refreshed after {waited:?}, before the 10 s lease ran out"
    );
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    assert_eq!(
        stable_requests(&sandbox),
        1,
        "the swallowed request never reached it"
    );
}

#[test]
fn file_store_a_killed_refresh_holder_is_outlived_after_the_lease() {
    killed_refresh_holder_is_outlived(&Store::file());
}

#[test]
fn redis_store_a_killed_refresh_holder_is_outlived_after_the_lease() {
    let Some(url) = redis_url() else { return };
    killed_refresh_holder_is_outlived(&Store::Redis(url));
}

/// A Redis server of this test's own, so that stopping it disturbs no other test.
struct PrivateRedis {
    child: Child,
    url: String,
}

impl PrivateRedis {
    fn start() -> Option<Self> {
        let port = common::free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(err) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "redis-server cannot be started ({err}), and CI=true"
                );
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "skipped: redis-server cannot be started: {err}"
                );
                return None;
            }
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        Some(Self {
            child,
            url: format!("redis://127.0.0.1:{port}/0"),
        })
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn redis_stopped_mid_run_fails_with_one_line() {
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let sandbox = start_sandbox(Sandbox::builder());
    let store = Store::Redis(redis.url.clone());
    assert_ok(&list(&sandbox, &store));
    assert_ok(&list(&sandbox, &store));
    redis.child.kill().unwrap();
    redis.child.wait().unwrap();
    let started = Instant::now();
    let output = list(&sandbox, &store);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("Redis"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // It never fell back to a token of its own.
    assert_eq!(stable_requests(&sandbox), 1);
}
