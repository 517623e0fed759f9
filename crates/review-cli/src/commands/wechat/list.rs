//! `reviews wechat list`: a window of evaluations, streamed as JSON lines or CSV, or held for
//! a table.
//!
//! The list endpoint does not say whether a comment was answered; the `awaiting-reply`
//! filter does. So unless that is the filter asked for, the unanswered ids of the same window
//! are read first (a set of ids, far smaller than the comments) and every other comment
//! counts as replied.

use std::collections::HashSet;

use jiff::Timestamp;
use review_model::wechat::{Comment, FilterType};
use review_model::{CommentId, Review};
use review_protocol::wechat::GetCommentList;

use crate::cli::ListFormat;
use crate::error::{CliError, CliResult};
use crate::output::csv::{CsvOut, REVIEW_HEADER, review_fields};
use crate::output::table::{self, Fit, Table};
use crate::output::{self, Stdout, json, times};
use crate::setup::{Session, Wechat};

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
    let query = |filter| GetCommentList::new(since, until).filter(filter).limit(PAGE);
    let replied = Replied::learn(wechat, filter, &query)?;
    let comments = wechat
        .client
        .comments(query(filter))
        .map_err(|e| CliError::client(&e, &wechat.host))?
        .map(|item| item.map_err(|e| CliError::client(&e, &wechat.host)));

    let mut out = Stdout::new();
    match format {
        ListFormat::Json => {
            for comment in comments {
                let comment = comment?;
                json::line(
                    &mut out,
                    &Review::from_wechat(&comment, replied.of(&comment)),
                )?;
                if out.closed() {
                    break;
                }
            }
        }
        ListFormat::Csv => {
            let mut csv = CsvOut::new(&mut out, &REVIEW_HEADER)?;
            for comment in comments {
                let comment = comment?;
                csv.row(review_fields(&Review::from_wechat(
                    &comment,
                    replied.of(&comment),
                )))?;
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
            for comment in comments {
                let comment = comment?;
                table.push(row(&comment, replied.of(&comment), session));
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
fn row(comment: &Comment, replied: bool, session: &Session) -> Vec<String> {
    let mut text = comment.content.text.clone();
    if !comment.content.media.is_empty() {
        text = format!("[{} media] {text}", comment.content.media.len());
    }
    vec![
        comment.comment_id.to_string(),
        times::table(comment.create_time, &session.tz),
        table::stars(comment.score.get()),
        comment.score.sentiment().to_string(),
        if replied { "yes" } else { "no" }.to_owned(),
        comment.nickname().unwrap_or("").to_owned(),
        text,
    ]
}

/// Which comments of the window have a reply.
enum Replied {
    /// The listing is of the unanswered ones.
    None,
    /// Every comment but these.
    AllBut(HashSet<CommentId>),
}

impl Replied {
    fn learn(
        wechat: &Wechat,
        filter: FilterType,
        query: &dyn Fn(FilterType) -> GetCommentList,
    ) -> CliResult<Self> {
        if filter == FilterType::AwaitingReply {
            return Ok(Self::None);
        }
        let client_error = |e: review_client::ClientError| CliError::client(&e, &wechat.host);
        let awaiting = wechat
            .client
            .comments(query(FilterType::AwaitingReply))
            .map_err(client_error)?
            .map(|item| item.map(|c| c.comment_id).map_err(client_error))
            .collect::<CliResult<HashSet<_>>>()?;
        Ok(Self::AllBut(awaiting))
    }

    fn of(&self, comment: &Comment) -> bool {
        match self {
            Self::None => false,
            Self::AllBut(awaiting) => !awaiting.contains(&comment.comment_id),
        }
    }
}
