//! Taobao trade rates, read through the fw199 gateway: the search, `has_next` paging and the
//! planner that splits a range into windows under the 1500-record cap. The gateway's own
//! concerns (credentials, signature, form and envelope) live in [`fw199`].

pub mod fw199;
mod pager;
mod planner;
mod review_walk;
mod trade_rates;

use crate::{Endpoint, Metadata};

pub use crate::Window;
pub use fw199::{Fw199Context, Fw199Credentials};
pub use pager::TradeRatePager;
pub use planner::{PlanStats, PlannedWindow, Truncated, WindowPlanner};
pub use review_walk::{FromRate, ReviewWalk};
pub use trade_rates::{
    DEFAULT_PAGE_SIZE, HISTORY, MAX_PAGE_NO, MAX_PAGE_SIZE, RETRY_GRACE, SearchTradeRates, oldest,
};

/// Every Taobao endpoint, for routers, emulators and policies.
pub const ENDPOINTS: &[Metadata] = &[SearchTradeRates::METADATA];
