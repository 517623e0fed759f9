//! A small client for the tests: sends the protocol's requests with reqwest and classifies what
//! came back the way a careful client has to.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use bytes::Bytes;
use review_model::AccessToken;
use review_protocol::wechat::{GetToken, WechatContext};
use review_protocol::{BaseUrl, Endpoint, Error};
use review_sandbox::Sandbox;

/// A raw answer: status, headers and the whole body.
#[derive(Debug)]
pub struct Raw {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// What a call came to.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The platform answered and the answer parsed.
    Done(T),
    /// An answer came, and it was a refusal or a non-2xx status.
    Failed(Error),
    /// No (whole) answer: a timeout, a dropped connection.
    Lost(String),
}

impl<T> Outcome<T> {
    /// A short label of the outcome, to compare runs.
    pub fn label(&self) -> String {
        match self {
            Self::Done(_) => "ok".to_owned(),
            Self::Failed(err) => match (err.wechat_code(), err) {
                (Some(code), _) => format!("errcode {}", code.code()),
                (None, Error::Http(http)) => format!("http {}", http.status().as_u16()),
                (None, other) => format!("error {other}"),
            },
            Self::Lost(why) => format!("lost ({why})"),
        }
    }

    pub fn unwrap(self) -> T {
        match self {
            Self::Done(value) => value,
            Self::Failed(err) => panic!("the call failed: {err}"),
            Self::Lost(why) => panic!("the answer was lost: {why}"),
        }
    }
}

/// A reqwest client without proxies, with an optional timeout.
pub fn http_client(timeout: Option<Duration>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().unwrap()
}

/// Sends `request`; the whole answer, or why there is none.
pub async fn send(
    client: &reqwest::Client,
    request: http::Request<Vec<u8>>,
) -> Result<Raw, String> {
    let request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
    let response = client.execute(request).await.map_err(|e| describe(&e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| describe(&e))?;
    Ok(Raw {
        status,
        headers,
        body,
    })
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timeout".to_owned()
    } else if err.is_body() || err.is_decode() {
        "body cut".to_owned()
    } else {
        "connection".to_owned()
    }
}

/// Runs `endpoint` once.
pub async fn call<E: Endpoint>(
    client: &reqwest::Client,
    endpoint: &E,
    ctx: &E::Context,
) -> Outcome<E::Output> {
    let request = endpoint.request(ctx).expect("a valid request");
    match send(client, request).await {
        Ok(raw) => {
            let response = http::Response::builder()
                .status(raw.status)
                .body(&raw.body[..])
                .unwrap();
            match endpoint.parse(response) {
                Ok(value) => Outcome::Done(value),
                Err(err) => Outcome::Failed(err),
            }
        }
        Err(why) => Outcome::Lost(why),
    }
}

/// The sandbox's base URL as the protocol takes it.
pub fn base_url(sandbox: &Sandbox) -> BaseUrl {
    sandbox.base_url().parse().unwrap()
}

/// A fresh plain access token (the token endpoint is never faulted).
pub async fn token(client: &reqwest::Client, sandbox: &Sandbox) -> AccessToken {
    let endpoint = GetToken::new(
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
    );
    call(client, &endpoint, &base_url(sandbox))
        .await
        .unwrap()
        .access_token
}

/// A context with a fresh token.
pub async fn context(client: &reqwest::Client, sandbox: &Sandbox) -> WechatContext {
    WechatContext::new(base_url(sandbox), token(client, sandbox).await)
}

/// `GET /sandbox/...` or `POST /sandbox/...` as JSON.
pub async fn admin(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    method: http::Method,
    path: &str,
) -> serde_json::Value {
    let response = client
        .request(method, format!("{}{path}", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}
