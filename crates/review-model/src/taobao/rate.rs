//! One Taobao trade rate.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{RateResult, Role};
use crate::Fen;

macro_rules! numeric_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Decodes from a number or a string; encodes as a string, as the example response does,
        /// because these ids exceed the 2^53 that JSON doubles carry exactly.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::codec::int::serialize_as_string(&self.0, s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::codec::int::deserialize(d).map(Self)
            }
        }
    };
}

numeric_id!(
    /// A trade (order) id, parent or child (`tid`).
    Tid
);
numeric_id!(
    /// A sub-order id (`oid`): one rate per sub-order and role.
    Oid
);

/// A trade rate, with every field of the seed's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeRate {
    /// The trade.
    pub tid: Tid,
    /// The sub-order rated.
    pub oid: Oid,
    /// Who wrote the rate.
    pub role: Role,
    /// The rater's nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// Good, neutral or bad.
    pub result: RateResult,
    /// When the rate was written (`yyyy-MM-dd HH:mm:ss`, China Standard Time).
    #[serde(with = "super::datetime")]
    pub created: Timestamp,
    /// The nickname of the party rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_nick: Option<String>,
    /// The item's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_title: Option<String>,
    /// The item's price, sent as yuan with two places (`"200.07"`), held exactly in fen.
    #[serde(
        default,
        with = "crate::money::yuan",
        skip_serializing_if = "Option::is_none"
    )]
    pub item_price: Option<Fen>,
    /// The rate text (up to 500 characters).
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub content: String,
    /// The explanation (reply) to the rate; `""` on the wire means none.
    #[serde(
        default,
        deserialize_with = "reply_or_empty",
        serialize_with = "reply_as_string"
    )]
    pub reply: Option<String>,
    /// The item's numeric id.
    #[serde(
        default,
        with = "crate::codec::int::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_iid: Option<u64>,
    /// The logistics service score.
    #[serde(
        default,
        with = "crate::codec::int::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub logistics_service_score: Option<u32>,
    /// The buyer's open user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ouid: Option<String>,
    /// Whether the rate counts toward the shop's score.
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_score: Option<bool>,
}

fn reply_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let reply = Option::<String>::deserialize(d)?;
    Ok(reply.filter(|r| !r.is_empty()))
}

fn reply_as_string<S: Serializer>(reply: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(reply.as_deref().unwrap_or(""))
}

fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    crate::codec::flag::deserialize(d).map(Some)
}

impl TradeRate {
    /// The rate's unique key: one rate per sub-order and role (`"{oid}:{role}"`).
    pub fn key(&self) -> String {
        format!("{}:{}", self.oid, self.role)
    }
}
