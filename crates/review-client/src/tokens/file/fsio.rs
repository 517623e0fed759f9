//! The file system calls behind each operation: a private directory, bounded reads that narrow
//! a file's mode, atomic replacement.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use review_protocol::wechat::token_share::StoreFailure;

use super::error::FileStoreError;

/// Far more than a record or a lease takes; a bigger file is not one of ours, and reading it
/// whole would only cost memory.
const MAX_FILE: u64 = 64 * 1024;

/// What failed, where, and the OS's reason: never a file's content.
pub(super) fn failure(what: &str, path: &Path, error: &io::Error) -> StoreFailure {
    StoreFailure::new(format!(
        "file store: cannot {what} {}: {error}",
        path.display()
    ))
}

/// Creates `dir` and its missing parents with mode 0700, or narrows an existing `dir` that
/// other users may enter to 0700.
pub(super) fn private_dir(dir: &Path) -> Result<(), FileStoreError> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .map_err(|error| FileStoreError::Create {
                    path: dir.to_owned(),
                    error,
                })?;
            fs::metadata(dir).map_err(|error| FileStoreError::Inspect {
                path: dir.to_owned(),
                error,
            })?
        }
        Err(error) => {
            return Err(FileStoreError::Inspect {
                path: dir.to_owned(),
                error,
            });
        }
    };
    if !meta.is_dir() {
        return Err(FileStoreError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|error| {
                FileStoreError::NotPrivate {
                    path: dir.to_owned(),
                    mode,
                    error,
                }
            })?;
            tracing::warn!(
                dir = %dir.display(),
                mode = format_args!("{mode:03o}"),
                "token directory was open to other users; set to 0700"
            );
        }
    }
    Ok(())
}

/// Opens (creating it 0600) the file whose OS lock guards a key's other files.
pub(super) fn open_lock(path: &Path) -> Result<File, StoreFailure> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|error| failure("open the lock file", path, &error))
}

/// The bytes of `path`, `None` if there is no such file. A file other users may read is set to
/// 0600 first: it may hold a token. A file too big to be ours reads as empty, hence damaged.
pub(super) fn read(path: &Path) -> Result<Option<Vec<u8>>, StoreFailure> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(failure("open", path, &error)),
    };
    let meta = file
        .metadata()
        .map_err(|error| failure("inspect", path, &error))?;
    if !meta.is_file() {
        return Err(StoreFailure::new(format!(
            "file store: {} is not a regular file",
            path.display()
        )));
    }
    #[cfg(unix)]
    narrow(&file, &meta, path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| failure("read", path, &error))?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_FILE) {
        bytes.clear();
    }
    Ok(Some(bytes))
}

#[cfg(unix)]
fn narrow(file: &File, meta: &fs::Metadata, path: &Path) -> Result<(), StoreFailure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|error| failure("make private (0600)", path, &error))?;
        tracing::warn!(
            file = %path.display(),
            mode = format_args!("{mode:03o}"),
            "token file was open to other users; set to 0600"
        );
    }
    Ok(())
}

/// Replaces `path` by a file holding `bytes`: written to `tmp` (same directory, mode 0600),
/// flushed to disk if `sync`, then renamed over `path`, so that neither a reader nor a process
/// killed mid-write ever sees half a file, and the new file is 0600 whatever the old one was.
pub(super) fn replace(
    path: &Path,
    tmp: &Path,
    bytes: &[u8],
    sync: bool,
) -> Result<(), StoreFailure> {
    // Only the holder of the key's OS lock writes `tmp`: one that is there was left by a
    // process that died mid-write.
    remove(tmp)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(tmp)
        .map_err(|error| failure("create", tmp, &error))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) });
    drop(file);
    let replaced = written
        .map_err(|error| failure("write", tmp, &error))
        .and_then(|()| fs::rename(tmp, path).map_err(|error| failure("replace", path, &error)));
    if replaced.is_err() {
        // The failure reported is the write's; a temporary file left behind is removed by the
        // next write.
        let _ = fs::remove_file(tmp);
    }
    replaced
}

/// Removes `path` if it is there.
pub(super) fn remove(path: &Path) -> Result<(), StoreFailure> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(failure("remove", path, &error)),
    }
}
