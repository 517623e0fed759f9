//! Writes unified records as JSON lines or CSV, one complete line at a time.
//!
//! Each record is encoded straight into one buffer (`Review::write_json_line`,
//! `Review::write_csv_row`: no `String` per record or cell), which is handed to the output
//! whenever it passes [`CHUNK`] bytes, so the output only ever receives whole lines: flushing at
//! any moment (at the end, on Ctrl-C, before reporting an API error) leaves a well-formed file.
//! The CSV columns are the ones every command shares (`Review::CSV_COLUMNS`).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

use review_model::Review;

use crate::cli::ExportFormat;

/// How many bytes of whole lines are gathered before they are written.
const CHUNK: usize = 64 * 1024;

/// A record sink that never leaves half a line behind.
pub(super) struct RecordWriter {
    out: Box<dyn Write + Send>,
    format: ExportFormat,
    lines: Vec<u8>,
    /// A fleet's tenant, encoded once: what replaces a JSON line's closing `}` and newline
    /// (`,"tenant":"NAME"}` and a newline), or follows a CSV row (`,NAME` and a newline).
    tenant: Option<Vec<u8>>,
}

impl RecordWriter {
    /// A writer in `format`; CSV starts with its header line.
    pub(super) fn new(out: Box<dyn Write + Send>, format: ExportFormat) -> io::Result<Self> {
        Self::with_header(out, format, true, None)
    }

    /// A writer of a fleet's export: CSV's header ends with the `tenant` column.
    pub(super) fn fleet(out: Box<dyn Write + Send>, format: ExportFormat) -> io::Result<Self> {
        Self::with_header(out, format, true, Some(""))
    }

    /// A writer in `format`, with CSV's header line or without it (records to follow others),
    /// each record marked with `tenant` when there is one.
    fn with_header(
        out: Box<dyn Write + Send>,
        format: ExportFormat,
        header: bool,
        tenant: Option<&str>,
    ) -> io::Result<Self> {
        let mut lines = Vec::with_capacity(CHUNK + 4096);
        if header && let ExportFormat::Csv = format {
            Review::write_csv_header(&mut lines);
            if tenant.is_some() && lines.pop() == Some(b'\n') {
                lines.extend_from_slice(b",tenant\n");
            }
        }
        let tenant = tenant.map(|name| tenant_suffix(format, name)).transpose()?;
        Ok(Self {
            out,
            format,
            lines,
            tenant,
        })
    }

    /// Appends one record as one complete line.
    pub(super) fn write(&mut self, review: &Review) -> io::Result<()> {
        match self.format {
            ExportFormat::Jsonl => review.write_json_line(&mut self.lines),
            ExportFormat::Csv => review.write_csv_row(&mut self.lines),
        }
        if let Some(suffix) = &self.tenant {
            // The line's end (`}` and a newline, or a newline) gives way to the tenant's.
            let end = match self.format {
                ExportFormat::Jsonl => 2,
                ExportFormat::Csv => 1,
            };
            self.lines.truncate(self.lines.len().saturating_sub(end));
            self.lines.extend_from_slice(suffix);
        }
        if self.lines.len() >= CHUNK {
            self.drain()?;
        }
        Ok(())
    }

    /// Hands the gathered lines to the output.
    fn drain(&mut self) -> io::Result<()> {
        let written = self.out.write_all(&self.lines);
        // Even on failure: what was gathered is either written or lost, never written twice.
        self.lines.clear();
        written
    }

    /// Pushes every complete line gathered so far to the file or stdout.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.out.flush()
    }

    /// Appends a spool's lines after the records written so far; returns how many records.
    pub(super) fn append(&mut self, spool: Spool) -> io::Result<u64> {
        self.append_spooled(spool.finish()?)
    }

    /// Appends a finished spool's lines; returns how many records.
    pub(super) fn append_spooled(&mut self, spooled: Spooled) -> io::Result<u64> {
        self.drain()?;
        let Spooled { mut file, records } = spooled;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, &mut self.out)?;
        Ok(records)
    }
}

/// The end of every line of `tenant`'s records in `format`.
fn tenant_suffix(format: ExportFormat, tenant: &str) -> io::Result<Vec<u8>> {
    Ok(match format {
        ExportFormat::Jsonl => {
            let mut suffix = b",\"tenant\":".to_vec();
            serde_json::to_writer(&mut suffix, tenant)?;
            suffix.extend_from_slice(b"}\n");
            suffix
        }
        ExportFormat::Csv => {
            // The csv crate quotes the name as it quotes every other cell.
            let mut row = csv::WriterBuilder::new().from_writer(Vec::new());
            row.write_record(["", tenant])?;
            row.into_inner()
                .map_err(|e| io::Error::other(e.to_string()))?
        }
    })
}

