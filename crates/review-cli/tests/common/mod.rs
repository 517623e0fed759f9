//! Helpers shared by the end-to-end tests of the `reviews` binary: the command with a clean
//! environment, running it and reading its output, a sandbox's credentials as the binary reads
//! them, long-running processes (readiness lines, signals, deadlines) and plain HTTP to them.
//!
//! Every test file declares `mod common;`; not every file uses every helper.

#![allow(
    dead_code,
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

use jiff::Timestamp;
use review_client::BlockingTransport;
use review_model::CommentId;
use review_model::wechat::{BadScoreEvent, PushEvent};
use review_protocol::wechat::push::Delivery;
use review_sandbox::{Sandbox, SandboxBuilder};
use review_ureq::UreqTransport;
use serde_json::Value;

/// How long a process gets to print its first line or to exit.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

// ---- The command ----

/// Where the tests' binary looks for the user's config file: nowhere that exists.
pub(crate) const NO_CONFIG_HOME: &str = "/nonexistent/reviews-tests/config";

/// The binary with none of the caller's `REVIEWS_*` settings (so that it uses the embedded
/// sandbox unless a test passes credentials), no `RUST_LOG`, no config file of the user's
/// (`XDG_CONFIG_HOME` points nowhere) and tokens kept in memory (`REVIEWS_TOKEN_STORE=memory`,
/// so that no test leaves token files behind or shares them with another; a test of the
/// stores sets its own).
pub(crate) fn reviews_std() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reviews"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("REVIEWS_") {
            command.env_remove(key);
        }
    }
    command.env_remove("RUST_LOG");
    command.env("XDG_CONFIG_HOME", NO_CONFIG_HOME);
    command.env("REVIEWS_TOKEN_STORE", "memory");
    command
}

/// [`reviews_std`] as an `assert_cmd` command.
pub(crate) fn reviews() -> assert_cmd::Command {
    assert_cmd::Command::from_std(reviews_std())
}

/// [`reviews`] in a 100-column terminal, which the tables are measured against.
pub(crate) fn reviews_in_100_columns() -> assert_cmd::Command {
    let mut command = reviews();
    command.env("COLUMNS", "100");
    command
}

// ---- Running it and reading what it wrote ----

/// Stdout, which must be UTF-8.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Stderr, which must be UTF-8.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Runs `args` in a 100-column terminal.
pub(crate) fn run(args: &[&str]) -> Output {
    reviews_in_100_columns().args(args).output().unwrap()
}

/// Runs `args` in a 100-column terminal, expects exit 0, returns stdout.
pub(crate) fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Asserts exit `code`, nothing on stdout and exactly one line on stderr, which is no panic;
/// returns that line. `what` labels the messages.
pub(crate) fn one_line_failure(output: &Output, code: i32, what: &str) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{what}: {err}");
    assert!(
        output.stdout.is_empty(),
        "{what}: stdout {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(err.lines().count(), 1, "{what}: exactly one line: {err:?}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

/// Bad input: exit 2 and exactly one line on stderr, containing `expected`.
pub(crate) fn refused(args: &[&str], expected: &str) {
    let err = one_line_failure(&run(args), 2, &format!("{args:?}"));
    assert!(err.contains(expected), "{args:?}: {err}");
}

/// One JSON value.
pub(crate) fn json(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// One JSON value a line.
pub(crate) fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(json).collect()
}

/// A CSV document's header and rows.
pub(crate) fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader.records().map(Result::unwrap).collect();
    (header, rows)
}

/// An RFC 3339 time in UTC (`...Z`).
pub(crate) fn is_rfc3339_utc(text: &str) -> bool {
    text.ends_with('Z') && text.parse::<Timestamp>().is_ok()
}

// ---- A sandbox and its credentials ----

/// Starts `builder` on a free local port.
pub(crate) fn start_sandbox(builder: SandboxBuilder) -> Sandbox {
    builder.start("127.0.0.1:0").unwrap()
}

/// WeChat credentials as the binary reads them from the environment.
pub(crate) fn wechat_env_at(
    base_url: &str,
    appid: &str,
    secret: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("REVIEWS_WECHAT_BASE_URL", base_url.to_owned()),
        ("REVIEWS_WECHAT_APPID", appid.to_owned()),
        ("REVIEWS_WECHAT_SECRET", secret.to_owned()),
    ]
}

/// `sandbox`'s URL and WeChat appid with `secret` (right or wrong), as environment variables.
pub(crate) fn wechat_env_with_secret(
    sandbox: &Sandbox,
    secret: &str,
) -> Vec<(&'static str, String)> {
    wechat_env_at(sandbox.base_url(), sandbox.wechat().appid.as_str(), secret)
}

/// `sandbox`'s WeChat credentials, as environment variables.
pub(crate) fn wechat_env(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    wechat_env_with_secret(sandbox, sandbox.wechat().secret.expose_secret())
}

