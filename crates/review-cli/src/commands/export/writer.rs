//! Writes unified records as JSON lines or CSV, one complete line at a time.
//!
//! Each record is first encoded into a reusable buffer and then handed to the `BufWriter` in a
//! single `write_all`, so the buffer only ever holds whole lines: flushing it at any moment
//! (at the end, on Ctrl-C, before reporting an API error) leaves a well-formed file. The CSV
//! columns and cells are the ones every command shares (`output::csv`).

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

use review_model::Review;

use crate::cli::ExportFormat;
use crate::output::csv::{review_fields, review_header};

/// How a record becomes bytes.
#[derive(Clone, Copy)]
enum Encoder {
    Jsonl,
    Csv,
}

/// A record sink that never leaves half a line behind.
pub(super) struct RecordWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    encoder: Encoder,
    line: Vec<u8>,
    /// A fleet's tenant: the last key of every JSON line, the last CSV column.
    tenant: Option<String>,
}

impl RecordWriter {
    /// A writer in `format`; CSV starts with its header line.
    pub(super) fn new(out: Box<dyn Write + Send>, format: ExportFormat) -> io::Result<Self> {
        Self::with_header(out, format, true, None)
    }

    /// A writer of a fleet's export: CSV's header ends with the `tenant` column.
    pub(super) fn fleet(out: Box<dyn Write + Send>, format: ExportFormat) -> io::Result<Self> {
        Self::with_header(out, format, true, Some(String::new()))
    }

    /// A writer in `format`, with CSV's header line or without it (records to follow others).
    fn with_header(
        out: Box<dyn Write + Send>,
        format: ExportFormat,
        header: bool,
        tenant: Option<String>,
    ) -> io::Result<Self> {
        let encoder = match format {
            ExportFormat::Jsonl => Encoder::Jsonl,
            ExportFormat::Csv => Encoder::Csv,
        };
        let mut writer = Self {
            out: BufWriter::with_capacity(64 * 1024, out),
            encoder,
            line: Vec::with_capacity(1024),
            tenant,
        };
        if header && let Encoder::Csv = encoder {
            let tenant = writer.tenant.is_some().then_some("tenant");
            writer.csv_line(review_header().chain(tenant))?;
        }
        Ok(writer)
    }

    /// Encodes one CSV record into the line buffer (a short-lived `csv::Writer` over it, which
    /// hands the buffer back) and writes it whole.
    fn csv_line<I, F>(&mut self, fields: I) -> io::Result<()>
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let mut csv = csv::WriterBuilder::new()
            .buffer_capacity(1024)
            .from_writer(line);
        csv.write_record(fields)?;
        self.line = csv
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.out.write_all(&self.line)
    }

    /// Appends one record as one complete line.
    pub(super) fn write(&mut self, review: &Review) -> io::Result<()> {
        match self.encoder {
            Encoder::Jsonl => {
                self.line.clear();
                serde_json::to_writer(&mut self.line, review)?;
                if let Some(tenant) = &self.tenant
                    && self.line.pop() == Some(b'}')
                {
                    self.line.extend_from_slice(b",\"tenant\":");
                    serde_json::to_writer(&mut self.line, tenant)?;
                    self.line.push(b'}');
                }
                self.line.push(b'\n');
                self.out.write_all(&self.line)
            }
            Encoder::Csv => {
                let tenant = self.tenant.clone();
                self.csv_line(review_fields(review).into_iter().chain(tenant))
            }
        }
    }

    /// Pushes every complete line buffered so far to the file or stdout.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Appends a spool's lines after the records written so far; returns how many records.
    pub(super) fn append(&mut self, spool: Spool) -> io::Result<u64> {
        self.append_spooled(spool.finish()?)
    }

    /// Appends a finished spool's lines; returns how many records.
    pub(super) fn append_spooled(&mut self, spooled: Spooled) -> io::Result<u64> {
        let Spooled { mut file, records } = spooled;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, &mut self.out)?;
        Ok(records)
    }
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
        Self::with_tenant(format, Some(name.to_owned()))
    }

    fn with_tenant(format: ExportFormat, tenant: Option<String>) -> io::Result<Self> {
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
            review_header().collect::<Vec<_>>()
        );
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][6], "line one\n\"two\"");
        assert_eq!(&rows[0][7], "a,b");
        assert_eq!(&rows[0][4], "");
        assert_eq!(&rows[0][8], "false");
        assert_eq!(&rows[0][11], "150");
    }
}
