//! The same suite, run against the sandbox over real loopback HTTP, for both drivers: the
//! blocking client over ureq and the async client over reqwest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use jiff::{SignedDuration, Timestamp};
use review_client::{
    AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, ClientConfig, ClientError,
    HttpResult, MemoryTokenStore, RateRange, TaobaoReviews, TokenStore, WechatReviews,
};
use review_model::taobao::TradeRate;
use review_model::wechat::{Comment, CommentDetail, CustomMessage, FilterType, ReplyThread};
use review_model::{CommentId, Review, Secret};
use review_protocol::retry::RetryPolicy;
use review_protocol::taobao::{PlanStats, SearchTradeRates};
use review_protocol::wechat::token_cache::{RefreshKind, TokenConfig};
use review_protocol::wechat::{ConfirmCompromise, GetCommentList, ReviewStats};
use review_reqwest::ReqwestTransport;
use review_sandbox::{FaultKind, Sandbox};
use review_ureq::UreqTransport;

/// Watches what passes: how many token requests, and how many token errors one call met.
#[derive(Default)]
struct Probe {
    token_requests: AtomicUsize,
    /// Requests other than token requests, sent so far.
    calls: AtomicUsize,
    /// Token errors answered since the last successful answer. The suite's clients send one
    /// request at a time and these exports never fail, so they all belong to one call.
    token_errors_in_call: AtomicUsize,
    /// The most token errors one call met.
    most_token_errors_in_a_call: AtomicUsize,
    /// Runs before the call request number `n` (from 0) is sent.
    before_call: Option<Box<dyn Fn(usize) + Send + Sync>>,
}

impl Probe {
    fn with_hook(hook: impl Fn(usize) + Send + Sync + 'static) -> Self {
        Self {
            before_call: Some(Box::new(hook)),
            ..Self::default()
        }
    }

    fn token_requests(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    fn most_token_errors_in_a_call(&self) -> usize {
        self.most_token_errors_in_a_call.load(Ordering::SeqCst)
    }

    /// Notes a request about to be sent; says whether it is a call (not a token request).
    fn before(&self, request: &http::Request<Vec<u8>>) -> bool {
        if is_token(request) {
            self.token_requests.fetch_add(1, Ordering::SeqCst);
            return false;
        }
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(hook) = &self.before_call {
            hook(n);
        }
        true
    }

    fn after(&self, call: bool, result: &HttpResult) {
        let (true, Ok(response)) = (call, result) else {
            return;
        };
        let errcode = serde_json::from_slice::<serde_json::Value>(response.body())
            .ok()
            .and_then(|body| body.get("errcode").and_then(serde_json::Value::as_i64))
            .unwrap_or(0);
        if matches!(errcode, 40001 | 40014 | 42001) {
            let now = self.token_errors_in_call.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_token_errors_in_a_call
                .fetch_max(now, Ordering::SeqCst);
        } else if errcode == 0 && response.status().is_success() {
            self.token_errors_in_call.store(0, Ordering::SeqCst);
        }
    }
}

/// Sends through `inner`, telling the probe what passes.
#[derive(Clone)]
struct Counting<T> {
    inner: T,
    probe: Arc<Probe>,
}

fn is_token(request: &http::Request<Vec<u8>>) -> bool {
    request.uri().path().starts_with("/cgi-bin/token")
        || request.uri().path().starts_with("/cgi-bin/stable_token")
}

impl<T: BlockingTransport> BlockingTransport for Counting<T> {
    fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        let call = self.probe.before(&request);
        let result = self.inner.send(request, timeout);
        self.probe.after(call, &result);
        result
    }
    fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration);
    }
}

#[async_trait::async_trait]
impl<T: AsyncTransport> AsyncTransport for Counting<T> {
    async fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        let call = self.probe.before(&request);
        let result = self.inner.send(request, timeout).await;
        self.probe.after(call, &result);
        result
    }
    async fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration).await;
    }
}

