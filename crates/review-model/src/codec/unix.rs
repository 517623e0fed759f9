//! Unix-second timestamps that arrive as numbers or strings.

use jiff::Timestamp;
use serde::de::{self, Deserializer};
use serde::ser::Serializer;

fn from_seconds<E: de::Error>(seconds: i64) -> Result<Timestamp, E> {
    Timestamp::from_second(seconds).map_err(|_| {
        E::invalid_value(
            de::Unexpected::Signed(seconds),
            &"Unix seconds within the years -9999..=9999",
        )
    })
}

/// Decodes Unix seconds given as a number or a string.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    from_seconds(super::int::deserialize::<D, i64>(d)?)
}

/// Decodes optional Unix seconds; `null`, `""` and a missing field are absent.
pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Timestamp>, D::Error> {
    super::int::deserialize_opt::<D, i64>(d)?
        .map(from_seconds)
        .transpose()
}

/// Encodes as a JSON number of seconds.
pub(crate) mod number {
    pub(crate) use super::deserialize;

    pub(crate) fn serialize<S: super::Serializer>(
        t: &super::Timestamp,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.as_second())
    }
}

/// Encodes as a decimal string of seconds.
pub(crate) mod string {
    pub(crate) use super::deserialize;

    pub(crate) fn serialize<S: super::Serializer>(
        t: &super::Timestamp,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.as_second())
    }
}

/// Optional, encoded as a JSON number of seconds.
pub(crate) mod opt_number {
    pub(crate) use super::deserialize_opt as deserialize;

    pub(crate) fn serialize<S: super::Serializer>(
        t: &Option<super::Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_i64(t.as_second()),
            None => s.serialize_none(),
        }
    }
}

/// Optional, encoded as a decimal string of seconds.
pub(crate) mod opt_string {
    pub(crate) use super::deserialize_opt as deserialize;

    pub(crate) fn serialize<S: super::Serializer>(
        t: &Option<super::Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(&t.as_second()),
            None => s.serialize_none(),
        }
    }
}