/// Records written aside in an unnamed temporary file, to follow the main output later: a
/// platform read at the same time as another is written, in memory bounded by the page.
pub(super) struct Spool {
    writer: RecordWriter,
    file: File,
    records: u64,
}

impl Spool {
    /// An empty spool of records in `format` (no CSV header: they follow the output's).
    pub(super) fn new(format: ExportFormat) -> io::Result<Self> {
        Self::with_tenant(format, None)
    }

    /// An empty spool of a fleet's tenant: each record marked with its name.
    pub(super) fn tenant(format: ExportFormat, name: &str) -> io::Result<Self> {
        Self::with_tenant(format, Some(name))
    }

    fn with_tenant(format: ExportFormat, tenant: Option<&str>) -> io::Result<Self> {
        let file = tempfile::tempfile()?;
        let writer = RecordWriter::with_header(Box::new(file.try_clone()?), format, false, tenant)?;
        Ok(Self {
            writer,
            file,
            records: 0,
        })
    }

    /// Appends one record.
    pub(super) fn write(&mut self, review: &Review) -> io::Result<()> {
        self.writer.write(review)?;
        self.records = self.records.saturating_add(1);
        Ok(())
    }

    /// Flushes and lets the writer go: a spool waiting its turn holds a file, no buffer.
    pub(super) fn finish(self) -> io::Result<Spooled> {
        let Self {
            mut writer,
            file,
            records,
        } = self;
        writer.flush()?;
        drop(writer);
        Ok(Spooled { file, records })
    }
}

/// A finished [`Spool`]: its records in a file, to append in their turn.
pub(super) struct Spooled {
    file: File,
    records: u64,
}

impl Spooled {
    /// How many records it holds.
    pub(super) fn records(&self) -> u64 {
        self.records
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::{Arc, Mutex};

    use review_model::taobao::TradeRate;

    use super::*;

    /// A `Write` whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn review() -> Review {
        let rate: TradeRate = serde_json::from_str(
            r#"{"tid": "17", "oid": "18", "role": "buyer", "nick": "a,b", "result": "bad",
                "created": "2021-05-21 16:32:09", "item_price": "1.5", "content": "line one\n\"two\"", "reply": ""}"#,
        )
        .unwrap();
        Review::from(&rate)
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let sink = Shared::default();
        let mut w = RecordWriter::new(Box::new(sink.clone()), ExportFormat::Jsonl).unwrap();
        w.write(&review()).unwrap();
        w.write(&review()).unwrap();
        w.flush().unwrap();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let value: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(value["id"], "18:buyer");
        assert_eq!(value["created_at"], "2021-05-21T08:32:09Z");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn a_spool_follows_the_output_without_a_second_header() {
        let sink = Shared::default();
        let mut w = RecordWriter::new(Box::new(sink.clone()), ExportFormat::Csv).unwrap();
        w.write(&review()).unwrap();
        let mut spool = Spool::new(ExportFormat::Csv).unwrap();
        spool.write(&review()).unwrap();
        spool.write(&review()).unwrap();
        assert_eq!(w.append(spool).unwrap(), 2);
        w.flush().unwrap();
        let bytes = sink.0.lock().unwrap().clone();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3, "one header, three records");
        assert!(rows.iter().all(|row| &row[1] == "18:buyer"));
    }

    #[test]
    fn csv_has_a_header_and_quotes() {
        let sink = Shared::default();
        let mut w = RecordWriter::new(Box::new(sink.clone()), ExportFormat::Csv).unwrap();
        w.write(&review()).unwrap();
        w.flush().unwrap();
        let bytes = sink.0.lock().unwrap().clone();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            Review::CSV_COLUMNS.to_vec()
        );
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][6], "line one\n\"two\"");
        assert_eq!(&rows[0][7], "a,b");
        assert_eq!(&rows[0][4], "");
        assert_eq!(&rows[0][8], "false");
        assert_eq!(&rows[0][11], "150");
    }

    #[test]
    fn lines_are_whole_however_many() {
        let sink = Shared::default();
        let mut w = RecordWriter::new(Box::new(sink.clone()), ExportFormat::Jsonl).unwrap();
        let review = review();
        let mut line = Vec::new();
        review.write_json_line(&mut line);
        let count = CHUNK / line.len() * 3;
        for _ in 0..count {
            w.write(&review).unwrap();
            assert_eq!(sink.0.lock().unwrap().len() % line.len(), 0);
        }
        w.flush().unwrap();
        assert_eq!(*sink.0.lock().unwrap(), line.repeat(count));
    }
}
