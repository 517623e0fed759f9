//! WeChat access tokens: `--token-mode` picks the endpoint, `--token-store` where they are
//! shared (never a private token when the store fails), and tokens from the merchant's own
//! service (`--wechat-token-command`, `REVIEWS_WECHAT_ACCESS_TOKEN`) are used without an
//! AppID or secret and without asking WeChat for one. Runs the built binary against a sandbox,
//! whose stats count the token requests.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use review_client::BlockingTransport;
use review_protocol::Endpoint;
use review_protocol::wechat::GetStableToken;
use review_sandbox::Sandbox;
use review_ureq::UreqTransport;

use common::{
    json_lines, one_line_failure, reviews_std, start_sandbox, stderr, stdout, wechat_env,
};

fn sandbox() -> Sandbox {
    start_sandbox(Sandbox::builder().comments(20))
}

const LIST: &[&str] = &["wechat", "list", "--format", "json", "--since", "179d"];

/// `reviews ARGS wechat list` with `env`.
fn list(args: &[&str], env: &[(&str, String)]) -> Output {
    reviews_std()
        .args(args)
        .args(LIST)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap()
}

fn assert_listed(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(0), "{what}: {}", stderr(output));
    assert!(
        !json_lines(&stdout(output)).is_empty(),
        "{what}: nothing listed"
    );
}

/// Only `sandbox`'s URL: no AppID, no secret.
fn url_only(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    vec![("REVIEWS_WECHAT_BASE_URL", sandbox.base_url().to_owned())]
}

/// A token from `sandbox`'s `/cgi-bin/stable_token`, as the merchant's service would hold.
fn service_token(sandbox: &Sandbox) -> String {
    let endpoint = GetStableToken::new(
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
        false,
    );
    let request = endpoint
        .request(&sandbox.base_url().parse().unwrap())
        .unwrap();
    let response = UreqTransport::default()
        .send(request, Duration::from_secs(10))
        .unwrap();
    let (parts, body) = response.into_parts();
    endpoint
        .parse(http::Response::from_parts(parts, body.as_slice()))
        .unwrap()
        .access_token
        .expose_secret()
        .to_owned()
}

/// Token requests (plain, stable) made of `sandbox` so far.
fn token_requests(sandbox: &Sandbox) -> (u64, u64) {
    let stats = sandbox.stats();
    (stats.token_requests.plain, stats.token_requests.stable)
}

#[test]
fn the_token_mode_picks_the_endpoint() {
    let sandbox = sandbox();
    assert_listed(&list(&[], &wechat_env(&sandbox)), "stable by default");
    assert_eq!(token_requests(&sandbox), (0, 1));
    sandbox.reset_stats();
    assert_listed(
        &list(&["--token-mode", "plain"], &wechat_env(&sandbox)),
        "--token-mode plain",
    );
    assert_eq!(token_requests(&sandbox), (1, 0));
    sandbox.reset_stats();
    let mut env = wechat_env(&sandbox);
    env.push(("REVIEWS_TOKEN_MODE", "plain".to_owned()));
    assert_listed(&list(&[], &env), "REVIEWS_TOKEN_MODE=plain");
    assert_eq!(token_requests(&sandbox), (1, 0));

    let line = one_line_failure(&list(&["--token-mode", "fast"], &[]), 2, "a bad mode");
    assert!(line.contains("fast") && line.contains("stable"), "{line}");
}

