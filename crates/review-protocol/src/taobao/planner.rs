//! Every trade rate of a time range, under Taobao's 1500-record window cap, as a sans-IO state
//! machine.
//!
//! Taobao answers one query window with at most 1500 rates (`total_results` stops at 1500 too)
//! and keeps only the last 180 days. A shop with more rates than that in a range loses the rest
//! silently unless the range is cut into windows that each hold fewer. [`WindowPlanner`] decides
//! where to cut, which request to send next and which rates are new; the caller owns the socket.
//!
//! # The algorithm
//!
//! 1. **Clamp.** The requested range `[since, until]` is read at second resolution (both ends
//!    inclusive, sub-seconds dropped as [`format_time`](review_model::taobao::format_time) drops
//!    them) and cut to what Taobao serves: from the first whole second not older than
//!    [`oldest(now)`](super::oldest) to `now`. The endpoint refuses a window reaching past 180
//!    days, because a single request that silently returns less is a bug; the planner clamps
//!    instead, because "everything you still have" is what a caller of a range means. The clamp
//!    is reported in [`PlanStats`], so a CLI can say "Taobao keeps 180 days; reading from X". A
//!    range entirely outside leaves nothing to read: the planner is done at once and says so.
//! 2. **Count.** Each window is probed with `use_has_next=false`, `page_no=1`, `page_size=1`,
//!    and its `total_results` is read. A count of 1500 or more means the window may hold more
//!    than Taobao returns, so it is bisected at second resolution into `[a, m]` and
//!    `[m + 1s, b]` (adjacent windows never share a second) and each half is counted. A
//!    one-second window cannot be cut: it is reported as [`Truncated`] with its count and still
//!    read, because 1500 rates are better than none, and never dropped silently. A window
//!    counting 0 needs no paging. The probe's one rate is ignored: it comes again with the pages.
//! 3. **Page.** A window counting under the cap is read with a [`TradeRatePager`]
//!    (`use_has_next=true`). Two limits of the gateway can hide rates a window holds: it serves
//!    at most 200 pages, and nothing past the 1500th rate of a window, which a gateway may
//!    enforce by answering a page reaching past it (`page_no × page_size > 1500`) with nothing
//!    at all. So when the requested page size cannot reach a window's count within 200 pages
//!    with the last page ending by the 1500th rate (1499 rates in pages of 40 need a page
//!    ending at 1520), the window is read with the smallest larger page size that can (50
//!    here; 150 always can): bigger pages, never a lost rate.
//!
//! Windows are processed depth first, oldest first: a window is read as soon as its count
//! allows, before any newer window is counted. The final windows therefore come in
//! chronological order, rates flow from the first requests, memory holds one pending window per
//! level of bisection, and the rates nearest to the 180-day edge are read first, before they
//! age out. Within a window the order is the gateway's.
//!
//! # Guarantees
//!
//! - Every request passes [`SearchTradeRates::validate`] at the planner's `now`, with
//!   `start_date <= end_date`, and never reaches past 180 days.
//! - The final windows ([`PlanStats::windows`]) are adjacent, do not overlap and cover the
//!   clamped range with no gap.
//! - Against a store that does not change, every rate of the clamped range is delivered exactly
//!   once, except in a one-second window holding 1500 or more, where Taobao's 1500 are delivered
//!   and the truncation is reported with its count.
//! - Rates are de-duplicated by (`tid`, `oid`, `role`) over the whole run, so a rate that moves
//!   between windows while the walk runs is never delivered twice. A rate written into a window
//!   already read is not seen: start a new run to pick it up.
//!
//! # Retries and time
//!
//! [`next_request`](WindowPlanner::next_request) returns the same request until
//! [`feed`](WindowPlanner::feed) is called, so a driver retries a failed request by asking again;
//! nothing needs reporting. A long walk outlives its `now`: the 180-day edge moves with the
//! clock, and a request signed later would be refused for reaching past it. Before signing with
//! a later time, call [`advance`](WindowPlanner::advance): unread windows that slid out of the
//! 180 days are cut (and the cut reported), so the next request passes at the new time.
//!
//! # How many requests
//!
//! Let `N` be the rates in the clamped range, `p` the page size, `S` the windows split and `F`
//! the final windows paged. Every window is probed once: `1 + 2S` probes. A window counting `c`
//! is read in `⌊c/p⌋ + 1` pages at most (`⌈c/p⌉ + 1` if the gateway says `has_next` after an
//! exactly full last page), and the counts add up to at most `N`. So
//!
//! ```text
//! requests ≤ N/p + 2F + 2S + 1 ≤ N/p + 4S + 3        (F ≤ S + 1)
//! ```
//!
//! and with an exact `has_next`, `requests ≤ ⌊N/p⌋ + F + 2S + 1`. Splits are bounded too: the
//! windows split at one depth of the bisection are disjoint and each holds 1500 or more, and a
//! 180-day range is down to one second after 24 halvings, so `S ≤ 24 · N / 1500`.
//!
//! # Example
//!
//! ```
//! use jiff::{SignedDuration, Timestamp};
//! use review_model::taobao::{TradeRate, TradeRatePage, WINDOW_CAP};
//! use review_protocol::taobao::{SearchTradeRates, WindowPlanner};
//!
//! // A tiny in-memory store: 4000 rates, one a minute, answering like the gateway.
//! let now = Timestamp::from_second(1_700_000_000)?;
//! let rates: Vec<TradeRate> = (0..4000_u64)
//!     .map(|i| {
//!         let created = now - SignedDuration::from_mins(i64::try_from(i).unwrap());
//!         serde_json::from_value(serde_json::json!({
//!             "tid": i, "oid": i, "role": "buyer", "result": "good",
//!             "created": review_model::taobao::format_time(created),
//!         }))
//!     })
//!     .collect::<Result<_, _>>()?;
//! let serve = |query: &SearchTradeRates| -> TradeRatePage {
//!     let (start, end) = (query.start_date.unwrap(), query.end_date.unwrap());
//!     let window: Vec<&TradeRate> =
//!         rates.iter().filter(|r| (start..=end).contains(&r.created)).collect();
//!     let visible = window.len().min(WINDOW_CAP as usize);
//!     let size = query.page_size.unwrap() as usize;
//!     let from = ((query.page_no.unwrap() as usize - 1) * size).min(visible);
//!     let to = (from + size).min(visible);
//!     let has_next = query.use_has_next == Some(true);
//!     TradeRatePage {
//!         total_results: (!has_next).then_some(visible as u64),
//!         has_next: has_next.then_some(to < visible),
//!         rates: window[from..to].iter().map(|r| (*r).clone()).collect(),
//!         ..TradeRatePage::default()
//!     }
//! };
//!
//! let since = now - SignedDuration::from_hours(24 * 7);
//! let mut planner =
//!     WindowPlanner::new(SearchTradeRates::received("shop"), since, now, now, 150)?;
//! let mut delivered = 0;
//! while let Some(request) = planner.next_request() {
//!     request.validate(now)?; // a driver sends `request.request(&ctx)?` here
//!     delivered += planner.feed(serve(&request)).len();
//! }
//! assert_eq!(delivered, 4000);
//! let stats = planner.stats();
//! assert!(stats.splits >= 2 && stats.truncated.is_empty());
//! assert_eq!(stats.delivered, 4000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::mem;

