//! The store: a small pool of blocking connections, one multiplexed async connection made on
//! first async use, and the retry of an operation whose connection turned out to be broken.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Client, Connection, ConnectionAddr, ConnectionInfo, ConnectionLike,
    IntoConnectionInfo, RedisError,
};
use review_client::{BoxStoreFuture, TokenBackend};
use review_protocol::wechat::token_share::{StoreAnswer, StoreFailure, StoreKey, StoreOp};

use crate::error::{self, RedisStoreError};
use crate::ops::{self, Keys};

/// The key prefix unless [`RedisBuilder::prefix`] says otherwise.
pub const DEFAULT_PREFIX: &str = "reviews:token:";

/// How long connecting may take unless [`RedisBuilder::connect_timeout`] says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a command may wait for its answer unless [`RedisBuilder::response_timeout`] says
/// otherwise.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Blocking connections kept open between operations; more are opened when threads overlap,
/// and closed after use past this many.
const IDLE_CONNECTIONS: usize = 4;

/// A token store in Redis, shared by every process that connects to the same server, database
/// and prefix. See the [crate documentation](crate) for the keys and scripts.
///
/// ```no_run
/// use std::sync::Arc;
/// use review_client::TokenBackend;
/// use review_redis::RedisBackend;
///
/// let backend: Arc<dyn TokenBackend> = Arc::new(RedisBackend::connect("redis://127.0.0.1:6379/0")?);
/// assert_eq!(backend.describe(), "Redis store at redis://127.0.0.1:6379/0");
/// # Ok::<(), review_redis::RedisStoreError>(())
/// ```
pub struct RedisBackend {
    client: Client,
    target: Target,
    prefix: String,
    connect_timeout: Duration,
    response_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    shared: Mutex<Shared>,
}

/// The async connection, made on first async use; `epoch` tells a broken one from its
/// replacement.
#[derive(Default)]
struct Shared {
    epoch: u64,
    conn: Option<MultiplexedConnection>,
}

/// Where the store is, without user or password.
#[derive(Debug, Clone)]
struct Target {
    /// `host:port`, for errors.
    addr: String,
    /// `redis://host:port/db`, for [`RedisBackend::describe`].
    url: String,
}

impl Target {
    fn new(info: &ConnectionInfo) -> Self {
        let db = info.redis_settings().db();
        match info.addr() {
            ConnectionAddr::Tcp(host, port) => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                Self {
                    addr: format!("{host}:{port}"),
                    url: format!("redis://{host}:{port}/{db}"),
                }
            }
            ConnectionAddr::Unix(path) => Self {
                addr: path.display().to_string(),
                url: format!("redis+unix://{}?db={db}", path.display()),
            },
            other => Self {
                addr: other.to_string(),
                url: other.to_string(),
            },
        }
    }
}

/// How to reach the store: what [`RedisBackend::builder`] starts.
///
/// ```no_run
/// use std::time::Duration;
/// use review_redis::RedisBackend;
///
/// let backend = RedisBackend::builder("redis://:password@redis.internal:6379/2")
///     .prefix("shop-a:token:")
///     .connect_timeout(Duration::from_millis(500))
///     .response_timeout(Duration::from_secs(1))
///     .connect()?;
/// # Ok::<(), review_redis::RedisStoreError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct RedisBuilder {
    url: String,
    prefix: String,
    connect_timeout: Duration,
    response_timeout: Duration,
}

impl fmt::Debug for RedisBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBuilder")
            .field("url", &redacted(&self.url))
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}

impl RedisBuilder {
    /// Keys start with `prefix` (default [`DEFAULT_PREFIX`]): processes share tokens only
    /// under the same prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long opening a connection may take, setup included (default 2 s; at least 1 ms).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long a command may wait for its answer (default 2 s; at least 1 ms): a store that
    /// hangs fails the operation, and so the call, after this long.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Connects, blocking for at most the connect timeout, and checks that Redis answers, so
    /// that a wrong address or password fails here rather than at the first call.
    ///
    /// Call it before starting an async runtime, or off its threads: it blocks.
    ///
    /// # Errors
    ///
    /// [`RedisStoreError::InvalidUrl`] for a URL that is not `redis://host:port/db` (TLS,
    /// `rediss://`, is not built in), [`RedisStoreError::Unreachable`] if nothing answers in
    /// time, [`RedisStoreError::Refused`] for a wrong password or database.
    pub fn connect(self) -> Result<RedisBackend, RedisStoreError> {
        let invalid = |err: &RedisError| RedisStoreError::InvalidUrl {
            url: redacted(&self.url),
            reason: client_config_reason(err),
        };
        let info = self
            .url
            .as_str()
            .into_connection_info()
            .map_err(|e| invalid(&e))?;
        let target = Target::new(&info);
        let client = Client::open(info).map_err(|e| invalid(&e))?;
        let backend = RedisBackend {
            client,
            target,
            prefix: self.prefix,
            connect_timeout: self.connect_timeout,
            response_timeout: self.response_timeout,
            idle: Mutex::new(Vec::new()),
            shared: Mutex::new(Shared::default()),
        };
        let mut conn = backend.open_blocking()?;
        redis::cmd("PING")
            .query::<String>(&mut conn)
            .map_err(|e| backend.command_error(&e, "answer PING"))?;
        backend.give_back(conn);
        Ok(backend)
    }
}

