//! How a new observation of a review differs from what the mirror holds: the change kinds a
//! user hears of, the silent updates, and the row that gets stored. Pure, so it is proptested
//! apart from any database.

use jiff::Timestamp;
use review_model::Review;
use review_model::mirror::{Change, Observed, ProcessStep, ReviewState};

/// What the mirror holds of one review, as far as classifying needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prior {
    /// The stored record (with the reply text kept from an earlier read).
    pub(crate) review: Review,
    /// The stored listing state.
    pub(crate) state: ReviewState,
    /// The stored process steps; only loaded when the new observation carries steps.
    pub(crate) process: Vec<ProcessStep>,
    /// Whether the stored raw JSON equals the new one (compared by the database, as values).
    pub(crate) raw_same: bool,
}

/// The change kinds from `old` to `new`: `[New]` without a row; otherwise sorted, deduplicated
/// and possibly empty.
pub(crate) fn classify(old: Option<&Prior>, new: &Observed) -> Vec<Change> {
    let Some(old) = old else {
        return vec![Change::New];
    };
    let (was, now) = (&old.review, &new.review);
    let mut changes = Vec::new();
    if was.text != now.text
        || was.stars != now.stars
        || was.media != now.media
        || (!old.state.revised && new.state.revised)
    {
        changes.push(Change::Revised);
    }
    let reply_changed = matches!((&was.reply, &now.reply), (Some(a), Some(b)) if a != b);
    // Replied: a reply appeared, or its known text changed.
    if now.replied && (!was.replied || reply_changed) {
        changes.push(Change::Replied);
    }
    if was.replied && !now.replied {
        changes.push(Change::RemovedReply);
    }
    if old.state.service_sent != new.state.service_sent
        || old.state.pending_settlement != new.state.pending_settlement
        || new
            .process
            .as_ref()
            .is_some_and(|steps| *steps != old.process)
    {
        changes.push(Change::Process);
    }
    changes.sort_unstable();
    changes.dedup();
    changes
}

/// What the mirror stores after `new`: the new record, with the stored reply text kept while a
/// listing says "replied" without the text, and the stored steps kept when `new` has none.
pub(crate) fn merged(old: Option<&Prior>, new: &Observed) -> Prior {
    let mut review = new.review.clone();
    review.created_at = to_second(review.created_at);
    if review.replied {
        if review.reply.is_none() {
            review.reply = old.and_then(|old| old.review.reply.clone());
        }
    } else {
        review.reply = None;
    }
    let process = match &new.process {
        Some(steps) => steps.iter().map(step_to_second).collect(),
        None => old.map(|old| old.process.clone()).unwrap_or_default(),
    };
    Prior {
        review,
        state: new.state,
        process,
        raw_same: true,
    }
}

/// Whether the stored row must be rewritten although no change kind applies: any stored field
/// differs from what `merged` would store.
pub(crate) fn needs_write(old: &Prior, merged: &Prior) -> bool {
    !old.raw_same
        || old.review != merged.review
        || old.state != merged.state
        || old.process != merged.process
}

