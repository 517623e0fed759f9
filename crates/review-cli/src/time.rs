//! The `T` of `--since` and `--until`: RFC 3339, a date (China Standard Time midnight), Unix
//! seconds, or a span back from now (`7d`, `12h`, `30m`).

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::error::CliError;

/// The most characters of the user's input repeated in a message.
const SHOWN: usize = 40;

/// `text` as a message shows it: quoted, and cut after [`SHOWN`] characters.
pub(crate) fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}… ({} characters)", &text[..cut], text.chars().count()),
        None => format!("{text:?}"),
    }
}

/// Whether an RFC 3339 text ends in a numeric offset of 24 hours or more (`+25:00`), which
/// the grammar does not allow (`time-hour` is 00-23) though lenient parsers take it.
fn offset_out_of_range(text: &str) -> bool {
    let Some(time) = text.find(['T', 't', ' ']).and_then(|at| text.get(at + 1..)) else {
        return false;
    };
    let Some(sign) = time.find(['+', '-']) else {
        return false;
    };
    let hours: String = time
        .get(sign + 1..)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(2)
        .collect();
    hours.parse::<u32>().is_ok_and(|h| h >= 24)
}

/// Parses `text` relative to `now`.
pub(crate) fn parse(text: &str, now: Timestamp, option: &str) -> Result<Timestamp, CliError> {
    let bad = || {
        CliError::usage(format!(
            "{option} {} is not a time: use RFC 3339 (2026-11-01T08:00:00Z), a date (2026-11-01, China Standard Time), Unix seconds, or a span back from now (7d, 12h, 30m)",
            shown(text)
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    if let Ok(t) = trimmed.parse::<Timestamp>() {
        if offset_out_of_range(trimmed) {
            return Err(CliError::usage(format!(
                "{option} {}: the offset is 24 hours or more; RFC 3339 offsets run from -23:59 to +23:59",
                shown(text)
            )));
        }
        return Ok(t);
    }
    if let Ok(date) = trimmed.parse::<Date>() {
        return date
            .to_zoned(review_model::taobao::china_standard_time())
            .map(|z| z.timestamp())
            .map_err(|_| bad());
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .ok_or_else(bad);
    }
    let seconds = span_seconds(trimmed).ok_or_else(bad)?;
    now.checked_sub(SignedDuration::from_secs(seconds))
        .map_err(|_| bad())
}

/// The seconds of a span like `14d`, `12h`, `30m` or `90s`.
fn span_seconds(text: &str) -> Option<i64> {
    // The unit is the last character, which need not be one byte (`5ዂ`).
    let unit_len = text.chars().next_back().map_or(0, char::len_utf8);
    let (number, unit) = text.split_at(text.len() - unit_len);
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: i64 = number.parse().ok()?;
    match unit {
        "d" => amount.checked_mul(86_400),
        "h" => amount.checked_mul(3_600),
        "m" => amount.checked_mul(60),
        "s" => Some(amount),
        _ => None,
    }
}

/// Parses a duration option (`--lookback 14d`): a span like `14d`, `12h`, `30m`, `90s`, or `0`.
pub(crate) fn span(text: &str, option: &str) -> Result<SignedDuration, CliError> {
    let trimmed = text.trim();
    if trimmed == "0" {
        return Ok(SignedDuration::ZERO);
    }
    span_seconds(trimmed)
        .filter(|seconds| *seconds <= 3_650 * 86_400)
        .map(SignedDuration::from_secs)
        .ok_or_else(|| {
            CliError::usage(format!(
                "{option} {} is not a duration: use a span like 14d, 12h, 30m or 90s (at most 3650d), or 0",
                shown(text)
            ))
        })
}

/// The window of `--since`/`--until`: default the last 30 days; refuses an inverted window.
pub(crate) fn window(
    since: Option<&str>,
    until: Option<&str>,
    now: Timestamp,
) -> Result<(Timestamp, Timestamp), CliError> {
    let since = match since {
        Some(text) => parse(text, now, "--since")?,
        None => now
            .checked_sub(SignedDuration::from_hours(24 * 30))
            .unwrap_or(Timestamp::UNIX_EPOCH),
    };
    let until_given = until.is_some();
    let until = match until {
        Some(text) => parse(text, now, "--until")?,
        None => now,
    };
    if since > until {
        let message = if until_given {
            format!("--since ({since}) is after --until ({until}): swap them")
        } else {
            format!(
                "--since ({since}) is in the future and the window ends now: pass an earlier --since, or a later --until"
            )
        };
        return Err(CliError::usage(message));
    }
    Ok((since, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-23T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn every_form() {
        assert_eq!(
            parse("2026-11-01T08:00:00Z", now(), "--since")
                .unwrap()
                .to_string(),
            "2026-11-01T08:00:00Z"
        );
        assert_eq!(
            parse("2026-11-01", now(), "--since").unwrap().to_string(),
            "2026-10-31T16:00:00Z"
        );
        assert_eq!(
            parse("1793505600", now(), "--since").unwrap().as_second(),
            1_793_505_600
        );
        assert_eq!(
            parse("7d", now(), "--since").unwrap().to_string(),
            "2026-11-16T00:00:00Z"
        );
        assert_eq!(
            parse("12h", now(), "--since").unwrap().to_string(),
            "2026-11-22T12:00:00Z"
        );
    }

    #[test]
    fn clear_messages() {
        let err = window(Some("2030-01-01"), None, now()).unwrap_err();
        assert_eq!(
            err.message,
            "--since (2029-12-31T16:00:00Z) is in the future and the window ends now: pass an earlier --since, or a later --until"
        );
        let long = "x".repeat(100_000);
        let err = parse(&long, now(), "--since").unwrap_err();
        assert!(err.message.len() < 300, "{}", err.message);
        assert!(
            err.message.contains("(100000 characters)"),
            "{}",
            err.message
        );
        for offset in ["+25:00", "-24:00", "+24:30"] {
            let err = parse(&format!("2026-11-01T08:00:00{offset}"), now(), "--since").unwrap_err();
            assert!(
                err.message
                    .contains("RFC 3339 offsets run from -23:59 to +23:59"),
                "{offset}: {}",
                err.message
            );
        }
        assert!(parse("2026-11-01T08:00:00+23:59", now(), "--since").is_ok());
        assert!(parse("2026-11-01T08:00:00-08:00", now(), "--since").is_ok());
    }

    proptest::proptest! {
        /// The parser of `--since`/`--until` never panics, and its messages stay short
        /// whatever it is given.
        #[test]
        fn any_input_gives_a_time_or_a_short_message(text in "\\PC{0,200}|[0-9dhms:TZ+-]{0,40}") {
            if let Err(err) = parse(&text, now(), "--since") {
                proptest::prop_assert!(err.message.chars().count() < 320, "{}", err.message);
                proptest::prop_assert_eq!(err.code, crate::error::USAGE);
            }
            let _ = window(Some(&text), Some(&text), now());
        }
    }

    #[test]
    fn refusals() {
        for bad in ["", "yesterday", "7w", "2026-13-01", "d", "-5d"] {
            let err = parse(bad, now(), "--since").unwrap_err();
            assert_eq!(err.code, crate::error::USAGE, "{bad}");
            assert!(
                err.message.contains("is not a time"),
                "{bad}: {}",
                err.message
            );
        }
        let err = window(Some("1d"), Some("2d"), now()).unwrap_err();
        assert!(err.message.contains("is after --until"), "{}", err.message);
    }
}
