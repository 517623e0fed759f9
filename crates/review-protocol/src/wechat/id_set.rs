//! Comment ids a walk remembers, kept small: a window's ids are held while it is read (the
//! pager's duplicates, the awaiting-reply join), up to 5,000 of them in each lane of a
//! concurrent walk, so their size is most of a walk's memory.

use std::collections::HashSet;

use review_model::CommentId;

/// A set of comment ids. WeChat's are decimal numbers of up to 19 digits, held as `u64`s
/// (8 bytes, where a `String` costs some 60 with its allocation); any other id, including
/// one with a leading zero (so that `"07"` and `"7"` stay apart), is held as written.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSet {
    numbers: HashSet<u64>,
    others: HashSet<String>,
}

/// The number an id is, when writing that number gives the id back.
fn number(id: &str) -> Option<u64> {
    let canonical = id == "0" || (!id.starts_with('0') && !id.is_empty());
    if !canonical || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

impl IdSet {
    /// Adds `id`; whether it was new.
    pub(crate) fn insert(&mut self, id: &CommentId) -> bool {
        match number(id.as_str()) {
            Some(n) => self.numbers.insert(n),
            None => self.others.insert(id.as_str().to_owned()),
        }
    }

    /// Whether `id` is in the set.
    pub(crate) fn contains(&self, id: &CommentId) -> bool {
        match number(id.as_str()) {
            Some(n) => self.numbers.contains(&n),
            None => self.others.contains(id.as_str()),
        }
    }

    /// How many ids.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len().saturating_add(self.others.len())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The set answers as a set of the strings would, for numbers, padded numbers,
        /// numbers past u64 and anything else.
        #[test]
        fn behaves_as_a_set_of_strings(ids in proptest::collection::vec(
            prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                (0_u64..50).prop_map(|n| n.to_string()),
                (0_u64..50).prop_map(|n| format!("0{n}")),
                Just("18446744073709551616".to_owned()),
                "[0-9a-z]{0,4}",
            ],
            0..60,
        )) {
            let mut set = IdSet::default();
            let mut reference = HashSet::new();
            for id in &ids {
                let id = CommentId::new(id.as_str());
                prop_assert_eq!(set.insert(&id), reference.insert(id.as_str().to_owned()));
            }
            prop_assert_eq!(set.len(), reference.len());
            for id in &ids {
                prop_assert!(set.contains(&CommentId::new(id.as_str())));
            }
            prop_assert!(!set.contains(&CommentId::new("not-in-the-set")) || reference.contains("not-in-the-set"));
        }
    }
}
