//! SQLite keeps times as fixed-width UTC text, so that text order is time order and a merchant's
//! SQL reads them: `YYYY-MM-DDTHH:MM:SSZ`, or with `.mmm` for the push columns that keep
//! milliseconds.

use jiff::Timestamp;
use jiff::tz::Offset;

/// `2024-05-01T08:00:00Z`.
pub(crate) fn seconds(at: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
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
    }
}
