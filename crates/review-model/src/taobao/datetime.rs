//! Taobao's `yyyy-MM-dd HH:mm:ss` times, which are China Standard Time (UTC+8).

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serializer};

const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// China Standard Time, the zone of every Taobao time.
pub fn china_standard_time() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// A Taobao time that is not `yyyy-MM-dd HH:mm:ss`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a time like \"2021-05-21 16:32:09\" (China Standard Time), found {0:?}")]
pub struct TimeError(String);

/// Parses `2021-05-21 16:32:09` as China Standard Time.
///
/// ```
/// let t = review_model::taobao::parse_time("2021-05-21 16:32:09")?;
/// assert_eq!(t.to_string(), "2021-05-21T08:32:09Z");
/// # Ok::<(), review_model::taobao::TimeError>(())
/// ```
pub fn parse_time(text: &str) -> Result<Timestamp, TimeError> {
    let civil = DateTime::strptime(FORMAT, text).map_err(|_| TimeError(text.to_owned()))?;
    civil
        .to_zoned(china_standard_time())
        .map(|zoned| zoned.timestamp())
        .map_err(|_| TimeError(text.to_owned()))
}

/// Formats a time as Taobao writes it: `yyyy-MM-dd HH:mm:ss` in China Standard Time.
///
/// Sub-second parts are dropped, so a window end of `12:00:00.999` is written `12:00:00`.
pub fn format_time(time: Timestamp) -> String {
    let civil = china_standard_time().to_datetime(time);
    civil.strftime(FORMAT).to_string()
}

/// Serde codec for a required Taobao time.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_time(&text).map_err(de::Error::custom)
}

/// Serde codec for a required Taobao time.
pub(crate) fn serialize<S: Serializer>(time: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(*time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_in_china_time() {
        let t = parse_time("2021-05-20 21:50:54").unwrap();
        assert_eq!(t.as_second(), 1_621_518_654);
        assert_eq!(format_time(t), "2021-05-20 21:50:54");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "2021-05-20T21:50:54",
            "2021-05-20",
            "",
            "2021-13-01 00:00:00",
            "1621518654",
        ] {
            let err = parse_time(bad).unwrap_err();
            assert!(err.to_string().contains("China Standard Time"), "{err}");
        }
    }
}
