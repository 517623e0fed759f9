//! Tables for terminals: columns aligned by display width (a Chinese character takes two
//! cells), shrunk to the terminal's width with long texts cut with "…".
//!
//! Rows are held until [`Table::render`], because a column's width depends on every row; a
//! table is for a person at a terminal, so its size is what a person reads.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns are separated by this many spaces.
const GAP: usize = 2;
/// A shrinkable column is never cut narrower than this (or its natural width).
const MIN_SHRUNK: usize = 8;
/// The width assumed when neither `COLUMNS` nor the terminal tells.
const FALLBACK_WIDTH: usize = 120;
/// Cut text ends with this.
const ELLIPSIS: char = '…';

/// How a column yields when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Always shown whole (ids, times, numbers).
    Fixed,
    /// Cut with "…" to make room (texts, names).
    Shrink,
}

/// A table being filled.
#[derive(Debug)]
pub(crate) struct Table {
    headers: Vec<String>,
    fits: Vec<Fit>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns (headers are built at run time: a zone in a header).
    pub(crate) fn new(columns: Vec<(String, Fit)>) -> Self {
        let (headers, fits) = columns.into_iter().unzip();
        Self {
            headers,
            fits,
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra ones dropped.
    pub(crate) fn push(&mut self, cells: Vec<String>) {
        let mut cells: Vec<String> = cells.into_iter().map(|c| one_line(&c)).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// Whether no row was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The lines of the table, none wider than `width` display cells.
    pub(crate) fn render(&self, width: usize) -> Vec<String> {
        let widths = self.widths(width);
        std::iter::once(&self.headers)
            .chain(&self.rows)
            .map(|row| {
                let last = row.len().saturating_sub(1);
                let mut line = String::new();
                for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
                    if i > 0 {
                        line.push_str(&" ".repeat(GAP));
                    }
                    let cut = truncate(cell, *w);
                    let pad = w.saturating_sub(cut.width());
                    line.push_str(&cut);
                    if i < last {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                truncate(line.trim_end(), width)
            })
            .collect()
    }

    /// Each column's width: its widest cell, the shrinkable ones narrowed (widest first)
    /// until the table fits in `width`.
    fn widths(&self, width: usize) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let floors: Vec<usize> = widths
            .iter()
            .zip(&self.headers)
            .zip(&self.fits)
            .map(|((w, h), fit)| match fit {
                Fit::Fixed => *w,
                Fit::Shrink => (*w).min(h.width().max(MIN_SHRUNK)),
            })
            .collect();
        let gaps = GAP * widths.len().saturating_sub(1);
        let mut total: usize = widths.iter().sum::<usize>() + gaps;
        while total > width {
            let widest = widths
                .iter_mut()
                .zip(&floors)
                .filter(|(w, floor)| **w > **floor)
                .max_by_key(|(w, _)| **w);
            match widest {
                Some((w, _)) => {
                    *w -= 1;
                    total -= 1;
                }
                None => break,
            }
        }
        widths
    }
}

/// The width to render for: `COLUMNS` if set, else the terminal's, else 120.
pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, cols)| usize::from(cols))
        })
        .unwrap_or(FALLBACK_WIDTH)
}

/// `text` cut to at most `max` display cells, ending with "…" when cut.
///
/// Widths are measured on whole prefixes, as `str::width` measures cells, so that sequences
/// such as an emoji with its presentation selector (`☀️`, two cells) count the same here as
/// when the column is padded.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let room = max.saturating_sub(ELLIPSIS.width().unwrap_or(1));
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        if text.get(..next).map_or(usize::MAX, UnicodeWidthStr::width) > room {
            break;
        }
        end = next;
    }
    let mut out = text.get(..end).unwrap_or_default().to_owned();
    out.push(ELLIPSIS);
    out
}

/// A cell on one line: line breaks and tabs become spaces, other control characters go.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Stars as `★★☆☆☆`.
pub(crate) fn stars(count: u8) -> String {
    let count = usize::from(count.min(5));
    format!("{}{}", "★".repeat(count), "☆".repeat(5 - count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_aligned_by_display_width() {
        let mut table = Table::new(vec![("who".into(), Fit::Shrink), ("n".into(), Fit::Fixed)]);
        table.push(vec!["小明".into(), "1".into()]);
        table.push(vec!["bob".into(), "22".into()]);
        let lines = table.render(80);
        assert_eq!(lines, ["who   n", "小明  1", "bob   22"]);
    }

    #[test]
    fn long_text_cut_to_width() {
        let mut table = Table::new(vec![
            ("id".into(), Fit::Fixed),
            ("text".into(), Fit::Shrink),
        ]);
        table.push(vec![
            "1".into(),
            "很好吃的水果,下次还会再来买的,推荐给大家".into(),
        ]);
        let lines = table.render(20);
        for line in &lines {
            assert!(line.width() <= 20, "{line}");
        }
        assert!(lines[1].ends_with('…'), "{}", lines[1]);
        assert_eq!(lines[1].width(), 20);
    }

    #[test]
    fn truncation_never_splits_a_wide_char_past_max() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("水果水果", 4), "水…");
        assert_eq!(truncate("水果水果", 0), "");
        assert_eq!(truncate("晴天☀️好", 5), "晴天…");
        assert_eq!(truncate("晴天☀️好天气", 7), "晴天☀️…");
        assert_eq!(one_line("a\nb\u{7}c"), "a bc");
        assert_eq!(stars(2), "★★☆☆☆");
    }
}
