//! The one line a sync prints on stderr:
//! `reviews: synced 2511 reviews into sqlite:/home/me/.local/share/reviews/mirror.sqlite3: 12 new, 3 changed (2 replied, 1 process), 2496 unchanged; 38 requests in 0.41s`.

use std::io::Write;
use std::time::Duration;

use review_model::mirror::Change;
use review_sync::SyncReport;

/// Prints the summary.
pub(super) fn print(report: &SyncReport, target: &str, elapsed: Duration) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "reviews: {}",
        line(report, target, elapsed, false)
    );
}

/// The summary, of what was committed before a failure when `failed`.
pub(super) fn line(report: &SyncReport, target: &str, elapsed: Duration, failed: bool) -> String {
    let read = report
        .new
        .saturating_add(report.unchanged)
        .saturating_add(report.changed_reviews);
    let kinds: Vec<String> = Change::ALL
        .iter()
        .filter_map(|change| {
            report
                .changed
                .get(change)
                .map(|count| format!("{count} {change}"))
        })
        .collect();
    let changed = if kinds.is_empty() {
        "0 changed".to_owned()
    } else {
        format!("{} changed ({})", report.changed_reviews, kinds.join(", "))
    };
    let verb = if failed {
        "before that, synced"
    } else {
        "synced"
    };
    format!(
        "{verb} {read} reviews into {target}: {} new, {changed}, {} unchanged; {} requests in {:.2}s",
        report.new,
        report.unchanged,
        report.requests,
        elapsed.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_each_kind_of_change() {
        let mut report = SyncReport {
            new: 12,
            unchanged: 2496,
            requests: 38,
            changed_reviews: 3,
            ..SyncReport::default()
        };
        report.changed.insert(Change::Replied, 2);
        report.changed.insert(Change::Process, 1);
        assert_eq!(
            line(
                &report,
                "sqlite:/m.sqlite3",
                Duration::from_millis(410),
                false
            ),
            "synced 2511 reviews into sqlite:/m.sqlite3: 12 new, 3 changed (2 replied, 1 process), 2496 unchanged; 38 requests in 0.41s"
        );
    }
}
