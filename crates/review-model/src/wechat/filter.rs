//! `filterType` of the comment list.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// Which evaluations the list endpoint returns (`filterType`), with exactly the documented meaning.
///
/// Names (`bad`, `positive`, ...) are what the command line accepts; the numbers are the wire form.
///
/// ```
/// use review_model::wechat::FilterType;
///
/// let filter: FilterType = "pending-compromise".parse()?;
/// assert_eq!(filter, FilterType::PendingCompromise);
/// assert_eq!(filter.code(), 3);
/// # Ok::<(), review_model::wechat::UnknownFilter>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterType {
    /// 1: all bad reviews (one and two stars).
    Bad,
    /// 2: all positive reviews (four and five stars).
    Positive,
    /// 3: bad reviews whose settlement ("reconciliation") has not been submitted.
    PendingCompromise,
    /// 4: reviews awaiting the developer's reply.
    AwaitingReply,
    /// 5: bad reviews the buyer has since revised.
    Revised,
    /// 6: every review (bad, neutral and positive).
    All,
}

/// A filter name or number the list endpoint does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown filter {0:?}: expected one of bad, positive, pending-compromise, awaiting-reply, revised, all (or 1-6)"
)]
pub struct UnknownFilter(String);

impl FilterType {
    /// Every filter, in wire order.
    pub const ALL: [FilterType; 6] = [
        Self::Bad,
        Self::Positive,
        Self::PendingCompromise,
        Self::AwaitingReply,
        Self::Revised,
        Self::All,
    ];

    /// The wire value (1..=6).
    pub fn code(self) -> u8 {
        match self {
            Self::Bad => 1,
            Self::Positive => 2,
            Self::PendingCompromise => 3,
            Self::AwaitingReply => 4,
            Self::Revised => 5,
            Self::All => 6,
        }
    }

    /// The filter with this wire value.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|f| u64::from(f.code()) == code)
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bad => "bad",
            Self::Positive => "positive",
            Self::PendingCompromise => "pending-compromise",
            Self::AwaitingReply => "awaiting-reply",
            Self::Revised => "revised",
            Self::All => "all",
        }
    }
}

impl fmt::Display for FilterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FilterType {
    type Err = UnknownFilter;

    /// Accepts a name or a wire number.
    fn from_str(s: &str) -> Result<Self, UnknownFilter> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == s || f.code().to_string() == s)
            .ok_or_else(|| UnknownFilter(s.to_owned()))
    }
}

impl Serialize for FilterType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for FilterType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code: u64 = crate::codec::int::deserialize(d)?;
        Self::from_code(code).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Unsigned(code), &"a filterType from 1 to 6")
        })
    }
}
