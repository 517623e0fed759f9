//! `reviews export`: both platforms' reviews as the unified record (docs/contracts.md), streamed.
//!
//! Memory stays flat whatever the range: records are written as they arrive, never collected;
//! both platforms are read through the client's review walks, WeChat in windows of bounded
//! size, Taobao through its window planner, each with up to `--concurrency` pages in flight;
//! this module only writes. Both platforms are read at once: WeChat's records go to the
//! output as they come, Taobao's to a spool (an unnamed temporary file) that follows them, so
//! the output is WeChat's reviews, newest first, then Taobao's, window by window, whatever
//! the timing. Ctrl-C stops after the current record and leaves complete lines.

mod fleet;
mod out_file;
mod side_by_side;
mod taobao;
mod wechat;
mod writer;

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use review_model::{Platform, Review};
use review_protocol::concurrent::Concurrency;

use crate::cli::{ExportArgs, PlatformChoice};
use crate::error::{CliError, CliResult};
use crate::interrupt;
use crate::output::progress::Progress;
use crate::setup::{Fw199, Session, Wechat};
use crate::time;

pub(crate) use self::fleet::run as run_fleet;
use self::out_file::OutFile;
use self::side_by_side::side_by_side;
use self::writer::{RecordWriter, Spool};

/// Why an export stopped early.
enum Halt {
    /// Ctrl-C.
    Interrupted,
    /// The output failed (a closed stdout is told apart by the caller).
    Write(io::Error),
    /// The API or the network failed.
    Failed(CliError),
}

/// Where the records go, shared with the Ctrl-C finisher (which runs on the main thread when
/// the export is blocked in a request): whoever finishes first decides the file's fate.
struct Sink {
    writer: RecordWriter,
    file: Option<OutFile>,
    /// What `--out` names (or stdout), for messages.
    target: String,
    wechat: u64,
    taobao: u64,
    /// Set once the output is committed or kept partial: later records are refused.
    finished: Option<String>,
}

impl Sink {
    fn written(&self) -> u64 {
        self.wechat.saturating_add(self.taobao)
    }

    /// Flushes and keeps what was written: `FILE.partial` for a file (FILE untouched), the
    /// lines already on stdout otherwise. Returns where the records are, for the message.
    fn keep_partial(&mut self) -> String {
        if let Some(done) = &self.finished {
            return done.clone();
        }
        let _ = self.writer.flush();
        let written = self.written();
        let place = match self.file.take() {
            None => format!(
                "wrote {written} reviews to {} (complete lines only)",
                self.target
            ),
            Some(file) => match file.keep_partial(written) {
                Ok(Some(partial)) => format!(
                    "wrote {written} reviews to {} (complete lines only); {} is unchanged",
                    partial.display(),
                    self.target
                ),
                Ok(None) => format!("wrote no review; {} is unchanged", self.target),
                Err(err) => format!(
                    "wrote {written} reviews but could not keep them ({err}); {} is unchanged",
                    self.target
                ),
            },
        };
        self.finished = Some(place.clone());
        place
    }

    /// Flushes and, for a file, replaces FILE with the finished export.
    fn commit(&mut self) -> io::Result<()> {
        self.writer.flush()?;
        if let Some(file) = self.file.take() {
            file.commit()?;
        }
        self.finished = Some(format!(
            "wrote {} reviews to {}",
            self.written(),
            self.target
        ));
        Ok(())
    }
}

/// The running export: where records go and how it shows progress.
struct Export {
    sink: Arc<Mutex<Sink>>,
    progress: Progress,
}

impl Export {
    fn sink(&self) -> std::sync::MutexGuard<'_, Sink> {
        self.sink.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes one record, then honours a pending Ctrl-C.
    fn emit(&mut self, review: &Review) -> Result<(), Halt> {
        {
            let mut sink = self.sink();
            if sink.finished.is_some() {
                return Err(Halt::Interrupted);
            }
            sink.writer.write(review).map_err(Halt::Write)?;
            match review.platform {
                Platform::Wechat => sink.wechat = sink.wechat.saturating_add(1),
                Platform::Taobao => sink.taobao = sink.taobao.saturating_add(1),
            }
        }
        self.progress.inc();
        self.check()
    }