/// What the suite needs of a driver, in blocking form.
trait Driver: Send + Sync + Sized + 'static {
    fn build(config: ClientConfig, probe: Arc<Probe>) -> Self;
    fn comments(&self, query: GetCommentList) -> Result<Vec<Comment>, ClientError>;
    fn detail(&self, id: &CommentId) -> Result<CommentDetail, ClientError>;
    fn thread(&self, id: &CommentId) -> Result<ReplyThread, ClientError>;
    fn reply(&self, id: &CommentId, text: &str) -> Result<(), ClientError>;
    fn follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        text: &str,
    ) -> Result<(), ClientError>;
    fn delete_follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        follow: &review_model::CommentReplyId,
    ) -> Result<(), ClientError>;
    fn delete_reply(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
    ) -> Result<(), ClientError>;
    fn kf_reset(&self, id: &CommentId) -> Result<(), ClientError>;
    fn message(&self, message: CustomMessage) -> Result<(), ClientError>;
    fn upload(&self, data: Vec<u8>) -> Result<review_model::wechat::MediaUpload, ClientError>;
    fn settle(&self, settlement: &ConfirmCompromise) -> Result<(), ClientError>;
    fn rates(
        &self,
        base: Option<SearchTradeRates>,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<(Vec<TradeRate>, PlanStats), ClientError>;
    fn reviews(&self, request: WechatReviews) -> Result<(Vec<Review>, ReviewStats), ClientError>;
}

struct Blocking(BlockingClient<Counting<UreqTransport>>);

impl Driver for Blocking {
    fn build(config: ClientConfig, probe: Arc<Probe>) -> Self {
        Blocking(BlockingClient::new(
            Counting {
                inner: UreqTransport::default(),
                probe,
            },
            config,
        ))
    }
    fn comments(&self, query: GetCommentList) -> Result<Vec<Comment>, ClientError> {
        self.0.comments(query)?.collect()
    }
    fn detail(&self, id: &CommentId) -> Result<CommentDetail, ClientError> {
        self.0.comment_detail(id.clone())
    }
    fn thread(&self, id: &CommentId) -> Result<ReplyThread, ClientError> {
        self.0.reply_thread(id.clone())
    }
    fn reply(&self, id: &CommentId, text: &str) -> Result<(), ClientError> {
        self.0.reply_add(id.clone(), text)
    }
    fn follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        text: &str,
    ) -> Result<(), ClientError> {
        self.0.comment_reply_add(id.clone(), reply.clone(), text)
    }
    fn delete_follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        follow: &review_model::CommentReplyId,
    ) -> Result<(), ClientError> {
        self.0
            .comment_reply_delete(id.clone(), reply.clone(), follow.clone())
    }
    fn delete_reply(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
    ) -> Result<(), ClientError> {
        self.0.reply_delete(id.clone(), reply.clone())
    }
    fn kf_reset(&self, id: &CommentId) -> Result<(), ClientError> {
        self.0.kf_quota_reset(id.clone())
    }
    fn message(&self, message: CustomMessage) -> Result<(), ClientError> {
        self.0.custom_send(message)
    }
    fn upload(&self, data: Vec<u8>) -> Result<review_model::wechat::MediaUpload, ClientError> {
        self.0.media_upload("proof.png", data)
    }
    fn settle(&self, settlement: &ConfirmCompromise) -> Result<(), ClientError> {
        self.0.confirm_compromise(settlement)
    }
    fn rates(
        &self,
        base: Option<SearchTradeRates>,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<(Vec<TradeRate>, PlanStats), ClientError> {
        let mut walk = self.0.rates(range(base, since, until))?;
        let rates = walk.by_ref().collect::<Result<Vec<_>, _>>()?;
        Ok((rates, walk.stats().clone()))
    }
    fn reviews(&self, request: WechatReviews) -> Result<(Vec<Review>, ReviewStats), ClientError> {
        let mut walk = self.0.reviews(request)?;
        let reviews = walk.by_ref().collect::<Result<Vec<_>, _>>()?;
        Ok((reviews, walk.stats().clone()))
    }
}

struct Async {
    client: AsyncClient<Counting<ReqwestTransport>>,
    runtime: tokio::runtime::Runtime,
}

