//! WeChat behaviour of the sandbox, over real loopback HTTP.
//!
//! Requests are built and answers parsed with `review-protocol`'s endpoints wherever they
//! exist, which also shows that a client written from the documents works unchanged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::{
    ActionType, Comment, CommentDetail, CustomMessage, ErrCode, FilterType, ReplyThread,
};
use review_model::{AccessToken, CommentId, CommentReplyId, MediaId, ReplyId};
use review_protocol::wechat::{
    AddCommentReply, AddReply, CommentPager, ConfirmCompromise, DeleteCommentReply, DeleteReply,
    GetCommentDetail, GetCommentList, GetReplyThread, GetStableToken, GetToken, ResetKfQuota,
    SendCustomMessage, UploadMedia, WechatContext,
};
use review_protocol::{BaseUrl, Endpoint, Error};
use review_sandbox::{Sandbox, SandboxBuilder};
use serde_json::{Value, json};

/// The merchant's name on replies it wrote.
const SHOP: &str = "鲜果优选商城";

/// A one-pixel PNG.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

struct Wx {
    sandbox: Sandbox,
    http: reqwest::Client,
    base: BaseUrl,
}

fn builder(seed: u64, comments: usize) -> SandboxBuilder {
    Sandbox::builder().seed(seed).comments(comments).rates(100)
}

impl Wx {
    fn start(seed: u64, comments: usize) -> Self {
        Self::with(builder(seed, comments))
    }

    fn with(builder: SandboxBuilder) -> Self {
        let sandbox = builder.start("127.0.0.1:0").expect("the sandbox starts");
        let base = sandbox.base_url().parse().expect("a valid base URL");
        Self {
            sandbox,
            http: reqwest::Client::new(),
            base,
        }
    }

    async fn send(&self, request: http::Request<Vec<u8>>) -> (http::StatusCode, Vec<u8>) {
        let request = reqwest::Request::try_from(request).expect("a reqwest request");
        let response = self
            .http
            .execute(request)
            .await
            .expect("the sandbox answers");
        let status = response.status();
        let body = response.bytes().await.expect("a body").to_vec();
        (status, body)
    }

    async fn call<E: Endpoint>(&self, endpoint: &E, ctx: &E::Context) -> Result<E::Output, Error> {
        let (status, body) = self
            .send(endpoint.request(ctx).expect("a valid request"))
            .await;
        let response = http::Response::builder()
            .status(status)
            .body(&body[..])
            .unwrap();
        endpoint.parse(response)
    }

    async fn token(&self) -> AccessToken {
        let creds = self.sandbox.wechat();
        let endpoint = GetToken::new(creds.appid.clone(), creds.secret.clone());
        self.call(&endpoint, &self.base)
            .await
            .expect("a token")
            .access_token
    }

    async fn stable(&self, force: bool) -> (AccessToken, u64) {
        let creds = self.sandbox.wechat();
        let endpoint = GetStableToken::new(creds.appid.clone(), creds.secret.clone(), force);
        let answer = self
            .call(&endpoint, &self.base)
            .await
            .expect("a stable token");
        (answer.access_token, answer.expires_in)
    }

    fn ctx_with(&self, token: AccessToken) -> WechatContext {
        WechatContext::new(self.base.clone(), token)
    }

    async fn ctx(&self) -> WechatContext {
        let token = self.token().await;
        self.ctx_with(token)
    }

    /// A raw GET; the answer as JSON.
    async fn get(&self, path_and_query: &str) -> Value {
        let request = http::Request::get(self.base.join(path_and_query))
            .body(Vec::new())
            .unwrap();
        let (status, body) = self.send(request).await;
        assert_eq!(status, 200);
        serde_json::from_slice(&body).expect("JSON")
    }

    /// A raw POST with a token; the answer as JSON.
    async fn post(&self, path: &str, ctx: &WechatContext, body: &[u8]) -> Value {
        let url = format!(
            "{}?access_token={}",
            self.base.join(path),
            ctx.access_token.expose_secret()
        );
        let request = http::Request::post(url)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .unwrap();
        let (status, body) = self.send(request).await;
        assert_eq!(status, 200);
        serde_json::from_slice(&body).expect("JSON")
    }

    /// Every comment of `filter` in `window`, through the protocol's pager.
    async fn all(
        &self,
        ctx: &WechatContext,
        filter: Option<FilterType>,
        window: (Timestamp, Timestamp),
        limit: u32,
    ) -> Vec<Comment> {
        let mut query = GetCommentList::new(window.0, window.1).limit(limit);
        query.filter = filter;
        let mut pager = CommentPager::new(query).unwrap();
        let mut out = Vec::new();
        while let Some(request) = pager.next_request() {
            let page = self.call(&request, ctx).await.expect("a page");
            out.extend(pager.feed(page));
        }
        out
    }

    async fn detail(&self, ctx: &WechatContext, id: &CommentId) -> CommentDetail {
        self.call(&GetCommentDetail::new(id.clone()), ctx)
            .await
            .expect("a detail")
    }

    async fn thread(&self, ctx: &WechatContext, id: &CommentId) -> ReplyThread {
        self.call(&GetReplyThread::new(id.clone()), ctx)
            .await
            .expect("a thread")
    }

