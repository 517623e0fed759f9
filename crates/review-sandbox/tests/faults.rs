//! Fault injection: a careful client under a 30 % fault rate never duplicates a write; each
//! kind, forced alone, has its observable effect; the same seed gives the same faults.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::{Outcome, base_url, call, context, http_client, send, token};
use jiff::{SignedDuration, Timestamp};
use review_model::CommentId;
use review_model::wechat::{ErrCode, FilterType};
use review_protocol::Endpoint;
use review_protocol::taobao::{Fw199Context, SearchTradeRates};
use review_protocol::wechat::{AddReply, GetCommentList, GetReplyThread, GetToken, WechatContext};
use review_sandbox::{FaultKind, Sandbox, SandboxBuilder};

const SEED: u64 = 4242;

fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(SEED).comments(200).rates(60)
}

/// The window of every list call: the last 180 days.
fn window() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (
        now - SignedDuration::from_hours(179 * 24),
        now + SignedDuration::from_mins(5),
    )
}

/// Comments awaiting a reply, read from a sandbox without faults (the same seed gives the same
/// ids in a faulted one).
async fn awaiting_reply(count: usize) -> Vec<CommentId> {
    let sandbox = builder().start("127.0.0.1:0").unwrap();
    let client = http_client(None);
    let ctx = context(&client, &sandbox).await;
    let (start, end) = window();
    let mut ids = Vec::new();
    let mut offset = 0;
    while ids.len() < count {
        let page = GetCommentList::new(start, end)
            .filter(FilterType::AwaitingReply)
            .offset(offset)
            .limit(20);
        let page = call(&client, &page, &ctx).await.unwrap();
        assert!(
            !page.comments.is_empty(),
            "only {} comments await a reply",
            ids.len()
        );
        offset += page.comments.len() as u64;
        ids.extend(page.comments.into_iter().map(|c| c.comment_id));
    }
    ids.truncate(count);
    ids
}

/// What a careful client concluded about one write.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WriteResult {
    /// The platform said it executed.
    Executed,
    /// The platform refused it for good (a validation error).
    Refused(i64),
    /// No telling: a 5xx, a timeout, a cut answer. Never retried.
    Unknown(String),
}

/// A client that retries reads on anything, and retries a write only when the platform's own
/// answer proves it did not execute (a token error, or -1 / -10008 / 45011).
struct Careful<'a> {
    client: reqwest::Client,
    sandbox: &'a Sandbox,
    ctx: WechatContext,
    attempts: usize,
}

impl<'a> Careful<'a> {
    async fn new(sandbox: &'a Sandbox, timeout: Duration) -> Self {
        let client = http_client(Some(timeout));
        let ctx = WechatContext::new(base_url(sandbox), token(&client, sandbox).await);
        Self {
            client,
            sandbox,
            ctx,
            attempts: 0,
        }
    }

    async fn refresh(&mut self) {
        self.ctx.access_token = token(&self.client, self.sandbox).await;
    }

    async fn read<E: Endpoint<Context = WechatContext>>(&mut self, endpoint: &E) -> E::Output {
        for _ in 0..100 {
            self.attempts += 1;
            match call(&self.client, endpoint, &self.ctx).await {
                Outcome::Done(value) => return value,
                Outcome::Failed(err) if err.is_token_error() => self.refresh().await,
                Outcome::Failed(err) => {
                    assert!(err.is_retryable(), "a read failed for good: {err}");
                }
                Outcome::Lost(_) => {}
            }
        }
        panic!("a read failed 100 times");
    }

    async fn write<E: Endpoint<Context = WechatContext>>(&mut self, endpoint: &E) -> WriteResult {
        assert!(!endpoint.idempotent());
        for _ in 0..100 {
            self.attempts += 1;
            match call(&self.client, endpoint, &self.ctx).await {
                Outcome::Done(_) => return WriteResult::Executed,
                Outcome::Failed(err) if err.is_token_error() => self.refresh().await,
                Outcome::Failed(err) => match err.wechat_code() {
                    Some(ErrCode::SystemBusy | ErrCode::ServiceError | ErrCode::RateLimited) => {}
                    Some(code) => return WriteResult::Refused(code.code()),
                    None => return WriteResult::Unknown(format!("{err}")),
                },
                Outcome::Lost(why) => return WriteResult::Unknown(why),
            }
        }
        panic!("a write was refused 100 times");
    }
}

