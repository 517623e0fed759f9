//! `/wxaapi/comment/mpcommentlist/get` answers: `errcode` 0 (or none) beside the page's fields.

use jiff::Timestamp;

use super::{Scanner, first};
use crate::wechat::{
    BizInfo, Comment, CommentListPage, Content, ExtInfo, Image, Media, OrderInfo, Product,
    ProductInfo, UserInfo, Video,
};
use crate::{AppId, CommentId, Fen, OpenId, Stars};

impl CommentListPage {
    /// The page of a successful list answer (`errcode` 0 or absent), read by a hand-written
    /// decoder in one pass; `None` for anything it does not take (an error answer, an unusual
    /// shape or value), which serde then reads exactly as before. When it answers, it answers
    /// what serde would.
    ///
    /// ```
    /// use review_model::wechat::CommentListPage;
    ///
    /// let body = br#"{"errcode":0,"commentList":[{"commentId":"1","score":500,"createTime":"1676351504"}],"total":1}"#;
    /// let page = CommentListPage::from_ok_answer(body).unwrap();
    /// assert_eq!(Some(page), review_model::from_slice(body).ok());
    /// assert!(CommentListPage::from_ok_answer(br#"{"errcode":40001,"errmsg":"invalid credential"}"#).is_none());
    /// ```
    pub fn from_ok_answer(body: &[u8]) -> Option<Self> {
        let mut s = Scanner::new(body)?;
        let mut page = CommentListPage::default();
        let mut seen = 0;
        s.object(|s, key| match key {
            "errcode" => (s.uint()? == 0).then_some(()),
            "errmsg" => s.opt_string().map(drop),
            "commentList" => {
                first(&mut seen, 0)?;
                if !s.null()? {
                    // About one comment per 640 bytes of a real page: one allocation, no
                    // regrowth, for most pages.
                    page.comments = Vec::with_capacity((body.len() / 640).clamp(1, 1024));
                    s.array(|s| {
                        page.comments.push(comment(s)?);
                        Some(())
                    })?;
                }
                Some(())
            }
            "total" => {
                first(&mut seen, 1)?;
                page.total = s.lenient_opt()?;
                Some(())
            }
            "offset" => {
                first(&mut seen, 2)?;
                page.offset = s.lenient()?;
                Some(())
            }
            _ => s.skip(),
        })?;
        s.at_end().then_some(page)
    }
}

fn seconds(seconds: i64) -> Option<Timestamp> {
    Timestamp::from_second(seconds).ok()
}

