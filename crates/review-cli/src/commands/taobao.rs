//! `reviews taobao search`: the shop's trade rates over a range, however long (the client's
//! planner splits it under Taobao's 1500 cap and clamps it to the 180 days Taobao keeps).
//!
//! Arguments are checked by [`check`] before the session starts, so that bad input gives one
//! line on stderr.

use std::io::Write;
use std::str::FromStr;

use jiff::Timestamp;
use review_client::RateRange;
use review_model::Review;
use review_model::taobao::{self as model, RateResult, RateType, Role, TradeRate};
use review_protocol::taobao::{PlanStats, SearchTradeRates};

use crate::cli::{ListFormat, TaobaoCommand, Window};
use crate::error::{CliError, CliResult};
use crate::output::csv::{CsvOut, review_fields, review_header};
use crate::output::table::{self, Fit, Table};
use crate::output::{self, Stdout, json, times};
use crate::setup::Session;
use crate::time;

/// Rates per page: enough for few requests, well under the gateway's 150.
const PAGE: u32 = 100;

/// The parsed filters of a search.
struct Filters {
    result: Option<RateResult>,
    rate_type: RateType,
    role: Role,
    since: Timestamp,
    until: Timestamp,
}

/// Checks every argument of `command` without touching the network.
pub(crate) fn check(command: &TaobaoCommand) -> CliResult {
    filters(command).map(drop)
}

fn filters(command: &TaobaoCommand) -> CliResult<Filters> {
    let TaobaoCommand::Search {
        result,
        rate_type,
        role,
        window,
        ..
    } = command;
    let (since, until) = parse_window(window)?;
    Ok(Filters {
        result: result
            .as_deref()
            .map(|r| parse("--result", r))
            .transpose()?,
        rate_type: parse("--rate-type", rate_type)?,
        role: parse("--role", role)?,
        since,
        until,
    })
}

fn parse<T: FromStr<Err = model::UnknownValue>>(option: &str, text: &str) -> CliResult<T> {
    T::from_str(text).map_err(|err| CliError::usage(format!("{option}: {err}")))
}

fn parse_window(window: &Window) -> CliResult<(Timestamp, Timestamp)> {
    time::window(
        window.since.as_deref(),
        window.until.as_deref(),
        Timestamp::now(),
    )
}

/// Runs the search and prints the rates.
pub(crate) fn run(command: &TaobaoCommand, session: &Session) -> CliResult {
    let TaobaoCommand::Search { format, .. } = command;
    let filters = filters(command)?;
    let fw199 = session.fw199()?;
    let mut base = SearchTradeRates::received(fw199.seller_nick.clone());
    base.rate_type = filters.rate_type;
    base.role = filters.role;
    base.result = filters.result;
    let client_error = |e: review_client::ClientError| CliError::client(&e, &fw199.host);
    let range = RateRange::new(filters.since, filters.until)
        .base(base)
        .page_size(PAGE);
    let mut rates = fw199.client.rates(range).map_err(client_error)?;
    let mut out = Stdout::new();
    {
        let items = rates.by_ref().map(|r| r.map_err(client_error));
        match output::format(*format) {
            ListFormat::Json => {
                for rate in items {
                    json::line(&mut out, &Review::from(&rate?))?;
                    if out.closed() {
                        break;
                    }
                }
            }
            ListFormat::Csv => {
                let mut csv = CsvOut::new(&mut out, &review_header().collect::<Vec<_>>())?;
                for rate in items {
                    csv.row(review_fields(&Review::from(&rate?)))?;
                    if csv.get_ref().closed() {
                        break;
                    }
                }
                csv.finish()?;
            }
            ListFormat::Table => {
                let mut table = Table::new(vec![
                    (
                        format!("time ({})", times::zone_label(&session.tz)),
                        Fit::Fixed,
                    ),
                    ("result".to_owned(), Fit::Fixed),
                    ("nick".to_owned(), Fit::Shrink),
                    ("item".to_owned(), Fit::Shrink),
                    ("price ¥".to_owned(), Fit::Fixed),
                    ("text".to_owned(), Fit::Shrink),
                    ("reply".to_owned(), Fit::Shrink),
                ]);
                for rate in items {
                    table.push(row(&rate?, session));
                }
                if table.is_empty() {
                    out.line("no trade rates match")?;
                } else {
                    for line in table.render(table::terminal_width()) {
                        out.line(&line)?;
                    }
                }
            }
        }
    }
    out.finish()?;
    if !out.closed() {
        warn(rates.stats());
    }
    Ok(())
}

fn row(rate: &TradeRate, session: &Session) -> Vec<String> {
    vec![
        times::table(rate.created, &session.tz),
        rate.result.to_string(),
        rate.nick.clone().unwrap_or_default(),
        rate.item_title.clone().unwrap_or_default(),
        rate.item_price.map(|p| p.to_string()).unwrap_or_default(),
        rate.content.clone(),
        rate.reply.clone().unwrap_or_default(),
    ]
}

/// One line on stderr when the range was not read in full as asked.
fn warn(stats: &PlanStats) {
    let mut notes = Vec::new();
    if let Some(start) = stats.clamped_start {
        notes.push(format!(
            "Taobao keeps only the last 180 days: read from {} (China Standard Time)",
            model::format_time(start)
        ));
    }
    if !stats.truncated.is_empty() {
        let lost: Vec<String> = stats
            .truncated
            .iter()
            .map(|t| model::format_time(t.window.start))
            .collect();
        notes.push(format!(
            "{} second(s) held 1500 rates or more and Taobao served only 1500 of each: {}",
            lost.len(),
            lost.join(", ")
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(std::io::stderr(), "reviews: {}", notes.join("; "));
    }
}
