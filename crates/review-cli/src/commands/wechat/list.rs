//! `reviews wechat list`: a window of evaluations, streamed as JSON lines or CSV, or held for
//! a table.
//!
//! The client's review walk reads them with `replied` joined from the awaiting-reply listing of
//! the same window, in windows of bounded size; this module only formats.

use jiff::Timestamp;
use review_client::WechatReviews;
use review_model::Review;
use review_model::wechat::FilterType;

use crate::cli::ListFormat;
use crate::error::CliResult;
use crate::output::csv::{CsvOut, review_fields, review_header};
use crate::output::table::{self, Fit, Table};
use crate::output::{self, Stdout, json, times};
use crate::setup::Session;

/// The page size: the endpoint's largest useful one, for the fewest round trips.
const PAGE: u32 = 100;

/// Lists the evaluations of `filter` between `since` and `until`.
pub(super) fn run(
    filter: FilterType,
    (since, until): (Timestamp, Timestamp),
    format: Option<ListFormat>,
    session: &Session,
) -> CliResult {
    let wechat = session.wechat()?;
    let format = output::format(format);
    let request = WechatReviews::new(since, until)
        .filter(filter)
        .page_size(PAGE);
    let reviews = wechat
        .client
        .reviews(request)
        .map_err(|e| wechat.error(&e))?
        .map(|item| item.map_err(|e| wechat.error(&e)));

    let mut out = Stdout::new();
    match format {
        ListFormat::Json => {
            for review in reviews {
                json::line(&mut out, &review?)?;
                if out.closed() {
                    break;
                }
            }
        }
        ListFormat::Csv => {
            let mut csv = CsvOut::new(&mut out, &review_header().collect::<Vec<_>>())?;
            for review in reviews {
                csv.row(review_fields(&review?))?;
                if csv.get_ref().closed() {
                    break;
                }
            }
            csv.finish()?;
        }
        ListFormat::Table => {
            let mut table = Table::new(vec![
                ("id".to_owned(), Fit::Fixed),
                (
                    format!("time ({})", times::zone_label(&session.tz)),
                    Fit::Fixed,
                ),
                ("stars".to_owned(), Fit::Fixed),
                ("sentiment".to_owned(), Fit::Fixed),
                ("replied".to_owned(), Fit::Fixed),
                ("author".to_owned(), Fit::Shrink),
                ("text".to_owned(), Fit::Shrink),
            ]);
            for review in reviews {
                table.push(row(&review?, session));
            }
            if table.is_empty() {
                out.line(&format!(
                    "no {filter} evaluations between {} and {}",
                    times::table(since, &session.tz),
                    times::table(until, &session.tz)
                ))?;
            } else {
                for line in table.render(table::terminal_width()) {
                    out.line(&line)?;
                }
            }
        }
    }
    out.finish()
}

/// One table row.
fn row(review: &Review, session: &Session) -> Vec<String> {
    let mut text = review.text.clone();
    if !review.media.is_empty() {
        text = format!("[{} media] {text}", review.media.len());
    }
    vec![
        review.id.clone(),
        times::table(review.created_at, &session.tz),
        table::stars(review.stars.map_or(0, |stars| stars.get())),
        review.sentiment.to_string(),
        if review.replied { "yes" } else { "no" }.to_owned(),
        review.author.clone().unwrap_or_default(),
        text,
    ]
}