    /// The ids `filter` lists in a window of one second around `comment`.
    async fn listed(&self, ctx: &WechatContext, filter: FilterType, comment: &Comment) -> bool {
        let at = comment.create_time;
        self.all(ctx, Some(filter), (at, at), 100)
            .await
            .iter()
            .any(|c| c.comment_id == comment.comment_id)
    }
}

/// Everything the data spans, with a day to spare on both sides.
fn everything() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (
        now.checked_sub(SignedDuration::from_hours(24 * 182))
            .unwrap(),
        now.checked_add(SignedDuration::from_hours(24)).unwrap(),
    )
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrCode {
    result
        .expect_err("a refusal")
        .wechat_code()
        .expect("a WeChat error code")
}

fn errcode(answer: &Value) -> i64 {
    answer["errcode"].as_i64().expect("an errcode")
}

fn ids(comments: &[Comment]) -> Vec<String> {
    comments.iter().map(|c| c.comment_id.to_string()).collect()
}

#[tokio::test]
async fn same_seed_same_first_page_and_another_seed_another() {
    let (a, b, c) = (Wx::start(42, 300), Wx::start(42, 300), Wx::start(43, 300));
    let window = everything();
    let mut pages = Vec::new();
    for wx in [&a, &b, &c] {
        let ctx = wx.ctx().await;
        let page = wx
            .call(&GetCommentList::new(window.0, window.1).limit(20), &ctx)
            .await
            .unwrap();
        assert_eq!(page.total, Some(300));
        assert_eq!(page.comments.len(), 20);
        pages.push(page.comments);
    }
    assert_eq!(ids(&pages[0]), ids(&pages[1]));
    let texts = |p: &[Comment]| p.iter().map(|c| c.content.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&pages[0]), texts(&pages[1]));
    assert_ne!(ids(&pages[0]), ids(&pages[2]));
    for id in ids(&pages[0]) {
        assert_eq!(id.len(), 19, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }
}

#[tokio::test]
async fn a_new_plain_token_leaves_the_previous_one_five_minutes() {
    let wx = Wx::start(1, 30);
    let window = everything();
    let list = GetCommentList::new(window.0, window.1);
    let first = wx.token().await;
    let second = wx.token().await;
    assert_ne!(first.expose_secret(), second.expose_secret());
    wx.call(&list, &wx.ctx_with(first.clone())).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_mins(4));
    wx.call(&list, &wx.ctx_with(first.clone())).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_mins(2));
    assert_eq!(
        code(wx.call(&list, &wx.ctx_with(first)).await),
        ErrCode::InvalidCredential
    );
    wx.call(&list, &wx.ctx_with(second)).await.unwrap();
}

#[tokio::test]
async fn the_stable_token_stays_until_its_last_five_minutes() {
    let wx = Wx::start(1, 30);
    let window = everything();
    let list = GetCommentList::new(window.0, window.1);
    let (stable, expires_in) = wx.stable(false).await;
    assert_eq!(expires_in, 7200);
    // Plain tokens do not disturb the stable one.
    let _plain = wx.token().await;
    wx.sandbox.advance_clock(SignedDuration::from_mins(10));
    let (again, left) = wx.stable(false).await;
    assert_eq!(again.expose_secret(), stable.expose_secret());
    assert!((6599..=6600).contains(&left), "{left}");
    // Into the last five minutes: a new one, and the old one lives out its life.
    wx.sandbox
        .advance_clock(SignedDuration::from_secs(6600 - 240));
    let (renewed, full) = wx.stable(false).await;
    assert_ne!(renewed.expose_secret(), stable.expose_secret());
    assert_eq!(full, 7200);
    wx.call(&list, &wx.ctx_with(stable.clone())).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_secs(241));
    assert_eq!(
        code(wx.call(&list, &wx.ctx_with(stable)).await),
        ErrCode::AccessTokenExpired
    );
    wx.call(&list, &wx.ctx_with(renewed)).await.unwrap();
}

#[tokio::test]
async fn force_refresh_issues_a_new_stable_token() {
    let wx = Wx::start(1, 30);
    let window = everything();
    let list = GetCommentList::new(window.0, window.1);
    let (old, _) = wx.stable(false).await;
    let (forced, expires_in) = wx.stable(true).await;
    assert_ne!(old.expose_secret(), forced.expose_secret());
    assert_eq!(expires_in, 7200);
    let (current, _) = wx.stable(false).await;
    assert_eq!(current.expose_secret(), forced.expose_secret());
    wx.call(&list, &wx.ctx_with(old.clone())).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_mins(6));
    assert_eq!(
        code(wx.call(&list, &wx.ctx_with(old)).await),
        ErrCode::InvalidCredential
    );
    wx.call(&list, &wx.ctx_with(forced)).await.unwrap();
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let wx = Wx::with(builder(1, 30).token_lifetime(SignedDuration::from_secs(60)));
    let window = everything();
    let list = GetCommentList::new(window.0, window.1);
    let creds = wx.sandbox.wechat();
    let answer = wx
        .call(
            &GetToken::new(creds.appid.clone(), creds.secret.clone()),
            &wx.base,
        )
        .await
        .unwrap();
    assert_eq!(answer.expires_in, 60);
    let ctx = wx.ctx_with(answer.access_token);
    wx.call(&list, &ctx).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_secs(61));
    assert_eq!(
        code(wx.call(&list, &ctx).await),
        ErrCode::AccessTokenExpired
    );

    // The default two hours, watched with the clock.
    let wx = Wx::start(1, 30);
    let ctx = wx.ctx().await;
    wx.sandbox.advance_clock(SignedDuration::from_secs(7199));
    wx.call(&list, &ctx).await.unwrap();
    wx.sandbox.advance_clock(SignedDuration::from_secs(2));
    assert_eq!(
        code(wx.call(&list, &ctx).await),
        ErrCode::AccessTokenExpired
    );
}

