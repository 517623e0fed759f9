//! The rates, indexed so that a page costs two binary searches and a copy of the page.
//!
//! One list per (`rate_type`, `role`, `result` or any), each sorted newest first (ties by
//! `oid`, descending, so the order is total and the same every run). A query window is the
//! slice between two binary searches on the `created` second; the filters that have no list
//! of their own (`tid`, `num_iid`, `ouid`) scan that slice only.
//!
//! Each rate is encoded once, here, from the model's `TradeRate`: a page is then a copy of
//! ready JSON, not a clone and an encoding of every rate on every request.

use std::collections::HashMap;

use review_model::taobao::{RateResult, RateType, Role, TradeRate, WINDOW_CAP};

use super::data::Generated;

/// The most rates one query window yields, as a length.
const CAP: usize = WINDOW_CAP as usize;

/// Which list a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ListKey {
    pub(crate) rate_type: RateType,
    pub(crate) role: Role,
    /// `None`: every result.
    pub(crate) result: Option<RateResult>,
}

/// A rate's place in a list: its `created` second (for the binary search) and where it is.
#[derive(Debug, Clone, Copy)]
struct Entry {
    second: i64,
    index: u32,
}

/// A stored rate: the fields the filters read, and its JSON.
struct Stored {
    tid: u64,
    oid: u64,
    num_iid: Option<u64>,
    ouid: Option<Box<str>>,
    /// The model's encoding of the rate.
    json: Box<str>,
}

impl Stored {
    fn json(&self) -> &str {
        &self.json
    }
}

/// The filters that scan the window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    /// A parent or a child order id: matches `tid` or `oid`, as the document says.
    pub(crate) tid: Option<u64>,
    pub(crate) num_iid: Option<u64>,
    pub(crate) ouid: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.tid.is_none() && self.num_iid.is_none() && self.ouid.is_none()
    }

    fn accepts(&self, rate: &Stored) -> bool {
        self.tid.is_none_or(|id| rate.tid == id || rate.oid == id)
            && self.num_iid.is_none_or(|id| rate.num_iid == Some(id))
            && self
                .ouid
                .as_deref()
                .is_none_or(|ouid| rate.ouid.as_deref() == Some(ouid))
    }
}

/// A query window in whole seconds, both ends inclusive; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) start: Option<i64>,
    pub(crate) end: Option<i64>,
}

/// The page asked for: `page_no` from 1, `page_size` from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageAt {
    pub(crate) page_no: u32,
    pub(crate) page_size: u32,
}

/// One page of a window, borrowed from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    /// `min(matching, 1500)`: what `total_results` reports, and how far paging reaches.
    pub(crate) reachable: usize,
    /// The page's rates, newest first, each as the model encodes it.
    pub(crate) rates: Vec<&'a str>,
    /// Whether a later page holds reachable rates.
    pub(crate) has_next: bool,
}

/// Every rate of the shop, with its lists.
pub(crate) struct Store {
    rates: Vec<Stored>,
    lists: HashMap<ListKey, Vec<Entry>>,
}

impl Store {
    /// Encodes and indexes the generated rates.
    pub(crate) fn new(generated: Vec<Generated>) -> Self {
        let mut rates = Vec::with_capacity(generated.len());
        let mut lists: HashMap<ListKey, Vec<Entry>> = HashMap::new();
        for Generated { rate_type, rate } in generated {
            let Ok(index) = u32::try_from(rates.len()) else {
                break;
            };
            let Some(stored) = stored(&rate) else {
                continue;
            };
            let entry = Entry {
                second: rate.created.as_second(),
                index,
            };
            for result in [None, Some(rate.result)] {
                let key = ListKey {
                    rate_type,
                    role: rate.role,
                    result,
                };
                lists.entry(key).or_default().push(entry);
            }
            rates.push(stored);
        }
        for list in lists.values_mut() {
            list.sort_unstable_by_key(|e| {
                let oid = rates.get(e.index as usize).map_or(0, |r| r.oid);
                (std::cmp::Reverse(e.second), std::cmp::Reverse(oid))
            });
        }
        Self { rates, lists }
    }

    /// The list's entries inside `range`, newest first.
    fn window(&self, key: ListKey, range: Range) -> &[Entry] {
        let Some(list) = self.lists.get(&key) else {
            return &[];
        };
        // Newest first: entries newer than `end` come first, entries older than `start` last.
        let from = range
            .end
            .map_or(0, |end| list.partition_point(|e| e.second > end));
        let to = range.start.map_or(list.len(), |start| {
            list.partition_point(|e| e.second >= start)
        });
        list.get(from..to.max(from)).unwrap_or_default()
    }

    fn rates_of<'a>(&'a self, entries: &'a [Entry]) -> impl Iterator<Item = &'a Stored> + 'a {
        entries
            .iter()
            .filter_map(|e| self.rates.get(e.index as usize))
    }

    /// The page of the window: the first 1500 matching rates are reachable, the rest are not
    /// (a page reaching past the 1500th returns up to it; pages beyond are empty).
    pub(crate) fn search(
        &self,
        key: ListKey,
        range: Range,
        filter: &Filter,
        at: PageAt,
    ) -> Found<'_> {
        let window = self.window(key, range);
        let matching = if filter.is_empty() {
            window.len()
        } else {
            self.rates_of(window).filter(|r| filter.accepts(r)).count()
        };
        let reachable = matching.min(CAP);
        let size = at.page_size as usize;
        let from = (at.page_no.saturating_sub(1) as usize)
            .saturating_mul(size)
            .min(reachable);
        let to = from.saturating_add(size).min(reachable);
        let rates = if filter.is_empty() {
            let page = window.get(from..to).unwrap_or_default();
            self.rates_of(page).map(Stored::json).collect()
        } else {
            self.rates_of(window)
                .filter(|r| filter.accepts(r))
                .skip(from)
                .take(to - from)
                .map(Stored::json)
                .collect()
        };
        Found {
            reachable,
            rates,
            has_next: to < reachable,
        }
    }
}

