//! The fw199 gateway emulation over real loopback HTTP, driven by the protocol's own client
//! types: the signed `SearchTradeRates` endpoint, and the `WindowPlanner` reading everything.
//!
//! How "every generated rate exactly once" is checked: the sandbox generates exactly the
//! builder's `rates(count)`, split between the two lists a shop has (`get`+`buyer` and
//! `give`+`seller`). Reading both lists with the planner must deliver `count` distinct rates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, HashSet};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use review_model::Secret;
use review_model::taobao::{self, RateResult, RateType, Role, TradeRate, TradeRatePage};
use review_protocol::taobao::fw199::sign;
use review_protocol::taobao::{
    Fw199Context, Fw199Credentials, PlanStats, SearchTradeRates, WindowPlanner, oldest,
};
use review_protocol::{ApiCode, BaseUrl, Endpoint, Error};
use review_sandbox::Sandbox;
use serde_json::Value;

/// A sandbox and a client for it.
struct Gateway {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Gateway {
    fn start(seed: u64, rates: usize) -> Self {
        let sandbox = Sandbox::builder()
            .seed(seed)
            .comments(0)
            .rates(rates)
            .start("127.0.0.1:0")
            .unwrap();
        Self {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    fn seller(&self) -> String {
        self.sandbox.taobao().seller_nick.clone()
    }

    fn credentials(&self) -> Fw199Credentials {
        self.sandbox.taobao().gateway.clone()
    }

    fn context(&self, at: Timestamp) -> Fw199Context {
        Fw199Context::new(
            self.sandbox.base_url().parse::<BaseUrl>().unwrap(),
            self.credentials(),
            at,
        )
    }

    fn list(&self, rate_type: RateType, role: Role) -> SearchTradeRates {
        SearchTradeRates {
            rate_type,
            role,
            ..SearchTradeRates::received(self.seller())
        }
    }

    async fn exchange(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let request = reqwest::Request::try_from(request).unwrap();
        let response = self.http.execute(request).await.unwrap();
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        builder
            .body(response.bytes().await.unwrap().to_vec())
            .unwrap()
    }

    async fn search_with(
        &self,
        query: &SearchTradeRates,
        ctx: &Fw199Context,
    ) -> Result<TradeRatePage, Error> {
        let response = self.exchange(query.request(ctx).unwrap()).await;
        let (parts, body) = response.into_parts();
        query.parse(http::Response::from_parts(parts, body.as_slice()))
    }

    async fn search_at(
        &self,
        query: &SearchTradeRates,
        at: Timestamp,
    ) -> Result<TradeRatePage, Error> {
        self.search_with(query, &self.context(at)).await
    }

    async fn search(&self, query: &SearchTradeRates) -> TradeRatePage {
        self.search_at(query, Timestamp::now()).await.unwrap()
    }

    /// `total_results` of a window, with a one-rate probe.
    async fn count(&self, query: &SearchTradeRates) -> u64 {
        let mut probe = query.clone().page(1, 1);
        probe.use_has_next = Some(false);
        self.search(&probe).await.total_results.unwrap()
    }

    /// Every rate of a list over the whole 180 days, read by the planner, with its stats.
    async fn read_all_at(
        &self,
        base: SearchTradeRates,
        now: Timestamp,
    ) -> (Vec<TradeRate>, PlanStats) {
        self.read_between(base, oldest(now), now, now).await
    }

    /// Every rate of a list between `since` and `until`, read by the planner.
    async fn read_between(
        &self,
        base: SearchTradeRates,
        since: Timestamp,
        until: Timestamp,
        now: Timestamp,
    ) -> (Vec<TradeRate>, PlanStats) {
        let mut planner = WindowPlanner::new(base, since, until, now, 150).unwrap();
        let mut rates = Vec::new();
        while let Some(request) = planner.next_request() {
            let page = self.search_at(&request, planner.now()).await.unwrap();
            rates.extend(planner.feed(page));
        }
        (rates, planner.stats().clone())
    }

    async fn read_all(&self, base: SearchTradeRates) -> (Vec<TradeRate>, PlanStats) {
        self.read_all_at(base, Timestamp::now()).await
    }

    /// The sandbox's default parameters: `appid`, a fresh `timestamp`, the seller, `get`+`buyer`.
    fn base_params(&self) -> Vec<(String, String)> {
        vec![
            (
                "appid".to_owned(),
                self.sandbox.taobao().gateway.appid.clone(),
            ),
            (
                "timestamp".to_owned(),
                Timestamp::now().as_second().to_string(),
            ),
            ("tb_seller_nick".to_owned(), self.seller()),
            ("rate_type".to_owned(), "get".to_owned()),
            ("role".to_owned(), "buyer".to_owned()),
        ]
    }

    /// The default parameters with some replaced (`Some`) or removed (`None`), signed.
    fn form(&self, changes: &[(&str, Option<&str>)]) -> String {
        self.form_with_secret(changes, &self.sandbox.taobao().gateway.secret)
    }

    fn form_with_secret(&self, changes: &[(&str, Option<&str>)], secret: &Secret) -> String {
        let mut params = self.base_params();
        for (name, value) in changes {
            params.retain(|(k, _)| k != name);
            if let Some(value) = value {
                params.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let signature = sign(&borrowed, secret);
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &borrowed {
            form.append_pair(name, value);
        }
        form.append_pair("sign", &signature);
        form.finish()
    }

    /// Posts a raw body; the gateway always answers HTTP 200 with JSON.
    async fn post(&self, body: String, content_type: Option<&str>) -> Value {
        let mut request = http::Request::post(format!(
            "{}{}",
            self.sandbox.base_url(),
            SearchTradeRates::METADATA.path
        ));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = self
            .exchange(request.body(body.into_bytes()).unwrap())
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/json; charset=utf-8"
        );
        serde_json::from_slice(response.body()).unwrap()
    }

    async fn post_form(&self, body: String) -> Value {
        self.post(
            body,
            Some("application/x-www-form-urlencoded; charset=utf-8"),
        )
        .await
    }
}

/// Asserts the error envelope: `code`, a message starting with `prefix`, `data: null`, a trace id.
fn assert_refused(answer: &Value, code: i64, prefix: &str) {
    assert_eq!(answer["code"], code, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with(prefix), "{message}");
    assert_eq!(
        answer.as_object().unwrap().get("data"),
        Some(&Value::Null),
        "{answer}"
    );
    assert_eq!(answer["trace_id"].as_str().unwrap().len(), 30);
    assert_eq!(answer.as_object().unwrap().len(), 4);
}

fn api_code(err: &Error) -> i64 {
    match err {
        Error::Api(api) => match api.code {
            ApiCode::Fw199(code) => code,
            ref other => panic!("not an fw199 code: {other:?}"),
        },
        other => panic!("not an API error: {other:?}"),
    }
}

fn keys(rates: &[TradeRate]) -> HashSet<String> {
    rates.iter().map(TradeRate::key).collect()
}

/// Finds a one-hour window holding the burst: the hour ending at its newest rate.
async fn burst_hour(gateway: &Gateway) -> SearchTradeRates {
    let back = Timestamp::now() - SignedDuration::from_hours(24 * 30);
    let range = gateway
        .list(RateType::Get, Role::Buyer)
        .window(back - SignedDuration::from_hours(14), back);
    let newest = gateway.search(&range.clone().page(1, 150)).await;
    for rate in &newest.rates {
        let hour = gateway
            .list(RateType::Get, Role::Buyer)
            .window(rate.created - SignedDuration::from_secs(3599), rate.created);
        if gateway.count(&hour).await == 1500 {
            return hour;
        }
    }
    panic!("no burst hour found about 30 days back");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_rates_in_two_sandboxes() {
    let (a, b) = (Gateway::start(42, 2000), Gateway::start(42, 2000));
    assert_eq!(a.sandbox.taobao(), b.sandbox.taobao());
    let mut shift = None;
    for (rate_type, role) in [(RateType::Get, Role::Buyer), (RateType::Give, Role::Seller)] {
        let (mut left, _) = a.read_all(a.list(rate_type, role)).await;
        let (mut right, _) = b.read_all(b.list(rate_type, role)).await;
        assert!(!left.is_empty());
        left.sort_by_key(TradeRate::key);
        right.sort_by_key(TradeRate::key);
        assert_eq!(left.len(), right.len());
        for (l, r) in left.iter().zip(&right) {
            // The two started at most a second or so apart: everything but that shift is equal.
            let delta = r.created.as_second() - l.created.as_second();
            assert_eq!(*shift.get_or_insert(delta), delta);
            let moved = TradeRate {
                created: r.created,
                ..l.clone()
            };
            assert_eq!(&moved, r);
        }
    }
    let other = Gateway::start(43, 2000);
    let (mine, _) = a.read_all(a.list(RateType::Get, Role::Buyer)).await;
    let (theirs, _) = other.read_all(other.list(RateType::Get, Role::Buyer)).await;
    assert!(keys(&mine).is_disjoint(&keys(&theirs)));
}

#[tokio::test]
async fn the_planner_reads_every_generated_rate_exactly_once() {
    let gateway = Gateway::start(7, 2400);
    let (received, stats) = gateway
        .read_all(gateway.list(RateType::Get, Role::Buyer))
        .await;
    assert!(stats.splits >= 1, "the burst must force a split: {stats:?}");
    assert!(stats.truncated.is_empty() && stats.page_limit_hits.is_empty());
    assert_eq!(stats.duplicates, 0);
    let (given, given_stats) = gateway
        .read_all(gateway.list(RateType::Give, Role::Seller))
        .await;
    assert_eq!(given_stats.duplicates, 0);
    assert!(received.len() > 1600 && !given.is_empty());
    assert!(received.iter().all(|r| r.role == Role::Buyer));
    assert!(given.iter().all(|r| r.role == Role::Seller));

    let mut all = keys(&received);
    all.extend(keys(&given));
    assert_eq!(received.len() + given.len(), 2400);
    assert_eq!(all.len(), 2400);

    // The shop is never rated as a buyer, nor rates sellers.
    for (rate_type, role) in [(RateType::Get, Role::Seller), (RateType::Give, Role::Buyer)] {
        assert_eq!(gateway.count(&gateway.list(rate_type, role)).await, 0);
    }
}

#[tokio::test]
async fn a_hundred_thousand_rates_are_read_exactly_once() {
    let gateway = Gateway::start(3, 100_000);
    let (received, stats) = gateway
        .read_all(gateway.list(RateType::Get, Role::Buyer))
        .await;
    let (given, _) = gateway
        .read_all(gateway.list(RateType::Give, Role::Seller))
        .await;
    assert_eq!(received.len() + given.len(), 100_000);
    let mut all = keys(&received);
    all.extend(keys(&given));
    assert_eq!(all.len(), 100_000);
    assert!(stats.splits > 50 && stats.truncated.is_empty());
}

#[tokio::test]
async fn a_tampered_body_is_refused_as_a_bad_signature() {
    let gateway = Gateway::start(1, 100);
    let query = gateway.list(RateType::Get, Role::Buyer);
    let request = query.request(&gateway.context(Timestamp::now())).unwrap();
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(body.contains("role=buyer"));
    let tampered = body.replace("role=buyer", "role=seller");
    assert_refused(&gateway.post_form(tampered).await, 10001, "签名错误");
    // The untouched body passes.
    assert_eq!(gateway.post_form(body).await["code"], 0);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_as_a_bad_signature() {
    let gateway = Gateway::start(1, 100);
    let form = gateway.form_with_secret(&[], &Secret::new("not-the-secret"));
    assert_refused(&gateway.post_form(form).await, 10001, "签名错误");

    let mut ctx = gateway.context(Timestamp::now());
    ctx.credentials.secret = Secret::new("not-the-secret");
    let err = gateway
        .search_with(&gateway.list(RateType::Get, Role::Buyer), &ctx)
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 10001);
}

#[tokio::test]
async fn a_missing_sign_is_refused_as_a_bad_signature() {
    let gateway = Gateway::start(1, 100);
    let form = gateway.form(&[]);
    let (unsigned, _) = form.split_once("&sign=").unwrap();
    let answer = gateway.post_form(unsigned.to_owned()).await;
    assert_refused(&answer, 10001, "签名错误");
    assert!(answer["message"].as_str().unwrap().contains("sign"));
}

#[tokio::test]
async fn a_timestamp_more_than_ten_minutes_off_is_refused() {
    let gateway = Gateway::start(1, 100);
    let query = gateway.list(RateType::Get, Role::Buyer);
    let now = Timestamp::now();
    for off in [
        SignedDuration::from_mins(-11),
        SignedDuration::from_mins(11),
    ] {
        let err = gateway.search_at(&query, now + off).await.unwrap_err();
        assert_eq!(api_code(&err), 10003, "{off}");
    }
    for off in [SignedDuration::from_mins(-9), SignedDuration::from_mins(9)] {
        gateway.search_at(&query, now + off).await.unwrap();
    }
    let millis = (now.as_millisecond()).to_string();
    let answer = gateway
        .post_form(gateway.form(&[("timestamp", Some(&millis))]))
        .await;
    assert_refused(&answer, 10003, "时间戳无效");

    // The sandbox's clock is the reference: once moved, the real time is stale.
    gateway.sandbox.advance_clock(SignedDuration::from_hours(1));
    let err = gateway
        .search_at(&query, Timestamp::now())
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 10003);
    gateway
        .search_at(&query, Timestamp::now() + SignedDuration::from_hours(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn every_parameter_range_is_refused_with_its_message() {
    let gateway = Gateway::start(1, 100);
    let cases: &[(&str, &str)] = &[
        ("rate_type", "got"),
        ("rate_type", "GET"),
        ("role", "admin"),
        ("result", "great"),
        ("page_no", "0"),
        ("page_no", "201"),
        ("page_no", "-1"),
        ("page_no", "one"),
        ("page_size", "0"),
        ("page_size", "151"),
        ("page_size", "1.5"),
        ("start_date", "2026-01-01"),
        ("start_date", "2026-01-01T00:00:00"),
        ("end_date", "2026-13-01 00:00:00"),
        ("end_date", "1790000000"),
        ("use_has_next", "yes"),
        ("use_has_next", "1"),
        ("tid", "12x"),
        ("tid", "-5"),
        ("num_iid", "1e9"),
    ];
    for (name, value) in cases {
        let answer = gateway
            .post_form(gateway.form(&[(name, Some(value))]))
            .await;
        assert_refused(&answer, 10002, "参数错误");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains(name) && message.contains(value),
            "{name}={value}: {message}"
        );
    }
    // The edges are accepted.
    for (name, value) in [
        ("page_no", "200"),
        ("page_no", "1"),
        ("page_size", "150"),
        ("page_size", "1"),
    ] {
        let answer = gateway
            .post_form(gateway.form(&[(name, Some(value))]))
            .await;
        assert_eq!(answer["code"], 0, "{name}={value}: {answer}");
    }
    // Required parameters.
    for name in ["tb_seller_nick", "rate_type", "role", "appid", "timestamp"] {
        let answer = gateway.post_form(gateway.form(&[(name, None)])).await;
        assert_refused(&answer, 10002, "参数错误");
        assert!(
            answer["message"].as_str().unwrap().contains(name),
            "{answer}"
        );
    }
    // A window that ends before it starts.
    let answer = gateway
        .post_form(gateway.form(&[
            ("start_date", Some("2026-05-02 00:00:00")),
            ("end_date", Some("2026-05-01 00:00:00")),
        ]))
        .await;
    assert_refused(&answer, 10002, "参数错误");
    // A repeated parameter.
    let repeated = format!("{}&role=seller", gateway.form(&[]));
    assert_refused(&gateway.post_form(repeated).await, 10002, "参数错误");
    // Not a form.
    let answer = gateway
        .post(gateway.form(&[]), Some("application/json"))
        .await;
    assert_refused(&answer, 10002, "参数错误");
    // A form without a content type is read as one.
    assert_eq!(gateway.post(gateway.form(&[]), None).await["code"], 0);
}

#[tokio::test]
async fn the_appid_and_the_seller_must_be_the_sandboxs() {
    let gateway = Gateway::start(1, 100);
    let answer = gateway
        .post_form(gateway.form(&[("appid", Some("someone-else"))]))
        .await;
    assert_refused(&answer, 10004, "appid 不存在");
    let answer = gateway
        .post_form(gateway.form(&[("tb_seller_nick", Some("别人家的店"))]))
        .await;
    assert_refused(&answer, 10005, "无权访问");
}

#[tokio::test]
async fn the_burst_hour_reports_1500_and_pages_reach_only_the_first_1500() {
    let gateway = Gateway::start(7, 2400);
    let hour = burst_hour(&gateway).await;
    let (start, end) = (hour.start_date.unwrap(), hour.end_date.unwrap());
    let middle = start + SignedDuration::from_secs(1799);
    let older = hour.clone().window(start, middle);
    let newer = hour
        .clone()
        .window(middle + SignedDuration::from_secs(1), end);
    let (older_count, newer_count) = (gateway.count(&older).await, gateway.count(&newer).await);
    assert!(older_count < 1500 && newer_count < 1500);
    assert!(
        older_count + newer_count > 1500,
        "the hour holds more than the cap"
    );

    // Pages of 150: ten full pages, then nothing.
    let mut reached = Vec::new();
    for page_no in 1..=11 {
        let page = gateway.search(&hour.clone().page(page_no, 150)).await;
        assert_eq!(page.total_results, Some(1500));
        assert_eq!(
            page.rates.len(),
            if page_no <= 10 { 150 } else { 0 },
            "page {page_no}"
        );
        reached.extend(page.rates);
    }
    assert_eq!(keys(&reached).len(), 1500);
    // They are the newest 1500: all of the newer half, then the newest of the older half.
    let list = gateway.list(RateType::Get, Role::Buyer);
    let now = Timestamp::now();
    let newer_start = middle + SignedDuration::from_secs(1);
    let mut expected = gateway
        .read_between(list.clone(), newer_start, end, now)
        .await
        .0;
    assert_eq!(expected.len() as u64, newer_count);
    let mut older_newest_first = gateway.read_between(list, start, middle, now).await.0;
    assert_eq!(older_newest_first.len() as u64, older_count);
    older_newest_first.sort_by(|a, b| b.created.cmp(&a.created).then(b.oid.cmp(&a.oid)));
    expected.extend(
        older_newest_first
            .into_iter()
            .take(1500 - newer_count as usize),
    );
    assert_eq!(keys(&reached), keys(&expected));
    assert!(
        reached.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );

    // A page that passes the 1500th returns up to it; the next is empty.
    assert_eq!(
        gateway
            .search(&hour.clone().page(14, 110))
            .await
            .rates
            .len(),
        70
    );
    assert!(
        gateway
            .search(&hour.clone().page(15, 110))
            .await
            .rates
            .is_empty()
    );
    assert_eq!(
        gateway.search(&hour.clone().page(38, 40)).await.rates.len(),
        20
    );
    assert!(
        gateway
            .search(&hour.clone().page(39, 40))
            .await
            .rates
            .is_empty()
    );
    // With has_next, the last reachable page says so.
    let mut last = hour.clone().page(10, 150);
    last.use_has_next = Some(true);
    let page = gateway.search(&last).await;
    assert_eq!((page.has_next, page.rates.len()), (Some(false), 150));
}

#[tokio::test]
async fn use_has_next_replaces_total_results() {
    let gateway = Gateway::start(5, 800);
    let total = gateway
        .count(&gateway.list(RateType::Get, Role::Buyer))
        .await;
    assert!(total > 80 && total < 1500);
    let size = 40;
    let pages = total.div_ceil(size);
    for page_no in 1..=pages + 1 {
        let form = gateway.form(&[
            ("page_no", Some(&page_no.to_string())),
            ("page_size", Some(&size.to_string())),
            ("use_has_next", Some("true")),
        ]);
        let answer = gateway.post_form(form).await;
        let data = answer["data"].as_object().unwrap();
        assert!(!data.contains_key("total_results"), "{answer}");
        assert_eq!(data["has_next"], page_no < pages, "page {page_no}");
        let rates = data["trade_rates"]["trade_rate"].as_array().unwrap();
        let expected = if page_no < pages {
            size
        } else if page_no == pages {
            total - size * (pages - 1)
        } else {
            0
        };
        assert_eq!(rates.len() as u64, expected, "page {page_no}");
    }
    // Without it: total_results and no has_next.
    let answer = gateway
        .post_form(gateway.form(&[("use_has_next", Some("false"))]))
        .await;
    let data = answer["data"].as_object().unwrap();
    assert_eq!(data["total_results"], total);
    assert!(!data.contains_key("has_next"));
}

#[tokio::test]
async fn filters_select_by_result_ids_item_and_buyer() {
    let gateway = Gateway::start(9, 800);
    let everything = gateway.list(RateType::Get, Role::Buyer);
    let (all, _) = gateway.read_all(everything.clone()).await;
    let total = gateway.count(&everything).await;
    assert_eq!(all.len() as u64, total);

    // result: the three lists partition the whole.
    let mut sum = 0;
    for result in [RateResult::Good, RateResult::Neutral, RateResult::Bad] {
        let query = SearchTradeRates {
            result: Some(result),
            ..everything.clone()
        };
        let (rates, _) = gateway.read_all(query).await;
        assert!(rates.iter().all(|r| r.result == result));
        assert_eq!(
            rates.len(),
            all.iter().filter(|r| r.result == result).count()
        );
        sum += rates.len();
    }
    assert_eq!(sum, all.len());

    // tid: a parent order id finds every sub-order; a child id finds its own rate.
    let child = all
        .iter()
        .find(|r| r.tid.0 != r.oid.0)
        .expect("a multi-item order");
    let by_parent = SearchTradeRates {
        tid: Some(child.tid.0),
        ..everything.clone()
    };
    let siblings = gateway.search(&by_parent).await.rates;
    assert_eq!(
        siblings.len(),
        all.iter().filter(|r| r.tid == child.tid).count()
    );
    assert!(siblings.len() >= 2 && siblings.iter().all(|r| r.tid == child.tid));
    let by_child = SearchTradeRates {
        tid: Some(child.oid.0),
        ..everything.clone()
    };
    assert_eq!(
        keys(&gateway.search(&by_child).await.rates),
        keys(std::slice::from_ref(child))
    );

    // num_iid and ouid.
    let sample = &all[all.len() / 2];
    let by_item = SearchTradeRates {
        num_iid: sample.num_iid,
        ..everything.clone()
    };
    let (items, _) = gateway.read_all(by_item).await;
    assert_eq!(
        items.len(),
        all.iter().filter(|r| r.num_iid == sample.num_iid).count()
    );
    assert!(items.iter().all(|r| r.num_iid == sample.num_iid));
    let by_buyer = SearchTradeRates {
        ouid: sample.ouid.clone(),
        ..everything.clone()
    };
    let (buyers, _) = gateway.read_all(by_buyer).await;
    assert_eq!(
        buyers.len(),
        all.iter().filter(|r| r.ouid == sample.ouid).count()
    );
    assert!(buyers.iter().all(|r| r.nick == sample.nick));

    // rate_type + role: the shop's rates of buyers.
    let (given, _) = gateway
        .read_all(gateway.list(RateType::Give, Role::Seller))
        .await;
    assert!(!given.is_empty());
    let seller = gateway.seller();
    assert!(
        given
            .iter()
            .all(|r| r.role == Role::Seller && r.nick.as_deref() == Some(seller.as_str()))
    );
    assert!(
        all.iter()
            .all(|r| r.rated_nick.as_deref() == Some(seller.as_str()))
    );
    assert!(keys(&given).is_disjoint(&keys(&all)));

    // start_date only: everything from it on; end_date only: everything up to it.
    let pivot = sample.created;
    let form = gateway.form(&[("start_date", Some(&taobao::format_time(pivot)))]);
    let from = gateway.post_form(form).await["data"]["total_results"]
        .as_u64()
        .unwrap();
    assert_eq!(
        from as usize,
        all.iter().filter(|r| r.created >= pivot).count()
    );
    let form = gateway.form(&[("end_date", Some(&taobao::format_time(pivot)))]);
    let until = gateway.post_form(form).await["data"]["total_results"]
        .as_u64()
        .unwrap();
    assert_eq!(
        until as usize,
        all.iter().filter(|r| r.created <= pivot).count()
    );
}

#[tokio::test]
async fn dates_are_china_standard_time_both_ways() {
    let gateway = Gateway::start(2, 300);
    let answer = gateway
        .post_form(gateway.form(&[("page_size", Some("5"))]))
        .await;
    let raw = &answer["data"]["trade_rates"]["trade_rate"][0];
    let (tid, created) = (
        raw["tid"].as_str().unwrap(),
        raw["created"].as_str().unwrap(),
    );
    // Read the wall-clock string independently: it is UTC+8.
    let civil = DateTime::strptime("%Y-%m-%d %H:%M:%S", created).unwrap();
    let instant =
        civil.to_zoned(TimeZone::UTC).unwrap().timestamp() - SignedDuration::from_hours(8);
    let rate = gateway
        .search(&SearchTradeRates {
            tid: Some(tid.parse().unwrap()),
            ..gateway.list(RateType::Get, Role::Buyer)
        })
        .await
        .rates
        .into_iter()
        .find(|r| r.oid.0.to_string() == raw["oid"].as_str().unwrap())
        .unwrap();
    assert_eq!(rate.created, instant);
    assert_eq!(rate.created.subsec_nanosecond(), 0);

    // Windows are inclusive seconds in the same zone.
    let one_second = SignedDuration::from_secs(1);
    let around = |start: Timestamp, end: Timestamp| SearchTradeRates {
        tid: Some(rate.oid.0),
        ..gateway.list(RateType::Get, Role::Buyer).window(start, end)
    };
    assert_eq!(gateway.count(&around(instant, instant)).await, 1);
    assert_eq!(
        gateway
            .count(&around(instant + one_second, instant + one_second * 60))
            .await,
        0
    );
    assert_eq!(
        gateway
            .count(&around(instant - one_second * 60, instant - one_second))
            .await,
        0
    );
    // Sent by hand as CST wall-clock text, the same second matches.
    let form = gateway.form(&[
        ("start_date", Some(created)),
        ("end_date", Some(created)),
        ("tid", Some(&rate.oid.0.to_string())),
    ]);
    assert_eq!(gateway.post_form(form).await["data"]["total_results"], 1);
}

#[tokio::test]
async fn only_the_last_180_days_are_served() {
    let gateway = Gateway::start(4, 800);
    let list = gateway.list(RateType::Get, Role::Buyer);
    let (all, _) = gateway.read_all(list.clone()).await;
    let total = all.len() as u64;
    // A start a year back is clamped, not refused.
    let year_ago = taobao::format_time(Timestamp::now() - SignedDuration::from_hours(24 * 365));
    let answer = gateway
        .post_form(gateway.form(&[("start_date", Some(&year_ago))]))
        .await;
    assert_eq!(answer["data"]["total_results"], total, "{answer}");

    // 100 days later, what is older than 180 days is gone.
    let later = SignedDuration::from_hours(24 * 100);
    gateway.sandbox.advance_clock(later);
    let now = Timestamp::now() + later;
    let kept = all.iter().filter(|r| r.created >= oldest(now)).count();
    assert!(kept < all.len() && kept > 0);
    let (visible, _) = gateway.read_all_at(list, now).await;
    assert_eq!(visible.len(), kept);
    let form = gateway.form(&[
        ("timestamp", Some(&now.as_second().to_string())),
        ("start_date", Some(&year_ago)),
    ]);
    assert_eq!(gateway.post_form(form).await["data"]["total_results"], kept);
}

#[tokio::test]
async fn answers_have_the_shape_of_the_fixtures() {
    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../../fixtures/taobao/trade_rates/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["response"]["body"].clone()
    }
    fn key_set(value: &Value) -> Vec<String> {
        value
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }
    let gateway = Gateway::start(6, 500);

    let expected = fixture("bad_and_neutral");
    let answer = gateway
        .post_form(gateway.form(&[("page_size", Some("150"))]))
        .await;
    assert_eq!(key_set(&answer), key_set(&expected));
    assert_eq!(key_set(&answer["data"]), key_set(&expected["data"]));
    assert_eq!(answer["message"], "ok");
    let fixture_rate = &expected["data"]["trade_rates"]["trade_rate"][0];
    let rates = answer["data"]["trade_rates"]["trade_rate"]
        .as_array()
        .unwrap();
    for rate in rates {
        assert_eq!(key_set(rate), key_set(fixture_rate), "{rate}");
        // Ids are strings of 19 digits, prices yuan with two places.
        for id in ["tid", "oid"] {
            let text = rate[id].as_str().unwrap();
            assert!(text.len() == 19 && text.bytes().all(|b| b.is_ascii_digit()));
        }
        let price = rate["item_price"].as_str().unwrap();
        assert_eq!(price.split_once('.').unwrap().1.len(), 2, "{price}");
        assert!(rate["num_iid"].is_u64() && rate["valid_score"].is_boolean());
    }
    let nicks: BTreeMap<bool, usize> = rates.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r["nick"].as_str().unwrap().contains("**"))
            .or_default() += 1;
        m
    });
    assert_eq!(nicks.get(&false), None, "every buyer nick is masked");

    let expected = fixture("has_next_page");
    let answer = gateway
        .post_form(gateway.form(&[("use_has_next", Some("true"))]))
        .await;
    assert_eq!(key_set(&answer["data"]), key_set(&expected["data"]));

    let expected = fixture("error_code");
    let answer = gateway
        .post_form(gateway.form_with_secret(&[], &Secret::new("x")))
        .await;
    assert_eq!(key_set(&answer), key_set(&expected));
    assert_eq!(answer["data"], expected["data"]);
}
