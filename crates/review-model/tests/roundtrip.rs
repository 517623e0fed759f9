//! Property tests: every type survives encode-then-decode, and no input makes a decoder panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use review_model::taobao::{self, RateResult, RateType, Role, TradeRate, TradeRatePage};
use review_model::wechat::{
    Action, ActionType, ApiStatus, Author, BadScoreEvent, Comment, CommentDetail, CommentInfo,
    CommentListPage, CommentReply, CommentReplyAdd, CommentReplyDelete, ConfirmCompromise,
    CustomMessage, EncryptedPush, ErrCode, FilterType, ImageMessage, KfQuotaReset, LinkMessage,
    MediaUpload, MessageBody, MiniProgramPageMessage, OldComment, OtherEvent, ProcessInfo,
    PushEvent, Reply, ReplyAdd, ReplyDelete, ReplyThread, ReplyThreadResponse, StableTokenRequest,
    TextBody, TextMessage,
};
use review_model::{
    AccessToken, AppId, CommentId, CommentReplyId, Fen, MediaId, OpenId, Platform, ReplyId, Review,
    Secret, Sentiment, Stars,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

mod strategies;

use strategies::{comment, content, id_text, result, stars, text, timestamp, trade_rate};

/// Encodes, decodes and compares; also checks the encoding is stable.
fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = review_model::from_slice(&json)
        .map_err(|e| TestCaseError::fail(format!("{e} in {}", String::from_utf8_lossy(&json))))?;
    prop_assert_eq!(&back, value);
    let again = serde_json::to_vec(&back).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(again, json);
    Ok(())
}

fn author() -> impl Strategy<Value = Author> {
    (text(), option::of(text())).prop_map(|(nickname, img_url)| Author { nickname, img_url })
}

prop_compose! {
    fn reply_thread()(
        reply in option::of((id_text(), id_text(), timestamp(), option::of(timestamp()), text(), option::of(author()))),
        follow_ups in vec((id_text(), id_text(), timestamp(), option::of(timestamp()), text(), option::of(author())), 0..4),
    ) -> ReplyThread {
        ReplyThread {
            reply: reply.map(|(c, r, create_time, update_time, content, reply_object)| Reply {
                comment_id: CommentId::new(c),
                reply_id: ReplyId::new(r),
                create_time,
                update_time,
                reply_content: TextBody { content },
                reply_object,
            }),
            follow_ups: follow_ups
                .into_iter()
                .map(|(c, r, create_time, update_time, content, comment_reply_object)| CommentReply {
                    comment_id: CommentId::new(c),
                    comment_reply_id: CommentReplyId::new(r),
                    create_time,
                    update_time,
                    comment_reply_content: TextBody { content },
                    comment_reply_object,
                })
                .collect(),
        }
    }
}

prop_compose! {
    fn detail()(
        content in comment(),
        process in option::of((option::of(id_text()), vec((0u32..8, option::of(timestamp())), 0..5))),
        old in option::of((option::of(id_text()), content(), option::of(stars()), option::of(timestamp()))),
    ) -> CommentDetail {
        CommentDetail {
            info: CommentInfo { content },
            process: process.map(|(id, actions)| ProcessInfo {
                comment_id: id.map(CommentId::new),
                action_list: actions
                    .into_iter()
                    .map(|(kind, update_time)| Action { kind: ActionType::from_code(kind), update_time })
                    .collect(),
            }),
            old_comment: old.map(|(id, content, score, create_time)| OldComment {
                comment_id: id.map(CommentId::new),
                content,
                score,
                create_time,
            }),
        }
    }
}

fn errcode() -> impl Strategy<Value = ErrCode> {
    prop_oneof![
        proptest::sample::select(ErrCode::KNOWN.to_vec()),
        any::<i64>().prop_map(ErrCode::from),
    ]
}

