//! The sync as a future: the pages streamed, the mirror's answers awaited from its
//! [`MirrorWriter`] thread.

use std::collections::VecDeque;

use futures_util::StreamExt;
use jiff::Timestamp;
use review_client::{
    AsyncClient, AsyncTransport, ConcurrentPager, Route, TaobaoMirror, WechatMirror,
};
use review_model::Platform;
use review_model::mirror::Observed;
use review_protocol::concurrent::Concurrency;
use review_protocol::{Endpoint, MergeStats, Walk, Window};
use review_store::StoreError;

use crate::error::SyncError;
use crate::observer::SyncObserver;
use crate::report::SyncReport;
use crate::request::SyncRequest;
use crate::run::{IN_FLIGHT, TenantRun};
use crate::walked::Requests;
use crate::writer::{Jobs, MirrorWriter, Rows, Ticket, Written};

type Flight = VecDeque<Ticket<Result<Written, StoreError>>>;

/// Syncs `request`'s tenants into the mirror `writer` holds with an async client: the same
/// plan, batches and bookmarks as [`sync_blocking`](crate::sync_blocking).
pub async fn sync_async<T: AsyncTransport>(
    client: &AsyncClient<T>,
    writer: &MirrorWriter,
    request: &SyncRequest,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<SyncReport, SyncError> {
    let now = request.now.unwrap_or_else(Timestamp::now);
    let jobs = writer.jobs();
    let mut report = SyncReport::default();
    for tenant in &request.tenants {
        let before = jobs.bookmark(tenant)?.wait_async().await??;
        let mut run = TenantRun::new(tenant, before, request, now);
        let mut flight = Flight::new();
        let walked = walk_tenant(
            client,
            request.concurrency,
            jobs,
            &mut run,
            &mut flight,
            observer,
        )
        .await;
        let drained = drain(&mut flight, &mut run, observer).await;
        walked?;
        drained?;
        report.add(run.report);
    }
    Ok(report)
}

async fn walk_tenant<T: AsyncTransport>(
    client: &AsyncClient<T>,
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
                let pager = client
                    .concurrent(WechatMirror::new(chunk.start, chunk.end), settings)
                    .map_err(client_error)?;
                read_chunk(pager, chunk, jobs, run, flight, observer).await?;
            }
            Platform::Taobao => {
                let pager = client
                    .concurrent(TaobaoMirror::new(chunk.start, chunk.end), settings)
                    .map_err(client_error)?;
                read_chunk(pager, chunk, jobs, run, flight, observer).await?;
            }
        }
    }
    Ok(())
}

async fn read_chunk<'c, T, W>(
    mut pager: ConcurrentPager<'c, T, W>,
    chunk: Window,
    jobs: &Jobs,
    run: &mut TenantRun,
    flight: &mut Flight,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError>
where
    T: AsyncTransport,
    W: Walk<Item = Observed> + Send + 'c,
    W::Stats: Requests + MergeStats + Clone,
    W::Request: PartialEq + Clone + Send + Sync + 'c,
    W::Page: Send + 'c,
    <W::Request as Endpoint>::Context: Route,
{
    while let Some(item) = pager.next().await {
        let review = match item {
            Ok(review) => review,
            Err(source) => {
                run.failed(requests(&pager));
                return Err(SyncError::Client {
                    tenant: run.tenant.clone(),
                    source: Box::new(source),
                });
            }
        };
        observer.read(1);
        if let Some(rows) = run.read(review) {
            submit(jobs, rows, flight, run, observer).await?;
        }
        if observer.stop() {
            run.failed(requests(&pager));
            if let Some(rows) = run.partial() {
                submit(jobs, rows, flight, run, observer).await?;
            }
            return Err(SyncError::Stopped);
        }
    }
    let rows = run.chunk_done(chunk, requests(&pager));
    submit(jobs, rows, flight, run, observer).await
}

/// The listing requests the walk sent so far, its lanes merged.
fn requests<T, W>(pager: &ConcurrentPager<'_, T, W>) -> u64
where
    W: Walk,
    W::Request: PartialEq + Clone,
    W::Stats: Requests + MergeStats + Clone,
{
    pager.walked().walk.map_or(0, |stats| stats.requests())
}

async fn submit(
    jobs: &Jobs,
    rows: Rows,
    flight: &mut Flight,
    run: &mut TenantRun,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError> {
    flight.push_back(jobs.apply(rows)?);
    while flight.len() > IN_FLIGHT {
        if let Some(ticket) = flight.pop_front() {
            run.tally(&ticket.wait_async().await??, observer);
        }
    }
    Ok(())
}

async fn drain(
    flight: &mut Flight,
    run: &mut TenantRun,
    observer: &mut (dyn SyncObserver + Send),
) -> Result<(), SyncError> {
    while let Some(ticket) = flight.pop_front() {
        run.tally(&ticket.wait_async().await??, observer);
    }
    Ok(())
}
