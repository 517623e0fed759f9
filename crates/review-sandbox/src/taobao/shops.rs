//! Every tenant's shop behind the one gateway: a call is for the tenant of its `appid` (tenant
//! 0 for an absent or unknown one, which refuses it with 10002 or 10004 as before), and its
//! `tb_seller_nick` must be that tenant's seller (10005).
//!
//! The request quota is spent here, once per call that passed the gateway's checks (form,
//! `appid`, signature, `timestamp`): a call refused by them spends nothing, and a call over
//! the quota answers code 10007 (`调用频率超限: ...`) before its search parameters are read.

use std::collections::HashMap;

use jiff::Timestamp;

use super::answer::{Code, Refusal};
use super::platform::Platform;
use crate::throttle::{Rule, wait_text};

/// Every tenant's shop.
pub(crate) struct Shops {
    tenants: Vec<Platform>,
    by_appid: HashMap<String, usize>,
    quota: Option<Rule>,
}

impl Shops {
    /// The tenants, in order (at least one), under the request quota `quota`, if any.
    pub(crate) fn new(tenants: Vec<Platform>, quota: Option<Rule>) -> Self {
        let by_appid = tenants
            .iter()
            .enumerate()
            .map(|(index, shop)| (shop.credentials.gateway.appid.clone(), index))
            .collect();
        Self {
            tenants,
            by_appid,
            quota,
        }
    }

    /// Tenant 0, which answers what no tenant is named in.
    pub(super) fn first(&self) -> Option<&Platform> {
        self.tenants.first()
    }

    /// The tenant of `appid`; tenant 0 for an absent or unknown one.
    pub(super) fn by_appid(&self, appid: Option<&str>) -> Option<&Platform> {
        let index = appid.and_then(|a| self.by_appid.get(a)).copied();
        self.tenants.get(index.unwrap_or(0))
    }

    /// Spends one call of `shop`'s quota at `now`, or refuses it with 10007.
    pub(super) fn spend(&self, shop: &Platform, now: Timestamp) -> Result<(), Refusal> {
        let Some(rule) = self.quota else {
            return Ok(());
        };
        shop.calls.grant(now, rule).map_err(|wait| {
            Refusal::new(
                Code::RateLimited,
                format!(
                    "调用频率超限: 每个 appid 每 {window} 最多调用 {limit} 次, 请 {wait} 后重试 \
                     (rate limited: at most {limit} calls per {window} for this appid; retry in {wait})",
                    window = rule.window_text().replace("a minute", "minute"),
                    limit = rule.limit,
                    wait = wait_text(wait),
                ),
            )
        })
    }
}
