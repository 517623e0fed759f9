//! `cargo xtask fuzz`: an in-process fuzzer on the stable toolchain.
//!
//! Inputs come from a seeded xorshift generator: purely random bytes, or real bodies from
//! `fixtures/**/*.json` mutated (bytes flipped, inserted, deleted, chunks duplicated, seeds
//! spliced). Each input is handed to the target under `catch_unwind`; a panic writes the input to
//! `target/fuzz-crashes/<target>-<n>.bin` and fails the run.

mod seeds;
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cargo;

/// What to fuzz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Target {
    /// `PushConfig::open`, `verify_url` and `open_sealed` on random queries and bodies.
    Push,
    /// Every WeChat endpoint's `parse` on random bytes.
    WechatResponses,
    /// `SearchTradeRates::parse` on random bytes.
    Fw199Responses,
    /// `fw199::verify_form`, the sandbox's form parser.
    Fw199Form,
    /// Every target, the time split between them.
    All,
}

impl Target {
    const EACH: [Self; 4] = [
        Self::Push,
        Self::WechatResponses,
        Self::Fw199Responses,
        Self::Fw199Form,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::WechatResponses => "wechat-responses",
            Self::Fw199Responses => "fw199-responses",
            Self::Fw199Form => "fw199-form",
            Self::All => "all",
        }
    }
}

/// The options.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The target.
    #[arg(value_enum)]
    target: Target,
    /// Seconds to run (for `all`, per target).
    #[arg(long, default_value_t = 10)]
    time: u64,
    /// The generator's seed (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
}

/// Runs the task.
pub(crate) fn run(args: &Args) -> Result<()> {
    let targets: Vec<Target> = if args.target == Target::All {
        Target::EACH.to_vec()
    } else {
        vec![args.target]
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x5eed, |d| d.as_nanos() as u64)
    });
    let corpus = seeds::load(&cargo::workspace_root().join("fixtures"))?;
    let mut failed = Vec::new();
    for target in targets {
        let seeds = corpus.for_target(target);
        let outcome = fuzz(target, &seeds, Duration::from_secs(args.time), seed)?;
        report(target, seed, &outcome);
        if let Some(path) = outcome.crash {
            failed.push(format!("{}: {}", target.name(), path.display()));
        }
    }
    if !failed.is_empty() {
        bail!("fuzzing found panics:\n  {}", failed.join("\n  "));
    }
    Ok(())
}

struct Outcome {
    iterations: u64,
    elapsed: Duration,
    seeds: usize,
    crash: Option<PathBuf>,
}

#[allow(clippy::print_stdout, clippy::float_arithmetic)]
fn report(target: Target, seed: u64, outcome: &Outcome) {
    let secs = outcome.elapsed.as_secs_f64().max(1e-9);
    println!(
        "fuzz {:<17} {:>10} iterations in {:>5.1} s ({:>9.0}/s, {} seeds, seed {seed}){}",
        target.name(),
        outcome.iterations,
        secs,
        outcome.iterations as f64 / secs,
        outcome.seeds,
        if outcome.crash.is_some() {
            "  PANIC"
        } else {
            ""
        }
    );
}

fn fuzz(target: Target, seeds: &[Vec<u8>], time: Duration, seed: u64) -> Result<Outcome> {
    let mut rng = Rng::new(seed ^ target as u64);
    let harness = targets::Harness::new()?;
    let start = Instant::now();
    let mut iterations = 0u64;
    let mut input = Vec::new();
    // Silence the default hook's message per panic; the input file is the report.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("panic: {info}");
        }
    }));
    let mut crash = None;
    loop {
        if iterations.is_multiple_of(64) && start.elapsed() >= time {
            break;
        }
        generate(&mut rng, seeds, &mut input);
        iterations += 1;
        let caught = catch_unwind(AssertUnwindSafe(|| harness.run(target, &input)));
        if caught.is_err() {
            let dir = cargo::workspace_root().join("target").join("fuzz-crashes");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join(format!("{}-{iterations}.bin", target.name()));
            std::fs::write(&path, &input).with_context(|| format!("writing {}", path.display()))?;
            crash = Some(path);
            break;
        }
    }
    std::panic::set_hook(previous);
    Ok(Outcome {
        iterations,
        elapsed: start.elapsed(),
        seeds: seeds.len(),
        crash,
    })
}

/// Bytes that matter to the parsers under test.
const INTERESTING: &[u8] = b"{}[]\":,.-+eE0129\\u&=%<>/![CDATA]\n \x00\xff\xc3\xa9";
const MAX_LEN: usize = 16 * 1024;

/// Fills `input` with the next input: random bytes (one in eight) or a mutated seed.
fn generate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    input.clear();
    let seed = if seeds.is_empty() || rng.below(8) == 0 {
        None
    } else {
        seeds.get(rng.below(seeds.len()))
    };
    let Some(seed) = seed else {
        let len = rng.below(256);
        input.extend((0..len).map(|_| rng.byte()));
        return;
    };
    input.extend_from_slice(seed);
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        mutate(rng, seeds, input);
    }
    input.truncate(MAX_LEN);
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    let len = input.len();
    match rng.below(9) {
        0 => {
            if let Some(b) = input.get_mut(rng.below(len.max(1))) {
                *b ^= 1 << rng.below(8);
            }
        }
        1 => {
            let at = rng.below(len + 1);
            input.insert(at, rng.byte());
        }
        2 => {
            let at = rng.below(len + 1);
            let b = INTERESTING.get(rng.below(INTERESTING.len())).copied();
            input.insert(at, b.unwrap_or(b'0'));
        }
        3 => {
            if let Some(b) = input.get_mut(rng.below(len.max(1))) {
                *b = INTERESTING
                    .get(rng.below(INTERESTING.len()))
                    .copied()
                    .unwrap_or(0);
            }
        }
        4 => {
            if len > 0 {
                let at = rng.below(len);
                let n = (1 + rng.below(16)).min(len - at);
                input.drain(at..at + n);
            }
        }
        5 => {
            // Duplicate a chunk somewhere else.
            if len > 0 {
                let at = rng.below(len);
                let n = (1 + rng.below(64)).min(len - at);
                let chunk: Vec<u8> = input
                    .get(at..at + n)
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                let to = rng.below(len + 1);
                input.splice(to..to, chunk);
            }
        }
        6 => {
            // Splice: our head, another seed's tail.
            if let Some(other) = seeds.get(rng.below(seeds.len().max(1))) {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(cut);
                input.extend_from_slice(other.get(from..).unwrap_or_default());
            }
        }
        7 => {
            input.truncate(rng.below(len + 1));
        }
        _ => {
            // Replace a digit run's digit with a big or signed number.
            let numbers: [&[u8]; 6] = [
                b"18446744073709551616",
                b"-1",
                b"1e999",
                b"0.5",
                b"9223372036854775807",
                b"-0",
            ];
            let at = rng.below(len + 1);
            let n = numbers
                .get(rng.below(numbers.len()))
                .copied()
                .unwrap_or(b"0");
            input.splice(at..at, n.iter().copied());
        }
    }
}

/// xorshift64*: small, fast and good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes().first().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_bounded_and_vary() {
        let seeds = vec![b"{\"errcode\":0}".to_vec(), b"a=1&b=2".to_vec()];
        let mut rng = Rng::new(7);
        let mut input = Vec::new();
        let mut distinct = std::collections::HashSet::new();
        for _ in 0..1000 {
            generate(&mut rng, &seeds, &mut input);
            assert!(input.len() <= MAX_LEN);
            distinct.insert(input.clone());
        }
        assert!(distinct.len() > 500);
    }
}
