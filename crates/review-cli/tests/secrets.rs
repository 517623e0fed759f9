//! With `RUST_LOG=trace`, no app secret, fw199 secret, access token, push token or
//! EncodingAESKey appears anywhere in any output: stdout, stderr, logs, error messages.
//!
//! Access tokens are caught three ways: the exact tokens the sandbox issues (a twin sandbox
//! with the same seed issues the same sequence), anything shaped like them (their prefix and a
//! long alphanumeric run, learnt from a token fetched here), and any `access_token=` in a URL
//! that is not followed by `***`. Runs the built binary.
// Stopping the long-running commands uses `kill -INT`/`-TERM`.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::BufReader;
use std::process::{Command, Output};
use std::time::Duration;

use review_client::BlockingTransport;
use review_protocol::Endpoint;
use review_protocol::wechat::GetToken;
use review_protocol::wechat::push::{Format, PushConfig};
use review_sandbox::{DEFAULT_SEED, Sandbox};
use review_ureq::UreqTransport;

use common::{
    Running, bad_score, child_stdout, fw199_env, fw199_env_with_secret, interrupt, listening_url,
    now, post, read_line, read_rest, reviews_std, spawn, start_sandbox, wechat_env, wechat_env_at,
    wechat_env_with_secret,
};

const PUSH_TOKEN: &str = "PushTokenTrace77";
const AES_KEY: &str = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg";
const APPID: &str = "wx1a2b3c4d5e6f7a8b";

/// The binary at trace level, with none of the user's `REVIEWS_*` settings.
fn reviews() -> Command {
    let mut command = reviews_std();
    command.env("RUST_LOG", "trace");
    command
}

fn sandbox(seed: u64) -> Sandbox {
    start_sandbox(Sandbox::builder().seed(seed).comments(40).rates(60))
}

/// A token from `sandbox`'s `/cgi-bin/token`, fetched without the client.
fn fetch_token(sandbox: &Sandbox) -> String {
    let endpoint = GetToken::new(
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
    );
    let request = endpoint
        .request(&sandbox.base_url().parse().unwrap())
        .unwrap();
    let response = UreqTransport::default()
        .send(request, Duration::from_secs(10))
        .unwrap();
    let (parts, body) = response.into_parts();
    let answer = endpoint
        .parse(http::Response::from_parts(parts, body.as_slice()))
        .unwrap();
    answer.access_token.expose_secret().to_owned()
}

/// The first tokens a sandbox of `seed` will issue: a twin issues the same sequence.
fn tokens_issued_by_seed(seed: u64) -> Vec<String> {
    let twin = sandbox(seed);
    (0..4).map(|_| fetch_token(&twin)).collect()
}

/// What every output is checked against.
struct Forbidden {
    /// Exact values that must never appear.
    values: Vec<String>,
    /// A token's prefix (`86_`): followed by a long alphanumeric run, it is a token.
    token_prefix: String,
}

impl Forbidden {
    /// The secrets of `sandbox` and the tokens a sandbox of `seed` issues.
    fn of(sandbox: &Sandbox, seed: u64) -> Self {
        let tokens = tokens_issued_by_seed(seed);
        let sample = fetch_token(sandbox);
        let token_prefix = match sample.find('_') {
            Some(at) => sample[..=at].to_owned(),
            None => sample[..3].to_owned(),
        };
        assert!(
            sample.len() > 32,
            "a sandbox token is long: {}",
            sample.len()
        );
        let mut values = tokens;
        values.push(sample);
        values.push(sandbox.wechat().secret.expose_secret().to_owned());
        values.push(sandbox.taobao().gateway.secret.expose_secret().to_owned());
        Self {
            values,
            token_prefix,
        }
    }

    fn with(mut self, more: &[&str]) -> Self {
        self.values.extend(more.iter().map(|s| (*s).to_owned()));
        self
    }

