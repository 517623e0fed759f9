//! The methods that make pagers, written once for both clients: making a pager sends nothing,
//! so they are the same on both.

/// Expands `comments`, `rates`, `reviews` and `pager`; `$kind` ("iterator" or "stream") is for
/// their docs.
macro_rules! pager_methods {
    ($kind:literal) => {
        #[doc = concat!("Every comment of `query`'s window, page after page, each once, as ", $kind, ".")]
        pub fn comments(
            &self,
            query: review_protocol::wechat::GetCommentList,
        ) -> Result<crate::Pager<'_, Self, review_protocol::wechat::CommentPager>, crate::ClientError> {
            self.pager(query)
        }

        #[doc = concat!("Every rate of `range`, windows split under the 1500 cap, each once, as ", $kind, ";")]
        /// [`Pager::stats`](crate::Pager::stats) gives the splits, truncations and the 180-day
        /// clamp.
        pub fn rates(
            &self,
            range: crate::RateRange,
        ) -> Result<crate::Pager<'_, Self, review_protocol::taobao::WindowPlanner>, crate::ClientError> {
            self.pager(range)
        }

        #[doc = concat!("Every review of a [`WechatReviews`](crate::WechatReviews) or [`TaobaoReviews`](crate::TaobaoReviews) request, as ", $kind, " of unified [`Review`](review_model::Review)s.")]
        pub fn reviews<R>(&self, request: R) -> Result<crate::Pager<'_, Self, R::Walk>, crate::ClientError>
        where
            R: crate::Paged,
            R::Walk: review_protocol::Walk<Item = review_model::Review>,
        {
            self.pager(request)
        }

        #[doc = concat!("Any walk, as ", $kind, ". Nothing is sent until it is iterated.")]
        pub fn pager<R: crate::Paged>(&self, request: R) -> Result<crate::Pager<'_, Self, R::Walk>, crate::ClientError> {
            Ok(crate::Pager::new(self, request.walk(&self.config, jiff::Timestamp::now())?))
        }
    };
}

pub(crate) use pager_methods;