use jiff::Timestamp;
use review_model::taobao::{self, Oid, Role, Tid, TradeRate, TradeRatePage, WINDOW_CAP};

use super::trade_rates::{MAX_PAGE_NO, MAX_PAGE_SIZE, oldest};
use super::{SearchTradeRates, TradeRatePager};
use crate::window::{Window, at_second, ceil_second, floor_second};
use crate::{BuildError, MergeStats, Walk};

/// A one-second window that still counts 1500 or more: Taobao cannot be asked for the rest.
///
/// It is read anyway (Taobao's 1500 are delivered); this record is how the loss is made known
/// instead of silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated {
    /// The second.
    pub window: Window,
    /// Its `total_results`, which Taobao caps at 1500: the second holds at least this many.
    pub count: u64,
}

/// A window the planner stopped cutting: read as it is, or known to be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedWindow {
    /// The window.
    pub window: Window,
    /// Its `total_results`; `None` when the gateway sent none, in which case the window is read
    /// to its end by `has_next` with nothing known of the cap.
    pub count: Option<u64>,
    /// The page size it is read with (raised above the requested one when the gateway's page
    /// limits would hide some of its rates); `None` when it counted 0 and needs no page.
    pub page_size: Option<u32>,
}

/// What a run did, for progress lines, logs and a CLI's warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanStats {
    /// The range asked for, at second resolution.
    pub requested: Window,
    /// The part of it Taobao serves, which is what is read; `None` when nothing is left.
    pub range: Option<Window>,
    /// The start the 180-day limit moved the range to, when it did.
    pub clamped_start: Option<Timestamp>,
    /// The end `now` moved the range to, when the range reached into the future.
    pub clamped_end: Option<Timestamp>,
    /// When [`advance`](WindowPlanner::advance) cut unread windows to start here, because the
    /// 180-day edge moved past them during the run.
    pub expired_until: Option<Timestamp>,
    /// Count probes fed.
    pub probes: u64,
    /// Pages fed.
    pub pages: u64,
    /// Windows bisected because they reached the cap.
    pub splits: u64,
    /// The final windows, in chronological order.
    pub windows: Vec<PlannedWindow>,
    /// One-second windows that reached the cap.
    pub truncated: Vec<Truncated>,
    /// Windows whose paging stopped at page 200 with `has_next` still true; only possible when
    /// a window grew past its count while it was read.
    pub page_limit_hits: Vec<Window>,
    /// Rates delivered.
    pub delivered: u64,
    /// Rates received again and dropped.
    pub duplicates: u64,
}

