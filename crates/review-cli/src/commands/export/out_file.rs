//! `--out FILE` without ever losing the previous FILE: records go to a temporary file beside
//! it, which replaces FILE (flushed and synced, then renamed: atomic on one file system) only
//! when the export succeeds. A failed or interrupted export keeps what it wrote as
//! `FILE.partial` and leaves FILE as it was.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::CliError;

/// The temporary file of an export in progress and the FILE it is for.
#[derive(Debug)]
pub(super) struct OutFile {
    target: PathBuf,
    temp: PathBuf,
    file: File,
}

/// Where the target's directory is (`.` for a bare file name).
pub(super) fn directory(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `FILE.partial`, beside FILE.
pub(super) fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    target.with_file_name(name)
}

/// Refuses an `--out` that cannot be written before anything starts: a directory that does not
/// exist, or a target that is a directory.
pub(super) fn check(target: &Path) -> Result<(), CliError> {
    let dir = directory(target);
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "--out {}: the directory {} does not exist; create it first or choose another path",
            target.display(),
            dir.display()
        )));
    }
    if target.is_dir() {
        return Err(CliError::usage(format!(
            "--out {} is a directory; name a file",
            target.display()
        )));
    }
    Ok(())
}

impl OutFile {
    /// Creates the temporary file beside `target` (a new name that no other run uses), with the
    /// permissions of an existing target so that replacing it keeps them.
    pub(super) fn create(target: &Path) -> Result<(Self, File), CliError> {
        check(target)?;
        let dir = directory(target);
        let cannot = |err: &io::Error| {
            CliError::usage(format!(
                "--out {}: cannot create a file in {} ({err}); choose another path",
                target.display(),
                dir.display()
            ))
        };
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let mut attempt = 0u32;
        let (temp, file) = loop {
            let temp = dir.join(format!(
                ".{name}.{}.{stamp}.{attempt}.tmp",
                std::process::id()
            ));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => break (temp, file),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(err) => return Err(cannot(&err)),
            }
        };
        if let Ok(existing) = fs::metadata(target) {
            // Best effort: the export is still right with the default permissions.
            let _ = fs::set_permissions(&temp, existing.permissions());
        }
        let writer = file.try_clone().map_err(|e| cannot(&e))?;
        Ok((
            Self {
                target: target.to_owned(),
                temp,
                file,
            },
            writer,
        ))
    }

    /// The export succeeded: the temporary file, already flushed by the caller, is synced and
    /// renamed over FILE.
    pub(super) fn commit(self) -> io::Result<()> {
        self.file.sync_all()?;
        fs::rename(&self.temp, &self.target)?;
        // The rename itself is durable once the directory is synced (best effort: not every
        // platform can open a directory).
        if let Ok(dir) = File::open(directory(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// The export stopped early: what was written is kept as `FILE.partial` (returned), or
    /// removed when it holds no record. FILE is untouched either way.
    pub(super) fn keep_partial(self, records: u64) -> io::Result<Option<PathBuf>> {
        if records == 0 {
            fs::remove_file(&self.temp)?;
            return Ok(None);
        }
        let _ = self.file.sync_all();
        let partial = partial_path(&self.target);
        fs::rename(&self.temp, &partial)?;
        Ok(Some(partial))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write;

    use super::*;

    #[test]
    fn commit_replaces_and_partial_keeps_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        fs::write(&target, "old\n").unwrap();

        let (out, mut writer) = OutFile::create(&target).unwrap();
        writer.write_all(b"half\n").unwrap();
        let partial = out.keep_partial(1).unwrap().unwrap();
        assert_eq!(partial, dir.path().join("out.jsonl.partial"));
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(fs::read_to_string(&partial).unwrap(), "half\n");

        let (out, mut writer) = OutFile::create(&target).unwrap();
        writer.write_all(b"new\n").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");

        let (out, _) = OutFile::create(&target).unwrap();
        assert_eq!(out.keep_partial(0).unwrap(), None);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }
}
