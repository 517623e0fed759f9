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

mod common;

use std::process::Output;

use jiff::{SignedDuration, Timestamp};
use review_client::ClientConfig;
use review_model::{AppId, Secret};
use review_protocol::wechat::GetCommentList;
use serde_json::Value;

use common::{Running, one_line_failure, reviews_std, spawn, taken_address, wait};

/// Runs to completion (a refusal is immediate).
fn run(args: &[&str]) -> Output {
    let mut child = spawn(reviews_std().args(args));
    wait(&mut child);
    child.wait_with_output().unwrap()
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
    assert_eq!(keys(&ready), ["base_url", "fw199", "tenants", "wechat"]);
    assert_eq!(ready["tenants"], 1);
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
        .comment_list(&GetCommentList::new(since, now))
        .unwrap();
    assert!(!page.comments.is_empty(), "the sandbox serves its comments");
    let rates = client
        .rates(review_client::RateRange::new(since, now))
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
        let line = one_line_failure(&output, 2, rate);
        assert!(line.contains("--faults"), "{line}");
    }
}

#[test]
fn absurd_sizes_and_negative_numbers_say_the_range_at_parse_time() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--comments", "1000000000000"],
            "\"1000000000000\" is not a number of comments: use a whole number from 0 to 500000",
        ),
        (
            &["--comments", "-5"],
            "is not a number of comments: use a whole number from 0 to",
        ),
        (
            &["--rates", "99999999999999999999999"],
            "is not a number of rates: use a whole number from 0 to 1000000",
        ),
        (
            &["--faults", "-0.5"],
            "\"-0.5\" is not a rate: use a number from 0 (no faults) to 1",
        ),
        (
            &[
                "--push-url",
                "http://127.0.0.1:9/hook",
                "--push-every",
                "-1",
            ],
            "is not an interval in seconds: use a whole number from 1 to 86400",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sandbox"];
        all.extend_from_slice(args);
        let started = std::time::Instant::now();
        let output = run(&all);
        let line = one_line_failure(&output, 2, &format!("{args:?}"));
        assert!(line.contains(expected), "{args:?}: {line}");
        assert!(!line.contains("unexpected argument"), "{line}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "refused before anything is generated"
        );
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
    let (taken, addr) = taken_address();
    let output = run(&["sandbox", "--addr", &addr]);
    let line = one_line_failure(&output, 1, &addr);
    assert!(line.contains(&addr), "names the address: {line}");
    drop(taken);
}

#[test]
fn a_malformed_address_is_bad_usage() {
    let output = run(&["sandbox", "--addr", "not-an-address"]);
    let line = one_line_failure(&output, 2, "not-an-address");
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
        let line = one_line_failure(&output, 2, &format!("{args:?}"));
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
    let line = one_line_failure(&output, 2, "--push-every");
    assert!(line.contains("--push-url"), "{line}");
}

