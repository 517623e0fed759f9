//! `cargo xtask new-endpoint` in a temporary copy of the workspace, for a WeChat and a Taobao
//! endpoint: then the copy is formatted, `cargo test --workspace` passes in it with no snapshot
//! to accept, and the conformance test names the endpoints the sandbox does not emulate.
//!
//! The copy's own run skips three xtask tests by name: this one (it would copy the copy), and the
//! bench and fuzz passes, which do not read the new endpoint and would only double the time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn main_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_workspace() -> TempDir {
    let root = main_root();
    let dir = std::env::temp_dir().join(format!(
        "xtask-new-endpoint-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    // Everything but the build output and the history (READMEs are doctests).
    copy_dir(&root, &dir);
    TempDir(dir)
}

/// Set in the copy's environment, so that this test does not run again inside it.
const IN_COPY: &str = "XTASK_NEW_ENDPOINT_COPY";

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // Kept between runs, so only what the scaffold changed is rebuilt.
        .env(
            "CARGO_TARGET_DIR",
            main_root().join("target/xtask-scaffold"),
        )
        // Without debug info and incremental state the copy's cold build is much faster; its
        // tests only need to pass.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        // A missing snapshot fails instead of being written: the scaffold must need none.
        .env("INSTA_UPDATE", "no")
        .env(IN_COPY, "1")
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

fn assert_ok(step: &str, output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{step} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file in the crates' snapshot directories.
fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(dir.join("crates")).unwrap() {
        let snapshots = krate.unwrap().path().join("tests/snapshots");
        if let Ok(entries) = std::fs::read_dir(snapshots) {
            out.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    out.sort();
    out
}

const XTASK: &[&str] = &["run", "-q", "-p", "xtask", "--", "new-endpoint"];

fn scaffold(dir: &Path, args: &[&str]) -> std::process::Output {
    let all: Vec<&str> = XTASK.iter().chain(args).copied().collect();
    cargo(dir, &all)
}

#[test]
fn scaffold_then_the_workspace_tests_pass() {
    if std::env::var_os(IN_COPY).is_some() {
        return;
    }
    let copy = copy_workspace();
    let dir = copy.0.as_path();
    let before = snapshots(dir);

    let wechat = scaffold(
        dir,
        &[
            "wechat",
            "penalty_list",
            "--method",
            "GET",
            "--path",
            "/wxaapi/wxamptrade/get_penalty_list",
        ],
    );
    assert_ok("new-endpoint wechat", &wechat);
    let printed = String::from_utf8_lossy(&wechat.stdout);
    assert!(printed.contains("Left to fill"), "{printed}");
    assert!(!printed.contains("not formatted"), "{printed}");

    let taobao = scaffold(
        dir,
        &[
            "taobao",
            "rate_explain",
            "--method",
            "POST",
            "--path",
            "/gateway/taobao/traderate/explain",
        ],
    );
    assert_ok("new-endpoint taobao", &taobao);

    for file in [
        "crates/review-protocol/src/wechat/penalty_list.rs",
        "fixtures/wechat/penalty_list/ok.json",
        "fixtures/wechat/penalty_list/error_todo.json",
        "crates/review-protocol/src/taobao/rate_explain.rs",
        "fixtures/taobao/rate_explain/ok.json",
        "fixtures/taobao/rate_explain/error_todo.json",
    ] {
        assert!(dir.join(file).exists(), "{file} was not created");
    }
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap();
    let wechat_mod = read("crates/review-protocol/src/wechat/mod.rs");
    for needle in [
        "mod penalty_list;\npub mod push;\nmod reply_add;",
        "pub use penalty_list::PenaltyList;",
        "    PenaltyList::METADATA,\n];",
    ] {
        assert!(wechat_mod.contains(needle), "no {needle:?} in {wechat_mod}");
    }
    let taobao_mod = read("crates/review-protocol/src/taobao/mod.rs");
    for needle in [
        "mod rate_explain;",
        "pub use rate_explain::RateExplain;",
        "RateExplain::METADATA",
    ] {
        assert!(taobao_mod.contains(needle), "no {needle:?} in {taobao_mod}");
    }
    let module = read("crates/review-protocol/src/taobao/rate_explain.rs");
    assert!(
        module.contains("wire::signed_post(ctx, Self::METADATA.path"),
        "{module}"
    );
    assert!(module.contains("name: \"taobao.rate_explain\""), "{module}");
    let manifest: serde_json::Value =
        serde_json::from_str(&read("fixtures/manifest.json")).unwrap();
    let entries: Vec<String> = manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["replay"] == "not_emulated")
        .map(|o| {
            format!(
                "{}.{}",
                o["platform"].as_str().unwrap(),
                o["operation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(entries, ["wechat.penalty_list", "taobao.rate_explain"]);
    let methods = read("crates/review-client/src/methods.rs");
    assert!(methods.contains("fn penalty_list(") && methods.contains("self.fw199(request)"));

    // Refusals: the module exists now, and bad arguments.
    for (args, expected) in [
        (
            &["wechat", "penalty_list", "--method", "GET", "--path", "/x"][..],
            "already exists",
        ),
        (
            &["wechat", "PenaltyList", "--method", "GET", "--path", "/x"][..],
            "snake_case",
        ),
        (
            &["wechat", "other_list", "--method", "GET", "--path", "x"][..],
            "does not start with `/`",
        ),
        (
            &["weibo", "other_list", "--method", "GET", "--path", "/x"][..],
            "invalid value 'weibo'",
        ),
    ] {
        let out = scaffold(dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }

    assert_ok("fmt", &cargo(dir, &["fmt", "--all", "--check"]));
    assert_ok(
        "cargo test --workspace",
        &cargo(
            dir,
            &[
                "test",
                "-q",
                "--workspace",
                "--",
                "--skip",
                "scaffold_then_the_workspace_tests_pass",
                "--skip",
                "bench_quick_prints_one_table_and_writes_json",
                "--skip",
                "fuzz_all_short_pass_succeeds",
                // Tokens shared between processes and stores: nothing a new endpoint touches,
                // and the slowest of the suite (a hundred runs, a 10 s lease).
                "--skip",
                "token_request",
                "--skip",
                "refresh_once",
                "--skip",
                "refresh_holder",
                "--skip",
                "redis_stopped",
                "--skip",
                "survives_a_hundred_runs",
                "--skip",
                "keeps_the_contract",
                // The mirror's process tests (kills, restarts, two webhooks): nothing a new
                // endpoint touches either.
                "--skip",
                "killed_at_ten_random_moments",
                "--skip",
                "sigkill_under_load",
                "--skip",
                "two_instances_and_retries",
                "--skip",
                "resume_after_a_restart",
            ],
        ),
    );
    let conformance = cargo(
        dir,
        &[
            "test",
            "-q",
            "-p",
            "review-sandbox",
            "--test",
            "conformance",
            "--",
            "--nocapture",
        ],
    );
    assert_ok("conformance", &conformance);
    let stderr = String::from_utf8_lossy(&conformance.stderr);
    for name in ["wechat.penalty_list", "taobao.rate_explain"] {
        assert!(
            stderr.contains(&format!(
                "conformance: {name} is not emulated by the sandbox yet"
            )),
            "{stderr}"
        );
    }
    assert_eq!(
        snapshots(dir),
        before,
        "the tests wrote snapshots: the scaffold must leave none to accept"
    );
}