impl PlanStats {
    /// Requests fed in all, for request budgets.
    pub fn requests(&self) -> u64 {
        self.probes.saturating_add(self.pages)
    }
}

/// What the planner waits for.
#[derive(Debug, Clone)]
enum Step {
    /// The count of this window.
    Probe(Window),
    /// The next page of this window.
    Page {
        window: Window,
        pager: TradeRatePager,
    },
    /// Nothing: the run is over.
    Done,
}

/// Reads every trade rate of a range once, splitting it into windows under Taobao's cap.
///
/// Holds the decisions only: which window to count, where to cut, which page next, which
/// rates are new; the caller sends the requests. The range is clamped to the 180 days Taobao
/// keeps (reported in [`PlanStats`]). Each window is counted with a one-rate probe and bisected
/// at second resolution while it reaches the 1500 cap, then read by `has_next`, oldest window
/// first. Against a store that does not change, every rate is delivered exactly once, except in
/// a single second holding 1500 or more, which is read as far as Taobao serves and reported as
/// [`Truncated`]. Rates are de-duplicated by (`tid`, `oid`, `role`) over the whole run.
///
/// Every request passes [`SearchTradeRates::validate`] at [`now`](Self::now);
/// [`next_request`](Self::next_request) gives the same request until fed, so a failed request
/// is retried by asking again; [`advance`](Self::advance) moves `now` for a long walk. With `N`
/// rates in the range, page size `p`, `S` windows split and `F` windows paged, a run sends at
/// most `N/p + 2F + 2S + 1 ≤ N/p + 4S + 3` requests, and `S ≤ 24 · N / 1500` over 180 days.
///
/// ```
/// # use review_model::taobao::TradeRatePage;
/// use jiff::{SignedDuration, Timestamp};
/// use review_protocol::taobao::{SearchTradeRates, WindowPlanner};
/// # let fetch = |_: &SearchTradeRates| Ok::<_, review_protocol::Error>(TradeRatePage::default());
/// let now = Timestamp::from_second(1_700_000_000)?;
/// let since = now - SignedDuration::from_hours(24 * 365);
/// let mut planner =
///     WindowPlanner::new(SearchTradeRates::received("shop"), since, now, now, 100)?;
/// if let Some(start) = planner.stats().clamped_start {
///     println!("Taobao keeps 180 days; reading from {start}");
/// }
/// while let Some(request) = planner.next_request() {
///     // Send `request.request(&ctx)?`, then `request.parse(response)?`.
///     let page = fetch(&request)?;
///     for rate in planner.feed(page) {
///         println!("{}", rate.key());
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct WindowPlanner {
    /// The filters, with the window and paging fields cleared.
    base: SearchTradeRates,
    /// The time the 180 days are counted from.
    now: Timestamp,
    /// The requested page size.
    page_size: u32,
    /// Windows still to count, the oldest last (a stack).
    pending: Vec<Window>,
    /// What the next request asks.
    step: Step,
    /// Every rate delivered, by (`tid`, `oid`, `role`).
    seen: HashSet<(Tid, Oid, Role)>,
    /// The run so far.
    stats: PlanStats,
}

