//! WeChat Mini Program transaction evaluations (`/wxaapi/comment/...`) and the endpoints around
//! them: access tokens, media upload, customer-service messages and the bad-review push.

mod comment;
pub(crate) mod content;
mod detail;
mod envelope;
mod errcode;
mod filter;
mod list;
mod media;
mod message;
mod push;
mod thread;
mod token;
mod upload;
mod write;

pub use comment::{BizInfo, Comment, ExtInfo, OrderInfo, Product, ProductInfo, UserInfo};
pub use content::Content;
pub use detail::{Action, ActionType, CommentDetail, CommentInfo, OldComment, ProcessInfo};
pub use envelope::{ApiStatus, Empty, Envelope};
pub use errcode::ErrCode;
pub use filter::{FilterType, UnknownFilter};
pub use list::CommentListPage;
pub use media::{Image, Media, Video};
pub use message::{
    CustomMessage, ImageMessage, LinkMessage, MessageBody, MiniProgramPageMessage, TextMessage,
};
pub use push::{
    BAD_SCORE_EVENT, BadScoreEvent, EncryptedPush, OtherEvent, PushDecodeError, PushEvent,
};
pub use thread::{Author, CommentReply, Reply, ReplyThread, ReplyThreadResponse, TextBody};
pub use token::{AccessTokenResponse, CLIENT_CREDENTIAL, StableTokenRequest};
pub use upload::MediaUpload;
pub use write::{
    CommentReplyAdd, CommentReplyDelete, ConfirmCompromise, KfQuotaReset, ReplyAdd, ReplyDelete,
};
