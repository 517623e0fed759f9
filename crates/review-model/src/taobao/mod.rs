//! Taobao trade rates through the fw199 gateway (`POST /gateway/taobao/traderates/get`).

mod datetime;
mod envelope;
mod kinds;
mod page;
mod rate;

pub use datetime::{TimeError, china_standard_time, format_time, parse_time};
pub use envelope::{Envelope, TopError, TopErrorResponse};
pub use kinds::{RateResult, RateType, Role, UnknownValue};
pub use page::{TradeRatePage, WINDOW_CAP};
pub use rate::{Oid, Tid, TradeRate};
