//! A fleet of tenants over real loopback HTTP: each tenant's credentials reach its own data
//! only, tenants differ, tenant 0 is the single-tenant sandbox unchanged, and
//! `GET /sandbox/tenants` lists them all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;

use common::{admin, base_url, call, http_client};
use http::Method;
use jiff::{SignedDuration, Timestamp};
use review_model::wechat::FilterType;
use review_model::{AccessToken, Secret};
use review_protocol::taobao::{Fw199Context, SearchTradeRates};
use review_protocol::wechat::{
    AddReply, GetCommentDetail, GetCommentList, GetToken, WechatContext,
};
use review_sandbox::{MAX_TENANTS, Sandbox, SandboxBuilder, SandboxError, TenantCredentials};

fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(61).comments(25).rates(40)
}

fn list() -> GetCommentList {
    let now = Timestamp::now();
    GetCommentList::new(
        now - SignedDuration::from_hours(24 * 180),
        now + SignedDuration::from_hours(24),
    )
    .limit(100)
}

async fn token(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    tenant: &TenantCredentials,
) -> AccessToken {
    let endpoint = GetToken::new(tenant.wechat.appid.clone(), tenant.wechat.secret.clone());
    call(client, &endpoint, &base_url(sandbox))
        .await
        .unwrap()
        .access_token
}

/// Every comment id tenant `tenant` reads with its own token, newest first.
async fn comment_ids(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    tenant: &TenantCredentials,
) -> Vec<String> {
    let ctx = WechatContext::new(base_url(sandbox), token(client, sandbox, tenant).await);
    let page = call(client, &list(), &ctx).await.unwrap();
    page.comments
        .iter()
        .map(|c| c.comment_id.as_str().to_owned())
        .collect()
}