impl Driver for Async {
    fn build(config: ClientConfig, probe: Arc<Probe>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let transport = Counting {
            inner: ReqwestTransport::new(http),
            probe,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Async {
            client: AsyncClient::new(transport, config),
            runtime,
        }
    }
    fn comments(&self, query: GetCommentList) -> Result<Vec<Comment>, ClientError> {
        self.runtime
            .block_on(async { self.client.comments(query)?.try_collect().await })
    }
    fn detail(&self, id: &CommentId) -> Result<CommentDetail, ClientError> {
        self.runtime
            .block_on(self.client.comment_detail(id.clone()))
    }
    fn thread(&self, id: &CommentId) -> Result<ReplyThread, ClientError> {
        self.runtime.block_on(self.client.reply_thread(id.clone()))
    }
    fn reply(&self, id: &CommentId, text: &str) -> Result<(), ClientError> {
        self.runtime
            .block_on(self.client.reply_add(id.clone(), text))
    }
    fn follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        text: &str,
    ) -> Result<(), ClientError> {
        self.runtime.block_on(
            self.client
                .comment_reply_add(id.clone(), reply.clone(), text),
        )
    }
    fn delete_follow_up(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
        follow: &review_model::CommentReplyId,
    ) -> Result<(), ClientError> {
        self.runtime.block_on(self.client.comment_reply_delete(
            id.clone(),
            reply.clone(),
            follow.clone(),
        ))
    }
    fn delete_reply(
        &self,
        id: &CommentId,
        reply: &review_model::ReplyId,
    ) -> Result<(), ClientError> {
        self.runtime
            .block_on(self.client.reply_delete(id.clone(), reply.clone()))
    }
    fn kf_reset(&self, id: &CommentId) -> Result<(), ClientError> {
        self.runtime
            .block_on(self.client.kf_quota_reset(id.clone()))
    }
    fn message(&self, message: CustomMessage) -> Result<(), ClientError> {
        self.runtime.block_on(self.client.custom_send(message))
    }
    fn upload(&self, data: Vec<u8>) -> Result<review_model::wechat::MediaUpload, ClientError> {
        self.runtime
            .block_on(self.client.media_upload("proof.png", data))
    }
    fn settle(&self, settlement: &ConfirmCompromise) -> Result<(), ClientError> {
        self.runtime
            .block_on(self.client.confirm_compromise(settlement))
    }
    fn rates(
        &self,
        base: Option<SearchTradeRates>,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<(Vec<TradeRate>, PlanStats), ClientError> {
        self.runtime.block_on(async {
            let mut walk = self.client.rates(range(base, since, until))?;
            let mut rates = Vec::new();
            while let Some(rate) = walk.next().await {
                rates.push(rate?);
            }
            Ok((rates, walk.stats().clone()))
        })
    }
    fn reviews(&self, request: WechatReviews) -> Result<(Vec<Review>, ReviewStats), ClientError> {
        self.runtime.block_on(async {
            let mut walk = self.client.reviews(request)?;
            let reviews = walk.by_ref().try_collect().await?;
            Ok((reviews, walk.stats().clone()))
        })
    }
}

/// The range a driver walks: `base`'s filters, or the shop's received rates.
fn range(base: Option<SearchTradeRates>, since: Timestamp, until: Timestamp) -> RateRange {
    let range = RateRange::new(since, until).page_size(100);
    match base {
        Some(base) => range.base(base),
        None => range,
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(30),
    }
}

fn config_for(sandbox: &Sandbox, store: Option<Arc<dyn TokenStore>>) -> ClientConfig {
    let base = sandbox.base_url().parse().unwrap();
    let creds = sandbox.wechat();
    let store = store.unwrap_or_else(|| {
        Arc::new(MemoryTokenStore::new(
            creds.appid.clone(),
            creds.secret.clone(),
            TokenConfig::new(RefreshKind::Plain),
        ))
    });
    let fw = sandbox.taobao();
    ClientConfig::new()
        .wechat_with_store(sandbox.base_url().parse().unwrap(), store)
        .fw199(
            base,
            fw.gateway.appid.clone(),
            fw.gateway.secret.clone(),
            fw.seller_nick.clone(),
        )
        .timeout(Duration::from_millis(800))
        .retry(fast_retries())
}

fn window() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (
        now - SignedDuration::from_hours(24 * 181),
        now + SignedDuration::from_hours(1),
    )
}

