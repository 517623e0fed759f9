//! [`AsyncTransport`] over a caller's `reqwest::Client` (reqwest 0.13, tokio).
//!
//! No reqwest feature is forced on the user: HTTPS for the real platforms needs the `rustls` or
//! `native-tls` feature of this crate; the sandbox speaks plain HTTP. The ready-made
//! [`client`] turns redirects off (an API never redirects; following one could carry a token to
//! another host); a client you build yourself should do the same. 4xx and 5xx answers are
//! handed to the protocol as responses.
//!
//! ```no_run
//! use review_client::ClientConfig;
//! use review_model::{AppId, Secret, Timestamp};
//! use review_protocol::wechat::GetCommentList;
//! use futures_util::TryStreamExt;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::new()
//!     .wechat("https://api.weixin.qq.com".parse()?, AppId::new("wx1234567890abcdef"), Secret::new("..."));
//! let client = review_reqwest::client(config)?;
//! let now = Timestamp::now();
//! let comments: Vec<_> = client
//!     .comments(GetCommentList::new(now - jiff::SignedDuration::from_hours(24), now))?
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use review_client::{
    AsyncClient, AsyncTransport, ClientConfig, HttpResult, TransportError, TransportErrorKind,
};

/// Sends through a `reqwest::Client`.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// Sends through `client`.
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }
}

fn classify(err: &reqwest::Error) -> TransportErrorKind {
    if err.is_connect() || err.is_builder() {
        TransportErrorKind::Connect
    } else if err.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Io
    }
}

#[async_trait::async_trait]
impl AsyncTransport for ReqwestTransport {
    async fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        let mut request = reqwest::Request::try_from(request)
            .map_err(|err| TransportError::new(TransportErrorKind::Connect, err.without_url()))?;
        *request.timeout_mut() = Some(timeout);
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|err| TransportError::new(classify(&err), err.without_url()))?;
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|err| {
            let kind = match classify(&err) {
                TransportErrorKind::Timeout => TransportErrorKind::Timeout,
                _ => TransportErrorKind::Io,
            };
            TransportError::new(kind, err.without_url())
        })?;
        let mut answer = http::Response::new(body.to_vec());
        *answer.status_mut() = status;
        *answer.version_mut() = version;
        *answer.headers_mut() = headers;
        Ok(answer)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The async client over reqwest.
pub type Client = AsyncClient<ReqwestTransport>;

/// An async client over a new `reqwest::Client` with redirects off.
pub fn client(config: ClientConfig) -> Result<Client, reqwest::Error> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    Ok(AsyncClient::new(ReqwestTransport::new(http), config))
}