/// The part of a client-config error worth showing (`Invalid database number`), without the
/// crate's kind suffix.
fn client_config_reason(err: &RedisError) -> String {
    let text = err.to_string();
    let reason = text.split(" - ").next().unwrap_or_default().trim();
    if reason.is_empty() {
        "not of the form redis://host:port/db".to_owned()
    } else {
        reason.to_owned()
    }
}

/// `url` without user, password, query or fragment (a unix socket's URL may carry its
/// password in the query), or a placeholder if it does not parse.
fn redacted(url: &str) -> String {
    match redis::parse_redis_url(url) {
        Some(mut parsed) => {
            // Neither fails on a URL with a host, the only kind that has credentials; if one
            // did, the URL is not shown.
            let has_password = parsed.password().is_some();
            let has_user = !parsed.username().is_empty();
            if (has_password && parsed.set_password(None).is_err())
                || (has_user && parsed.set_username("").is_err())
            {
                return "(a URL with credentials)".to_owned();
            }
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        None => "(not a redis:// URL)".to_owned(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing under these locks panics; a poisoned one holds a valid value.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RedisBackend {
    /// Connects to `url` (`redis://[user:password@]host:port/db`) with the default prefix and
    /// timeouts; [`builder`](Self::builder) sets them.
    ///
    /// # Errors
    ///
    /// As [`RedisBuilder::connect`]: an invalid URL, nothing answering within 2 s, or Redis
    /// refusing the password or database.
    pub fn connect(url: &str) -> Result<Self, RedisStoreError> {
        Self::builder(url).connect()
    }

    /// A store at `url`, to be configured and then [connected](RedisBuilder::connect).
    pub fn builder(url: impl Into<String>) -> RedisBuilder {
        RedisBuilder {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
        }
    }

    /// The same store with keys under `prefix`, as [`RedisBuilder::prefix`].
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The key holding `key`'s record: `<prefix><slug>`, a hash of `generation` and `record`.
    pub fn record_key(&self, key: &StoreKey) -> String {
        format!("{}{}", self.prefix, key.slug())
    }

    /// The key holding `key`'s refresh lock: `<prefix><slug>:lock`, the owner's name.
    pub fn lock_key(&self, key: &StoreKey) -> String {
        format!("{}{}:lock", self.prefix, key.slug())
    }

    fn keys(&self, key: &StoreKey) -> Keys {
        Keys {
            record: self.record_key(key),
            lock: self.lock_key(key),
        }
    }

    fn connect_error(&self, err: &RedisError) -> RedisStoreError {
        error::connecting(err, &self.target.addr, self.connect_timeout)
    }

    fn command_error(&self, err: &RedisError, action: &'static str) -> RedisStoreError {
        error::commanding(err, &self.target.addr, action, self.response_timeout)
    }

    fn open_blocking(&self) -> Result<Connection, RedisStoreError> {
        let conn = self
            .client
            .get_connection_with_timeout(self.connect_timeout)
            .map_err(|e| self.connect_error(&e))?;
        let timeout = Some(self.response_timeout);
        conn.set_read_timeout(timeout)
            .and_then(|()| conn.set_write_timeout(timeout))
            .map_err(|e| self.connect_error(&e))?;
        Ok(conn)
    }

    /// An idle connection (`true`) or a new one (`false`).
    fn take(&self) -> Result<(Connection, bool), RedisStoreError> {
        let idle = lock(&self.idle).pop();
        match idle {
            Some(conn) if conn.is_open() => Ok((conn, true)),
            _ => Ok((self.open_blocking()?, false)),
        }
    }

    fn give_back(&self, conn: Connection) {
        if conn.is_open() {
            let mut idle = lock(&self.idle);
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(conn);
            }
        }
    }

    fn blocking(&self, key: &StoreKey, op: &StoreOp) -> Result<StoreAnswer, RedisStoreError> {
        let keys = self.keys(key);
        let mut retried = false;
        loop {
            let (mut conn, reused) = self.take()?;
            match ops::run_blocking(&mut conn, &keys, op) {
                Ok(answer) => {
                    self.give_back(conn);
                    return Ok(answer);
                }
                Err(err) if reused && !retried && err.is_connection_dropped() => {
                    // The server closed it (a restart, an idle timeout): the idle ones are
                    // likely closed too. One retry on a new connection.
                    lock(&self.idle).clear();
                    retried = true;
                }
                Err(err) => {
                    if !err.is_io_error() && !err.is_connection_dropped() {
                        // Redis refused the command; the connection is fine.
                        self.give_back(conn);
                    }
                    return Err(self.command_error(&err, ops::action(op)));
                }
            }
        }
    }

    /// The async connection and its epoch, and whether it was made by an earlier operation.
    async fn shared(&self) -> Result<(u64, MultiplexedConnection, bool), RedisStoreError> {
        {
            let shared = lock(&self.shared);
            if let Some(conn) = &shared.conn {
                return Ok((shared.epoch, conn.clone(), true));
            }
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.response_timeout));
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| self.connect_error(&e))?;
        let mut shared = lock(&self.shared);
        if let Some(existing) = &shared.conn {
            // Another task connected meanwhile: use its connection, drop this one.
            return Ok((shared.epoch, existing.clone(), true));
        }
        shared.epoch = shared.epoch.wrapping_add(1);
        shared.conn = Some(conn.clone());
        Ok((shared.epoch, conn, false))
    }

    fn forget_shared(&self, epoch: u64) {
        let mut shared = lock(&self.shared);
        if shared.epoch == epoch {
            shared.conn = None;
        }
    }

    async fn nonblocking(
        &self,
        key: &StoreKey,
        op: &StoreOp,
    ) -> Result<StoreAnswer, RedisStoreError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisStoreError::NoRuntime {
                addr: self.target.addr.clone(),
            });
        }
        let keys = self.keys(key);
        let mut retried = false;
        loop {
            let (epoch, mut conn, reused) = self.shared().await?;
            match ops::run_async(&mut conn, &keys, op).await {
                Ok(answer) => return Ok(answer),
                Err(err) => {
                    let dropped = err.is_connection_dropped();
                    if dropped || err.is_io_error() {
                        // Broken, or made on a runtime that has since shut down.
                        self.forget_shared(epoch);
                    }
                    if !(reused && !retried && dropped) {
                        return Err(self.command_error(&err, ops::action(op)));
                    }
                    retried = true;
                }
            }
        }
    }
}

