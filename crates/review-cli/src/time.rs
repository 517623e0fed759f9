//! The `T` of `--since` and `--until`: RFC 3339, a date (China Standard Time midnight), Unix
//! seconds, or a span back from now (`7d`, `12h`, `30m`).

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::error::CliError;

/// Parses `text` relative to `now`.
pub(crate) fn parse(text: &str, now: Timestamp, option: &str) -> Result<Timestamp, CliError> {
    let bad = || {
        CliError::usage(format!(
            "{option} {text:?} is not a time: use RFC 3339 (2026-11-01T08:00:00Z), a date (2026-11-01, China Standard Time), Unix seconds, or a span back from now (7d, 12h, 30m)"
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    if let Ok(t) = trimmed.parse::<Timestamp>() {
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
    let (number, unit) = trimmed.split_at(trimmed.len().saturating_sub(1));
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let amount: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "d" => amount.checked_mul(86_400),
        "h" => amount.checked_mul(3_600),
        "m" => amount.checked_mul(60),
        "s" => Some(amount),
        _ => None,
    }
    .ok_or_else(bad)?;
    now.checked_sub(SignedDuration::from_secs(seconds))
        .map_err(|_| bad())
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
    let until = match until {
        Some(text) => parse(text, now, "--until")?,
        None => now,
    };
    if since > until {
        return Err(CliError::usage(format!(
            "--since ({since}) is after --until ({until}): swap them"
        )));
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
