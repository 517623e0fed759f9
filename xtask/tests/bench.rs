//! `cargo xtask bench --quick` end to end: every benchmark runs and its ratios land in one table.

use std::path::Path;
use std::process::Command;

#[test]
fn bench_quick_prints_one_table_and_writes_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root");
    let output = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "xtask", "--", "bench", "--quick"])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "bench failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let json = std::fs::read_to_string(root.join("target/xtask-bench.json"))
        .expect("the JSON table is written");
    let table: serde_json::Value = serde_json::from_str(&json).expect("the table is JSON");
    let rows = table
        .as_array()
        .or_else(|| table.get("rows").and_then(|r| r.as_array()))
        .expect("rows");
    for bench in ["decode", "list_page", "export", "webhook"] {
        assert!(
            rows.iter().any(|row| row.to_string().contains(bench)),
            "no ratio from the {bench} bench in {json}"
        );
    }
}