impl WindowPlanner {
    /// Plans a run over `[since, until]` at `now`, refusing what no request could be built
    /// from, so a driver learns of a bad range before sending anything.
    ///
    /// `base` gives the seller, `rate_type`, `role` and the optional filters (`result`,
    /// `num_iid`, `tid`, `ouid`); its window and paging fields are ignored, since the planner
    /// sets them on every request. `page_size` (1..=150) is for reading the final windows; the
    /// counts use pages of one.
    pub fn new(
        base: SearchTradeRates,
        since: Timestamp,
        until: Timestamp,
        now: Timestamp,
        page_size: u32,
    ) -> Result<Self, BuildError> {
        let base = SearchTradeRates {
            page_no: None,
            page_size: None,
            start_date: None,
            end_date: None,
            use_has_next: None,
            ..base
        };
        base.validate(now)?;
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(BuildError::new(
                "page_size",
                format!("{page_size} is outside 1..={MAX_PAGE_SIZE}"),
            ));
        }
        let (first, last) = (floor_second(since), floor_second(until));
        if first > last {
            return Err(BuildError::new(
                "start_date",
                format!(
                    "the range starts ({}) after it ends ({})",
                    taobao::format_time(since),
                    taobao::format_time(until)
                ),
            ));
        }

        let served_from = ceil_second(oldest(now));
        let served_to = floor_second(now);
        let start = first.max(served_from);
        let end = last.min(served_to);
        let range = (start <= end).then(|| Window::from_seconds(start, end));
        let stats = PlanStats {
            clamped_start: (start > first).then(|| at_second(start)),
            clamped_end: (end < last).then(|| at_second(end)),
            ..PlanStats::empty(Window::from_seconds(first, last), range)
        };
        Ok(Self {
            base,
            now,
            page_size,
            pending: Vec::new(),
            step: range.map_or(Step::Done, Step::Probe),
            seen: HashSet::new(),
            stats,
        })
    }

    /// The endpoint to send next, a count probe or a page; `None` when the run is over.
    ///
    /// Asking twice without feeding gives the same request, so a driver retries a failed
    /// request by asking again.
    #[must_use]
    pub fn next_request(&self) -> Option<SearchTradeRates> {
        match &self.step {
            Step::Probe(window) => Some(self.probe(*window)),
            Step::Page { pager, .. } => pager.next_request(),
            Step::Done => None,
        }
    }

    /// Takes the answer to [`next_request`](Self::next_request) and returns the rates not
    /// delivered before, in the page's order (none for a count probe).
    ///
    /// Feeding a finished planner changes nothing and returns nothing.
    #[must_use = "the new rates are returned only once"]
    pub fn feed(&mut self, page: TradeRatePage) -> Vec<TradeRate> {
        match mem::replace(&mut self.step, Step::Done) {
            Step::Done => Vec::new(),
            Step::Probe(window) => {
                self.stats.probes = self.stats.probes.saturating_add(1);
                self.counted(window, &page);
                Vec::new()
            }
            Step::Page { window, mut pager } => {
                self.stats.pages = self.stats.pages.saturating_add(1);
                let rates = pager.feed(page);
                let received = rates.len();
                let fresh: Vec<TradeRate> = rates
                    .into_iter()
                    .filter(|rate| self.seen.insert((rate.tid, rate.oid, rate.role)))
                    .collect();
                let dropped = received.saturating_sub(fresh.len());
                self.stats.delivered = self.stats.delivered.saturating_add(count(fresh.len()));
                self.stats.duplicates = self.stats.duplicates.saturating_add(count(dropped));
                if pager.is_done() {
                    if pager.hit_page_limit() {
                        self.stats.page_limit_hits.push(window);
                    }
                    self.next_window();
                } else {
                    self.step = Step::Page { window, pager };
                }
                fresh
            }
        }
    }

    /// Moves the planner's `now` forward, so the next request passes at a later signing time.
    ///
    /// The 180-day edge moves with the clock: unread windows (and the one being read) are cut
    /// to start at the new edge, those wholly behind it are dropped, and the cut is reported in
    /// [`PlanStats::expired_until`]. A window being read whose start moves is read again from
    /// its first page; the rates already delivered are filtered out. The end of the range stays
    /// where it was: rates written since are for the next run. A `now` not later than the
    /// current one changes nothing.
    pub fn advance(&mut self, now: Timestamp) {
        if now <= self.now {
            return;
        }
        self.now = now;
        let edge = ceil_second(oldest(now));
        let edge_time = at_second(edge);
        let mut cut = false;

        let before = self.pending.len();
        self.pending.retain(|w| w.end.as_second() >= edge);
        cut |= self.pending.len() != before;
        for window in &mut self.pending {
            if window.start.as_second() < edge {
                window.start = edge_time;
                cut = true;
            }
        }

        match mem::replace(&mut self.step, Step::Done) {
            Step::Done => {}
            Step::Probe(window) => {
                if window.end.as_second() < edge {
                    cut = true;
                    self.next_window();
                } else if window.start.as_second() < edge {
                    cut = true;
                    self.step = Step::Probe(Window {
                        start: edge_time,
                        end: window.end,
                    });
                } else {
                    self.step = Step::Probe(window);
                }
            }
            Step::Page { window, pager } => {
                if window.end.as_second() < edge {
                    cut = true;
                    self.next_window();
                } else if window.start.as_second() < edge {
                    cut = true;
                    let moved = Window {
                        start: edge_time,
                        end: window.end,
                    };
                    if let Some(planned) = self.stats.windows.last_mut() {
                        planned.window = moved;
                    }
                    let size = self
                        .stats
                        .windows
                        .last()
                        .and_then(|planned| planned.page_size)
                        .unwrap_or(self.page_size);
                    self.page(moved, size);
                } else {
                    self.step = Step::Page { window, pager };
                }
            }
        }
        if cut {
            self.stats.expired_until = Some(edge_time);
        }
    }

    /// Whether the run is over: no request follows.
    pub fn is_done(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    /// The time the 180 days are counted from: sign requests at this time, or
    /// [`advance`](Self::advance) it first.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The run so far; final once [`is_done`](Self::is_done).
    pub fn stats(&self) -> &PlanStats {
        &self.stats
    }

    /// Decides on a counted window: split it, read it, or skip it.
    fn counted(&mut self, window: Window, page: &TradeRatePage) {
        let Some(total) = page.total_results else {
            // No count to go by: read to the end of `has_next`.
            self.plan(window, None, Some(self.page_size));
            self.page(window, self.page_size);
            return;
        };
        if total == 0 {
            self.plan(window, Some(0), None);
            self.next_window();
            return;
        }
        if total >= WINDOW_CAP
            && let Some((older, newer)) = window.halves()
        {
            self.stats.splits = self.stats.splits.saturating_add(1);
            self.pending.push(newer);
            self.step = Step::Probe(older);
            return;
        }
        if total >= WINDOW_CAP {
            self.stats.truncated.push(Truncated {
                window,
                count: total,
            });
        }
        let size = self.size_for(total.min(WINDOW_CAP));
        self.plan(window, Some(total), Some(size));
        self.page(window, size);
    }

    /// The page size, not below the requested one, whose pages reach `count` rates within the
    /// gateway's 200 pages without the last page reaching past the 1500th rate.
    fn size_for(&self, count: u64) -> u32 {
        let fits = |size: u32| {
            let pages = count.div_ceil(u64::from(size));
            pages <= u64::from(MAX_PAGE_NO) && pages.saturating_mul(u64::from(size)) <= WINDOW_CAP
        };
        // 150 always fits a count up to 1500: ten pages end exactly at the 1500th rate.
        (self.page_size..=MAX_PAGE_SIZE)
            .find(|&size| fits(size))
            .unwrap_or(MAX_PAGE_SIZE)
    }

    fn plan(&mut self, window: Window, count: Option<u64>, page_size: Option<u32>) {
        self.stats.windows.push(PlannedWindow {
            window,
            count,
            page_size,
        });
    }

    /// Starts reading `window` from its first page.
    fn page(&mut self, window: Window, size: u32) {
        let query = self.base.clone().window(window.start, window.end);
        match TradeRatePager::new(query, size) {
            Ok(pager) => self.step = Step::Page { window, pager },
            // Unreachable: `size` is within 1..=150 by construction.
            Err(_) => self.next_window(),
        }
    }

    /// The one-rate count of `window`.
    fn probe(&self, window: Window) -> SearchTradeRates {
        let mut query = self
            .base
            .clone()
            .window(window.start, window.end)
            .page(1, 1);
        query.use_has_next = Some(false);
        query
    }

    /// Counts the next pending window, or ends the run.
    fn next_window(&mut self) {
        self.step = self.pending.pop().map_or(Step::Done, Step::Probe);
    }
}

