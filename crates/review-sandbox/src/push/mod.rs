//! Pushing bad reviews to a webhook, as WeChat pushes `wxa_comment_bad_score`.
//!
//! A bad review appears through `POST /sandbox/bad-review` or every `push_interval`; it is
//! POSTed to the configured [`PushTarget`] with the documented query parameters
//! (`signature`, `timestamp`, `nonce`, and `encrypt_type=aes&msg_signature=` in safe mode),
//! built by the protocol's [`PushConfig::deliver`](review_protocol::wechat::push::PushConfig::deliver).
//! When no 2xx answer comes within `push_retry_after` (5 s by default, as WeChat), it is sent
//! again, three times at most; every attempt is a [`PushRecord`].

mod deliver;
mod record;
pub(crate) mod target;

pub(crate) use deliver::{Pusher, new_bad_review, start_timer};
pub use record::PushRecord;
pub(crate) use record::Pushes;
pub use target::PushTarget;
