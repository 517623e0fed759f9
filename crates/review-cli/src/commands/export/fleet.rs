//! `reviews export` over a fleet (`--profile a,b,c`, `--all-profiles`): one output, the tenants
//! in the fleet's order, each tenant's WeChat records then its Taobao records, each record
//! marked `"tenant": "<profile>"` (a last `tenant` column in CSV).
//!
//! Up to `--tenants-in-flight` tenants are read at once, each with its own session (its
//! credentials, tokens, quota and `--concurrency` per platform). Every tenant's records go to
//! spools (unnamed temporary files), appended to the output in the fleet's order once the
//! tenant is read whole, so memory stays bounded whatever the fleet's size, and a tenant's
//! records are all or nothing: a tenant that fails leaves none in the output, is named with
//! its error on stderr, and the others go on. The output is committed when every tenant has
//! finished; the exit is 1 if any failed.

use std::ops::ControlFlow;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use review_model::Review;
use review_protocol::concurrent::Concurrency;

use super::side_by_side::side_by_side;
use super::writer::{Spool, Spooled};
use super::{Halt, Sink, closed_or, open_sink, taobao, wechat};
use crate::cli::{ExportArgs, ExportFormat, PlatformChoice};
use crate::error::{CliError, CliResult};
use crate::fleet::{Plan, run_ordered};
use crate::interrupt;
use crate::output::progress::Progress;
use crate::settings::FleetTenant;
use crate::setup::{self, Need};
use crate::time;

/// How many tenants past the first unfinished one may start: each finished tenant waiting for
/// its turn keeps its spooled files open, so this bounds the open files (at least
/// `--tenants-in-flight` times four).
const AHEAD: usize = 64;

/// One tenant read whole.
struct Read {
    wechat: Option<Spooled>,
    taobao: Option<Spooled>,
    counts: (u64, u64),
    notes: Vec<String>,
    elapsed: Duration,
}

/// What became of a tenant.
enum Outcome {
    Read(Read),
    Failed(CliError),
    /// Ctrl-C, or the fleet stopped.
    Stopped,
}

/// What the fleet's reading needs to know.
struct Job<'a> {
    need: Need,
    range: (Timestamp, Timestamp),
    format: ExportFormat,
    pace: Concurrency,
    stop: &'a AtomicBool,
    progress: &'a Progress,
}

/// Runs the export over `tenants`.
pub(crate) fn run(args: &ExportArgs, tenants: &[FleetTenant]) -> CliResult {
    let range = time::window(
        args.window.since.as_deref(),
        args.window.until.as_deref(),
        Timestamp::now(),
    )?;
    let (sink, target) = open_sink(args, true)?;
    let started = Instant::now();
    let progress = Progress::start(args.out.is_some(), "exported");
    progress.platform(&format!("{} tenants", tenants.len()));
    let stop = AtomicBool::new(false);
    let job = Job {
        need: Need::reads(args.platform),
        range,
        format: args.format,
        pace: args.pace.settings(),
        stop: &stop,
        progress: &progress,
    };
    let in_flight = args.fleet.tenants_in_flight;
    let plan = Plan {
        count: tenants.len(),
        in_flight,
        ahead: AHEAD.max(in_flight.saturating_mul(4)),
    };
    let mut failed: Vec<&str> = Vec::new();
    let mut halt: Option<Halt> = None;
    let ran = run_ordered(
        plan,
        &stop,
        |index| {
            tenants
                .get(index)
                .map_or(Outcome::Stopped, |t| read(t, &job))
        },
        |index, outcome| {
            let name = tenants.get(index).map_or("?", |t| t.name.as_str());
            let outcome = outcome.unwrap_or_else(Outcome::Failed);
            match outcome {
                Outcome::Read(done) => {
                    let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                    if sink.finished.is_some() {
                        halt = Some(Halt::Interrupted);
                        return ControlFlow::Break(());
                    }
                    if let Err(err) = append(&mut sink, done.wechat, done.taobao) {
                        halt = Some(Halt::Write(err));
                        return ControlFlow::Break(());
                    }
                    drop(sink);
                    progress.line(&format!(
                        "reviews: tenant {name}: exported {} reviews{} in {:.2}s",
                        counts(args.platform, done.counts),
                        notes(&done.notes),
                        done.elapsed.as_secs_f64()
                    ));
                }
                Outcome::Failed(err) => {
                    progress.line(&format!("reviews: tenant {name}: failed: {err}"));
                    failed.push(name);
                }
                Outcome::Stopped => {
                    halt = Some(Halt::Interrupted);
                    return ControlFlow::Break(());
                }
            }
            if interrupt::requested() {
                halt = Some(Halt::Interrupted);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        },
    );
    progress.clear();
    ran?;
    let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
    match halt {
        Some(Halt::Write(err)) => {
            let kept = sink.keep_partial();
            return closed_or(&err, &target, &kept);
        }
        Some(Halt::Interrupted) => return Err(interrupt::interrupted(sink.keep_partial())),
        Some(Halt::Failed(err)) => return Err(err),
        None => {}
    }
    if let Err(err) = sink.commit() {
        let kept = sink.keep_partial();
        return closed_or(&err, &target, &kept);
    }
    let exported = counts(args.platform, (sink.wechat, sink.taobao));
    let elapsed = started.elapsed().as_secs_f64();
    if failed.is_empty() {
        progress.line(&format!(
            "reviews: exported {exported} reviews of {} tenants to {target} in {elapsed:.2}s",
            tenants.len()
        ));
        Ok(())
    } else {
        Err(CliError::runtime(format!(
            "{} of {} tenants failed ({}): exported {exported} reviews of the other {} to {target} in {elapsed:.2}s",
            failed.len(),
            tenants.len(),
            failed.join(", "),
            tenants.len().saturating_sub(failed.len()),
        )))
    }
}

/// Appends a tenant's spools, WeChat's then Taobao's.
fn append(
    sink: &mut Sink,
    wechat: Option<Spooled>,
    taobao: Option<Spooled>,
) -> std::io::Result<()> {
    if let Some(spooled) = wechat {
        let records = sink.writer.append_spooled(spooled)?;
        sink.wechat = sink.wechat.saturating_add(records);
    }
    if let Some(spooled) = taobao {
        let records = sink.writer.append_spooled(spooled)?;
        sink.taobao = sink.taobao.saturating_add(records);
    }
    Ok(())
}

/// `240 WeChat and 2271 Taobao`, or one platform's count.
fn counts(platform: PlatformChoice, (wechat, taobao): (u64, u64)) -> String {
    match platform {
        PlatformChoice::Wechat => format!("{wechat} WeChat"),
        PlatformChoice::Taobao => format!("{taobao} Taobao"),
        PlatformChoice::All => format!("{wechat} WeChat and {taobao} Taobao"),
    }
}

fn notes(notes: &[String]) -> String {
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    }
}

