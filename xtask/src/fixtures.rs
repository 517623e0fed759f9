//! `cargo xtask fixtures [--check]`: every fixture is decoded by a snapshot test and replayed by
//! the sandbox conformance test, and no snapshot is left without its fixture.
//!
//! For every `fixtures/<platform>/<operation>/<case>.json`:
//! - the review model's snapshot (`crates/review-model/tests/snapshots/`
//!   `fixtures__every_fixture_decodes@<platform>__<operation>__<case>.json.snap`) exists;
//! - the sandbox conformance test (`crates/review-sandbox/tests/conformance.rs`, read as text)
//!   replays it: its platform is one the test loads, and it is not a push (pushes go the other
//!   way and are excluded by the test), or it is named in the test's `NOT_REPLAYED` list;
//! - the conformance test's `NOT_REPLAYED` and `SUBSTITUTED` lists only name existing fixtures.
//!
//! And every snapshot under `crates/*/tests/snapshots/` named after a fixture (`...@<x>.json.snap`)
//! still has its fixture, looked up under the directory its test's `insta::glob!` walks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cargo;

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
/// The sandbox conformance test.
const CONFORMANCE: &str = "crates/review-sandbox/tests/conformance.rs";

/// How the sandbox conformance test treats a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Replay {
    /// Replayed against the sandbox.
    Replayed,
    /// Named in `NOT_REPLAYED`.
    Skipped,
    /// An operation the test leaves out by design (`push`).
    Excluded,
    /// Not replayed and not named: a problem.
    Missing,
}

impl fmt::Display for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Replayed => "replayed",
            Self::Skipped => "skipped (NOT_REPLAYED)",
            Self::Excluded => "not replayed (push)",
            Self::Missing => "NOT REPLAYED",
        })
    }
}

/// One fixture and what covers it.
#[derive(Debug)]
struct Coverage {
    /// `wechat/mpcommentlist_get/doc_example` (no `.json`).
    name: String,
    model_snapshot: bool,
    /// Other per-fixture snapshots (protocol), by test.
    other_snapshots: Vec<String>,
    replay: Replay,
}

/// What the conformance test says about fixtures, read from its source.
#[derive(Debug, Default)]
struct Conformance {
    /// The platform directories it loads (`for platform in ["wechat", "fw199"]`).
    platforms: BTreeSet<String>,
    /// Operations it leaves out (`f.operation != "push"`).
    excluded_operations: BTreeSet<String>,
    /// `NOT_REPLAYED`.
    not_replayed: Vec<String>,
    /// `SUBSTITUTED`.
    substituted: Vec<String>,
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
        let snapshots = snapshot_files(root)?;
        let conformance_path = root.join(CONFORMANCE);
        let conformance_text = std::fs::read_to_string(&conformance_path)
            .with_context(|| format!("reading {}", conformance_path.display()))?;
        let conformance = Conformance::parse(&conformance_text);

        let mut report = Self::default();
        if conformance.platforms.is_empty() {
            report.problems.push(format!(
                "{CONFORMANCE}: cannot find the platforms it loads (`for platform in [...]`)"
            ));
        }
        if !conformance_text.contains("const NOT_REPLAYED") {
            report.problems.push(format!(
                "{CONFORMANCE}: cannot find its `NOT_REPLAYED` list"
            ));
        }
        let known: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        for (list, entries) in [
            ("NOT_REPLAYED", &conformance.not_replayed),
            ("SUBSTITUTED", &conformance.substituted),
        ] {
            for entry in entries {
                if !known.contains(entry.as_str()) {
                    report.problems.push(format!(
                        "{CONFORMANCE}: {list} names fixtures/{entry}.json, which does not exist"
                    ));
                }
            }
        }

