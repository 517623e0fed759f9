//! The unified review record both platforms export to (a contract: see docs/contracts.md).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::taobao::TradeRate;
use crate::wechat::{Comment, Media, ReplyThread, UserInfo};
use crate::{Fen, OpenId, Stars};

/// Where a review came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// WeChat Mini Program transaction evaluations.
    Wechat,
    /// Taobao trade rates through fw199.
    Taobao,
}

impl Platform {
    /// The record's `platform` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Taobao => "taobao",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the buyer felt: WeChat 4–5 / 3 / 1–2 stars, Taobao good / neutral / bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    /// Four or five stars; a good rate.
    Positive,
    /// Three stars; a neutral rate.
    Neutral,
    /// One or two stars; a bad rate.
    Negative,
}

impl Sentiment {
    /// The record's `sentiment` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Neutral => "neutral",
            Self::Negative => "negative",
        }
    }
}

impl fmt::Display for Sentiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One review from either platform, in the shape `reviews export` writes.
///
/// The first nine fields are the contract of docs/contracts.md; the rest are extras that are omitted
/// when empty.
///
/// ```
/// use review_model::{Review, Platform, Sentiment};
/// use review_model::taobao::TradeRate;
///
/// let rate: TradeRate = serde_json::from_str(r#"{
///     "tid": "1702473948221565830", "oid": "1702473948221565830", "role": "buyer",
///     "nick": "supercode", "result": "good", "created": "2021-05-21 16:32:09",
///     "item_price": "1.5", "content": "很好", "reply": ""
/// }"#)?;
/// let review = Review::from(&rate);
/// assert_eq!(review.platform, Platform::Taobao);
/// assert_eq!(review.id, "1702473948221565830:buyer");
/// assert_eq!(review.sentiment, Sentiment::Positive);
/// assert_eq!(review.created_at.to_string(), "2021-05-21T08:32:09Z");
/// assert!(!review.replied);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// `wechat` or `taobao`.
    pub platform: Platform,
    /// WeChat `commentId`; Taobao `"{oid}:{role}"`.
    pub id: String,
    /// WeChat `orderId`; Taobao `tid`.
    pub order_id: Option<String>,
    /// When the review was written, RFC 3339 in UTC.
    #[serde(serialize_with = "rfc3339", deserialize_with = "parse_rfc3339")]
    pub created_at: Timestamp,
    /// WeChat stars; `null` for Taobao, which has no star rating per trade.
    pub stars: Option<Stars>,
    /// Positive, neutral or negative.
    pub sentiment: Sentiment,
    /// The review text.
    pub text: String,
    /// The reviewer's nickname.
    pub author: Option<String>,
    /// Whether the merchant has replied.
    pub replied: bool,
    /// The merchant's reply, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// URLs of pictures and videos.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
    /// Titles of the items of the order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// WeChat: the amount paid; Taobao: the item price. In fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<u64>,
    /// WeChat openid; Taobao ouid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl Review {
    /// The unified record's keys in their contract order: every serialized review starts with
    /// them, and CSV output uses them as its first columns (`docs/contracts.md`).
    pub const KEYS: [&'static str; 9] = [
        "platform",
        "id",
        "order_id",
        "created_at",
        "stars",
        "sentiment",
        "text",
        "author",
        "replied",
    ];
}

fn rfc3339<S: Serializer>(time: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(time)
}

fn parse_rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    Timestamp::from_str(&text).map_err(serde::de::Error::custom)
}

