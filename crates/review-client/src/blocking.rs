//! The blocking driver: `review_protocol::call`'s machine, sending on the caller's thread.

use event_listener::Listener;
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
use crate::transport::BlockingTransport;

/// A client for scripts, CLIs and batch jobs: every call blocks the calling thread.
///
/// ```no_run
/// use review_client::{BlockingClient, ClientConfig};
/// use review_model::{AppId, Secret, Timestamp};
/// use review_protocol::wechat::GetCommentList;
///
/// # fn transport() -> impl review_client::BlockingTransport {
/// #     |_: http::Request<Vec<u8>>, _| Err(review_client::TransportError::new(review_client::TransportErrorKind::Connect, "offline"))
/// # }
/// let config = ClientConfig::new().wechat("http://127.0.0.1:8080".parse()?, AppId::new("wx1"), Secret::new("s"));
/// let client = BlockingClient::new(transport(), config);
/// let now = Timestamp::now();
/// for comment in client.comments(GetCommentList::new(now - jiff::SignedDuration::from_hours(24 * 30), now))? {
///     let comment = comment?;
///     println!("{} {}★ {}", comment.comment_id, comment.score, comment.content.text);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BlockingClient<T> {
    transport: T,
    config: ClientConfig,
}

impl<T: BlockingTransport> BlockingClient<T> {
    /// A client sending through `transport`.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Self { transport, config }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn run<C: Call>(&self, machine: Machine<'_, C>) -> Result<C::Output, ClientError> {
        let (mut run, mut action) = Run::start(machine, self.config.token_refreshed());
        loop {
            action = match action {
                Action::Send(request) => {
                    run.answered(self.transport.send(request, self.config.timeout))
                }
                Action::Sleep(wait) => {
                    self.transport.sleep(wait);
                    run.woke()
                }
                Action::AwaitToken(wait, listener) => {
                    let _ = listener.wait_timeout(wait);
                    run.woke()
                }
                Action::Store(op) => run.stored(self.config.store_blocking(op)),
                Action::Done(result) => return result,
            };
        }
    }

    /// Runs any WeChat endpoint with a token, retries and refreshes.
    pub fn wechat<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.wechat_with(endpoint, Throttles::Retry)
    }

    pub(crate) fn wechat_with<E: Endpoint<Context = WechatContext>>(
        &self,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::wechat(&self.config, endpoint, throttles)?)
    }

    /// Runs any fw199 endpoint, signed at each attempt, with retries.
    pub fn fw199<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, ClientError> {
        self.fw199_with(endpoint, Throttles::Retry)
    }

    pub(crate) fn fw199_with<E: Endpoint<Context = Fw199Context>>(
        &self,
        endpoint: &E,
        throttles: Throttles,
    ) -> Result<E::Output, ClientError> {
        self.run(drive::fw199(&self.config, endpoint, throttles)?)
    }

    endpoint_methods!(;);

    pager_methods!("an iterator");
}
