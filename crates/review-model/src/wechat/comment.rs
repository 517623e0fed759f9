//! A buyer's evaluation of one transaction, as the list and detail endpoints return it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Content;
use crate::{AppId, CommentId, Fen, OpenId, Stars};

/// One evaluation (`commentList[]` of the list, `info.content` of the detail).
///
/// Only the id, the score and the creation time are required; every other object is optional
/// because the detail and list endpoints omit different ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The evaluation id.
    pub comment_id: CommentId,
    /// What the buyer paid, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Fen>,
    /// The WeChat order id (`payorder@...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// When the order was paid.
    #[serde(
        default,
        with = "crate::codec::unix::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_time: Option<Timestamp>,
    /// The WeChat Pay transaction id (`transaction_id`, usually starting with 420).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wx_pay_id: Option<String>,
    /// The merchant's own order information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_info: Option<OrderInfo>,
    /// The buyer who rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<UserInfo>,
    /// The mini program that was rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_info: Option<BizInfo>,
    /// The rating, sent as `score` (100 per star).
    #[serde(with = "crate::stars::score")]
    pub score: Stars,
    /// When the evaluation was written.
    #[serde(with = "crate::codec::unix::string")]
    pub create_time: Timestamp,
    /// The text and media.
    #[serde(default)]
    pub content: Content,
    /// Extra state of the evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_info: Option<ExtInfo>,
    /// The products of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_info: Option<ProductInfo>,
}

impl Comment {
    /// The buyer's nickname, if sent.
    pub fn nickname(&self) -> Option<&str> {
        self.user_info.as_ref()?.nick_name.as_deref()
    }

    /// The buyer's openid, if sent.
    pub fn openid(&self) -> Option<&OpenId> {
        self.user_info.as_ref()?.openid.as_ref()
    }

    /// The products of the order (empty when not sent).
    pub fn products(&self) -> &[Product] {
        self.product_info
            .as_ref()
            .map_or(&[], |info| info.product_list.as_slice())
    }
}

/// The merchant's order information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderInfo {
    /// The merchant's order number (`out_trade_no` in WeChat Pay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busi_order_id: Option<String>,
}

/// The buyer who rated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The buyer's openid in this mini program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<OpenId>,
    /// The buyer's avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_img: Option<String>,
    /// The buyer's nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
}

/// The mini program that was rated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BizInfo {
    /// The mini program's AppID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<AppId>,
    /// The mini program's avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_img: Option<String>,
    /// The mini program's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
}

/// Extra state of an evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtInfo {
    /// Whether a "bad review customer-service session" was already sent.
    #[serde(default, deserialize_with = "crate::codec::flag::deserialize")]
    pub is_already_send_tmpl: bool,
}

/// The products of the rated order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInfo {
    /// The products.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub product_list: Vec<Product>,
}

/// One product of the rated order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// The product name.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub name: String,
    /// The product picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_url: Option<String>,
}
