//! `cargo xtask bench`: runs the decode, record, sandbox, export, network (concurrent export), webhook, fleet and mirror benchmarks and prints one table
//! of the ratios they report against their in-run baselines (also written to
//! `target/xtask-bench.json`).

use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::cargo;

/// The options.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Small sizes and short durations (a smoke run, not a measurement).
    #[arg(long)]
    quick: bool,
}

/// One benchmark: its crate, its bench target and the environment of a quick run.
struct Bench {
    package: &'static str,
    bench: &'static str,
    quick_env: &'static [(&'static str, &'static str)],
}

const BENCHES: &[Bench] = &[
    Bench {
        package: "review-protocol",
        bench: "decode",
        quick_env: &[],
    },
    Bench {
        package: "review-protocol",
        bench: "record",
        quick_env: &[("RECORD_ROUNDS", "3")],
    },
    Bench {
        package: "review-sandbox",
        bench: "list_page",
        quick_env: &[("BENCH_SECONDS", "1"), ("BENCH_CLIENTS", "4")],
    },
    Bench {
        package: "review-ureq",
        bench: "export",
        quick_env: &[("EXPORT_COMMENTS", "10000")],
    },
    Bench {
        package: "review-sync",
        bench: "sync",
        quick_env: &[
            ("SYNC_COMMENTS", "2000"),
            ("SYNC_RATES", "2000"),
            ("SYNC_MIRROR", "6000"),
        ],
    },
    Bench {
        package: "review-cli",
        bench: "webhook",
        quick_env: &[("WEBHOOK_PUSHES", "4000")],
    },
    Bench {
        package: "review-cli",
        bench: "network",
        quick_env: &[
            ("EXPORT_COMMENTS", "2000"),
            ("EXPORT_RATES", "2000"),
            ("EXPORT_RUNS", "1"),
        ],
    },
    Bench {
        package: "review-cli",
        bench: "fleet",
        quick_env: &[
            ("FLEET_TENANTS", "6"),
            ("FLEET_COMMENTS", "60"),
            ("FLEET_RATES", "60"),
            ("FLEET_LATENCY_MS", "5"),
            ("FLEET_BIND_WINDOW_MS", "200"),
            ("FLEET_MEMORY_TENANTS", "4"),
            ("FLEET_MEMORY_RECORDS", "200"),
        ],
    },
    Bench {
        package: "review-store",
        bench: "upsert",
        quick_env: &[("STORE_ROWS", "2000"), ("STORE_BATCH", "500")],
    },
];

/// One ratio reported by a benchmark.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ratio {
    /// What was compared.
    pub(crate) measurement: String,
    /// The ratio.
    pub(crate) ratio: f64,
    /// The target, if the benchmark states one (`>= 1.5x`).
    pub(crate) target: Option<String>,
}

/// Runs the task.
pub(crate) fn run(args: &Args) -> Result<()> {
    let mut rows = Vec::new();
    for bench in BENCHES {
        let output = run_bench(bench, args.quick)?;
        for ratio in parse_ratios(&output) {
            rows.push((bench.bench, ratio));
        }
    }
    print_table(&rows);
    let json = serde_json::Value::Array(
        rows.iter()
            .map(|(bench, r)| {
                serde_json::json!({
                    "bench": bench,
                    "measurement": r.measurement,
                    "ratio": r.ratio,
                    "target": r.target,
                })
            })
            .collect(),
    );
    let dir = cargo::workspace_root().join("target");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("xtask-bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    report_path(&path);
    if rows.is_empty() {
        bail!("the benchmarks reported no ratio");
    }
    Ok(())
}

#[allow(clippy::print_stderr)]
fn run_bench(bench: &Bench, quick: bool) -> Result<String> {
    // A quick run checks that every benchmark runs and reports, on the test build: a release
    // build of the workspace would cost CI minutes for numbers nobody reads. Measure without it.
    let mut args = vec!["bench", "-p", bench.package, "--bench", bench.bench];
    if quick {
        args.extend(["--profile", "dev"]);
    }
    eprintln!("==> cargo {}", args.join(" "));
    let mut command = cargo::command(&args);
    if quick {
        command.envs(bench.quick_env.iter().copied());
    }
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start cargo for bench {}", bench.bench))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprint!("{stdout}");
    if !output.status.success() {
        bail!("bench {} failed ({})", bench.bench, output.status);
    }
    Ok(stdout)
}

#[allow(clippy::print_stdout)]
fn print_table(rows: &[(&str, Ratio)]) {
    let width = rows
        .iter()
        .map(|(_, r)| r.measurement.chars().count())
        .max()
        .unwrap_or(0)
        .max("measurement".len());
    println!();
    println!(
        "{:<10} {:<width$} {:>8}  target",
        "bench", "measurement", "ratio"
    );
    for (bench, r) in rows {
        println!(
            "{:<10} {:<width$} {:>7.2}x  {}",
            bench,
            r.measurement,
            r.ratio,
            r.target.as_deref().unwrap_or("-")
        );
    }
}

#[allow(clippy::print_stdout)]
fn report_path(path: &std::path::Path) {
    println!("written to {}", path.display());
}

/// Extracts the ratios from a benchmark's output.
///
/// Lines holding `<number>x` are split on `;`, each part giving one ratio (the text around the
/// number is the measurement, a parenthesised `target ...` the target); the sandbox's
/// `ratio to baseline: list page 0.85, fw199 page 0.40` gives one ratio per comma-separated part.
/// Unindented lines are titles and prefix the measurements under them.
pub(crate) fn parse_ratios(output: &str) -> Vec<Ratio> {
    let mut ratios = Vec::new();
    let mut title = String::new();
    for line in output.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            title = line
                .split(" (")
                .next()
                .unwrap_or(line)
                .trim_end_matches(':')
                .trim()
                .to_owned();
        }
        let text = line.trim();
        if let Some(rest) = text.strip_prefix("ratio to baseline:") {
            for part in rest.split(',') {
                let part = part.trim();
                let Some((name, number)) = part.rsplit_once(' ') else {
                    continue;
                };
                if let Ok(ratio) = number.parse::<f64>() {
                    ratios.push(Ratio {
                        measurement: format!("{name} / baseline"),
                        ratio,
                        target: None,
                    });
                }
            }
            continue;
        }
        if find_ratio(text).is_none() {
            continue;
        }
        for part in text.split(';') {
            if let Some(ratio) = parse_part(part) {
                let measurement = if line.starts_with(' ') && !title.is_empty() {
                    format!("{title}: {}", ratio.measurement)
                } else {
                    ratio.measurement
                };
                ratios.push(Ratio {
                    measurement,
                    ..ratio
                });
            }
        }
    }
    ratios
}

