//! What distinguishes one kind of call from another: how its request gets its context.

use http::{Request, Response};
use jiff::Timestamp;
use review_protocol::fw199::Fw199Context;
use review_protocol::token::TokenLease;
use review_protocol::wechat::WechatContext;
use review_protocol::{BaseUrl, BuildError, Endpoint, Error};

/// An endpoint with what it needs to build its request.
pub(crate) trait Call {
    type Output;
    fn name(&self) -> &'static str;
    fn needs_token(&self) -> bool;
    fn idempotent(&self) -> bool;
    fn build(&self, lease: Option<&TokenLease>, now: Timestamp) -> Result<Request<Vec<u8>>, Error>;
    fn parse(&self, response: Response<&[u8]>) -> Result<Self::Output, Error>;
}

/// A WeChat call authenticated by an access token.
pub(crate) struct WechatCall<'a, E> {
    pub(crate) endpoint: &'a E,
    pub(crate) base: &'a BaseUrl,
}

impl<E: Endpoint<Context = WechatContext>> Call for WechatCall<'_, E> {
    type Output = E::Output;

    fn name(&self) -> &'static str {
        self.endpoint.name()
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn idempotent(&self) -> bool {
        self.endpoint.idempotent()
    }

    fn build(
        &self,
        lease: Option<&TokenLease>,
        _now: Timestamp,
    ) -> Result<Request<Vec<u8>>, Error> {
        let lease =
            lease.ok_or_else(|| BuildError::new("access_token", "no token was obtained"))?;
        Ok(self.endpoint.request(&lease.context(self.base.clone()))?)
    }

    fn parse(&self, response: Response<&[u8]>) -> Result<E::Output, Error> {
        self.endpoint.parse(response)
    }
}

/// An fw199 call, signed at the moment of each attempt.
pub(crate) struct Fw199Call<'a, E> {
    pub(crate) endpoint: &'a E,
    pub(crate) context: &'a Fw199Context,
}

impl<E: Endpoint<Context = Fw199Context>> Call for Fw199Call<'_, E> {
    type Output = E::Output;

    fn name(&self) -> &'static str {
        self.endpoint.name()
    }

    fn needs_token(&self) -> bool {
        false
    }

    fn idempotent(&self) -> bool {
        self.endpoint.idempotent()
    }

    fn build(
        &self,
        _lease: Option<&TokenLease>,
        now: Timestamp,
    ) -> Result<Request<Vec<u8>>, Error> {
        Ok(self.endpoint.request(&self.context.at(now))?)
    }

    fn parse(&self, response: Response<&[u8]>) -> Result<E::Output, Error> {
        self.endpoint.parse(response)
    }
}