#[tokio::test]
async fn wrong_credentials_are_refused() {
    let wx = Wx::start(1, 10);
    let creds = wx.sandbox.wechat();
    let (appid, secret) = (creds.appid.as_str(), creds.secret.expose_secret());
    let cases = [
        (
            format!("grant_type=password&appid={appid}&secret={secret}"),
            40002,
        ),
        (
            format!("grant_type=client_credential&appid=wx0000000000000000&secret={secret}"),
            40013,
        ),
        (
            format!("grant_type=client_credential&appid={appid}&secret=nope"),
            40125,
        ),
        (
            format!("grant_type=client_credential&secret={secret}"),
            41002,
        ),
        (format!("grant_type=client_credential&appid={appid}"), 41004),
    ];
    for (query, expected) in cases {
        let answer = wx.get(&format!("/cgi-bin/token?{query}")).await;
        assert_eq!(errcode(&answer), expected, "{query}");
        assert!(answer["errmsg"].is_string());
        assert!(answer.get("access_token").is_none());
    }
    let wrong_secret = GetStableToken::new(creds.appid.clone(), "nope".to_owned().into(), false);
    assert_eq!(
        code(wx.call(&wrong_secret, &wx.base).await),
        ErrCode::InvalidAppSecret
    );
    let wrong_appid = GetToken::new("wx0000000000000000".into(), creds.secret.clone());
    assert_eq!(
        code(wx.call(&wrong_appid, &wx.base).await),
        ErrCode::InvalidAppId
    );
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens() {
    let wx = Wx::start(1, 10);
    let (start, end) = everything();
    let window = format!(
        "startTime={}&endTime={}",
        start.as_second(),
        end.as_second()
    );
    let answer = wx
        .get(&format!("/wxaapi/comment/mpcommentlist/get?{window}"))
        .await;
    assert_eq!(errcode(&answer), 41001);
    let list = GetCommentList::new(start, end);
    let garbage = wx.ctx_with(AccessToken::new("not-a-token"));
    assert_eq!(
        code(wx.call(&list, &garbage).await),
        ErrCode::InvalidAccessToken
    );
    let unknown = wx.ctx_with(AccessToken::new(format!("86_{}", "A".repeat(120))));
    assert_eq!(
        code(wx.call(&list, &unknown).await),
        ErrCode::InvalidCredential
    );
    // The token is checked before the parameters.
    let answer = wx
        .get("/wxaapi/comment/mpcommentlist/get?access_token=nope")
        .await;
    assert_eq!(errcode(&answer), 40014);
}

#[tokio::test]
async fn each_filter_lists_exactly_what_the_document_says() {
    let wx = Wx::start(5, 400);
    let ctx = wx.ctx().await;
    let window = everything();
    let all = wx.all(&ctx, None, window, 100).await;
    assert_eq!(all.len(), 400);
    // What each comment's detail and thread say about it.
    let mut expected: BTreeMap<u8, HashSet<String>> = BTreeMap::new();
    for comment in &all {
        let detail = wx.detail(&ctx, &comment.comment_id).await;
        let thread = wx.thread(&ctx, &comment.comment_id).await;
        let stars = detail.info.content.score.get();
        let bad = stars <= 2;
        assert_eq!(stars, comment.score.get());
        let settled = detail
            .process
            .as_ref()
            .is_some_and(|p| p.reached(ActionType::MerchantHandled));
        let revised_from_bad = detail
            .old_comment
            .as_ref()
            .and_then(|o| o.score)
            .is_some_and(|s| s.get() <= 2);
        if bad {
            assert!(detail.process.is_some(), "a bad review has its process");
        }
        let memberships = [
            (1, bad),
            (2, stars >= 4),
            (3, bad && !settled),
            (4, thread.reply.is_none()),
            (5, revised_from_bad),
            (6, true),
        ];
        for (filter, member) in memberships {
            let set = expected.entry(filter).or_default();
            if member {
                set.insert(comment.comment_id.to_string());
            }
        }
    }
    for filter in FilterType::ALL {
        let listed = wx.all(&ctx, Some(filter), window, 37).await;
        let listed: HashSet<String> = ids(&listed).into_iter().collect();
        let wanted = &expected[&filter.code()];
        assert!(!wanted.is_empty(), "the data has some of {filter}");
        assert_eq!(&listed, wanted, "filter {filter}");
    }
}

#[tokio::test]
async fn paging_covers_a_window_exactly_once_newest_first() {
    let wx = Wx::start(9, 500);
    let ctx = wx.ctx().await;
    let now = Timestamp::now();
    let window = (
        now.checked_sub(SignedDuration::from_hours(24 * 60))
            .unwrap(),
        now,
    );
    let one_page = wx
        .call(&GetCommentList::new(window.0, window.1).limit(100), &ctx)
        .await
        .unwrap();
    let total = one_page.total.unwrap();
    assert!((100..=250).contains(&total), "{total}");
    let paged = wx.all(&ctx, Some(FilterType::All), window, 7).await;
    assert_eq!(paged.len() as u64, total);
    let unique: HashSet<_> = ids(&paged).into_iter().collect();
    assert_eq!(unique.len(), paged.len());
    assert_eq!(ids(&paged)[..100], ids(&one_page.comments)[..]);
    for pair in paged.windows(2) {
        assert!(pair[0].create_time >= pair[1].create_time);
    }
    for comment in &paged {
        assert!(window.0 <= comment.create_time && comment.create_time <= window.1);
    }
    // Both ends are inclusive.
    let last = paged.last().unwrap();
    assert!(wx.listed(&ctx, FilterType::All, last).await);
    // Past the end: an empty page that still reports the total.
    let beyond = wx
        .call(&GetCommentList::new(window.0, window.1).offset(total), &ctx)
        .await
        .unwrap();
    assert!(beyond.comments.is_empty());
    assert_eq!((beyond.total, beyond.offset), (Some(total), total));
}

#[tokio::test]
async fn list_parameters_are_checked() {
    let wx = Wx::start(2, 60);
    let ctx = wx.ctx().await;
    let token = ctx.access_token.expose_secret().to_owned();
    let (start, end) = everything();
    let (s, e) = (start.as_second(), end.as_second());
    let path = "/wxaapi/comment/mpcommentlist/get";
    let refused = [
        format!("endTime={e}"),
        format!("startTime={s}"),
        format!("startTime={e}&endTime={s}"),
        format!("startTime=yesterday&endTime={e}"),
        format!("startTime={s}&endTime={e}&limit=0"),
        format!("startTime={s}&endTime={e}&limit=101"),
        format!("startTime={s}&endTime={e}&filterType=7"),
        format!("startTime={s}&endTime={e}&offset=-1"),
    ];
    for query in refused {
        let answer = wx
            .get(&format!("{path}?{query}&access_token={token}"))
            .await;
        assert_eq!(errcode(&answer), -10001, "{query}");
        assert!(
            answer.get("success").is_none(),
            "reads refuse without success"
        );
    }
    let plain = wx
        .get(&format!(
            "{path}?startTime={s}&endTime={e}&access_token={token}"
        ))
        .await;
    assert_eq!(errcode(&plain), 0);
    assert_eq!(plain["success"], json!(true));
    assert_eq!(
        plain["commentList"].as_array().unwrap().len(),
        8,
        "default limit 8"
    );
    assert_eq!(plain["total"], json!(60), "default filter 6");
    assert_eq!(plain["offset"], json!(0));
    let first = &plain["commentList"][0];
    assert!(first["commentId"].is_string());
    assert!(first["createTime"].is_string());
    assert!(first["score"].is_number());
    assert!(first["amount"].is_number());
    assert!(
        first["orderId"]
            .as_str()
            .unwrap()
            .starts_with("payorder@_42000")
    );
    assert!(first["extInfo"]["isAlreadySendTmpl"].is_boolean());
    let capped = wx
        .get(&format!(
            "{path}?startTime={s}&endTime={e}&limit=100&access_token={token}"
        ))
        .await;
    assert_eq!(capped["commentList"].as_array().unwrap().len(), 60);
}

/// The first comment of `filter` whose `accept` holds.
async fn find(
    wx: &Wx,
    ctx: &WechatContext,
    filter: FilterType,
    accept: impl Fn(&Comment) -> bool,
) -> Comment {
    wx.all(ctx, Some(filter), everything(), 100)
        .await
        .into_iter()
        .find(|c| accept(c))
        .expect("the data has such a comment")
}

#[tokio::test]
async fn a_reply_shows_in_the_thread_and_leaves_filter_4() {
    let wx = Wx::start(3, 200);
    let ctx = wx.ctx().await;
    let comment = find(&wx, &ctx, FilterType::AwaitingReply, |_| true).await;
    assert!(wx.thread(&ctx, &comment.comment_id).await.reply.is_none());
    let text = "感谢您的反馈,我们马上处理🙏";
    wx.call(&AddReply::new(comment.comment_id.clone(), text), &ctx)
        .await
        .unwrap();
    let thread = wx.thread(&ctx, &comment.comment_id).await;
    let reply = thread.reply.expect("the reply");
    assert_eq!(reply.reply_content.content, text);
    assert_eq!(reply.comment_id, comment.comment_id);
    assert_eq!(reply.reply_object.unwrap().nickname, SHOP);
    assert!(thread.follow_ups.is_empty());
    assert!(!wx.listed(&ctx, FilterType::AwaitingReply, &comment).await);
    assert!(wx.listed(&ctx, FilterType::All, &comment).await);
    // At most one first reply.
    let second = AddReply::new(comment.comment_id.clone(), "再来一条");
    assert_eq!(code(wx.call(&second, &ctx).await), ErrCode::NotApplicable);
}

#[tokio::test]
async fn deleting_the_reply_deletes_its_follow_ups() {
    let wx = Wx::start(3, 200);
    let ctx = wx.ctx().await;
    let comment = find(&wx, &ctx, FilterType::AwaitingReply, |_| true).await;
    let id = comment.comment_id.clone();
    wx.call(&AddReply::new(id.clone(), "您好"), &ctx)
        .await
        .unwrap();
    let reply_id = wx.thread(&ctx, &id).await.reply.unwrap().reply_id;
    for text in ["补发已安排", "请注意查收"] {
        wx.call(
            &AddCommentReply::new(id.clone(), reply_id.clone(), text),
            &ctx,
        )
        .await
        .unwrap();
    }
    let thread = wx.thread(&ctx, &id).await;
    let follow_ups: Vec<_> = thread
        .follow_ups
        .iter()
        .map(|f| f.comment_reply_content.content.as_str())
        .collect();
    assert_eq!(follow_ups, ["补发已安排", "请注意查收"]);
    let first = thread.follow_ups[0].comment_reply_id.clone();
    wx.call(
        &DeleteCommentReply::new(id.clone(), reply_id.clone(), first),
        &ctx,
    )
    .await
    .unwrap();
    let thread = wx.thread(&ctx, &id).await;
    assert_eq!(thread.follow_ups.len(), 1);
    assert_eq!(
        thread.follow_ups[0].comment_reply_content.content,
        "请注意查收"
    );
    wx.call(&DeleteReply::new(id.clone(), reply_id.clone()), &ctx)
        .await
        .unwrap();
    let thread = wx.thread(&ctx, &id).await;
    assert!(thread.reply.is_none() && thread.follow_ups.is_empty());
    assert!(wx.listed(&ctx, FilterType::AwaitingReply, &comment).await);
    // The deleted reply's id no longer matches anything.
    let stale = AddCommentReply::new(id.clone(), reply_id, "还在吗");
    assert_eq!(
        code(wx.call(&stale, &ctx).await),
        ErrCode::ParameterMismatch
    );
}

#[tokio::test]
async fn ids_that_do_not_match_or_are_not_yours_are_refused() {
    let wx = Wx::start(4, 300);
    let ctx = wx.ctx().await;
    let all = wx.all(&ctx, None, everything(), 100).await;
    // A seeded thread with a follow-up the buyer wrote, and another thread.
    let mut with_buyer = None;
    let mut other = None;
    for comment in &all {
        let thread = wx.thread(&ctx, &comment.comment_id).await;
        let Some(reply) = &thread.reply else { continue };
        let buyer = thread.follow_ups.iter().find(|f| {
            f.comment_reply_object
                .as_ref()
                .is_some_and(|a| a.nickname != SHOP)
        });
        match (buyer, &with_buyer) {
            (Some(f), None) => {
                with_buyer = Some((
                    comment.clone(),
                    reply.reply_id.clone(),
                    f.comment_reply_id.clone(),
                ));
            }
            _ if other.is_none() && !thread.follow_ups.is_empty() => {
                other = Some((
                    comment.clone(),
                    reply.reply_id.clone(),
                    thread.follow_ups[0].comment_reply_id.clone(),
                ));
            }
            _ => {}
        }
        if with_buyer.is_some() && other.is_some() {
            break;
        }
    }
    let (comment, reply_id, buyer_follow_up) = with_buyer.expect("a buyer's follow-up");
    let (other_comment, other_reply, other_follow_up) = other.expect("another thread");
    let id = comment.comment_id.clone();
    let cases: Vec<(Result<(), Error>, ErrCode)> = vec![
        // The buyer's words are not the merchant's to delete.
        (
            wx.call(
                &DeleteCommentReply::new(id.clone(), reply_id.clone(), buyer_follow_up),
                &ctx,
            )
            .await,
            ErrCode::NotYours,
        ),
        // Another comment's reply id.
        (
            wx.call(&DeleteReply::new(id.clone(), other_reply.clone()), &ctx)
                .await,
            ErrCode::ParameterMismatch,
        ),
        (
            wx.call(&AddCommentReply::new(id.clone(), other_reply, "嗯"), &ctx)
                .await,
            ErrCode::ParameterMismatch,
        ),
        // A follow-up that is not under this reply.
        (
            wx.call(
                &DeleteCommentReply::new(id.clone(), reply_id.clone(), other_follow_up),
                &ctx,
            )
            .await,
            ErrCode::ParameterMismatch,
        ),
        (
            wx.call(
                &DeleteCommentReply::new(id.clone(), reply_id.clone(), CommentReplyId::new("1")),
                &ctx,
            )
            .await,
            ErrCode::ParameterMismatch,
        ),
        // An evaluation this mini program does not have.
        (
            wx.call(
                &AddReply::new(CommentId::new("2855501937264308224"), "你好"),
                &ctx,
            )
            .await,
            ErrCode::NotYours,
        ),
        (
            wx.call(
                &ResetKfQuota::new(CommentId::new("2855501937264308224")),
                &ctx,
            )
            .await,
            ErrCode::NotYours,
        ),
    ];
    for (i, (result, expected)) in cases.into_iter().enumerate() {
        assert_eq!(code(result), expected, "case {i}");
    }
    let unknown = CommentId::new("2855501937264308224");
    assert_eq!(
        code(wx.call(&GetCommentDetail::new(unknown.clone()), &ctx).await),
        ErrCode::NotYours
    );
    assert_eq!(
        code(wx.call(&GetReplyThread::new(unknown), &ctx).await),
        ErrCode::ParameterMismatch
    );
    // Nothing changed.
    let thread = wx.thread(&ctx, &other_comment.comment_id).await;
    assert!(thread.reply.is_some());

    // Raw bodies: missing fields, blank text, not JSON.
    let raw: [(&str, String, i64); 6] = [
        (
            "/wxaapi/comment/reply/add",
            json!({"content": "你好"}).to_string(),
            -10001,
        ),
        (
            "/wxaapi/comment/reply/add",
            json!({"commentId": id.as_str(), "content": " "}).to_string(),
            -10001,
        ),
        (
            "/wxaapi/comment/reply/delete",
            json!({"commentId": id.as_str()}).to_string(),
            -10001,
        ),
        (
            "/wxaapi/comment/commentreply/delete",
            json!({"commentId": id.as_str(), "replyId": reply_id.as_str()}).to_string(),
            -10001,
        ),
        ("/wxaapi/comment/apikfquota/reset", String::new(), -10001),
        (
            "/wxaapi/comment/confirmcompromise",
            "{commentId: 1".to_owned(),
            47001,
        ),
    ];
    for (path, body, expected) in raw {
        let answer = wx.post(path, &ctx, body.as_bytes()).await;
        assert_eq!(errcode(&answer), expected, "{path} {body}");
        assert_eq!(
            answer["success"],
            json!(false),
            "writes refuse with success false"
        );
        assert!(answer["errmsg"].as_str().unwrap().contains("rid: "));
    }
    // The detail of an id the document's example uses: it is not ours either.
    let answer = wx
        .get(&format!(
            "/wxaapi/comment/commentinfo/get?commentId=&access_token={}",
            ctx.access_token.expose_secret()
        ))
        .await;
    assert_eq!(errcode(&answer), -10001);
    assert!(wx.sandbox.writes().is_empty(), "no refused write is logged");
}

#[tokio::test]
async fn a_quota_reset_opens_customer_service_and_marks_the_comment() {
    let wx = Wx::start(6, 300);
    let ctx = wx.ctx().await;
    let comment = find(&wx, &ctx, FilterType::Bad, |c| {
        !c.ext_info.unwrap().is_already_send_tmpl
    })
    .await;
    let openid = comment.openid().unwrap().clone();
    let message = SendCustomMessage::new(CustomMessage::text(
        openid.clone(),
        "您好,我们来处理您的订单",
    ));
    assert_eq!(
        code(wx.call(&message, &ctx).await),
        ErrCode::ReplyWindowClosed
    );
    wx.call(&ResetKfQuota::new(comment.comment_id.clone()), &ctx)
        .await
        .unwrap();
    let at = comment.create_time;
    let again = wx.all(&ctx, Some(FilterType::Bad), (at, at), 100).await;
    let again = again
        .iter()
        .find(|c| c.comment_id == comment.comment_id)
        .unwrap();
    assert!(again.ext_info.unwrap().is_already_send_tmpl);
    wx.call(&message, &ctx).await.unwrap();
    // The window closes 48 hours later.
    wx.sandbox.advance_clock(SignedDuration::from_hours(49));
    let ctx = wx.ctx().await;
    assert_eq!(
        code(wx.call(&message, &ctx).await),
        ErrCode::ReplyWindowClosed
    );
    // Only bad reviews have a quota to reset.
    let positive = find(&wx, &ctx, FilterType::Positive, |_| true).await;
    assert_eq!(
        code(wx.call(&ResetKfQuota::new(positive.comment_id), &ctx).await),
        ErrCode::NotApplicable
    );
}

#[tokio::test]
async fn a_settlement_moves_the_process_and_leaves_filter_3() {
    let wx = Wx::start(7, 400);
    let ctx = wx.ctx().await;
    let pending = wx
        .all(&ctx, Some(FilterType::PendingCompromise), everything(), 100)
        .await;
    assert!(pending.len() >= 3, "{}", pending.len());
    let comment = &pending[0];
    let before = wx.detail(&ctx, &comment.comment_id).await;
    let process = before.process.expect("a bad review's process");
    assert!(!process.reached(ActionType::MerchantHandled));

    let upload = wx
        .call(&UploadMedia::image("proof.png", PNG.to_vec()), &ctx)
        .await
        .unwrap();
    assert_eq!(upload.kind, "image");
    let settle = ConfirmCompromise::new(comment.comment_id.clone())
        .content("已与买家协商一致,退还差价15元")
        .picture(upload.media_id.clone());
    wx.call(&settle, &ctx).await.unwrap();

    let after = wx.detail(&ctx, &comment.comment_id).await;
    let process = after.process.unwrap();
    assert!(process.reached(ActionType::MerchantHandled));
    assert!(process.reached(ActionType::BadReviewPosted));
    assert!(
        !wx.listed(&ctx, FilterType::PendingCompromise, comment)
            .await
    );
    assert!(wx.listed(&ctx, FilterType::Bad, comment).await);
    assert_eq!(code(wx.call(&settle, &ctx).await), ErrCode::NotApplicable);

    // An unknown media id is refused and changes nothing.
    let other = &pending[1];
    let bogus =
        ConfirmCompromise::new(other.comment_id.clone()).picture(MediaId::new("MEDIA_ID_1"));
    assert_eq!(code(wx.call(&bogus, &ctx).await), ErrCode::InvalidMediaId);
    assert!(wx.listed(&ctx, FilterType::PendingCompromise, other).await);
    // Media ids live three days.
    wx.sandbox.advance_clock(SignedDuration::from_hours(73));
    let ctx = wx.ctx().await;
    let late = ConfirmCompromise::new(other.comment_id.clone()).picture(upload.media_id);
    assert_eq!(code(wx.call(&late, &ctx).await), ErrCode::InvalidMediaId);
    // Text only is enough.
    wx.call(
        &ConfirmCompromise::new(other.comment_id.clone()).content("已退款"),
        &ctx,
    )
    .await
    .unwrap();

    // Not a bad review.
    let positive = find(&wx, &ctx, FilterType::Positive, |_| true).await;
    let not_bad = ConfirmCompromise::new(positive.comment_id).content("和解");
    assert_eq!(code(wx.call(&not_bad, &ctx).await), ErrCode::NotApplicable);
}

#[tokio::test]
async fn media_upload_checks_its_input() {
    let wx = Wx::start(8, 10);
    let ctx = wx.ctx().await;
    let request = UploadMedia::image("proof.png", PNG.to_vec())
        .request(&ctx)
        .unwrap();
    let (parts, body) = request.into_parts();
    let video = parts.uri.to_string().replace("type=image", "type=video");
    let mut wrong_type = http::Request::post(video).body(body.clone()).unwrap();
    *wrong_type.headers_mut() = parts.headers.clone();
    let (_, answer) = wx.send(wrong_type).await;
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(errcode(&answer), 40004);
    let no_media = http::Request::post(parts.uri.to_string())
        .header("content-type", "multipart/form-data; boundary=b")
        .body(
            b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--\r\n".to_vec(),
        )
        .unwrap();
    let (_, answer) = wx.send(no_media).await;
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(errcode(&answer), 41005);
    // The fixture's body, which is not a real picture, is accepted as WeChat does.
    let fixture = "------reviewsBoundary7MA4YWxk\r\nContent-Disposition: form-data; name=\"media\"; filename=\"proof.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJFIF placeholder bytes: refund receipt\r\n------reviewsBoundary7MA4YWxk--\r\n";
    let ok = http::Request::post(parts.uri.to_string())
        .header(
            "content-type",
            "multipart/form-data; boundary=----reviewsBoundary7MA4YWxk",
        )
        .body(fixture.as_bytes().to_vec())
        .unwrap();
    let (_, answer) = wx.send(ok).await;
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["type"], json!("image"));
    assert!(answer["media_id"].is_string());
    assert!(answer["created_at"].is_number());
}

