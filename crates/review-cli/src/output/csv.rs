//! CSV with a header row, for spreadsheets. Fields are quoted as needed by the csv crate, so
//! commas, quotes and line breaks in review texts survive.

use std::io::Write;

use review_model::Review;

use super::{times, write_error};
use crate::error::CliError;

/// A CSV stream whose header is written first.
pub(crate) struct CsvOut<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    /// Starts the stream with its header row.
    pub(crate) fn new(out: W, header: &[&str]) -> Result<Self, CliError> {
        let mut inner = csv::WriterBuilder::new().from_writer(out);
        inner.write_record(header).map_err(csv_error)?;
        Ok(Self { inner })
    }

    /// One row, in the header's order.
    pub(crate) fn row<I, F>(&mut self, fields: I) -> Result<(), CliError>
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        self.inner.write_record(fields).map_err(csv_error)
    }

    /// The stream written to (to ask whether its reader has gone).
    pub(crate) fn get_ref(&self) -> &W {
        self.inner.get_ref()
    }

    /// Flushes what the csv writer buffers.
    pub(crate) fn finish(mut self) -> Result<(), CliError> {
        self.inner.flush().map_err(|e| write_error(&e))
    }
}

fn csv_error(err: csv::Error) -> CliError {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => write_error(&err),
        other => CliError::runtime(format!("cannot write CSV: {other:?}")),
    }
}

/// The unified record's columns: its keys ([`Review::KEYS`], the contract), then the extras
/// ([`Review::CSV_COLUMNS`], which `reviews export` writes too).
pub(crate) fn review_header() -> impl Iterator<Item = &'static str> + Clone {
    Review::CSV_COLUMNS.into_iter()
}

/// Joins list fields (items, media URLs) into one cell.
const LIST_SEPARATOR: &str = " | ";

/// The fields of `review` in [`review_header`]'s order; absent values are empty cells.
pub(crate) fn review_fields(review: &Review) -> [String; 14] {
    [
        review.platform.as_str().to_owned(),
        review.id.clone(),
        review.order_id.clone().unwrap_or_default(),
        times::machine(review.created_at),
        review
            .stars
            .map(|s| s.get().to_string())
            .unwrap_or_default(),
        review.sentiment.as_str().to_owned(),
        review.text.clone(),
        review.author.clone().unwrap_or_default(),
        review.replied.to_string(),
        review.reply.clone().unwrap_or_default(),
        review.items.join(LIST_SEPARATOR),
        review.amount_fen.map(|f| f.to_string()).unwrap_or_default(),
        review.user_id.clone().unwrap_or_default(),
        review.media.join(LIST_SEPARATOR),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_quoted_rows() {
        let mut buf = Vec::new();
        let mut out = CsvOut::new(&mut buf, &["a", "b"]).unwrap();
        out.row(["x,y", "say \"hi\"\n"]).unwrap();
        out.finish().unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "a,b\n\"x,y\",\"say \"\"hi\"\"\n\"\n"
        );
    }
}
