//! The unified record written straight into a caller's buffer, as JSON lines and as CSV rows:
//! no intermediate `String` per cell, no `serde_json::Value`, no formatter machinery. Each
//! encoder writes exactly the bytes of its reference (`serde_json` serializing [`Review`], the
//! `csv` crate writing the cells of [`Review::CSV_COLUMNS`]); the tests hold them to that.
//!
//! [`Review`]: crate::Review
//! [`Review::CSV_COLUMNS`]: crate::Review::CSV_COLUMNS

mod csv;
mod json;

use std::io::Write as _;

use jiff::Timestamp;
use jiff::tz::Offset;

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends two digits of `n` (0..=99).
fn push_2(out: &mut Vec<u8>, n: i8) {
    let n = n.unsigned_abs();
    out.extend_from_slice(&[b'0' + n / 10, b'0' + n % 10]);
}

/// Appends `time` as `2023-02-14T05:11:44Z`: RFC 3339 in UTC at whole seconds, which is what
/// both jiff's `Display` and the `%Y-%m-%dT%H:%M:%SZ` format write for a whole second of the
/// years 0 to 9999. Returns `false` (writing nothing) for other times, which callers hand to
/// jiff.
fn push_utc_seconds(out: &mut Vec<u8>, time: Timestamp) -> bool {
    let civil = Offset::UTC.to_datetime(time);
    let year = civil.year();
    if !(0..=9999).contains(&year) {
        return false;
    }
    let year = year.unsigned_abs();
    let digits = [year / 1000, year / 100 % 10, year / 10 % 10, year % 10];
    out.extend(digits.iter().map(|d| b'0' + (*d as u8)));
    out.push(b'-');
    push_2(out, civil.month());
    out.push(b'-');
    push_2(out, civil.day());
    out.push(b'T');
    push_2(out, civil.hour());
    out.push(b':');
    push_2(out, civil.minute());
    out.push(b':');
    push_2(out, civil.second());
    out.push(b'Z');
    true
}

/// Appends `time` exactly as its `Display` writes it (the record's JSON `created_at`).
pub(crate) fn push_rfc3339(out: &mut Vec<u8>, time: Timestamp) {
    if time.subsec_nanosecond() != 0 || !push_utc_seconds(out, time) {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{time}");
    }
}

/// Appends `time` at whole seconds, sub-seconds dropped (the record's CSV `created_at`).
pub(crate) fn push_rfc3339_seconds(out: &mut Vec<u8>, time: Timestamp) {
    if !push_utc_seconds(out, time) {
        let _ = write!(out, "{}", time.strftime("%Y-%m-%dT%H:%M:%SZ"));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn times_as_jiff_writes_them(
            second in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
            nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
        ) {
            let time = Timestamp::new(second, nanos).unwrap_or(Timestamp::from_second(second).unwrap());
            let mut out = Vec::new();
            push_rfc3339(&mut out, time);
            prop_assert_eq!(String::from_utf8(out).unwrap(), time.to_string());
            let mut out = Vec::new();
            push_rfc3339_seconds(&mut out, time);
            prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
            );
        }

        #[test]
        fn common_times_take_the_short_way(second in 0i64..253_402_300_799) {
            let time = Timestamp::from_second(second).unwrap();
            let mut out = Vec::new();
            prop_assert!(push_utc_seconds(&mut out, time));
            prop_assert_eq!(String::from_utf8(out).unwrap(), time.to_string());
        }
    }

    #[test]
    fn numbers() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 1_234_567, u64::MAX] {
            out.clear();
            push_u64(&mut out, n);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), n.to_string());
        }
    }
}
