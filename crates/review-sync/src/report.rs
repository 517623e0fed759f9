//! What a sync did.

use std::collections::BTreeMap;

use review_model::mirror::Change;
use review_store::Tenant;

/// The counts of one tenant's sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantReport {
    /// The tenant.
    pub tenant: Tenant,
    /// Reviews first seen.
    pub new: u64,
    /// Reviews changed, by kind (one review may count under several).
    pub changed: BTreeMap<Change, u64>,
    /// Reviews changed, each once.
    pub changed_reviews: u64,
    /// Reviews read again as they were.
    pub unchanged: u64,
    /// Listing requests sent (count probes, pages, filter listings; token requests aside).
    pub requests: u64,
    /// Chunks read and committed.
    pub chunks: u64,
}

impl TenantReport {
    pub(crate) fn new(tenant: Tenant) -> Self {
        Self {
            tenant,
            new: 0,
            changed: BTreeMap::new(),
            changed_reviews: 0,
            unchanged: 0,
            requests: 0,
            chunks: 0,
        }
    }
}

/// The counts of a whole sync, and per tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Reviews first seen.
    pub new: u64,
    /// Reviews changed, by kind (one review may count under several).
    pub changed: BTreeMap<Change, u64>,
    /// Reviews changed, each once.
    pub changed_reviews: u64,
    /// Reviews read again as they were.
    pub unchanged: u64,
    /// Listing requests sent.
    pub requests: u64,
    /// Per tenant, in the request's order.
    pub tenants: Vec<TenantReport>,
}

impl SyncReport {
    pub(crate) fn add(&mut self, tenant: TenantReport) {
        self.new = self.new.saturating_add(tenant.new);
        self.changed_reviews = self.changed_reviews.saturating_add(tenant.changed_reviews);
        for (change, count) in &tenant.changed {
            let total = self.changed.entry(*change).or_default();
            *total = total.saturating_add(*count);
        }
        self.unchanged = self.unchanged.saturating_add(tenant.unchanged);
        self.requests = self.requests.saturating_add(tenant.requests);
        self.tenants.push(tenant);
    }

    /// Adds the counts and tenants of another sync (of other tenants, say another platform's
    /// client).
    pub fn merge(&mut self, other: SyncReport) {
        for tenant in other.tenants {
            self.add(tenant);
        }
    }
}
