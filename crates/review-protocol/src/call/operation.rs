//! What the machine needs of the call it runs, whatever the platform.

use http::{Request, Response};
use jiff::Timestamp;

use crate::Error;
use crate::wechat::token_cache::TokenLease;

/// An endpoint together with what it needs to build each attempt's request.
///
/// [`WechatCall`](super::WechatCall) and [`Fw199Call`](super::Fw199Call) cover the two
/// platforms; implement it for a call that builds its requests another way.
pub trait Call {
    /// The typed answer.
    type Output;

    /// The endpoint's name, for errors and logs.
    fn name(&self) -> &'static str;

    /// Whether each attempt needs an access token from the machine's
    /// [`TokenStore`](super::TokenStore).
    fn needs_token(&self) -> bool;

    /// Whether it may be sent again after an ambiguous failure
    /// ([`Endpoint::idempotent`](crate::Endpoint::idempotent)).
    fn idempotent(&self) -> bool;

    /// The request of one attempt, made at `now` with `lease` (given exactly when
    /// [`needs_token`](Self::needs_token) says so).
    fn build(&self, lease: Option<&TokenLease>, now: Timestamp) -> Result<Request<Vec<u8>>, Error>;

    /// Parses the platform's answer to an attempt.
    fn parse(&self, response: Response<&[u8]>) -> Result<Self::Output, Error>;
}