impl Review {
    /// A WeChat comment, with whether it was answered.
    ///
    /// The list endpoint does not say whether a comment has a reply: learn it from the reply
    /// thread (then use the `From<(&Comment, &ReplyThread)>` conversion, which also keeps the
    /// reply text) or from the `awaiting-reply` filter.
    pub fn from_wechat(comment: &Comment, replied: bool) -> Self {
        Self {
            platform: Platform::Wechat,
            id: comment.comment_id.to_string(),
            order_id: comment.order_id.clone(),
            created_at: comment.create_time,
            stars: Some(comment.score),
            sentiment: comment.score.sentiment(),
            text: comment.content.text.clone(),
            author: comment.nickname().map(str::to_owned),
            replied,
            reply: None,
            media: comment
                .content
                .media
                .iter()
                .filter_map(|m| m.url().map(str::to_owned))
                .collect(),
            items: comment.products().iter().map(|p| p.name.clone()).collect(),
            amount_fen: comment.amount.map(Fen::get),
            user_id: comment.openid().map(ToString::to_string),
        }
    }
}

impl Review {
    /// [`Review::from_wechat`] taking the comment by value: its strings move into the review
    /// instead of being copied (what the export's walk does with each listed comment).
    pub fn wechat(comment: Comment, replied: bool) -> Self {
        let Comment {
            comment_id,
            amount,
            order_id,
            user_info,
            score,
            create_time,
            content,
            product_info,
            ..
        } = comment;
        let (author, user_id) = user_info.map_or(
            (None, None),
            |UserInfo {
                 openid, nick_name, ..
             }| { (nick_name, openid.map(OpenId::into_string)) },
        );
        Self {
            platform: Platform::Wechat,
            id: comment_id.into_string(),
            order_id,
            created_at: create_time,
            stars: Some(score),
            sentiment: score.sentiment(),
            text: content.text,
            author,
            replied,
            reply: None,
            media: urls(content.media),
            items: product_info.map_or_else(Vec::new, |info| names(info.product_list)),
            amount_fen: amount.map(Fen::get),
            user_id,
        }
    }
}

/// The URLs of `media`, moved out (a loop: collecting in place would reallocate the list).
fn urls(media: Vec<Media>) -> Vec<String> {
    let mut urls = Vec::with_capacity(media.len());
    for item in media {
        urls.extend(item.into_url());
    }
    urls
}

/// The names of `products`, moved out.
fn names(products: Vec<crate::wechat::Product>) -> Vec<String> {
    let mut names = Vec::with_capacity(products.len());
    for product in products {
        names.push(product.name);
    }
    names
}

impl From<(&Comment, &ReplyThread)> for Review {
    fn from((comment, thread): (&Comment, &ReplyThread)) -> Self {
        let mut review = Review::from_wechat(comment, thread.reply.is_some());
        review.reply = thread
            .reply
            .as_ref()
            .map(|reply| reply.reply_content.content.clone());
        review
    }
}

impl From<&TradeRate> for Review {
    fn from(rate: &TradeRate) -> Self {
        Self {
            platform: Platform::Taobao,
            id: rate.key(),
            order_id: Some(rate.tid.to_string()),
            created_at: rate.created,
            stars: None,
            sentiment: rate.result.sentiment(),
            text: rate.content.clone(),
            author: rate.nick.clone(),
            replied: rate.reply.is_some(),
            reply: rate.reply.clone(),
            media: Vec::new(),
            items: rate.item_title.iter().cloned().collect(),
            amount_fen: rate.item_price.map(Fen::get),
            user_id: rate.ouid.clone(),
        }
    }
}

impl From<TradeRate> for Review {
    /// The rate by value: its strings move into the review instead of being copied.
    fn from(rate: TradeRate) -> Self {
        let mut id = String::with_capacity(28);
        id.push_str(itoa::Buffer::new().format(rate.oid.0));
        id.push(':');
        id.push_str(rate.role.as_str());
        let replied = rate.reply.is_some();
        Self {
            platform: Platform::Taobao,
            id,
            order_id: Some(itoa::Buffer::new().format(rate.tid.0).to_owned()),
            created_at: rate.created,
            stars: None,
            sentiment: rate.result.sentiment(),
            text: rate.content,
            author: rate.nick,
            replied,
            reply: rate.reply,
            media: Vec::new(),
            items: rate.item_title.into_iter().collect(),
            amount_fen: rate.item_price.map(Fen::get),
            user_id: rate.ouid,
        }
    }
}