#[tokio::test]
async fn executed_writes_are_logged_in_order() {
    let wx = Wx::start(10, 200);
    let ctx = wx.ctx().await;
    let awaiting: HashSet<String> = ids(&wx
        .all(&ctx, Some(FilterType::AwaitingReply), everything(), 100)
        .await)
    .into_iter()
    .collect();
    let comment = find(&wx, &ctx, FilterType::PendingCompromise, |c| {
        !c.ext_info.unwrap().is_already_send_tmpl && awaiting.contains(c.comment_id.as_str())
    })
    .await;
    let id = comment.comment_id.clone();
    wx.call(&AddReply::new(id.clone(), "抱歉"), &ctx)
        .await
        .unwrap();
    // Refused: not logged.
    let _ = wx
        .call(&AddReply::new(id.clone(), "又一条"), &ctx)
        .await
        .unwrap_err();
    let reply_id: ReplyId = wx.thread(&ctx, &id).await.reply.unwrap().reply_id;
    wx.call(
        &AddCommentReply::new(id.clone(), reply_id.clone(), "已退款"),
        &ctx,
    )
    .await
    .unwrap();
    wx.call(&ResetKfQuota::new(id.clone()), &ctx).await.unwrap();
    let openid = comment.openid().unwrap().clone();
    wx.call(
        &SendCustomMessage::new(CustomMessage::text(openid.clone(), "您好")),
        &ctx,
    )
    .await
    .unwrap();
    let upload = wx
        .call(&UploadMedia::image("p.png", PNG.to_vec()), &ctx)
        .await
        .unwrap();
    wx.call(
        &ConfirmCompromise::new(id.clone()).picture(upload.media_id.clone()),
        &ctx,
    )
    .await
    .unwrap();
    wx.call(&DeleteReply::new(id.clone(), reply_id.clone()), &ctx)
        .await
        .unwrap();

    let writes = wx.sandbox.writes();
    let paths: Vec<&str> = writes.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/wxaapi/comment/reply/add",
            "/wxaapi/comment/commentreply/add",
            "/wxaapi/comment/apikfquota/reset",
            "/cgi-bin/message/custom/send",
            "/cgi-bin/media/upload",
            "/wxaapi/comment/confirmcompromise",
            "/wxaapi/comment/reply/delete",
        ]
    );
    assert_eq!(
        writes[0].body,
        json!({"commentId": id.as_str(), "content": "抱歉"})
    );
    assert_eq!(writes[1].body["replyId"], json!(reply_id.as_str()));
    assert_eq!(writes[3].body["touser"], json!(openid.as_str()));
    assert_eq!(writes[4].body["media_id"], json!(upload.media_id.as_str()));
    assert_eq!(writes[5].body["picList"], json!([upload.media_id.as_str()]));
    assert!(writes.iter().all(|w| !w.answer_lost));
    for pair in writes.windows(2) {
        assert!(pair[0].at <= pair[1].at);
    }
}