impl Walk for WindowPlanner {
    type Request = SearchTradeRates;
    type Page = TradeRatePage;
    type Item = TradeRate;
    type Stats = PlanStats;

    fn next_request(&self) -> Option<SearchTradeRates> {
        WindowPlanner::next_request(self)
    }

    fn feed(&mut self, page: TradeRatePage) -> Vec<TradeRate> {
        WindowPlanner::feed(self, page)
    }

    fn advance(&mut self, now: Timestamp) {
        WindowPlanner::advance(self, now);
    }

    fn stats(&self) -> &PlanStats {
        WindowPlanner::stats(self)
    }

    /// A window's pages follow its count; the next window's probe follows its last page.
    fn upcoming(&self, max: usize) -> Vec<SearchTradeRates> {
        let mut out = Vec::new();
        let ends = match &self.step {
            Step::Probe(_) => {
                out.extend(self.next_request());
                false
            }
            Step::Page { pager, .. } => {
                let count = self.stats.windows.last().and_then(|planned| planned.count);
                pager.predict(count, max, &mut out)
            }
            Step::Done => false,
        };
        if ends
            && out.len() < max
            && let Some(next) = self.pending.last()
        {
            out.push(self.probe(*next));
        }
        out
    }

    /// The newest pending window, as a planner of its own at the same `now`.
    fn split_off(&mut self) -> Option<Self> {
        if self.pending.is_empty() {
            return None;
        }
        let window = self.pending.remove(0);
        Some(Self {
            base: self.base.clone(),
            now: self.now,
            page_size: self.page_size,
            pending: Vec::new(),
            step: Step::Probe(window),
            seen: HashSet::new(),
            stats: PlanStats::empty(window, Some(window)),
        })
    }
}

