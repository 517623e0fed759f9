//! WeChat: the nine documented comment operations, tokens, customer-service messages and media
//! upload, each endpoint in a module of its own; the pager and the review walk over the list; the access-token cache ([`token_cache`]) and
//! the bad-review push ([`push`]), which only WeChat has.

mod comment_detail;
mod comment_list;
mod comment_reply_add;
mod comment_reply_delete;
mod confirm_compromise;
mod context;
mod custom_send;
mod id_set;
mod kf_quota_reset;
mod media_upload;
mod mirror_walk;
mod pager;
pub mod push;
mod reply_add;
mod reply_delete;
mod reply_thread;
mod review_walk;
mod stable_token;
mod status;
mod token;
pub mod token_cache;
pub mod token_share;
mod wire;

use crate::{Endpoint, Metadata};

pub use comment_detail::GetCommentDetail;
pub use comment_list::{DEFAULT_LIMIT, GetCommentList};
pub use comment_reply_add::AddCommentReply;
pub use comment_reply_delete::DeleteCommentReply;
pub use confirm_compromise::ConfirmCompromise;
pub use context::WechatContext;
pub use custom_send::SendCustomMessage;
pub use kf_quota_reset::ResetKfQuota;
pub use media_upload::{MAX_IMAGE_BYTES, UploadMedia};
pub use mirror_walk::{MirrorStats, MirrorWalk};
pub use pager::CommentPager;
pub use reply_add::AddReply;
pub use reply_delete::DeleteReply;
pub use reply_thread::GetReplyThread;
pub use review_walk::{FromComment, ReviewStats, ReviewWalk, WINDOW_CAP};
pub use stable_token::GetStableToken;
pub use token::GetToken;
pub use token_cache::TokenCache;

/// Every WeChat endpoint, for routers, emulators and policies.
pub const ENDPOINTS: &[Metadata] = &[
    GetToken::METADATA,
    GetStableToken::METADATA,
    GetCommentList::METADATA,
    GetCommentDetail::METADATA,
    GetReplyThread::METADATA,
    AddReply::METADATA,
    DeleteReply::METADATA,
    AddCommentReply::METADATA,
    DeleteCommentReply::METADATA,
    ResetKfQuota::METADATA,
    ConfirmCompromise::METADATA,
    SendCustomMessage::METADATA,
    UploadMedia::METADATA,
];
