//! A vendor's fleet: `reviews export --all-profiles` over a `reviews sandbox --tenants N`
//! process (every tenant its own credentials, data and quota, answers delayed by the sandbox's
//! latency), timed against the fleet's floor, with its peak memory.
//!
//! **The floor** is what the export could not beat, from what each tenant needed (the
//! export's debug log names the tenant of each platform's walk: its probes, pages, requests
//! and throttles). C: `--concurrency`; F: `--tenants-in-flight`; L: the sandbox's latency;
//! Q requests per quota window of length W, per tenant and platform.
//!
//! - the dependency chain of tenant i: WeChat needs a token, then its probes and pages at
//!   most C at a time, and at least two rounds of them when it reads more than one page (a
//!   window's pages after its first are known only from a count):
//!   1 + max(ceil((probes + pages) / C), 2) round trips; Taobao the same without the token;
//!   both platforms run at once, so chain_i is the larger.
//!   A thread reads its tenants one after the other and the busiest of F threads has at least
//!   the average, so latency floor = max(sum chain_i / F, max chain_i) x L. (L is the mean:
//!   each answer waits 0.8 to 1.2 L, and a round of several requests waits for its slowest.)
//! - the quota: tenant i needing R_i > Q granted requests on a platform must see
//!   ceil(R_i / Q) - 1 window boundaries pass; the tenants a thread reads one after the other
//!   cannot share a boundary (each has a fresh quota in the window it starts in), windows are
//!   aligned to the epoch (the first boundary may come at once), so
//!   quota floor = (ceil(sum crossings_i / F) - 1) x W, or 0.
//! - floor = max(latency floor, quota floor): neither counts the other's time, so it is a
//!   bound below any client; the target is within 1.3x of it.
//!
//! The first run uses the brief's numbers: 200 tenants of 500 comments and 500 rates, 30 ms,
//! 600 calls a minute. Those are few requests per tenant, and if the quota never binds the
//! run says so and a second run binds it: a quota of a third of R per window of
//! `FLEET_BIND_WINDOW_MS` (the sandbox's and the client's hidden `--quota-window-ms`), so each
//! tenant waits out about two windows. A request refused more than once in a row shows in the
//! debug log's `longest_refusal_run` (the sandbox's stats only count refusals).
//!
//! Memory: the exporter's peak RSS (`VmHWM`, read from /proc while it runs) over 50 tenants
//! of 4000 comments and 4000 rates must be about that over 50 tenants of 1000. Records are
//! spooled to files, never held; what is held is each walk's pages in flight and ahead of
//! their turn (3 x `--concurrency` pages per platform of each tenant in flight), a bound
//! reached only above about 1000 records per tenant: below it, memory grows with the records
//! until the bound (50 x 2000 against 50 x 500 measured 59 MB against 41 MB).
//!
//! `cargo bench -p review-cli --bench fleet` (`FLEET_TENANTS`, `FLEET_COMMENTS`,
//! `FLEET_RATES`, `FLEET_LATENCY_MS`, `FLEET_QUOTA`, `FLEET_IN_FLIGHT`, `FLEET_CONCURRENCY`,
//! `FLEET_BIND_WINDOW_MS`, `FLEET_MEMORY_TENANTS`, `FLEET_MEMORY_RECORDS` for other sizes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    clippy::panic,
    missing_docs
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use review_client::BlockingTransport;
use serde_json::Value;

mod watch;

/// One fleet to export.
#[derive(Debug, Clone, Copy)]
struct Fleet {
    tenants: u64,
    comments: u64,
    rates: u64,
    latency_ms: u64,
    /// Calls per window per tenant and platform.
    quota: u64,
    window_ms: u64,
    in_flight: u64,
    concurrency: u64,
}

/// One platform's walk of one tenant, from the debug log.
#[derive(Debug, Default, Clone, Copy)]
struct Walked {
    probes: u64,
    pages: u64,
    /// Requests granted (sent, less those the quota refused).
    granted: u64,
}

/// What one export did.
#[derive(Debug, Default)]
struct Measured {
    seconds: f64,
    records: u64,
    peak_kb: u64,
    /// Each tenant's WeChat and Taobao walks.
    tenants: std::collections::BTreeMap<String, (Walked, Walked)>,
    refused_wechat: u64,
    refused_fw199: u64,
    longest_refusal_run: u64,
    requests: u64,
}

/// A `reviews sandbox` process, killed when dropped.
struct Sandbox {
    child: Child,
    base_url: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with none of the caller's settings, tokens in memory, no user config file.
fn reviews() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reviews"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("REVIEWS_") {
            command.env_remove(key);
        }
    }
    command
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", "/nonexistent/reviews-bench/config")
        .env("REVIEWS_TOKEN_STORE", "memory");
    command
}