#[tokio::test]
async fn answers_have_the_documented_shapes() {
    let wx = Wx::start(12, 300);
    let ctx = wx.ctx().await;
    let token = ctx.access_token.expose_secret().to_owned();
    let revised = find(&wx, &ctx, FilterType::Revised, |_| true).await;
    let detail = wx
        .get(&format!(
            "/wxaapi/comment/commentinfo/get?commentId={}&access_token={token}",
            revised.comment_id
        ))
        .await;
    assert_eq!(errcode(&detail), 0);
    assert!(detail.get("success").is_none());
    let content = &detail["info"]["content"];
    assert_eq!(content["commentId"], json!(revised.comment_id.as_str()));
    assert!(
        content.get("extInfo").is_none(),
        "the detail documents no extInfo"
    );
    assert!(detail["oldComment"]["content"]["text"].is_string());
    assert!(detail["oldComment"]["createTime"].is_string());
    let steps = detail["processInfo"]["actionList"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert!(steps[0]["updateTime"].is_number());
    assert!(steps[0]["type"].is_number());
    // Unreached steps carry no updateTime.
    assert!(
        steps
            .iter()
            .all(|s| s.get("updateTime").is_none_or(Value::is_number))
    );

    let all = wx.all(&ctx, None, everything(), 100).await;
    let mut seen_reply = false;
    for comment in all.iter().take(60) {
        let thread = wx
            .get(&format!(
                "/wxaapi/comment/replyandcommentreplylist/get?commentId={}&access_token={token}",
                comment.comment_id
            ))
            .await;
        assert_eq!(errcode(&thread), 0);
        assert!(thread["list"].is_object());
        assert!(thread["list"]["commentReplyList"].is_array());
        if let Some(reply) = thread["list"].get("reply") {
            seen_reply = true;
            assert!(reply["replyId"].is_string());
            assert!(reply["createTime"].is_string());
            assert!(reply["replyContent"]["content"].is_string());
        }
    }
    assert!(seen_reply);
    let media: Vec<_> = all.iter().flat_map(|c| c.content.media.iter()).collect();
    assert!(
        media
            .iter()
            .any(|m| matches!(m, review_model::wechat::Media::Image(_)))
    );
    assert!(
        media
            .iter()
            .any(|m| matches!(m, review_model::wechat::Media::Video(_)))
    );
    assert!(
        all.iter()
            .any(|c| c.content.text.chars().any(|ch| ch as u32 > 0x1F000)),
        "emoji"
    );

    let awaiting = find(&wx, &ctx, FilterType::AwaitingReply, |_| true).await;
    let write = wx
        .post(
            "/wxaapi/comment/reply/add",
            &ctx,
            json!({"commentId": awaiting.comment_id.as_str(), "content": "谢谢"})
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(write, json!({"errcode": 0, "success": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_thousand_comments_page_from_the_index() {
    let started = std::time::Instant::now();
    let wx = Wx::start(20, 100_000);
    let generated = started.elapsed();
    let ctx = wx.ctx().await;
    let (start, end) = everything();
    let first = wx
        .call(&GetCommentList::new(start, end).limit(100), &ctx)
        .await
        .unwrap();
    assert_eq!(first.total, Some(100_000));
    let mut sum = 0;
    for filter in [FilterType::Bad, FilterType::Positive] {
        let page = wx
            .call(&GetCommentList::new(start, end).filter(filter), &ctx)
            .await
            .unwrap();
        sum += page.total.unwrap();
    }
    let neutral = first.total.unwrap() - sum;
    assert!(
        (8_000..=12_000).contains(&neutral),
        "{neutral} three-star reviews"
    );
    // A deep page is as cheap as the first.
    let deep = wx
        .call(
            &GetCommentList::new(start, end).offset(99_990).limit(20),
            &ctx,
        )
        .await
        .unwrap();
    assert_eq!(deep.comments.len(), 10);

    let requests = 4000;
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..16u64 {
        let http = wx.http.clone();
        let url = GetCommentList::new(start, end)
            .filter(FilterType::ALL[(worker % 6) as usize])
            .offset(worker * 500)
            .limit(8)
            .request(&ctx)
            .unwrap()
            .uri()
            .to_string();
        tasks.push(tokio::spawn(async move {
            for _ in 0..requests / 16 {
                let body = http.get(&url).send().await.unwrap().bytes().await.unwrap();
                assert!(body.starts_with(br#"{"errcode":0"#));
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "100k comments generated in {generated:?}; {requests} list pages in {elapsed:?} ({:.0}/s)",
            f64::from(requests) / elapsed.as_secs_f64()
        );
    }
}
