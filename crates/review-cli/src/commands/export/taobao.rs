//! Taobao's side of the export: the client's review walk runs the window planner over the
//! range (split under the 1500-result cap, clamped to the last 180 days), several pages in
//! flight (see `review_protocol::concurrent`), and each rate becomes a record as it comes, in
//! the walk's own order.

use jiff::Timestamp;
use review_client::{RateRange, TaobaoReviews};
use review_model::Review;
use review_protocol::concurrent::Concurrency;

use super::{Halt, until_halt};
use crate::error::CliError;
use crate::setup::Fw199;

/// Rates per page: the gateway's most, so the fewest requests (each costs a round trip and a
/// signature; a page of 150 rates is some 100 KB).
const PAGE_SIZE: u32 = 150;

/// Hands every rate of `[since, until]` to `emit`; returns the notes for the summary line
/// (windows split, seconds truncated at the cap, the range clamped to 180 days).
pub(super) fn export(
    side: &Fw199,
    since: Timestamp,
    until: Timestamp,
    settings: Concurrency,
    emit: &mut dyn FnMut(&Review) -> Result<(), Halt>,
) -> Result<Vec<String>, Halt> {
    let failed = |err: &review_client::ClientError| Halt::Failed(CliError::client(err, &side.host));
    let range = RateRange::new(since, until).page_size(PAGE_SIZE);
    let mut halted = None;
    let walked = side.client.for_each_concurrent(
        TaobaoReviews::from(range),
        settings,
        until_halt(emit, &mut halted),
    );
    if let Some(halt) = halted {
        return Err(halt);
    }
    let walked = walked.map_err(|e| failed(&e))?;
    let pace = &walked.concurrency;
    let Some(stats) = walked.walk else {
        return Ok(Vec::new());
    };
    tracing::debug!(
        probes = stats.probes,
        pages = stats.pages,
        requests = pace.sent,
        throttled = pace.refused,
        longest_refusal_run = pace.longest_refusal_run,
        "Taobao read"
    );
    let mut notes = Vec::new();
    notes.push(match stats.splits {
        1 => "1 Taobao window split".to_owned(),
        n => format!("{n} Taobao windows split"),
    });
    match stats.truncated.len() {
        0 => {}
        1 => notes.push("1 second held more than 1500 rates and was truncated".to_owned()),
        n => notes.push(format!(
            "{n} seconds held more than 1500 rates each and were truncated"
        )),
    }
    if let Some(start) = stats.clamped_start {
        notes.push(format!("Taobao keeps 180 days: read from {start}"));
    }
    Ok(notes)
}