impl TokenBackend for RedisBackend {
    fn run_blocking(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        self.blocking(key, &op).map_err(StoreFailure::from)
    }

    fn run_async<'a>(&'a self, key: &'a StoreKey, op: StoreOp) -> BoxStoreFuture<'a> {
        Box::pin(async move { self.nonblocking(key, &op).await.map_err(StoreFailure::from) })
    }

    /// `Redis store at redis://host:port/db`, without user or password.
    fn describe(&self) -> String {
        format!("Redis store at {}", self.target.url)
    }
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackend")
            .field("at", &self.target.url)
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::new(&url.into_connection_info().unwrap())
    }

    #[test]
    fn targets_show_no_credentials() {
        let t = target("redis://user:hunter2@cache.internal:6380/3");
        assert_eq!(t.addr, "cache.internal:6380");
        assert_eq!(t.url, "redis://cache.internal:6380/3");
        assert_eq!(target("redis://[::1]/").url, "redis://[::1]:6379/0");
        let t = target("redis+unix:///run/redis.sock?db=2&pass=hunter2");
        assert_eq!(t.url, "redis+unix:///run/redis.sock?db=2");
    }

    #[test]
    fn redacted_urls_show_no_credentials() {
        assert_eq!(
            redacted("redis://user:hunter2@h:1/0"),
            "redis://h:1/0".to_owned()
        );
        assert_eq!(
            redacted("redis+unix:///s.sock?pass=hunter2"),
            "redis+unix:///s.sock"
        );
        assert_eq!(redacted("http://u:hunter2@h"), "(not a redis:// URL)");
        let builder = RedisBackend::builder("redis://:hunter2@h:1/0");
        assert!(!format!("{builder:?}").contains("hunter2"));
    }

    #[test]
    fn invalid_urls_say_why_without_the_password() {
        let err = RedisBackend::connect("redis://:hunter2@h:1/notanumber").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Redis URL redis://h:1/notanumber: Invalid database number"
        );
        let err = RedisBackend::connect("rediss://:hunter2@h:1/0").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().contains("TLS"), "{err}");
    }
}
