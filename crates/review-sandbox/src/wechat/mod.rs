//! WeChat's side: tokens, the comment endpoints, customer-service messages and media upload.
//!
//! Every answer is HTTP 200 with JSON in the documented shape, encoded from the model's types;
//! refusals are `{errcode, errmsg}`. The token is checked before anything else. The rules the
//! documents leave open are stated in each module: [`read`], [`write`](mod@write), [`messages`],
//! [`tokens`], [`auth`].

mod answer;
mod auth;
mod data;
mod messages;
mod multipart;
mod read;
mod request;
mod store;
mod texts;
mod tokens;
mod write;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use jiff::Timestamp;
use review_model::wechat::Comment;

use crate::shared::Shared;

/// Every comment, reply, quota and token of the emulated mini program.
#[derive(Debug)]
pub(crate) struct WechatState {
    /// The evaluations and their indexes.
    store: store::Store,
    /// Issued access tokens.
    tokens: tokens::Tokens,
    /// Open customer-service windows and uploaded media.
    outreach: messages::Outreach,
    /// The seeded stream new evaluations and reply ids come from.
    generator: data::Generator,
}

impl WechatState {
    /// Generates `count` comments over the 180 days before `now`.
    pub(crate) fn generate(seed: u64, count: usize, now: Timestamp) -> Self {
        let (credentials, _) = crate::credentials::derive(seed);
        let mut generator = data::Generator::new(seed, count, credentials.appid);
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let store = store::Store::new(generator.initial(count, now));
        Self {
            store,
            tokens: tokens::Tokens::new(seed),
            outreach: messages::Outreach::new(seed),
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

/// The WeChat routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/cgi-bin/token", get(auth::token))
        .route("/cgi-bin/stable_token", post(auth::stable_token))
        .route("/wxaapi/comment/mpcommentlist/get", get(read::list))
        .route("/wxaapi/comment/commentinfo/get", get(read::detail))
        .route(
            "/wxaapi/comment/replyandcommentreplylist/get",
            get(read::thread),
        )
        .route("/wxaapi/comment/reply/add", post(write::reply_add))
        .route("/wxaapi/comment/reply/delete", post(write::reply_delete))
        .route(
            "/wxaapi/comment/commentreply/add",
            post(write::comment_reply_add),
        )
        .route(
            "/wxaapi/comment/commentreply/delete",
            post(write::comment_reply_delete),
        )
        .route(
            "/wxaapi/comment/apikfquota/reset",
            post(write::kf_quota_reset),
        )
        .route(
            "/wxaapi/comment/confirmcompromise",
            post(write::confirm_compromise),
        )
        .route("/cgi-bin/message/custom/send", post(messages::custom_send))
        .route(
            "/cgi-bin/media/upload",
            // Room for the largest picture plus the multipart framing.
            post(messages::media_upload)
                .layer(DefaultBodyLimit::max(messages::MAX_UPLOAD + 64 * 1024)),
        )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use review_model::wechat::FilterType;

    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap()
    }

    #[test]
    fn same_seed_same_data_any_day() {
        let a = WechatState::generate(7, 300, now());
        let later = now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 40))
            .unwrap();
        let b = WechatState::generate(7, 300, later);
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
        assert_ne!(ids(&a), ids(&WechatState::generate(8, 300, now())));
    }

    #[test]
    fn the_mix_is_realistic() {
        let state = WechatState::generate(11, 5000, now());
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
        let mut state = WechatState::generate(3, 50, now());
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
