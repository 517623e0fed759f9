//! The evaluations, indexed per `filterType` so a page costs two binary searches and a slice.
//!
//! Each filter keeps a vector of `(createTime, position)` keys sorted oldest first. A page of a
//! window is the keys between two binary searches, read from the newest end. A write updates
//! only the filters whose membership it changed, so the lists never need rebuilding.

use std::collections::HashMap;
use std::sync::Arc;

use review_model::wechat::{
    ActionType, Comment, CommentReply, ExtInfo, FilterType, OldComment, ProcessInfo, Reply,
};

/// `(createTime in Unix seconds, position in the record vector)`: unique, and ordered by time.
type Key = (i64, u32);

/// One evaluation with everything the endpoints serve about it.
///
/// The evaluation itself is kept encoded, as the list serves it: a page is then a
/// concatenation of shared strings, and 100,000 evaluations take half the memory of the
/// decoded structs. It is decoded for the rare reads that need its fields (detail, writes).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The list entry: the model's `Comment` encoded as JSON.
    json: Arc<str>,
    /// `commentId` as a number, the lookup key.
    id: Option<u64>,
    /// `createTime` in Unix seconds: the sort key, fixed for the record's life.
    created: i64,
    /// The rating now.
    stars: u8,
    /// Bad-review progress (bad reviews, and bad reviews since revised).
    pub(crate) process: Option<ProcessInfo>,
    /// The evaluation before the buyer revised it.
    pub(crate) old_comment: Option<OldComment>,
    /// The merchant's first reply and what followed it.
    pub(crate) thread: Option<Thread>,
}

/// The merchant's first reply and its follow-ups, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct Thread {
    /// The first reply.
    pub(crate) reply: Reply,
    /// The follow-ups.
    pub(crate) follow_ups: Vec<FollowUp>,
}

/// A follow-up and who wrote it: the merchant may delete only its own.
#[derive(Debug, Clone)]
pub(crate) struct FollowUp {
    /// The follow-up as served.
    pub(crate) reply: CommentReply,
    /// Written by the buyer rather than the merchant.
    pub(crate) by_buyer: bool,
}

fn encode(comment: &Comment) -> Arc<str> {
    match serde_json::to_string(comment) {
        Ok(json) => Arc::from(json),
        Err(err) => {
            // A struct of strings and numbers always encodes; keep the list valid regardless.
            tracing::error!(%err, "cannot encode a comment");
            Arc::from(format!(
                r#"{{"commentId":"{}","score":{},"createTime":"{}"}}"#,
                comment.comment_id,
                comment.score.score(),
                comment.create_time.as_second()
            ))
        }
    }
}

impl Record {
    /// A record of `comment` and what goes with it.
    pub(crate) fn new(
        comment: &Comment,
        process: Option<ProcessInfo>,
        old_comment: Option<OldComment>,
        thread: Option<Thread>,
    ) -> Self {
        Self {
            json: encode(comment),
            id: canonical(comment.comment_id.as_str()),
            created: comment.create_time.as_second(),
            stars: comment.score.get(),
            process,
            old_comment,
            thread,
        }
    }

    /// The evaluation decoded from its JSON.
    pub(crate) fn comment(&self) -> Result<Comment, review_model::DecodeError> {
        review_model::from_slice(self.json.as_bytes())
    }

    /// Marks that the "bad review customer-service session" was sent (`extInfo`).
    pub(crate) fn mark_messaged(&mut self) -> Result<(), review_model::DecodeError> {
        let mut comment = self.comment()?;
        comment.ext_info = Some(ExtInfo {
            is_already_send_tmpl: true,
        });
        self.json = encode(&comment);
        Ok(())
    }

    /// `createTime` in Unix seconds: the sort key.
    pub(crate) fn created(&self) -> i64 {
        self.created
    }

    /// One or two stars now.
    pub(crate) fn is_bad(&self) -> bool {
        self.stars <= 2
    }

    /// The merchant has handled the bad review (step 2 reached, through a settlement).
    pub(crate) fn settled(&self) -> bool {
        self.process
            .as_ref()
            .is_some_and(|p| p.reached(ActionType::MerchantHandled))
    }

    /// Revised by the buyer from a one- or two-star review.
    pub(crate) fn revised_from_bad(&self) -> bool {
        self.old_comment
            .as_ref()
            .and_then(|old| old.score)
            .is_some_and(|stars| stars.get() <= 2)
    }

    /// Whether `filterType` `filter` lists this evaluation, with exactly the documented meaning.
    pub(crate) fn matches(&self, filter: FilterType) -> bool {
        match filter {
            FilterType::Bad => self.is_bad(),
            FilterType::Positive => self.stars >= 4,
            FilterType::PendingCompromise => self.is_bad() && !self.settled(),
            FilterType::AwaitingReply => self.thread.is_none(),
            FilterType::Revised => self.revised_from_bad(),
            FilterType::All => true,
        }
    }
}

