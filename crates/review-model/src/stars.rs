//! Star ratings, and WeChat's `score` (100 per star).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::Sentiment;

/// A rating of one to five stars.
///
/// WeChat sends it as `score`, 100 points per star: build it with [`Stars::from_score`].
///
/// ```
/// use review_model::Stars;
///
/// let stars = Stars::from_score(200)?;
/// assert_eq!(stars.get(), 2);
/// assert!(Stars::from_score(0).is_err());
/// assert!(Stars::from_score(600).is_err());
/// # Ok::<(), review_model::StarsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Stars(u8);

/// A star count or score that is not a rating.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StarsError {
    /// Stars outside 1..=5.
    #[error("{0} stars is out of range: expected 1 to 5")]
    Stars(u64),
    /// A score outside 100..=500.
    #[error("score {0} is out of range: expected 100 to 500 (100 per star)")]
    Score(u64),
    /// A score that is not a whole number of stars.
    #[error("score {0} is not a whole number of stars (100 per star)")]
    Fraction(u64),
}

impl Stars {
    /// The lowest rating.
    pub const ONE: Stars = Stars(1);
    /// The highest rating.
    pub const FIVE: Stars = Stars(5);

    /// A rating of `stars` stars.
    pub fn new(stars: u8) -> Result<Self, StarsError> {
        if (1..=5).contains(&stars) {
            Ok(Self(stars))
        } else {
            Err(StarsError::Stars(stars.into()))
        }
    }

    /// The rating a WeChat `score` stands for (`200` is two stars).
    pub fn from_score(score: u64) -> Result<Self, StarsError> {
        if !(100..=500).contains(&score) {
            return Err(StarsError::Score(score));
        }
        if !score.is_multiple_of(100) {
            return Err(StarsError::Fraction(score));
        }
        let stars = u8::try_from(score / 100).map_err(|_| StarsError::Score(score))?;
        Ok(Self(stars))
    }

    /// The number of stars, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// WeChat's `score` for this rating.
    pub fn score(self) -> u16 {
        u16::from(self.0) * 100
    }

    /// The sentiment WeChat's filters assign: 1–2 negative, 3 neutral, 4–5 positive.
    pub fn sentiment(self) -> Sentiment {
        match self.0 {
            1 | 2 => Sentiment::Negative,
            3 => Sentiment::Neutral,
            _ => Sentiment::Positive,
        }
    }
}

impl From<Stars> for u8 {
    fn from(stars: Stars) -> u8 {
        stars.0
    }
}

impl fmt::Display for Stars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Stars {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stars: u64 = crate::codec::int::deserialize(d)?;
        u8::try_from(stars)
            .map_err(|_| StarsError::Stars(stars))
            .and_then(Stars::new)
            .map_err(de::Error::custom)
    }
}

/// Serde codec for WeChat's `score` field: decodes a score (number or string), encodes the score.
pub(crate) mod score {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Stars, D::Error> {
        let score: u64 = crate::codec::int::deserialize(d)?;
        Stars::from_score(score).map_err(de::Error::custom)
    }

    pub(crate) fn serialize<S: Serializer>(stars: &Stars, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(stars.score())
    }
}

/// Serde codec for an optional `score`: `null`, `""` and a missing field are absent.
pub(crate) mod opt_score {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Stars>, D::Error> {
        crate::codec::int::deserialize_opt::<D, u64>(d)?
            .map(|score| Stars::from_score(score).map_err(de::Error::custom))
            .transpose()
    }

    pub(crate) fn serialize<S: Serializer>(stars: &Option<Stars>, s: S) -> Result<S::Ok, S::Error> {
        match stars {
            Some(stars) => s.serialize_u16(stars.score()),
            None => s.serialize_none(),
        }
    }
}
