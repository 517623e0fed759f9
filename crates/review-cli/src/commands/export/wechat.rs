//! WeChat's side of the export: the client's review walk reads the range in windows of
//! bounded size, with `replied` joined from each window's awaiting-reply listing (see
//! `review_protocol::wechat::ReviewWalk`), several pages in flight (see
//! `review_protocol::concurrent`), and each review becomes a record as it comes, in the walk's
//! own order.

use jiff::Timestamp;
use review_client::{ClientError, WechatReviews};
use review_model::Review;
use review_protocol::concurrent::Concurrency;

use super::{Halt, until_halt};
use crate::setup::Wechat;

/// Hands every comment of `[since, until]` to `emit`, newest first.
pub(super) fn export(
    side: &Wechat,
    since: Timestamp,
    until: Timestamp,
    settings: Concurrency,
    emit: &mut dyn FnMut(&Review) -> Result<(), Halt>,
) -> Result<(), Halt> {
    let failed = |err: &ClientError| Halt::Failed(side.error(err));
    let mut halted = None;
    let walked = side.client.for_each_concurrent(
        WechatReviews::new(since, until),
        settings,
        until_halt(emit, &mut halted),
    );
    if let Some(halt) = halted {
        return Err(halt);
    }
    let walked = walked.map_err(|e| failed(&e))?;
    let pace = &walked.concurrency;
    if let Some(stats) = &walked.walk {
        tracing::debug!(
            windows = stats.windows,
            splits = stats.splits,
            probes = stats.probes,
            pages = stats.pages,
            requests = pace.sent,
            lanes = pace.lanes,
            peak_in_flight = pace.peak_in_flight,
            throttled = pace.refused,
            longest_refusal_run = pace.longest_refusal_run,
            "WeChat read"
        );
    }
    Ok(())
}
