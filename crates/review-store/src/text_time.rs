//! SQLite keeps times as fixed-width UTC text, so that text order is time order and a merchant's
//! SQL reads them: `YYYY-MM-DDTHH:MM:SSZ`, or with `.mmm` for the push columns that keep
//! milliseconds.

use jiff::Timestamp;
use jiff::tz::Offset;

/// `2024-05-01T08:00:00Z`.
///
/// Written digit by digit: three of these per stored row made `format!` a visible share of a
/// SQLite batch.
pub(crate) fn seconds(at: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(at);
    let Ok(year) = u16::try_from(t.year()) else {
        // Years before 0 (jiff's range reaches -9999): not fixed-width anyway.
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    };
    let mut out = String::with_capacity(20);
    let two = |out: &mut String, n: u8| {
        out.push(char::from(b'0' + n / 10));
        out.push(char::from(b'0' + n % 10));
    };
    // Both halves of a year in 0..=9999 are below 100.
    two(&mut out, u8::try_from(year / 100).unwrap_or(99));
    two(&mut out, u8::try_from(year % 100).unwrap_or(99));
    for (sep, n) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        two(&mut out, n.unsigned_abs());
    }
    out.push('Z');
    out
}

/// `2024-05-01T08:00:00.123Z`.
pub(crate) fn millis(at: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `at` cut to the millisecond (what both backends keep of a push time).
pub(crate) fn to_milli(at: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at)
}

/// Either form back.
pub(crate) fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_round_trip() {
        let at: Timestamp = "2023-02-14T05:11:44.5678Z".parse().unwrap();
        assert_eq!(seconds(at), "2023-02-14T05:11:44Z");
        assert_eq!(millis(at), "2023-02-14T05:11:44.567Z");
        assert_eq!(parse(&millis(at)), Some(to_milli(at)));
        assert_eq!(millis(Timestamp::UNIX_EPOCH).len(), 24);
        assert_eq!(seconds(Timestamp::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let late: Timestamp = "9999-12-30T21:59:59Z".parse().unwrap();
        assert_eq!(seconds(late), "9999-12-30T21:59:59Z");
        let early: Timestamp = "0007-03-04T05:06:07Z".parse().unwrap();
        assert_eq!(seconds(early), "0007-03-04T05:06:07Z");
    }
}