fn all_comments<D: Driver>(driver: &D, filter: FilterType) -> Vec<Comment> {
    let (since, until) = window();
    driver
        .comments(GetCommentList::new(since, until).filter(filter).limit(100))
        .unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake picture bytes";

fn every_endpoint<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(11)
        .comments(300)
        .rates(500)
        .start("127.0.0.1:0")
        .unwrap();
    let driver = D::build(config_for(&sandbox, None), Arc::default());

    let awaiting = all_comments(&driver, FilterType::AwaitingReply);
    let target = awaiting
        .iter()
        .find(|c| c.score.get() <= 2)
        .or(awaiting.first())
        .unwrap()
        .comment_id
        .clone();
    let detail = driver.detail(&target).unwrap();
    assert_eq!(detail.info.content.comment_id, target);
    assert!(driver.thread(&target).unwrap().reply.is_none());

    driver
        .reply(&target, "亲,非常抱歉,我们马上处理 🙏")
        .unwrap();
    let reply = driver
        .thread(&target)
        .unwrap()
        .reply
        .expect("the reply is there");
    driver
        .follow_up(&target, &reply.reply_id, "已为您补发")
        .unwrap();
    let thread = driver.thread(&target).unwrap();
    assert_eq!(thread.follow_ups.len(), 1);
    driver
        .delete_follow_up(
            &target,
            &reply.reply_id,
            &thread.follow_ups[0].comment_reply_id,
        )
        .unwrap();
    assert!(driver.thread(&target).unwrap().follow_ups.is_empty());
    driver.delete_reply(&target, &reply.reply_id).unwrap();
    assert!(driver.thread(&target).unwrap().reply.is_none());

    let bad = all_comments(&driver, FilterType::PendingCompromise);
    let bad = bad
        .first()
        .expect("a bad review pending settlement")
        .clone();
    driver.kf_reset(&bad.comment_id).unwrap();
    let openid = bad.openid().expect("the sandbox sends openids").clone();
    driver
        .message(CustomMessage::text(openid, "您好,我们已为您退款"))
        .unwrap();
    let media = driver.upload(PNG.to_vec()).unwrap();
    driver
        .settle(
            &ConfirmCompromise::new(bad.comment_id.clone())
                .content("已退款并致歉")
                .picture(media.media_id),
        )
        .unwrap();
    assert!(
        !all_comments(&driver, FilterType::PendingCompromise)
            .iter()
            .any(|c| c.comment_id == bad.comment_id)
    );

    // A refusal comes back typed, not retried.
    let err = driver.reply(&CommentId::new("1"), "x").unwrap_err();
    assert!(err.protocol().is_some(), "{err}");
    assert_eq!(err.attempts(), 1);

    let (since, until) = window();
    let (rates, stats) = driver.rates(None, since, until).unwrap();
    assert!(!rates.is_empty());
    assert!(stats.probes >= 1);
}

fn paging_is_exact<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(12)
        .comments(10_000)
        .rates(4_000)
        .start("127.0.0.1:0")
        .unwrap();
    let driver = D::build(config_for(&sandbox, None), Arc::default());
    let comments = all_comments(&driver, FilterType::All);
    let unique: HashSet<_> = comments.iter().map(|c| c.comment_id.clone()).collect();
    assert_eq!(comments.len(), 10_000);
    assert_eq!(unique.len(), 10_000);

    let (since, until) = window();
    let (received, stats) = driver.rates(None, since, until).unwrap();
    let given_base = SearchTradeRates {
        rate_type: review_model::taobao::RateType::Give,
        role: review_model::taobao::Role::Seller,
        ..SearchTradeRates::received(sandbox.taobao().seller_nick.clone())
    };
    let (given, _) = driver.rates(Some(given_base), since, until).unwrap();
    let keys: HashSet<String> = received
        .iter()
        .chain(&given)
        .map(|r| format!("{}:{}:{}", r.tid, r.oid, r.role))
        .collect();
    assert_eq!(received.len() + given.len(), 4_000, "every generated rate");
    assert_eq!(keys.len(), 4_000, "each once");
    assert!(stats.splits > 0, "the >1500 burst was split: {stats:?}");
}

