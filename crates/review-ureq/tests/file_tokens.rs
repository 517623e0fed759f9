//! Clients that share a `FileBackend` directory share one stable token: two clients of one
//! process, and two processes (this binary starts a copy of itself whose `child` test acts on
//! `FILE_TOKENS_CHILD`), each with its own token cache, make one token request between them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_client::{
    BlockingClient, BlockingTransport, ClientConfig, FileBackend, HttpResult, TokenBackend,
    WechatTokens,
};
use review_model::{AppId, Secret};
use review_protocol::wechat::GetCommentList;
use review_protocol::wechat::token_cache::RefreshKind;
use review_protocol::wechat::token_share::{StoreAnswer, StoreKey, StoreOp};
use review_sandbox::Sandbox;
use review_ureq::UreqTransport;

const CHILD: &str = "FILE_TOKENS_CHILD";

/// Counts the token requests that pass.
#[derive(Clone, Default)]
struct Counting {
    inner: UreqTransport,
    stable: Arc<AtomicUsize>,
    plain: Arc<AtomicUsize>,
}

impl BlockingTransport for Counting {
    fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        match request.uri().path() {
            "/cgi-bin/stable_token" => self.stable.fetch_add(1, Ordering::SeqCst),
            "/cgi-bin/token" => self.plain.fetch_add(1, Ordering::SeqCst),
            _ => 0,
        };
        self.inner.send(request, timeout)
    }

    fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration);
    }
}

/// A client of its own (its own token cache, its own `FileBackend`), as another process has.
fn client(base: &str, appid: &AppId, secret: &Secret, dir: &Path) -> Client {
    let backend = Arc::new(FileBackend::new(dir).unwrap());
    let config = ClientConfig::new()
        .wechat_tokens(
            base.parse().unwrap(),
            appid.clone(),
            secret.clone(),
            WechatTokens::stable().backend(backend),
        )
        .timeout(Duration::from_secs(5));
    let counts = Counting::default();
    Client {
        inner: BlockingClient::new(counts.clone(), config),
        counts,
    }
}

/// A client and what its transport counted.
struct Client {
    inner: BlockingClient<Counting>,
    counts: Counting,
}

/// Lists the sandbox's comments of the last 30 days.
fn list(client: &Client) -> usize {
    let now = Timestamp::now();
    let query = GetCommentList::new(now - SignedDuration::from_hours(24 * 30), now).limit(50);
    let comments: Vec<_> = client
        .inner
        .comments(query)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    comments.len()
}

fn stable_requests(client: &Client) -> usize {
    client.counts.stable.load(Ordering::SeqCst)
}

/// A fresh directory under the target's temporary directory.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("file_tokens-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Waits up to 30 s for `path` to exist.
fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {}",
            path.display()
        );
        thread::sleep(Duration::from_millis(1));
    }
}

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(5)
        .comments(30)
        .start("127.0.0.1:0")
        .unwrap()
}

/// The child's side: one client of the sandbox named by the environment, one listing, then its
/// number of token requests on stdout. Without `FILE_TOKENS_CHILD` it does nothing.
#[test]
fn child() {
    let Ok(dir) = env::var(CHILD) else {
        return;
    };
    let base = env::var("FILE_TOKENS_BASE").unwrap();
    let appid = AppId::new(env::var("FILE_TOKENS_APPID").unwrap());
    let secret = Secret::new(env::var("FILE_TOKENS_SECRET").unwrap());
    let dir = PathBuf::from(dir);
    let client = client(&base, &appid, &secret, &dir);
    fs::write(dir.join("ready"), "").unwrap();
    wait_for(&dir.join("go"));
    assert!(list(&client) > 0);
    assert_eq!(client.counts.plain.load(Ordering::SeqCst), 0);
    println!("stable_token requests: {}", stable_requests(&client));
}

#[test]
fn two_clients_sharing_a_dir_make_one_token_request() {
    let sandbox = sandbox();
    let creds = sandbox.wechat();
    let dir = fresh_dir("clients");
    let clients: Vec<_> = (0..2)
        .map(|_| client(sandbox.base_url(), &creds.appid, &creds.secret, &dir))
        .collect();
    // Both cold at once: one refreshes, the other waits for the record.
    let start = Barrier::new(clients.len());
    thread::scope(|s| {
        for client in &clients {
            let start = &start;
            s.spawn(move || {
                start.wait();
                assert!(list(client) > 0);
            });
        }
    });
    let total: usize = clients.iter().map(stable_requests).sum();
    assert_eq!(total, 1, "token requests");

    // A client started later finds the token in the directory.
    let later = client(sandbox.base_url(), &creds.appid, &creds.secret, &dir);
    assert!(list(&later) > 0);
    assert_eq!(stable_requests(&later), 0);

    let base: review_protocol::BaseUrl = sandbox.base_url().parse().unwrap();
    let key = StoreKey::new(base.host(), creds.appid.clone(), RefreshKind::Stable);
    let record = match FileBackend::new(&dir)
        .unwrap()
        .run_blocking(&key, StoreOp::Load)
        .unwrap()
    {
        StoreAnswer::Record(Some(record)) => record,
        other => panic!(
            "the directory holds no record for {}: {other:?}",
            key.slug()
        ),
    };
    assert!(record.token.is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(format!("{}.json", key.slug()));
        let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_processes_sharing_a_dir_make_one_token_request() {
    let sandbox = sandbox();
    let creds = sandbox.wechat();
    let dir = fresh_dir("processes");
    fs::create_dir_all(&dir).unwrap();
    let child = Command::new(env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, &dir)
        .env("FILE_TOKENS_BASE", sandbox.base_url())
        .env("FILE_TOKENS_APPID", creds.appid.as_str())
        .env("FILE_TOKENS_SECRET", creds.secret.expose_secret())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both clients start cold at once.
    let mine = client(sandbox.base_url(), &creds.appid, &creds.secret, &dir);
    wait_for(&dir.join("ready"));
    fs::write(dir.join("go"), "").unwrap();
    assert!(list(&mine) > 0);
    let output = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{out}\n{err}");
    let theirs: usize = out
        .split_once("stable_token requests: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the child test did not run:\n{out}\n{err}"))
        .parse()
        .unwrap();
    let mine = stable_requests(&mine);
    println!("token requests: {mine} here, {theirs} in the child");
    assert_eq!(mine + theirs, 1, "token requests");
    fs::remove_dir_all(&dir).unwrap();
}
