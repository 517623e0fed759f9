//! The endpoint abstraction: a typed operation that goes into an `http::Request` and comes out
//! of an `http::Response<&[u8]>`, with no I/O in between.

use crate::{BuildError, Error};

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
/// assert_eq!(request.uri().path(), "/wxaapi/comment/commentinfo/get");
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

    /// A stable name for logs and metrics (`wechat.comment_list`).
    fn name(&self) -> &'static str;

    /// Builds the request, refusing bad parameters before anything is built.
    fn request(&self, ctx: &Self::Context) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Parses the platform's answer.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Self::Output, Error>;

    /// Whether a driver may send it again after an ambiguous failure (a timeout, a reset
    /// connection): reads may, writes may not, because the first attempt may have executed.
    fn idempotent(&self) -> bool;
}