/// A rate ready to serve, or `None` (logged) if the model cannot encode it.
fn stored(rate: &TradeRate) -> Option<Stored> {
    match serde_json::to_string(rate) {
        Ok(json) => Some(Stored {
            tid: rate.tid.0,
            oid: rate.oid.0,
            num_iid: rate.num_iid,
            ouid: rate.ouid.as_deref().map(Box::from),
            json: json.into_boxed_str(),
        }),
        Err(err) => {
            tracing::error!(%err, "cannot encode a generated rate; left out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use jiff::Timestamp;
    use review_model::taobao::{Oid, Tid};

    use super::*;

    fn rate(second: i64, oid: u64, result: RateResult) -> Generated {
        let rate: TradeRate = serde_json::from_value(serde_json::json!({
            "tid": oid, "oid": oid, "role": "buyer", "result": result.as_str(),
            "created": review_model::taobao::format_time(Timestamp::from_second(second).unwrap()),
            "num_iid": oid % 3, "ouid": format!("AA{}", oid % 2),
        }))
        .unwrap();
        Generated {
            rate_type: RateType::Get,
            rate,
        }
    }

    fn decode(found: &Found<'_>) -> Vec<TradeRate> {
        found
            .rates
            .iter()
            .map(|json| serde_json::from_str(json).unwrap())
            .collect()
    }

    fn store(n: u64) -> Store {
        Store::new(
            (0..n)
                .map(|i| rate(1_000 + (i as i64) / 2, i + 1, RateResult::Good))
                .collect(),
        )
    }

    const ALL: ListKey = ListKey {
        rate_type: RateType::Get,
        role: Role::Buyer,
        result: None,
    };

    const EVERYTHING: Range = Range {
        start: None,
        end: None,
    };

    fn page(page_no: u32, page_size: u32) -> PageAt {
        PageAt { page_no, page_size }
    }

    #[test]
    fn newest_first_with_ties_by_oid() {
        let store = store(4);
        let found = store.search(ALL, EVERYTHING, &Filter::default(), page(1, 10));
        let oids: Vec<u64> = decode(&found).iter().map(|r| r.oid.0).collect();
        assert_eq!(oids, [4, 3, 2, 1]);
        assert_eq!((found.reachable, found.has_next), (4, false));
    }

    #[test]
    fn windows_are_inclusive_at_both_ends() {
        let store = store(10); // seconds 1000..=1004, two each
        let range = Range {
            start: Some(1001),
            end: Some(1003),
        };
        let found = store.search(ALL, range, &Filter::default(), page(1, 10));
        assert_eq!(found.reachable, 6);
        let only_start = Range {
            start: Some(1004),
            end: None,
        };
        assert_eq!(
            store
                .search(ALL, only_start, &Filter::default(), page(1, 10))
                .reachable,
            2
        );
        let only_end = Range {
            start: None,
            end: Some(1000),
        };
        assert_eq!(
            store
                .search(ALL, only_end, &Filter::default(), page(1, 10))
                .reachable,
            2
        );
        let empty = Range {
            start: Some(1003),
            end: Some(1002),
        };
        assert_eq!(
            store
                .search(ALL, empty, &Filter::default(), page(1, 10))
                .reachable,
            0
        );
    }

    #[test]
    fn only_the_first_1500_are_reachable() {
        let store = store(2000);
        let found = store.search(ALL, EVERYTHING, &Filter::default(), page(1, 1));
        assert_eq!(found.reachable, 1500);
        let last = store.search(ALL, EVERYTHING, &Filter::default(), page(15, 101));
        assert_eq!((last.rates.len(), last.has_next), (86, false));
        assert!(
            store
                .search(ALL, EVERYTHING, &Filter::default(), page(16, 101))
                .rates
                .is_empty()
        );
        let filter = Filter {
            ouid: Some("AA1".to_owned()),
            ..Filter::default()
        };
        let odd = store.search(ALL, EVERYTHING, &filter, page(10, 100));
        assert_eq!(
            (odd.reachable, odd.rates.len(), odd.has_next),
            (1000, 100, false)
        );
        assert!(decode(&odd).iter().all(|r| r.oid.0 % 2 == 1));
    }

    #[test]
    fn tid_matches_parent_or_child_orders() {
        let mut child = rate(5, 77, RateResult::Bad);
        child.rate.tid = Tid(70);
        child.rate.oid = Oid(77);
        let store = Store::new(vec![child, rate(6, 70, RateResult::Good)]);
        let by = |tid| Filter {
            tid: Some(tid),
            ..Filter::default()
        };
        assert_eq!(
            store.search(ALL, EVERYTHING, &by(70), page(1, 5)).reachable,
            2
        );
        assert_eq!(
            store.search(ALL, EVERYTHING, &by(77), page(1, 5)).reachable,
            1
        );
        let bad = ListKey {
            result: Some(RateResult::Bad),
            ..ALL
        };
        assert_eq!(
            store.search(bad, EVERYTHING, &by(70), page(1, 5)).reachable,
            1
        );
    }
}
