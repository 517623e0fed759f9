//! Fleets: `export` and `sync` over several profiles (`--profile a,b`, `--all-profiles`), each
//! tenant with its own credentials, against a `reviews sandbox --tenants 3` process. Runs the
//! built binary.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tempfile::TempDir;

use common::{Running, json_lines, one_line_failure, reviews_std, send, signal, stderr, stdout};

/// The profiles' names, in the order of the sandbox's tenants 0, 1 and 2: the file lists them
/// so, and `--all-profiles` takes them sorted by name (alpha, mid, zeta).
const NAMES: [&str; 3] = ["zeta", "alpha", "mid"];

/// A sandbox of three tenants and a config file of one profile per tenant.
struct Fleet {
    sandbox: Running,
    tenants: Vec<Value>,
    dir: TempDir,
    config: PathBuf,
    /// The same window for every run: the fleet's records equal the single runs'.
    window: [String; 4],
}

impl Fleet {
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Fleet::start`] with more sandbox options (`--latency MS`, say).
    fn start_with(more: &[&str]) -> Self {
        let mut args = vec!["--tenants", "3", "--comments", "60", "--rates", "150"];
        args.extend(more);
        let sandbox = Running::start(&args);
        let (status, body) = send(
            http::Request::get(format!("{}/sandbox/tenants", sandbox.base_url()))
                .body(Vec::new())
                .unwrap(),
        );
        assert_eq!(status, 200, "{body}");
        let tenants = serde_json::from_str::<Value>(&body).unwrap()["tenants"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(tenants.len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let until = Timestamp::now();
        let since = until
            .checked_sub(SignedDuration::from_hours(24 * 90))
            .unwrap();
        let mut fleet = Self {
            sandbox,
            tenants,
            dir,
            config,
            window: [
                "--since".to_owned(),
                since.to_string(),
                "--until".to_owned(),
                until.to_string(),
            ],
        };
        fleet.write_config(None);
        fleet
    }

    /// Writes the config file; `wrong` gives that profile a wrong WeChat secret.
    fn write_config(&mut self, wrong: Option<&str>) {
        let url = self.sandbox.base_url();
        let mut text = String::new();
        for (name, tenant) in NAMES.iter().zip(&self.tenants) {
            let secret = if wrong == Some(*name) {
                "not-the-secret-0000".to_owned()
            } else {
                tenant["wechat"]["secret"].as_str().unwrap().to_owned()
            };
            text.push_str(&format!(
                "[profiles.{name}]\nwechat_base_url = \"{url}\"\nwechat_appid = \"{}\"\nwechat_secret = \"{secret}\"\n\
                 fw199_base_url = \"{url}\"\nfw199_appid = \"{}\"\nfw199_secret = \"{}\"\nseller_nick = \"{}\"\n\n",
                tenant["wechat"]["appid"].as_str().unwrap(),
                tenant["fw199"]["appid"].as_str().unwrap(),
                tenant["fw199"]["secret"].as_str().unwrap(),
                tenant["fw199"]["seller_nick"].as_str().unwrap(),
            ));
        }
        fs::write(&self.config, text).unwrap();
        fs::set_permissions(&self.config, fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// `reviews --config FILE ARGS`.
    fn run(&self, args: &[&str]) -> Output {
        reviews_std()
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .unwrap()
    }

    /// `export` of `args` in the fleet's window, expected to succeed: its records.
    fn export(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["export"];
        all.extend(self.window.iter().map(String::as_str));
        all.extend(args);
        let output = self.run(&all);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{all:?}: {}",
            stderr(&output)
        );
        json_lines(&stdout(&output))
    }

    /// The single-profile exports of `names`, one after the other, each record marked with
    /// its tenant as a fleet's export marks it.
    fn singles(&self, names: &[&str]) -> Vec<Value> {
        let mut expected = Vec::new();
        for name in names {
            let records = self.export(&["--profile", name]);
            assert!(
                records.iter().any(|r| r["platform"] == "wechat")
                    && records.iter().any(|r| r["platform"] == "taobao"),
                "profile {name} reads both platforms"
            );
            assert!(
                records.iter().all(|r| r.get("tenant").is_none()),
                "one profile's export is as it always was, with no tenant key"
            );
            for mut record in records {
                record["tenant"] = Value::from(*name);
                expected.push(record);
            }
        }
        expected
    }

    /// Every secret of the sandbox's tenants.
    fn secrets(&self) -> Vec<String> {
        self.tenants
            .iter()
            .flat_map(|t| {
                [
                    t["wechat"]["secret"].as_str().unwrap().to_owned(),
                    t["fw199"]["secret"].as_str().unwrap().to_owned(),
                ]
            })
            .chain(["not-the-secret-0000".to_owned()])
            .collect()
    }

    fn assert_no_secret(&self, text: &str) {
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "a secret leaked: {text}");
        }
    }
}

fn lines_with(text: &str, start: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(start))
        .map(str::to_owned)
        .collect()
}

#[test]
fn all_profiles_is_the_single_exports_in_name_order_with_their_tenant() {
    let fleet = Fleet::start();
    let output = {
        let mut args = vec!["export"];
        args.extend(fleet.window.iter().map(String::as_str));
        args.extend(["--all-profiles", "--tenants-in-flight", "2"]);
        fleet.run(&args)
    };
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    let got = json_lines(&stdout(&output));
    let expected = fleet.singles(&["alpha", "mid", "zeta"]);
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected, "tenants sorted by name, WeChat then Taobao");
    // The unified keys come first, as in every export; the tenant is the last key.
    let text = stdout(&output);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(r#","tenant":"alpha"}"#),
        "{text}"
    );
    // One summary line per tenant, in the fleet's order, then the fleet's.
    let tenants = lines_with(&err, "reviews: tenant ");
    assert_eq!(tenants.len(), 3, "{err}");
    for (line, name) in tenants.iter().zip(["alpha", "mid", "zeta"]) {
        assert!(
            line.starts_with(&format!("reviews: tenant {name}: exported ")),
            "{line}"
        );
    }
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("reviews of 3 tenants to stdout"),
        "{err}"
    );
    fleet.assert_no_secret(&err);
}

#[test]
fn a_list_reads_only_its_profiles_in_its_order_and_csv_ends_with_the_tenant() {
    let fleet = Fleet::start();
    let got = fleet.export(&["--profile", "zeta,alpha"]);
    assert_eq!(got, fleet.singles(&["zeta", "alpha"]));

    let out = fleet.dir.path().join("fleet.csv");
    let mut args = vec![
        "export",
        "--format",
        "csv",
        "--profile",
        "mid,zeta",
        "--out",
    ];
    let out_text = out.display().to_string();
    args.push(&out_text);
    args.extend(fleet.window.iter().map(String::as_str));
    let output = fleet.run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (header, rows) = common::read_csv(&fs::read(&out).unwrap());
    assert_eq!(header.last().map(String::as_str), Some("tenant"));
    assert_eq!(header.len(), 15, "the export's 14 columns, then tenant");
    let tenants: Vec<&str> = rows.iter().map(|r| &r[14]).collect();
    let mid = tenants.iter().filter(|t| **t == "mid").count();
    assert!(mid > 0 && tenants.len() > mid);
    assert!(
        tenants[..mid].iter().all(|t| *t == "mid") && tenants[mid..].iter().all(|t| *t == "zeta"),
        "mid's rows, then zeta's"
    );
}

#[test]
fn a_tenant_that_fails_is_named_and_the_others_are_exported() {
    let mut fleet = Fleet::start();
    fleet.write_config(Some("mid"));
    let out = fleet.dir.path().join("out.jsonl");
    let out_text = out.display().to_string();
    let mut args = vec!["export", "--all-profiles", "--out", &out_text];
    args.extend(fleet.window.iter().map(String::as_str));
    let output = fleet.run(&args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    fleet.assert_no_secret(&err);
    let failed = lines_with(&err, "reviews: tenant mid: failed: ");
    assert_eq!(failed.len(), 1, "{err}");
    assert!(
        failed[0].contains("40125") || failed[0].contains("secret"),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("reviews: 1 of 3 tenants failed (mid): exported "),
        "{err}"
    );
    // The output is committed with every other tenant's records, and none of mid's.
    let got = json_lines(&fs::read_to_string(&out).unwrap());
    assert_eq!(got, fleet.singles(&["alpha", "zeta"]));
    assert!(!Path::new(&format!("{out_text}.partial")).exists());
}

#[test]
fn sync_all_profiles_fills_one_mirror_with_every_tenant() {
    let fleet = Fleet::start();
    let db = format!(
        "sqlite:{}",
        fleet.dir.path().join("fleet.sqlite3").display()
    );
    let output = fleet.run(&["sync", "--all-profiles", "--db", &db]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(lines_with(&err, "reviews: tenant ").len(), 3, "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("reviews: 3 tenants: synced ")
    );

    // Each tenant's rows under its own key, as many as its own sync into a mirror of its own.
    let counts = |db: &str| -> Vec<(String, String, i64)> {
        let connection = rusqlite::Connection::open(db.trim_start_matches("sqlite:")).unwrap();
        let mut statement = connection
            .prepare("SELECT platform, tenant, count(*) FROM reviews GROUP BY platform, tenant ORDER BY platform, tenant")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let together = counts(&db);
    assert_eq!(together.len(), 6, "{together:?}");
    let mut apart = Vec::new();
    for name in NAMES {
        let own = format!(
            "sqlite:{}",
            fleet.dir.path().join(format!("{name}.sqlite3")).display()
        );
        let output = fleet.run(&["sync", "--profile", name, "--db", &own]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        apart.extend(counts(&own));
    }
    apart.sort();
    assert_eq!(together, apart);
    for tenant in &fleet.tenants {
        for key in [&tenant["wechat"]["appid"], &tenant["fw199"]["seller_nick"]] {
            assert!(
                together
                    .iter()
                    .any(|(_, t, n)| t == key.as_str().unwrap() && *n > 0),
                "{key} in {together:?}"
            );
        }
    }
}

#[test]
fn bad_fleets_are_refused_with_one_line() {
    let fleet = Fleet::start();
    let config = fleet.config.display().to_string();
    for (args, expected) in [
        (
            vec!["export", "--all-profiles", "--tenants-in-flight", "0"],
            "is not a number of tenants in flight",
        ),
        (
            vec!["sync", "--all-profiles", "--tenants-in-flight", "257"],
            "is not a number of tenants in flight",
        ),
        (vec!["export", "--profile", "alpha,nope"], "profile nope"),
        (
            vec!["sync", "--profile", "alpha,,mid"],
            "a name in the list is empty",
        ),
        (vec!["export", "--profile", "alpha,alpha"], "twice"),
        (
            vec!["export", "--all-profiles", "--profile", "alpha"],
            "--all-profiles and --profile",
        ),
        (
            vec!["export", "--all-profiles", "--sandbox"],
            "--sandbox serves one tenant",
        ),
        (
            vec!["wechat", "list", "--profile", "alpha,mid"],
            "only export and sync run over several",
        ),
        (
            vec!["config", "show", "--profile", "alpha,mid"],
            "only export and sync run over several",
        ),
    ] {
        let output = reviews_std()
            .args(["--config", &config])
            .args(&args)
            .output()
            .unwrap();
        let line = one_line_failure(&output, 2, &format!("{args:?}"));
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    // No config file at all: the default one is missing.
    for command in ["export", "sync"] {
        let output = reviews_std()
            .args([command, "--all-profiles"])
            .output()
            .unwrap();
        let line = one_line_failure(&output, 2, command);
        assert!(
            line.contains("--all-profiles needs a config file"),
            "{line}"
        );
    }
}

/// Ctrl-C during a fleet's export: exit 130 at once, FILE untouched, and what was written kept
/// beside it in complete lines, whole tenants only, in the fleet's order.
#[test]
fn ctrl_c_stops_a_fleet_at_once_keeping_whole_tenants() {
    // 300 ms an answer: each tenant takes about a second, one tenant at a time.
    let fleet = Fleet::start_with(&["--latency", "300"]);
    let path = fleet.dir.path().join("fleet.jsonl");
    fs::write(&path, "the previous export\n").unwrap();
    let mut child = reviews_std()
        .arg("--config")
        .arg(&fleet.config)
        .arg("export")
        .args(&fleet.window)
        .args(["--all-profiles", "--tenants-in-flight", "1", "--out"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted once the first tenant is written, while the second is read.
    let mut lines = BufReader::new(child.stderr.take().unwrap());
    let mut err = String::new();
    while !err.contains("reviews: tenant alpha: exported") {
        assert_ne!(lines.read_line(&mut err).unwrap(), 0, "{err}");
    }
    let sent = Instant::now();
    signal(&child, "-INT");
    let exit = child.wait().unwrap();
    let took = sent.elapsed();
    lines.read_to_string(&mut err).unwrap();
    assert_eq!(exit.code(), Some(130), "{err}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let last = err.lines().last().unwrap();
    assert!(last.starts_with("reviews: interrupted"), "{err}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "the previous export\n",
        "FILE is untouched"
    );
    let partial = fleet.dir.path().join("fleet.jsonl.partial");
    let kept = fs::read_to_string(&partial).unwrap_or_default();
    assert!(
        kept.is_empty() || kept.ends_with('\n'),
        "complete lines only"
    );
    let records = json_lines(&kept);
    let mut tenants: Vec<String> = records
        .iter()
        .map(|r| r["tenant"].as_str().unwrap().to_owned())
        .collect();
    tenants.dedup();
    let names: Vec<&str> = tenants.iter().map(String::as_str).collect();
    assert!(
        names.first() == Some(&"alpha") && ["alpha", "mid", "zeta"].starts_with(&names),
        "whole tenants in the fleet's order: {names:?}"
    );
    for tenant in &tenants {
        let whole = fleet.singles(&[tenant]);
        let kept: Vec<_> = records.iter().filter(|r| r["tenant"] == *tenant).collect();
        assert_eq!(kept.len(), whole.len(), "tenant {tenant} is whole");
    }
    fleet.assert_no_secret(&err);
}
