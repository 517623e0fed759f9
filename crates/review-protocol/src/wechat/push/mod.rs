//! WeChat's push notifications (`wxa_comment_bad_score` and any other event): the URL check,
//! plaintext, compatible and safe mode, replay protection and encryption.
//!
//! Sans-IO like the rest of the crate: the caller passes the query string, the body bytes, the
//! time, and (to encrypt) 16 random bytes. Signatures are compared in constant time; the body
//! size is checked before parsing, the signature before reading the body, and `msg_signature`
//! before decrypting (so decryption errors cannot serve as a padding oracle). WeChat pads to
//! 32-byte blocks, not AES's 16: pad values run 1..=32.
//!
//! # Handing a push to this module from any web server
//!
//! ```
//! use jiff::Timestamp;
//! use review_protocol::wechat::push::{Admission, Deduplicator, PushConfig};
//! use review_model::wechat::PushEvent;
//!
//! // Once, at start-up: a bad key fails here, not on the first push.
//! let config = PushConfig::new("PushToken123")?
//!     .with_aes("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1a2b3c4d5e6f7a8b")?;
//! let mut seen = Deduplicator::default();
//!
//! // In the handler (axum, actix, hyper, a CGI script...): query string, body, clock.
//! # let now = Timestamp::from_second(1_704_038_400)?;
//! # let event = PushEvent::from_json(br#"{"ToUserName":"gh_abcdefg","FromUserName":"oABCD","CreateTime":1704038400,"MsgType":"event","Event":"wxa_comment_bad_score","result":{"comment_id":"2272502024443330610"}}"#)?;
//! # let delivery = config.deliver(&event, review_protocol::wechat::push::Format::Xml, now, "n0nce", Some([7; 16]))?;
//! # let (query, body) = (delivery.query.as_str(), delivery.body.as_slice());
//! match config.open(query, body, now) {
//!     Ok(push) => match seen.admit(&push, now) {
//!         Admission::New => {
//!             if let PushEvent::BadScore(bad) = &push.event {
//!                 println!("bad review {}", bad.comment_id); // keep it durably; answer fast
//!             }
//!             seen.recorded(&push, now); // only once it is kept
//!             let answer = push.answer(); // 200, answer.content_type, answer.body
//!             # assert_eq!(answer.body, br#"{"errcode":0,"success":true}"#);
//!         }
//!         Admission::Recorded => { /* a retry: answer 200 again */ }
//!         Admission::InProgress => { /* wait for the first delivery, then answer */ }
//!         Admission::Replayed => { /* 401: a forged body under a captured URL */ }
//!         Admission::Full => { /* 503: WeChat retries later */ }
//!     },
//!     Err(err) => {
//!         let status = err.http_status(); // 401 for a bad signature, 413 too large, else 400
//!         # let _ = status;
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cipher;
mod config;
mod deliver;
mod error;
mod key;
mod receive;
mod replay;
mod signature;

pub use config::{DEFAULT_MAX_BODY, DEFAULT_WINDOW, PushConfig, PushConfigError};
pub use deliver::{Delivery, Sealed};
pub use error::PushError;
pub use key::{EncodingAesKey, InvalidAesKey};
pub use receive::{Answer, Format, Push};
pub use replay::{Admission, DEFAULT_CAPACITY, DEFAULT_MEMORY, Deduplicator, EventKey};
pub use signature::signature;