/// `sandbox`'s URL, fw199 appid and seller with `secret` (right or wrong), as environment
/// variables.
pub(crate) fn fw199_env_with_secret(
    sandbox: &Sandbox,
    secret: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("REVIEWS_FW199_BASE_URL", sandbox.base_url().to_owned()),
        (
            "REVIEWS_FW199_APPID",
            sandbox.taobao().gateway.appid.clone(),
        ),
        ("REVIEWS_FW199_SECRET", secret.to_owned()),
        (
            "REVIEWS_TAOBAO_SELLER_NICK",
            sandbox.taobao().seller_nick.clone(),
        ),
    ]
}

/// `sandbox`'s fw199 credentials, as environment variables.
pub(crate) fn fw199_env(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    fw199_env_with_secret(sandbox, sandbox.taobao().gateway.secret.expose_secret())
}

// ---- Long-running processes ----

/// Spawns `command` with no stdin and stdout and stderr piped.
pub(crate) fn spawn(command: &mut Command) -> Child {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to exit, killing it and failing after [`WAIT`].
pub(crate) fn wait(child: &mut Child) -> ExitStatus {
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

/// Sends `signal` (`-INT`, `-TERM`) to `child` with `kill`.
pub(crate) fn signal(child: &Child, signal: &str) {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(sent.success(), "kill {signal} {pid}");
}

/// Sends SIGINT (Ctrl-C) and waits for the exit.
pub(crate) fn interrupt(child: &mut Child) -> ExitStatus {
    signal(child, "-INT");
    wait(child)
}

/// Everything left in `reader`.
pub(crate) fn read_rest(mut reader: impl Read) -> String {
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    text
}

/// Everything `child` writes to stderr, until it closes it.
pub(crate) fn child_stderr(child: &mut Child) -> String {
    read_rest(child.stderr.take().unwrap())
}

/// Everything `child` writes to stdout, until it closes it.
pub(crate) fn child_stdout(child: &mut Child) -> String {
    read_rest(child.stdout.take().unwrap())
}

/// The next line of `reader`, with its newline.
pub(crate) fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line
}

/// The first line `child` writes to stdout; then its stdout is closed, as `| head -1` does.
pub(crate) fn first_stdout_line(child: &mut Child) -> String {
    read_line(&mut BufReader::new(child.stdout.take().unwrap()))
}

/// A free local port: bound to port 0, then let go.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A local address that is in use while the listener lives.
pub(crate) fn taken_address() -> (TcpListener, String) {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    (taken, addr)
}

/// The URL in `reviews webhook serve`'s "listening on http://..." line.
pub(crate) fn listening_url(line: &str) -> Option<String> {
    let at = line.find("listening on http://")?;
    line[at + "listening on ".len()..]
        .split_whitespace()
        .next()
        .map(str::to_owned)
}

/// A `reviews sandbox` process that printed its readiness line.
pub(crate) struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// The readiness line, parsed.
    pub(crate) readiness: Value,
}

impl Running {
    /// `reviews sandbox ARGS`, with a clean environment.
    pub(crate) fn start(args: &[&str]) -> Self {
        Self::spawn(reviews_std().arg("sandbox").args(args))
    }

    /// Spawns `command` (a `reviews sandbox`) and waits up to [`WAIT`] for its readiness line.
    pub(crate) fn spawn(command: &mut Command) -> Self {
        let mut child = spawn(command);
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
        let readiness = json(&line);
        Self {
            child,
            stdout,
            readiness,
        }
    }

    /// The `base_url` of the readiness line.
    pub(crate) fn base_url(&self) -> &str {
        self.readiness["base_url"].as_str().unwrap()
    }

    /// Sends `signal` and waits for the exit; returns the status, the rest of stdout and stderr.
    pub(crate) fn stop(mut self, signal_name: &str) -> (ExitStatus, String, String) {
        signal(&self.child, signal_name);
        let status = wait(&mut self.child);
        let rest = read_rest(&mut self.stdout);
        let stderr = child_stderr(&mut self.child);
        (status, rest, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- HTTP and pushes ----

/// Sends `request`; returns the status and the body as text.
pub(crate) fn send(request: http::Request<Vec<u8>>) -> (u16, String) {
    let response = UreqTransport::default()
        .send(request, Duration::from_secs(10))
        .unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(response.body()).into_owned(),
    )
}

/// Posts `delivery` to `url` + `path`, as WeChat does.
pub(crate) fn post(url: &str, path: &str, delivery: &Delivery) -> (u16, String) {
    post_raw(
        url,
        path,
        &delivery.query,
        delivery.content_type,
        delivery.body.clone(),
    )
}

/// Posts `body` to `url` + `path` + `?query`.
pub(crate) fn post_raw(
    url: &str,
    path: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String) {
    send(
        http::Request::post(format!("{url}{path}?{query}"))
            .header("content-type", content_type)
            .body(body)
            .unwrap(),
    )
}

/// Now, in whole seconds (as push events carry it).
pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).unwrap()
}

/// A bad-review push for `comment_id`, created now.
pub(crate) fn bad_score(comment_id: &str) -> PushEvent {
    PushEvent::BadScore(BadScoreEvent {
        to_user_name: "gh_0a1b2c3d4e5f".to_owned(),
        from_user_name: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M".to_owned(),
        create_time: now(),
        comment_id: CommentId::new(comment_id),
    })
}