/// The review walk gives every comment once, in the listing's order, `replied` exactly when the
/// awaiting-reply listing leaves it out, in windows under the cap.
fn reviews_join_replied<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(16)
        .comments(1_200)
        .rates(0)
        .start("127.0.0.1:0")
        .unwrap();
    let driver = D::build(config_for(&sandbox, None), Arc::default());
    let all = all_comments(&driver, FilterType::All);
    let awaiting: HashSet<CommentId> = all_comments(&driver, FilterType::AwaitingReply)
        .into_iter()
        .map(|c| c.comment_id)
        .collect();
    assert!(!awaiting.is_empty() && awaiting.len() < all.len());
    let (since, until) = window();
    let (reviews, stats) = driver
        .reviews(WechatReviews::new(since, until).window_cap(300))
        .unwrap();
    let expected: Vec<(String, bool)> = all
        .iter()
        .map(|c| (c.comment_id.to_string(), !awaiting.contains(&c.comment_id)))
        .collect();
    let got: Vec<(String, bool)> = reviews.into_iter().map(|r| (r.id, r.replied)).collect();
    assert_eq!(got, expected);
    assert!(
        stats.splits > 0,
        "1200 comments under a cap of 300: {stats:?}"
    );
    assert!(stats.largest_awaiting <= 300, "{stats:?}");
}

fn tokens_expire_and_are_invalidated_mid_stream<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(13)
        .comments(2_000)
        .start("127.0.0.1:0")
        .unwrap();
    let probe = Arc::new(Probe::default());
    let driver = D::build(config_for(&sandbox, None), Arc::clone(&probe));
    let first = all_comments(&driver, FilterType::All);
    assert_eq!(probe.token_requests(), 1);
    // Two hours later every token is dead: the client refreshes once and goes on.
    sandbox.advance_clock(SignedDuration::from_hours(3));
    let again = all_comments(&driver, FilterType::All);
    assert_eq!(first.len(), again.len());
    assert_eq!(probe.token_requests(), 2);
}

/// The sandbox expires every token right before two attempts of the same page in a row: the
/// call refreshes twice and the export still holds every comment exactly once.
fn token_refused_twice_in_one_call<D: Driver>() {
    let sandbox = Arc::new(
        Sandbox::builder()
            .seed(17)
            .comments(1_000)
            .start("127.0.0.1:0")
            .unwrap(),
    );
    let expected = all_comments(
        &D::build(config_for(&sandbox, None), Arc::default()),
        FilterType::All,
    );
    assert_eq!(expected.len(), 1_000);
    let expiring = Arc::clone(&sandbox);
    let probe = Arc::new(Probe::with_hook(move |n| {
        // Requests 3 and 4 are the first two attempts at the fourth page.
        if n == 3 || n == 4 {
            expiring.advance_clock(SignedDuration::from_hours(3));
        }
    }));
    let driver = D::build(config_for(&sandbox, None), Arc::clone(&probe));
    let got = all_comments(&driver, FilterType::All);
    assert_eq!(
        probe.most_token_errors_in_a_call(),
        2,
        "one call met two token errors"
    );
    assert_eq!(
        probe.token_requests(),
        3,
        "the first token and one per refusal"
    );
    let ids = |list: &[Comment]| {
        list.iter()
            .map(|c| c.comment_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&got), ids(&expected));
}

/// The adversarial run: token expiry among 30% faults, over 12 seeds. Every export completes
/// with each comment exactly once, and some calls met two token errors or more.
fn token_expiry_faults_over_seeds<D: Driver>() {
    const COMMENTS: usize = 1_000;
    let mut repeated = 0;
    let mut failed = Vec::new();
    for seed in 0..12 {
        let sandbox = Sandbox::builder()
            .seed(300 + seed)
            .comments(COMMENTS)
            .faults(0.3)
            .fault_kinds(&[FaultKind::TokenExpired, FaultKind::SystemBusy])
            .start("127.0.0.1:0")
            .unwrap();
        let probe = Arc::new(Probe::default());
        let driver = D::build(config_for(&sandbox, None), Arc::clone(&probe));
        let (since, until) = window();
        let query = GetCommentList::new(since, until)
            .filter(FilterType::All)
            .limit(100);
        match driver.comments(query) {
            Ok(got) => {
                let unique: HashSet<_> = got.iter().map(|c| c.comment_id.clone()).collect();
                assert_eq!(got.len(), COMMENTS, "seed {seed}: every comment");
                assert_eq!(unique.len(), COMMENTS, "seed {seed}: each once");
            }
            Err(err) => failed.push(format!("seed {seed}: {err}")),
        }
        if probe.most_token_errors_in_a_call() >= 2 {
            repeated += 1;
        }
    }
    assert!(
        failed.is_empty(),
        "{} of 12 exports failed: {failed:#?}",
        failed.len()
    );
    assert!(
        repeated > 0,
        "no call met two token errors: the test proves nothing"
    );
}

