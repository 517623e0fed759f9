//! Money as an exact count of fen (0.01 yuan). Never a float.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An amount of money in fen (分), the unit WeChat Pay uses; 100 fen are one yuan.
///
/// Taobao sends prices as yuan strings (`"200.07"`): [`FromStr`] parses them exactly, and
/// [`Display`](fmt::Display) writes them back with two places.
///
/// ```
/// use review_model::Fen;
///
/// let price: Fen = "200.07".parse()?;
/// assert_eq!(price.get(), 20007);
/// assert_eq!(price.to_string(), "200.07");
/// assert_eq!("1.5".parse::<Fen>()?.get(), 150);
/// assert!("1.234".parse::<Fen>().is_err());
/// # Ok::<(), review_model::MoneyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Fen(u64);

/// A yuan amount that is not an exact, non-negative decimal with at most two places.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not of the form `123`, `123.4` or `123.45`.
    #[error("expected an amount of yuan like \"200.07\", found {0:?}")]
    Syntax(String),
    /// More than two decimal places: the amount is not a whole number of fen.
    #[error("{0:?} has more than two decimal places: not a whole number of fen")]
    Precision(String),
    /// Larger than the amounts this type can count.
    #[error("{0:?} is too large an amount")]
    Overflow(String),
}

impl Fen {
    /// An amount of `fen` fen.
    pub const fn new(fen: u64) -> Self {
        Self(fen)
    }

    /// The amount in fen.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// Parses a yuan amount written as a JSON number's shortest decimal form (`1.5`).
    fn from_json_number(text: &str) -> Result<Self, MoneyError> {
        text.parse()
    }
}

impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, MoneyError> {
        let syntax = || MoneyError::Syntax(s.to_owned());
        let (whole, fraction) = match s.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (s, ""),
        };
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(syntax());
        }
        if s.contains('.') && fraction.is_empty() {
            return Err(syntax());
        }
        // Trailing zeros past the second place are still a whole number of fen ("1.500").
        let significant = fraction.trim_end_matches('0');
        if significant.len() > 2 {
            return Err(MoneyError::Precision(s.to_owned()));
        }
        let overflow = || MoneyError::Overflow(s.to_owned());
        let yuan: u64 = whole.parse().map_err(|_| overflow())?;
        let mut fen: u64 = 0;
        for (place, scale) in significant.bytes().zip([10u64, 1]) {
            fen += u64::from(place - b'0') * scale;
        }
        yuan.checked_mul(100)
            .and_then(|v| v.checked_add(fen))
            .map(Fen)
            .ok_or_else(overflow)
    }
}

impl fmt::Display for Fen {
    /// Writes the amount in yuan with two places (`20007` fen is `200.07`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl<'de> Deserialize<'de> for Fen {
    /// Decodes a count of fen: a non-negative integer, as a number or a string.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::codec::int::deserialize(d).map(Fen)
    }
}

struct YuanVisitor;

impl Visitor<'_> for YuanVisitor {
    type Value = Fen;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount of yuan with at most two decimal places, like \"200.07\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Fen, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fen, E> {
        v.checked_mul(100)
            .map(Fen)
            .ok_or_else(|| E::custom(MoneyError::Overflow(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fen, E> {
        let v = u64::try_from(v).map_err(|_| E::custom(MoneyError::Syntax(v.to_string())))?;
        self.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fen, E> {
        // Rust prints the shortest decimal that reads back as the same double, which is the
        // decimal the sender wrote: `200.07` stays "200.07" and is then parsed exactly.
        Fen::from_json_number(&v.to_string()).map_err(E::custom)
    }
}

/// Serde codec for Taobao's yuan strings (`item_price`): decodes a string or number of yuan,
/// encodes a string with two places.
pub(crate) mod yuan {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Fen>, D::Error> {
        struct Opt;
        impl<'de> Visitor<'de> for Opt {
            type Value = Option<Fen>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                YuanVisitor.expecting(f)
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<Fen>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<Fen>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Fen>, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Fen>, E> {
                if v.is_empty() {
                    return Ok(None);
                }
                YuanVisitor.visit_str(v).map(Some)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Fen>, E> {
                YuanVisitor.visit_u64(v).map(Some)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Fen>, E> {
                YuanVisitor.visit_i64(v).map(Some)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Fen>, E> {
                YuanVisitor.visit_f64(v).map(Some)
            }
        }
        d.deserialize_any(Opt)
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<Fen>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(fen) => s.collect_str(fen),
            None => s.serialize_none(),
        }
    }
}