fn comment_of(record: &review_sandbox::WriteRecord) -> String {
    record.body["commentId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_careful_client_never_duplicates_a_write_under_faults() {
    const WRITES: usize = 40;
    let targets = awaiting_reply(WRITES).await;
    let sandbox = builder()
        .faults(0.3)
        .slow_response(Duration::from_millis(1200))
        .start("127.0.0.1:0")
        .unwrap();
    let mut careful = Careful::new(&sandbox, Duration::from_millis(500)).await;

    let mut results = HashMap::new();
    for (i, id) in targets.iter().enumerate() {
        // A read before each write, as a real workflow would (and to meet read faults).
        careful.read(&GetReplyThread::new(id.clone())).await;
        let reply = AddReply::new(id.clone(), format!("感谢您的反馈 #{i}"));
        results.insert(id.as_str().to_owned(), careful.write(&reply).await);
    }

    let writes = sandbox.writes();
    // No write executed twice.
    let mut seen = HashSet::new();
    for record in &writes {
        assert!(
            seen.insert((record.path.clone(), record.body.to_string())),
            "duplicated: {record:?}"
        );
    }
    // Every executed write was one the client attempted, on its own comment.
    let logged: HashMap<String, &review_sandbox::WriteRecord> = writes
        .iter()
        .map(|record| (comment_of(record), record))
        .collect();
    assert_eq!(logged.len(), writes.len(), "one write per comment");
    for (id, record) in &logged {
        let result = results
            .get(id)
            .unwrap_or_else(|| panic!("a write nobody asked for: {record:?}"));
        assert_ne!(*result, WriteResult::Refused(0));
        if record.answer_lost {
            assert!(
                matches!(result, WriteResult::Unknown(_)),
                "{id}: lost answer but {result:?}"
            );
        }
    }
    // What the client saw executed is in the log exactly once.
    for (id, result) in &results {
        match result {
            WriteResult::Executed => {
                assert!(logged.contains_key(id), "{id} executed but not logged");
            }
            WriteResult::Refused(code) => panic!("{id} refused with {code}"),
            WriteResult::Unknown(_) => {}
        }
    }
    // The client resolves every unknown by reading, never by writing again.
    for (id, result) in &results {
        if matches!(result, WriteResult::Unknown(_)) {
            let thread = careful
                .read(&GetReplyThread::new(CommentId::new(id.clone())))
                .await;
            assert_eq!(
                thread.reply.is_some(),
                logged.contains_key(id),
                "{id}: the thread and the log disagree"
            );
        }
    }
    // The run met the hazards it is about (deterministic for this seed).
    let unknown = results
        .values()
        .filter(|r| matches!(r, WriteResult::Unknown(_)))
        .count();
    let lost = writes.iter().filter(|r| r.answer_lost).count();
    assert!(
        careful.attempts > WRITES * 2,
        "faults made the client retry"
    );
    assert!(
        unknown > 0 && lost > 0,
        "{unknown} unknown outcomes, {lost} lost answers"
    );

    // The log is served over HTTP too, with the same records.
    let served = common::admin(
        &http_client(None),
        &sandbox,
        http::Method::GET,
        "/sandbox/writes",
    )
    .await;
    assert_eq!(served.as_array().unwrap().len(), writes.len());
    assert_eq!(
        served
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["answer_lost"] == true)
            .count(),
        lost
    );
}

/// A sandbox where every faultable request meets `kind`.
fn forced(kind: FaultKind) -> Sandbox {
    builder()
        .faults(1.0)
        .fault_kinds(&[kind])
        .slow_response(Duration::from_millis(500))
        .start("127.0.0.1:0")
        .unwrap()
}

fn list() -> GetCommentList {
    let (start, end) = window();
    GetCommentList::new(start, end).limit(5)
}

/// Runs one read and one write against a sandbox forced to `kind`.
async fn read_and_write(kind: FaultKind) -> (Sandbox, Outcome<()>, Outcome<()>) {
    let target = awaiting_reply(1).await.remove(0);
    let sandbox = forced(kind);
    let client = http_client(Some(Duration::from_secs(5)));
    let ctx = context(&client, &sandbox).await;
    let read = match call(&client, &list(), &ctx).await {
        Outcome::Done(_) => Outcome::Done(()),
        Outcome::Failed(err) => Outcome::Failed(err),
        Outcome::Lost(why) => Outcome::Lost(why),
    };
    let write = call(&client, &AddReply::new(target, "您好,已为您处理。"), &ctx).await;
    (sandbox, read, write)
}