/// A platform that refuses every token ends the call after the retry budget, with the token
/// error, having backed off in between: no tight loop of refreshes.
fn always_refused_tokens_end_within_the_budget<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(18)
        .comments(10)
        .faults(1.0)
        .fault_kinds(&[FaultKind::TokenExpired])
        .start("127.0.0.1:0")
        .unwrap();
    let probe = Arc::new(Probe::default());
    let driver = D::build(config_for(&sandbox, None), Arc::clone(&probe));
    let started = std::time::Instant::now();
    let err = driver.detail(&CommentId::new("1")).unwrap_err();
    let elapsed = started.elapsed();
    let budget = fast_retries().max_attempts;
    assert!(
        err.protocol()
            .is_some_and(review_protocol::Error::is_token_error),
        "{err}"
    );
    assert!(err.to_string().contains("42001"), "{err}");
    // The call fetched its own token, so every refusal counts against the budget, and each
    // one is followed by one refresh (but the last).
    assert_eq!(err.attempts(), budget, "{err}");
    assert_eq!(probe.token_requests(), usize::try_from(budget).unwrap());
    // Seven backoffs of at least half of 5, 10, 20, 40, 50, 50 and 50 ms.
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
}

fn one_refresh_for_many<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(14)
        .comments(50)
        .start("127.0.0.1:0")
        .unwrap();
    let creds = sandbox.wechat();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new(
        creds.appid.clone(),
        creds.secret.clone(),
        TokenConfig::new(RefreshKind::Plain),
    ));
    let probe = Arc::new(Probe::default());
    let target = {
        let driver = D::build(
            config_for(
                &sandbox,
                Some(Arc::new(MemoryTokenStore::new(
                    creds.appid.clone(),
                    creds.secret.clone(),
                    TokenConfig::new(RefreshKind::Plain),
                ))),
            ),
            Arc::default(),
        );
        all_comments(&driver, FilterType::All)[0].comment_id.clone()
    };
    let drivers: Vec<Arc<D>> = (0..32)
        .map(|_| {
            Arc::new(D::build(
                config_for(&sandbox, Some(Arc::clone(&store))),
                Arc::clone(&probe),
            ))
        })
        .collect();
    let threads: Vec<_> = drivers
        .into_iter()
        .map(|driver| {
            let target = target.clone();
            std::thread::spawn(move || driver.detail(&target).map(|_| ()))
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert_eq!(
        probe.token_requests(),
        1,
        "32 callers sharing a store refresh once"
    );
}

fn faults_change_nothing<D: Driver>() {
    let clean = Sandbox::builder()
        .seed(15)
        .comments(1_500)
        .rates(800)
        .start("127.0.0.1:0")
        .unwrap();
    let faulty = Sandbox::builder()
        .seed(15)
        .comments(1_500)
        .rates(800)
        .faults(0.2)
        .slow_response(Duration::from_millis(1_200))
        .start("127.0.0.1:0")
        .unwrap();
    let expected = all_comments(
        &D::build(config_for(&clean, None), Arc::default()),
        FilterType::All,
    );
    let driver = D::build(config_for(&faulty, None), Arc::default());
    let got = all_comments(&driver, FilterType::All);
    let ids = |list: &[Comment]| {
        list.iter()
            .map(|c| c.comment_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&got),
        ids(&expected),
        "the export under faults equals the fault-free one"
    );

    let (since, until) = window();
    let (clean_rates, _) = D::build(config_for(&clean, None), Arc::default())
        .rates(None, since, until)
        .unwrap();
    let (faulty_rates, _) = driver.rates(None, since, until).unwrap();
    let keys = |r: &[TradeRate]| r.iter().map(|r| (r.tid, r.oid)).collect::<HashSet<_>>();
    assert_eq!(keys(&faulty_rates), keys(&clean_rates));

    // Writes under faults: some fail, some with an unknown outcome, none executes twice.
    let unknown = expected
        .iter()
        .take(60)
        .filter_map(|comment| driver.reply(&comment.comment_id, "感谢您的评价").err())
        .filter(ClientError::outcome_unknown)
        .count();
    let writes = faulty.writes();
    let mut seen = HashSet::new();
    for write in &writes {
        let key = (write.path.clone(), write.body.to_string());
        assert!(seen.insert(key), "a write executed twice: {write:?}");
    }
    let lost = writes.iter().filter(|w| w.answer_lost).count();
    assert!(
        unknown > 0,
        "the fault run produced no ambiguous failure: the test proves nothing"
    );
    assert!(
        lost <= unknown,
        "every lost answer was reported as an unknown outcome ({lost} lost, {unknown} unknown)"
    );
}

fn secrets_stay_out_of_errors<D: Driver>() {
    let sandbox = Sandbox::builder()
        .seed(16)
        .comments(10)
        .start("127.0.0.1:0")
        .unwrap();
    let creds = sandbox.wechat();
    let wrong = Secret::new("WRONG-SECRET-must-not-show");
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new(
        creds.appid.clone(),
        wrong,
        TokenConfig::new(RefreshKind::Stable),
    ));
    let driver = D::build(config_for(&sandbox, Some(store)), Arc::default());
    let err = driver.detail(&CommentId::new("1")).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("WRONG-SECRET"), "{shown}");
    assert!(
        shown.contains("40125") || shown.contains("40001"),
        "{shown}"
    );
}

