//! `reviews sync` over a fleet (`--profile a,b,c`, `--all-profiles`): one mirror, each
//! tenant's rows under its own tenant key (its AppID, its seller nick) as a single sync writes
//! them. Up to `--tenants-in-flight` tenants sync at once, each with its own session and its
//! own connection to the mirror. A tenant that fails keeps what it committed (a sync is
//! resumable: the next run goes on from its bookmark), is named with its error on stderr, and
//! the others go on; the exit is 1 if any failed.

use std::ops::ControlFlow;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use review_sync::SyncReport;

use super::{Checked, Watch, finish_changes, open_changes, summary, sync_session};
use crate::cli::SyncArgs;
use crate::error::{CliError, CliResult, INTERRUPTED};
use crate::fleet::{Plan, run_ordered};
use crate::interrupt;
use crate::mirror;
use crate::output::progress::Progress;
use crate::settings::FleetTenant;
use crate::setup::{self, Need};

/// One tenant's sync: what it committed, and what stopped it.
struct Synced {
    report: SyncReport,
    failure: Option<CliError>,
    elapsed: Duration,
}

/// The one mirror of a fleet: `--db` (or `REVIEWS_DB`), else the profiles' `db` when they
/// agree, else the default file. Profiles naming different mirrors are refused.
pub(crate) fn mirror_of(tenants: &[FleetTenant]) -> CliResult<review_store::MirrorUrl> {
    let mut urls = tenants.iter().map(|t| (t, mirror::url(&t.settings.db)));
    let Some((first, url)) = urls.next() else {
        return Err(CliError::usage("the fleet has no tenants"));
    };
    let url = url?;
    for (tenant, other) in urls {
        if other?.redacted() != url.redacted() {
            return Err(CliError::usage(format!(
                "profiles {} and {} name different mirrors (db): a fleet syncs into one; pass --db URL",
                first.name, tenant.name
            )));
        }
    }
    Ok(url)
}

/// Runs the sync over `tenants`; `checked` holds the fleet's mirror.
pub(crate) fn run(args: &SyncArgs, checked: &Checked, tenants: &[FleetTenant]) -> CliResult {
    let started = Instant::now();
    // Opened once here first, so that the schema is migrated before the tenants connect.
    let target = mirror::open(&checked.url)?.describe();
    let changes = open_changes(args)?;
    let progress = Progress::start(true, "synced");
    progress.platform(&format!("{} tenants", tenants.len()));
    let need = Need::reads(args.platform);
    let stop = AtomicBool::new(false);
    let plan = Plan {
        count: tenants.len(),
        in_flight: args.fleet.tenants_in_flight,
        ahead: tenants.len(),
    };
    let sync_tenant = |tenant: &FleetTenant| -> Result<Synced, CliError> {
        let started = Instant::now();
        let session = setup::tenant_session(&tenant.settings, need)?;
        let mut mirror = mirror::open(&checked.url)?;
        let mut watch = Watch {
            progress: progress.clone(),
            changes: changes.clone(),
            failed: None,
        };
        let (report, failure) = sync_session(args, checked, &session, &mut mirror, &mut watch);
        Ok(Synced {
            report,
            failure: failure.or(watch.failed),
            elapsed: started.elapsed(),
        })
    };
    let mut total = SyncReport::default();
    let mut failed: Vec<&str> = Vec::new();
    let mut interrupted = false;
    run_ordered(
        plan,
        &stop,
        |index| match tenants.get(index) {
            Some(tenant) if !interrupt::requested() => sync_tenant(tenant).map(Some),
            _ => Ok(None),
        },
        |index, outcome| {
            let name = tenants.get(index).map_or("?", |t| t.name.as_str());
            match outcome.and_then(|o| o) {
                Ok(Some(synced)) => {
                    let line = summary::line(
                        &synced.report,
                        &target,
                        synced.elapsed,
                        synced.failure.is_some(),
                    );
                    total.merge(synced.report);
                    match synced.failure {
                        Some(err) if err.code == INTERRUPTED => interrupted = true,
                        Some(err) => {
                            progress
                                .line(&format!("reviews: tenant {name}: failed: {err}; {line}"));
                            failed.push(name);
                        }
                        None => progress.line(&format!("reviews: tenant {name}: {line}")),
                    }
                }
                Ok(None) => interrupted = true,
                Err(err) => {
                    progress.line(&format!("reviews: tenant {name}: failed: {err}"));
                    failed.push(name);
                }
            }
            if interrupted {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )?;
    progress.clear();
    let flushed = finish_changes(changes);
    if interrupted {
        return Err(interrupt::interrupted(
            "what was read is committed; run again to go on",
        ));
    }
    let line = summary::line(&total, &target, started.elapsed(), false);
    if failed.is_empty() {
        flushed?;
        progress.line(&format!("reviews: {} tenants: {line}", tenants.len()));
        Ok(())
    } else {
        Err(CliError::runtime(format!(
            "{} of {} tenants failed ({}): what they read before is committed, run again to go on; all tenants: {line}",
            failed.len(),
            tenants.len(),
            failed.join(", "),
        )))
    }
}
