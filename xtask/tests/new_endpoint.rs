//! `cargo xtask new-endpoint` in a temporary copy of the workspace: the scaffold compiles and the
//! fixture snapshot test passes with the new fixtures.

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
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", "clippy.toml", "rustfmt.toml"] {
        if root.join(file).exists() {
            std::fs::copy(root.join(file), dir.join(file)).unwrap();
        }
    }
    for sub in [".cargo", "crates", "xtask", "fixtures"] {
        copy_dir(&root.join(sub), &dir.join(sub));
    }
    TempDir(dir)
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            main_root().join("target/xtask-scaffold"),
        )
        .env("INSTA_UPDATE", "always")
        .env_remove("CI")
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

const XTASK: &[&str] = &["run", "-q", "-p", "xtask", "--", "new-endpoint"];

fn scaffold(dir: &Path, args: &[&str]) -> std::process::Output {
    let all: Vec<&str> = XTASK.iter().chain(args).copied().collect();
    cargo(dir, &all)
}

#[test]
fn scaffolded_endpoints_compile_and_their_fixtures_decode() {
    let copy = copy_workspace();
    let dir = copy.0.as_path();

    let wechat = scaffold(
        dir,
        &[
            "wechat",
            "penalty_list",
            "--method",
            "GET",
            "--path",
            "/wxaapi/comment/penalty/list",
        ],
    );
    assert_ok("new-endpoint wechat", &wechat);
    let printed = String::from_utf8_lossy(&wechat.stdout);
    assert!(printed.contains("Left to fill"), "{printed}");

    let taobao = scaffold(
        dir,
        &[
            "taobao",
            "reply_add",
            "--method",
            "POST",
            "--path",
            "/gateway/taobao/rate/reply",
        ],
    );
    assert_ok("new-endpoint taobao", &taobao);

    for file in [
        "crates/review-protocol/src/wechat/penalty_list.rs",
        "fixtures/wechat/penalty_list/ok.json",
        "fixtures/wechat/penalty_list/error.json",
        "crates/review-protocol/src/fw199/reply_add.rs",
        "fixtures/fw199/reply_add/ok.json",
        "fixtures/fw199/reply_add/error.json",
    ] {
        assert!(dir.join(file).exists(), "{file} was not created");
    }
    let mod_rs =
        std::fs::read_to_string(dir.join("crates/review-protocol/src/wechat/mod.rs")).unwrap();
    assert!(
        mod_rs.contains("mod penalty_list;\nmod reply_add;"),
        "{mod_rs}"
    );
    assert!(
        mod_rs.contains("pub use penalty_list::PenaltyList;"),
        "{mod_rs}"
    );

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

    assert_ok(
        "build",
        &cargo(
            dir,
            &[
                "build",
                "-q",
                "-p",
                "review-protocol",
                "-p",
                "review-client",
            ],
        ),
    );
    assert_ok(
        "fixture test",
        &cargo(
            dir,
            &["test", "-q", "-p", "review-model", "--test", "fixtures"],
        ),
    );
    let snapshots = dir.join("crates/review-model/tests/snapshots");
    assert!(
        snapshots
            .join("fixtures__every_fixture_decodes@wechat__penalty_list__ok.json.snap")
            .exists()
    );
}