/// Every rate id (`oid`) of the search signed as `signer` for the seller of `seller`.
async fn rate_ids(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    signer: &TenantCredentials,
    seller: &TenantCredentials,
) -> Result<Vec<u64>, String> {
    let ctx = Fw199Context::new(
        base_url(sandbox),
        signer.taobao.gateway.clone(),
        Timestamp::now(),
    );
    let search = SearchTradeRates::received(seller.taobao.seller_nick.clone()).page(1, 150);
    match call(client, &search, &ctx).await {
        common::Outcome::Done(page) => Ok(page.rates.iter().map(|r| r.oid.0).collect()),
        other => Err(other.label()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_tenant_reads_its_own_data_and_tenant_0_is_unchanged() {
    let fleet = builder().tenants(3).start("127.0.0.1:0").unwrap();
    let single = builder().start("127.0.0.1:0").unwrap();
    let client = http_client(None);
    let tenants = fleet.tenants().to_vec();
    assert_eq!(tenants.len(), 3);
    assert_eq!(single.tenants().len(), 1);
    for (index, tenant) in tenants.iter().enumerate() {
        assert_eq!(tenant.index, index);
    }

    // Tenant 0 is the single-tenant sandbox of the same seed: credentials and data.
    assert_eq!(tenants[0], single.tenants()[0]);
    assert_eq!(fleet.wechat(), &tenants[0].wechat);
    assert_eq!(fleet.taobao(), &tenants[0].taobao);
    let first = comment_ids(&client, &fleet, &tenants[0]).await;
    assert_eq!(first.len(), 25);
    assert_eq!(
        first,
        comment_ids(&client, &single, &single.tenants()[0]).await
    );
    let first_rates = rate_ids(&client, &fleet, &tenants[0], &tenants[0])
        .await
        .unwrap();
    // The buyers' rates of the shop: most of its 40.
    assert!(first_rates.len() >= 25, "{}", first_rates.len());
    assert_eq!(
        first_rates,
        rate_ids(&client, &single, &single.tenants()[0], &single.tenants()[0])
            .await
            .unwrap()
    );

    // The others: as many, none shared.
    let mut seen: HashSet<String> = first.iter().cloned().collect();
    let mut seen_rates: HashSet<u64> = first_rates.iter().copied().collect();
    for tenant in &tenants[1..] {
        let ids = comment_ids(&client, &fleet, tenant).await;
        assert_eq!(ids.len(), 25);
        assert!(
            ids.iter().all(|id| seen.insert(id.clone())),
            "tenant {} shares comments",
            tenant.index
        );
        let rates = rate_ids(&client, &fleet, tenant, tenant).await.unwrap();
        assert!(rates.len() >= 25, "{}", rates.len());
        assert!(
            rates.iter().all(|id| seen_rates.insert(*id)),
            "tenant {} shares rates",
            tenant.index
        );
    }

    // A tenant's token does not reach another's comment; its write lands in its own data.
    let ctx = WechatContext::new(base_url(&fleet), token(&client, &fleet, &tenants[1]).await);
    let theirs = GetCommentDetail::new(first[0].as_str().into());
    assert_eq!(call(&client, &theirs, &ctx).await.label(), "errcode -10403");
    let awaiting = call(&client, &list().filter(FilterType::AwaitingReply), &ctx)
        .await
        .unwrap();
    let unreplied = awaiting.comments[0].comment_id.clone();
    let before = awaiting.total.unwrap();
    call(&client, &AddReply::new(unreplied.clone(), "谢谢支持"), &ctx)
        .await
        .unwrap();
    let writes = fleet.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].tenant, 1);
    let over_http = admin(&client, &fleet, Method::GET, "/sandbox/writes").await;
    assert_eq!(over_http[0]["tenant"], 1);
    let after = call(&client, &list().filter(FilterType::AwaitingReply), &ctx)
        .await
        .unwrap();
    assert_eq!(after.total, Some(before - 1));
    // Tenant 0's data did not change.
    assert_eq!(first, comment_ids(&client, &fleet, &tenants[0]).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_of_one_tenant_do_not_open_another() {
    let fleet = builder().tenants(2).start("127.0.0.1:0").unwrap();
    let client = http_client(None);
    let tenants = fleet.tenants().to_vec();
    let base = base_url(&fleet);

    // Tenant 1's appid with tenant 0's secret: the secret is wrong for that appid.
    let mixed = GetToken::new(
        tenants[1].wechat.appid.clone(),
        tenants[0].wechat.secret.clone(),
    );
    assert_eq!(call(&client, &mixed, &base).await.label(), "errcode 40125");
    let unknown = GetToken::new("wx0000000000000000".into(), Secret::new("x"));
    assert_eq!(
        call(&client, &unknown, &base).await.label(),
        "errcode 40013"
    );

    // Tenant 1's gateway credentials for tenant 0's seller: not authorised.
    let refused = rate_ids(&client, &fleet, &tenants[1], &tenants[0])
        .await
        .unwrap_err();
    assert!(refused.contains("10005"), "{refused}");
    // Tenant 1's appid signed with tenant 0's secret: a bad signature.
    let mut forged = tenants[1].clone();
    forged.taobao.gateway = review_protocol::taobao::Fw199Credentials::new(
        tenants[1].taobao.gateway.appid.clone(),
        tenants[0].taobao.gateway.secret.clone(),
    );
    let refused = rate_ids(&client, &fleet, &forged, &tenants[1])
        .await
        .unwrap_err();
    assert!(refused.contains("10001"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tenants_route_lists_every_tenant_with_distinct_credentials() {
    let fleet = Sandbox::builder()
        .seed(5)
        .comments(2)
        .rates(2)
        .tenants(40)
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    let listed = admin(&client, &fleet, Method::GET, "/sandbox/tenants").await;
    let listed = listed["tenants"].as_array().unwrap();
    assert_eq!(listed.len(), 40);
    for (index, (entry, tenant)) in listed.iter().zip(fleet.tenants()).enumerate() {
        assert_eq!(entry["index"], index);
        assert_eq!(entry["wechat"]["appid"], tenant.wechat.appid.as_str());
        assert_eq!(
            entry["wechat"]["secret"],
            tenant.wechat.secret.expose_secret()
        );
        assert_eq!(entry["fw199"]["appid"], tenant.taobao.gateway.appid);
        assert_eq!(
            entry["fw199"]["secret"],
            tenant.taobao.gateway.secret.expose_secret()
        );
        assert_eq!(entry["fw199"]["seller_nick"], tenant.taobao.seller_nick);
    }
    for key in [
        ["wechat", "appid"],
        ["wechat", "secret"],
        ["fw199", "appid"],
        ["fw199", "secret"],
        ["fw199", "seller_nick"],
    ] {
        let distinct: HashSet<&str> = listed
            .iter()
            .map(|e| e[key[0]][key[1]].as_str().unwrap())
            .collect();
        assert_eq!(distinct.len(), 40, "{key:?}");
    }
    // The readiness line names tenant 0 and counts them all.
    let line: serde_json::Value = serde_json::from_str(&fleet.readiness_line()).unwrap();
    assert_eq!(line["tenants"], 40);
    assert_eq!(line["wechat"], listed[0]["wechat"]);
    assert_eq!(line["fw199"], listed[0]["fw199"]);
    // The same seed gives the same tenants.
    let again = Sandbox::builder()
        .seed(5)
        .comments(2)
        .rates(2)
        .tenants(40)
        .start("127.0.0.1:0")
        .unwrap();
    assert_eq!(again.tenants(), fleet.tenants());
}

#[test]
fn tenant_counts_and_totals_outside_their_ranges_are_refused() {
    let refused = |builder: SandboxBuilder| match builder.start("127.0.0.1:0") {
        Err(err @ SandboxError::OutOfRange { .. }) => err.to_string(),
        other => panic!("expected OutOfRange, got {other:?}"),
    };
    assert_eq!(
        refused(builder().tenants(0)),
        "the sandbox option `tenants` must be within 1..=10000, not 0"
    );
    refused(builder().tenants(MAX_TENANTS + 1));
    assert_eq!(
        refused(Sandbox::builder().tenants(MAX_TENANTS)),
        "the sandbox option `tenants × comments` must be within 0..=500000, not 2400000"
    );
    assert_eq!(
        refused(Sandbox::builder().tenants(500).comments(10)),
        "the sandbox option `tenants × rates` must be within 0..=1000000, not 1200000"
    );
}
