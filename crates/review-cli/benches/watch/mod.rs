//! What the process benchmarks share: sizes from the environment, and a child's peak memory.

use std::process::{Child, ExitStatus};
use std::str::FromStr;
use std::time::Duration;

/// `name` from the environment, or `default`.
pub(crate) fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The high-water mark of `pid`'s resident memory (`VmHWM`, kB), if /proc says.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `child`, reading its peak memory every `every` while it runs (the last reading
/// before it exits): its exit status and peak RSS in kB.
pub(crate) fn wait_watching(child: &mut Child, every: Duration) -> (ExitStatus, u64) {
    let mut peak = 0;
    loop {
        if let Some(kb) = peak_kb(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return (status, peak);
        }
        std::thread::sleep(every);
    }
}
