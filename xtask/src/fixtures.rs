//! `cargo xtask fixtures [--check]`: every fixture is listed in `fixtures/manifest.json`,
//! decoded by a snapshot test and replayed by the sandbox conformance test (or the manifest says
//! why not), and no snapshot is left without its fixture.
//!
//! For every `fixtures/<platform>/<operation>/<case>.json`:
//! - the manifest has an entry for `<platform>/<operation>` (and every entry has its folder);
//! - the review model's snapshot (`crates/review-model/tests/snapshots/`
//!   `fixtures__every_fixture_decodes@<platform>__<operation>__<case>.json.snap`) exists, unless
//!   the operation's output is still raw JSON (`json`: provisional, no snapshot yet);
//! - the conformance treatment is the manifest's: replayed, substituted, not replayed with a
//!   reason, or not emulated by the sandbox yet; and the cases it names exist.
//!
//! And every snapshot under `crates/*/tests/snapshots/` taken over a fixture (its header's
//! `input_file:`) still has its fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::cargo;
use crate::manifest::{self, Manifest, Output};

/// The options.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Fail, with the list of problems, unless every fixture is covered and no snapshot is orphaned.
    #[arg(long)]
    check: bool,
}

/// Runs the task.
pub(crate) fn run(args: &Args) -> Result<()> {
    let report = Report::read(&cargo::workspace_root())?;
    if !args.check {
        #[allow(clippy::print_stdout)]
        for line in report.listing() {
            println!("{line}");
        }
    }
    if !report.problems.is_empty() {
        bail!(
            "{} fixture problem(s):\n  {}",
            report.problems.len(),
            report.problems.join("\n  ")
        );
    }
    #[allow(clippy::print_stdout)]
    {
        println!("{}", report.summary());
    }
    Ok(())
}

/// The model's snapshot test: one snapshot per fixture.
const MODEL_SNAPSHOTS: &str = "crates/review-model/tests/snapshots";
/// The prefix of the model's per-fixture snapshots.
const MODEL_PREFIX: &str = "fixtures__every_fixture_decodes@";

/// How the sandbox conformance test treats a fixture, as the manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Replay {
    /// Replayed against the sandbox.
    Replayed,
    /// Replayed, its error condition replaced by another refusal (shape checked, code not).
    Substituted,
    /// Not replayed, for the manifest's reason (a case or a whole operation, such as `push`).
    Skipped(String),
    /// Its endpoint is not emulated by the sandbox yet.
    NotEmulated,
    /// Not in the manifest: a problem.
    Unlisted,
}

impl fmt::Display for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Replayed => f.write_str("replayed"),
            Self::Substituted => f.write_str("replayed (substituted)"),
            Self::Skipped(reason) => write!(f, "not replayed: {reason}"),
            Self::NotEmulated => f.write_str("NOT EMULATED YET"),
            Self::Unlisted => f.write_str("NOT IN THE MANIFEST"),
        }
    }
}

/// One fixture and what covers it.
#[derive(Debug)]
struct Coverage {
    /// `wechat/comment_list/doc_example` (no `.json`).
    name: String,
    /// Whether the model snapshots it; `None` for a raw-JSON operation, which is not yet.
    model_snapshot: Option<bool>,
    /// Other per-fixture snapshots (protocol), by test.
    other_snapshots: Vec<String>,
    replay: Replay,
}

/// The result of a check over one workspace layout.
#[derive(Debug, Default)]
struct Report {
    fixtures: Vec<Coverage>,
    orphans: Vec<String>,
    problems: Vec<String>,
}

