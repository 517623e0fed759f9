//! `cargo xtask fixtures --check` passes on the workspace as committed.

use std::path::Path;
use std::process::Command;

#[test]
fn every_fixture_is_covered_and_no_snapshot_is_orphaned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root");
    let output = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "xtask", "--", "fixtures", "--check"])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo xtask fixtures --check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("orphaned snapshots"), "{stdout}");
}