#[test]
fn the_embedded_sandbox_keeps_its_tokens_in_memory() {
    // Its tokens die with the process: whatever store is named, none is used (an unreachable
    // Redis fails nothing).
    for mode in ["plain", "stable"] {
        let output = list(
            &[
                "--token-mode",
                mode,
                "--token-store",
                "redis://127.0.0.1:1/0",
            ],
            &[],
        );
        assert_listed(&output, mode);
        assert!(
            stderr(&output).contains("embedded sandbox"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_bad_token_store_is_named_without_its_password() {
    let output = list(&["--token-store", "rediss:/alice:Passw0rdX@host"], &[]);
    let line = one_line_failure(&output, 2, "a bad store");
    assert!(
        line.contains("--token-store") && line.contains("redis://"),
        "{line}"
    );
    assert!(!line.contains("Passw0rdX"), "{line}");
}

#[test]
fn an_unreachable_redis_fails_fast_without_a_private_token() {
    let sandbox = sandbox();
    let started = Instant::now();
    let output = list(
        &["--token-store", "redis://:RedisPw0rd@127.0.0.1:1/0"],
        &wechat_env(&sandbox),
    );
    let line = one_line_failure(&output, 1, "an unreachable Redis");
    assert!(line.contains("127.0.0.1:1"), "{line}");
    assert!(!line.contains("RedisPw0rd"), "{line}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // No token of its own: WeChat was not asked.
    assert_eq!(token_requests(&sandbox), (0, 0));
}

#[test]
fn the_file_store_is_the_default_and_shares_tokens_between_runs() {
    let sandbox = sandbox();
    let cache = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = reviews_std()
            .args(LIST)
            .envs(wechat_env(&sandbox))
            .env_remove("REVIEWS_TOKEN_STORE")
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap();
        assert_listed(&output, "the file store");
    }
    // The second run used the first run's token.
    assert_eq!(token_requests(&sandbox), (0, 1));
    // In --token-dir, if given.
    sandbox.reset_stats();
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    for _ in 0..2 {
        let output = list(
            &["--token-store", "file", "--token-dir", dir_arg],
            &wechat_env(&sandbox),
        );
        assert_listed(&output, "--token-dir");
    }
    assert_eq!(token_requests(&sandbox), (0, 1));
    assert!(fs::read_dir(dir.path()).unwrap().next().is_some());
}

#[test]
fn a_token_from_the_environment_needs_no_appid_and_no_fetch() {
    let sandbox = sandbox();
    let token = service_token(&sandbox);
    sandbox.reset_stats();
    let mut env = url_only(&sandbox);
    env.push(("REVIEWS_WECHAT_ACCESS_TOKEN", token.clone()));
    let output = list(&[], &env);
    assert_listed(&output, "an env token");
    assert!(
        !stderr(&output).contains("embedded sandbox"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        token_requests(&sandbox),
        (0, 0),
        "WeChat was not asked for a token"
    );
    assert!(!stderr(&output).contains(&token));
}

#[test]
fn a_refused_token_from_the_environment_is_named() {
    let sandbox = sandbox();
    let mut env = url_only(&sandbox);
    env.push(("REVIEWS_WECHAT_ACCESS_TOKEN", "NotAT0kenAtAll".to_owned()));
    let line = one_line_failure(&list(&[], &env), 1, "a refused env token");
    assert!(
        line.contains("REVIEWS_WECHAT_ACCESS_TOKEN") && line.contains("fresh"),
        "{line}"
    );
    assert!(!line.contains("NotAT0kenAtAll"), "{line}");
    assert_eq!(token_requests(&sandbox), (0, 0));
}

/// A command printing the lines of `path` one run at a time (the last one again and again),
/// counting its runs in `path.runs`.
fn command_printing(dir: &Path, lines: &[String]) -> String {
    let script = dir.join("tokens.sh");
    let list = dir.join("tokens");
    fs::write(&list, lines.join("\n") + "\n").unwrap();
    let runs = dir.join("runs");
    fs::write(
        &script,
        format!(
            "n=$(cat {runs} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {runs}\n\
             total=$(wc -l < {list}); [ $n -gt $total ] && n=$total\n\
             sed -n \"${{n}}p\" {list}\n",
            runs = runs.display(),
            list = list.display()
        ),
    )
    .unwrap();
    format!("sh {}", script.display())
}

fn runs(dir: &Path) -> u32 {
    fs::read_to_string(dir.join("runs"))
        .map(|t| t.trim().parse().unwrap())
        .unwrap_or(0)
}

#[test]
fn a_token_command_gives_a_token_bare_or_as_json() {
    let sandbox = sandbox();
    let token = service_token(&sandbox);
    sandbox.reset_stats();
    for printed in [
        token.clone(),
        format!(r#"{{"access_token":"{token}","expires_in":7000}}"#),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let command = command_printing(dir.path(), &[printed]);
        let output = list(&["--wechat-token-command", &command], &url_only(&sandbox));
        assert_listed(&output, &command);
        assert_eq!(runs(dir.path()), 1, "run once for the whole listing");
        assert!(!stderr(&output).contains(&token));
        // From the environment too.
        let mut env = url_only(&sandbox);
        env.push(("REVIEWS_WECHAT_TOKEN_COMMAND", command));
        assert_listed(&list(&[], &env), "REVIEWS_WECHAT_TOKEN_COMMAND");
    }
    assert_eq!(
        token_requests(&sandbox),
        (0, 0),
        "WeChat was not asked for a token"
    );
}

#[test]
fn a_refused_token_runs_the_command_once_more() {
    let sandbox = sandbox();
    let token = service_token(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let command = command_printing(dir.path(), &["StaleT0ken".to_owned(), token]);
    let output = list(&["--wechat-token-command", &command], &url_only(&sandbox));
    assert_listed(&output, "renewed once");
    assert_eq!(runs(dir.path()), 2);

    // The same token again: refused for good, after one run more.
    let dir = tempfile::tempdir().unwrap();
    let command = command_printing(dir.path(), &["StaleT0ken".to_owned()]);
    let output = list(&["--wechat-token-command", &command], &url_only(&sandbox));
    let line = one_line_failure(&output, 1, "the same token again");
    assert!(
        line.contains("token command") && line.contains("refused"),
        "{line}"
    );
    assert!(!line.contains("StaleT0ken"), "{line}");
    assert_eq!(runs(dir.path()), 2);

    // Another token, refused too.
    let dir = tempfile::tempdir().unwrap();
    let command = command_printing(
        dir.path(),
        &["StaleT0ken".to_owned(), "StaleT0ken2".to_owned()],
    );
    let output = list(&["--wechat-token-command", &command], &url_only(&sandbox));
    let line = one_line_failure(&output, 1, "two refused tokens");
    assert!(line.contains("run again"), "{line}");
    assert_eq!(runs(dir.path()), 2);
    // The one stable request is the test's own: the command never asks WeChat.
    assert_eq!(token_requests(&sandbox), (0, 1));
}

#[test]
fn a_failing_token_command_is_one_line_without_its_output() {
    let sandbox = sandbox();
    for (command, expected) in [
        ("echo Leak3dT0ken; echo oops >&2; exit 3", "status 3"),
        ("true", "printed nothing"),
        ("echo 'two words'", "not a token"),
        ("echo '{\"access_token\":\"Leak3dT0ken\"}'", "JSON"),
    ] {
        let output = list(&["--wechat-token-command", command], &url_only(&sandbox));
        let line = one_line_failure(&output, 1, command);
        assert!(line.contains(expected), "{command}: {line}");
        assert!(
            !line.contains("Leak3dT0ken") && !line.contains("oops"),
            "{line}"
        );
    }
    // Writes need no --sandbox with a token command: it is a credential.
    let output = reviews_std()
        .args(["wechat", "reply", "2797755680173111111", "thanks"])
        .args(["--wechat-token-command", "exit 5"])
        .envs(url_only(&sandbox))
        .output()
        .unwrap();
    let line = one_line_failure(&output, 1, "a write");
    assert!(line.contains("status 5"), "{line}");
}

#[test]
fn a_token_command_and_a_token_together_are_refused() {
    let mut env = vec![("REVIEWS_WECHAT_ACCESS_TOKEN", "T0ken".to_owned())];
    env.push(("REVIEWS_WECHAT_BASE_URL", "http://127.0.0.1:9".to_owned()));
    let line = one_line_failure(
        &list(&["--wechat-token-command", "echo x"], &env),
        2,
        "both",
    );
    assert!(
        line.contains("REVIEWS_WECHAT_ACCESS_TOKEN") && line.contains("unset one"),
        "{line}"
    );
}