fn comment(s: &mut Scanner<'_>) -> Option<Comment> {
    let mut seen = 0;
    let mut comment_id = None;
    let mut amount = None;
    let mut order_id = None;
    let mut pay_time = None;
    let mut wx_pay_id = None;
    let mut order_info = None;
    let mut user_info = None;
    let mut biz_info = None;
    let mut score = None;
    let mut create_time = None;
    let mut content = None;
    let mut ext_info = None;
    let mut product_info = None;
    s.object(|s, key| {
        match key {
            "commentId" => {
                first(&mut seen, 0)?;
                comment_id = Some(CommentId::new(s.id()?));
            }
            "amount" => {
                first(&mut seen, 1)?;
                amount = if s.null()? {
                    None
                } else {
                    Some(Fen::new(s.lenient()?))
                };
            }
            "orderId" => {
                first(&mut seen, 2)?;
                order_id = s.opt_string()?;
            }
            "payTime" => {
                first(&mut seen, 3)?;
                pay_time = match s.lenient_opt()? {
                    Some(at) => Some(seconds(at)?),
                    None => None,
                };
            }
            "wxPayId" => {
                first(&mut seen, 4)?;
                wx_pay_id = s.opt_string()?;
            }
            "orderInfo" => {
                first(&mut seen, 5)?;
                order_info = nullable(s, self::order_info)?;
            }
            "userInfo" => {
                first(&mut seen, 6)?;
                user_info = nullable(s, self::user_info)?;
            }
            "bizInfo" => {
                first(&mut seen, 7)?;
                biz_info = nullable(s, self::biz_info)?;
            }
            "score" => {
                first(&mut seen, 8)?;
                score = Some(Stars::from_score(s.lenient()?).ok()?);
            }
            "createTime" => {
                first(&mut seen, 9)?;
                create_time = Some(seconds(s.lenient()?)?);
            }
            "content" => {
                first(&mut seen, 10)?;
                content = Some(nullable(s, self::content)?.unwrap_or_default());
            }
            "extInfo" => {
                first(&mut seen, 11)?;
                ext_info = nullable(s, self::ext_info)?;
            }
            "productInfo" => {
                first(&mut seen, 12)?;
                product_info = nullable(s, self::product_info)?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(Comment {
        comment_id: comment_id?,
        amount,
        order_id,
        pay_time,
        wx_pay_id,
        order_info,
        user_info,
        biz_info,
        score: score?,
        create_time: create_time?,
        content: content.unwrap_or_default(),
        ext_info,
        product_info,
    })
}

/// `null`, or what `read` reads.
fn nullable<T>(
    s: &mut Scanner<'_>,
    read: impl FnOnce(&mut Scanner<'_>) -> Option<T>,
) -> Option<Option<T>> {
    if s.null()? {
        Some(None)
    } else {
        read(s).map(Some)
    }
}

fn order_info(s: &mut Scanner<'_>) -> Option<OrderInfo> {
    let mut seen = 0;
    let mut info = OrderInfo::default();
    s.object(|s, key| match key {
        "busiOrderId" => {
            first(&mut seen, 0)?;
            info.busi_order_id = s.opt_string()?;
            Some(())
        }
        _ => s.skip(),
    })?;
    Some(info)
}

fn user_info(s: &mut Scanner<'_>) -> Option<UserInfo> {
    let mut seen = 0;
    let mut info = UserInfo::default();
    s.object(|s, key| {
        match key {
            "openid" => {
                first(&mut seen, 0)?;
                info.openid = s.opt_id()?.map(OpenId::new);
            }
            "headImg" => {
                first(&mut seen, 1)?;
                info.head_img = s.opt_string()?;
            }
            "nickName" => {
                first(&mut seen, 2)?;
                info.nick_name = s.opt_string()?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(info)
}

fn biz_info(s: &mut Scanner<'_>) -> Option<BizInfo> {
    let mut seen = 0;
    let mut info = BizInfo::default();
    s.object(|s, key| {
        match key {
            "appid" => {
                first(&mut seen, 0)?;
                info.appid = s.opt_id()?.map(AppId::new);
            }
            "headImg" => {
                first(&mut seen, 1)?;
                info.head_img = s.opt_string()?;
            }
            "nickName" => {
                first(&mut seen, 2)?;
                info.nick_name = s.opt_string()?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(info)
}

fn ext_info(s: &mut Scanner<'_>) -> Option<ExtInfo> {
    let mut seen = 0;
    let mut info = ExtInfo::default();
    s.object(|s, key| match key {
        "isAlreadySendTmpl" => {
            first(&mut seen, 0)?;
            info.is_already_send_tmpl = s.flag()?;
            Some(())
        }
        _ => s.skip(),
    })?;
    Some(info)
}

fn product_info(s: &mut Scanner<'_>) -> Option<ProductInfo> {
    let mut seen = 0;
    let mut info = ProductInfo::default();
    s.object(|s, key| match key {
        "productList" => {
            first(&mut seen, 0)?;
            if !s.null()? {
                s.array(|s| {
                    info.product_list.push(product(s)?);
                    Some(())
                })?;
            }
            Some(())
        }
        _ => s.skip(),
    })?;
    Some(info)
}

fn product(s: &mut Scanner<'_>) -> Option<Product> {
    let mut seen = 0;
    let mut product = Product::default();
    s.object(|s, key| {
        match key {
            "name" => {
                first(&mut seen, 0)?;
                product.name = s.string_or_null()?;
            }
            "picUrl" => {
                first(&mut seen, 1)?;
                product.pic_url = s.opt_string()?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(product)
}

/// `txt`, `text` or `ext` (the first present, in that order) and `media`.
fn content(s: &mut Scanner<'_>) -> Option<Content> {
    let mut seen = 0;
    let (mut txt, mut text, mut ext) = (None, None, None);
    let mut media = Vec::new();
    s.object(|s, key| {
        match key {
            "txt" => {
                first(&mut seen, 0)?;
                txt = s.opt_string()?;
            }
            "text" => {
                first(&mut seen, 1)?;
                text = s.opt_string()?;
            }
            "ext" => {
                first(&mut seen, 2)?;
                ext = s.opt_string()?;
            }
            "media" => {
                first(&mut seen, 3)?;
                if !s.null()? {
                    s.array(|s| {
                        media.push(self::media(s)?);
                        Some(())
                    })?;
                }
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    Some(Content {
        text: txt.or(text).or(ext).unwrap_or_default(),
        media,
    })
}

/// A picture or a video; any other shape (kept whole as `Media::Other` by serde) is not taken.
fn media(s: &mut Scanner<'_>) -> Option<Media> {
    let mut seen = 0;
    let (mut img, mut thumb_img, mut video, mut video_cover, mut video_duration) =
        (None, None, None, None, None);
    s.object(|s, key| {
        match key {
            "img" => {
                first(&mut seen, 0)?;
                img = s.opt_string()?;
            }
            "thumbImg" => {
                first(&mut seen, 1)?;
                thumb_img = s.opt_string()?;
            }
            "video" => {
                first(&mut seen, 2)?;
                video = s.opt_string()?;
            }
            "videoCover" => {
                first(&mut seen, 3)?;
                video_cover = s.opt_string()?;
            }
            "videoDuration" => {
                first(&mut seen, 4)?;
                video_duration = s.lenient_opt()?;
            }
            _ => return None,
        }
        Some(())
    })?;
    match (video, img) {
        (Some(video), _) => Some(Media::Video(Video {
            video,
            video_cover,
            video_duration,
        })),
        (None, Some(img)) => Some(Media::Image(Image { img, thumb_img })),
        (None, None) => None,
    }
}