/// Every evaluation, looked up by id and listed per filter.
#[derive(Debug, Default)]
pub(crate) struct Store {
    records: Vec<Record>,
    by_id: HashMap<u64, u32>,
    bad: Vec<Key>,
    positive: Vec<Key>,
    pending: Vec<Key>,
    awaiting: Vec<Key>,
    revised: Vec<Key>,
    all: Vec<Key>,
}

impl Store {
    /// Indexes `records` (any order).
    pub(crate) fn new(records: Vec<Record>) -> Self {
        let mut store = Self::default();
        store.records.reserve(records.len());
        for record in records {
            let Ok(position) = u32::try_from(store.records.len()) else {
                break;
            };
            store.remember(&record, position);
            let key = (record.created(), position);
            for filter in FilterType::ALL {
                if record.matches(filter) {
                    store.keys_mut(filter).push(key);
                }
            }
            store.records.push(record);
        }
        for filter in FilterType::ALL {
            store.keys_mut(filter).sort_unstable();
        }
        store
    }

    fn remember(&mut self, record: &Record, position: u32) {
        if let Some(id) = record.id {
            self.by_id.insert(id, position);
        }
    }

    fn keys(&self, filter: FilterType) -> &Vec<Key> {
        match filter {
            FilterType::Bad => &self.bad,
            FilterType::Positive => &self.positive,
            FilterType::PendingCompromise => &self.pending,
            FilterType::AwaitingReply => &self.awaiting,
            FilterType::Revised => &self.revised,
            FilterType::All => &self.all,
        }
    }

    fn keys_mut(&mut self, filter: FilterType) -> &mut Vec<Key> {
        match filter {
            FilterType::Bad => &mut self.bad,
            FilterType::Positive => &mut self.positive,
            FilterType::PendingCompromise => &mut self.pending,
            FilterType::AwaitingReply => &mut self.awaiting,
            FilterType::Revised => &mut self.revised,
            FilterType::All => &mut self.all,
        }
    }

    /// How many evaluations there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Adds an evaluation and returns its position.
    pub(crate) fn insert(&mut self, record: Record) -> Option<u32> {
        let position = u32::try_from(self.records.len()).ok()?;
        self.remember(&record, position);
        let key = (record.created(), position);
        for filter in FilterType::ALL {
            if record.matches(filter) {
                insert_key(self.keys_mut(filter), key);
            }
        }
        self.records.push(record);
        Some(position)
    }

    /// The position of the evaluation `id`, if this mini program has it.
    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        self.by_id.get(&canonical(id)?).copied()
    }

    /// The evaluation at `position`.
    pub(crate) fn get(&self, position: u32) -> Option<&Record> {
        self.records.get(usize::try_from(position).ok()?)
    }

    /// Changes the evaluation at `position`, then moves it in or out of the filters whose
    /// membership changed. `createTime` must not change.
    pub(crate) fn update<R>(
        &mut self,
        position: u32,
        change: impl FnOnce(&mut Record) -> R,
    ) -> Option<R> {
        let record = self.records.get_mut(usize::try_from(position).ok()?)?;
        let key = (record.created(), position);
        let before = FilterType::ALL.map(|f| record.matches(f));
        let out = change(record);
        let after = FilterType::ALL.map(|f| record.matches(f));
        for ((filter, was), is) in FilterType::ALL.into_iter().zip(before).zip(after) {
            if was == is {
                continue;
            }
            let keys = self.keys_mut(filter);
            if is {
                insert_key(keys, key);
            } else if let Ok(at) = keys.binary_search(&key) {
                keys.remove(at);
            }
        }
        Some(out)
    }

    /// One page of a window, newest first, and how many evaluations the window holds.
    ///
    /// `start` and `end` are inclusive Unix seconds.
    pub(crate) fn page(
        &self,
        filter: FilterType,
        start: i64,
        end: i64,
        offset: u64,
        limit: usize,
    ) -> (usize, Vec<Arc<str>>) {
        let keys = self.keys(filter);
        let low = keys.partition_point(|k| k.0 < start);
        let high = keys.partition_point(|k| k.0 <= end);
        let total = high.saturating_sub(low);
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        if offset >= total {
            return (total, Vec::new());
        }
        let top = high.saturating_sub(offset);
        let bottom = top.saturating_sub(limit).max(low);
        let page = keys
            .get(bottom..top)
            .unwrap_or_default()
            .iter()
            .rev()
            .filter_map(|&(_, position)| self.get(position))
            .map(|record| Arc::clone(&record.json))
            .collect();
        (total, page)
    }

    /// Every evaluation, in position order.
    #[cfg(test)]
    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }
}

/// A comment id as the number it spells, if it spells one exactly (no sign, no leading zero).
fn canonical(id: &str) -> Option<u64> {
    if id.starts_with('0') || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

fn insert_key(keys: &mut Vec<Key>, key: Key) {
    // New evaluations are the newest: appending is the common case.
    if keys.last().is_none_or(|last| *last < key) {
        keys.push(key);
    } else if let Err(at) = keys.binary_search(&key) {
        keys.insert(at, key);
    }
}
