//! `fixtures/manifest.json`, the fixture folders and the platforms' `ENDPOINTS` agree: every
//! endpoint has a folder and an entry named after its `Metadata::operation`, and every entry
//! and folder has its endpoint (a push excepted), so one name per operation holds everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../fixtures/manifest.rs"]
mod manifest;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use manifest::{Manifest, Output};
use review_protocol::Metadata;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn platforms() -> [(&'static str, &'static [Metadata]); 2] {
    [
        ("wechat", review_protocol::wechat::ENDPOINTS),
        ("taobao", review_protocol::taobao::ENDPOINTS),
    ]
}

/// `platform/operation` for every fixture folder, and the `<case>` files of each.
fn folders() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for platform in std::fs::read_dir(fixtures_dir()).unwrap() {
        let platform = platform.unwrap().path();
        if !platform.is_dir() {
            continue;
        }
        for operation in std::fs::read_dir(&platform).unwrap() {
            let operation = operation.unwrap().path();
            assert!(
                operation.is_dir(),
                "{} is not a folder",
                operation.display()
            );
            let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
            out.insert(format!("{}/{}", name(&platform), name(&operation)));
        }
    }
    out
}

fn case_exists(folder: &str, case: &str) -> bool {
    fixtures_dir()
        .join(folder)
        .join(format!("{case}.json"))
        .is_file()
}

#[test]
fn every_endpoint_has_an_entry_and_a_folder() {
    let manifest = Manifest::load(&fixtures_dir()).unwrap();
    let folders = folders();
    for (platform, endpoints) in platforms() {
        for metadata in endpoints {
            let (prefix, operation) = metadata.name.split_once('.').unwrap();
            assert_eq!(
                prefix, platform,
                "{} is listed under {platform}",
                metadata.name
            );
            assert_eq!(operation, metadata.operation());
            let entry = manifest.get(platform, operation).unwrap_or_else(|| {
                panic!("{} has no entry in fixtures/manifest.json", metadata.name)
            });
            assert_ne!(
                entry.output,
                Output::Push,
                "{} is an endpoint",
                metadata.name
            );
            assert!(
                folders.contains(&entry.folder()),
                "{} has no folder fixtures/{}",
                metadata.name,
                entry.folder()
            );
        }
    }
}

#[test]
fn every_entry_has_its_endpoint_and_its_folder() {
    let manifest = Manifest::load(&fixtures_dir()).unwrap();
    let folders = folders();
    for entry in &manifest.operations {
        let endpoints = platforms()
            .into_iter()
            .find(|(platform, _)| *platform == entry.platform)
            .map(|(_, endpoints)| endpoints)
            .unwrap_or_else(|| panic!("{}: unknown platform", entry.folder()));
        let listed = endpoints.iter().any(|m| m.name == entry.name());
        assert_eq!(
            listed,
            entry.output != Output::Push,
            "{}: in ENDPOINTS exactly when it is not a push",
            entry.name()
        );
        assert!(
            folders.contains(&entry.folder()),
            "fixtures/manifest.json lists {}, which has no folder",
            entry.folder()
        );
        for case in entry.substituted.keys().chain(entry.not_replayed.keys()) {
            assert!(
                case_exists(&entry.folder(), case),
                "fixtures/manifest.json names fixtures/{}/{case}.json, which does not exist",
                entry.folder()
            );
        }
    }
    for folder in &folders {
        let (platform, operation) = folder.split_once('/').unwrap();
        assert!(
            manifest.get(platform, operation).is_some(),
            "fixtures/{folder} has no entry in fixtures/manifest.json"
        );
    }
}

#[test]
fn a_bad_manifest_is_refused_with_its_reason() {
    let entry = |extra: &str| {
        format!(
            r#"{{"operations": [{{"platform": "wechat", "operation": "x", "endpoint": "X", {extra}}}]}}"#
        )
    };
    for (extra, expected) in [
        (
            r#""output": "typed", "replay": "sometimes""#,
            "`replay` is `sometimes`",
        ),
        (
            r#""output": "typed", "replay": "not_replayable""#,
            "needs a `reason`",
        ),
        (
            r#""output": "push", "replay": "replayed""#,
            "a push has no `endpoint`",
        ),
        (
            r#""output": "typed", "replay": "replayed", "typo": 1"#,
            "unknown key `typo`",
        ),
        (
            r#""output": "json", "replay": "not_emulated", "substituted": {"error_x": "why"}"#,
            "only refine `replayed`",
        ),
    ] {
        let err = Manifest::parse(&entry(extra)).unwrap_err();
        assert!(err.contains(expected), "{extra}: {err}");
    }
    let twice = r#"{"operations": [
        {"platform": "wechat", "operation": "x", "endpoint": "X", "output": "json", "replay": "not_emulated"},
        {"platform": "wechat", "operation": "x", "endpoint": "X", "output": "json", "replay": "not_emulated"}
    ]}"#;
    assert!(Manifest::parse(twice).unwrap_err().contains("listed twice"));
}
