//! The sync on the caller's thread, the mirror written by a scoped thread beside it.

use std::collections::VecDeque;

use jiff::Timestamp;
use std::ops::ControlFlow;

use review_client::{
    BlockingClient, BlockingTransport, ConcurrentWalk, Route, TaobaoMirror, WechatMirror,
};
use review_model::Platform;
use review_model::mirror::Observed;
use review_protocol::concurrent::Concurrency;
use review_protocol::{Endpoint, MergeStats, Walk, Window};
use review_store::{Mirror, StoreError};

use crate::error::SyncError;
use crate::observer::SyncObserver;
use crate::report::SyncReport;
use crate::request::SyncRequest;
use crate::run::{IN_FLIGHT, TenantRun};
use crate::walked::Requests;
use crate::writer::{Jobs, Ticket, Written};

type Flight = VecDeque<Ticket<Result<Written, StoreError>>>;

/// Syncs `request`'s tenants into `mirror` with a blocking client; returns what it did.
///
/// Tenants are synced one after another, each chunk's rows committed with its bookmark. An
/// error stops the sync; what was committed before stays.
pub fn sync_blocking<T: BlockingTransport>(
    client: &BlockingClient<T>,
    mirror: &mut Mirror,
    request: &SyncRequest,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<SyncReport, SyncError> {
    let now = request.now.unwrap_or_else(Timestamp::now);
    crate::writer::scoped(mirror, |jobs| {
        let mut report = SyncReport::default();
        for tenant in &request.tenants {
            let before = jobs.bookmark(tenant)?.wait()??;
            let mut run = TenantRun::new(tenant, before, request, now);
            let mut flight = Flight::new();
            let walked = walk_tenant(
                client,
                request.concurrency,
                jobs,
                &mut run,
                &mut flight,
                observer,
            );
            // What was handed to the writer is committed (or refused) either way.
            let drained = drain(&mut flight, &mut run, observer);
            walked?;
            drained?;
            report.add(run.report);
        }
        Ok(report)
    })
}

fn walk_tenant<T: BlockingTransport>(
    client: &BlockingClient<T>,
    settings: Concurrency,
    jobs: &Jobs,
    run: &mut TenantRun,
    flight: &mut Flight,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError> {
    for chunk in run.chunks() {
        observer.chunk(&run.tenant, chunk);
        let client_error = |source| SyncError::Client {
            tenant: run.tenant.clone(),
            source: Box::new(source),
        };
        match run.tenant.platform {
            Platform::Wechat => {
                let walk = client
                    .concurrent(WechatMirror::new(chunk.start, chunk.end), settings)
                    .map_err(client_error)?;
                read_chunk(walk, chunk, jobs, run, flight, observer)?;
            }
            Platform::Taobao => {
                let walk = client
                    .concurrent(TaobaoMirror::new(chunk.start, chunk.end), settings)
                    .map_err(client_error)?;
                read_chunk(walk, chunk, jobs, run, flight, observer)?;
            }
        }
    }
    Ok(())
}

fn read_chunk<T, W>(
    mut walk: ConcurrentWalk<'_, T, W>,
    chunk: Window,
    jobs: &Jobs,
    run: &mut TenantRun,
    flight: &mut Flight,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError>
where
    T: BlockingTransport,
    W: Walk<Item = Observed>,
    W::Request: PartialEq + Clone + Send,
    W::Page: Send,
    W::Stats: Requests + MergeStats + Clone,
    <W::Request as Endpoint>::Context: Route,
{
    let mut failed = None;
    let mut stopped = false;
    let read = walk.for_each(|review| {
        observer.read(1);
        if let Some(rows) = run.read(review)
            && let Err(err) = submit(jobs, rows, flight, run, observer)
        {
            failed = Some(err);
            return ControlFlow::Break(());
        }
        if observer.stop() {
            stopped = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    let requests = walk.walked().walk.map_or(0, |stats| stats.requests());
    if let Some(err) = failed {
        return Err(err);
    }
    if let Err(source) = read {
        run.failed(requests);
        return Err(SyncError::Client {
            tenant: run.tenant.clone(),
            source: Box::new(source),
        });
    }
    if stopped {
        run.failed(requests);
        if let Some(rows) = run.partial() {
            submit(jobs, rows, flight, run, observer)?;
        }
        return Err(SyncError::Stopped);
    }
    let rows = run.chunk_done(chunk, requests);
    submit(jobs, rows, flight, run, observer)
}

fn submit(
    jobs: &Jobs,
    rows: crate::writer::Rows,
    flight: &mut Flight,
    run: &mut TenantRun,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError> {
    flight.push_back(jobs.apply(rows)?);
    while flight.len() > IN_FLIGHT {
        if let Some(ticket) = flight.pop_front() {
            run.tally(&ticket.wait()??, observer);
        }
    }
    Ok(())
}

fn drain(
    flight: &mut Flight,
    run: &mut TenantRun,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError> {
    while let Some(ticket) = flight.pop_front() {
        run.tally(&ticket.wait()??, observer);
    }
    Ok(())
}
