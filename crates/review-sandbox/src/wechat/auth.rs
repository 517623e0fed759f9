//! The two token endpoints: `GET /cgi-bin/token` and `POST /cgi-bin/stable_token`.
//!
//! A call is for the tenant of its `appid` (tenant 0 for an unknown one, which refuses it).
//! Credentials are checked against that tenant's: a `grant_type` other than
//! `client_credential` is 40002, a missing appid 41002, a wrong one 40013, a missing secret
//! 41004, a wrong one 40125. The lifecycle is in [`tokens`](super::tokens), the quotas (checked
//! after the credentials) in [`quota`](super::quota).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use review_model::AccessToken;
use review_model::wechat::{AccessTokenResponse, CLIENT_CREDENTIAL, ErrCode, StableTokenRequest};
use serde_json::Value;

use super::answer::{self, Refusal, Style};
use super::fleet::Fleet;
use super::platform::Platform;
use super::request::{self, Params};
use super::tokens::Grant;
use crate::stats::tag;

/// Checks the three credentials of both endpoints.
fn credentials(
    platform: &Platform,
    grant_type: Option<&str>,
    appid: Option<&str>,
    secret: Option<&str>,
) -> Result<(), Refusal> {
    if grant_type != Some(CLIENT_CREDENTIAL) {
        return Err(Refusal::new(
            ErrCode::InvalidGrantType,
            "invalid grant_type",
        ));
    }
    let expected = &platform.credentials;
    match appid {
        None | Some("") => return Err(Refusal::new(ErrCode::from(41002), "appid missing")),
        Some(appid) if appid != expected.appid.as_str() => {
            return Err(Refusal::new(ErrCode::InvalidAppId, "invalid appid"));
        }
        Some(_) => {}
    }
    match secret {
        None | Some("") => Err(Refusal::new(ErrCode::from(41004), "appsecret missing")),
        Some(secret) if secret != expected.secret.expose_secret() => {
            Err(Refusal::new(ErrCode::InvalidAppSecret, "invalid appsecret"))
        }
        Some(_) => Ok(()),
    }
}

/// The answer of a grant, marked for the stats when it minted a new token.
fn issued(grant: Grant) -> Response {
    let response = answer::json(&AccessTokenResponse {
        access_token: AccessToken::new(grant.token),
        expires_in: grant.expires_in,
    });
    if grant.minted {
        tag::minted(response)
    } else {
        response
    }
}

/// `wechat.token`: a new token every call, within the daily quota.
pub(super) async fn token(State(fleet): State<Arc<Fleet>>, RawQuery(raw): RawQuery) -> Response {
    answer::finish(plain(&fleet, raw.as_deref()), Style::Plain)
}

/// The refusal when the fleet has no tenant at all (never: it is built with one).
fn no_tenant() -> Refusal {
    Refusal::new(ErrCode::SystemBusy, "system error")
}

fn plain(fleet: &Fleet, query: Option<&str>) -> Result<Response, Refusal> {
    let params = Params::parse(query);
    let platform = fleet.by_appid(params.get("appid")).ok_or_else(no_tenant)?;
    credentials(
        platform,
        params.get("grant_type"),
        params.get("appid"),
        params.get("secret"),
    )?;
    let now = platform.clock.now();
    let grant = platform.state().tokens.issue_plain(now, platform.rules)?;
    fleet.issued(platform, &grant.token);
    Ok(issued(grant))
}

/// `wechat.stable_token`: the current stable token, or a new one.
pub(super) async fn stable_token(State(fleet): State<Arc<Fleet>>, body: Bytes) -> Response {
    answer::finish(stable(&fleet, &body), Style::Plain)
}

fn stable(fleet: &Fleet, body: &[u8]) -> Result<Response, Refusal> {
    let value = request::json(body).map_err(request::BodyError::cgi_refusal)?;
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    let platform = fleet.by_appid(field("appid")).ok_or_else(no_tenant)?;
    credentials(
        platform,
        field("grant_type"),
        field("appid"),
        field("secret"),
    )?;
    let asked: StableTokenRequest = review_model::from_value(value.clone())
        .map_err(|err| Refusal::new(ErrCode::BadPayload, format!("data format error: {err}")))?;
    let now = platform.clock.now();
    let grant = platform
        .state()
        .tokens
        .stable(now, platform.rules, asked.force_refresh)?;
    if grant.minted {
        fleet.issued(platform, &grant.token);
    }
    Ok(issued(grant))
}