/// One `;`-separated part of a ratio line.
fn parse_part(part: &str) -> Option<Ratio> {
    let (target, rest) = match part.find("(target") {
        Some(start) => {
            let after = part.get(start + 1..)?;
            let end = after.find(')').map_or(after.len(), |e| e);
            let target = after.get("target".len()..end)?.trim().to_owned();
            let before = part.get(..start)?;
            let tail = after.get(end..)?.trim_start_matches(')');
            (Some(target), format!("{before}{tail}"))
        }
        None => (None, part.to_owned()),
    };
    let (start, end, ratio) = find_ratio(&rest)?;
    let measurement = format!(
        "{} {}",
        rest.get(..start)?.trim().trim_end_matches(':'),
        rest.get(end..)?.trim()
    );
    let measurement = measurement.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Ratio {
        measurement,
        ratio,
        target,
    })
}

/// The first `\d+\.\d+x` in `text`: its byte range and value.
fn find_ratio(text: &str) -> Option<(usize, usize, f64)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes.get(i).is_some_and(u8::is_ascii_digit)
            && (i == 0
                || !bytes
                    .get(i - 1)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'.'));
        if starts {
            let mut j = i;
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if bytes.get(j) == Some(&b'.') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
                let mut k = j + 1;
                while bytes.get(k).is_some_and(u8::is_ascii_digit) {
                    k += 1;
                }
                if bytes.get(k) == Some(&b'x') {
                    let value = text.get(i..k)?.parse().ok()?;
                    return Some((i, k + 1, value));
                }
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_bench() {
        let output = "\
comment list page, 100 comments (51234 bytes)
  typed (Endpoint::parse)                  120.3µs
  typed is 1.81x faster than Value (target >= 1.5x); 2.05x the syntax-only floor
review-sandbox list_page: 2000 comments, 500 rates, 8 keep-alive clients over loopback, 3 s per measurement
  setup (generate and start)                 0.40 s
  GET /sandbox/health (baseline)            52000 req/s
  ratio to baseline: list page 0.85, fw199 page 0.40
export 10000 comments, pages of 100, best of 3
  hand loop, ureq + Value           101.2ms  (10000 comments)
  BlockingClient / hand loop: 0.97x (target <= 1.10x)
  AsyncClient / hand loop:    1.02x (target <= 1.10x)
webhook serve (4000 distinct pushes, 50 senders, best of 3)
  reviews                       61234 pushes/s
  reviews / do-nothing server: 0.41x
WeChat JSON lines: a page of 100 comments to records (88206 bytes in, 47370 bytes out)
  old (clone, serde, csv::Writer)                   4.1µs/record
  new (Review::write_*)                             2.0µs/record
  old / new CPU per record: 2.05x (target >= 2.00x)
";
        let ratios = parse_ratios(output);
        let got: Vec<(&str, f64, Option<&str>)> = ratios
            .iter()
            .map(|r| (r.measurement.as_str(), r.ratio, r.target.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "comment list page, 100 comments: typed is faster than Value",
                    1.81,
                    Some(">= 1.5x")
                ),
                (
                    "comment list page, 100 comments: the syntax-only floor",
                    2.05,
                    None
                ),
                ("list page / baseline", 0.85, None),
                ("fw199 page / baseline", 0.40, None),
                (
                    "export 10000 comments, pages of 100, best of 3: BlockingClient / hand loop",
                    0.97,
                    Some("<= 1.10x")
                ),
                (
                    "export 10000 comments, pages of 100, best of 3: AsyncClient / hand loop",
                    1.02,
                    Some("<= 1.10x")
                ),
                ("webhook serve: reviews / do-nothing server", 0.41, None),
                (
                    "WeChat JSON lines: a page of 100 comments to records: old / new CPU per record",
                    2.05,
                    Some(">= 2.00x")
                ),
            ]
        );
    }

    #[test]
    fn ignores_lines_without_ratios() {
        assert!(parse_ratios("  setup 0.40 s\n  1.5 x\n  v1.2.3x").is_empty());
        assert_eq!(find_ratio("took 12.5ms"), None);
        assert_eq!(find_ratio("a 3.25x b"), Some((2, 7, 3.25)));
    }
}