impl Report {
    /// Checks the workspace whose root is `root`.
    fn read(root: &Path) -> Result<Self> {
        let fixtures_dir = root.join("fixtures");
        let names = fixture_names(&fixtures_dir)?;
        if names.is_empty() {
            bail!("no fixtures under {}", fixtures_dir.display());
        }
        let manifest = Manifest::load(&fixtures_dir).map_err(|e| anyhow!(e))?;
        let mut report = Self::default();

        let known: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let folders: BTreeSet<String> = names
            .iter()
            .map(|n| {
                let (platform, operation) = platform_operation(n);
                format!("{platform}/{operation}")
            })
            .collect();
        for op in &manifest.operations {
            if !folders.contains(&op.folder()) {
                report.problems.push(format!(
                    "fixtures/{}: {} lists {}, which has no fixtures",
                    manifest::FILE,
                    op.name(),
                    op.folder()
                ));
            }
            for (list, cases) in [
                ("substituted", &op.substituted),
                ("not_replayed", &op.not_replayed),
            ] {
                for case in cases.keys() {
                    if !known.contains(format!("{}/{case}", op.folder()).as_str()) {
                        report.problems.push(format!(
                            "fixtures/{}: {}'s {list} names fixtures/{}/{case}.json, which does \
                             not exist",
                            manifest::FILE,
                            op.name(),
                            op.folder()
                        ));
                    }
                }
            }
        }

        // Per-fixture snapshots, resolved to the fixture their header names.
        let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut model: BTreeSet<String> = BTreeSet::new();
        for snapshot in snapshot_files(root)? {
            let Some(file) = snapshot.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            let Some(test) = fixture_snapshot_test(file) else {
                continue;
            };
            let shown = display_path(root, &snapshot);
            let text = std::fs::read_to_string(&snapshot)
                .with_context(|| format!("reading {}", snapshot.display()))?;
            let Some(input) = input_file(&text) else {
                report.problems.push(format!(
                    "{shown} is named after a fixture but its header has no `input_file:`"
                ));
                continue;
            };
            let Some(name) = input
                .strip_prefix("fixtures/")
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|n| known.contains(n))
            else {
                report.orphans.push(shown);
                continue;
            };
            if shown.starts_with(MODEL_SNAPSHOTS) && file.starts_with(MODEL_PREFIX) {
                model.insert(name.to_owned());
            } else {
                let krate = snapshot
                    .ancestors()
                    .nth(3)
                    .and_then(Path::file_name)
                    .map(|k| k.to_string_lossy().into_owned())
                    .unwrap_or_default();
                covered
                    .entry(name.to_owned())
                    .or_default()
                    .push(format!("{krate}/tests/{test}.rs"));
            }
        }
        for orphan in &report.orphans {
            report
                .problems
                .push(format!("{orphan} is orphaned: its fixture does not exist"));
        }

        let mut unlisted = BTreeSet::new();
        for name in &names {
            let (platform, operation) = platform_operation(name);
            let case = name.rsplit('/').next().unwrap_or_default();
            let entry = manifest.get(platform, operation);
            let replay = match entry {
                None => Replay::Unlisted,
                Some(op) => match op.skip_reason(case) {
                    _ if op.replay == manifest::Replay::NotEmulated => Replay::NotEmulated,
                    Some(reason) => Replay::Skipped(reason.to_owned()),
                    None if op.substituted.contains_key(case) => Replay::Substituted,
                    None => Replay::Replayed,
                },
            };
            if replay == Replay::Unlisted && unlisted.insert(format!("{platform}/{operation}")) {
                report.problems.push(format!(
                    "fixtures/{platform}/{operation} has no entry in fixtures/{}",
                    manifest::FILE
                ));
            }
            let model_snapshot = match entry.map(|op| op.output) {
                Some(Output::Json) => None,
                _ => Some(model.contains(name.as_str())),
            };
            if model_snapshot == Some(false) {
                report.problems.push(format!(
                    "fixtures/{name}.json has no snapshot {MODEL_SNAPSHOTS}/{MODEL_PREFIX}{}.json.snap \
                     (run `cargo insta test -p review-model` and review it)",
                    name.replace('/', "__")
                ));
            }
            report.fixtures.push(Coverage {
                name: name.clone(),
                model_snapshot,
                other_snapshots: covered.remove(name.as_str()).unwrap_or_default(),
                replay,
            });
        }
        Ok(report)
    }

    /// One line per fixture.
    fn listing(&self) -> Vec<String> {
        let width = self
            .fixtures
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(0);
        let mut lines: Vec<String> = self
            .fixtures
            .iter()
            .map(|c| {
                let others = if c.other_snapshots.is_empty() {
                    String::new()
                } else {
                    format!(", also snapshot in {}", c.other_snapshots.join(", "))
                };
                format!(
                    "{:<width$}  model snapshot: {}, sandbox: {}{others}",
                    c.name,
                    match c.model_snapshot {
                        Some(true) => "yes",
                        Some(false) => "MISSING",
                        None => "not yet (raw JSON output)",
                    },
                    c.replay,
                )
            })
            .collect();
        lines.extend(
            self.orphans
                .iter()
                .map(|o| format!("orphaned snapshot: {o}")),
        );
        lines
    }

    /// One line.
    fn summary(&self) -> String {
        let count =
            |keep: fn(&Replay) -> bool| self.fixtures.iter().filter(|c| keep(&c.replay)).count();
        format!(
            "fixtures: {} fixtures, {} with a model snapshot, {} replayed by the sandbox ({} \
             substituted), {} not replayed with a reason, {} of endpoints not emulated yet, {} \
             orphaned snapshots",
            self.fixtures.len(),
            self.fixtures
                .iter()
                .filter(|c| c.model_snapshot == Some(true))
                .count(),
            count(|r| matches!(r, Replay::Replayed | Replay::Substituted)),
            count(|r| *r == Replay::Substituted),
            count(|r| matches!(r, Replay::Skipped(_))),
            count(|r| *r == Replay::NotEmulated),
            self.orphans.len(),
        )
    }
}

