//! Every page of one fw199 query window, by `has_next`.

use review_model::taobao::{TradeRate, TradeRatePage};

use super::SearchTradeRates;
use super::trade_rates::{MAX_PAGE_NO, MAX_PAGE_SIZE};
use crate::BuildError;

/// Pages one query window with `use_has_next=true`, as a sans-IO state machine.
///
/// `has_next` paging skips the count, which the gateway says is 80% faster. The run stops when
/// a page says `has_next: false`, when a page is empty, or after page 200, the last the gateway
/// serves: at 150 per page that is 30,000 rates, far beyond the 1500 a window can hold, so
/// reaching it means the window should have been split (see [`WindowPlanner`](super::WindowPlanner)).
///
/// ```
/// use review_model::taobao::TradeRatePage;
/// use review_protocol::taobao::{SearchTradeRates, TradeRatePager};
///
/// let mut pager = TradeRatePager::new(SearchTradeRates::received("shop"), 100)?;
/// let request = pager.next_request().unwrap();
/// assert_eq!((request.page_no, request.use_has_next), (Some(1), Some(true)));
/// let last: TradeRatePage = serde_json::from_str(r#"{"has_next": false, "trade_rates": {}}"#)?;
/// assert!(pager.feed(last).is_empty());
/// assert!(pager.next_request().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TradeRatePager {
    query: SearchTradeRates,
    page_size: u32,
    next_page: Option<u32>,
    pages: u32,
    page_limit_hit: bool,
}

impl TradeRatePager {
    /// A pager over `query`'s window with pages of `page_size` (1..=150).
    pub fn new(query: SearchTradeRates, page_size: u32) -> Result<Self, BuildError> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(BuildError::new(
                "page_size",
                format!("{page_size} is outside 1..={MAX_PAGE_SIZE}"),
            ));
        }
        Ok(Self {
            query,
            page_size,
            next_page: Some(1),
            pages: 0,
            page_limit_hit: false,
        })
    }

    /// The next page's request, or `None` when the window is read.
    pub fn next_request(&self) -> Option<SearchTradeRates> {
        let page_no = self.next_page?;
        let mut query = self.query.clone();
        query.page_no = Some(page_no);
        query.page_size = Some(self.page_size);
        query.use_has_next = Some(true);
        Some(query)
    }

    /// Takes the answer to [`next_request`](Self::next_request) and returns its rates.
    pub fn feed(&mut self, page: TradeRatePage) -> Vec<TradeRate> {
        let Some(current) = self.next_page else {
            return Vec::new();
        };
        self.pages += 1;
        let more = page.has_next.unwrap_or(false) && !page.rates.is_empty();
        self.page_limit_hit = more && current >= MAX_PAGE_NO;
        self.next_page = (more && current < MAX_PAGE_NO).then_some(current + 1);
        page.rates
    }

    /// Appends to `out` the pages that follow when the window holds `count` rates and the
    /// gateway's `has_next` is exact (at most `max` in all in `out`); returns whether they end
    /// the window.
    pub(crate) fn predict(
        &self,
        count: Option<u64>,
        max: usize,
        out: &mut Vec<SearchTradeRates>,
    ) -> bool {
        let Some(first) = self.next_page else {
            return true;
        };
        let last = count.map(|count| {
            let pages = count.div_ceil(u64::from(self.page_size)).max(1);
            u32::try_from(pages).unwrap_or(MAX_PAGE_NO).min(MAX_PAGE_NO)
        });
        let mut page_no = first;
        loop {
            if out.len() >= max {
                return false;
            }
            let mut query = self.query.clone();
            query.page_no = Some(page_no);
            query.page_size = Some(self.page_size);
            query.use_has_next = Some(true);
            out.push(query);
            match last {
                Some(last) if page_no < last => page_no = page_no.saturating_add(1),
                Some(_) => return true,
                None => return false,
            }
        }
    }

    /// Whether the window is read.
    pub fn is_done(&self) -> bool {
        self.next_page.is_none()
    }

    /// Pages fed so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Whether the run stopped at page 200 with `has_next` still true: rates may be missing.
    pub fn hit_page_limit(&self) -> bool {
        self.page_limit_hit
    }
}
