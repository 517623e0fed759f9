//! Which driver method sends an endpoint, chosen by the endpoint's context: a token for
//! WeChat's, a signature for fw199's. It lets one pager type drive walks of either platform.

use std::future::Future;

use review_protocol::Endpoint;
use review_protocol::taobao::Fw199Context;
use review_protocol::wechat::WechatContext;

use crate::blocking::BlockingClient;
use crate::drive::Throttles;
use crate::error::ClientError;
use crate::nonblocking::AsyncClient;
use crate::transport::{AsyncTransport, BlockingTransport};

mod sealed {
    pub trait Sealed {}
    impl Sealed for review_protocol::wechat::WechatContext {}
    impl Sealed for review_protocol::taobao::Fw199Context {}
}

/// A platform the clients can send to: [`WechatContext`] or [`Fw199Context`]. Sealed.
pub trait Route: sealed::Sealed + Sized {
    /// Sends `endpoint` through the blocking client.
    #[doc(hidden)]
    fn blocking<T: BlockingTransport, E: Endpoint<Context = Self>>(
        client: &BlockingClient<T>,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError>;

    /// Sends `endpoint` through the async client.
    #[doc(hidden)]
    fn nonblocking<'a, T: AsyncTransport, E: Endpoint<Context = Self> + Sync>(
        client: &'a AsyncClient<T>,
        endpoint: &'a E,
        throttles: Throttles,
    ) -> impl Future<Output = Result<E::Output, ClientError>> + Send + 'a
    where
        E::Output: Send;
}

impl Route for WechatContext {
    fn blocking<T: BlockingTransport, E: Endpoint<Context = Self>>(
        client: &BlockingClient<T>,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        client.wechat_with(endpoint, throttles)
    }

    fn nonblocking<'a, T: AsyncTransport, E: Endpoint<Context = Self> + Sync>(
        client: &'a AsyncClient<T>,
        endpoint: &'a E,
        throttles: Throttles,
    ) -> impl Future<Output = Result<E::Output, ClientError>> + Send + 'a
    where
        E::Output: Send,
    {
        client.wechat_with(endpoint, throttles)
    }
}

impl Route for Fw199Context {
    fn blocking<T: BlockingTransport, E: Endpoint<Context = Self>>(
        client: &BlockingClient<T>,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        client.fw199_with(endpoint, throttles)
    }

    fn nonblocking<'a, T: AsyncTransport, E: Endpoint<Context = Self> + Sync>(
        client: &'a AsyncClient<T>,
        endpoint: &'a E,
        throttles: Throttles,
    ) -> impl Future<Output = Result<E::Output, ClientError>> + Send + 'a
    where
        E::Output: Send,
    {
        client.fw199_with(endpoint, throttles)
    }
}
