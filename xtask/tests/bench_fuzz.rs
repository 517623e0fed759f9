//! `cargo xtask fuzz` end to end: a short pass over every target.

use std::path::Path;
use std::process::Command;

#[test]
fn fuzz_all_short_pass_succeeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root");
    let output = Command::new(env!("CARGO"))
        .args([
            "run", "-q", "-p", "xtask", "--", "fuzz", "all", "--time", "2",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "fuzz failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for target in ["push", "wechat-responses", "fw199-responses", "fw199-form"] {
        assert!(
            stdout.contains(&format!("fuzz {target} ")),
            "no report for {target}:\n{stdout}"
        );
    }
}