/// The mirror keeps review times to the second (SQLite's fixed-width text, the same on
/// PostgreSQL so that both read back alike).
pub(crate) fn to_second(at: Timestamp) -> Timestamp {
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

fn step_to_second(step: &ProcessStep) -> ProcessStep {
    ProcessStep {
        code: step.code,
        at: step.at.map(to_second),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use review_model::{Platform, Sentiment, Stars};

    use super::*;

    fn review() -> impl Strategy<Value = Review> {
        (
            any::<bool>(),
            "[a-c]{1,3}",
            prop::option::of("[0-9]{1,4}"),
            0i64..4_000_000_000,
            prop::option::of(1u8..=5),
            "[a-z ]{0,8}",
            prop::option::of("[a-z]{1,4}"),
            any::<bool>(),
            prop::option::of("[a-z]{1,4}"),
            prop::collection::vec("[a-z]{1,3}", 0..3),
            prop::collection::vec("[a-z]{1,3}", 0..3),
            prop::option::of(0u64..100_000),
        )
            .prop_map(
                |(
                    wechat,
                    id,
                    order_id,
                    secs,
                    stars,
                    text,
                    author,
                    replied,
                    reply,
                    media,
                    items,
                    amount,
                )| {
                    let stars = if wechat {
                        stars.and_then(|s| Stars::new(s).ok())
                    } else {
                        None
                    };
                    Review {
                        platform: if wechat {
                            Platform::Wechat
                        } else {
                            Platform::Taobao
                        },
                        id,
                        order_id,
                        created_at: Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH),
                        sentiment: stars.map_or(Sentiment::Neutral, Stars::sentiment),
                        stars,
                        text,
                        author,
                        replied,
                        reply: reply.filter(|_| replied),
                        media,
                        items,
                        amount_fen: amount,
                        user_id: None,
                    }
                },
            )
    }

    fn steps() -> impl Strategy<Value = Vec<ProcessStep>> {
        prop::collection::vec(
            (1u32..5, prop::option::of(0i64..4_000_000_000)).prop_map(|(code, at)| ProcessStep {
                code,
                at: at.and_then(|s| Timestamp::from_second(s).ok()),
            }),
            0..3,
        )
    }

    fn observed() -> impl Strategy<Value = Observed> {
        (
            review(),
            any::<(bool, bool, bool)>(),
            prop::option::of(steps()),
        )
            .prop_map(
                |(review, (service_sent, pending_settlement, revised), process)| Observed {
                    review,
                    raw: "{}".to_owned(),
                    state: ReviewState {
                        service_sent,
                        pending_settlement,
                        revised,
                    },
                    process,
                },
            )
    }

    proptest! {
        #[test]
        fn no_row_is_new(new in observed()) {
            prop_assert_eq!(classify(None, &new), vec![Change::New]);
        }

        #[test]
        fn sorted_deduped_never_new(old in observed(), new in observed()) {
            let prior = merged(None, &old);
            let changes = classify(Some(&prior), &new);
            prop_assert!(changes.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(!changes.contains(&Change::New));
        }

        #[test]
        fn the_same_read_twice_changes_nothing(old in observed(), new in observed()) {
            // Whatever was stored before, after storing `new` the same read is no change and no write.
            let first = merged(None, &old);
            let stored = merged(Some(&first), &new);
            prop_assert_eq!(classify(Some(&stored), &new), Vec::<Change>::new());
            prop_assert!(!needs_write(&stored, &merged(Some(&stored), &new)));
        }

        #[test]
        fn each_rule(old in observed(), new in observed()) {
            let prior = merged(None, &old);
            let changes = classify(Some(&prior), &new);
            let (was, now) = (&prior.review, &new.review);
            let revised = was.text != now.text || was.stars != now.stars || was.media != now.media
                || (!old.state.revised && new.state.revised);
            prop_assert_eq!(changes.contains(&Change::Revised), revised);
            prop_assert_eq!(changes.contains(&Change::RemovedReply), was.replied && !now.replied);
            if !was.replied && now.replied {
                prop_assert!(changes.contains(&Change::Replied));
            }
            if !now.replied {
                prop_assert!(!changes.contains(&Change::Replied));
            }
            if old.state.service_sent != new.state.service_sent
                || old.state.pending_settlement != new.state.pending_settlement {
                prop_assert!(changes.contains(&Change::Process));
            }
            if new.process.is_none() && old.state.service_sent == new.state.service_sent
                && old.state.pending_settlement == new.state.pending_settlement {
                prop_assert!(!changes.contains(&Change::Process));
            }
        }

        #[test]
        fn silent_fields_write_without_a_change(old in observed(), author in prop::option::of("[A-Z]{1,4}")) {
            let prior = merged(None, &old);
            let mut new = old;
            new.review.author = author;
            let changes = classify(Some(&prior), &new);
            prop_assert!(changes.is_empty());
            prop_assert_eq!(needs_write(&prior, &merged(Some(&prior), &new)), prior.review.author != new.review.author);
        }
    }

    #[test]
    fn listing_without_reply_text_keeps_it() {
        let mut obs = Observed {
            review: Review {
                platform: Platform::Wechat,
                id: "1".into(),
                order_id: None,
                created_at: Timestamp::UNIX_EPOCH,
                stars: Stars::new(1).ok(),
                sentiment: Sentiment::Negative,
                text: "bad".into(),
                author: None,
                replied: true,
                reply: Some("sorry".into()),
                media: vec![],
                items: vec![],
                amount_fen: None,
                user_id: None,
            },
            raw: "{}".into(),
            state: ReviewState::default(),
            process: None,
        };
        let stored = merged(None, &obs);
        obs.review.reply = None;
        assert!(classify(Some(&stored), &obs).is_empty());
        assert_eq!(
            merged(Some(&stored), &obs).review.reply.as_deref(),
            Some("sorry")
        );
        obs.review.reply = Some("sorry again".into());
        assert_eq!(classify(Some(&stored), &obs), vec![Change::Replied]);
        obs.review.replied = false;
        obs.review.reply = None;
        assert_eq!(classify(Some(&stored), &obs), vec![Change::RemovedReply]);
        assert_eq!(merged(Some(&stored), &obs).review.reply, None);
    }
}
