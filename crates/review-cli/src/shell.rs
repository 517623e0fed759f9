//! Running a command of the user's (`sh -c CMD`) for one short line of output: a token from
//! the merchant's token service, a secret from a password manager.
//!
//! Its output is a credential, so it is never echoed, and neither is its stderr (which goes
//! nowhere): a failure says how the command ended and to run it by hand to see why.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a command may take.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// The most output read: a token or a secret is far shorter.
const LIMIT: u64 = 64 * 1024;

/// How a command failed to give its line.
#[derive(Debug)]
pub(crate) enum Failure {
    /// `sh` could not be started.
    Spawn(std::io::Error),
    /// It exited with a failure.
    Exit(ExitStatus),
    /// It ran longer than the timeout and was killed.
    Timeout(Duration),
    /// It printed nothing (or only white space).
    Empty,
    /// It printed more than [`LIMIT`] bytes, or not UTF-8.
    NotText,
}

impl Failure {
    /// What went wrong, without a word of the output, and what to do.
    pub(crate) fn describe(&self, what: &str) -> String {
        match self {
            Self::Spawn(err) => format!("cannot run {what} with sh -c: {err}"),
            Self::Exit(status) => match status.code() {
                Some(code) => {
                    format!("{what} exited with status {code}: run it in a shell to see why")
                }
                None => format!("{what} was killed by a signal: run it in a shell to see why"),
            },
            Self::Timeout(limit) => format!(
                "{what} did not finish within {} s: check that its service answers",
                limit.as_secs()
            ),
            Self::Empty => format!("{what} printed nothing: it must print the value on stdout"),
            Self::NotText => format!(
                "{what} printed more than {} KiB or not UTF-8: it must print the value alone",
                LIMIT / 1024
            ),
        }
    }
}

/// Runs `sh -c command` with no stdin and stderr discarded; returns its stdout, trimmed.
/// Killed after `timeout`.
pub(crate) fn output(command: &str, timeout: Duration) -> Result<String, Failure> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(Failure::Spawn)?;
    let deadline = Instant::now() + timeout;
    let (send, receive) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        // A thread reads, so that a command printing a lot cannot block on a full pipe while
        // this one waits for it to exit. A command of its own children may keep the pipe open
        // after `sh` is killed; the thread is then left behind, blocked, and harmless.
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = stdout.take(LIMIT + 1).read_to_end(&mut bytes);
            let _ = send.send(read.map(|_| bytes));
        });
    }
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Timeout(timeout));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(err) => return Err(Failure::Spawn(err)),
        }
    };
    if !status.success() {
        return Err(Failure::Exit(status));
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let bytes = match receive.recv_timeout(left.max(Duration::from_millis(100))) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => return Err(Failure::NotText),
        Err(RecvTimeoutError::Timeout) => return Err(Failure::Timeout(timeout)),
    };
    if bytes.len() as u64 > LIMIT {
        return Err(Failure::NotText);
    }
    let text = String::from_utf8(bytes).map_err(|_| Failure::NotText)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Failure::Empty);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn trims_the_output() {
        assert_eq!(output("printf ' tok3n \\n'", TIMEOUT).unwrap(), "tok3n");
    }

    #[test]
    fn failures_say_how_without_the_output() {
        let exit = output("echo s3cr3t; exit 3", TIMEOUT).unwrap_err();
        let message = exit.describe("the token command");
        assert!(message.contains("status 3"), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(matches!(output("true", TIMEOUT), Err(Failure::Empty)));
        let started = Instant::now();
        let slow = output("sleep 5", Duration::from_millis(200)).unwrap_err();
        assert!(matches!(slow, Failure::Timeout(_)), "{slow:?}");
        assert!(started.elapsed() < Duration::from_secs(4));
    }
}
