//! `reviews webhook serve`: the URL check, plaintext and safe-mode pushes in XML and JSON,
//! retries printed once, refusals (401, 413) printed never, a bad key refused at start-up, and
//! pushes from the sandbox end to end. Runs the built binary.
// Stopping the long-running commands uses `kill -INT`/`-TERM`.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use review_model::wechat::PushEvent;
use review_protocol::wechat::push::{Delivery, Format, PushConfig, signature};
use review_sandbox::{PushTarget, Sandbox};
use serde_json::Value;

use common::{
    Running, WAIT, bad_score, free_port, interrupt, json, listening_url, now, one_line_failure,
    post, post_raw, reviews_std, send, spawn, start_sandbox, taken_address, wait,
};

const TOKEN: &str = "PushToken123";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wx1a2b3c4d5e6f7a8b";

/// A running `reviews webhook serve`: its URL, the JSON lines it prints, its stderr.
struct Webhook {
    child: Child,
    url: String,
    /// How this webhook's fence is delivered (safe mode refuses plaintext).
    config: PushConfig,
    /// Stdout not read yet (a stalled consumer), with the channel its lines will go to.
    unread: Option<(ChildStdout, mpsc::Sender<String>)>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Webhook {
    /// Starts on a free port (found by binding port 0 and letting it go; retried if another
    /// process takes it first) and waits for the listening line.
    fn start(extra: &[&str]) -> Self {
        Self::start_reading(extra, true)
    }

    /// Like [`start`](Self::start); with `read` false nobody reads stdout until
    /// [`read_stdout`](Self::read_stdout).
    fn start_reading(extra: &[&str], read: bool) -> Self {
        for _ in 0..5 {
            let port = free_port();
            let addr = format!("127.0.0.1:{port}");
            if let Some(webhook) = Self::try_start(&addr, extra, read) {
                assert_eq!(webhook.url, format!("http://{addr}"));
                return webhook;
            }
        }
        panic!("could not start the webhook on a free port");
    }

    /// Starts on `addr`; `None` if it could not listen there.
    fn try_start(addr: &str, extra: &[&str], read: bool) -> Option<Self> {
        let mut child = spawn(
            reviews_std()
                .args(["webhook", "serve", "--addr", addr, "--token", TOKEN])
                .args(extra),
        );
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send_line, lines) = mpsc::channel();
        let unread = if read {
            forward_lines(stdout, send_line);
            None
        } else {
            Some((stdout, send_line))
        };
        let collected = Arc::new(Mutex::new(Vec::new()));
        let (send_first, first) = mpsc::channel();
        let all = Arc::clone(&collected);
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = send_first.send(line.clone());
            all.lock().unwrap().push(line);
            for line in reader.lines() {
                let Ok(line) = line else { break };
                all.lock().unwrap().push(line);
            }
        });
        let first = first.recv_timeout(WAIT).unwrap_or_default();
        let Some(url) = listening_url(&first) else {
            let status = wait(&mut child);
            assert_eq!(
                status.code(),
                Some(1),
                "only a busy port is retried: {first}"
            );
            assert!(first.contains(addr), "names the address: {first}");
            return None;
        };
        assert!(
            !first.contains(TOKEN) && !first.contains(AES_KEY),
            "no secret: {first}"
        );
        let safe_only = extra.contains(&"--aes-key") && !extra.contains(&"--allow-plaintext");
        Some(Self {
            child,
            url,
            config: if safe_only { safe() } else { plain() },
            unread,
            lines,
            stderr: collected,
        })
    }

    /// Starts reading stdout (after a stall).
    fn read_stdout(&mut self) {
        if let Some((stdout, send)) = self.unread.take() {
            forward_lines(stdout, send);
        }
    }

    /// With stdout unread, fills the pipe (64 KiB on Linux) until the writer blocks: then
    /// pushes stop being answered 200, since their lines cannot be flushed. Returns the first
    /// push refused (with 503).
    fn stall(&self) -> Delivery {
        for sent in 0..5_000u32 {
            let id = format!("22725020244433{sent:05}");
            let delivery = deliver(&plain(), &bad_score(&id), Format::Json);
            let (status, _) = post(&self.url, "/", &delivery);
            if status != 200 {
                assert_eq!(status, 503, "refused with a retry-later status");
                return delivery;
            }
        }
        panic!("stdout never stalled");
    }

    /// SIGTERM: a clean exit 0 within `limit` (`why` says what the limit is about).
    fn terminate_within(&mut self, limit: Duration, why: &str) {
        let sent = std::time::Instant::now();
        common::signal(&self.child, "-TERM");
        let status = wait(&mut self.child);
        assert_eq!(status.code(), Some(0));
        assert!(sent.elapsed() < limit, "took {:?}: {why}", sent.elapsed());
    }

    /// The next printed event.
    fn next_event(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no event line within {WAIT:?}"));
        json(&line)
    }

    /// Delivers a fresh event and returns its line: whatever was sent before it and is not
    /// printed by then was not printed at all (lines come in order).
    fn fence(&self) -> Value {
        let id = "9000000000000000001";
        let (status, _) = post(
            &self.url,
            "/fence",
            &deliver(&self.config, &bad_score(id), Format::Json),
        );
        assert_eq!(status, 200);
        let event = self.next_event();
        assert_eq!(
            event["comment_id"], id,
            "nothing printed before the fence: {event}"
        );
        event
    }

    /// SIGINT, then the exit status and stderr.
    fn stop(mut self) -> (ExitStatus, Vec<String>) {
        let status = interrupt(&mut self.child);
        // The reader threads end with the pipes.
        thread::sleep(Duration::from_millis(50));
        let stderr = self.stderr.lock().unwrap().clone();
        (status, stderr)
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends each line of `stdout` on `send`, on a thread of its own.
fn forward_lines(stdout: ChildStdout, send: mpsc::Sender<String>) {
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
}

fn plain() -> PushConfig {
    PushConfig::new(TOKEN).unwrap()
}

fn safe() -> PushConfig {
    plain().with_aes(AES_KEY, APPID).unwrap()
}

/// A delivery as WeChat makes it, with a fresh nonce (and random bytes in safe mode).
fn deliver(config: &PushConfig, event: &PushEvent, format: Format) -> Delivery {
    static NONCE: AtomicU32 = AtomicU32::new(1);
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed);
    let random = config
        .is_safe()
        .then_some([u8::try_from(nonce % 251).unwrap(); 16]);
    config
        .deliver(event, format, now(), &format!("n{nonce}"), random)
        .unwrap()
}

