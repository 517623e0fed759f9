//! Any observed review reads back as it was stored, on both backends (times to the second,
//! `raw` as the same JSON value).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use proptest::prelude::*;
use review_model::mirror::{Observed, ProcessStep, ReviewState};
use review_model::{Platform, Review, Sentiment, Stars};
use review_store::{Batch, ReviewQuery, Tenant};

fn observed() -> impl Strategy<Value = Observed> {
    let text = "[a-zA-Z0-9 ,.'\"\\\\/好评差]{0,12}";
    (
        (
            any::<bool>(),
            "[a-z0-9]{1,8}",
            prop::option::of("[0-9]{1,6}"),
            946_684_800i64..4_102_444_800,
            0u32..1_000_000_000,
        ),
        (
            1u8..=5,
            text,
            prop::option::of(text),
            any::<bool>(),
            prop::option::of(text),
        ),
        (
            prop::collection::vec("[a-z:/.]{1,10}", 0..3),
            prop::collection::vec(text, 0..3),
            prop::option::of(0u64..i64::MAX as u64),
            prop::option::of("[a-z]{1,6}"),
        ),
        (
            any::<(bool, bool, bool)>(),
            prop::option::of(prop::collection::vec(
                (1u32..5, prop::option::of(946_684_800i64..4_102_444_800)),
                0..4,
            )),
        ),
        prop::collection::btree_map("[a-z]{1,5}", any::<i32>(), 0..4),
    )
        .prop_map(
            |(
                (wechat, id, order_id, secs, nanos),
                (stars, text, author, replied, reply),
                (media, items, amount_fen, user_id),
                ((service_sent, pending_settlement, revised), process),
                raw,
            )| {
                let stars = Stars::new(stars).ok().filter(|_| wechat);
                Observed {
                    review: Review {
                        platform: if wechat {
                            Platform::Wechat
                        } else {
                            Platform::Taobao
                        },
                        id,
                        order_id,
                        created_at: Timestamp::new(secs, i32::try_from(nanos).unwrap()).unwrap(),
                        sentiment: stars.map_or(Sentiment::Negative, Stars::sentiment),
                        stars,
                        text,
                        author,
                        replied,
                        reply,
                        media,
                        items,
                        amount_fen,
                        user_id,
                    },
                    raw: serde_json::to_string(&raw).unwrap(),
                    state: ReviewState {
                        service_sent,
                        pending_settlement,
                        revised,
                    },
                    process: process.map(|steps| {
                        steps
                            .into_iter()
                            .map(|(code, at)| ProcessStep {
                                code,
                                at: at.map(|s| Timestamp::from_second(s).unwrap()),
                            })
                            .collect()
                    }),
                }
            },
        )
}

#[test]
fn stored_reviews_read_back() {
    static TENANT: AtomicU64 = AtomicU64::new(0);
    for db in common::backends() {
        let mirror = std::cell::RefCell::new(db.open());
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        proptest!(ProptestConfig::with_cases(32), |(obs in observed())| {
            let tenant = Tenant::new(obs.review.platform, format!("t{}", TENANT.fetch_add(1, Ordering::Relaxed)));
            let batch = Batch { tenant: &tenant, reviews: std::slice::from_ref(&obs), covered: None, now };
            let mut mirror = mirror.borrow_mut();
            mirror.apply(&batch).unwrap();
            let stored = mirror
                .reviews(&ReviewQuery { platform: Some(tenant.platform), tenant: Some(tenant.account.clone()) })
                .unwrap();
            prop_assert_eq!(stored.len(), 1);
            let got = &stored[0];
            let mut want = obs.review.clone();
            want.created_at = Timestamp::from_second(want.created_at.as_second()).unwrap();
            if !want.replied {
                want.reply = None;
            }
            prop_assert_eq!(&got.review, &want, "{}", db.name);
            prop_assert_eq!(got.state, obs.state);
            prop_assert_eq!(&got.process, &obs.process.clone().unwrap_or_default());
            prop_assert_eq!(got.first_seen_at, now);
            prop_assert_eq!(got.changed_at, now);
            let raw: serde_json::Value = serde_json::from_str(&got.raw).unwrap();
            prop_assert_eq!(raw, serde_json::from_str::<serde_json::Value>(&obs.raw).unwrap());
            // And the same read again is no change.
            let again = mirror.apply(&batch).unwrap();
            prop_assert!(again.changed.is_empty(), "{}: {:?}", db.name, again);
            prop_assert_eq!(again.unchanged, 1);
        });
    }
}
