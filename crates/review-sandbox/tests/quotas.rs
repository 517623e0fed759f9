//! The token endpoints' quotas over real loopback HTTP: `/cgi-bin/token`'s daily quota, the
//! forced stable refresh's daily quota and spacing, in China Standard Time days; and the
//! isolation of a backend's plain token from stable-token traffic, which the CLI relies on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Outcome, admin, base_url, call, http_client};
use http::Method;
use jiff::{SignedDuration, Timestamp};
use review_model::AccessToken;
use review_model::wechat::AccessTokenResponse;
use review_protocol::wechat::{GetCommentList, GetStableToken, GetToken, WechatContext};
use review_sandbox::{Sandbox, SandboxBuilder};

const DAY: i64 = 24 * 60 * 60;

fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(14).comments(20).rates(0)
}

fn start(builder: SandboxBuilder) -> (Sandbox, reqwest::Client) {
    (builder.start("127.0.0.1:0").unwrap(), http_client(None))
}

/// Moves the sandbox's clock to 01:00 China Standard Time of its next day, so that the
/// minutes a test moves through never cross midnight.
async fn to_cst_morning(client: &reqwest::Client, sandbox: &Sandbox) {
    let moved = admin(client, sandbox, Method::POST, "/sandbox/clock?advance=0").await;
    let now: Timestamp = moved["now"].as_str().unwrap().parse().unwrap();
    let of_day = (now.as_second() + 8 * 60 * 60).rem_euclid(DAY);
    sandbox.advance_clock(SignedDuration::from_secs(DAY - of_day + 60 * 60));
}

async fn plain(client: &reqwest::Client, sandbox: &Sandbox) -> Outcome<AccessTokenResponse> {
    let creds = sandbox.wechat();
    let endpoint = GetToken::new(creds.appid.clone(), creds.secret.clone());
    call(client, &endpoint, &base_url(sandbox)).await
}

async fn stable(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    force: bool,
) -> Outcome<AccessTokenResponse> {
    let creds = sandbox.wechat();
    let endpoint = GetStableToken::new(creds.appid.clone(), creds.secret.clone(), force);
    call(client, &endpoint, &base_url(sandbox)).await
}

