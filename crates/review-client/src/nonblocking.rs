//! The async driver: `review_protocol::call`'s machine, sending through an async transport.

use review_protocol::Endpoint;
use review_protocol::call::Call;
use review_protocol::taobao::Fw199Context;
use review_protocol::wechat::WechatContext;

use crate::config::ClientConfig;
use crate::drive::Throttles;
use crate::drive::{self, Machine};
use crate::error::ClientError;
use crate::methods::endpoint_methods;
use crate::pager::pager_methods;
use crate::run::{Action, Run};
use crate::transport::AsyncTransport;

/// A client for async services: the same methods and decisions as
/// [`BlockingClient`](crate::BlockingClient), awaiting instead of blocking; its pagers are
/// `futures::Stream`s.
pub struct AsyncClient<T> {
    transport: T,
    config: ClientConfig,
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// A client sending through `transport`.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Self { transport, config }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    async fn run<C: Call>(&self, machine: Machine<'_, C>) -> Result<C::Output, ClientError> {
        let (mut run, mut action) = Run::start(machine, self.config.token_refreshed());
        loop {
            action = match action {
                Action::Send(request) => {
                    run.answered(self.transport.send(request, self.config.timeout).await)
                }
                Action::Sleep(wait) => {
                    self.transport.sleep(wait).await;
                    run.woke()
                }
                Action::AwaitToken(wait, listener) => {
                    let sleep = std::pin::pin!(self.transport.sleep(wait));
                    let _ = futures_util::future::select(listener, sleep).await;
                    run.woke()
                }
                Action::Store(op) => run.stored(self.config.store_async(op).await),
                Action::Done(result) => return result,
            };
        }
    }

    /// Waits with the transport's timer.
    pub(crate) async fn sleep(&self, duration: std::time::Duration) {
        self.transport.sleep(duration).await;
    }

    /// Runs any WeChat endpoint with a token, retries and refreshes.
    pub async fn wechat<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.wechat_with(endpoint, Throttles::Retry).await
    }

    pub(crate) async fn wechat_with<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::wechat(&self.config, endpoint, throttles)?)
            .await
    }

    /// Runs any fw199 endpoint, signed at each attempt, with retries.
    pub async fn fw199<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.fw199_with(endpoint, Throttles::Retry).await
    }

    pub(crate) async fn fw199_with<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::fw199(&self.config, endpoint, throttles)?)
            .await
    }

    endpoint_methods!(async; .await);

    pager_methods!("a stream");
}
