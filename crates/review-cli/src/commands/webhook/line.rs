//! The JSON line printed for each event (a contract: see docs/contracts.md, "The command line").

use review_model::wechat::PushEvent;
use review_protocol::wechat::push::{Format, Push};
use serde::Serialize;
use serde_json::{Map, Value};

/// `wxa_comment_bad_score`, typed; keys in this order.
#[derive(Serialize)]
struct BadScoreLine<'a> {
    event: &'a str,
    comment_id: &'a str,
    to_user_name: &'a str,
    from_user_name: &'a str,
    /// RFC 3339, UTC.
    create_time: String,
    encrypted: bool,
    format: &'static str,
}

/// Any other event: its name and every field as sent.
#[derive(Serialize)]
struct OtherLine<'a> {
    event: &'a str,
    fields: Map<String, Value>,
    encrypted: bool,
    format: &'static str,
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Xml => "xml",
        Format::Json => "json",
    }
}

/// Appends the line for `push`, without the newline, to `out`.
pub(super) fn write_event_line(out: &mut Vec<u8>, push: &Push) -> std::io::Result<()> {
    let format = format_name(push.format);
    let written = match &push.event {
        PushEvent::BadScore(event) => serde_json::to_writer(
            out,
            &BadScoreLine {
                event: push.event.name(),
                comment_id: event.comment_id.as_str(),
                to_user_name: &event.to_user_name,
                from_user_name: &event.from_user_name,
                create_time: event.create_time.to_string(),
                encrypted: push.encrypted,
                format,
            },
        ),
        other => serde_json::to_writer(
            out,
            &OtherLine {
                event: other.name(),
                fields: other.to_fields(),
                encrypted: push.encrypted,
                format,
            },
        ),
    };
    written.map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;

    fn push(body: &[u8]) -> Push {
        Push {
            event: PushEvent::from_json(body).unwrap(),
            format: Format::Json,
            encrypted: false,
            timestamp: Timestamp::from_second(1_704_038_400).unwrap(),
            nonce: "n0nce".to_owned(),
            body_digest: [0; 20],
        }
    }

    fn event_line(push: &Push) -> std::io::Result<String> {
        let mut out = Vec::new();
        write_event_line(&mut out, push)?;
        String::from_utf8(out).map_err(std::io::Error::other)
    }

    #[test]
    fn bad_score_is_typed_in_contract_order() {
        let line = event_line(&push(br#"{"ToUserName":"gh_abc","FromUserName":"oXYZ","CreateTime":1704038400,"MsgType":"event","Event":"wxa_comment_bad_score","result":{"comment_id":"2272502024443330610"}}"#)).unwrap();
        assert_eq!(
            line,
            r#"{"event":"wxa_comment_bad_score","comment_id":"2272502024443330610","to_user_name":"gh_abc","from_user_name":"oXYZ","create_time":"2023-12-31T16:00:00Z","encrypted":false,"format":"json"}"#
        );
    }

    #[test]
    fn other_events_keep_their_fields() {
        let line = event_line(&push(br#"{"ToUserName":"gh_abc","MsgType":"event","Event":"weapp_audit_success","SuccTime":1}"#)).unwrap();
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["event"], "weapp_audit_success");
        assert_eq!(value["fields"]["SuccTime"], 1);
        assert_eq!(value["format"], "json");
    }
}
