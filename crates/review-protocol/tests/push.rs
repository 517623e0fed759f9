//! Push security against published vectors of WeChat's own SDKs, round trips, tampering,
//! replay and hostile input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use review_model::CommentId;
use review_model::wechat::{BadScoreEvent, PushEvent};
use review_protocol::wechat::push::{
    Admission, Answer, Deduplicator, Format, PushConfig, PushConfigError, PushError, signature,
};
use serde_json::Value;

const TOKEN: &str = "PushToken123";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wx1a2b3c4d5e6f7a8b";

/// Safe mode that also accepts plaintext (so one configuration opens every form).
fn config() -> PushConfig {
    safe_only().allow_plaintext(true)
}

/// Safe mode as configured by default: encrypted pushes only.
fn safe_only() -> PushConfig {
    PushConfig::new(TOKEN)
        .unwrap()
        .with_aes(KEY, APPID)
        .unwrap()
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

fn bad_score(comment: &str) -> PushEvent {
    PushEvent::BadScore(BadScoreEvent {
        to_user_name: "gh_abcdefg".into(),
        from_user_name: "oABCD".into(),
        create_time: at(1_704_038_400),
        comment_id: CommentId::new(comment),
    })
}

fn vectors(kind: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(include_str!("data/push_vectors.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == kind)
        .cloned()
        .collect()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{} has no {key}", v["id"]))
}

#[test]
fn published_decryption_vectors() {
    let list = vectors("decrypt");
    assert!(list.len() >= 2, "at least two independent vectors");
    for v in list {
        let config = PushConfig::new(s(&v, "token"))
            .unwrap()
            .with_aes(s(&v, "encoding_aes_key"), s(&v, "appid"))
            .unwrap();
        assert_eq!(
            signature(&[
                s(&v, "token"),
                s(&v, "timestamp"),
                s(&v, "nonce"),
                s(&v, "encrypt")
            ]),
            s(&v, "msg_signature"),
            "{}",
            v["id"]
        );
        let plain = config
            .open_sealed(
                s(&v, "timestamp"),
                s(&v, "nonce"),
                s(&v, "msg_signature"),
                s(&v, "encrypt"),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
        assert_eq!(plain, s(&v, "plaintext"), "{}", v["id"]);
    }
}

#[test]
fn published_decryption_vector_through_open() {
    // The official MP Python sample, delivered as WeChat would: signature, timestamp, nonce,
    // encrypt_type and msg_signature in the query, the envelope in the body.
    let v = vectors("decrypt")
        .into_iter()
        .find(|v| v["id"] == "mp-python-sample")
        .unwrap();
    let config = PushConfig::new(s(&v, "token"))
        .unwrap()
        .with_aes(s(&v, "encoding_aes_key"), s(&v, "appid"))
        .unwrap();
    let (ts, nonce) = (s(&v, "timestamp"), s(&v, "nonce"));
    let query = format!(
        "signature={}&timestamp={ts}&nonce={nonce}&encrypt_type=aes&msg_signature={}",
        signature(&[s(&v, "token"), ts, nonce]),
        s(&v, "msg_signature")
    );
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{}]]></Encrypt></xml>",
        s(&v, "encrypt")
    );
    let push = config
        .open(&query, body.as_bytes(), at(ts.parse().unwrap()))
        .unwrap();
    assert!(push.encrypted);
    match push.event {
        PushEvent::Other(other) => {
            assert_eq!(other.msg_type.as_deref(), Some("text"));
            assert_eq!(other.fields["Content"], "abcdteT");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn published_encryption_vectors() {
    let list = vectors("encrypt");
    assert!(list.len() >= 2);
    for v in list {
        let config = PushConfig::new(s(&v, "token"))
            .unwrap()
            .with_aes(s(&v, "encoding_aes_key"), s(&v, "appid"))
            .unwrap();
        let random: [u8; 16] = s(&v, "random").as_bytes().try_into().unwrap();
        let ts = at(s(&v, "timestamp").parse().unwrap());
        let sealed = config
            .seal(s(&v, "plaintext"), random, ts, s(&v, "nonce"))
            .unwrap();
        assert_eq!(sealed.encrypt, s(&v, "encrypt"), "{}", v["id"]);
        assert_eq!(sealed.msg_signature, s(&v, "msg_signature"), "{}", v["id"]);
    }
}

#[test]
fn published_url_check_vector() {
    let v = vectors("url_check")
        .into_iter()
        .find(|v| v["signature_inputs"] == "sorted[token,timestamp,nonce]")
        .unwrap();
    let config = PushConfig::new(s(&v, "token")).unwrap();
    let ts = s(&v, "timestamp");
    let query = format!(
        "signature={}&timestamp={ts}&nonce={}&echostr=echo-back",
        s(&v, "signature"),
        s(&v, "nonce")
    );
    assert_eq!(
        config.verify_url(&query, at(ts.parse().unwrap())).unwrap(),
        "echo-back"
    );
}

#[test]
fn the_fixture_delivery_decrypts() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string("../../fixtures/wechat/push/encrypted_xml_envelope.json").unwrap(),
    )
    .unwrap();
    let query: Vec<String> = fixture["request"]["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect();
    let ts: i64 = fixture["request"]["query"]["timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let config = PushConfig::new("PUSH_TOKEN")
        .unwrap()
        .with_aes(KEY, APPID)
        .unwrap();
    let body = fixture["request"]["body_text"].as_str().unwrap();
    let push = config
        .open(&query.join("&"), body.as_bytes(), at(ts))
        .unwrap();
    assert!(matches!(push.event, PushEvent::BadScore(_)), "{push:?}");
}

#[test]
fn plaintext_fixtures_verify() {
    for case in ["bad_score_xml", "bad_score_json"] {
        let fixture: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("../../fixtures/wechat/push/{case}.json")).unwrap(),
        )
        .unwrap();
        let q = &fixture["request"]["query"];
        let query = format!(
            "signature={}&timestamp={}&nonce={}",
            q["signature"].as_str().unwrap(),
            q["timestamp"].as_str().unwrap(),
            q["nonce"].as_str().unwrap()
        );
        let body = match &fixture["request"]["body_text"] {
            Value::String(text) => text.clone().into_bytes(),
            _ => serde_json::to_vec(&fixture["request"]["body"]).unwrap(),
        };
        let ts: i64 = q["timestamp"].as_str().unwrap().parse().unwrap();
        let push = PushConfig::new("PUSH_TOKEN")
            .unwrap()
            .open(&query, &body, at(ts))
            .unwrap();
        let PushEvent::BadScore(event) = &push.event else {
            panic!("{case}")
        };
        assert_eq!(event.comment_id.as_str(), "2272502024443330610");
        assert_eq!(push.answer(), Answer::JSON);
    }
}

#[test]
fn a_full_block_of_padding_round_trips() {
    // 16 random + 4 length + message + 18-byte appid ≡ 0 (mod 32) → pad value 32.
    let message = "x".repeat(32 - (16 + 4 + APPID.len()) % 32 + 32);
    assert_eq!((16 + 4 + message.len() + APPID.len()) % 32, 0);
    let sealed = config().seal(&message, [9; 16], at(1), "n").unwrap();
    assert_eq!(
        config()
            .open_sealed("1", "n", &sealed.msg_signature, &sealed.encrypt)
            .unwrap(),
        message
    );
}

fn deliver(format: Format, encrypted: bool) -> (String, Vec<u8>) {
    let d = config()
        .deliver(
            &bad_score("2272502024443330610"),
            format,
            at(1_704_038_400),
            "n0nce",
            encrypted.then_some([5; 16]),
        )
        .unwrap();
    (d.query, d.body)
}

#[test]
fn every_mode_and_form_opens() {
    for format in [Format::Xml, Format::Json] {
        for encrypted in [false, true] {
            let (query, body) = deliver(format, encrypted);
            let push = config().open(&query, &body, at(1_704_038_460)).unwrap();
            assert_eq!(push.event, bad_score("2272502024443330610"));
            assert_eq!((push.format, push.encrypted), (format, encrypted));
        }
    }
}

#[test]
fn refusals() {
    let (query, body) = deliver(Format::Xml, true);
    let now = at(1_704_038_400);
    let refused = |config: &PushConfig, q: &str, b: &[u8], now| {
        config.open(q, b, now).unwrap_err().to_string()
    };
    let cases = [
        refused(&config(), &query, &body, at(1_704_038_400 + 301)),
        refused(&config(), &query, &body, at(1_704_038_400 - 301)),
        refused(&config(), &query.replace("signature=", "signature=0"), &body, now),
        refused(&config(), "timestamp=1&nonce=2", &body, now),
        refused(&PushConfig::new("PushToken123").unwrap(), &query, &body, now),
        refused(&PushConfig::new("PushToken123").unwrap().with_aes(KEY, "wxOTHERAPP").unwrap(), &query, &body, now),
        refused(&config().max_body(16), &query, &body, now),
        refused(&config(), &deliver(Format::Xml, false).0, b"\xff\xfe", now),
        refused(&config(), &deliver(Format::Xml, false).0, b"hello", now),
        refused(&config(), &deliver(Format::Xml, false).0, br#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Event>&a;</Event></xml>"#, now),
        refused(&config(), &deliver(Format::Xml, false).0, b"<xml><Event>&lol;</Event></xml>", now),
    ];
    insta::assert_snapshot!(cases.join("\n"));
    let statuses: Vec<u16> = [
        config().open(&query, &body, at(0)).unwrap_err(),
        config().max_body(1).open(&query, &body, now).unwrap_err(),
        config()
            .open(&deliver(Format::Xml, false).0, b"hello", now)
            .unwrap_err(),
    ]
    .iter()
    .map(|e| e.http_status().as_u16())
    .collect();
    assert_eq!(statuses, [401, 413, 400]);
}

#[test]
fn bad_configurations_fail_when_built() {
    assert_eq!(PushConfig::new("ab").unwrap_err(), PushConfigError::Token);
    assert_eq!(
        PushConfig::new("has space").unwrap_err(),
        PushConfigError::Token
    );
    let bad_keys = [
        &KEY[..42],
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE中",
    ];
    for key in bad_keys {
        let err = PushConfig::new(TOKEN)
            .unwrap()
            .with_aes(key, APPID)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the EncodingAESKey must be 43 characters"),
            "{err}"
        );
    }
    assert_eq!(
        PushConfig::new(TOKEN)
            .unwrap()
            .with_aes(KEY, " ")
            .unwrap_err(),
        PushConfigError::AppId
    );
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let shown = format!("{:?}", config());
    assert!(!shown.contains(TOKEN) && !shown.contains(KEY), "{shown}");
    let key = review_protocol::wechat::push::EncodingAesKey::parse(KEY).unwrap();
    assert_eq!(format!("{key:?}"), "EncodingAesKey(***)");
}

#[test]
fn url_check() {
    let config = config();
    let sig = signature(&[TOKEN, "1704038400", "abc"]);
    let ok = format!("signature={sig}&timestamp=1704038400&nonce=abc&echostr=5927782489442352469");
    assert_eq!(
        config.verify_url(&ok, at(1_704_038_400)).unwrap(),
        "5927782489442352469"
    );
    assert!(matches!(
        config.verify_url(&ok.replace("abc", "abd"), at(1_704_038_400)),
        Err(PushError::BadSignature("signature"))
    ));
    assert!(matches!(
        config.verify_url(
            &ok.replace("&echostr=5927782489442352469", ""),
            at(1_704_038_400)
        ),
        Err(PushError::Missing("echostr"))
    ));
}

#[test]
fn retries_are_recognised_and_memory_is_bounded_by_time() {
    let (query, body) = deliver(Format::Json, true);
    let push = config().open(&query, &body, at(1_704_038_400)).unwrap();
    let mut seen = Deduplicator::new(SignedDuration::from_mins(10), 2);
    assert_eq!(seen.admit(&push, at(1_704_038_400)), Admission::New);
    assert_eq!(
        seen.admit(&push, at(1_704_038_402)),
        Admission::InProgress,
        "a retry while the first delivery is still being written"
    );
    seen.recorded(&push, at(1_704_038_403));
    assert_eq!(
        seen.admit(&push, at(1_704_038_405)),
        Admission::Recorded,
        "WeChat's retry after 5 s"
    );
    assert_eq!(
        seen.admit(&push, at(1_704_038_403 + 601)),
        Admission::New,
        "forgotten after the memory"
    );
    seen.recorded(&push, at(1_704_039_004));
    // Two events fill a capacity of two: a third is refused, nothing inside the memory is
    // forgotten to make room (a burst cannot flush the memory).
    let other = |n: u32| review_protocol::wechat::push::Push {
        event: bad_score(&n.to_string()),
        nonce: format!("nonce{n}"),
        ..push.clone()
    };
    assert_eq!(seen.admit(&other(1), at(1_704_039_005)), Admission::New);
    assert_eq!(seen.admit(&other(2), at(1_704_039_005)), Admission::Full);
    assert_eq!(seen.admit(&push, at(1_704_039_006)), Admission::Recorded);
    assert_eq!(seen.len(), 2);
}

#[test]
fn an_abandoned_event_is_new_again_and_in_progress_is_never_forgotten() {
    let (query, body) = deliver(Format::Json, true);
    let push = config().open(&query, &body, at(1_704_038_400)).unwrap();
    let mut seen = Deduplicator::new(SignedDuration::from_mins(10), 10);
    assert_eq!(seen.admit(&push, at(1_704_038_400)), Admission::New);
    seen.abandoned(&push);
    assert_eq!(seen.admit(&push, at(1_704_038_401)), Admission::New);
    // Still being written an hour later (a stalled output): its retries still wait.
    assert_eq!(
        seen.admit(&push, at(1_704_038_401 + 3_600)),
        Admission::InProgress
    );
}

#[test]
fn a_reused_timestamp_and_nonce_with_another_body_is_a_replay() {
    // Plaintext mode: the signature covers token, timestamp and nonce, not the body.
    let plain = PushConfig::new(TOKEN).unwrap();
    let d = plain
        .deliver(
            &bad_score("1"),
            Format::Json,
            at(1_704_038_400),
            "n0nce",
            None,
        )
        .unwrap();
    let genuine = plain.open(&d.query, &d.body, at(1_704_038_400)).unwrap();
    let forged_body = bad_score("666").to_json();
    let forged = plain
        .open(&d.query, forged_body.as_bytes(), at(1_704_038_401))
        .unwrap();
    let mut seen = Deduplicator::default();
    assert_eq!(seen.admit(&genuine, at(1_704_038_400)), Admission::New);
    seen.recorded(&genuine, at(1_704_038_400));
    assert_eq!(seen.admit(&forged, at(1_704_038_401)), Admission::Replayed);
    assert_eq!(
        seen.admit(&genuine, at(1_704_038_405)),
        Admission::Recorded,
        "the same body again is WeChat's retry"
    );
    assert_eq!(
        PushError::NonceReused.http_status(),
        http::StatusCode::UNAUTHORIZED
    );
}

#[test]
fn safe_mode_refuses_a_plaintext_downgrade_unless_allowed() {
    // A captured safe-mode delivery: drop encrypt_type and msg_signature, post a forged body.
    let d = config()
        .deliver(
            &bad_score("1"),
            Format::Xml,
            at(1_704_038_400),
            "n0nce",
            Some([3; 16]),
        )
        .unwrap();
    let params: Vec<(String, String)> = form_urlencoded::parse(d.query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "encrypt_type" && k != "msg_signature")
        .collect();
    let downgraded: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let forged = bad_score("666").to_xml().unwrap();
    let refused = safe_only()
        .open(&downgraded, forged.as_bytes(), at(1_704_038_401))
        .unwrap_err();
    assert!(matches!(refused, PushError::PlaintextRefused), "{refused}");
    assert_eq!(refused.http_status(), http::StatusCode::UNAUTHORIZED);
    assert!(
        refused.to_string().contains("encrypted pushes only"),
        "{refused}"
    );
    // The genuine encrypted delivery is still accepted.
    assert!(
        safe_only()
            .open(&d.query, &d.body, at(1_704_038_401))
            .is_ok()
    );
    // Accepting both is explicit, and then the body is not authenticated.
    let both = safe_only().allow_plaintext(true);
    assert!(both.accepts_plaintext() && !safe_only().accepts_plaintext());
    let push = both
        .open(&downgraded, forged.as_bytes(), at(1_704_038_401))
        .unwrap();
    assert!(!push.encrypted);
    assert!(PushConfig::new(TOKEN).unwrap().accepts_plaintext());
}

#[test]
fn an_empty_signed_message_is_refused() {
    let plain = PushConfig::new(TOKEN).unwrap();
    let sig = signature(&[TOKEN, "1704038400", "n0nce"]);
    let query = format!("signature={sig}&timestamp=1704038400&nonce=n0nce");
    for body in ["<xml></xml>", "{}", r#"{"Event":""}"#] {
        let err = plain
            .open(&query, body.as_bytes(), at(1_704_038_400))
            .unwrap_err();
        assert_eq!(err.http_status(), http::StatusCode::BAD_REQUEST, "{body}");
        assert!(
            err.to_string().contains("neither `Event` nor `MsgType`"),
            "{body}: {err}"
        );
    }
}

/// One step of a model-based run of the deduplicator.
#[derive(Debug, Clone)]
enum Op {
    Admit { event: u8, nonce: u8, body: u8 },
    Recorded { event: u8 },
    Abandoned { event: u8 },
    Wait { seconds: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, 0u8..4, 0u8..2).prop_map(|(event, nonce, body)| Op::Admit { event, nonce, body }),
        2 => (0u8..4).prop_map(|event| Op::Recorded { event }),
        1 => (0u8..4).prop_map(|event| Op::Abandoned { event }),
        1 => (0i64..400).prop_map(|seconds| Op::Wait { seconds }),
    ]
}

proptest! {
    /// Against a plain reference model: an event is new only when nothing remembers it, in
    /// progress until recorded or abandoned, recorded for the whole memory after that; a
    /// `(timestamp, nonce)` seen with one body refuses any other while remembered.
    #[test]
    fn deduplicator_matches_its_model(ops in proptest::collection::vec(op(), 1..80)) {
        use std::collections::HashMap;
        let memory = SignedDuration::from_secs(600);
        let mut seen = Deduplicator::new(memory, 1_000);
        let base = config().open(&deliver(Format::Json, true).0, &deliver(Format::Json, true).1, at(1_704_038_400)).unwrap();
        let push = |event: u8, nonce: u8, body: u8| review_protocol::wechat::push::Push {
            event: bad_score(&event.to_string()),
            nonce: format!("n{nonce}"),
            body_digest: [body; 20],
            ..base.clone()
        };
        // event -> (recorded?, stamped at); nonce -> (body, stamped at)
        let mut events: HashMap<u8, (bool, i64)> = HashMap::new();
        let mut nonces: HashMap<u8, (u8, i64)> = HashMap::new();
        let mut now = 1_704_038_400i64;
        for op in ops {
            let expired = |stamped: i64, now: i64| now - stamped > 600;
            match op {
                Op::Wait { seconds } => now += seconds,
                Op::Admit { event, nonce, body } => {
                    let got = seen.admit(&push(event, nonce, body), at(now));
                    nonces.retain(|_, (_, t)| !expired(*t, now));
                    events.retain(|_, (recorded, t)| !*recorded || !expired(*t, now));
                    let expected = match nonces.get(&nonce) {
                        Some((b, _)) if *b != body => Admission::Replayed,
                        _ => {
                            nonces.entry(nonce).or_insert((body, now));
                            match events.get(&event) {
                                Some((true, _)) => Admission::Recorded,
                                Some((false, _)) => Admission::InProgress,
                                None => { events.insert(event, (false, now)); Admission::New }
                            }
                        }
                    };
                    prop_assert_eq!(got, expected);
                }
                Op::Recorded { event } => {
                    seen.recorded(&push(event, 0, 0), at(now));
                    events.insert(event, (true, now));
                }
                Op::Abandoned { event } => {
                    seen.abandoned(&push(event, 0, 0));
                    events.remove(&event);
                }
            }
        }
    }

    #[test]
    fn seal_then_open_any_message_any_appid(message in "\\PC{0,300}", appid in "[a-zA-Z0-9]{1,32}", random in any::<[u8; 16]>()) {
        let config = PushConfig::new(TOKEN).unwrap().with_aes(KEY, &appid).unwrap();
        let sealed = config.seal(&message, random, at(1_700_000_000), "nonce").unwrap();
        prop_assert_eq!(config.open_sealed("1700000000", "nonce", &sealed.msg_signature, &sealed.encrypt).unwrap(), message);
    }

    #[test]
    fn deliver_then_open_any_event(comment in "[0-9]{1,20}", to in "\\PC{0,20}", from in "\\PC{0,20}", json in any::<bool>(), encrypted in any::<bool>(), random in any::<[u8; 16]>()) {
        let event = PushEvent::BadScore(BadScoreEvent { to_user_name: to, from_user_name: from, create_time: at(1_700_000_000), comment_id: CommentId::new(comment) });
        let format = if json { Format::Json } else { Format::Xml };
        let d = config().deliver(&event, format, at(1_700_000_000), "nonce", encrypted.then_some(random)).unwrap();
        let push = config().open(&d.query, &d.body, at(1_700_000_100)).unwrap();
        prop_assert_eq!(push.event, event);
    }

    #[test]
    fn tampering_with_any_byte_is_rejected(position in any::<prop::sample::Index>(), part in 0usize..4, json in any::<bool>()) {
        let format = if json { Format::Json } else { Format::Xml };
        let d = config().deliver(&bad_score("42"), format, at(1_700_000_000), "nonce", Some([1; 16])).unwrap();
        let mut params: Vec<(String, String)> = form_urlencoded::parse(d.query.as_bytes()).into_owned().collect();
        let sealed = config().seal(&bad_score("42").to_json(), [1; 16], at(1_700_000_000), "nonce").unwrap();
        let mut body = d.body;
        let flip = |s: &mut String, i: usize| {
            let mut chars: Vec<char> = s.chars().collect();
            let k = i % chars.len();
            chars[k] = if chars[k] == '0' { '1' } else { '0' };
            *s = chars.into_iter().collect();
        };
        match part {
            0 => {
                // a byte of Encrypt inside the body
                let text = String::from_utf8(body).unwrap();
                let start = text.find(if json { "\"Encrypt\":\"" } else { "<Encrypt><![CDATA[" }).unwrap() + if json { 11 } else { 18 };
                let len = if json { sealed.encrypt.len() } else { text[start..].find("]]>").unwrap() };
                let mut chars: Vec<char> = text.chars().collect();
                let k = start + position.index(len);
                chars[k] = if chars[k] == 'A' { 'B' } else { 'A' };
                body = chars.into_iter().collect::<String>().into_bytes();
            }
            1 => { let i = params.iter().position(|(k, _)| k == "msg_signature").unwrap(); flip(&mut params[i].1, position.index(40)); }
            2 => { let i = params.iter().position(|(k, _)| k == "timestamp").unwrap(); params[i].1 = "1700000001".into(); }
            _ => { let i = params.iter().position(|(k, _)| k == "nonce").unwrap(); flip(&mut params[i].1, position.index(5)); }
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        prop_assert!(config().open(&query, &body, at(1_700_000_000)).is_err());
    }

    #[test]
    fn arbitrary_input_never_panics(query in "\\PC{0,200}", body in proptest::collection::vec(any::<u8>(), 0..600), encrypt in "[A-Za-z0-9+/=]{0,200}") {
        let _ = config().open(&query, &body, at(1_700_000_000));
        let _ = config().verify_url(&query, at(1_700_000_000));
        let _ = config().open_sealed("1", "2", &signature(&[TOKEN, "1", "2", &encrypt]), &encrypt);
    }
}

#[test]
fn answers() {
    assert_eq!(Answer::JSON.body, br#"{"errcode":0,"success":true}"#);
    assert_eq!(Answer::TEXT.body, b"success");
}
