//! [`BlockingTransport`] over a caller's `ureq::Agent` (ureq 3), for scripts, CLIs and batch
//! jobs.
//!
//! 4xx and 5xx answers are handed to the protocol as responses (WeChat and gateways put their
//! reasons in the body), redirects are not followed (an API never redirects; following one
//! could leak a token to another host), and each request gets the client's timeout. HTTPS for
//! the real platforms needs the `rustls` feature; the sandbox speaks plain HTTP.
//!
//! ```no_run
//! use review_client::ClientConfig;
//! use review_model::{AppId, CommentId, Secret};
//!
//! let config = ClientConfig::new()
//!     .wechat("https://api.weixin.qq.com".parse()?, AppId::new("wx1234567890abcdef"), Secret::new("..."));
//! let client = review_ureq::client(config);
//! let detail = client.comment_detail(CommentId::new("2797755680173111111"))?;
//! println!("{} stars", detail.info.content.score);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use review_client::{
    BlockingClient, BlockingTransport, ClientConfig, HttpResult, TransportError, TransportErrorKind,
};
use ureq::Agent;

/// Sends through a `ureq::Agent`.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
}

impl UreqTransport {
    /// Sends through `agent` (its connection pool, proxy and TLS settings are kept; status
    /// handling, redirects and the timeout are set per request).
    pub fn new(agent: Agent) -> Self {
        Self { agent }
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new(Agent::new_with_defaults())
    }
}

fn classify(err: &ureq::Error) -> TransportErrorKind {
    match err {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportErrorKind::Connect
        }
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    }
}

impl BlockingTransport for UreqTransport {
    fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        let request = self
            .agent
            .configure_request(request)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .build();
        let response = self
            .agent
            .run(request)
            .map_err(|err| TransportError::new(classify(&err), &err))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|err| {
                let kind = match classify(&err) {
                    TransportErrorKind::Connect => TransportErrorKind::Io,
                    other => other,
                };
                TransportError::new(kind, &err)
            })?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

/// The blocking client over ureq.
pub type Client = BlockingClient<UreqTransport>;

/// A blocking client over a default `ureq::Agent`.
pub fn client(config: ClientConfig) -> Client {
    BlockingClient::new(UreqTransport::default(), config)
}

/// The README's Rust snippets, compiled and run as doctests of this crate.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
