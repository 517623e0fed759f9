//! `--changes FILE`: each new or changed review as one JSON line, the unified record plus
//! `"change"` (the first of its kinds: new, revised, replied, removed-reply, process), all its
//! `"changes"` and its `"tenant"`, for pipelines and chat bots.
//!
//! Lines are written as their rows commit and flushed after each chunk, so a sync that fails
//! part-way leaves the lines of what it committed. The mirror keeps every change too (table
//! `review_changes`), whatever happens to this file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use review_model::mirror::{Change, Observed};
use review_store::Tenant;
use serde_json::Value;

use crate::error::{CliError, CliResult};
use crate::output::{json, write_error};

/// Where the change lines go.
pub(super) struct ChangesOut {
    out: BufWriter<Box<dyn Write + Send>>,
    target: String,
}

/// Refuses a FILE whose directory does not exist, before anything starts.
pub(super) fn check(path: &Path) -> CliResult {
    if path == Path::new("-") {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if dir.is_dir() {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "--changes {}: the directory {} does not exist",
            path.display(),
            dir.display()
        )))
    }
}

impl ChangesOut {
    /// Stdout for `-`, else FILE (created or truncated).
    pub(super) fn create(path: &Path) -> CliResult<Self> {
        let (out, target): (Box<dyn Write + Send>, String) = if path == Path::new("-") {
            (Box::new(io::stdout()), "stdout".to_owned())
        } else {
            let file = File::create(path)
                .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", path.display())))?;
            (Box::new(file), path.display().to_string())
        };
        Ok(Self {
            out: BufWriter::new(out),
            target,
        })
    }

    /// One line for `review`.
    pub(super) fn write(
        &mut self,
        tenant: &Tenant,
        review: &Observed,
        changes: &[Change],
    ) -> CliResult {
        json::line(&mut self.out, &record(tenant, review, changes)?).map_err(|e| self.named(e))
    }

    pub(super) fn flush(&mut self) -> CliResult {
        self.out.flush().map_err(|e| self.named(write_error(&e)))
    }

    /// Flushes at the end; a reader gone from stdout (`| head`) is no error.
    pub(super) fn finish(mut self) -> CliResult {
        match self.out.flush() {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| self.named(write_error(&e))),
        }
    }

    fn named(&self, mut err: CliError) -> CliError {
        err.message = format!("--changes {}: {}", self.target, err.message);
        err
    }
}

/// The unified record, then `change`, `changes` and `tenant`.
fn record(tenant: &Tenant, review: &Observed, changes: &[Change]) -> CliResult<Value> {
    let encoded = serde_json::to_value(&review.review).map_err(|e| {
        CliError::runtime(format!("cannot encode review {}: {e}", review.review.id))
    })?;
    let Value::Object(mut map) = encoded else {
        return Err(CliError::runtime(format!(
            "review {} did not encode as a JSON object",
            review.review.id
        )));
    };
    let first = changes.first().copied().unwrap_or(Change::New);
    map.insert("change".to_owned(), Value::from(first.as_str()));
    map.insert(
        "changes".to_owned(),
        Value::from(changes.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
    );
    map.insert("tenant".to_owned(), Value::from(tenant.account.clone()));
    Ok(Value::Object(map))
}
