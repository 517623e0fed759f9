//! A backend shared by every process of the user on the machine: a directory of small files,
//! each operation one read-modify-write under an OS file lock.

mod error;
mod fsio;
mod lease;

use std::io;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use jiff::Timestamp;
use review_protocol::wechat::token_share::{
    StoreAnswer, StoreFailure, StoreKey, StoreOp, TokenRecord,
};

use super::backend::{BoxStoreFuture, TokenBackend};
pub use error::FileStoreError;
use lease::Lease;

/// Tokens shared through files in one directory by every process of the user on the machine:
/// the CLI's default store.
///
/// Each [`StoreKey`] has three files, named by its [`slug`](StoreKey::slug):
///
/// - `<slug>.json`, the [`TokenRecord`]: replaced whole (a 0600 temporary file in the same
///   directory, flushed to disk, renamed over it), so that no reader and no crash ever leaves
///   half a record;
/// - `<slug>.lease`, the refresh lock (its owner and when its lease ends, against the
///   operation's `now`): a holder that dies releases it when the lease runs out, as with
///   Redis's `SET NX PX`;
/// - `<slug>.lock`, never renamed nor deleted: every operation holds an exclusive OS lock on
///   it (`flock`, `LockFileEx`) for its read-modify-write only, so the four operations are
///   atomic across processes, and the OS drops the lock of a process that dies, even by
///   `kill -9`.
///
/// A token must not be readable by other users: on Unix the directory is created with mode
/// 0700 (an existing one open to others is narrowed to it, or refused if that fails) and every
/// file with 0600; a record found readable by others is set to 0600 when read, and a write
/// replaces it by a 0600 file in any case.
///
/// A lease is stored to the millisecond, rounded up: it never ends before the time asked for.
///
/// ```no_run
/// use std::sync::Arc;
/// use review_client::{ClientConfig, FileBackend, WechatTokens};
/// use review_model::{AppId, Secret};
///
/// let dir = FileBackend::default_dir().ok_or("no home directory")?;
/// let tokens = WechatTokens::stable().backend(Arc::new(FileBackend::new(dir)?));
/// let config = ClientConfig::new().wechat_tokens(
///     "https://api.weixin.qq.com".parse()?,
///     AppId::new("wx1"),
///     Secret::new("s"),
///     tokens,
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileBackend {
    dir: PathBuf,
}

/// The paths of one key's files.
struct Files {
    record: PathBuf,
    record_tmp: PathBuf,
    lease: PathBuf,
    lease_tmp: PathBuf,
    lock: PathBuf,
}

impl Files {
    fn new(dir: &Path, key: &StoreKey) -> Self {
        // A slug is made of `[A-Za-z0-9._-]` and ends in `_plain` or `_stable`: these names
        // are safe and never one key's file for another's.
        let slug = key.slug();
        let path = |suffix: &str| dir.join(format!("{slug}.{suffix}"));
        Self {
            record: path("json"),
            record_tmp: path("json.tmp"),
            lease: path("lease"),
            lease_tmp: path("lease.tmp"),
            lock: path("lock"),
        }
    }
}

impl FileBackend {
    /// A store in `dir`, created (mode 0700 on Unix) if missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, FileStoreError> {
        let dir = dir.into();
        fsio::private_dir(&dir)?;
        Ok(Self { dir })
    }

    /// The user's cache directory for tokens: `$XDG_CACHE_HOME/reviews/tokens` (by default
    /// `~/.cache/reviews/tokens`) on Linux, the platform's cache directory elsewhere. `None`
    /// if the user has no home directory.
    pub fn default_dir() -> Option<PathBuf> {
        ProjectDirs::from("", "", "reviews").map(|dirs| dirs.cache_dir().join("tokens"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn run(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        let files = Files::new(&self.dir, key);
        let mut lock = fd_lock::RwLock::new(fsio::open_lock(&files.lock)?);
        let _held = loop {
            match lock.write() {
                Ok(guard) => break guard,
                // A signal woke the wait: wait again.
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(fsio::failure("lock", &files.lock, &error)),
            }
        };
        Ok(match op {
            StoreOp::Load => StoreAnswer::Record(read_record(&files.record)?),
            StoreOp::Put { expected, record } => {
                let current = read_record(&files.record)?.map(|r| r.generation);
                let write = current == expected;
                if write {
                    fsio::replace(&files.record, &files.record_tmp, &record.encode(), true)?;
                }
                StoreAnswer::Written(write)
            }
            StoreOp::Lock { owner, lease, now } => {
                let free = read_lease(&files.lease)?.is_none_or(|held| held.expired(now));
                if free {
                    let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
                    // Not flushed to disk: a lease lost to a power cut frees the lock, as its
                    // expiry would have, and costs no wrong token (writes are compare-and-set).
                    let lease = Lease::new(&owner, until);
                    fsio::replace(&files.lease, &files.lease_tmp, &lease.encode(), false)?;
                }
                StoreAnswer::Locked(free)
            }
            StoreOp::Unlock { owner } => {
                if read_lease(&files.lease)?.is_some_and(|held| held.owner == owner.as_str()) {
                    fsio::remove(&files.lease)?;
                }
                StoreAnswer::Unlocked
            }
        })
    }
}

/// The stored record; one that cannot be decoded reads as none, so the next refresh replaces
/// it instead of every process failing on it.
fn read_record(path: &Path) -> Result<Option<TokenRecord>, StoreFailure> {
    let Some(bytes) = fsio::read(path)? else {
        return Ok(None);
    };
    match TokenRecord::decode(&bytes) {
        Ok(record) => Ok(Some(record)),
        Err(error) => {
            tracing::warn!(
                file = %path.display(),
                %error,
                "token record unreadable; taken as absent"
            );
            Ok(None)
        }
    }
}

/// The stored lease; one that cannot be decoded reads as none (the lock is free).
fn read_lease(path: &Path) -> Result<Option<Lease>, StoreFailure> {
    Ok(fsio::read(path)?.and_then(|bytes| Lease::decode(&bytes)))
}

impl TokenBackend for FileBackend {
    fn run_blocking(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        self.run(key, op)
    }

    fn run_async<'a>(&'a self, key: &'a StoreKey, op: StoreOp) -> BoxStoreFuture<'a> {
        // Inline, not on a blocking pool (this crate has no runtime): an operation is a few
        // local system calls and at most one flush of a small file, and the OS lock it may
        // wait for is held by others only for their own such operation, never across a
        // network call.
        let answer = self.run(key, op);
        Box::pin(async move { answer })
    }

    fn describe(&self) -> String {
        format!("file store in {}", self.dir.display())
    }
}
