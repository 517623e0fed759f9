//! The listing requests a walk sent, whatever the platform.

use review_protocol::taobao::PlanStats;
use review_protocol::wechat::MirrorStats;

/// Requests a walk's stats account for.
pub(crate) trait Requests {
    fn requests(&self) -> u64;
}

impl Requests for MirrorStats {
    fn requests(&self) -> u64 {
        self.filter_pages
            .saturating_add(self.reviews.probes)
            .saturating_add(self.reviews.pages)
    }
}

impl Requests for PlanStats {
    fn requests(&self) -> u64 {
        PlanStats::requests(self)
    }
}