fn start_sandbox(fleet: &Fleet) -> Sandbox {
    let mut child = reviews()
        .args(["sandbox", "--tenants", &fleet.tenants.to_string()])
        .args(["--comments", &fleet.comments.to_string()])
        .args(["--rates", &fleet.rates.to_string()])
        .args(["--latency", &fleet.latency_ms.to_string()])
        .args(["--quota-per-minute", &fleet.quota.to_string()])
        .args(["--quota-window-ms", &fleet.window_ms.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let base_url = ready["base_url"].as_str().unwrap().to_owned();
    Sandbox { child, base_url }
}

fn http(method: &str, url: String) -> Value {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(Vec::new())
        .unwrap();
    let response = review_ureq::UreqTransport::default()
        .send(request, Duration::from_secs(30))
        .unwrap();
    serde_json::from_slice(response.body()).unwrap()
}

/// A config file of one profile per tenant, `t0000`, `t0001`...
fn write_config(path: &Path, base_url: &str) {
    let tenants = http("GET", format!("{base_url}/sandbox/tenants"));
    let mut text = String::new();
    for tenant in tenants["tenants"].as_array().unwrap() {
        let index = tenant["index"].as_u64().unwrap();
        text.push_str(&format!(
            "[profiles.t{index:04}]\nwechat_base_url = \"{base_url}\"\nwechat_appid = \"{}\"\nwechat_secret = \"{}\"\n\
             fw199_base_url = \"{base_url}\"\nfw199_appid = \"{}\"\nfw199_secret = \"{}\"\nseller_nick = \"{}\"\n\n",
            tenant["wechat"]["appid"].as_str().unwrap(),
            tenant["wechat"]["secret"].as_str().unwrap(),
            tenant["fw199"]["appid"].as_str().unwrap(),
            tenant["fw199"]["secret"].as_str().unwrap(),
            tenant["fw199"]["seller_nick"].as_str().unwrap(),
        ));
    }
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// `key=N` in a log line.
fn field(line: &str, key: &str) -> Option<u64> {
    let at = line.find(&format!(" {key}="))?;
    line[at + key.len() + 2..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn export(fleet: &Fleet) -> Measured {
    let sandbox = start_sandbox(fleet);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    write_config(&config, &sandbox.base_url);
    http("POST", format!("{}/sandbox/stats/reset", sandbox.base_url));
    let out = dir.path().join("fleet.jsonl");
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let started = Instant::now();
    let mut child = reviews()
        .arg("--config")
        .arg(&config)
        .args(["export", "--all-profiles", "--since", "180d", "--out"])
        .arg(&out)
        .args(["--tenants-in-flight", &fleet.in_flight.to_string()])
        .args(["--concurrency", &fleet.concurrency.to_string()])
        .args(["--quota-window-ms", &fleet.window_ms.to_string()])
        .env("RUST_LOG", "reviews::commands::export=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let (status, peak) = watch::wait_watching(&mut child, Duration::from_millis(10));
    let seconds = started.elapsed().as_secs_f64();
    let stderr = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(
        status.success(),
        "the export failed: {}",
        stderr.lines().last().unwrap_or("")
    );
    let stats = http("GET", format!("{}/sandbox/stats", sandbox.base_url));
    let count = |key: &str| stats["answers"][key].as_u64().unwrap_or(0);
    let mut measured = Measured {
        seconds,
        records: std::fs::read_to_string(&out).unwrap().lines().count() as u64,
        peak_kb: peak,
        refused_wechat: count("quota_wechat"),
        refused_fw199: count("quota_fw199"),
        requests: stats["requests"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(Value::as_u64)
            .sum(),
        ..Measured::default()
    };
    for line in stderr.lines() {
        let (Some(sent), Some(throttled)) = (field(line, "requests"), field(line, "throttled"))
        else {
            continue;
        };
        let Some(name) = line
            .split("tenant{name=")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
        else {
            continue;
        };
        let walked = Walked {
            probes: field(line, "probes").unwrap_or(0),
            pages: field(line, "pages").unwrap_or(0),
            granted: sent.saturating_sub(throttled),
        };
        let entry = measured.tenants.entry(name.to_owned()).or_default();
        if line.contains("WeChat read") {
            entry.0 = walked;
        } else if line.contains("Taobao read") {
            entry.1 = walked;
        }
        if let Some(run) = field(line, "longest_refusal_run") {
            measured.longest_refusal_run = measured.longest_refusal_run.max(run);
        }
    }
    assert_eq!(
        measured.tenants.len() as u64,
        fleet.tenants,
        "every tenant's walks are in the debug log"
    );
    measured
}

/// The floor of the module's doc comment, in seconds, and its two terms.
fn floor(fleet: &Fleet, m: &Measured) -> (f64, f64, f64) {
    let c = fleet.concurrency.max(1);
    let q = fleet.quota.max(1);
    let f = fleet.in_flight.max(1);
    // Rounds of a platform's probes and pages: at most C at a time, and a count before the
    // pages that follow a window's first.
    let platform_rounds = |walked: &Walked| {
        let requests = walked.probes + walked.pages;
        let needed = if walked.pages > 1 { 2 } else { requests.min(1) };
        requests.div_ceil(c).max(needed)
    };
    let chain = |(wechat, taobao): &(Walked, Walked)| {
        let wechat = match platform_rounds(wechat) {
            0 => 0,
            after_token => 1 + after_token,
        };
        wechat.max(platform_rounds(taobao))
    };
    let crossings = |(wechat, taobao): &(Walked, Walked)| {
        wechat
            .granted
            .max(taobao.granted)
            .div_ceil(q)
            .saturating_sub(1)
    };
    let chains: Vec<u64> = m.tenants.values().map(chain).collect();
    let rounds = (chains.iter().sum::<u64>() as f64 / f as f64)
        .max(chains.iter().copied().max().unwrap_or(0) as f64);
    let latency = rounds * fleet.latency_ms as f64 / 1000.0;
    let crossed: u64 = m.tenants.values().map(crossings).sum();
    let quota = (crossed.div_ceil(f).saturating_sub(1) * fleet.window_ms) as f64 / 1000.0;
    (latency.max(quota), latency, quota)
}

/// The most granted requests of any tenant on one platform.
fn most(m: &Measured) -> (u64, u64) {
    m.tenants.values().fold((0, 0), |(w, t), (wechat, taobao)| {
        (w.max(wechat.granted), t.max(taobao.granted))
    })
}

fn report(title: &str, fleet: &Fleet, m: &Measured) -> bool {
    let (floor, latency, quota) = floor(fleet, m);
    println!(
        "fleet export, {title}: {} tenants x ({} comments + {} rates), {} ms latency, {} calls per {} ms window per tenant and platform, {} tenants in flight, {} requests in flight per platform",
        fleet.tenants,
        fleet.comments,
        fleet.rates,
        fleet.latency_ms,
        fleet.quota,
        fleet.window_ms,
        fleet.in_flight,
        fleet.concurrency
    );
    println!(
        "  {} records in {:.2} s, peak RSS {} MB; {} requests, refused by the quota {} (WeChat) + {} (fw199), longest run of refusals of one request {}",
        m.records,
        m.seconds,
        m.peak_kb / 1024,
        m.requests,
        m.refused_wechat,
        m.refused_fw199,
        m.longest_refusal_run
    );
    let (most_wechat, most_fw199) = most(m);
    println!(
        "  a tenant needs up to {most_wechat} WeChat and {most_fw199} fw199 requests; floor {floor:.2} s (dependency chains {latency:.2} s, quota {quota:.2} s)"
    );
    if m.longest_refusal_run > 1 {
        println!("  a request was refused more than once in a row");
    }
    println!(
        "  time / floor: {:.2}x (target <= 1.30x)",
        m.seconds / floor.max(0.001)
    );
    let binds = m.refused_wechat + m.refused_fw199 > 0 || quota > 0.0;
    if !binds {
        println!(
            "  the quota never binds here: {} requests per tenant and platform at most, {} allowed per window",
            most_wechat.max(most_fw199),
            fleet.quota
        );
    }
    binds
}

fn main() {
    let fleet = Fleet {
        tenants: watch::env_or("FLEET_TENANTS", 200),
        comments: watch::env_or("FLEET_COMMENTS", 500),
        rates: watch::env_or("FLEET_RATES", 500),
        latency_ms: watch::env_or("FLEET_LATENCY_MS", 30),
        quota: watch::env_or("FLEET_QUOTA", 600),
        window_ms: 60_000,
        in_flight: watch::env_or("FLEET_IN_FLIGHT", 8),
        concurrency: watch::env_or("FLEET_CONCURRENCY", 8),
    };
    let measured = export(&fleet);
    let binds = report("as asked", &fleet, &measured);

    if !binds {
        let (wechat, fw199) = most(&measured);
        let bound = Fleet {
            quota: wechat.max(fw199).max(3).div_ceil(3),
            window_ms: watch::env_or("FLEET_BIND_WINDOW_MS", 500),
            ..fleet
        };
        let measured = export(&bound);
        report("the quota binding", &bound, &measured);
    }

    let records = watch::env_or("FLEET_MEMORY_RECORDS", 4000);
    let many = Fleet {
        tenants: watch::env_or("FLEET_MEMORY_TENANTS", 50),
        comments: records,
        rates: records,
        ..fleet
    };
    let few = Fleet {
        comments: records / 4,
        rates: records / 4,
        ..many
    };
    let (many_m, few_m) = (export(&many), export(&few));
    println!(
        "fleet export memory, {} tenants: {} records, peak RSS {} MB in {:.2} s; {} records, peak RSS {} MB in {:.2} s",
        many.tenants,
        many_m.records,
        many_m.peak_kb / 1024,
        many_m.seconds,
        few_m.records,
        few_m.peak_kb / 1024,
        few_m.seconds
    );
    println!(
        "  peak RSS with 4x the records: {:.2}x (target <= 1.20x)",
        many_m.peak_kb as f64 / few_m.peak_kb.max(1) as f64
    );
}
