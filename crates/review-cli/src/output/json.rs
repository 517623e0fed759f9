//! JSON lines: one object per line, so that `jq`, `head` and line-oriented tools work and a
//! cut-off stream is still a sequence of whole records.

use std::io::Write;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::{times, write_error};
use crate::error::CliError;

/// Writes `value` as one line of JSON.
pub(crate) fn line<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(|err| {
        if err.is_io() {
            write_error(&err.into())
        } else {
            CliError::runtime(format!("cannot encode a record as JSON: {err}"))
        }
    })?;
    out.write_all(b"\n").map_err(|e| write_error(&e))
}

/// Rewrites the Unix-second times under `keys` (anywhere in `value`) as RFC 3339 in UTC, so
/// that every machine format shows times one way, whatever the platform's wire form.
pub(crate) fn rfc3339_times(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let seconds = match &*item {
                    Value::String(s) => s.parse::<i64>().ok(),
                    Value::Number(n) => n.as_i64(),
                    _ => None,
                };
                let time = seconds.and_then(|s| Timestamp::from_second(s).ok());
                match time {
                    Some(time) if keys.contains(&key.as_str()) => {
                        *item = Value::String(times::machine(time));
                    }
                    _ => rfc3339_times(item, keys),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rfc3339_times(item, keys);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_per_line() {
        let mut out = Vec::new();
        line(&mut out, &serde_json::json!({"a": "多行\n文本"})).unwrap();
        line(&mut out, &serde_json::json!({"b": 1})).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":\"多行\\n文本\"}\n{\"b\":1}\n"
        );
    }

    #[test]
    fn unix_times_become_rfc3339() {
        let mut v = serde_json::json!({"createTime": "1676351504", "list": [{"updateTime": 1676351504}], "id": "1676351504"});
        rfc3339_times(&mut v, &["createTime", "updateTime"]);
        assert_eq!(
            v,
            serde_json::json!({"createTime": "2023-02-14T05:11:44Z", "list": [{"updateTime": "2023-02-14T05:11:44Z"}], "id": "1676351504"})
        );
    }
}
