//! One page of `/gateway/taobao/traderates/get` (the `data` of the envelope).

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::TradeRate;

/// A page of trade rates.
///
/// With `use_has_next=false` the platform sends `total_results` (capped at 1500 per query
/// window); with `use_has_next=true` it sends `has_next` instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeRatePage {
    /// The gateway's request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// How many rates match the query window (at most 1500).
    #[serde(
        default,
        with = "crate::codec::int::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_results: Option<u64>,
    /// Whether another page follows (only with `use_has_next=true`).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub has_next: Option<bool>,
    /// The rates, sent as `trade_rates.trade_rate[]`.
    #[serde(
        default,
        rename = "trade_rates",
        deserialize_with = "unwrap_list",
        serialize_with = "wrap_list"
    )]
    pub rates: Vec<TradeRate>,
}

/// The most records one query window yields; a window reporting this many may hold more.
pub const WINDOW_CAP: u64 = 1500;

fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    crate::codec::flag::deserialize(d).map(Some)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<TradeRate>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"{"trade_rate": [...]}, a list of rates, or null"#)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rates = Vec::new();
        while let Some(rate) = seq.next_element()? {
            rates.push(rate);
        }
        Ok(rates)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rates = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "trade_rate" {
                rates = map
                    .next_value::<Option<Vec<TradeRate>>>()?
                    .unwrap_or_default();
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(rates)
    }
}

/// `{"trade_rate": [...]}`, `{}`, `null` or a bare array (as some gateways flatten it).
fn unwrap_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TradeRate>, D::Error> {
    d.deserialize_any(ListVisitor)
}

fn wrap_list<S: Serializer>(rates: &[TradeRate], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Out<'a> {
        trade_rate: &'a [TradeRate],
    }
    Out { trade_rate: rates }.serialize(s)
}

impl TradeRatePage {
    /// Whether this window reached the cap, so it may hold more rates than it can return.
    pub fn is_capped(&self) -> bool {
        self.total_results.is_some_and(|total| total >= WINDOW_CAP)
    }
}