async fn errcode_kind(kind: FaultKind, code: i64) {
    let (sandbox, read, write) = read_and_write(kind).await;
    assert_eq!(read.label(), format!("errcode {code}"));
    assert_eq!(write.label(), format!("errcode {code}"));
    if let Outcome::Failed(err) = &read {
        assert!(err.is_retryable());
    }
    assert!(
        sandbox.writes().is_empty(),
        "a refused write is not executed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn system_busy_answers_errcode_minus_1() {
    errcode_kind(FaultKind::SystemBusy, -1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_error_answers_errcode_minus_10008() {
    errcode_kind(FaultKind::ServiceError, -10008).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_answers_errcode_45011() {
    errcode_kind(FaultKind::RateLimited, 45011).await;
}

async fn html_kind(kind: FaultKind, status: u16) {
    let (sandbox, read, write) = read_and_write(kind).await;
    assert_eq!(read.label(), format!("http {status}"));
    assert_eq!(write.label(), format!("http {status}"));
    assert!(sandbox.writes().is_empty());
    // The body is a proxy's HTML page, on fw199 too.
    let client = http_client(None);
    let request = fw199_search(&sandbox)
        .request(&fw199_context(&sandbox))
        .unwrap();
    let raw = send(&client, request).await.unwrap();
    assert_eq!(raw.status.as_u16(), status);
    assert!(
        raw.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&raw.body).contains(&format!("<h1>{status} ")));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_gateway_is_a_502_html_page() {
    html_kind(FaultKind::BadGateway, 502).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_unavailable_is_a_503_html_page() {
    html_kind(FaultKind::ServiceUnavailable, 503).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_cuts_the_body_and_loses_an_executed_write() {
    let (sandbox, read, write) = read_and_write(FaultKind::DroppedConnection).await;
    assert_eq!(read.label(), "lost (body cut)");
    assert_eq!(write.label(), "lost (body cut)");
    let writes = sandbox.writes();
    assert_eq!(
        writes.len(),
        1,
        "the write executed before its answer was cut"
    );
    assert!(writes[0].answer_lost);
    // Status and headers did arrive, then part of the body.
    let client = http_client(None);
    let ctx = context(&client, &sandbox).await;
    let request = list().request(&ctx).unwrap();
    let response = client
        .execute(reqwest::Request::try_from(request).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let promised: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(promised > 1);
    assert!(response.bytes().await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_response_outlasts_a_client_timeout_then_answers() {
    let sandbox = forced(FaultKind::SlowResponse);
    let patient = http_client(None);
    let ctx = context(&patient, &sandbox).await;
    let impatient = http_client(Some(Duration::from_millis(150)));
    assert_eq!(
        call(&impatient, &list(), &ctx).await.label(),
        "lost (timeout)"
    );
    let started = Instant::now();
    let page = call(&patient, &list(), &ctx).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert!(!page.comments.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_early_token_expiry_answers_42001_and_tokens_stay_available() {
    let (sandbox, read, write) = read_and_write(FaultKind::TokenExpired).await;
    assert_eq!(read.label(), "errcode 42001");
    assert_eq!(write.label(), "errcode 42001");
    if let Outcome::Failed(err) = &read {
        assert!(err.is_token_error());
    }
    assert!(sandbox.writes().is_empty());
    // The token endpoints are never faulted: a client can always get a new token.
    let client = http_client(None);
    for _ in 0..5 {
        token(&client, &sandbox).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_write_is_not_executed_and_reads_pass() {
    let (sandbox, read, write) = read_and_write(FaultKind::WriteRefused).await;
    assert_eq!(read.label(), "ok");
    let label = write.label();
    assert!(
        [
            "errcode -1",
            "errcode -10008",
            "errcode 45011",
            "http 502",
            "http 503"
        ]
        .contains(&label.as_str()),
        "{label}"
    );
    assert!(sandbox.writes().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_hides_an_executed_write() {
    let target = awaiting_reply(1).await.remove(0);
    let sandbox = forced(FaultKind::WriteAnswerLost);
    let client = http_client(Some(Duration::from_secs(5)));
    let ctx = context(&client, &sandbox).await;
    let before = call(&client, &GetReplyThread::new(target.clone()), &ctx)
        .await
        .unwrap();
    assert!(before.reply.is_none());
    let write = call(
        &client,
        &AddReply::new(target.clone(), "您好,已为您处理。"),
        &ctx,
    )
    .await;
    assert!(
        ["lost (body cut)", "http 502"].contains(&write.label().as_str()),
        "{}",
        write.label()
    );
    let writes = sandbox.writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].answer_lost);
    assert_eq!(comment_of(&writes[0]), target.as_str());
    let after = call(&client, &GetReplyThread::new(target), &ctx)
        .await
        .unwrap();
    assert!(after.reply.is_some(), "the write did execute");
}

#[tokio::test(flavor = "multi_thread")]
async fn token_endpoints_and_admin_paths_are_never_faulted() {
    let sandbox = builder()
        .faults(1.0)
        .slow_response(Duration::from_secs(30))
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(Some(Duration::from_secs(5)));
    for _ in 0..30 {
        let endpoint = GetToken::new(
            sandbox.wechat().appid.clone(),
            sandbox.wechat().secret.clone(),
        );
        call(&client, &endpoint, &base_url(&sandbox)).await.unwrap();
        let stable = review_protocol::wechat::GetStableToken::new(
            sandbox.wechat().appid.clone(),
            sandbox.wechat().secret.clone(),
            false,
        );
        call(&client, &stable, &base_url(&sandbox)).await.unwrap();
        let health = common::admin(&client, &sandbox, http::Method::GET, "/sandbox/health").await;
        assert_eq!(health, serde_json::json!({"ok": true}));
    }
}

fn fw199_context(sandbox: &Sandbox) -> Fw199Context {
    let credentials = sandbox.taobao().gateway.clone();
    Fw199Context::new(
        sandbox.base_url().parse().unwrap(),
        credentials,
        Timestamp::now(),
    )
}

fn fw199_search(sandbox: &Sandbox) -> SearchTradeRates {
    SearchTradeRates::received(sandbox.taobao().seller_nick.clone()).page(1, 10)
}

#[tokio::test(flavor = "multi_thread")]
async fn fw199_meets_only_http_level_faults() {
    let wechat_only = [
        FaultKind::SystemBusy,
        FaultKind::ServiceError,
        FaultKind::RateLimited,
        FaultKind::TokenExpired,
        FaultKind::WriteRefused,
        FaultKind::WriteAnswerLost,
    ];
    let sandbox = builder()
        .faults(1.0)
        .fault_kinds(&wechat_only)
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    for _ in 0..20 {
        let page = call(&client, &fw199_search(&sandbox), &fw199_context(&sandbox))
            .await
            .unwrap();
        assert!(!page.rates.is_empty());
    }
}

/// The labels of `count` list calls by a sequential client that refreshes its token when told.
async fn fault_sequence(seed: u64, count: usize) -> Vec<String> {
    let sandbox = Sandbox::builder()
        .seed(seed)
        .comments(50)
        .rates(20)
        .faults(0.5)
        .slow_response(Duration::from_millis(1500))
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(Some(Duration::from_millis(600)));
    let mut ctx = context(&client, &sandbox).await;
    let mut labels = Vec::new();
    for _ in 0..count {
        let outcome = call(&client, &list(), &ctx).await;
        if let Outcome::Failed(err) = &outcome
            && err.is_token_error()
        {
            ctx.access_token = token(&client, &sandbox).await;
        }
        labels.push(outcome.label());
    }
    labels
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_faults() {
    let (first, second, other) = tokio::join!(
        fault_sequence(77, 40),
        fault_sequence(77, 40),
        fault_sequence(78, 40)
    );
    assert_eq!(first, second);
    assert_ne!(first, other);
    let kinds: HashSet<&String> = first.iter().collect();
    assert!(kinds.len() >= 4, "a varied sequence: {first:?}");
    assert!(first.iter().any(|l| l == "ok"));
}

#[test]
fn fault_names_round_trip_and_unknown_names_are_refused() {
    for kind in FaultKind::ALL {
        assert_eq!(kind.name().parse::<FaultKind>().unwrap(), *kind);
        assert_eq!(kind.to_string(), kind.name());
    }
    assert_eq!("502".parse::<FaultKind>().unwrap(), FaultKind::BadGateway);
    assert_eq!(
        "-10008".parse::<FaultKind>().unwrap(),
        FaultKind::ServiceError
    );
    assert_eq!(
        "Token_Expired".parse::<FaultKind>().unwrap(),
        FaultKind::TokenExpired
    );
    let err = "meteor".parse::<FaultKind>().unwrap_err().to_string();
    assert!(
        err.contains("meteor") && err.contains("write-answer-lost"),
        "{err}"
    );
    assert!(Sandbox::builder().faults(1.5).start("127.0.0.1:0").is_err());
}