macro_rules! suite {
    ($driver:ident, $module:ident) => {
        mod $module {
            use super::*;

            #[test]
            fn every_endpoint() {
                super::every_endpoint::<$driver>();
            }

            #[test]
            fn paging_is_exact() {
                super::paging_is_exact::<$driver>();
            }

            #[test]
            fn tokens_expire_and_are_invalidated_mid_stream() {
                super::tokens_expire_and_are_invalidated_mid_stream::<$driver>();
            }

            #[test]
            fn token_refused_twice_in_one_call() {
                super::token_refused_twice_in_one_call::<$driver>();
            }

            #[test]
            fn token_expiry_faults_over_seeds() {
                super::token_expiry_faults_over_seeds::<$driver>();
            }

            #[test]
            fn always_refused_tokens_end_within_the_budget() {
                super::always_refused_tokens_end_within_the_budget::<$driver>();
            }

            #[test]
            fn one_refresh_for_many() {
                super::one_refresh_for_many::<$driver>();
            }

            #[test]
            fn reviews_join_replied() {
                super::reviews_join_replied::<$driver>();
            }

            #[test]
            fn faults_change_nothing() {
                super::faults_change_nothing::<$driver>();
            }

            #[test]
            fn secrets_stay_out_of_errors() {
                super::secrets_stay_out_of_errors::<$driver>();
            }
        }
    };
}

suite!(Blocking, blocking_ureq);
suite!(Async, async_reqwest);

/// Making a pager sends nothing, on either client: requests go out as it is iterated.
#[test]
fn pagers_are_lazy() {
    let sandbox = Sandbox::builder()
        .comments(10)
        .rates(10)
        .start("127.0.0.1:0")
        .unwrap();
    let probe = Arc::new(Probe::default());
    let blocking = Blocking::build(config_for(&sandbox, None), Arc::clone(&probe));
    let (since, until) = window();
    let pager = blocking
        .0
        .reviews(WechatReviews::new(since, until))
        .unwrap();
    let rates = blocking.0.rates(RateRange::new(since, until)).unwrap();
    let nonblocking = Async::build(config_for(&sandbox, None), Arc::clone(&probe));
    let stream = nonblocking
        .client
        .reviews(TaobaoReviews::new(since, until))
        .unwrap();
    assert_eq!(probe.token_requests(), 0);
    assert_eq!(probe.calls.load(Ordering::SeqCst), 0);
    drop((pager, rates, stream));
}

#[test]
fn fault_kinds_are_public() {
    assert!(!FaultKind::ALL.is_empty());
}
