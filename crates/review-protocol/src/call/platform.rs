//! The two kinds of call: WeChat's, authenticated by a token; fw199's, signed per attempt.

use http::{Request, Response};
use jiff::Timestamp;

use super::Call;
use crate::taobao::Fw199Context;
use crate::wechat::WechatContext;
use crate::wechat::token_cache::TokenLease;
use crate::{BaseUrl, BuildError, Endpoint, Error};

/// A WeChat call: each attempt carries the token leased for it.
#[derive(Debug)]
pub struct WechatCall<'a, E> {
    endpoint: &'a E,
    base: &'a BaseUrl,
}

impl<'a, E> WechatCall<'a, E> {
    /// `endpoint` at `base`.
    pub fn new(endpoint: &'a E, base: &'a BaseUrl) -> Self {
        Self { endpoint, base }
    }
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

/// An fw199 call, signed at the moment of each attempt (the gateway checks the timestamp).
#[derive(Debug)]
pub struct Fw199Call<'a, E> {
    endpoint: &'a E,
    context: &'a Fw199Context,
}

impl<'a, E> Fw199Call<'a, E> {
    /// `endpoint`, signed with `context`'s credentials.
    pub fn new(endpoint: &'a E, context: &'a Fw199Context) -> Self {
        Self { endpoint, context }
    }
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
