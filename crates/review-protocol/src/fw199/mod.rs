//! Taobao trade rates through the fw199 gateway: the signer, the search, `has_next` paging and
//! the planner that splits a range into windows under the 1500-record cap.

mod context;
mod credentials;
mod pager;
mod planner;
mod search;
mod sign;

pub use context::Fw199Context;
pub use credentials::Fw199Credentials;
pub use pager::TradeRatePager;
pub use planner::{PlanStats, PlannedWindow, Truncated, Window, WindowPlanner};
pub use search::{
    DEFAULT_PAGE_SIZE, HISTORY, MAX_PAGE_NO, MAX_PAGE_SIZE, PATH, RETRY_GRACE, SearchTradeRates,
    oldest,
};
pub use sign::{SIGN, SignatureError, sign, verify, verify_form};
