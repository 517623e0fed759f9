//! `reviews sync`: the mirror brought up to date through `review-sync`, which reads from the
//! bookmark minus the lookback and commits each chunk with its bookmark; this module picks the
//! tenants, shows progress, writes `--changes` and prints the summary line.

mod changes;
mod summary;

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

/// The options, checked before anything starts.
pub(crate) struct Checked {
    url: MirrorUrl,
    since: Option<Timestamp>,
    lookback: SignedDuration,
    now: Timestamp,
}

/// Refuses a bad `--since`, `--lookback`, `--db` or `--changes` before the sandbox starts.
pub(crate) fn check(args: &SyncArgs, settings: &Settings) -> CliResult<Checked> {
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
    let url = mirror::url(&settings.db)?;
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

/// What the user sees as the sync goes: the progress bar and the `--changes` lines.
struct Watch {
    progress: Progress,
    changes: Option<ChangesOut>,
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
        if let Some(out) = &mut self.changes
            && let Err(err) = out.flush()
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
        if let Some(out) = &mut self.changes
            && let Err(err) = out.write(tenant, review, changes)
        {
            self.failed = Some(err);
        }
    }
}

/// Runs the sync of the chosen platforms into the mirror.
pub(crate) fn run(args: &SyncArgs, checked: &Checked, session: &Session) -> CliResult {
    let started = Instant::now();
    let mut mirror = mirror::open(&checked.url)?;
    let changes = args
        .changes
        .as_deref()
        .map(ChangesOut::create)
        .transpose()?;
    let mut watch = Watch {
        progress: Progress::start(true, "synced"),
        changes,
        failed: None,
    };
    let mut request = SyncRequest::new(Vec::new())
        .lookback(checked.lookback)
        .concurrency(args.pace.settings());
    request.since = checked.since;
    request.now = Some(checked.now);
    let mut report = SyncReport::default();
    let mut failure = None;
    if matches!(args.platform, PlatformChoice::Wechat | PlatformChoice::All) {
        let side = session.wechat()?;
        request.tenants = vec![Tenant::new(Platform::Wechat, side.appid.clone())];
        match sync_blocking(&side.client, &mut mirror, &request, &mut watch) {
            Ok(done) => report.merge(done),
            Err(err) => failure = Some(sync_error(&err, |e| side.error(e))),
        }
    }
    if failure.is_none() && matches!(args.platform, PlatformChoice::Taobao | PlatformChoice::All) {
        let side = session.fw199()?;
        request.tenants = vec![Tenant::new(Platform::Taobao, side.seller_nick.clone())];
        match sync_blocking(&side.client, &mut mirror, &request, &mut watch) {
            Ok(done) => report.merge(done),
            Err(err) => {
                failure = Some(sync_error(&err, |e| CliError::client(e, &side.host)));
            }
        }
    }
    watch.progress.clear();
    let flushed = match watch.changes.take() {
        Some(out) => out.finish(),
        None => Ok(()),
    };
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
