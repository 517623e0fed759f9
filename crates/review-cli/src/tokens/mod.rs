//! Where WeChat access tokens are kept between runs (`--token-store`), and tokens from the
//! merchant's own service ([`external`]).

pub(crate) mod external;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use review_client::{FileBackend, MemoryBackend, TokenBackend};
use review_protocol::redact::url_for_message;

use crate::error::{CliError, CliResult};

/// A `--token-store` value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum StoreChoice {
    /// Files under a directory: every process of the user on this machine.
    File,
    /// This process only.
    Memory,
    /// A Redis server (`redis://HOST:PORT/DB`), which may hold a password.
    Redis(String),
}

/// Never the Redis URL as given: it may hold a password.
impl fmt::Debug for StoreChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File => f.write_str("File"),
            Self::Memory => f.write_str("Memory"),
            Self::Redis(url) => write!(f, "Redis({})", url_for_message(url)),
        }
    }
}

impl StoreChoice {
    /// Parses a value of `--token-store` (or of `token_store` in a profile, named by `option`).
    /// A value that is not one is not echoed whole: it may be a Redis URL with a password.
    pub(crate) fn parse(text: &str, option: &str) -> CliResult<Self> {
        match text.trim() {
            "file" => Ok(Self::File),
            "memory" => Ok(Self::Memory),
            url if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Ok(Self::Redis(url.to_owned()))
            }
            other => Err(CliError::usage(format!(
                "{option} {} is not a token store: use file, memory or redis://HOST:PORT/DB",
                crate::time::shown(&url_for_message(other))
            ))),
        }
    }

    /// What it is, for `config show` and messages: no password.
    pub(crate) fn describe(&self, dir: Option<&Path>) -> String {
        match (self, dir) {
            (Self::File, Some(dir)) => format!("file in {}", dir.display()),
            (Self::File, None) => "file (no cache directory known: set --token-dir)".to_owned(),
            (Self::Memory, _) => "memory (this process only)".to_owned(),
            (Self::Redis(url), _) => url_for_message(url),
        }
    }
}

/// The file store's directory unless `--token-dir` says otherwise: `reviews/tokens` under the
/// user's cache directory (`$XDG_CACHE_HOME`, `~/.cache`).
pub(crate) fn default_dir() -> Option<PathBuf> {
    FileBackend::default_dir()
}

/// The backend of a `--token-store` choice. A Redis server that cannot be reached fails the
/// command (exit 1): a token of this process's own would undo what sharing is for.
pub(crate) fn backend(
    choice: &StoreChoice,
    dir: Option<&Path>,
) -> CliResult<Arc<dyn TokenBackend>> {
    match choice {
        StoreChoice::Memory => Ok(Arc::new(MemoryBackend::new())),
        StoreChoice::File => {
            let Some(dir) = dir else {
                return Err(CliError::usage(
                    "the file token store has no directory (no cache directory is known): pass --token-dir DIR (REVIEWS_TOKEN_DIR)",
                ));
            };
            let backend = FileBackend::new(dir).map_err(|err| {
                CliError::runtime(format!(
                    "{err}: pass another --token-dir, or --token-store memory"
                ))
            })?;
            Ok(Arc::new(backend))
        }
        StoreChoice::Redis(url) => {
            let backend = review_redis::RedisBackend::connect(url).map_err(|err| {
                CliError::runtime(format!(
                    "the token store failed: {err}: start it, or point --token-store (REVIEWS_TOKEN_STORE) at one that runs"
                ))
            })?;
            Ok(Arc::new(backend))
        }
    }
}