/// The refusal's errmsg, for a call that must have been refused.
fn refusal<T: std::fmt::Debug>(outcome: Outcome<T>) -> String {
    match outcome {
        Outcome::Failed(err) => err.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Whether `token` can still read the comment list: `"ok"` or the refusal's label.
async fn reads_with(client: &reqwest::Client, sandbox: &Sandbox, token: &AccessToken) -> String {
    let now = Timestamp::now();
    let list = GetCommentList::new(
        now - SignedDuration::from_hours(24 * 30),
        now + SignedDuration::from_hours(24 * 3),
    );
    let ctx = WechatContext::new(base_url(sandbox), token.clone());
    call(client, &list, &ctx).await.label()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spent_plain_quota_refuses_until_the_next_cst_day_and_mints_nothing() {
    let (sandbox, client) = start(builder().plain_token_daily_quota(3));
    to_cst_morning(&client, &sandbox).await;
    let mut last = None;
    for _ in 0..3 {
        last = Some(plain(&client, &sandbox).await.unwrap().access_token);
    }
    let last = last.unwrap();

    let refused = plain(&client, &sandbox).await;
    assert_eq!(refused.label(), "errcode 45009");
    let message = refusal(refused);
    assert!(
        message.contains("reach max api daily quota limit"),
        "{message}"
    );
    assert!(
        message.contains("3 /cgi-bin/token calls a day"),
        "{message}"
    );
    let stats = sandbox.stats();
    assert_eq!(stats.token_requests.plain, 4);
    assert_eq!(stats.tokens_minted, 3);
    assert_eq!(stats.answers["45009"], 1);

    // The refusal revoked nothing: past the overlap, the last granted token still reads.
    sandbox.advance_clock(SignedDuration::from_mins(10));
    assert_eq!(reads_with(&client, &sandbox, &last).await, "ok");

    // 23:59 is still the same CST day...
    sandbox.advance_clock(SignedDuration::from_secs(DAY - 60 * 60 - 10 * 60 - 60));
    assert_eq!(plain(&client, &sandbox).await.label(), "errcode 45009");
    // ...and one minute later it is not.
    sandbox.advance_clock(SignedDuration::from_mins(2));
    let fresh = plain(&client, &sandbox).await.unwrap().access_token;
    assert_eq!(reads_with(&client, &sandbox, &fresh).await, "ok");
    assert_eq!(sandbox.stats().tokens_minted, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_plain_quota_is_two_thousand_a_day() {
    let (sandbox, client) = start(builder());
    to_cst_morning(&client, &sandbox).await;
    for n in 1..=2000 {
        let outcome = plain(&client, &sandbox).await;
        assert_eq!(outcome.label(), "ok", "call {n}");
    }
    assert_eq!(plain(&client, &sandbox).await.label(), "errcode 45009");
    // The stable token is not the plain one: it is still granted.
    assert_eq!(stable(&client, &sandbox, false).await.label(), "ok");
    let stats = sandbox.stats();
    assert_eq!(stats.tokens_minted, 2001);
    assert_eq!(stats.requests["/cgi-bin/token"], 2001);
}

#[tokio::test(flavor = "multi_thread")]
async fn forced_refreshes_are_thirty_seconds_apart_and_twenty_a_day() {
    let (sandbox, client) = start(builder());
    to_cst_morning(&client, &sandbox).await;
    let first = stable(&client, &sandbox, true).await.unwrap().access_token;

    // Too soon: 45011, saying how long the spacing is, and the current token stays current.
    let soon = stable(&client, &sandbox, true).await;
    assert_eq!(soon.label(), "errcode 45011");
    let message = refusal(soon);
    assert!(
        message.contains("api minute-quota reach limit"),
        "{message}"
    );
    assert!(message.contains("30 s"), "{message}");
    sandbox.advance_clock(SignedDuration::from_secs(29));
    assert_eq!(
        stable(&client, &sandbox, true).await.label(),
        "errcode 45011"
    );
    let current = stable(&client, &sandbox, false).await.unwrap().access_token;
    assert_eq!(current.expose_secret(), first.expose_secret());
    assert_eq!(sandbox.stats().tokens_minted, 1);

    // 30 s after the first: granted, and a new token.
    sandbox.advance_clock(SignedDuration::from_secs(1));
    let second = stable(&client, &sandbox, true).await.unwrap().access_token;
    assert_ne!(second.expose_secret(), first.expose_secret());

    // The third to the twentieth, 30 s apart; the refused ones above spent nothing.
    for n in 3..=20 {
        sandbox.advance_clock(SignedDuration::from_secs(30));
        assert_eq!(
            stable(&client, &sandbox, true).await.label(),
            "ok",
            "forced {n}"
        );
    }
    sandbox.advance_clock(SignedDuration::from_secs(30));
    let spent = stable(&client, &sandbox, true).await;
    assert_eq!(spent.label(), "errcode 45009");
    assert!(refusal(spent).contains("20 stable_token force_refresh calls a day"));
    // Unforced calls still answer, and the next CST day grants forced ones again.
    assert_eq!(stable(&client, &sandbox, false).await.label(), "ok");
    sandbox.advance_clock(SignedDuration::from_secs(DAY));
    assert_eq!(stable(&client, &sandbox, true).await.label(), "ok");

    let stats = sandbox.stats();
    assert_eq!(stats.tokens_minted, 21);
    assert_eq!(stats.answers["45011"], 2);
    assert_eq!(stats.answers["45009"], 1);
    assert_eq!(stats.token_requests.plain, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn unforced_stable_calls_are_not_limited() {
    let (sandbox, client) = start(
        builder()
            .plain_token_daily_quota(0)
            .force_refresh_daily_quota(0),
    );
    assert_eq!(plain(&client, &sandbox).await.label(), "errcode 45009");
    assert_eq!(
        stable(&client, &sandbox, true).await.label(),
        "errcode 45009"
    );
    let token = stable(&client, &sandbox, false).await.unwrap().access_token;
    for _ in 0..50 {
        let again = stable(&client, &sandbox, false).await.unwrap().access_token;
        assert_eq!(again.expose_secret(), token.expose_secret());
    }
    assert_eq!(reads_with(&client, &sandbox, &token).await, "ok");
    assert_eq!(sandbox.stats().tokens_minted, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_spacing_and_daily_quota_of_forced_refreshes_are_configurable() {
    let (sandbox, client) = start(
        builder()
            .force_refresh_interval(SignedDuration::ZERO)
            .force_refresh_daily_quota(2),
    );
    to_cst_morning(&client, &sandbox).await;
    assert_eq!(stable(&client, &sandbox, true).await.label(), "ok");
    assert_eq!(stable(&client, &sandbox, true).await.label(), "ok");
    assert_eq!(
        stable(&client, &sandbox, true).await.label(),
        "errcode 45009"
    );

    let (sandbox, client) = start(builder().force_refresh_interval(SignedDuration::from_mins(2)));
    assert_eq!(stable(&client, &sandbox, true).await.label(), "ok");
    sandbox.advance_clock(SignedDuration::from_secs(119));
    let soon = refusal(stable(&client, &sandbox, true).await);
    assert!(soon.contains("once every 120 s"), "{soon}");
    sandbox.advance_clock(SignedDuration::from_secs(1));
    assert_eq!(stable(&client, &sandbox, true).await.label(), "ok");
}

/// The CLI fetches stable tokens beside a merchant's backend that holds a plain one: however
/// many stable tokens it fetches or forces, and however long past the plain token's 5-minute
/// overlap, the backend's token keeps working. A second plain fetch, by contrast, does end it.
#[tokio::test(flavor = "multi_thread")]
async fn a_backends_plain_token_survives_stable_token_traffic() {
    let (sandbox, client) = start(builder());
    to_cst_morning(&client, &sandbox).await;
    let backend = plain(&client, &sandbox).await.unwrap().access_token;

    let before = stable(&client, &sandbox, false).await.unwrap().access_token;
    sandbox.advance_clock(SignedDuration::from_secs(30));
    let forced = stable(&client, &sandbox, true).await.unwrap().access_token;
    assert_ne!(forced.expose_secret(), before.expose_secret());
    sandbox.advance_clock(SignedDuration::from_mins(6));
    let again = stable(&client, &sandbox, true).await.unwrap().access_token;
    sandbox.advance_clock(SignedDuration::from_mins(6));
    assert_eq!(stable(&client, &sandbox, false).await.label(), "ok");

    // 12.5 minutes and three stable tokens later, the backend's token reads; the first stable
    // one, replaced by force, does not.
    assert_eq!(reads_with(&client, &sandbox, &backend).await, "ok");
    assert_eq!(reads_with(&client, &sandbox, &again).await, "ok");
    assert_eq!(
        reads_with(&client, &sandbox, &before).await,
        "errcode 40001"
    );
    assert_eq!(sandbox.stats().token_requests.plain, 1);

    // The contrast: a plain fetch by anyone ends the backend's token after the overlap.
    plain(&client, &sandbox).await.unwrap();
    sandbox.advance_clock(SignedDuration::from_mins(6));
    assert_eq!(
        reads_with(&client, &sandbox, &backend).await,
        "errcode 40001"
    );
}
