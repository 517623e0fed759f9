//! Why a [`FileBackend`](super::FileBackend) could not be opened.

use std::io;
use std::path::PathBuf;

/// The token directory cannot be used.
///
/// Each message names the directory and the OS's reason; the I/O error is kept in the variant
/// (and not repeated as [`source`](std::error::Error::source), since the message has it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileStoreError {
    /// The directory was missing and could not be created.
    #[error("cannot create the token directory {}: {error}", path.display())]
    Create {
        /// The directory.
        path: PathBuf,
        /// The OS's reason.
        error: io::Error,
    },
    /// The directory's metadata could not be read.
    #[error("cannot inspect the token directory {}: {error}", path.display())]
    Inspect {
        /// The directory.
        path: PathBuf,
        /// The OS's reason.
        error: io::Error,
    },
    /// The path exists and is not a directory.
    #[error("the token directory {} is not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// Other users may read or write the directory and its mode cannot be narrowed (it belongs
    /// to someone else): tokens kept there would not be private.
    #[error(
        "the token directory {} is open to other users (mode {mode:03o}) and cannot be made private (0700): {error}",
        path.display()
    )]
    NotPrivate {
        /// The directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// The OS's reason for refusing the change.
        error: io::Error,
    },
}
