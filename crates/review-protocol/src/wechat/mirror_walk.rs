//! One chunk of a WeChat sync: the comments a mirror keeps, with the state the listing filters
//! tell and the list itself does not (settled or not, revised or not).

use std::collections::HashSet;
use std::mem;

use review_model::mirror::Observed;
use review_model::wechat::{CommentListPage, FilterType};

use super::{CommentPager, GetCommentList, ReviewStats, ReviewWalk};
use crate::{BuildError, MergeStats, Walk, Window};

/// What a [`MirrorWalk`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MirrorStats {
    /// Pages of the `pending-compromise` and `revised` listings.
    pub filter_pages: u64,
    /// Comments those listings named.
    pub filtered: u64,
    /// The review walk's own counts.
    pub reviews: ReviewStats,
}

#[derive(Debug, Clone)]
enum Step {
    /// Reading the ids one filter lists (`pending` holds the pending-compromise ids once read).
    Filter {
        filter: FilterType,
        pager: Box<CommentPager>,
        ids: HashSet<String>,
        pending: HashSet<String>,
    },
    Reviews {
        walk: Box<ReviewWalk<Observed>>,
        pending: HashSet<String>,
        revised: HashSet<String>,
    },
    Done,
}

/// Every comment of one window as an [`Observed`], each once: first the ids the
/// `pending-compromise` and `revised` filters list (bad reviews, few), then the window's
/// [`ReviewWalk`], whose items get [`ReviewState::pending_settlement`] and
/// [`ReviewState::revised`] from those ids. Memory: the two id sets and one review window.
///
/// [`ReviewState::pending_settlement`]: review_model::mirror::ReviewState::pending_settlement
/// [`ReviewState::revised`]: review_model::mirror::ReviewState::revised
///
/// ```
/// use jiff::Timestamp;
/// use review_protocol::Walk;
/// use review_protocol::wechat::MirrorWalk;
/// use review_model::wechat::FilterType;
///
/// let (since, until) = (Timestamp::from_second(1_699_999_000)?, Timestamp::from_second(1_700_000_000)?);
/// let walk = MirrorWalk::new(since, until, 100)?;
/// assert_eq!(walk.next_request().and_then(|r| r.filter), Some(FilterType::PendingCompromise));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MirrorWalk {
    window: Window,
    limit: u32,
    cap: u64,
    step: Step,
    stats: MirrorStats,
}

impl MirrorWalk {
    /// The comments of `[since, until]`, listed in pages of `limit`.
    pub fn new(
        since: jiff::Timestamp,
        until: jiff::Timestamp,
        limit: u32,
    ) -> Result<Self, BuildError> {
        GetCommentList::new(since, until).limit(limit).validate()?;
        let window = Window::covering(since, until);
        let mut walk = Self {
            window,
            limit,
            cap: super::WINDOW_CAP,
            step: Step::Done,
            stats: MirrorStats::default(),
        };
        walk.step = walk.filter(FilterType::PendingCompromise, HashSet::new())?;
        Ok(walk)
    }

    /// Halves review windows above `cap` comments instead of [`WINDOW_CAP`](super::WINDOW_CAP).
    #[must_use]
    pub fn window_cap(mut self, cap: u64) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// The window read.
    pub fn window(&self) -> Window {
        self.window
    }

    fn query(&self, filter: FilterType) -> GetCommentList {
        GetCommentList::new(self.window.start, self.window.end)
            .filter(filter)
            .limit(self.limit)
    }

    fn filter(&self, filter: FilterType, pending: HashSet<String>) -> Result<Step, BuildError> {
        Ok(Step::Filter {
            filter,
            pager: Box::new(CommentPager::new(self.query(filter))?),
            ids: HashSet::new(),
            pending,
        })
    }

    /// After both filters: the review walk, or the end if it cannot start.
    fn reviews(&self, pending: HashSet<String>, revised: HashSet<String>) -> Step {
        match ReviewWalk::<Observed>::of(self.query(FilterType::All)) {
            Ok(walk) => Step::Reviews {
                walk: Box::new(walk.window_cap(self.cap)),
                pending,
                revised,
            },
            Err(_) => Step::Done,
        }
    }
}

impl Walk for MirrorWalk {
    type Request = GetCommentList;
    type Page = CommentListPage;
    type Item = Observed;
    type Stats = MirrorStats;

    fn next_request(&self) -> Option<GetCommentList> {
        match &self.step {
            Step::Filter { pager, .. } => pager.next_request(),
            Step::Reviews { walk, .. } => walk.next_request(),
            Step::Done => None,
        }
    }

    fn feed(&mut self, page: CommentListPage) -> Vec<Observed> {
        match mem::replace(&mut self.step, Step::Done) {
            Step::Done => Vec::new(),
            Step::Filter {
                filter,
                mut pager,
                mut ids,
                pending,
            } => {
                self.stats.filter_pages = self.stats.filter_pages.saturating_add(1);
                let listed = pager.feed(page);
                self.stats.filtered = self
                    .stats
                    .filtered
                    .saturating_add(u64::try_from(listed.len()).unwrap_or(u64::MAX));
                ids.extend(listed.iter().map(|c| c.comment_id.to_string()));
                self.step = if !pager.is_done() {
                    Step::Filter {
                        filter,
                        pager,
                        ids,
                        pending,
                    }
                } else if filter == FilterType::PendingCompromise {
                    self.filter(FilterType::Revised, ids)
                        .unwrap_or_else(|_| Step::Done)
                } else {
                    self.reviews(pending, ids)
                };
                Vec::new()
            }
            Step::Reviews {
                mut walk,
                pending,
                revised,
            } => {
                let mut items = walk.feed(page);
                for item in &mut items {
                    item.state.pending_settlement = pending.contains(&item.review.id);
                    item.state.revised = revised.contains(&item.review.id);
                }
                self.stats.reviews = walk.stats().clone();
                if !walk.is_done() {
                    self.step = Step::Reviews {
                        walk,
                        pending,
                        revised,
                    };
                }
                items
            }
        }
    }

    fn stats(&self) -> &MirrorStats {
        &self.stats
    }

    fn upcoming(&self, max: usize) -> Vec<GetCommentList> {
        match &self.step {
            Step::Filter { pager, .. } => {
                let mut out = Vec::new();
                pager.predict(max, &mut out);
                out
            }
            Step::Reviews { walk, .. } => walk.upcoming(max),
            Step::Done => Vec::new(),
        }
    }

    fn accepts(&self, page: &CommentListPage) -> bool {
        match &self.step {
            Step::Filter { pager, .. } => pager.accepts(page),
            Step::Reviews { walk, .. } => walk.accepts(page),
            Step::Done => true,
        }
    }

    /// Once the filters are read: the review walk's last windows, with the same filter ids.
    fn split_off(&mut self) -> Option<Self> {
        let Step::Reviews {
            walk,
            pending,
            revised,
        } = &mut self.step
        else {
            return None;
        };
        let tail = walk.split_off()?;
        Some(Self {
            window: self.window,
            limit: self.limit,
            cap: self.cap,
            step: Step::Reviews {
                walk: Box::new(tail),
                pending: pending.clone(),
                revised: revised.clone(),
            },
            stats: MirrorStats::default(),
        })
    }
}

impl MergeStats for MirrorStats {
    fn merge(&mut self, other: &Self) {
        self.filter_pages = self.filter_pages.saturating_add(other.filter_pages);
        self.filtered = self.filtered.saturating_add(other.filtered);
        self.reviews.merge(&other.reviews);
    }
}
