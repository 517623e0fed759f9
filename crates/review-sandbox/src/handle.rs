//! The running sandbox.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use jiff::SignedDuration;
use tokio::sync::oneshot;

use crate::builder::{SandboxBuilder, SandboxError};
use crate::credentials::{Fw199SandboxCredentials, WechatCredentials};
use crate::push::PushRecord;
use crate::shared::{Shared, lock};
use crate::writes::WriteRecord;
use crate::{push, router};

/// A running sandbox. Dropping it stops the server (within the shutdown grace).
pub struct Sandbox {
    base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A builder with the defaults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    pub(crate) fn serve(
        shared: Arc<Shared>,
        listener: TcpListener,
        local: SocketAddr,
    ) -> Result<Self, SandboxError> {
        let (shutdown, stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("review-sandbox")
            .enable_all()
            .build()
            .map_err(SandboxError::Start)?;
        let app = router::router(Arc::clone(&shared));
        let limits = shared.config.limits;
        let background = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("review-sandbox".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(err) => {
                            tracing::error!(%err, "the sandbox cannot serve its socket");
                            return;
                        }
                    };
                    push::start_timer(background);
                    // A dropped sender (the handle gone without `stop`) also stops the server.
                    let stop = async {
                        let _ = stop.await;
                    };
                    match review_server::serve(listener, app, limits, stop).await {
                        Ok(served) => tracing::debug!(?served, "the sandbox server stopped"),
                        Err(err) => tracing::error!(%err, "the sandbox server did not start"),
                    }
                });
            })
            .map_err(SandboxError::Start)?;
        Ok(Self {
            base_url: format!("http://{local}"),
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of both platforms' paths.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The WeChat credentials it accepts.
    pub fn wechat(&self) -> &WechatCredentials {
        &self.shared.wechat_credentials
    }

    /// The fw199 credentials it accepts and the seller it holds.
    pub fn fw199(&self) -> &Fw199SandboxCredentials {
        &self.shared.fw199_credentials
    }

    /// The readiness line of `reviews sandbox` (a contract): one JSON object with the base URL and
    /// both platforms' credentials.
    pub fn readiness_line(&self) -> String {
        serde_json::json!({
            "base_url": self.base_url,
            "wechat": {
                "appid": self.wechat().appid.as_str(),
                "secret": self.wechat().secret.expose_secret(),
            },
            "fw199": {
                "appid": self.fw199().appid,
                "secret": self.fw199().secret.expose_secret(),
                "seller_nick": self.fw199().seller_nick,
            },
        })
        .to_string()
    }

    /// Every write executed so far, in order.
    pub fn writes(&self) -> Vec<WriteRecord> {
        lock(&self.shared.writes).clone()
    }

    /// Every push delivery attempted so far.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.shared.pushes.records()
    }

    /// Moves the sandbox's clock (tokens expire, windows move) without waiting.
    pub fn advance_clock(&self, by: SignedDuration) {
        self.shared.clock.advance(by);
    }

    /// Stops the server and waits for it: it stops accepting at once, lets requests in
    /// progress finish within the limits' `shutdown_grace` (5 s by default), then drops what is
    /// left, so a stalled client cannot hold it. Dropping the sandbox does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}