fn message_body() -> impl Strategy<Value = MessageBody> {
    prop_oneof![
        text().prop_map(|content| MessageBody::Text(TextMessage { content })),
        id_text().prop_map(|id| MessageBody::Image(ImageMessage {
            media_id: MediaId::new(id)
        })),
        (text(), text(), text(), text()).prop_map(|(title, description, url, thumb_url)| {
            MessageBody::Link(LinkMessage {
                title,
                description,
                url,
                thumb_url,
            })
        }),
        (text(), text(), id_text()).prop_map(|(title, pagepath, id)| {
            MessageBody::MiniProgramPage(MiniProgramPageMessage {
                title,
                pagepath,
                thumb_media_id: MediaId::new(id),
            })
        }),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{0,20}".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(
                prop_oneof![
                    proptest::sample::select(vec![
                        "commentId",
                        "commentList",
                        "score",
                        "createTime",
                        "content",
                        "txt",
                        "ext",
                        "text",
                        "media",
                        "img",
                        "video",
                        "videoDuration",
                        "amount",
                        "total",
                        "offset",
                        "list",
                        "reply",
                        "commentReplyList",
                        "info",
                        "processInfo",
                        "actionList",
                        "type",
                        "updateTime",
                        "oldComment",
                        "code",
                        "data",
                        "trade_rates",
                        "trade_rate",
                        "tid",
                        "oid",
                        "role",
                        "result",
                        "created",
                        "item_price",
                        "has_next",
                        "total_results",
                        "Event",
                        "result",
                        "comment_id",
                        "CreateTime",
                        "errcode",
                        "userInfo",
                    ])
                    .prop_map(str::to_owned),
                    "[a-z]{1,5}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn xml_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,6}".prop_filter("not the event key", |k| k != "Event")
}

fn xml_fields() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = text().prop_map(Value::String);
    let tree = leaf.prop_recursive(3, 16, 4, |inner| {
        btree_map(xml_name(), inner, 1..4).prop_map(|m| Value::Object(m.into_iter().collect()))
    });
    btree_map(xml_name(), tree, 0..5).prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn comment_list_page(comments in vec(comment(), 0..4), total in option::of(any::<u64>()), offset in any::<u64>()) {
        round_trip(&CommentListPage { comments, total, offset })?;
    }

    #[test]
    fn reply_thread_response(list in reply_thread()) {
        round_trip(&ReplyThreadResponse { list })?;
    }

    #[test]
    fn comment_detail(detail in detail()) {
        round_trip(&detail)?;
    }

    #[test]
    fn api_status(errcode in errcode(), errmsg in option::of(text()), success in option::of(any::<bool>())) {
        round_trip(&ApiStatus { errcode, errmsg, success })?;
    }

    #[test]
    fn errcode_keeps_every_code(code in any::<i64>()) {
        prop_assert_eq!(ErrCode::from(code).code(), code);
    }

    #[test]
    fn filter_type_by_code_and_name(code in 1u64..=6) {
        let filter = FilterType::from_code(code).unwrap();
        prop_assert_eq!(filter.name().parse::<FilterType>().unwrap(), filter);
        prop_assert_eq!(code.to_string().parse::<FilterType>().unwrap(), filter);
        round_trip(&filter)?;
    }

    #[test]
    fn write_bodies(c in id_text(), r in id_text(), cr in id_text(), t in text(), pics in vec(id_text(), 0..3), content in option::of(text())) {
        round_trip(&ReplyAdd { comment_id: c.as_str().into(), content: t.clone() })?;
        round_trip(&ReplyDelete { comment_id: c.as_str().into(), reply_id: r.as_str().into() })?;
        round_trip(&CommentReplyAdd { comment_id: c.as_str().into(), reply_id: r.as_str().into(), content: t })?;
        round_trip(&CommentReplyDelete { comment_id: c.as_str().into(), reply_id: r.as_str().into(), comment_reply_id: cr.as_str().into() })?;
        round_trip(&KfQuotaReset { comment_id: c.as_str().into() })?;
        round_trip(&ConfirmCompromise { comment_id: c.as_str().into(), pic_list: pics.into_iter().map(MediaId::new).collect(), content })?;
    }

    #[test]
    fn token_bodies(appid in id_text(), secret in text(), force in any::<bool>(), token in text(), expires_in in any::<u64>()) {
        round_trip(&StableTokenRequest::new(AppId::new(appid), Secret::new(secret), force))?;
        round_trip(&review_model::wechat::AccessTokenResponse { access_token: AccessToken::new(token), expires_in })?;
    }

    #[test]
    fn media_upload(id in id_text(), created_at in timestamp()) {
        round_trip(&MediaUpload { kind: "image".to_owned(), media_id: MediaId::new(id), created_at })?;
    }

    #[test]
    fn custom_message(touser in id_text(), body in message_body()) {
        round_trip(&CustomMessage { touser: OpenId::new(touser), body })?;
    }

    #[test]
    fn bad_score_push_in_json_and_xml(to in text(), from in text(), at in timestamp(), id in id_text()) {
        let event = PushEvent::BadScore(BadScoreEvent {
            to_user_name: to, from_user_name: from, create_time: at, comment_id: CommentId::new(id),
        });
        prop_assert_eq!(&PushEvent::from_json(event.to_json().as_bytes()).unwrap(), &event);
        prop_assert_eq!(&PushEvent::from_xml(&event.to_xml().unwrap()).unwrap(), &event);
    }

    #[test]
    fn other_push_in_json_and_xml(mut fields in xml_fields(), name in "[a-z_]{1,20}") {
        prop_assume!(name != review_model::wechat::BAD_SCORE_EVENT);
        fields.insert("Event".to_owned(), Value::String(name.clone()));
        let event = PushEvent::from_fields(fields.clone()).unwrap();
        let expected = PushEvent::Other(OtherEvent { msg_type: fields.get("MsgType").and_then(Value::as_str).map(str::to_owned), event: Some(name), fields });
        prop_assert_eq!(&event, &expected);
        prop_assert_eq!(&PushEvent::from_json(event.to_json().as_bytes()).unwrap(), &event);
        prop_assert_eq!(&PushEvent::from_xml(&event.to_xml().unwrap()).unwrap(), &event);
    }

    #[test]
    fn encrypted_push(to in option::of(text()), encrypt in "[A-Za-z0-9+/=]{0,64}") {
        let push = EncryptedPush { to_user_name: to, encrypt };
        round_trip(&push)?;
        prop_assert_eq!(EncryptedPush::from_xml(&push.to_xml().unwrap()).unwrap(), push);
    }

    #[test]
    fn trade_rate_page(rates in vec(trade_rate(), 0..4), total in option::of(0u64..=1500), has_next in option::of(any::<bool>()), request_id in option::of(id_text())) {
        let page = TradeRatePage { request_id, total_results: total, has_next, rates };
        round_trip(&taobao::Envelope::ok(page))?;
    }

    #[test]
    fn taobao_error_envelope(code in any::<i64>(), message in text(), trace_id in text()) {
        let mut envelope = taobao::Envelope::<TradeRatePage>::error(code, message);
        envelope.trace_id = trace_id;
        round_trip(&envelope)?;
    }

    #[test]
    fn taobao_time(at in timestamp()) {
        prop_assert_eq!(taobao::parse_time(&taobao::format_time(at)).unwrap(), at);
    }

    #[test]
    fn rate_enums(t in proptest::sample::select(RateType::ALL.to_vec()), r in proptest::sample::select(Role::ALL.to_vec()), x in result()) {
        prop_assert_eq!(t.as_str().parse::<RateType>().unwrap(), t);
        prop_assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        prop_assert_eq!(x.as_str().parse::<RateResult>().unwrap(), x);
    }

    #[test]
    fn reviews_from_both_platforms(c in comment(), thread in reply_thread(), rate in trade_rate()) {
        let wechat = Review::from((&c, &thread));
        prop_assert_eq!(wechat.platform, Platform::Wechat);
        prop_assert_eq!(wechat.stars, Some(c.score));
        prop_assert_eq!(wechat.replied, thread.reply.is_some());
        round_trip(&wechat)?;
        let taobao = Review::from(&rate);
        prop_assert_eq!(&taobao.id, &format!("{}:{}", rate.oid, rate.role));
        prop_assert_eq!(taobao.sentiment, rate.result.sentiment());
        prop_assert_eq!(taobao.replied, rate.reply.is_some());
        round_trip(&taobao)?;
        for review in [&wechat, &taobao] {
            let keys = top_level_keys(&serde_json::to_string(review).unwrap());
            prop_assert_eq!(&keys[..Review::KEYS.len()], &Review::KEYS[..]);
        }
    }

    #[test]
    fn fen_format_then_parse(fen in any::<u64>()) {
        let text = Fen::new(fen).to_string();
        prop_assert_eq!(text.parse::<Fen>().unwrap(), Fen::new(fen));
    }

    #[test]
    fn fen_parses_decimals_exactly(yuan in 0u64..=u64::MAX / 1000, cents in 0u64..100) {
        let two = format!("{yuan}.{cents:02}");
        prop_assert_eq!(two.parse::<Fen>().unwrap().get(), yuan * 100 + cents);
        if cents % 10 == 0 {
            let one = format!("{yuan}.{}", cents / 10);
            prop_assert_eq!(one.parse::<Fen>().unwrap().get(), yuan * 100 + cents);
        }
        prop_assert_eq!(yuan.to_string().parse::<Fen>().unwrap().get(), yuan * 100);
    }

    #[test]
    fn fen_refuses_fractions_of_fen(yuan in 0u64..1_000_000, extra in 1u64..10) {
        let three = format!("{yuan}.12{extra}");
        prop_assert!(three.parse::<Fen>().is_err());
    }

    #[test]
    fn fen_never_panics(s in "\\PC{0,24}") {
        let _ = s.parse::<Fen>();
    }

    #[test]
    fn stars_from_score(score in any::<u64>()) {
        let ok = (100..=500).contains(&score) && score % 100 == 0;
        match Stars::from_score(score) {
            Ok(stars) => {
                prop_assert!(ok);
                prop_assert_eq!(u64::from(stars.score()), score);
            }
            Err(_) => prop_assert!(!ok),
        }
    }

    #[test]
    fn stars_new(n in any::<u8>()) {
        prop_assert_eq!(Stars::new(n).is_ok(), (1..=5).contains(&n));
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_json(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let _ = review_model::from_slice::<CommentListPage>(&bytes);
        let _ = review_model::from_slice::<Comment>(&bytes);
        let _ = review_model::from_slice::<CommentDetail>(&bytes);
        let _ = review_model::from_slice::<ReplyThreadResponse>(&bytes);
        let _ = review_model::from_slice::<ApiStatus>(&bytes);
        let _ = review_model::from_slice::<taobao::Envelope<TradeRatePage>>(&bytes);
        let _ = review_model::from_slice::<TradeRate>(&bytes);
        let _ = review_model::from_slice::<CustomMessage>(&bytes);
        let _ = review_model::from_slice::<MediaUpload>(&bytes);
        let _ = review_model::from_slice::<Review>(&bytes);
        let _ = PushEvent::from_json(&bytes);
        if let Value::Object(map) = value {
            let _ = PushEvent::from_fields(map);
        }
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in vec(any::<u8>(), 0..256)) {
        let _ = review_model::from_slice::<CommentListPage>(&bytes);
        let _ = review_model::from_slice::<taobao::Envelope<TradeRatePage>>(&bytes);
        let _ = PushEvent::from_json(&bytes);
    }

    #[test]
    fn xml_reader_never_panics(s in "(<[a-zA-Z/!?]{0,3}|>|&[a-z#0-9]{0,4};?|\\]\\]>|<!\\[CDATA\\[|\\PC){0,40}") {
        let _ = PushEvent::from_xml(&s);
        let _ = review_model::xml::to_json(&s);
    }
}

#[test]
fn sentiment_of_each_star() {
    let sentiments: Vec<Sentiment> = (1..=5)
        .map(|n| Stars::new(n).unwrap().sentiment())
        .collect();
    assert_eq!(
        sentiments,
        [
            Sentiment::Negative,
            Sentiment::Negative,
            Sentiment::Neutral,
            Sentiment::Positive,
            Sentiment::Positive
        ]
    );
}

#[test]
fn secrets_are_redacted_in_debug() {
    let request = StableTokenRequest::new(AppId::new("wx1"), Secret::new("s3cr3t-value"), false);
    let response = review_model::wechat::AccessTokenResponse {
        access_token: AccessToken::new("tok-value-123"),
        expires_in: 7200,
    };
    let shown = format!("{request:?} {response:?} {request:#?} {response:#?}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
    assert!(!shown.contains("tok-value-123"), "{shown}");
    assert!(
        shown.contains("Secret(***)") && shown.contains("AccessToken(***)"),
        "{shown}"
    );
}

/// The top-level keys of a JSON object, in the order they are written.
fn top_level_keys(json: &str) -> Vec<String> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    serde::Deserializer::deserialize_map(&mut de, Keys).unwrap()
}
