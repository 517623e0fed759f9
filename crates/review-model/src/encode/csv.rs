//! A review as one CSV row, byte for byte what the `csv` crate writes for its cells with its
//! default settings (`,`, `"` doubled, quotes only where needed, `\n` after each row).

use super::{push_rfc3339_seconds, push_u64};
use crate::Review;

/// Joins list cells (items, media URLs).
const LIST_SEPARATOR: &str = " | ";

/// Whether a cell holding `bytes` must be quoted: it has a delimiter, a quote or a line break
/// (the `csv` crate quotes `\r` too, since its reader ends records there).
fn needs_quotes(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Appends a cell, quoted and with its quotes doubled if it needs it.
fn push_cell(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !needs_quotes(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'"' {
            // The quote is written twice: once with the run before it, once here.
            out.extend_from_slice(bytes.get(start..=i).unwrap_or_default());
            start = i;
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Appends list items joined with [`LIST_SEPARATOR`] as one cell.
fn push_list_cell(out: &mut Vec<u8>, items: &[String]) {
    match items {
        [] => {}
        [one] => push_cell(out, one),
        many => push_cell(out, &many.join(LIST_SEPARATOR)),
    }
}

impl Review {
    /// The CSV columns of the unified record: its keys ([`Review::KEYS`], the contract), then
    /// the extras (list cells join their items with `" | "`; absent values are empty cells).
    pub const CSV_COLUMNS: [&'static str; 14] = [
        "platform",
        "id",
        "order_id",
        "created_at",
        "stars",
        "sentiment",
        "text",
        "author",
        "replied",
        "reply",
        "items",
        "amount_fen",
        "user_id",
        "media",
    ];

    /// Appends the header row of [`Review::CSV_COLUMNS`].
    pub fn write_csv_header(out: &mut Vec<u8>) {
        out.extend_from_slice(Self::CSV_COLUMNS.join(",").as_bytes());
        out.push(b'\n');
    }

    /// Appends the review as one CSV row in the order of [`Review::CSV_COLUMNS`], `created_at`
    /// at whole seconds, and its newline.
    pub fn write_csv_row(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.platform.as_str().as_bytes());
        out.push(b',');
        push_cell(out, &self.id);
        out.push(b',');
        push_cell(out, self.order_id.as_deref().unwrap_or_default());
        out.push(b',');
        push_rfc3339_seconds(out, self.created_at);
        out.push(b',');
        if let Some(stars) = self.stars {
            push_u64(out, stars.get().into());
        }
        out.push(b',');
        out.extend_from_slice(self.sentiment.as_str().as_bytes());
        out.push(b',');
        push_cell(out, &self.text);
        out.push(b',');
        push_cell(out, self.author.as_deref().unwrap_or_default());
        out.extend_from_slice(if self.replied { b",true," } else { b",false," });
        push_cell(out, self.reply.as_deref().unwrap_or_default());
        out.push(b',');
        push_list_cell(out, &self.items);
        out.push(b',');
        if let Some(amount) = self.amount_fen {
            push_u64(out, amount);
        }
        out.push(b',');
        push_cell(out, self.user_id.as_deref().unwrap_or_default());
        out.push(b',');
        push_list_cell(out, &self.media);
        out.push(b'\n');
    }
}
