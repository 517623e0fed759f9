//! `GET /wxaapi/comment/mpcommentlist/get`: a page of evaluations in a time window.

use jiff::Timestamp;
use review_model::wechat::{CommentListPage, FilterType};

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

/// The documented page size when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 8;

/// Lists the evaluations created between `start_time` and `end_time`.
///
/// For every page of a window, use [`CommentPager`](crate::wechat::CommentPager).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetCommentList {
    /// The start of the window (`startTime`, Unix seconds).
    pub start_time: Timestamp,
    /// The end of the window (`endTime`).
    pub end_time: Timestamp,
    /// Which evaluations; `None` leaves the platform's default.
    pub filter: Option<FilterType>,
    /// How many to skip.
    pub offset: u64,
    /// How many per page (at least 1).
    pub limit: u32,
}

impl GetCommentList {
    /// The first page of a window, default page size, no filter.
    pub fn new(start_time: Timestamp, end_time: Timestamp) -> Self {
        Self {
            start_time,
            end_time,
            filter: None,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }

    /// With this filter.
    #[must_use]
    pub fn filter(mut self, filter: FilterType) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Starting at `offset`.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// With pages of `limit`.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Refuses a window that ends before it starts and a zero page size.
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.start_time > self.end_time {
            return Err(BuildError::new(
                "startTime",
                format!(
                    "the window starts ({}) after it ends ({})",
                    self.start_time, self.end_time
                ),
            ));
        }
        if self.limit == 0 {
            return Err(BuildError::new("limit", "the page size must be at least 1"));
        }
        Ok(())
    }
}

impl Endpoint for GetCommentList {
    type Context = WechatContext;
    type Output = CommentListPage;

    const METADATA: Metadata = Metadata {
        name: "wechat.comment_list",
        method: Method::Get,
        path: "/wxaapi/comment/mpcommentlist/get",
        idempotent: true,
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        let start = self.start_time.as_second().to_string();
        let end = self.end_time.as_second().to_string();
        let filter = self.filter.map(|f| f.code().to_string());
        let offset = self.offset.to_string();
        let limit = self.limit.to_string();
        let mut params = vec![("startTime", start.as_str()), ("endTime", end.as_str())];
        if let Some(filter) = &filter {
            params.push(("filterType", filter));
        }
        params.push(("offset", &offset));
        params.push(("limit", &limit));
        wire::get(ctx, Self::METADATA.path, &params)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<CommentListPage, Error> {
        wire::parse(&response)
    }
}
