//! Typed models of WeChat Mini Program transaction evaluations and Taobao trade rates.
//!
//! The platforms' documents disagree with themselves: numbers arrive as strings, a text field
//! has three names, ids exceed what a JSON double holds. Every type here decodes every shape seen
//! in practice and encodes the documented one, so the same types serve a client reading the
//! real API and an emulator answering like it.
//!
//! Decoding is lenient where the platforms are inconsistent and strict where a wrong value would
//! be a silent bug: a score that is not one to five stars or an amount that is not a number fails
//! with the path of the field ([`from_slice`]).
//!
//! ```
//! use review_model::wechat::CommentListPage;
//!
//! let page: CommentListPage = review_model::from_slice(r#"{
//!     "errcode": 0,
//!     "commentList": [{
//!         "commentId": "2797755680173111111", "score": "200", "createTime": 1676351504,
//!         "content": {"txt": "一般吧", "media": [{"video": "https://v", "videoDuration": "11"}]}
//!     }],
//!     "total": "1", "offset": 0
//! }"#.as_bytes())?;
//! let comment = &page.comments[0];
//! assert_eq!(comment.score.get(), 2);
//! assert_eq!(comment.create_time.to_string(), "2023-02-14T05:11:44Z");
//! # Ok::<(), review_model::DecodeError>(())
//! ```

mod codec;
mod decode;
mod encode;
mod ids;
mod json_bytes;
pub mod mirror;
mod money;
mod review;
mod scan;
mod secret;
mod stars;
pub mod taobao;
pub mod wechat;
pub mod xml;

pub use decode::{DecodeError, from_slice, from_value};
pub use ids::{AppId, CommentId, CommentReplyId, IdError, MediaId, OpenId, ReplyId};
pub use money::{Fen, MoneyError};
pub use review::{Platform, Review, Sentiment};
pub use secret::{AccessToken, Secret};
pub use stars::{Stars, StarsError};

/// Re-exported so users name the same timestamp type the models use.
pub use jiff::Timestamp;