/// Reads one tenant whole into its spools: both platforms at once when both are asked for
/// and the profile has credentials for both.
fn read(tenant: &FleetTenant, job: &Job<'_>) -> Outcome {
    if job.stop.load(Ordering::SeqCst) || interrupt::requested() {
        return Outcome::Stopped;
    }
    let started = Instant::now();
    // Names the tenant in the debug log (RUST_LOG), on both platforms' threads.
    let span = tracing::debug_span!("tenant", name = %tenant.name);
    let _entered = span.enter();
    let session = match setup::tenant_session(&tenant.settings, job.need) {
        Ok(session) => session,
        Err(err) => return Outcome::Failed(err),
    };
    let (since, until) = job.range;
    let read = side_by_side(
        format!("{}-taobao", tenant.name),
        |stop| {
            let Some(side) = &session.wechat else {
                return Ok(None);
            };
            let read = into_spool(job, &tenant.name, stop, |emit| {
                wechat::export(side, since, until, job.pace, emit)
            })?;
            Ok(Some(read))
        },
        |stop| {
            let _entered = span.enter();
            let Some(side) = &session.fw199 else {
                return Ok(None);
            };
            let read = into_spool(job, &tenant.name, stop, |emit| {
                taobao::export(side, since, until, job.pace, emit)
            })?;
            Ok(Some(read))
        },
    );
    let (wechat, taobao) = match read {
        Ok(read) => read,
        Err(Halt::Failed(err)) => return Outcome::Failed(err),
        Err(Halt::Write(err)) => return Outcome::Failed(unwritten(&err)),
        Err(Halt::Interrupted) => return Outcome::Stopped,
    };
    let (taobao, notes) = taobao.map_or((None, Vec::new()), |(spool, notes)| (Some(spool), notes));
    let finish = |spool: Option<Spool>| spool.map(Spool::finish).transpose();
    match (finish(wechat.map(|(spool, ())| spool)), finish(taobao)) {
        (Ok(wechat), Ok(taobao)) => Outcome::Read(Read {
            counts: (
                wechat.as_ref().map_or(0, Spooled::records),
                taobao.as_ref().map_or(0, Spooled::records),
            ),
            wechat,
            taobao,
            notes,
            elapsed: started.elapsed(),
        }),
        (Err(err), _) | (_, Err(err)) => Outcome::Failed(unwritten(&err)),
    }
}

/// A tenant's spool that could not be written.
fn unwritten(err: &std::io::Error) -> CliError {
    CliError::runtime(format!(
        "cannot write the temporary file of the reviews: {err}"
    ))
}

/// Reads one platform of a tenant with `read` into a spool of its own, stopping when the
/// other side failed (`stop`), the fleet stopped, or Ctrl-C came: the spool, and what `read`
/// returned.
fn into_spool<N>(
    job: &Job<'_>,
    tenant: &str,
    stop: &AtomicBool,
    read: impl FnOnce(&mut dyn FnMut(&Review) -> Result<(), Halt>) -> Result<N, Halt>,
) -> Result<(Spool, N), Halt> {
    let mut spool = Spool::tenant(job.format, tenant).map_err(|err| {
        Halt::Failed(CliError::runtime(format!(
            "cannot make a temporary file for the reviews: {err}"
        )))
    })?;
    let got = read(&mut |review| {
        if stop.load(Ordering::Relaxed)
            || job.stop.load(Ordering::Relaxed)
            || interrupt::requested()
        {
            return Err(Halt::Interrupted);
        }
        spool.write(review).map_err(Halt::Write)?;
        job.progress.inc();
        Ok(())
    })?;
    Ok((spool, got))
}