        // Per-fixture snapshots, resolved to the fixture they name.
        let mut covered: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut model: BTreeSet<&str> = BTreeSet::new();
        for snapshot in &snapshots {
            let Some(file) = snapshot.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            let Some((test, suffix)) = fixture_snapshot_name(file) else {
                continue;
            };
            let scopes = glob_scopes(snapshot, test);
            let matching: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|name| {
                    scopes
                        .iter()
                        .any(|scope| ends_with_components(name, scope, &suffix))
                })
                .collect();
            let shown = display_path(root, snapshot);
            match matching.as_slice() {
                [] => report.orphans.push(shown),
                [one] => {
                    if file.starts_with(MODEL_PREFIX) && shown.starts_with(MODEL_SNAPSHOTS) {
                        model.insert(one);
                    } else {
                        let krate = snapshot
                            .ancestors()
                            .nth(3)
                            .and_then(Path::file_name)
                            .map(|k| k.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        covered
                            .entry(one)
                            .or_default()
                            .push(format!("{krate}/tests/{test}.rs"));
                    }
                }
                several => report.problems.push(format!(
                    "{shown} could name any of {several:?} (its test's glob is too wide to tell)"
                )),
            }
        }
        for orphan in &report.orphans {
            report
                .problems
                .push(format!("{orphan} is orphaned: its fixture does not exist"));
        }

        for name in &names {
            let (platform, operation) = platform_operation(name);
            let replay = if conformance.not_replayed.iter().any(|n| n == name) {
                Replay::Skipped
            } else if conformance.excluded_operations.contains(operation) {
                Replay::Excluded
            } else if conformance.platforms.contains(platform) {
                Replay::Replayed
            } else {
                Replay::Missing
            };
            let model_snapshot = model.contains(name.as_str());
            if !model_snapshot {
                report.problems.push(format!(
                    "fixtures/{name}.json has no snapshot {MODEL_SNAPSHOTS}/{MODEL_PREFIX}{}.json.snap \
                     (run `cargo insta test -p review-model` and review it)",
                    name.replace('/', "__")
                ));
            }
            if replay == Replay::Missing {
                report.problems.push(format!(
                    "fixtures/{name}.json is not replayed by {CONFORMANCE}: it loads the platforms \
                     {:?}; load `{platform}` there or name the fixture in NOT_REPLAYED with a reason",
                    conformance.platforms
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
                    if c.model_snapshot { "yes" } else { "MISSING" },
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
        let count = |replay: &Replay| self.fixtures.iter().filter(|c| c.replay == *replay).count();
        format!(
            "fixtures: {} fixtures, {} with a model snapshot, {} replayed by the sandbox, \
             {} skipped with a reason, {} pushes (not replayed), {} orphaned snapshots",
            self.fixtures.len(),
            self.fixtures.iter().filter(|c| c.model_snapshot).count(),
            count(&Replay::Replayed),
            count(&Replay::Skipped),
            count(&Replay::Excluded),
            self.orphans.len(),
        )
    }
}

impl Conformance {
    fn parse(text: &str) -> Self {
        let platforms = text
            .find("for platform in [")
            .and_then(|start| {
                let rest = text.get(start..)?;
                let end = rest.find(']')?;
                rest.get(..end)
            })
            .map(|list| quoted(list).into_iter().collect())
            .unwrap_or_default();
        let mut excluded_operations = BTreeSet::new();
        let mut rest = text;
        while let Some(at) = rest.find("operation != \"") {
            let after = rest.get(at + "operation != ".len()..).unwrap_or_default();
            if let Some(op) = quoted(after).into_iter().next() {
                excluded_operations.insert(op);
            }
            rest = after;
        }
        Self {
            platforms,
            excluded_operations,
            not_replayed: const_list(text, "NOT_REPLAYED"),
            substituted: const_list(text, "SUBSTITUTED"),
        }
    }
}

/// The fixture names (`platform/operation/case`) in a `const NAME: [...] = [...];`.
fn const_list(text: &str, name: &str) -> Vec<String> {
    let Some(start) = text.find(&format!("const {name}")) else {
        return Vec::new();
    };
    let rest = text.get(start..).unwrap_or_default();
    let Some(eq) = rest.find('=') else {
        return Vec::new();
    };
    let body = rest.get(eq..).unwrap_or_default();
    let body = body
        .get(..body.find("];").unwrap_or(body.len()))
        .unwrap_or_default();
    quoted(body)
        .into_iter()
        .filter(|s| {
            s.split('/').count() == 3
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '-')
        })
        .collect()
}

/// The contents of the string literals in `text` (escapes kept as written, which is enough here).
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut literal = String::new();
        let mut escaped = false;
        for c in chars.by_ref() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => break,
                _ => {
                    escaped = false;
                    literal.push(c);
                }
            }
        }
        out.push(literal);
    }
    out
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

