//! One tenant's sync, whichever driver waits: the plan, the batch being filled, the
//! bookmark after each chunk and the tally of what the mirror made of each batch.

use jiff::Timestamp;
use review_model::mirror::{Bookmark, Change, Observed};
use review_protocol::Window;
use review_protocol::sync::SyncPlan;
use review_store::Tenant;

use crate::observer::SyncObserver;
use crate::report::TenantReport;
use crate::request::SyncRequest;
use crate::writer::{Rows, Written};

/// Batches committed ahead of the one being read: enough to keep the reader and the writer
/// both busy, few enough to bound memory.
pub(crate) const IN_FLIGHT: usize = 2;

pub(crate) struct TenantRun {
    pub(crate) tenant: Tenant,
    plan: SyncPlan,
    /// The bookmark as of the last batch handed to the writer.
    mark: Option<Bookmark>,
    batch: Vec<Observed>,
    batch_size: usize,
    now: Timestamp,
    pub(crate) report: TenantReport,
}

impl TenantRun {
    pub(crate) fn new(
        tenant: &Tenant,
        before: Option<Bookmark>,
        request: &SyncRequest,
        now: Timestamp,
    ) -> Self {
        let plan =
            SyncPlan::with_chunk(before, request.since, request.lookback, now, request.chunk);
        Self {
            tenant: tenant.clone(),
            plan,
            mark: before,
            batch: Vec::new(),
            batch_size: request.batch.max(1),
            now,
            report: TenantReport::new(tenant.clone()),
        }
    }

    /// The chunks to read, oldest first.
    pub(crate) fn chunks(&self) -> Vec<Window> {
        self.plan.chunks().to_vec()
    }

    /// Takes a review read; a full batch is handed back to be written.
    pub(crate) fn read(&mut self, review: Observed) -> Option<Rows> {
        self.batch.push(review);
        (self.batch.len() >= self.batch_size).then(|| self.rows(None))
    }

    /// The chunk was read whole: its last rows, with the bookmark that now covers it.
    pub(crate) fn chunk_done(&mut self, chunk: Window, requests: u64) -> Rows {
        self.report.requests = self.report.requests.saturating_add(requests);
        self.report.chunks = self.report.chunks.saturating_add(1);
        let mark = self.plan.bookmark_after(self.mark, chunk);
        self.mark = Some(mark);
        self.rows(Some(mark))
    }

    /// The reviews read since the last batch, to commit before stopping (no bookmark: the
    /// chunk is not read whole).
    pub(crate) fn partial(&mut self) -> Option<Rows> {
        (!self.batch.is_empty()).then(|| self.rows(None))
    }

    /// The requests of a chunk that failed part-way, so the report still counts them.
    pub(crate) fn failed(&mut self, requests: u64) {
        self.report.requests = self.report.requests.saturating_add(requests);
    }

    fn rows(&mut self, covered: Option<Bookmark>) -> Rows {
        Rows {
            tenant: self.tenant.clone(),
            reviews: std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_size)),
            covered,
            now: self.now,
        }
    }

    /// Counts what the mirror made of a committed batch and tells the observer.
    pub(crate) fn tally(&mut self, written: &Written, observer: &mut (dyn SyncObserver + Send)) {
        let report = &mut self.report;
        let total = u64::try_from(written.rows.reviews.len()).unwrap_or(u64::MAX);
        let mut changed = 0u64;
        for entry in &written.applied.changed {
            let Some(review) = written.rows.reviews.get(entry.index) else {
                continue;
            };
            changed = changed.saturating_add(1);
            if entry.changes.contains(&Change::New) {
                report.new = report.new.saturating_add(1);
            } else {
                report.changed_reviews = report.changed_reviews.saturating_add(1);
                for change in &entry.changes {
                    let count = report.changed.entry(*change).or_default();
                    *count = count.saturating_add(1);
                }
            }
            observer.changed(&self.tenant, review, &entry.changes);
        }
        report.unchanged = report
            .unchanged
            .saturating_add(total.saturating_sub(changed));
    }
}
