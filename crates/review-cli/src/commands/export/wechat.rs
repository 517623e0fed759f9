//! WeChat's side of the export: the client's review walk reads the range in windows of
//! bounded size, with `replied` joined from each window's awaiting-reply listing (see
//! `review_protocol::wechat::ReviewWalk`), and each review becomes a record as it comes.

use jiff::Timestamp;
use review_client::{ClientError, WechatReviews};

use super::{Export, Halt};
use crate::setup::Wechat;

/// Writes every comment of `[since, until]`, newest first.
pub(super) fn export(
    side: &Wechat,
    since: Timestamp,
    until: Timestamp,
    export: &mut Export,
) -> Result<(), Halt> {
    let failed = |err: &ClientError| Halt::Failed(side.error(err));
    export.check()?;
    let mut reviews = side
        .client
        .reviews(WechatReviews::new(since, until))
        .map_err(|e| failed(&e))?;
    for review in reviews.by_ref() {
        export.emit(&review.map_err(|e| failed(&e))?)?;
    }
    let stats = reviews.stats();
    tracing::debug!(
        windows = stats.windows,
        splits = stats.splits,
        probes = stats.probes,
        pages = stats.pages,
        "WeChat read"
    );
    Ok(())
}
