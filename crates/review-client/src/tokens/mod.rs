//! Where access tokens live.
//!
//! Every client has a process-local [`TokenStore`] (a [`MemoryTokenStore`]): all its clones,
//! tasks and threads share one token and one refresh. Behind it, a [`TokenBackend`] shares the
//! token with other processes: [`MemoryBackend`] (this process only), [`FileBackend`] (every
//! process of the user on the machine), `review_redis::RedisBackend` (a fleet). The backend's
//! decisions (look, lock, re-check, refresh, compare-and-set, release) are
//! `review_protocol::wechat::token_share`'s; a backend only carries out four operations.

mod backend;
mod file;
mod memory;
mod memory_backend;
mod settings;

pub use backend::{BoxStoreFuture, TokenBackend};
pub use file::{FileBackend, FileStoreError};
pub use memory::MemoryTokenStore;
pub use memory_backend::MemoryBackend;
pub use review_protocol::call::TokenStore;
pub use settings::WechatTokens;