    /// Panics if `text` (labelled `what`) shows a secret or a token.
    fn check(&self, what: &str, text: &str) {
        for value in &self.values {
            assert!(
                !text.contains(value.as_str()),
                "{what} shows a secret or token ({}...):\n{text}",
                &value[..6]
            );
        }
        for (at, _) in text.match_indices(&self.token_prefix) {
            let run = text[at + self.token_prefix.len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .count();
            assert!(
                run < 32,
                "{what} shows something shaped like an access token:\n{text}"
            );
        }
        for key in ["access_token=", "secret="] {
            for (at, _) in text.match_indices(key) {
                let rest = &text[at + key.len()..];
                assert!(
                    rest.starts_with("***"),
                    "{what} shows `{key}` unmasked:\n{text}"
                );
            }
        }
        assert!(!text.contains("panicked"), "{what}:\n{text}");
    }

    fn check_output(&self, what: &str, output: &Output) {
        self.check(
            &format!("{what} stdout"),
            &String::from_utf8_lossy(&output.stdout),
        );
        self.check(
            &format!("{what} stderr"),
            &String::from_utf8_lossy(&output.stderr),
        );
    }
}

fn run(args: &[&str], env: &[(&'static str, String)]) -> Output {
    reviews()
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap()
}

#[test]
fn listing_both_platforms_at_trace_level_shows_no_secret() {
    const SEED: u64 = 41;
    let sandbox = sandbox(SEED);
    let forbidden = Forbidden::of(&sandbox, SEED);

    let wechat = run(
        &["wechat", "list", "--format", "json"],
        &wechat_env(&sandbox),
    );
    let stderr = String::from_utf8_lossy(&wechat.stderr);
    assert!(wechat.status.success(), "{stderr}");
    assert!(!wechat.stdout.is_empty(), "comments were listed");
    assert!(
        stderr.contains("access_token=***"),
        "trace logs show the (masked) requests: {stderr}"
    );
    forbidden.check_output("wechat list", &wechat);

    let taobao = run(
        &["taobao", "search", "--format", "json"],
        &fw199_env(&sandbox),
    );
    assert!(
        taobao.status.success(),
        "{}",
        String::from_utf8_lossy(&taobao.stderr)
    );
    assert!(!taobao.stdout.is_empty(), "rates were listed");
    assert!(!taobao.stderr.is_empty(), "trace logs are on");
    forbidden.check_output("taobao search", &taobao);
}

#[test]
fn a_wrong_secret_is_refused_without_showing_any_secret() {
    const SEED: u64 = 42;
    let sandbox = sandbox(SEED);
    let wrong = "0f0e0d0c0b0a09080706050403020100";
    let forbidden = Forbidden::of(&sandbox, SEED).with(&[wrong]);

    let wechat = run(
        &["wechat", "list", "--format", "json"],
        &wechat_env_with_secret(&sandbox, wrong),
    );
    assert_eq!(
        wechat.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&wechat.stderr)
    );
    forbidden.check_output("wechat list with a wrong secret", &wechat);

    let taobao = run(
        &["taobao", "search", "--format", "json"],
        &fw199_env_with_secret(&sandbox, wrong),
    );
    assert_eq!(
        taobao.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&taobao.stderr)
    );
    forbidden.check_output("taobao search with a wrong secret", &taobao);
}

#[test]
fn the_embedded_sandbox_at_trace_level_shows_no_secret() {
    // Without credentials the command starts a sandbox of the default seed in-process, whose
    // own logs are on too.
    let reference = sandbox(DEFAULT_SEED);
    let forbidden = Forbidden::of(&reference, DEFAULT_SEED);
    for args in [
        &["wechat", "list", "--format", "json"][..],
        &["taobao", "search", "--format", "json"][..],
    ] {
        let output = run(args, &[]);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        forbidden.check_output(&args.join(" "), &output);
    }
}

#[test]
fn the_sandbox_command_prints_its_credentials_only_in_the_readiness_line() {
    const SEED: u64 = 44;
    let reference = sandbox(SEED);
    let forbidden = Forbidden::of(&reference, SEED);
    let sandbox = Running::spawn(reviews().args([
        "sandbox",
        "--seed",
        "44",
        "--comments",
        "40",
        "--rates",
        "60",
    ]));
    // A client uses it, so tokens are issued and the sandbox's request logs run.
    let env = wechat_env_at(
        sandbox.base_url(),
        reference.wechat().appid.as_str(),
        reference.wechat().secret.expose_secret(),
    );
    let listed = run(&["wechat", "list", "--format", "json"], &env);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    forbidden.check_output("wechat list", &listed);
    let (status, rest, stderr) = sandbox.stop("-INT");
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest, "", "nothing after the readiness line");
    forbidden.check("reviews sandbox stderr", &stderr);
}

