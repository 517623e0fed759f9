//! The endpoint abstraction: a typed operation that goes into an `http::Request` and comes out
//! of an `http::Response<&[u8]>`, with no I/O in between.

use crate::{BuildError, Error};

/// How a request proves who sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Access {
    /// Sends the app's own credentials to obtain a token (`/cgi-bin/token`, stable token).
    Credentials,
    /// Carries an access token (`access_token=` in the query).
    AccessToken,
    /// Carries a signature over its parameters (the fw199 gateway).
    Signature,
}

/// What an endpoint says of itself before any request is built, as ruma's `Metadata` does:
/// everything a router, an emulator or a policy needs without constructing the endpoint.
///
/// Each endpoint's method and path are written here once; the request builder, the sandbox's
/// routes and its fault classifier all read them from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    /// A stable name for logs and metrics: the platform, a dot, the operation (`wechat.comment_list`).
    /// The operation part is also the endpoint's module and its fixture folder.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path below the base URL, with its leading slash.
    pub path: &'static str,
    /// Whether a driver may send it again after an ambiguous failure (a timeout, a reset
    /// connection): reads may, writes may not, because the first attempt may have executed.
    pub idempotent: bool,
    /// How the request authenticates.
    pub access: Access,
}

/// The two methods the platforms use, as a `const`-friendly value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// As an `http::Method`.
    pub fn as_http(self) -> http::Method {
        match self {
            Self::Get => http::Method::GET,
            Self::Post => http::Method::POST,
        }
    }
}

impl Metadata {
    /// The operation's name without its platform (`comment_list`): its module and fixture folder.
    pub fn operation(&self) -> &'static str {
        self.name
            .split_once('.')
            .map_or(self.name, |(_, operation)| operation)
    }

    /// Whether `method` and `path` address this endpoint.
    pub fn matches(&self, method: &http::Method, path: &str) -> bool {
        self.path == path && self.method.as_http() == method
    }
}

/// Gives a request builder its body. Only a base URL that [`BaseUrl`](crate::BaseUrl) validated
/// reaches a builder, so a failure is reported as that URL's rather than panicking.
pub(crate) fn finish(
    builder: http::request::Builder,
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    builder
        .body(body)
        .map_err(|e| BuildError::new("base_url", e.to_string()))
}

/// One operation of a platform's API.
///
/// The caller owns the socket: it asks the endpoint for a request, sends it however it likes,
/// and hands the response back. Nothing here blocks, awaits, reads a clock or draws random
/// numbers, so the same endpoint serves a tokio service, a blocking script and an emulator.
///
/// ```
/// use review_protocol::{BaseUrl, Endpoint};
/// use review_protocol::wechat::{GetCommentDetail, WechatContext};
/// use review_model::{AccessToken, CommentId};
///
/// let ctx = WechatContext::new(BaseUrl::wechat(), AccessToken::new("t0ken"));
/// let endpoint = GetCommentDetail::new(CommentId::new("2797755680173111111"));
/// let request = endpoint.request(&ctx)?;
/// assert_eq!(request.uri().path(), GetCommentDetail::METADATA.path);
///
/// let response = http::Response::new(&br#"{"errcode":40001,"errmsg":"invalid credential"}"#[..]);
/// let err = endpoint.parse(response).unwrap_err();
/// assert!(err.is_token_error());
/// # Ok::<(), review_protocol::BuildError>(())
/// ```
pub trait Endpoint {
    /// What the request needs besides the endpoint's own parameters (base URL, token, signer).
    type Context: ?Sized;
    /// The typed answer.
    type Output;

    /// Method, path, name and retry safety.
    const METADATA: Metadata;

    /// A stable name for logs and metrics (`wechat.comment_list`).
    fn name(&self) -> &'static str {
        Self::METADATA.name
    }

    /// Builds the request, refusing bad parameters before anything is built.
    fn request(&self, ctx: &Self::Context) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Parses the platform's answer.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Self::Output, Error>;

    /// Whether this request may be sent again after an ambiguous failure: the metadata's answer
    /// unless the parameters change it (a forced stable-token refresh is not repeated).
    fn idempotent(&self) -> bool {
        Self::METADATA.idempotent
    }
}