impl PlanStats {
    /// The report of a run asked for `requested`, reading `range`, before anything is read.
    fn empty(requested: Window, range: Option<Window>) -> Self {
        Self {
            requested,
            range,
            clamped_start: None,
            clamped_end: None,
            expired_until: None,
            probes: 0,
            pages: 0,
            splits: 0,
            windows: Vec::new(),
            truncated: Vec::new(),
            page_limit_hits: Vec::new(),
            delivered: 0,
            duplicates: 0,
        }
    }
}

impl MergeStats for PlanStats {
    /// The ranges joined, the clamps kept, the counts added, the windows in time order.
    fn merge(&mut self, other: &Self) {
        self.requested = Window {
            start: self.requested.start.min(other.requested.start),
            end: self.requested.end.max(other.requested.end),
        };
        self.range = match (self.range, other.range) {
            (Some(a), Some(b)) => Some(Window {
                start: a.start.min(b.start),
                end: a.end.max(b.end),
            }),
            (a, b) => a.or(b),
        };
        self.clamped_start = self.clamped_start.or(other.clamped_start);
        self.clamped_end = self.clamped_end.or(other.clamped_end);
        self.expired_until = self.expired_until.max(other.expired_until);
        self.probes = self.probes.saturating_add(other.probes);
        self.pages = self.pages.saturating_add(other.pages);
        self.splits = self.splits.saturating_add(other.splits);
        self.delivered = self.delivered.saturating_add(other.delivered);
        self.duplicates = self.duplicates.saturating_add(other.duplicates);
        self.windows.extend_from_slice(&other.windows);
        self.windows.sort_by_key(|planned| planned.window);
        self.truncated.extend_from_slice(&other.truncated);
        self.truncated.sort_by_key(|truncated| truncated.window);
        self.page_limit_hits
            .extend_from_slice(&other.page_limit_hits);
        self.page_limit_hits.sort();
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use jiff::SignedDuration;

    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_700_000_000).unwrap()
    }

    fn counted(total: u64) -> TradeRatePage {
        TradeRatePage {
            total_results: Some(total),
            ..TradeRatePage::default()
        }
    }

    fn planner(since: Timestamp, until: Timestamp, page_size: u32) -> WindowPlanner {
        WindowPlanner::new(
            SearchTradeRates::received("shop"),
            since,
            until,
            now(),
            page_size,
        )
        .unwrap()
    }

    #[test]
    fn the_same_request_until_fed() {
        let planner = planner(now() - SignedDuration::from_hours(1), now(), 40);
        let first = planner.next_request().unwrap();
        assert_eq!(planner.next_request(), Some(first.clone()));
        assert_eq!(
            (first.page_no, first.page_size, first.use_has_next),
            (Some(1), Some(1), Some(false))
        );
    }

    #[test]
    fn sub_seconds_are_dropped_and_the_edge_rounded_up() {
        let now = Timestamp::new(1_700_000_000, 500_000_000).unwrap();
        let planner = WindowPlanner::new(
            SearchTradeRates::received("shop"),
            Timestamp::UNIX_EPOCH,
            now,
            now,
            40,
        )
        .unwrap();
        let range = planner.stats().range.unwrap();
        assert_eq!(range.end.as_second(), 1_700_000_000);
        assert!(range.start >= oldest(now));
        assert_eq!(range.start.subsec_nanosecond(), 0);
        planner.next_request().unwrap().validate(now).unwrap();
    }

    #[test]
    fn small_pages_grow_to_reach_the_count_in_200_pages() {
        let mut planner = planner(now() - SignedDuration::from_hours(1), now(), 1);
        let _ = planner.feed(counted(1499));
        let page = planner.next_request().unwrap();
        // 8 reaches 1499 in 188 pages, but the last would end at 1504; 10 ends at 1500.
        assert_eq!(page.page_size, Some(10));
        assert_eq!(planner.stats().windows[0].page_size, Some(10));
    }

    #[test]
    fn pages_end_by_the_1500th_rate() {
        let sizes = |page_size: u32, total: u64| {
            let mut planner = planner(now() - SignedDuration::from_hours(1), now(), page_size);
            let _ = planner.feed(counted(total));
            planner.next_request().unwrap().page_size.unwrap()
        };
        assert_eq!(sizes(40, 1000), 40);
        assert_eq!(sizes(40, 1499), 50);
        assert_eq!(sizes(140, 1499), 150);
        assert_eq!(sizes(100, 1499), 100);
        assert_eq!(sizes(1, 200), 1);
        assert_eq!(sizes(1, 201), 2);
    }

    #[test]
    fn advancing_cuts_what_aged_out() {
        let since = oldest(now());
        let mut planner = planner(since, now(), 40);
        let later = now() + SignedDuration::from_hours(2);
        assert!(planner.next_request().unwrap().validate(later).is_err());
        planner.advance(later);
        let request = planner.next_request().unwrap();
        request.validate(later).unwrap();
        assert_eq!(request.start_date, Some(oldest(later)));
        assert_eq!(planner.stats().expired_until, Some(oldest(later)));
        // Going back in time changes nothing.
        planner.advance(now());
        assert_eq!(planner.now(), later);
    }
}