/// The `input_file:` of a snapshot's header (`fixtures/wechat/token/ok.json`).
fn input_file(snapshot: &str) -> Option<&str> {
    let header = snapshot.strip_prefix("---\n")?;
    let header = header.get(..header.find("\n---")?)?;
    header
        .lines()
        .find_map(|line| line.strip_prefix("input_file:"))
        .map(str::trim)
}

/// Every `fixtures/<platform>/<operation>/<case>.json`, as `platform/operation/case`, sorted.
fn fixture_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for platform in sorted_dir(dir)? {
        if !platform.is_dir() {
            continue;
        }
        for operation in sorted_dir(&platform)? {
            if !operation.is_dir() {
                continue;
            }
            for case in sorted_dir(&operation)? {
                if case.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                let part = |p: &Path| {
                    p.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                names.push(format!(
                    "{}/{}/{}",
                    part(&platform),
                    part(&operation),
                    part(&case)
                ));
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Every `crates/*/tests/snapshots/*.snap`, sorted.
fn snapshot_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for krate in sorted_dir(&root.join("crates"))? {
        let dir = krate.join("tests").join("snapshots");
        if !dir.is_dir() {
            continue;
        }
        out.extend(
            sorted_dir(&dir)?
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "snap")),
        );
    }
    Ok(out)
}

fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    entries.sort();
    Ok(entries)
}

/// `test__function@a__b.json.snap` → `test`: a snapshot taken by an `insta::glob!` over
/// fixtures. `None` for any other snapshot.
fn fixture_snapshot_test(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".json.snap")?;
    let (name, _) = stem.split_once('@')?;
    Some(name.split_once("__").map_or(name, |(test, _)| test))
}

