//! `reviews sync`: the mirror brought up to date through `review-sync`, which reads from the
//! bookmark minus the lookback and commits each chunk with its bookmark; this module picks the
//! tenants, shows progress, writes `--changes` and prints the summary line.

mod changes;
mod fleet;
mod summary;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use review_model::Platform;
use review_model::mirror::{Change, Observed};
use review_protocol::Window;
use review_store::{MirrorUrl, Tenant};
use review_sync::{SyncObserver, SyncReport, SyncRequest, sync_blocking};

use crate::cli::{PlatformChoice, SyncArgs};
use crate::error::{CliError, CliResult};
use crate::mirror;
use crate::output::progress::Progress;
use crate::settings::Settings;
use crate::setup::Session;
use crate::time;

use self::changes::ChangesOut;
pub(crate) use self::fleet::{mirror_of, run as run_fleet};

/// The options, checked before anything starts.
pub(crate) struct Checked {
    url: MirrorUrl,
    since: Option<Timestamp>,
    lookback: SignedDuration,
    now: Timestamp,
}

/// Refuses a bad `--since`, `--lookback`, `--db` or `--changes` before the sandbox starts.
pub(crate) fn check(args: &SyncArgs, settings: &Settings) -> CliResult<Checked> {
    check_url(args, mirror::url(&settings.db)?)
}

/// Refuses a bad `--since`, `--lookback` or `--changes`; `url` is the mirror, checked.
pub(crate) fn check_url(args: &SyncArgs, url: MirrorUrl) -> CliResult<Checked> {
    let now = Timestamp::now();
    let since = args
        .since
        .as_deref()
        .map(|text| time::parse(text, now, "--since"))
        .transpose()?;
    if since.is_some_and(|since| since > now) {
        return Err(CliError::usage(
            "--since is in the future: a sync reads up to now",
        ));
    }
    let lookback = time::span(&args.lookback, "--lookback")?;
    if let Some(path) = &args.changes {
        changes::check(path)?;
    }
    Ok(Checked {
        url,
        since,
        lookback,
        now,
    })
}

/// What the user sees as the sync goes: the progress bar and the `--changes` lines (shared by
/// the tenants of a fleet, a whole line at a time).
struct Watch {
    progress: Progress,
    changes: Option<Arc<Mutex<ChangesOut>>>,
    /// The first failure to write a change line, reported at the end.
    failed: Option<CliError>,
}

impl SyncObserver for Watch {
    fn chunk(&mut self, tenant: &Tenant, _window: Window) {
        let name = match tenant.platform {
            Platform::Wechat => "WeChat",
            Platform::Taobao => "Taobao",
        };
        self.progress.platform(name);
        if let Some(out) = &self.changes
            && let Err(err) = out.lock().unwrap_or_else(PoisonError::into_inner).flush()
        {
            self.failed.get_or_insert(err);
        }
    }

    fn read(&mut self, count: u64) {
        self.progress.add(count);
    }

    fn stop(&mut self) -> bool {
        crate::interrupt::requested()
    }

    fn changed(&mut self, tenant: &Tenant, review: &Observed, changes: &[Change]) {
        if self.failed.is_some() {
            return;
        }
        if let Some(out) = &self.changes
            && let Err(err) = out
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .write(tenant, review, changes)
        {
            self.failed = Some(err);
        }
    }
}

/// Runs the sync of the chosen platforms into the mirror.
pub(crate) fn run(args: &SyncArgs, checked: &Checked, session: &Session) -> CliResult {
    let started = Instant::now();
    let mut mirror = mirror::open(&checked.url)?;
    let changes = open_changes(args)?;
    let mut watch = Watch {
        progress: Progress::start(true, "synced"),
        changes,
        failed: None,
    };
    let (report, failure) = sync_session(args, checked, session, &mut mirror, &mut watch);
    watch.progress.clear();
    let flushed = finish_changes(watch.changes.take());
    if let Some(mut err) = failure {
        err.message = format!(
            "{}; {}",
            err.message,
            summary::line(&report, &mirror.describe(), started.elapsed(), true)
        );
        return Err(err);
    }
    if let Some(err) = watch.failed.take() {
        return Err(err);
    }
    flushed?;
    summary::print(&report, &mirror.describe(), started.elapsed());
    Ok(())
}

/// Flushes the `--changes` lines at the end.
/// The `--changes` output, shared by the tenants that report to it.
fn open_changes(args: &SyncArgs) -> CliResult<Option<Arc<Mutex<ChangesOut>>>> {
    let changes = args
        .changes
        .as_deref()
        .map(ChangesOut::create)
        .transpose()?;
    Ok(changes.map(|out| Arc::new(Mutex::new(out))))
}

fn finish_changes(changes: Option<Arc<Mutex<ChangesOut>>>) -> CliResult {
    match changes.map(Arc::into_inner) {
        Some(Some(out)) => out
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .finish(),
        Some(None) => Err(CliError::runtime(
            "--changes: the lines are still being written",
        )),
        None => Ok(()),
    }
}

/// Syncs the chosen platforms of one session (one tenant) into `mirror`: what was committed,
/// and the failure that stopped it, if one did.
fn sync_session(
    args: &SyncArgs,
    checked: &Checked,
    session: &Session,
    mirror: &mut review_store::Mirror,
    watch: &mut Watch,
) -> (SyncReport, Option<CliError>) {
    let mut request = SyncRequest::new(Vec::new())
        .lookback(checked.lookback)
        .concurrency(args.pace.settings());
    request.since = checked.since;
    request.now = Some(checked.now);
    let mut report = SyncReport::default();
    let mut failure = None;
    let wanted = |choice| matches!(args.platform, PlatformChoice::All) || args.platform == choice;
    if wanted(PlatformChoice::Wechat)
        && let Some(side) = &session.wechat
    {
        request.tenants = vec![Tenant::new(Platform::Wechat, side.appid.clone())];
        match sync_blocking(&side.client, mirror, &request, watch) {
            Ok(done) => report.merge(done),
            Err(err) => failure = Some(sync_error(&err, |e| side.error(e))),
        }
    }
    if failure.is_none()
        && wanted(PlatformChoice::Taobao)
        && let Some(side) = &session.fw199
    {
        request.tenants = vec![Tenant::new(Platform::Taobao, side.seller_nick.clone())];
        match sync_blocking(&side.client, mirror, &request, watch) {
            Ok(done) => report.merge(done),
            Err(err) => {
                failure = Some(sync_error(&err, |e| CliError::client(e, &side.host)));
            }
        }
    }
    (report, failure)
}

/// The one line of a failed sync: the API's error as other commands word it, or the mirror's.
fn sync_error(
    err: &review_sync::SyncError,
    client: impl Fn(&review_client::ClientError) -> CliError,
) -> CliError {
    match err {
        review_sync::SyncError::Client { source, .. } => {
            let mut error = client(source);
            error.message = format!(
                "{}; what was read before is committed, run again to go on",
                error.message
            );
            error
        }
        review_sync::SyncError::Stopped => {
            crate::interrupt::interrupted("what was read is committed; run again to go on")
        }
        other => CliError::runtime(format!("{other}; what was committed before stays")),
    }
}
