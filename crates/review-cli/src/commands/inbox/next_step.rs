//! The next step the inbox suggests for a review, as the command that takes it.

use review_model::Platform;
use review_store::StoredReview;

/// What to do about `row`.
pub(super) fn next_step(row: &StoredReview) -> String {
    let id = &row.review.id;
    match row.review.platform {
        Platform::Taobao => {
            "answer it in the Taobao seller center (Qianniu): fw199 has no reply call".to_owned()
        }
        Platform::Wechat if row.review.replied && row.state.pending_settlement => {
            format!("settle it: reviews wechat compromise {id}")
        }
        Platform::Wechat if row.review.replied => "wait for the buyer".to_owned(),
        Platform::Wechat if row.state.service_sent => {
            format!("a service session was sent; reply: reviews wechat reply {id} TEXT")
        }
        Platform::Wechat => format!(
            "reply: reviews wechat reply {id} TEXT, or open a service session: reviews wechat kf-reset {id}"
        ),
    }
}