/// `test__function@a__b.json.snap` → (`test`, `a/b`): a snapshot taken by an `insta::glob!` over
/// fixtures. `None` for any other snapshot.
fn fixture_snapshot_name(file: &str) -> Option<(&str, String)> {
    let stem = file.strip_suffix(".json.snap")?;
    let (name, path) = stem.split_once('@')?;
    let test = name.split_once("__").map_or(name, |(test, _)| test);
    Some((test, path.replace("__", "/")))
}

/// The fixture directories (relative to `fixtures/`, `""` for all of it) the test `test` of the
/// crate owning `snapshot` globs over, read from its `insta::glob!("<base>", "<pattern>", ...)`
/// calls: the base, plus the pattern's leading literal directories. Everything if unknown.
fn glob_scopes(snapshot: &Path, test: &str) -> Vec<String> {
    let source = snapshot
        .parent()
        .and_then(Path::parent)
        .map(|tests| tests.join(format!("{test}.rs")));
    let Some(text) = source.and_then(|s| std::fs::read_to_string(s).ok()) else {
        return vec![String::new()];
    };
    let mut scopes = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("glob!(") {
        let after = rest.get(at + "glob!(".len()..).unwrap_or_default();
        let args = after
            .get(..after.find('|').unwrap_or(after.len()))
            .unwrap_or_default();
        let literals = quoted(args);
        if let (Some(base), Some(pattern)) = (literals.first(), literals.get(1))
            && let Some((_, under)) = base.split_once("fixtures")
        {
            let mut scope: Vec<&str> = under.split('/').filter(|s| !s.is_empty()).collect();
            let mut pattern_dirs: Vec<&str> = pattern.split('/').collect();
            pattern_dirs.pop();
            scope.extend(
                pattern_dirs
                    .into_iter()
                    .take_while(|d| !d.contains(['*', '?', '[', '{'])),
            );
            scopes.push(scope.join("/"));
        }
        rest = after;
    }
    if scopes.is_empty() {
        scopes.push(String::new());
    }
    scopes
}

/// Whether fixture `name` lies under `scope` and its path there ends with `suffix`, on whole
/// path components (insta names a glob's snapshot after the path below the matches' common
/// directory).
fn ends_with_components(name: &str, scope: &str, suffix: &str) -> bool {
    let below = if scope.is_empty() {
        name
    } else {
        match name.strip_prefix(scope).and_then(|r| r.strip_prefix('/')) {
            Some(below) => below,
            None => return false,
        }
    };
    below == suffix
        || below
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('/'))
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

    const CONFORMANCE_RS: &str = r#"