/// Asks the sandbox at `base_url` for a new bad review, which it pushes; returns the comment.
fn post_bad_review(base_url: &str) -> Value {
    let (status, body) = send(
        http::Request::post(format!("{base_url}/sandbox/bad-review"))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn answers_the_url_check_with_its_echostr() {
    let webhook = Webhook::start(&[]);
    let ts = now().as_second().to_string();
    let sig = signature(&[TOKEN, &ts, "n0nce"]);
    let query = format!("signature={sig}&timestamp={ts}&nonce=n0nce&echostr=echo-4711");
    for path in ["/", "/wechat/callback"] {
        let (status, body) = send(
            http::Request::get(format!("{}{path}?{query}", webhook.url))
                .body(Vec::new())
                .unwrap(),
        );
        assert_eq!((status, body.as_str()), (200, "echo-4711"), "{path}");
    }
    let forged = format!(
        "signature={}&timestamp={ts}&nonce=n0nce&echostr=x",
        "0".repeat(40)
    );
    let (status, _) = send(
        http::Request::get(format!("{}/?{forged}", webhook.url))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(status, 401);
    webhook.fence();
    let (status, stderr) = webhook.stop();
    assert_eq!(status.code(), Some(0), "SIGINT is a clean stop: {stderr:?}");
}

#[test]
fn prints_plaintext_xml_and_json_pushes_as_one_json_line_each() {
    let webhook = Webhook::start(&[]);
    let xml = bad_score("2272502024443330610");
    let (status, body) = post(&webhook.url, "/", &deliver(&plain(), &xml, Format::Xml));
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"errcode":0,"success":true}"#)
    );
    let line = webhook.next_event();
    let PushEvent::BadScore(sent) = &xml else {
        unreachable!()
    };
    assert_eq!(
        line,
        serde_json::json!({
            "event": "wxa_comment_bad_score",
            "comment_id": "2272502024443330610",
            "to_user_name": "gh_0a1b2c3d4e5f",
            "from_user_name": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M",
            "create_time": sent.create_time.to_string(),
            "encrypted": false,
            "format": "xml",
        })
    );
    assert!(
        line["create_time"].as_str().unwrap().ends_with('Z'),
        "RFC 3339 UTC"
    );

    let json = bad_score("2272502024443330611");
    let (status, _) = post(
        &webhook.url,
        "/wechat/callback",
        &deliver(&plain(), &json, Format::Json),
    );
    assert_eq!(status, 200);
    let line = webhook.next_event();
    assert_eq!(line["comment_id"], "2272502024443330611");
    assert_eq!(line["format"], "json");
    assert_eq!(line["encrypted"], false);

    // Another event is kept raw, under its name.
    let other = PushEvent::from_json(
        br#"{"ToUserName":"gh_0a1b2c3d4e5f","FromUserName":"oX","CreateTime":1704038400,"MsgType":"event","Event":"weapp_audit_success","SuccTime":1704038400}"#,
    )
    .unwrap();
    let (status, _) = post(&webhook.url, "/", &deliver(&plain(), &other, Format::Json));
    assert_eq!(status, 200);
    let line = webhook.next_event();
    assert_eq!(line["event"], "weapp_audit_success");
    assert_eq!(line["fields"]["SuccTime"], 1_704_038_400);

    let (status, _) = webhook.stop();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_retried_push_is_printed_once() {
    let webhook = Webhook::start(&[]);
    let event = bad_score("2272502024443330620");
    let first = deliver(&plain(), &event, Format::Xml);
    // WeChat's retries: the same delivery again, and the same event re-signed.
    let retries = [
        first.clone(),
        first.clone(),
        deliver(&plain(), &event, Format::Xml),
    ];
    assert_eq!(post(&webhook.url, "/", &first).0, 200);
    assert_eq!(webhook.next_event()["comment_id"], "2272502024443330620");
    for retry in &retries {
        let (status, body) = post(&webhook.url, "/", retry);
        assert_eq!(
            status, 200,
            "a retry is answered as a success, so WeChat stops: {body}"
        );
    }
    webhook.fence();
}

#[test]
fn a_tampered_signature_is_401_and_prints_nothing() {
    let webhook = Webhook::start(&[]);
    let delivery = deliver(&plain(), &bad_score("2272502024443330630"), Format::Xml);
    let tampered = delivery.query.replacen("signature=", "signature=0", 1);
    let (status, _) = post_raw(
        &webhook.url,
        "/",
        &tampered,
        delivery.content_type,
        delivery.body.clone(),
    );
    assert_eq!(status, 401);
    // Signed with another token: refused too.
    let wrong_token = PushConfig::new("AnotherToken9").unwrap();
    let forged = deliver(
        &wrong_token,
        &bad_score("2272502024443330631"),
        Format::Json,
    );
    assert_eq!(post(&webhook.url, "/", &forged).0, 401);
    webhook.fence();
    let (status, stderr) = webhook.stop();
    assert_eq!(status.code(), Some(0));
    let stderr = stderr.join("\n");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn a_body_over_max_body_is_413() {
    let webhook = Webhook::start(&["--max-body", "512"]);
    let delivery = deliver(&plain(), &bad_score("2272502024443330640"), Format::Xml);
    let mut big = delivery.body.clone();
    big.extend(std::iter::repeat_n(b' ', 4096));
    let (status, _) = post_raw(
        &webhook.url,
        "/",
        &delivery.query,
        delivery.content_type,
        big,
    );
    assert_eq!(status, 413);

    // A body announced as 100 MB is refused after the first bytes, not read whole.
    let addr = webhook.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /?{} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\nContent-Length: 104857600\r\n\r\n",
        delivery.query
    )
    .unwrap();
    stream.write_all(&[b' '; 2048]).unwrap();
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");
    drop(stream);

    // Within the limit, it is accepted.
    assert_eq!(post(&webhook.url, "/", &delivery).0, 200);
    assert_eq!(webhook.next_event()["comment_id"], "2272502024443330640");
}

#[test]
fn safe_mode_decrypts_and_marks_events_encrypted() {
    let webhook = Webhook::start(&["--aes-key", AES_KEY, "--appid", APPID]);
    for (id, format, name) in [
        ("2272502024443330650", Format::Xml, "xml"),
        ("2272502024443330651", Format::Json, "json"),
    ] {
        let delivery = deliver(&safe(), &bad_score(id), format);
        assert!(delivery.query.contains("encrypt_type=aes"));
        assert!(
            !String::from_utf8_lossy(&delivery.body).contains(id),
            "sealed"
        );
        assert_eq!(post(&webhook.url, "/", &delivery).0, 200);
        let line = webhook.next_event();
        assert_eq!(line["comment_id"], id);
        assert_eq!(line["encrypted"], true);
        assert_eq!(line["format"], name);
    }
    // A plaintext push is refused in safe mode: its body is not signed.
    let (status, body) = post(
        &webhook.url,
        "/",
        &deliver(&plain(), &bad_score("2272502024443330652"), Format::Xml),
    );
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("encrypted pushes only"), "{body}");
    // Sealed for another app: refused, not printed.
    let other = plain().with_aes(AES_KEY, "wx0000000000000000").unwrap();
    let delivery = deliver(&other, &bad_score("2272502024443330653"), Format::Xml);
    assert_eq!(post(&webhook.url, "/", &delivery).0, 400);
    webhook.fence();
    let (status, stderr) = webhook.stop();
    assert_eq!(status.code(), Some(0));
    assert!(!stderr.join("\n").contains(AES_KEY));
}

#[test]
fn a_bad_aes_key_is_refused_at_start_up() {
    let output = reviews_std()
        .args([
            "webhook",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--token",
            TOKEN,
        ])
        .args(["--aes-key", "notTheRightLengthSecret", "--appid", APPID])
        .output()
        .unwrap();
    let stderr = one_line_failure(&output, 2, "a bad --aes-key");
    assert!(
        stderr.contains("the EncodingAESKey must be 43 characters"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("notTheRightLengthSecret"),
        "the key is not echoed: {stderr}"
    );
}

#[test]
fn bad_start_up_settings_are_bad_usage() {
    let cases: [&[&str]; 4] = [
        &["--addr", "127.0.0.1:0", "--token", "x"],
        &[
            "--addr",
            "127.0.0.1:0",
            "--token",
            TOKEN,
            "--aes-key",
            AES_KEY,
        ],
        &["--addr", "nowhere", "--token", TOKEN],
        &["--token", TOKEN],
    ];
    for args in cases {
        let output = reviews_std()
            .args(["webhook", "serve"])
            .args(args)
            .output()
            .unwrap();
        let stderr = one_line_failure(&output, 2, &format!("{args:?}"));
        assert!(!stderr.contains(AES_KEY), "{stderr}");
    }
}

#[test]
fn an_address_in_use_is_a_runtime_failure_naming_it() {
    let (taken, addr) = taken_address();
    let output = reviews_std()
        .args(["webhook", "serve", "--addr", &addr, "--token", TOKEN])
        .output()
        .unwrap();
    let stderr = one_line_failure(&output, 1, &addr);
    assert!(stderr.contains(&addr), "{stderr}");
    drop(taken);
}

#[test]
fn pushes_from_the_sandbox_arrive_end_to_end() {
    let webhook = Webhook::start(&[]);
    let sandbox = start_sandbox(Sandbox::builder().seed(11).comments(5).rates(5).push(
        PushTarget::new(format!("{}/wechat/callback", webhook.url), TOKEN),
    ));
    let comment = post_bad_review(sandbox.base_url());
    let line = webhook.next_event();
    assert_eq!(line["event"], "wxa_comment_bad_score");
    assert_eq!(line["comment_id"], comment["commentId"]);
    assert_eq!(line["format"], "xml");
    assert_eq!(line["encrypted"], false);
    webhook.fence();
    drop(sandbox);
    let (status, _) = webhook.stop();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_sandbox_command_pushes_to_the_webhook_command_in_safe_mode() {
    // The sandbox seals pushes for its own appid, which the seed decides.
    let appid = {
        let twin = start_sandbox(Sandbox::builder().seed(12).comments(1).rates(1));
        twin.wechat().appid.as_str().to_owned()
    };
    let webhook = Webhook::start(&["--aes-key", AES_KEY, "--appid", &appid]);
    let hook = format!("{}/hook", webhook.url);
    let sandbox = Running::start(&[
        "--seed",
        "12",
        "--comments",
        "5",
        "--rates",
        "5",
        "--push-url",
        &hook,
        "--push-token",
        TOKEN,
        "--push-aes-key",
        AES_KEY,
        "--push-format",
        "json",
    ]);
    assert_eq!(sandbox.readiness["wechat"]["appid"], appid.as_str());
    let comment = post_bad_review(sandbox.base_url());
    let line = webhook.next_event();
    assert_eq!(line["comment_id"], comment["commentId"]);
    assert_eq!(line["encrypted"], true);
    assert_eq!(line["format"], "json");
    let (status, _, _) = sandbox.stop("-INT");
    assert_eq!(status.code(), Some(0));
    let (status, _) = webhook.stop();
    assert_eq!(status.code(), Some(0));
}

/// `delivery` with `encrypt_type` and `msg_signature` dropped: what an attacker who saw one
/// safe-mode push URL would post, with a body of their own.
fn downgraded(delivery: &Delivery) -> String {
    let params: Vec<(String, String)> = form_urlencoded::parse(delivery.query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "encrypt_type" && k != "msg_signature")
        .collect();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish()
}

#[test]
fn safe_mode_refuses_a_downgrade_forgery_unless_plaintext_is_allowed() {
    let genuine = deliver(&safe(), &bad_score("2272502024443330660"), Format::Xml);
    let forged = bad_score("6666666666666666666")
        .to_xml()
        .unwrap()
        .into_bytes();

    let webhook = Webhook::start(&["--aes-key", AES_KEY, "--appid", APPID]);
    let (status, body) = post_raw(
        &webhook.url,
        "/",
        &downgraded(&genuine),
        "text/xml",
        forged.clone(),
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(post(&webhook.url, "/", &genuine).0, 200);
    assert_eq!(webhook.next_event()["comment_id"], "2272502024443330660");
    webhook.fence();
    let (status, stderr) = webhook.stop();
    assert_eq!(status.code(), Some(0));
    assert!(
        stderr.iter().any(|l| l.contains("encrypted pushes only")),
        "{stderr:?}"
    );

    // Accepting plaintext is explicit; a forged body under a nonce already seen is still a
    // replay (401), printed never.
    let webhook = Webhook::start(&["--aes-key", AES_KEY, "--appid", APPID, "--allow-plaintext"]);
    let plain_genuine = deliver(&plain(), &bad_score("2272502024443330661"), Format::Xml);
    assert_eq!(post(&webhook.url, "/", &plain_genuine).0, 200);
    assert_eq!(webhook.next_event()["encrypted"], false);
    let (status, body) = post_raw(&webhook.url, "/", &plain_genuine.query, "text/xml", forged);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("replayed"), "{body}");
    webhook.fence();
}

#[test]
fn the_help_says_the_plaintext_body_is_not_signed() {
    let help = common::ok(&["webhook", "serve", "--help"]);
    assert!(help.contains("--allow-plaintext"), "{help}");
    assert!(help.contains("not the body"), "{help}");
}

#[test]
fn a_retry_while_stdout_is_stalled_is_not_acknowledged_until_written() {
    let mut webhook = Webhook::start_reading(&[], false);
    let stalled = webhook.stall();
    // WeChat's retry of the stalled push: still not acknowledged.
    let (status, body) = post(&webhook.url, "/", &stalled);
    assert_eq!(
        status, 503,
        "a retry is not answered 200 before the line is written: {body}"
    );
    // The server itself is not blocked: a URL check is answered at once.
    let ts = now().as_second().to_string();
    let sig = signature(&[TOKEN, &ts, "n0nce"]);
    let started = std::time::Instant::now();
    let (status, echo) = send(
        http::Request::get(format!(
            "{}/?signature={sig}&timestamp={ts}&nonce=n0nce&echostr=alive",
            webhook.url
        ))
        .body(Vec::new())
        .unwrap(),
    );
    assert_eq!((status, echo.as_str()), (200, "alive"));
    assert!(started.elapsed() < Duration::from_secs(1));

    // The reader comes back: every line arrives exactly once, the stalled one included, and
    // the retry is then acknowledged.
    webhook.read_stdout();
    let stalled_id = {
        let event = PushConfig::new(TOKEN)
            .unwrap()
            .open(&stalled.query, &stalled.body, now())
            .unwrap()
            .event;
        match event {
            PushEvent::BadScore(bad) => bad.comment_id.to_string(),
            other => panic!("{other:?}"),
        }
    };
    let mut seen = std::collections::HashSet::new();
    while !seen.contains(&stalled_id) {
        let line = webhook.next_event();
        assert!(
            seen.insert(line["comment_id"].as_str().unwrap().to_owned()),
            "printed twice: {line}"
        );
    }
    assert_eq!(post(&webhook.url, "/", &stalled).0, 200);
    webhook.fence();
}

#[test]
fn a_closed_stdout_stops_the_server_with_one_line_and_exit_1() {
    let mut webhook = Webhook::start_reading(&[], false);
    drop(webhook.unread.take());
    let delivery = deliver(&plain(), &bad_score("2272502024443330670"), Format::Json);
    let (status, _) = post(&webhook.url, "/", &delivery);
    assert_eq!(status, 503, "not acknowledged: nobody recorded it");
    let status = wait(&mut webhook.child);
    assert_eq!(status.code(), Some(1));
    thread::sleep(Duration::from_millis(50));
    let stderr = webhook.stderr.lock().unwrap().clone();
    let last = stderr.last().unwrap();
    assert!(
        last.starts_with("reviews: cannot write events to stdout"),
        "{stderr:?}"
    );
}

/// `n` connections to `url` that send half a request head and then stall.
fn stalled_heads(url: &str, n: usize) -> Vec<TcpStream> {
    let addr = url.trim_start_matches("http://");
    (0..n)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(b"POST /push?signature=").unwrap();
            stream
        })
        .collect()
}

#[test]
fn unfinished_heads_are_closed_after_the_header_timeout_while_pushes_go_on() {
    let webhook = Webhook::start(&[]);
    let mut stalled = stalled_heads(&webhook.url, 200);
    // Meanwhile a push on a fresh connection is answered at once.
    webhook.fence();
    // The header read timeout is 10 s: by 13 s every stalled connection has been closed.
    let deadline = std::time::Instant::now() + Duration::from_secs(13);
    for stream in &mut stalled {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut buf = [0u8; 256];
        // Closed: end of file (hyper closes without an answer) or a reset; a timeout fails.
        match stream.read(&mut buf) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(err) => panic!("a stalled connection is still open: {err}"),
        }
    }
    webhook.fence();
}

#[test]
fn sigterm_stops_within_the_grace_despite_a_half_sent_request() {
    let mut webhook = Webhook::start(&[]);
    let _stalled = stalled_heads(&webhook.url, 3);
    thread::sleep(Duration::from_millis(100));
    webhook.terminate_within(Duration::from_secs(8), "the grace is 5 s");
}

#[test]
fn sigterm_stops_promptly_while_stdout_is_stalled() {
    let mut webhook = Webhook::start_reading(&[], false);
    webhook.stall();
    webhook.terminate_within(
        Duration::from_secs(8),
        "a blocked writer must not hold the stop",
    );
}

#[test]
fn max_body_says_its_range() {
    for bad in ["-5", "0", "99999999999"] {
        let output = reviews_std()
            .args([
                "webhook",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--token",
                TOKEN,
                "--max-body",
                bad,
            ])
            .output()
            .unwrap();
        let line = one_line_failure(&output, 2, bad);
        assert!(
            line.contains("is not a body size in bytes: use a whole number from 256 to 16777216"),
            "{line}"
        );
    }
}
