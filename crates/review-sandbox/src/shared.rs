//! The state every handler shares.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use crate::builder::Config;
use crate::clock::Clock;
use crate::credentials::{Fw199SandboxCredentials, WechatCredentials};
use crate::faults::Faults;
use crate::fw199::TaobaoState;
use crate::push::Pushes;
use crate::wechat::WechatState;
use crate::writes::WriteRecord;

/// Everything behind the router. Locks are held only for in-memory work, never across an await.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(crate) wechat_credentials: WechatCredentials,
    pub(crate) fw199_credentials: Fw199SandboxCredentials,
    pub(crate) wechat: Mutex<WechatState>,
    pub(crate) taobao: RwLock<TaobaoState>,
    pub(crate) faults: Faults,
    pub(crate) writes: Mutex<Vec<WriteRecord>>,
    pub(crate) pushes: Pushes,
}

/// Locks a mutex; a handler that panicked while holding it leaves data that is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads behind a read-write lock, ignoring poisoning for the same reason.
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Records an executed write.
    pub(crate) fn record_write(&self, path: &str, body: serde_json::Value) {
        let record = WriteRecord {
            at: self.clock.now(),
            path: path.to_owned(),
            body,
            answer_lost: false,
        };
        lock(&self.writes).push(record);
    }
}
