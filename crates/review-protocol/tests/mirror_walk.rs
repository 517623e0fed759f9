//! The WeChat mirror walk against a simulated server: every comment of the window once, with
//! `replied`, `pending_settlement` and `revised` exactly as the server's filters list them, and
//! the platform's record kept as JSON that decodes back to the comment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;

use jiff::Timestamp;
use proptest::prelude::*;
use review_model::wechat::{Comment, CommentListPage, FilterType};
use review_protocol::wechat::{GetCommentList, MirrorWalk};
use review_protocol::{Endpoint, Walk};

const T0: i64 = 1_700_000_000;

#[derive(Debug, Clone, Copy)]
struct Stored {
    id: u64,
    second: i64,
    awaiting: bool,
    pending: bool,
    revised: bool,
}

fn comment(stored: &Stored) -> Comment {
    let json = format!(
        r#"{{"commentId":"{}","score":{},"createTime":"{}","content":{{"txt":"t{}"}}}}"#,
        stored.id,
        if stored.pending { 100 } else { 500 },
        stored.second,
        stored.id
    );
    review_model::from_slice::<Comment>(json.as_bytes()).expect("a valid comment")
}

fn serve(comments: &[Stored], query: &GetCommentList) -> CommentListPage {
    let (start, end) = (query.start_time.as_second(), query.end_time.as_second());
    let listed: Vec<&Stored> = comments
        .iter()
        .filter(|c| (start..=end).contains(&c.second))
        .filter(|c| match query.filter {
            Some(FilterType::AwaitingReply) => c.awaiting,
            Some(FilterType::PendingCompromise) => c.pending,
            Some(FilterType::Revised) => c.revised,
            _ => true,
        })
        .collect();
    let from = usize::try_from(query.offset).unwrap().min(listed.len());
    let to = from.saturating_add(query.limit as usize).min(listed.len());
    CommentListPage {
        comments: listed[from..to].iter().map(|c| comment(c)).collect(),
        total: Some(listed.len() as u64),
        offset: query.offset,
    }
}

fn stored() -> impl Strategy<Value = Vec<Stored>> {
    prop::collection::vec(
        (0i64..86_400, any::<bool>(), any::<bool>(), any::<bool>()),
        0..250,
    )
    .prop_map(|rows| {
        let mut comments: Vec<Stored> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (second, awaiting, pending, revised))| Stored {
                id: i as u64 + 1,
                second: T0 + second,
                awaiting,
                pending,
                revised,
            })
            .collect();
        comments.sort_by_key(|c| (std::cmp::Reverse(c.second), c.id));
        comments
    })
}

proptest! {
    #[test]
    fn every_comment_once_with_the_filters_state(
        comments in stored(),
        limit in 1u32..40,
        cap in 1u64..120,
    ) {
        let since = Timestamp::from_second(T0).unwrap();
        let until = Timestamp::from_second(T0 + 86_399).unwrap();
        let mut walk = MirrorWalk::new(since, until, limit).unwrap().window_cap(cap);
        let mut seen = HashMap::new();
        let mut requests = 0u64;
        while let Some(query) = walk.next_request() {
            requests += 1;
            prop_assert!(requests < 100_000, "the walk does not stop");
            let body = serde_json::to_vec(&serve(&comments, &query)).unwrap();
            let page = query.parse(http::Response::new(&body[..])).unwrap();
            for observed in walk.feed(page) {
                let raw: Comment = serde_json::from_str(&observed.raw).unwrap();
                prop_assert_eq!(raw.comment_id.to_string(), observed.review.id.clone());
                let id: u64 = observed.review.id.parse().unwrap();
                prop_assert!(seen.insert(id, observed).is_none(), "{} twice", id);
            }
        }
        prop_assert_eq!(seen.len(), comments.len());
        for c in &comments {
            let o = &seen[&c.id];
            prop_assert_eq!(o.review.replied, !c.awaiting);
            prop_assert_eq!(o.state.pending_settlement, c.pending);
            prop_assert_eq!(o.state.revised, c.revised);
        }
        let stats = walk.stats();
        prop_assert_eq!(stats.filtered, comments.iter().map(|c| u64::from(c.pending) + u64::from(c.revised)).sum::<u64>());
    }
}