    /// Appends the records of a spool (Taobao's, read while WeChat's were written).
    fn append(&mut self, spool: Spool) -> Result<(), Halt> {
        let mut sink = self.sink();
        if sink.finished.is_some() {
            return Err(Halt::Interrupted);
        }
        let records = sink.writer.append(spool).map_err(Halt::Write)?;
        sink.taobao = sink.taobao.saturating_add(records);
        drop(sink);
        self.check()
    }

    /// Stops here if Ctrl-C was pressed.
    fn check(&self) -> Result<(), Halt> {
        if interrupt::requested() {
            Err(Halt::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Refuses bad input before anything starts (so the sandbox's notice never precedes the
/// error): the window, and an `--out` whose directory does not exist.
pub(crate) fn check(args: &ExportArgs) -> CliResult {
    time::window(
        args.window.since.as_deref(),
        args.window.until.as_deref(),
        Timestamp::now(),
    )?;
    if let Some(path) = &args.out {
        out_file::check(path)?;
    }
    Ok(())
}

/// Opens the temporary file beside `--out`, or stdout.
fn open(out: Option<&Path>) -> CliResult<(Box<dyn Write + Send>, Option<OutFile>)> {
    let Some(path) = out else {
        return Ok((Box::new(io::stdout()), None));
    };
    let (file, writer) = OutFile::create(path)?;
    Ok((Box::new(writer), Some(file)))
}

/// Opens `--out` (or stdout) with a writer of `args.format` (a fleet's marks each record with
/// its tenant) and lets Ctrl-C keep what was written; returns the sink and what it names.
fn open_sink(args: &ExportArgs, fleet: bool) -> CliResult<(Arc<Mutex<Sink>>, String)> {
    let target = args.out.as_ref().map_or_else(
        || "stdout".to_owned(),
        |p: &PathBuf| p.display().to_string(),
    );
    let (out, file) = open(args.out.as_deref())?;
    let writer = if fleet {
        RecordWriter::fleet(out, args.format)
    } else {
        RecordWriter::new(out, args.format)
    }
    .map_err(|err| write_error(&err, &target))?;
    let sink = Arc::new(Mutex::new(Sink {
        writer,
        file,
        target: target.clone(),
        wechat: 0,
        taobao: 0,
        finished: None,
    }));
    let finisher = Arc::clone(&sink);
    interrupt::on_interrupt(move || {
        finisher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keep_partial()
    });
    Ok((sink, target))
}

/// Runs the export.
pub(crate) fn run(args: &ExportArgs, session: &Session) -> CliResult {
    let (since, until) = time::window(
        args.window.since.as_deref(),
        args.window.until.as_deref(),
        Timestamp::now(),
    )?;
    let (sink, target) = open_sink(args, false)?;
    let started = Instant::now();
    let mut export = Export {
        sink,
        progress: Progress::start(args.out.is_some(), "exported"),
    };
    let mut notes = Vec::new();
    let walked = walk(args, session, (since, until), &mut export, &mut notes);
    export.progress.clear();
    let mut sink = export.sink();
    match walked {
        Ok(()) => match sink.commit() {
            Ok(()) => {
                summary(args.platform, &sink, &notes, &target, started.elapsed());
                Ok(())
            }
            Err(err) => {
                let kept = sink.keep_partial();
                closed_or(&err, &target, &kept)
            }
        },
        Err(Halt::Write(err)) => {
            let kept = sink.keep_partial();
            closed_or(&err, &target, &kept)
        }
        Err(Halt::Interrupted) => Err(interrupt::interrupted(sink.keep_partial())),
        Err(Halt::Failed(err)) => {
            let kept = sink.keep_partial();
            Err(CliError {
                code: err.code,
                message: format!("{}; {kept} before the failure", err.message),
            })
        }
    }
}

/// Reads the chosen platforms: both at once when both are asked for.
fn walk(
    args: &ExportArgs,
    session: &Session,
    range: (Timestamp, Timestamp),
    export: &mut Export,
    notes: &mut Vec<String>,
) -> Result<(), Halt> {
    let (since, until) = range;
    let settings = args.pace.settings();
    let wechat = matches!(args.platform, PlatformChoice::Wechat | PlatformChoice::All)
        .then(|| session.wechat())
        .transpose()
        .map_err(Halt::Failed)?;
    let fw199 = matches!(args.platform, PlatformChoice::Taobao | PlatformChoice::All)
        .then(|| session.fw199())
        .transpose()
        .map_err(Halt::Failed)?;
    export.check()?;
    match (wechat, fw199) {
        (Some(wechat), Some(fw199)) => {
            notes.extend(both(wechat, fw199, range, args.format, settings, export)?);
            Ok(())
        }
        (Some(wechat), None) => {
            export.progress.platform("WeChat");
            wechat::export(wechat, since, until, settings, &mut |r| export.emit(r))
        }
        (None, Some(fw199)) => {
            export.progress.platform("Taobao");
            let read = taobao::export(fw199, since, until, settings, &mut |r| export.emit(r))?;
            notes.extend(read);
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

/// Reads both platforms at once: WeChat's records to the output, Taobao's to a spool on a
/// thread of its own, appended once WeChat is done. A failure of either stops the other.
fn both(
    wechat: &Wechat,
    fw199: &Fw199,
    (since, until): (Timestamp, Timestamp),
    format: crate::cli::ExportFormat,
    settings: Concurrency,
    export: &mut Export,
) -> Result<Vec<String>, Halt> {
    export.progress.platform("WeChat and Taobao");
    let mut spool = Spool::new(format).map_err(|err| {
        Halt::Failed(CliError::runtime(format!(
            "cannot make a temporary file for Taobao's reviews: {err}"
        )))
    })?;
    let progress = export.progress.clone();
    let ((), (spool, notes)) = side_by_side(
        "taobao-export".to_owned(),
        |stop| {
            wechat::export(wechat, since, until, settings, &mut |review| {
                if stop.load(Ordering::Relaxed) {
                    return Err(Halt::Interrupted);
                }
                export.emit(review)
            })
        },
        move |stop| {
            let notes = taobao::export(fw199, since, until, settings, &mut |review| {
                if stop.load(Ordering::Relaxed) || interrupt::requested() {
                    return Err(Halt::Interrupted);
                }
                spool.write(review).map_err(Halt::Write)?;
                progress.inc();
                Ok(())
            })?;
            Ok((spool, notes))
        },
    )?;
    export.append(spool)?;
    Ok(notes)
}

/// A walk's callback that hands each review to `emit` and stops the walk at the first halt,
/// kept in `halted` for the caller.
fn until_halt<'a>(
    emit: &'a mut dyn FnMut(&Review) -> Result<(), Halt>,
    halted: &'a mut Option<Halt>,
) -> impl FnMut(Review) -> ControlFlow<()> + 'a {
    move |review| match emit(&review) {
        Ok(()) => ControlFlow::Continue(()),
        Err(halt) => {
            *halted = Some(halt);
            ControlFlow::Break(())
        }
    }
}

/// A closed stdout (`reviews export | head`) ends the export quietly; any other write error
/// is a failure.
fn closed_or(err: &io::Error, target: &str, kept: &str) -> CliResult {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        let mut error = write_error(err, target);
        error.message = format!("{}; {kept}", error.message);
        Err(error)
    }
}

fn write_error(err: &io::Error, target: &str) -> CliError {
    CliError::runtime(format!("cannot write to {target}: {err}"))
}

/// The line on stderr that says what was done:
/// `reviews: exported 240 WeChat and 2271 Taobao reviews (12 Taobao windows split) to out.jsonl in 0.21s`.
fn summary(
    platform: PlatformChoice,
    export: &Sink,
    notes: &[String],
    target: &str,
    elapsed: Duration,
) {
    let counts = match platform {
        PlatformChoice::Wechat => format!("{} WeChat", export.wechat),
        PlatformChoice::Taobao => format!("{} Taobao", export.taobao),
        PlatformChoice::All => format!("{} WeChat and {} Taobao", export.wechat, export.taobao),
    };
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    let _ = writeln!(
        io::stderr().lock(),
        "reviews: exported {counts} reviews{notes} to {target} in {:.2}s",
        elapsed.as_secs_f64()
    );
}
