//! Strategies for the platforms' records, shared by the property tests.

#![allow(dead_code, unreachable_pub)]

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use review_model::taobao::{self, RateResult, Role, TradeRate};
use review_model::wechat::{
    BizInfo, Comment, Content, ExtInfo, Image, Media, OrderInfo, Product, ProductInfo, UserInfo,
    Video,
};
use review_model::{AppId, CommentId, Fen, OpenId, Stars, Timestamp};
use serde_json::Value;

pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        "[一-龥]{0,8}",
        "\\PC{0,16}",
        Just("😡🙏👍 很好]]>&<".to_owned()),
    ]
}

pub fn id_text() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,20}", "[a-zA-Z0-9_@-]{1,24}"]
}

pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    (946_684_800i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

pub fn stars() -> impl Strategy<Value = Stars> {
    (1u8..=5).prop_map(|n| Stars::new(n).unwrap())
}

pub fn media() -> impl Strategy<Value = Media> {
    prop_oneof![
        (text(), option::of(text()))
            .prop_map(|(img, thumb_img)| Media::Image(Image { img, thumb_img })),
        (text(), option::of(text()), option::of(any::<u32>())).prop_map(
            |(video, video_cover, video_duration)| Media::Video(Video {
                video,
                video_cover,
                video_duration
            })
        ),
        btree_map(
            "[a-z]{1,6}".prop_filter("not a media key", |k| k != "img" && k != "video"),
            text(),
            0..3
        )
        .prop_map(|m| Media::Other(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())),
    ]
}

pub fn content() -> impl Strategy<Value = Content> {
    (text(), vec(media(), 0..3)).prop_map(|(text, media)| Content { text, media })
}

prop_compose! {
    pub fn comment()(
        comment_id in id_text(),
        amount in option::of(any::<u64>()),
        order_id in option::of(text()),
        pay_time in option::of(timestamp()),
        wx_pay_id in option::of(text()),
        order_info in option::of(option::of(text()).prop_map(|busi_order_id| OrderInfo { busi_order_id })),
        user_info in option::of((option::of(id_text()), option::of(text()), option::of(text()))
            .prop_map(|(openid, head_img, nick_name)| UserInfo { openid: openid.map(OpenId::new), head_img, nick_name })),
        biz_info in option::of((option::of(id_text()), option::of(text()), option::of(text()))
            .prop_map(|(appid, head_img, nick_name)| BizInfo { appid: appid.map(AppId::new), head_img, nick_name })),
        score in stars(),
        create_time in timestamp(),
        content in content(),
        ext_info in option::of(any::<bool>().prop_map(|is_already_send_tmpl| ExtInfo { is_already_send_tmpl })),
        product_info in option::of(vec((text(), option::of(text())).prop_map(|(name, pic_url)| Product { name, pic_url }), 0..3)
            .prop_map(|product_list| ProductInfo { product_list })),
    ) -> Comment {
        Comment {
            comment_id: CommentId::new(comment_id),
            amount: amount.map(Fen::new),
            order_id, pay_time, wx_pay_id, order_info, user_info, biz_info, score, create_time,
            content, ext_info, product_info,
        }
    }
}

pub fn result() -> impl Strategy<Value = RateResult> {
    proptest::sample::select(RateResult::ALL.to_vec())
}

prop_compose! {
    pub fn trade_rate()(
        tid in any::<u64>(), oid in any::<u64>(),
        role in proptest::sample::select(Role::ALL.to_vec()),
        nick in option::of(text()), result in result(),
        created in timestamp(),
        rated_nick in option::of(text()), item_title in option::of(text()),
        item_price in option::of(0u64..=u64::MAX / 100),
        content in text(),
        reply in option::of(text().prop_filter("non-empty", |r| !r.is_empty())),
        num_iid in option::of(any::<u64>()),
        logistics_service_score in option::of(0u32..=5),
        ouid in option::of(id_text()),
        valid_score in option::of(any::<bool>()),
    ) -> TradeRate {
        TradeRate {
            tid: taobao::Tid(tid), oid: taobao::Oid(oid), role, nick, result, created, rated_nick, item_title,
            item_price: item_price.map(Fen::new), content, reply, num_iid, logistics_service_score, ouid, valid_score,
        }
    }
}
