//! Finding the bytes a JSON string cannot hold as they are (`"`, `\` and the controls below
//! 0x20), eight at a time: both the record encoder and the page scanner skip long runs of
//! ordinary text this way.

const ONES: u64 = u64::MAX / 255;
const HIGH: u64 = ONES << 7;

/// Whether `byte` must be escaped in a JSON string.
#[inline]
pub(crate) fn is_special(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The index of the first special byte of `bytes` at or after `from`, or `bytes.len()`.
#[inline]
pub(crate) fn next_special(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    let mut at = from;
    let mut chunks = rest.chunks_exact(8);
    for chunk in &mut chunks {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        // Mycroft's trick: a byte of `x` is zero iff its high bit survives in
        // `(x - 0x01..) & !x`; applied to the word itself (below 0x20), and XORed with the quote
        // and the backslash.
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        let quote = word ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            // The lowest flagged byte is exact; bytes past it may be flagged by borrows.
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    for &byte in chunks.remainder() {
        if is_special(byte) {
            return at;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn finds_the_first_special_byte(bytes in proptest::collection::vec(any::<u8>(), 0..40), from in 0usize..44) {
            let from = from.min(bytes.len());
            let expected = (from..bytes.len())
                .find(|&i| is_special(bytes[i]))
                .unwrap_or(bytes.len());
            prop_assert_eq!(next_special(&bytes, from), expected);
        }
    }
}
