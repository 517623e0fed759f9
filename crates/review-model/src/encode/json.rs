//! A review as one JSON line, byte for byte what `serde_json` writes for it.

use super::{push_rfc3339, push_u64};
use crate::Review;
use crate::json_bytes::next_special;

/// The second byte of the escape of a special byte: `u` for `\u00XX`. The same escapes, with
/// the same lowercase hex, as `serde_json`.
fn escape_of(byte: u8) -> u8 {
    match byte {
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        b'"' => b'"',
        b'\\' => b'\\',
        _ => b'u',
    }
}

fn hex(nibble: u8) -> u8 {
    b"0123456789abcdef"
        .get(usize::from(nibble))
        .copied()
        .unwrap_or(b'0')
}

/// Appends `text` as a JSON string, quotes included.
pub(crate) fn push_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let at = next_special(bytes, start);
        let Some(&byte) = bytes.get(at) else { break };
        out.extend_from_slice(bytes.get(start..at).unwrap_or_default());
        start = at + 1;
        match escape_of(byte) {
            b'u' => {
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(byte >> 4), hex(byte & 0xf)]);
            }
            escape => out.extend_from_slice(&[b'\\', escape]),
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

fn push_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_str(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn push_list(out: &mut Vec<u8>, key: &[u8], items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.extend_from_slice(key);
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, item);
    }
    out.push(b']');
}

impl Review {
    /// Appends the review as one line of JSON and its newline: the bytes `serde_json` writes for
    /// the [`Serialize`](serde::Serialize) impl (`reviews export --format jsonl`), without
    /// going through it.
    ///
    /// ```
    /// # use review_model::taobao::TradeRate;
    /// # let rate: TradeRate = serde_json::from_str(r#"{"tid": "17", "oid": "18", "role": "buyer",
    /// #     "result": "good", "created": "2021-05-21 16:32:09", "content": "很好\n"}"#)?;
    /// let review = review_model::Review::from(rate);
    /// let mut line = Vec::new();
    /// review.write_json_line(&mut line);
    /// assert_eq!(line, [serde_json::to_vec(&review)?, b"\n".to_vec()].concat());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"platform\":\"");
        out.extend_from_slice(self.platform.as_str().as_bytes());
        out.extend_from_slice(b"\",\"id\":");
        push_str(out, &self.id);
        out.extend_from_slice(b",\"order_id\":");
        push_opt_str(out, self.order_id.as_deref());
        out.extend_from_slice(b",\"created_at\":\"");
        push_rfc3339(out, self.created_at);
        out.extend_from_slice(b"\",\"stars\":");
        match self.stars {
            Some(stars) => push_u64(out, stars.get().into()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"sentiment\":\"");
        out.extend_from_slice(self.sentiment.as_str().as_bytes());
        out.extend_from_slice(b"\",\"text\":");
        push_str(out, &self.text);
        out.extend_from_slice(b",\"author\":");
        push_opt_str(out, self.author.as_deref());
        out.extend_from_slice(if self.replied {
            b",\"replied\":true"
        } else {
            b",\"replied\":false"
        });
        if let Some(reply) = &self.reply {
            out.extend_from_slice(b",\"reply\":");
            push_str(out, reply);
        }
        push_list(out, b",\"media\":", &self.media);
        push_list(out, b",\"items\":", &self.items);
        if let Some(amount) = self.amount_fen {
            out.extend_from_slice(b",\"amount_fen\":");
            push_u64(out, amount);
        }
        if let Some(user_id) = &self.user_id {
            out.extend_from_slice(b",\"user_id\":");
            push_str(out, user_id);
        }
        out.extend_from_slice(b"}\n");
    }
}
