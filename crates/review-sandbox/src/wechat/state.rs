//! The emulated mini program's data: its evaluations, tokens and customer-service state.

use jiff::Timestamp;
use review_model::AppId;
use review_model::wechat::Comment;

use super::{data, outreach, store, tokens};

/// Every comment, reply, quota and token of the emulated mini program.
#[derive(Debug)]
pub(crate) struct WechatState {
    /// The evaluations and their indexes.
    pub(super) store: store::Store,
    /// Issued access tokens.
    pub(super) tokens: tokens::Tokens,
    /// Open customer-service windows and uploaded media.
    pub(super) outreach: outreach::Outreach,
    /// The seeded stream new evaluations and reply ids come from.
    pub(super) generator: data::Generator,
}

impl WechatState {
    /// Generates `count` comments of the mini program `appid` over the 180 days before `now`.
    pub(crate) fn generate(seed: u64, count: usize, appid: AppId, now: Timestamp) -> Self {
        let mut generator = data::Generator::new(seed, count, appid);
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let store = store::Store::new(generator.initial(count, now));
        Self {
            store,
            tokens: tokens::Tokens::new(seed),
            outreach: outreach::Outreach::new(seed),
            generator,
        }
    }

    /// Creates a new one- or two-star comment at `now` with its process at step 1, drawn from
    /// the state's seeded stream, and returns it as the list serves it.
    pub(crate) fn add_bad_review(&mut self, now: Timestamp) -> Comment {
        let (comment, record) = self.generator.bad_review(now);
        self.store.insert(record);
        comment
    }

    /// Expires every token issued so far (the fault "token expiring early"): each answers
    /// 42001 from now on, and the next stable-token call issues a new one.
    pub(crate) fn expire_tokens(&mut self) {
        self.tokens.expire_all();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use review_model::wechat::FilterType;

    use super::*;
    use crate::credentials::Credentials;

    fn generate(seed: u64, count: usize, now: Timestamp) -> WechatState {
        let appid = Credentials::derive(seed).wechat.appid;
        WechatState::generate(seed, count, appid, now)
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap()
    }

    #[test]
    fn same_seed_same_data_any_day() {
        let a = generate(7, 300, now());
        let later = now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 40))
            .unwrap();
        let b = generate(7, 300, later);
        let ids = |s: &WechatState| -> Vec<String> {
            s.store
                .records()
                .iter()
                .map(|r| {
                    let c = r.comment().unwrap();
                    format!("{}:{}", c.comment_id, c.content.text)
                })
                .collect()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&generate(8, 300, now())));
    }

    #[test]
    fn the_mix_is_realistic() {
        let state = generate(11, 5000, now());
        let records = state.store.records();
        let share = |f: &dyn Fn(&store::Record) -> bool| {
            records.iter().filter(|r| f(r)).count() * 100 / records.len()
        };
        let five = share(&|r| r.comment().unwrap().score.get() == 5);
        assert!((48..=62).contains(&five), "5 stars: {five}%");
        assert!(share(&|r| r.is_bad()) >= 10);
        assert!(share(&|r| r.revised_from_bad()) >= 1);
        assert!(share(&|r| r.thread.is_some()) >= 30);
        assert!(share(&|r| !r.comment().unwrap().content.media.is_empty()) >= 15);
        for r in records {
            let comment = r.comment().unwrap();
            assert_eq!(comment.comment_id.as_str().len(), 19);
            assert_eq!(
                r.process.is_some(),
                r.is_bad()
                    || r.old_comment
                        .as_ref()
                        .is_some_and(|o| o.score.unwrap().get() <= 2)
            );
            if let Some(p) = &r.process {
                // Reached steps are a prefix of the list order in time, the first always reached.
                assert!(p.reached(review_model::wechat::ActionType::BadReviewPosted));
            }
            assert!(comment.create_time <= now());
        }
        for filter in FilterType::ALL {
            let expected = records.iter().filter(|r| r.matches(filter)).count();
            let (total, _) = state.store.page(filter, 0, now().as_second(), 0, 1);
            assert_eq!(total, expected, "{filter}");
        }
    }

    #[test]
    fn bad_reviews_are_new_and_pending() {
        let mut state = generate(3, 50, now());
        let comment = state.add_bad_review(now());
        assert!(comment.score.get() <= 2);
        assert_eq!(comment.create_time, now());
        let (_, page) = state
            .store
            .page(FilterType::PendingCompromise, 0, now().as_second(), 0, 1);
        assert!(page[0].contains(comment.comment_id.as_str()));
        assert_eq!(state.store.len(), 51);
    }
}
