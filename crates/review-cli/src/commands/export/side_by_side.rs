//! Both platforms read at once, for a single export and for each tenant of a fleet: WeChat on
//! the caller's thread, Taobao on a thread of its own, each stopped when the other fails.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Halt;
use crate::error::CliError;

/// Runs `wechat` here and `taobao` on a thread named `thread`, handing each the flag that is
/// set when the other side fails. Both results, or the first real failure: a stop on one side
/// is only the echo of the other's failure.
pub(super) fn side_by_side<A, B: Send>(
    thread: String,
    wechat: impl FnOnce(&AtomicBool) -> Result<A, Halt>,
    taobao: impl FnOnce(&AtomicBool) -> Result<B, Halt> + Send,
) -> Result<(A, B), Halt> {
    let stop = AtomicBool::new(false);
    let (wechat, taobao) = std::thread::scope(|scope| {
        let taobao = std::thread::Builder::new()
            .name(thread)
            .spawn_scoped(scope, || {
                let read = taobao(&stop);
                if read.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                read
            });
        let wechat = wechat(&stop);
        if wechat.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let taobao = match taobao {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Halt::Failed(CliError::runtime(
                    "the Taobao reader stopped unexpectedly",
                )))
            }),
            Err(err) => Err(Halt::Failed(CliError::runtime(format!(
                "cannot start the Taobao reader: {err}"
            )))),
        };
        (wechat, taobao)
    });
    match (wechat, taobao) {
        (Ok(wechat), Ok(taobao)) => Ok((wechat, taobao)),
        (Err(Halt::Interrupted), Err(halt)) | (Err(halt), _) | (Ok(_), Err(halt)) => Err(halt),
    }
}
