//! Hand-written decoders of the two list pages in the shape the platforms send on success,
//! read in one pass over a body checked once for UTF-8, with no serde machinery in between.
//!
//! They are a fast path, not a second definition of the formats: the serde decoders stay the
//! reference. A scanner takes only what it can decode to exactly the value serde would give;
//! on anything else (an error answer, a duplicate key, a float where an integer belongs, an
//! unknown media shape, deep nesting, invalid JSON) it gives up with `None`, and the caller
//! decodes the body with serde, which then decides and reports exactly as before. The property
//! tests hold every `Some` to the serde decode of the same bytes.

mod taobao;
mod wechat;

use std::borrow::Cow;

use crate::json_bytes::next_special;

/// How deep an ignored value may nest before the scanner leaves it to serde (whose own limit
/// is 128).
const MAX_DEPTH: u32 = 64;

/// A cursor over a JSON text.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// Scans `bytes` if they are UTF-8.
    pub(crate) fn new(bytes: &'a [u8]) -> Option<Self> {
        Some(Self {
            text: std::str::from_utf8(bytes).ok()?,
            pos: 0,
        })
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not JSON whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&byte) = bytes.get(self.pos) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `byte` after whitespace.
    #[inline]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Consumes `word` (a literal's remaining bytes).
    #[inline]
    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        (self.bytes().get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// Consumes `null` if it comes next.
    #[inline]
    fn null(&mut self) -> Option<bool> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            Some(true)
        } else {
            Some(false)
        }
    }

    /// Consumes `true` or `false`.
    #[inline]
    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.word(b"true").map(|()| true),
            b'f' => self.word(b"false").map(|()| false),
            _ => None,
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    #[inline]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let text = self.text;
        let bytes = self.bytes();
        let start = self.pos;
        let at = next_special(bytes, start);
        if *bytes.get(at)? == b'"' {
            self.pos = at + 1;
            return text.get(start..at).map(Cow::Borrowed);
        }
        let mut owned = String::with_capacity(at - start + 16);
        owned.push_str(text.get(start..at)?);
        self.pos = at;
        loop {
            match *bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(Cow::Owned(owned));
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut owned)?;
                }
                // A raw control character: serde refuses it.
                _ => return None,
            }
            let run = next_special(bytes, self.pos);
            owned.push_str(text.get(self.pos..run)?);
            self.pos = run;
        }
    }

    /// Decodes the escape after a backslash into `out`.
    fn escape(&mut self, out: &mut String) -> Option<()> {
        let byte = *self.bytes().get(self.pos)?;
        self.pos += 1;
        let c = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by an escaped low one.
                        self.word(b"\\u")?;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => unit,
                };
                char::from_u32(code)?
            }
            _ => return None,
        };
        out.push(c);
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// An integer written `0` or `[1-9][0-9]*`, with no sign, fraction or exponent (anything
    /// else is left to serde), that fits a `u64`.
    #[inline]
    fn uint(&mut self) -> Option<u64> {
        self.peek()?;
        let bytes = self.bytes();
        let start = self.pos;
        let mut end = start;
        let mut value: u64 = 0;
        while let Some(&byte) = bytes.get(end) {
            if !byte.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(byte - b'0'))?;
            end += 1;
        }
        let digits = end - start;
        let leading_zero = digits > 1 && bytes.get(start) == Some(&b'0');
        if digits == 0 || leading_zero || matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.pos = end;
        Some(value)
    }

    /// Skips a number without an exponent.
    fn skip_number(&mut self) -> Option<()> {
        self.peek()?;
        let bytes = self.bytes();
        let digits = |pos: &mut usize| {
            let start = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > start
        };
        let mut pos = self.pos;
        let start = pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        if bytes.get(pos) == Some(&b'0') {
            pos += 1;
        } else if !digits(&mut pos) {
            return None;
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return None;
            }
        }
        // Exponents and very long numbers may overflow a double, which serde refuses.
        if matches!(bytes.get(pos), Some(b'e' | b'E')) || pos - start > 64 {
            return None;
        }
        self.pos = pos;
        Some(())
    }

    /// Skips any value, checking it as serde would (escapes, numbers, nesting).
    fn skip(&mut self) -> Option<()> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip_at(depth + 1)),
            b'[' => self.array(|s| s.skip_at(depth + 1)),
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.word(b"null"),
            _ => self.skip_number(),
        }
    }

    /// Reads an object, handing each key to `field`, which consumes its value.
    #[inline]
    fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, &key)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Reads an array, handing each element to `element`.
    #[inline]
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    // Values as the model's lenient codecs read them.

    /// `Option<String>`: `null` or a string.
    #[inline]
    fn opt_string(&mut self) -> Option<Option<String>> {
        if self.null()? {
            Some(None)
        } else {
            self.string().map(|s| Some(s.into_owned()))
        }
    }

    /// A string where `null` means empty (`codec::null`).
    #[inline]
    fn string_or_null(&mut self) -> Option<String> {
        self.opt_string().map(Option::unwrap_or_default)
    }

    /// An integer as a number or a decimal string (`codec::int::deserialize`).
    #[inline]
    fn lenient<T: std::str::FromStr + TryFrom<u64>>(&mut self) -> Option<T> {
        if self.peek()? == b'"' {
            self.string()?.parse().ok()
        } else {
            T::try_from(self.uint()?).ok()
        }
    }

    /// An optional integer: `null`, `""` or a missing field are absent
    /// (`codec::int::deserialize_opt`).
    #[inline]
    fn lenient_opt<T: std::str::FromStr + TryFrom<u64>>(&mut self) -> Option<Option<T>> {
        match self.peek()? {
            b'n' => self.word(b"null").map(|()| None),
            b'"' => {
                let text = self.string()?;
                if text.is_empty() {
                    Some(None)
                } else {
                    text.parse().ok().map(Some)
                }
            }
            _ => T::try_from(self.uint()?).ok().map(Some),
        }
    }

    /// A lenient boolean (`codec::flag`): `true`/`false`, `0`/`1`, `"true"`/`"1"`,
    /// `"false"`/`"0"`/`""`, `null` for false.
    #[inline]
    fn flag(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' | b'f' => self.boolean(),
            b'n' => self.word(b"null").map(|()| false),
            b'"' => match self.string()?.as_ref() {
                "true" | "1" => Some(true),
                "false" | "0" | "" => Some(false),
                _ => None,
            },
            _ => match self.uint()? {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            },
        }
    }

    /// An id: a non-empty string, or an integer written out (`ids::IdVisitor`).
    #[inline]
    fn id(&mut self) -> Option<String> {
        if self.peek()? == b'"' {
            let id = self.string()?;
            (!id.is_empty()).then(|| id.into_owned())
        } else {
            Some(itoa::Buffer::new().format(self.uint()?).to_owned())
        }
    }

    /// An optional id: `null` or an id.
    #[inline]
    fn opt_id(&mut self) -> Option<Option<String>> {
        if self.null()? {
            Some(None)
        } else {
            self.id().map(Some)
        }
    }
}

/// Marks field `bit` as seen; `None` if it was already (serde refuses duplicate fields).
#[inline]
fn first(seen: &mut u32, bit: u32) -> Option<()> {
    let mask = 1 << bit;
    if *seen & mask != 0 {
        return None;
    }
    *seen |= mask;
    Some(())
}
