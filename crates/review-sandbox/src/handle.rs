//! The running sandbox.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::Router;
use jiff::SignedDuration;
use review_server::Limits;
use tokio::sync::oneshot;

use crate::admin::Admin;
use crate::credentials::{TaobaoCredentials, TenantCredentials, WechatCredentials};
use crate::error::SandboxError;
use crate::push::{self, PushRecord};
use crate::stats::SandboxStats;
use crate::writes::WriteRecord;

/// A running sandbox. Dropping it stops the server (within the shutdown grace).
pub struct Sandbox {
    base_url: String,
    /// Tenant 0's credentials.
    first: TenantCredentials,
    /// Every tenant's credentials, tenant 0 first.
    tenants: Arc<[TenantCredentials]>,
    /// The writes, pushes, clock and stats, as the admin routes see them.
    admin: Arc<Admin>,
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
    /// Serves `app` on `listener` (bound to `local`) within `limits`, on a thread of its own;
    /// the handle answers with the credentials of `admin`'s tenants and reads and moves what
    /// `admin` holds.
    pub(crate) fn serve(
        app: Router,
        limits: Limits,
        admin: Arc<Admin>,
        listener: TcpListener,
        local: SocketAddr,
    ) -> Result<Self, SandboxError> {
        let first = admin
            .tenants
            .first()
            .cloned()
            .ok_or_else(|| SandboxError::Setting("a sandbox needs a tenant".to_owned()))?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("review-sandbox")
            .enable_all()
            .build()
            .map_err(SandboxError::Start)?;
        let pusher = Arc::clone(&admin.pusher);
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
                    push::start_timer(pusher);
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
            first,
            tenants: Arc::clone(&admin.tenants),
            admin,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of both platforms' paths.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn first(&self) -> &TenantCredentials {
        &self.first
    }

    /// The WeChat credentials of tenant 0 (the only tenant unless
    /// [`SandboxBuilder::tenants`](crate::SandboxBuilder::tenants) says more).
    pub fn wechat(&self) -> &WechatCredentials {
        &self.first().wechat
    }

    /// The Taobao side of tenant 0: the fw199 gateway credentials it accepts and the seller it
    /// holds.
    pub fn taobao(&self) -> &TaobaoCredentials {
        &self.first().taobao
    }

    /// Every tenant's credentials, tenant 0 first, as `GET /sandbox/tenants` lists them: a
    /// token fetched with tenant `k`'s WeChat credentials reads tenant `k`'s comments only,
    /// and a search signed with its fw199 credentials finds its rates only.
    pub fn tenants(&self) -> &[TenantCredentials] {
        &self.tenants
    }

    /// The readiness line of `reviews sandbox` (a contract): one JSON object with the base
    /// URL, tenant 0's credentials of both platforms, and how many tenants there are
    /// (`"tenants"`; the others' credentials are at `GET /sandbox/tenants`).
    pub fn readiness_line(&self) -> String {
        let mut line = crate::admin::tenant_json(self.first());
        if let Some(object) = line.as_object_mut() {
            object.remove("index");
            object.insert("base_url".to_owned(), self.base_url.clone().into());
            object.insert("tenants".to_owned(), self.tenants.len().into());
        }
        line.to_string()
    }

    /// Every write executed so far, in order.
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.admin.writes.all()
    }

    /// Every push delivery attempted so far.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.admin.pusher.log.records()
    }

    /// What the sandbox has served since it started or since the last reset: the counts of
    /// `GET /sandbox/stats`, without HTTP.
    pub fn stats(&self) -> SandboxStats {
        self.admin.stats.snapshot()
    }

    /// Zeroes the stats and returns the counts cleared, as `POST /sandbox/stats/reset` does.
    pub fn reset_stats(&self) -> SandboxStats {
        self.admin.stats.reset()
    }

    /// Moves the sandbox's clock (tokens expire, windows move) without waiting.
    pub fn advance_clock(&self, by: SignedDuration) {
        self.admin.clock.advance(by);
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