#[test]
fn sigterm_stops_within_the_grace_despite_half_sent_requests() {
    let sandbox = Running::start(&["--comments", "5", "--rates", "5"]);
    let addr = sandbox.base_url().trim_start_matches("http://").to_owned();
    let _stalled: Vec<_> = (0..3)
        .map(|_| {
            use std::io::Write;
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            stream.write_all(b"GET /cgi-bin/token?grant_type=").unwrap();
            stream
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let sent = std::time::Instant::now();
    let (status, _, _) = sandbox.stop("-TERM");
    assert_eq!(status.code(), Some(0));
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(8),
        "took {:?}: the grace is 5 s",
        sent.elapsed()
    );
}

#[test]
fn the_plain_token_quota_is_spent_then_refused_with_45009() {
    let sandbox = Running::start(&[
        "--comments",
        "5",
        "--rates",
        "5",
        "--plain-token-quota",
        "1",
    ]);
    let wechat = &sandbox.readiness["wechat"];
    let token = review_protocol::wechat::GetToken::new(
        AppId::new(wechat["appid"].as_str().unwrap()),
        Secret::new(wechat["secret"].as_str().unwrap()),
    );
    let base: review_protocol::BaseUrl = sandbox.base_url().parse().unwrap();
    let request = || review_protocol::Endpoint::request(&token, &base).unwrap();
    let (status, first) = common::send(request());
    assert_eq!(status, 200);
    assert!(first.contains("access_token"), "{first}");
    let (_, second) = common::send(request());
    assert!(second.contains(r#""errcode":45009"#), "{second}");
}

#[test]
fn a_plain_token_quota_out_of_range_is_refused() {
    let output = run(&["sandbox", "--plain-token-quota", "1000001"]);
    let line = one_line_failure(&output, 2, "a quota out of range");
    assert!(line.contains("--plain-token-quota"), "{line}");
}

/// `GET base_url + path` as JSON.
fn get_json(base_url: &str, path: &str) -> Value {
    let (status, body) = common::send(
        http::Request::get(format!("{base_url}{path}"))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// A plain token request for the `wechat` credentials of a readiness line or tenant entry.
fn token_request(base_url: &str, wechat: &Value) -> http::Request<Vec<u8>> {
    let token = review_protocol::wechat::GetToken::new(
        AppId::new(wechat["appid"].as_str().unwrap()),
        Secret::new(wechat["secret"].as_str().unwrap()),
    );
    let base: review_protocol::BaseUrl = base_url.parse().unwrap();
    review_protocol::Endpoint::request(&token, &base).unwrap()
}

#[test]
fn tenants_are_counted_in_the_readiness_line_and_listed_with_their_own_credentials() {
    let sandbox = Running::start(&["--comments", "5", "--rates", "5", "--tenants", "3"]);
    let ready = sandbox.readiness.clone();
    assert_eq!(ready["tenants"], 3);
    let listed = get_json(sandbox.base_url(), "/sandbox/tenants");
    let listed = listed["tenants"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["wechat"], ready["wechat"]);
    assert_eq!(listed[0]["fw199"], ready["fw199"]);
    let appids: std::collections::HashSet<&str> = listed
        .iter()
        .map(|t| t["wechat"]["appid"].as_str().unwrap())
        .collect();
    assert_eq!(appids.len(), 3);
    // Tenant 2's credentials get a token.
    let (status, body) = common::send(token_request(sandbox.base_url(), &listed[2]["wechat"]));
    assert_eq!(status, 200);
    assert!(body.contains("access_token"), "{body}");
    // Tenant 0 is the single-tenant sandbox of the same seed.
    let single = Running::start(&["--comments", "5", "--rates", "5"]);
    assert_eq!(single.readiness["wechat"], ready["wechat"]);
    assert_eq!(single.readiness["fw199"], ready["fw199"]);
}

#[test]
fn the_new_options_read_their_environment_variables() {
    let sandbox = Running::spawn(
        reviews_std()
            .args(["sandbox", "--comments", "5", "--rates", "5"])
            .env("REVIEWS_SANDBOX_TENANTS", "2")
            .env("REVIEWS_SANDBOX_QUOTA_PER_MINUTE", "1")
            .env("REVIEWS_SANDBOX_LATENCY_MS", "1"),
    );
    assert_eq!(sandbox.readiness["tenants"], 2);
    let (_, token) = common::send(token_request(
        sandbox.base_url(),
        &sandbox.readiness["wechat"],
    ));
    let token = json_token(&token);
    let list = |token: &str| {
        let now = Timestamp::now();
        let ctx = review_protocol::wechat::WechatContext::new(
            sandbox.base_url().parse().unwrap(),
            review_model::AccessToken::new(token),
        );
        let list = GetCommentList::new(now - SignedDuration::from_hours(24), now);
        common::send(review_protocol::Endpoint::request(&list, &ctx).unwrap()).1
    };
    assert!(list(&token).contains(r#""errcode":0"#));
    let refused = list(&token);
    assert!(
        refused.contains(r#""errcode":45011,"errmsg":"api minute-quota reach limit  mustslower  retry next minute"#),
        "{refused}"
    );
    let stats = get_json(sandbox.base_url(), "/sandbox/stats");
    assert_eq!(stats["answers"]["quota_wechat"], 1, "{stats}");
}

fn json_token(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn latency_quota_and_tenants_out_of_range_are_bad_usage() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--latency", "60001"],
            "\"60001\" is not a latency in milliseconds: use a whole number from 0 to 60000",
        ),
        (&["--latency", "-1"], "is not a latency in milliseconds"),
        (
            &["--quota-per-minute", "0"],
            "\"0\" is not a number of calls a minute: use a whole number from 1 to 10000000",
        ),
        (
            &["--quota-per-minute", "many"],
            "is not a number of calls a minute",
        ),
        (
            &["--quota-window-ms", "5"],
            "is not a window in milliseconds: use a whole number from 10 to 86400000",
        ),
        (
            &["--tenants", "0"],
            "\"0\" is not a number of tenants: use a whole number from 1 to 10000",
        ),
        (&["--tenants", "10001"], "is not a number of tenants"),
        (
            &["--tenants", "10000"],
            "--tenants 10000 × --comments 240 is 2400000 comments in all, above the 500000 the sandbox holds: lower --comments or --tenants",
        ),
        (
            &["--tenants", "1000", "--comments", "5"],
            "--tenants 1000 × --rates 2400 is 2400000 rates in all, above the 1000000 the sandbox holds",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sandbox"];
        all.extend_from_slice(args);
        let output = run(&all);
        let line = one_line_failure(&output, 2, &format!("{args:?}"));
        assert!(line.contains(expected), "{args:?}: {line}");
    }
}
