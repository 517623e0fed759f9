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
        // A successful page is read by the model's one-pass decoder; anything it does not take
        // (refusals, unusual shapes) by serde, which also names what is wrong.
        if response.status().is_success()
            && let Some(page) = CommentListPage::from_ok_answer(response.body())
        {
            return Ok(page);
        }
        wire::parse(&response)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use review_model::wechat::CommentListPage;

    use super::wire;
    use crate::Endpoint;
    use crate::json_cases::{Json, flag, int, list, object, or_odd, string, style, text, write};

    fn id(clean: bool) -> BoxedStrategy<Json> {
        let good = prop_oneof![
            "[0-9]{1,19}".prop_map(Json::Str),
            "[a-zA-Z0-9_-]{1,12}".prop_map(Json::Str),
            any::<u64>().prop_map(Json::num),
        ]
        .boxed();
        if clean {
            good
        } else {
            prop_oneof![30 => good, 1 => Just(Json::str("")), 1 => Just(Json::num(-5))].boxed()
        }
    }

    fn media(clean: bool) -> BoxedStrategy<Json> {
        let image = object(
            vec![
                ("img", string(clean), true),
                ("thumbImg", string(clean), false),
            ],
            clean,
        );
        let video = object(
            vec![
                ("video", string(clean), true),
                ("videoCover", string(clean), false),
                ("videoDuration", int(u64::from(u32::MAX) + 1, clean), false),
            ],
            clean,
        );
        or_odd(prop_oneof![image, video].boxed(), clean)
    }

    fn comment(clean: bool) -> BoxedStrategy<Json> {
        let stars = (1u64..=5)
            .prop_flat_map(|n| {
                prop_oneof![
                    Just(Json::num(n * 100)),
                    Just(Json::Str((n * 100).to_string()))
                ]
            })
            .boxed();
        let score = if clean {
            stars
        } else {
            prop_oneof![10 => stars, 1 => int(600, false)].boxed()
        };
        let user = object(
            vec![
                ("openid", or_odd(id(clean), clean), false),
                ("headImg", string(clean), false),
                ("nickName", string(clean), false),
            ],
            clean,
        );
        let biz = object(
            vec![
                ("appid", or_odd(id(clean), clean), false),
                ("headImg", string(clean), false),
                ("nickName", string(clean), false),
            ],
            clean,
        );
        let content = object(
            vec![
                ("txt", string(clean), false),
                ("text", string(clean), false),
                ("ext", string(clean), false),
                ("media", or_odd(list(media(clean), 3), clean), false),
            ],
            clean,
        );
        let product = object(
            vec![
                ("name", string(clean), false),
                ("picUrl", string(clean), false),
            ],
            clean,
        );
        object(
            vec![
                ("commentId", id(clean), true),
                ("amount", int(u64::MAX, clean), false),
                ("orderId", string(clean), false),
                ("payTime", int(4_102_444_800, clean), false),
                ("wxPayId", string(clean), false),
                (
                    "orderInfo",
                    or_odd(
                        object(vec![("busiOrderId", string(clean), false)], clean),
                        clean,
                    ),
                    false,
                ),
                ("userInfo", or_odd(user, clean), false),
                ("bizInfo", or_odd(biz, clean), false),
                ("score", score, true),
                ("createTime", int(4_102_444_800, clean), true),
                ("content", or_odd(content, clean), false),
                (
                    "extInfo",
                    or_odd(
                        object(vec![("isAlreadySendTmpl", flag(clean), false)], clean),
                        clean,
                    ),
                    false,
                ),
                (
                    "productInfo",
                    or_odd(
                        object(
                            vec![("productList", or_odd(list(product, 3), clean), false)],
                            clean,
                        ),
                        clean,
                    ),
                    false,
                ),
            ],
            clean,
        )
    }

    fn page(clean: bool) -> BoxedStrategy<Json> {
        let errcode = if clean {
            Just(Json::num(0)).boxed()
        } else {
            prop_oneof![
                20 => Just(Json::num(0)),
                1 => Just(Json::str("0")),
                1 => Just(Json::num(40001)),
                1 => Just(Json::num(-1)),
            ]
            .boxed()
        };
        object(
            vec![
                ("errcode", errcode, false),
                ("errmsg", string(clean), false),
                ("success", flag(true), false),
                ("commentList", or_odd(list(comment(clean), 3), clean), false),
                ("total", int(10_000, clean), false),
                ("offset", int(10_000, clean), false),
            ],
            clean,
        )
    }

    fn serde_parse(body: &str) -> Option<CommentListPage> {
        wire::parse(&http::Response::new(body.as_bytes())).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_fast_decoder_answers_only_what_serde_answers(page in page(false), style in style()) {
            let body = write(&page, style);
            if let Some(fast) = CommentListPage::from_ok_answer(body.as_bytes()) {
                prop_assert_eq!(Some(fast), serde_parse(&body), "{}", body);
            }
        }

        #[test]
        fn the_fast_decoder_takes_every_ordinary_page(page in page(true), style in style()) {
            let body = write(&page, style);
            let fast = CommentListPage::from_ok_answer(body.as_bytes());
            prop_assert!(fast.is_some(), "{}", body);
            prop_assert_eq!(fast, serde_parse(&body), "{}", body);
        }

        #[test]
        fn neither_decoder_panics_on_any_text(body in text(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = CommentListPage::from_ok_answer(body.as_bytes());
            let _ = CommentListPage::from_ok_answer(&bytes);
        }
    }

    #[test]
    fn refusals_go_to_serde_which_names_them() {
        let endpoint =
            super::GetCommentList::new(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::UNIX_EPOCH);
        let err = endpoint
            .parse(http::Response::new(
                br#"{"errcode":40001,"errmsg":"invalid credential"}"#,
            ))
            .unwrap_err();
        assert!(err.to_string().contains("40001"), "{err}");
        let err = endpoint
            .parse(http::Response::new(
                br#"{"errcode":0,"commentList":[{"commentId":"1","score":900,"createTime":1}]}"#,
            ))
            .unwrap_err();
        assert!(err.to_string().contains("commentList[0].score"), "{err}");
    }
}
