//! The sans-IO core of the `reviews` SDK.
//!
//! Endpoints build `http::Request<Vec<u8>>` values and parse `http::Response<&[u8]>` values;
//! the access-token lifecycle, the call machine (token, send, retry) and the pagers are state
//! machines that say what to send next.
//! Nothing here opens a socket, awaits, sleeps, reads a clock or draws random numbers: time and
//! randomness are parameters. Any runtime can drive it, and every driver makes the same
//! decisions because they are made here.

mod base_url;
pub mod call;
pub mod concurrent;
mod endpoint;
mod error;
#[cfg(test)]
mod json_cases;
pub mod redact;
pub mod retry;
pub mod sync;
pub mod taobao;
mod walk;
pub mod wechat;
mod window;

pub use base_url::{BaseUrl, InvalidBaseUrl};
pub use endpoint::{Access, Endpoint, Metadata, Method};
pub use error::{ApiCode, ApiError, BuildError, DecodeFailure, Error, HttpError, Throttle};
pub use walk::{MergeStats, Walk};
pub use window::Window;
