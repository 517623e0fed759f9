//! `reviews sandbox`: the readiness line (a contract), serving until interrupted, and its
//! refusals. Runs the built binary.
// Stopping the long-running commands uses `kill -INT`/`-TERM`.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_client::ClientConfig;
use review_model::{AppId, Secret};
use review_protocol::wechat::GetCommentList;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// The binary, with none of the user's `REVIEWS_*` settings or logs.
fn reviews() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("reviews"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("REVIEWS_") {
            command.env_remove(key);
        }
    }
    command.env_remove("RUST_LOG");
    command
}

/// A `reviews sandbox` process that printed its readiness line.
struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
    readiness: Value,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut child = reviews()
            .arg("sandbox")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read the one line on a thread, so that a sandbox that never gets ready fails the
        // test instead of hanging it.
        let (send, receive) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = send.send((read.map(|_| line), reader));
        });
        let Ok((line, stdout)) = receive.recv_timeout(WAIT) else {
            let _ = child.kill();
            panic!("no readiness line within {WAIT:?}");
        };
        let line = line.unwrap();
        assert!(
            line.ends_with('\n'),
            "the readiness line ends with a newline: {line:?}"
        );
        let readiness = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Self {
            child,
            stdout,
            readiness,
        }
    }

    fn base_url(&self) -> &str {
        self.readiness["base_url"].as_str().unwrap()
    }

    /// Sends `signal` and waits for the exit; returns the status, the rest of stdout and stderr.
    fn stop(mut self, signal: &str) -> (ExitStatus, String, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(sent.success(), "kill {signal} {pid}");
        let status = wait(&mut self.child);
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status, rest, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit within {WAIT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Runs to completion (a refusal is immediate).
fn run(args: &[&str]) -> Output {
    let mut child = reviews()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait(&mut child);
    child.wait_with_output().unwrap()
}

/// Asserts exit code 2 or 1 with exactly one line on stderr and nothing on stdout.
fn one_line_failure(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn prints_the_readiness_contract_serves_and_stops_on_sigint() {
    let sandbox = Running::start(&["--addr", "127.0.0.1:0", "--comments", "30", "--rates", "60"]);
    let ready = sandbox.readiness.clone();
    assert_eq!(keys(&ready), ["base_url", "fw199", "wechat"]);
    assert_eq!(keys(&ready["wechat"]), ["appid", "secret"]);
    assert_eq!(keys(&ready["fw199"]), ["appid", "secret", "seller_nick"]);
    let base_url = sandbox.base_url().to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(
        !base_url.ends_with(":0"),
        "the real port, not 0: {base_url}"
    );
    let appid = ready["wechat"]["appid"].as_str().unwrap();
    let secret = ready["wechat"]["secret"].as_str().unwrap();
    assert!(appid.starts_with("wx"), "{appid}");
    for text in [
        secret,
        ready["fw199"]["appid"].as_str().unwrap(),
        ready["fw199"]["secret"].as_str().unwrap(),
        ready["fw199"]["seller_nick"].as_str().unwrap(),
    ] {
        assert!(!text.is_empty());
    }

    // A client written from the documents works against it: a token, then a page of comments,
    // and the fw199 trade-rate search.
    let now = Timestamp::now();
    let since = now
        .checked_sub(SignedDuration::from_hours(24 * 180))
        .unwrap();
    let config = ClientConfig::new()
        .wechat(
            base_url.parse().unwrap(),
            AppId::new(appid),
            Secret::new(secret),
        )
        .fw199(
            base_url.parse().unwrap(),
            ready["fw199"]["appid"].as_str().unwrap(),
            Secret::new(ready["fw199"]["secret"].as_str().unwrap()),
            ready["fw199"]["seller_nick"].as_str().unwrap(),
        );
    let client = review_ureq::client(config);
    let page = client
        .comment_page(&GetCommentList::new(since, now))
        .unwrap();
    assert!(!page.comments.is_empty(), "the sandbox serves its comments");
    let rates = client
        .trade_rates(None, since, now, 100)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(!rates.is_empty(), "the sandbox serves its rates");

    let (status, rest, stderr) = sandbox.stop("-INT");
    assert_eq!(
        status.code(),
        Some(0),
        "SIGINT is a clean stop; stderr: {stderr}"
    );
    assert_eq!(rest, "", "exactly one line on stdout");
    assert!(
        stderr.lines().count() <= 1,
        "at most one human line: {stderr:?}"
    );
    assert!(stderr.contains(&base_url), "{stderr}");
    for secret in [secret, ready["fw199"]["secret"].as_str().unwrap()] {
        assert!(!stderr.contains(secret), "no secret on stderr: {stderr}");
    }
}

#[test]
fn sigterm_is_a_clean_stop_too() {
    let sandbox = Running::start(&["--comments", "5", "--rates", "5"]);
    let (status, rest, _) = sandbox.stop("-TERM");
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest, "");
}

#[test]
fn the_same_seed_gives_the_same_credentials() {
    let credentials = |seed: &str| {
        let sandbox = Running::start(&["--seed", seed, "--comments", "5", "--rates", "5"]);
        let ready = sandbox.readiness.clone();
        let (status, _, _) = sandbox.stop("-INT");
        assert_eq!(status.code(), Some(0));
        (ready["wechat"].clone(), ready["fw199"].clone())
    };
    let first = credentials("7");
    let again = credentials("7");
    assert_eq!(first, again);
    let other = credentials("8");
    assert_ne!(first.0["appid"], other.0["appid"]);
}

#[test]
fn a_fault_rate_outside_0_to_1_is_bad_usage() {
    for rate in ["2", "1.01", "-0.5", "NaN"] {
        let output = run(&["sandbox", &format!("--faults={rate}")]);
        let line = one_line_failure(&output, 2);
        assert!(line.contains("--faults"), "{line}");
    }
}

#[test]
fn a_fault_rate_in_range_is_accepted() {
    let sandbox = Running::start(&["--faults", "0.3", "--comments", "5", "--rates", "5"]);
    let (status, _, _) = sandbox.stop("-INT");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn an_address_in_use_is_a_runtime_failure_naming_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = run(&["sandbox", "--addr", &addr]);
    let line = one_line_failure(&output, 1);
    assert!(line.contains(&addr), "names the address: {line}");
    drop(taken);
}

#[test]
fn a_malformed_address_is_bad_usage() {
    let output = run(&["sandbox", "--addr", "not-an-address"]);
    let line = one_line_failure(&output, 2);
    assert!(line.contains("--addr"), "{line}");
}

#[test]
fn bad_push_settings_are_bad_usage() {
    let cases: [(&[&str], &str); 5] = [
        (&["--push-url", "not a url"], "--push-url"),
        (&["--push-url", "ftp://127.0.0.1/hook"], "--push-url"),
        (
            &[
                "--push-url",
                "http://127.0.0.1:9/hook",
                "--push-aes-key",
                "tooShortKey",
            ],
            "EncodingAESKey",
        ),
        (
            &[
                "--push-url",
                "http://127.0.0.1:9/hook",
                "--push-format",
                "yaml",
            ],
            "--push-format",
        ),
        (
            &["--push-url", "http://127.0.0.1:9/hook", "--push-every", "0"],
            "--push-every",
        ),
    ];
    for (args, named) in cases {
        let mut all = vec!["sandbox"];
        all.extend_from_slice(args);
        let output = run(&all);
        let line = one_line_failure(&output, 2);
        assert!(line.contains(named), "{args:?}: {line}");
        assert!(
            !line.contains("tooShortKey"),
            "the key is never echoed: {line}"
        );
    }
}

#[test]
fn push_options_need_a_push_url() {
    let output = run(&["sandbox", "--push-every", "5"]);
    let line = one_line_failure(&output, 2);
    assert!(line.contains("--push-url"), "{line}");
}