const NOT_REPLAYED: [(&str, &str); 1] = [(
    "fw199/traderates_get/error_top_style",
    "cannot; be \"reproduced\"",
)];
const SUBSTITUTED: [&str; 1] = ["wechat/token/error_gone"];
fn load() { for platform in ["wechat", "fw199"] {} }
fn run() { fixtures.iter().filter(|f| f.operation != "push"); }
"#;

    const MODEL_RS: &str = r#"insta::glob!("../../../fixtures", "**/*.json", |path| {});"#;
    const FW199_RS: &str =
        r#"insta::glob!("../../../fixtures/fw199", "traderates_get/*.json", |path| {});"#;

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
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A workspace layout where everything is covered.
    fn healthy(label: &str) -> Temp {
        let t = Temp::new(label);
        for name in [
            "wechat/token/ok",
            "wechat/push/bad_score_xml",
            "fw199/traderates_get/doc_example",
            "fw199/traderates_get/error_top_style",
        ] {
            t.write(&format!("fixtures/{name}.json"), "{}");
            t.write(
                &format!(
                    "{MODEL_SNAPSHOTS}/{MODEL_PREFIX}{}.json.snap",
                    name.replace('/', "__")
                ),
                "",
            );
        }
        t.write("fixtures/README.md", "");
        t.write("fixtures/wechat/token/error_gone.json", "{}");
        t.write(
            &format!("{MODEL_SNAPSHOTS}/{MODEL_PREFIX}wechat__token__error_gone.json.snap"),
            "",
        );
        t.write("crates/review-model/tests/fixtures.rs", MODEL_RS);
        t.write("crates/review-model/tests/snapshots/other__plain.snap", "");
        t.write("crates/review-protocol/tests/fw199.rs", FW199_RS);
        t.write(
            "crates/review-protocol/tests/snapshots/fw199__every_recorded_answer_parses@doc_example.json.snap",
            "",
        );
        t.write(CONFORMANCE, CONFORMANCE_RS);
        t
    }

    #[test]
    fn a_covered_layout_passes() {
        let t = healthy("ok");
        let report = Report::read(&t.0).unwrap();
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
        assert_eq!(report.fixtures.len(), 5);
        let replay: BTreeMap<&str, &Replay> = report
            .fixtures
            .iter()
            .map(|c| (c.name.as_str(), &c.replay))
            .collect();
        assert_eq!(replay["wechat/push/bad_score_xml"], &Replay::Excluded);
        assert_eq!(
            replay["fw199/traderates_get/error_top_style"],
            &Replay::Skipped
        );
        assert_eq!(replay["wechat/token/ok"], &Replay::Replayed);
        let doc = report
            .fixtures
            .iter()
            .find(|c| c.name == "fw199/traderates_get/doc_example")
            .unwrap();
        assert_eq!(doc.other_snapshots, ["review-protocol/tests/fw199.rs"]);
        assert!(
            report.summary().contains("5 fixtures"),
            "{}",
            report.summary()
        );
    }

    #[test]
    fn missing_snapshots_orphans_and_stale_skips_are_reported() {
        let t = healthy("bad");
        // A fixture without its model snapshot.
        t.write("fixtures/wechat/token/new_case.json", "{}");
        // A snapshot whose fixture is gone, in the model and in a narrower glob.
        t.write(
            &format!("{MODEL_SNAPSHOTS}/{MODEL_PREFIX}wechat__token__deleted.json.snap"),
            "",
        );
        t.write(
            "crates/review-protocol/tests/snapshots/fw199__every_recorded_answer_parses@ok.json.snap",
            "",
        );
        // The skip lists name fixtures that are gone.
        std::fs::remove_file(t.0.join("fixtures/fw199/traderates_get/error_top_style.json"))
            .unwrap();
        std::fs::remove_file(t.0.join("fixtures/wechat/token/error_gone.json")).unwrap();
        // A platform the conformance test does not load.
        t.write("fixtures/jd/comments_get/ok.json", "{}");
        t.write(
            &format!("{MODEL_SNAPSHOTS}/{MODEL_PREFIX}jd__comments_get__ok.json.snap"),
            "",
        );

        let report = Report::read(&t.0).unwrap();
        let all = report.problems.join("\n");
        let expect = [
            "fixtures/wechat/token/new_case.json has no snapshot",
            "wechat__token__deleted.json.snap is orphaned",
            // `wechat/token/ok` exists, but not under the fw199 test's glob.
            "fw199__every_recorded_answer_parses@ok.json.snap is orphaned",
            "fw199__traderates_get__error_top_style.json.snap is orphaned",
            "wechat__token__error_gone.json.snap is orphaned",
            "NOT_REPLAYED names fixtures/fw199/traderates_get/error_top_style.json",
            "SUBSTITUTED names fixtures/wechat/token/error_gone.json",
            "fixtures/jd/comments_get/ok.json is not replayed",
        ];
        for needle in expect {
            assert!(all.contains(needle), "no {needle:?} in:\n{all}");
        }
        assert_eq!(report.problems.len(), expect.len(), "{all}");
        assert_eq!(report.orphans.len(), 4);
    }

    #[test]
    fn an_unreadable_conformance_test_is_a_problem() {
        let t = healthy("unparsed");
        t.write(CONFORMANCE, "fn nothing() {}");
        let report = Report::read(&t.0).unwrap();
        let all = report.problems.join("\n");
        assert!(all.contains("cannot find the platforms"), "{all}");
        assert!(all.contains("cannot find its `NOT_REPLAYED` list"), "{all}");
        assert!(
            all.contains("wechat/token/ok.json is not replayed"),
            "{all}"
        );
    }

    #[test]
    fn snapshot_names_are_read_as_fixture_paths() {
        assert_eq!(
            fixture_snapshot_name("fixtures__every_fixture_decodes@wechat__token__ok.json.snap"),
            Some(("fixtures", "wechat/token/ok".to_owned()))
        );
        assert_eq!(fixture_snapshot_name("requests__base_urls.snap"), None);
        assert!(ends_with_components("wechat/token/ok", "", "token/ok"));
        assert!(!ends_with_components("wechat/token/not_ok", "", "ok"));
        assert!(!ends_with_components("wechat/token/ok", "fw199", "ok"));
    }
}