fn platform_operation(name: &str) -> (&str, &str) {
    let mut parts = name.split('/');
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{"operations": [
        {"platform": "wechat", "operation": "token", "endpoint": "GetToken", "output": "typed",
         "replay": "replayed", "substituted": {"error_gone": "cannot be constructed"}},
        {"platform": "wechat", "operation": "push", "output": "push", "replay": "not_replayable",
         "reason": "goes the other way"},
        {"platform": "wechat", "operation": "penalty_list", "endpoint": "PenaltyList",
         "output": "json", "replay": "not_emulated"},
        {"platform": "taobao", "operation": "trade_rates", "endpoint": "SearchTradeRates",
         "output": "typed", "replay": "replayed",
         "not_replayed": {"error_top_style": "no envelope"}}
    ]}"#;

    struct Temp(PathBuf);

    impl Temp {
        fn new(label: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let dir = std::env::temp_dir().join(format!(
                "xtask-fixtures-{label}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, path: &str, text: &str) {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }

        /// A snapshot taken over `fixtures/{name}.json`.
        fn snapshot(&self, path: &str, name: &str) {
            self.write(
                path,
                &format!("---\nsource: x.rs\ninput_file: fixtures/{name}.json\n---\nbody\n"),
            );
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn model_snapshot(name: &str) -> String {
        format!(
            "{MODEL_SNAPSHOTS}/{MODEL_PREFIX}{}.json.snap",
            name.replace('/', "__")
        )
    }

    /// A workspace layout where everything is covered.
    fn healthy(label: &str) -> Temp {
        let t = Temp::new(label);
        t.write("fixtures/manifest.json", MANIFEST);
        t.write("fixtures/README.md", "");
        for name in [
            "wechat/token/ok",
            "wechat/token/error_gone",
            "wechat/push/bad_score_xml",
            "taobao/trade_rates/doc_example",
            "taobao/trade_rates/error_top_style",
        ] {
            t.write(&format!("fixtures/{name}.json"), "{}");
            t.snapshot(&model_snapshot(name), name);
        }
        // Raw JSON: no snapshot expected.
        t.write("fixtures/wechat/penalty_list/ok.json", "{}");
        t.write("crates/review-model/tests/snapshots/other__plain.snap", "");
        t.snapshot(
            "crates/review-protocol/tests/snapshots/fw199__every_recorded_answer_parses@doc_example.json.snap",
            "taobao/trade_rates/doc_example",
        );
        t
    }

    #[test]
    fn a_covered_layout_passes() {
        let t = healthy("ok");
        let report = Report::read(&t.0).unwrap();
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
        assert_eq!(report.fixtures.len(), 6);
        let replay: BTreeMap<&str, &Replay> = report
            .fixtures
            .iter()
            .map(|c| (c.name.as_str(), &c.replay))
            .collect();
        assert_eq!(
            replay["wechat/push/bad_score_xml"],
            &Replay::Skipped("goes the other way".to_owned())
        );
        assert_eq!(
            replay["taobao/trade_rates/error_top_style"],
            &Replay::Skipped("no envelope".to_owned())
        );
        assert_eq!(replay["wechat/token/ok"], &Replay::Replayed);
        assert_eq!(replay["wechat/token/error_gone"], &Replay::Substituted);
        assert_eq!(replay["wechat/penalty_list/ok"], &Replay::NotEmulated);
        let doc = report
            .fixtures
            .iter()
            .find(|c| c.name == "taobao/trade_rates/doc_example")
            .unwrap();
        assert_eq!(doc.other_snapshots, ["review-protocol/tests/fw199.rs"]);
        let summary = report.summary();
        assert!(
            summary.contains("6 fixtures, 5 with a model snapshot"),
            "{summary}"
        );
        assert!(
            summary.contains("1 of endpoints not emulated yet"),
            "{summary}"
        );
    }

    #[test]
    fn missing_snapshots_orphans_and_stale_entries_are_reported() {
        let t = healthy("bad");
        // A fixture without its model snapshot.
        t.write("fixtures/wechat/token/new_case.json", "{}");
        // Snapshots whose fixture is gone.
        t.snapshot(
            &model_snapshot("wechat/token/deleted"),
            "wechat/token/deleted",
        );
        t.snapshot(
            "crates/review-protocol/tests/snapshots/fw199__every_recorded_answer_parses@ok.json.snap",
            "taobao/trade_rates/ok",
        );
        // A snapshot named after a fixture without saying which.
        t.write(
            "crates/review-protocol/tests/snapshots/responses__x@token__ok.json.snap",
            "---\nsource: x.rs\n---\nbody\n",
        );
        // The manifest's case lists name fixtures that are gone.
        std::fs::remove_file(t.0.join("fixtures/taobao/trade_rates/error_top_style.json")).unwrap();
        std::fs::remove_file(t.0.join("fixtures/wechat/token/error_gone.json")).unwrap();
        // A folder the manifest does not list, and an entry without its folder.
        t.write("fixtures/jd/comments_get/ok.json", "{}");
        std::fs::remove_dir_all(t.0.join("fixtures/wechat/penalty_list")).unwrap();

        let report = Report::read(&t.0).unwrap();
        let all = report.problems.join("\n");
        let expect = [
            "fixtures/wechat/token/new_case.json has no snapshot",
            "wechat__token__deleted.json.snap is orphaned",
            "fw199__every_recorded_answer_parses@ok.json.snap is orphaned",
            "taobao__trade_rates__error_top_style.json.snap is orphaned",
            "wechat__token__error_gone.json.snap is orphaned",
            "responses__x@token__ok.json.snap is named after a fixture but its header has no",
            "taobao.trade_rates's not_replayed names fixtures/taobao/trade_rates/error_top_style.json",
            "wechat.token's substituted names fixtures/wechat/token/error_gone.json",
            "fixtures/jd/comments_get has no entry in fixtures/manifest.json",
            "fixtures/jd/comments_get/ok.json has no snapshot",
            "wechat.penalty_list lists wechat/penalty_list, which has no fixtures",
        ];
        for needle in expect {
            assert!(all.contains(needle), "no {needle:?} in:\n{all}");
        }
        assert_eq!(report.problems.len(), expect.len(), "{all}");
        assert_eq!(report.orphans.len(), 4);
    }

    #[test]
    fn an_unreadable_manifest_stops_the_check() {
        let t = healthy("unparsed");
        t.write(
            "fixtures/manifest.json",
            r#"{"operations": [{"platform": "wechat"}]}"#,
        );
        let err = Report::read(&t.0).unwrap_err().to_string();
        assert!(err.contains("operations[0]: no `operation`"), "{err}");
    }

    #[test]
    fn snapshot_headers_name_their_fixture() {
        assert_eq!(
            fixture_snapshot_test("fixtures__every_fixture_decodes@wechat__token__ok.json.snap"),
            Some("fixtures")
        );
        assert_eq!(fixture_snapshot_test("requests__base_urls.snap"), None);
        assert_eq!(
            input_file("---\nsource: a.rs\ninput_file: fixtures/wechat/token/ok.json\n---\nx\n"),
            Some("fixtures/wechat/token/ok.json")
        );
        assert_eq!(input_file("---\nsource: a.rs\n---\ninput_file: no\n"), None);
    }
}
