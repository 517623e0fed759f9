//! `reviews inbox`: what needs the merchant, oldest first, read from the mirror alone (no API
//! call, so it answers in milliseconds and works offline): each review with its age and the
//! suggested next step.

mod next_step;

use jiff::Timestamp;
use review_model::Platform;
use review_store::{InboxView, StoredReview};
use serde_json::Value;

use crate::cli::{InboxArgs, InboxChoice, InboxFormat, PlatformChoice};
use crate::error::{CliError, CliResult};
use crate::mirror;
use crate::output::csv::{CsvOut, review_fields, review_header};
use crate::output::table::{self, Fit, Table};
use crate::output::{Stdout, json, times};
use crate::settings::Settings;
use crate::setup;

use self::next_step::next_step;

/// Lists the chosen view of the mirror.
pub(crate) fn run(args: &InboxArgs, settings: &Settings, tz: &str) -> CliResult {
    let tz = setup::time_zone(tz)?;
    let url = mirror::url(&settings.db)?;
    let mut mirror = mirror::open(&url)?;
    let view = match args.view {
        InboxChoice::Unanswered => InboxView::Unanswered,
        InboxChoice::PendingSettlement => InboxView::PendingSettlement,
        InboxChoice::RepliedUnsettled => InboxView::RepliedUnsettled,
    };
    let rows: Vec<StoredReview> = mirror
        .inbox(view)
        .map_err(|e| CliError::runtime(format!("cannot read the mirror {}: {e}", url.redacted())))?
        .into_iter()
        .filter(|row| match args.platform {
            PlatformChoice::All => true,
            PlatformChoice::Wechat => row.review.platform == Platform::Wechat,
            PlatformChoice::Taobao => row.review.platform == Platform::Taobao,
        })
        .collect();
    let now = Timestamp::now();
    let format = args
        .format
        .unwrap_or_else(|| match crate::output::format(None) {
            crate::cli::ListFormat::Table => InboxFormat::Table,
            _ => InboxFormat::Jsonl,
        });
    let mut out = Stdout::new();
    match format {
        InboxFormat::Jsonl => {
            for row in &rows {
                json::line(&mut out, &record(row, now)?)?;
                if out.closed() {
                    break;
                }
            }
        }
        InboxFormat::Csv => {
            let header: Vec<&str> = review_header()
                .chain(["tenant", "age_seconds", "next_step"])
                .collect();
            let mut csv = CsvOut::new(&mut out, &header)?;
            for row in &rows {
                let mut fields: Vec<String> = review_fields(&row.review).into();
                fields.push(row.tenant.clone());
                fields.push(age_seconds(row, now).to_string());
                fields.push(next_step(row));
                csv.row(fields)?;
                if csv.get_ref().closed() {
                    break;
                }
            }
            csv.finish()?;
        }
        InboxFormat::Table => {
            if rows.is_empty() {
                out.line(&format!(
                    "nothing waits in {} ({})",
                    url.redacted(),
                    view_name(args.view)
                ))?;
            } else {
                let mut table = Table::new(vec![
                    ("age".to_owned(), Fit::Fixed),
                    (format!("written ({})", times::zone_label(&tz)), Fit::Fixed),
                    ("platform".to_owned(), Fit::Fixed),
                    ("id".to_owned(), Fit::Fixed),
                    ("rating".to_owned(), Fit::Fixed),
                    ("author".to_owned(), Fit::Shrink),
                    ("text".to_owned(), Fit::Shrink),
                    ("next step".to_owned(), Fit::Shrink),
                ]);
                for row in &rows {
                    table.push(vec![
                        age(age_seconds(row, now)),
                        times::table(row.review.created_at, &tz),
                        row.review.platform.to_string(),
                        row.review.id.clone(),
                        row.review.stars.map_or_else(
                            || row.review.sentiment.to_string(),
                            |stars| table::stars(stars.get()),
                        ),
                        row.review.author.clone().unwrap_or_default(),
                        row.review.text.clone(),
                        next_step(row),
                    ]);
                }
                for line in table.render(table::terminal_width()) {
                    out.line(&line)?;
                }
            }
        }
    }
    out.finish()
}

fn view_name(view: InboxChoice) -> &'static str {
    match view {
        InboxChoice::Unanswered => "no unanswered bad review",
        InboxChoice::PendingSettlement => "no bad review pending settlement",
        InboxChoice::RepliedUnsettled => "no replied review waiting for settlement",
    }
}

/// The unified record, then the inbox's own keys.
fn record(row: &StoredReview, now: Timestamp) -> CliResult<Value> {
    let mut value = serde_json::to_value(&row.review)
        .map_err(|e| CliError::runtime(format!("cannot encode review {}: {e}", row.review.id)))?;
    if let Value::Object(map) = &mut value {
        map.insert("tenant".to_owned(), Value::from(row.tenant.clone()));
        map.insert("age_seconds".to_owned(), Value::from(age_seconds(row, now)));
        map.insert(
            "service_sent".to_owned(),
            Value::from(row.state.service_sent),
        );
        map.insert(
            "pending_settlement".to_owned(),
            Value::from(row.state.pending_settlement),
        );
        map.insert("next_step".to_owned(), Value::from(next_step(row)));
        map.insert(
            "first_seen_at".to_owned(),
            Value::from(times::machine(row.first_seen_at)),
        );
    }
    Ok(value)
}

fn age_seconds(row: &StoredReview, now: Timestamp) -> i64 {
    now.as_second()
        .saturating_sub(row.review.created_at.as_second())
        .max(0)
}

/// `3d 4h`, `5h 10m`, `12m`.
fn age(seconds: i64) -> String {
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

#[cfg(test)]
mod tests {
    use super::age;

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(age(3 * 86_400 + 4 * 3_600 + 59), "3d 4h");
        assert_eq!(age(5 * 3_600 + 10 * 60), "5h 10m");
        assert_eq!(age(12 * 60 + 5), "12m");
    }
}
