//! `reviews export`: both platforms' reviews as the unified record (DESIGN.md), streamed.
//!
//! Memory stays flat whatever the range: records are written as they arrive, never collected;
//! WeChat is read in windows of bounded size (see [`wechat`]); Taobao's window planner
//! bounds its own pages. Ctrl-C stops after the current record and leaves complete lines.

mod interrupt;
mod progress;
mod taobao;
mod wechat;
mod writer;

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use review_model::{Platform, Review};

use crate::cli::{ExportArgs, PlatformChoice};
use crate::error::{CliError, CliResult, INTERRUPTED};
use crate::setup::Session;
use crate::time;

use self::interrupt::Interrupt;
use self::progress::Progress;
use self::writer::RecordWriter;

/// Why an export stopped early.
enum Halt {
    /// Ctrl-C.
    Interrupted,
    /// The output failed (a closed stdout is told apart by the caller).
    Write(io::Error),
    /// The API or the network failed.
    Failed(CliError),
}

/// The running export: where records go and how many went.
struct Export {
    writer: RecordWriter,
    progress: Progress,
    interrupt: Interrupt,
    wechat: u64,
    taobao: u64,
}

impl Export {
    /// Writes one record, then honours a pending Ctrl-C.
    fn emit(&mut self, review: &Review) -> Result<(), Halt> {
        self.writer.write(review).map_err(Halt::Write)?;
        match review.platform {
            Platform::Wechat => self.wechat = self.wechat.saturating_add(1),
            Platform::Taobao => self.taobao = self.taobao.saturating_add(1),
        }
        self.progress.inc();
        self.check()
    }

    /// Stops here if Ctrl-C was pressed.
    fn check(&self) -> Result<(), Halt> {
        if self.interrupt.requested() {
            Err(Halt::Interrupted)
        } else {
            Ok(())
        }
    }

    fn written(&self) -> u64 {
        self.wechat.saturating_add(self.taobao)
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
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "--out {}: the directory {} does not exist; create it first or choose another path",
                path.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Opens `--out` (refusing a path that cannot be created, exit 2) or stdout.
fn open(out: Option<&Path>) -> CliResult<Box<dyn Write>> {
    let Some(path) = out else {
        return Ok(Box::new(io::stdout().lock()));
    };
    match File::create(path) {
        Ok(file) => Ok(Box::new(file)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Err(CliError::usage(format!(
                "--out {}: the directory {} does not exist; create it first or choose another path",
                path.display(),
                dir.display()
            )))
        }
        Err(err) => Err(CliError::usage(format!(
            "--out {}: cannot create the file ({err}); choose another path",
            path.display()
        ))),
    }
}

/// Runs the export.
pub(crate) fn run(args: &ExportArgs, session: &Session) -> CliResult {
    let (since, until) = time::window(
        args.window.since.as_deref(),
        args.window.until.as_deref(),
        Timestamp::now(),
    )?;
    let target = args
        .out
        .as_ref()
        .map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    let writer = RecordWriter::new(open(args.out.as_deref())?, args.format)
        .map_err(|err| write_error(&err, &target))?;
    let started = Instant::now();
    let mut export = Export {
        writer,
        progress: Progress::start(args.out.is_some()),
        interrupt: Interrupt::install(),
        wechat: 0,
        taobao: 0,
    };
    let mut notes = Vec::new();
    let walked = walk(
        args.platform,
        session,
        since,
        until,
        &mut export,
        &mut notes,
    );
    export.progress.clear();
    let flushed = export.writer.flush();
    let written = export.written();
    match walked {
        Ok(()) => match flushed {
            Ok(()) => {
                summary(args.platform, &export, &notes, &target, started.elapsed());
                Ok(())
            }
            Err(err) => closed_or(&err, &target),
        },
        Err(Halt::Write(err)) => closed_or(&err, &target),
        Err(Halt::Interrupted) => Err(CliError {
            code: INTERRUPTED,
            message: format!(
                "interrupted: wrote {written} reviews to {target} (complete lines only)"
            ),
        }),
        Err(Halt::Failed(err)) => Err(CliError {
            code: err.code,
            message: format!(
                "{}; wrote {written} reviews to {target} before the failure (complete lines only)",
                err.message
            ),
        }),
    }
}

/// Reads the chosen platforms in turn: WeChat, then Taobao.
fn walk(
    platform: PlatformChoice,
    session: &Session,
    since: Timestamp,
    until: Timestamp,
    export: &mut Export,
    notes: &mut Vec<String>,
) -> Result<(), Halt> {
    if matches!(platform, PlatformChoice::Wechat | PlatformChoice::All) {
        let side = session.wechat().map_err(Halt::Failed)?;
        export.progress.platform("WeChat");
        wechat::export(side, since, until, export)?;
    }
    if matches!(platform, PlatformChoice::Taobao | PlatformChoice::All) {
        let side = session.fw199().map_err(Halt::Failed)?;
        export.progress.platform("Taobao");
        notes.extend(taobao::export(side, since, until, export)?);
    }
    Ok(())
}

/// A closed stdout (`reviews export | head`) ends the export quietly; any other write error
/// is a failure.
fn closed_or(err: &io::Error, target: &str) -> CliResult {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(write_error(err, target))
    }
}

fn write_error(err: &io::Error, target: &str) -> CliError {
    CliError::runtime(format!("cannot write to {target}: {err}"))
}

/// The line on stderr that says what was done:
/// `reviews: exported 240 WeChat and 2271 Taobao reviews (12 Taobao windows split) to out.jsonl in 0.21s`.
fn summary(
    platform: PlatformChoice,
    export: &Export,
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