#[test]
fn the_webhook_at_trace_level_shows_neither_push_token_nor_key() {
    let forbidden = Forbidden {
        values: vec![PUSH_TOKEN.to_owned(), AES_KEY.to_owned()],
        token_prefix: "86_".to_owned(),
    };
    let mut child = spawn(
        reviews()
            .args([
                "webhook",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--token",
                PUSH_TOKEN,
            ])
            .args(["--aes-key", AES_KEY, "--appid", APPID]),
    );
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (listening, url) = loop {
        let line = read_line(&mut stderr);
        assert!(!line.is_empty(), "the webhook did not start");
        if let Some(url) = listening_url(&line) {
            break (line, url);
        }
    };

    let config = PushConfig::new(PUSH_TOKEN)
        .unwrap()
        .with_aes(AES_KEY, APPID)
        .unwrap();
    let sent_at = now();
    let event = bad_score("2272502024443330700");
    let good = config
        .deliver(&event, Format::Xml, sent_at, "n1", Some([3; 16]))
        .unwrap();
    let wrong = PushConfig::new("WrongToken42").unwrap();
    let bad = wrong
        .deliver(&event, Format::Json, sent_at, "n2", None)
        .unwrap();
    for (delivery, status) in [(&good, 200), (&bad, 401)] {
        assert_eq!(post(&url, "/", delivery).0, status);
    }
    assert_eq!(interrupt(&mut child).code(), Some(0));
    let rest = read_rest(stderr);
    let stdout = child_stdout(&mut child);
    assert!(
        stdout.contains("2272502024443330700"),
        "the event was printed: {stdout}"
    );
    forbidden.check("webhook stdout", &stdout);
    forbidden.check("webhook stderr", &format!("{listening}{rest}"));
}

/// What a URL with userinfo must never show, in any output.
const USERINFO_URL: &str = "http://alice:S3cretPassw0rd@127.0.0.1:9/";

fn shows_no_userinfo(output: &Output, what: &str) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains("S3cretPassw0rd") && !text.contains("alice"),
            "{what}: {text}"
        );
    }
}

#[test]
fn a_base_url_with_userinfo_is_refused_without_repeating_it() {
    // With credentials: the URL itself is refused, exit 2.
    let with_credentials = run(
        &["export", "--platform", "wechat"],
        &[
            ("REVIEWS_WECHAT_BASE_URL", USERINFO_URL.to_owned()),
            ("REVIEWS_WECHAT_APPID", "wx1234567890abcdef".to_owned()),
            (
                "REVIEWS_WECHAT_SECRET",
                "0123456789abcdef0123456789abcdef".to_owned(),
            ),
        ],
    );
    assert_eq!(with_credentials.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&with_credentials.stderr);
    assert!(
        stderr.contains("credentials in the URL are not allowed"),
        "{stderr}"
    );
    shows_no_userinfo(&with_credentials, "with credentials");
    // Without credentials, as a flag.
    let without = run(
        &[
            "export",
            "--platform",
            "taobao",
            "--fw199-base-url",
            USERINFO_URL,
        ],
        &[],
    );
    assert_eq!(without.status.code(), Some(2));
    shows_no_userinfo(&without, "without credentials");
    // As the sandbox's push target.
    let push = run(&["sandbox", "--push-url", USERINFO_URL], &[]);
    assert_eq!(push.status.code(), Some(2));
    shows_no_userinfo(&push, "--push-url");
}

#[test]
fn help_shows_no_url_or_secret_from_the_environment() {
    let env = [
        ("REVIEWS_WECHAT_BASE_URL", USERINFO_URL.to_owned()),
        ("REVIEWS_FW199_BASE_URL", USERINFO_URL.to_owned()),
        ("REVIEWS_WECHAT_SECRET", "S3cretPassw0rd".to_owned()),
        ("REVIEWS_WEBHOOK_TOKEN", "S3cretPassw0rd".to_owned()),
    ];
    for args in [
        &["--help"][..],
        &["export", "--help"],
        &["wechat", "list", "--help"],
        &["webhook", "serve", "--help"],
    ] {
        let output = run(args, &env);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        shows_no_userinfo(&output, &format!("{args:?}"));
    }
    let help = run(&["--help"], &[]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Prefer the environment variable"), "{help}");
}
