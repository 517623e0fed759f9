//! Integers that arrive as JSON numbers or as decimal strings.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// An integer type the lenient visitor can produce.
pub(crate) trait Int: Sized + Copy + FromStr + fmt::Display + Serialize {
    fn from_u64(v: u64) -> Option<Self>;
    fn from_i64(v: i64) -> Option<Self>;
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            fn from_u64(v: u64) -> Option<Self> { Self::try_from(v).ok() }
            fn from_i64(v: i64) -> Option<Self> { Self::try_from(v).ok() }
        }
    )*};
}
int!(u8, u16, u32, u64, i32, i64);

/// The largest integer a JSON double carries exactly (2^53).
const EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

struct Lenient<T>(PhantomData<T>);

impl<T: Int> Visitor<'_> for Lenient<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an integer ({}) as a number or a decimal string",
            std::any::type_name::<T>()
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_u64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // `100.0` is an integer written by a JavaScript serializer; `1.5` is not.
        let integral = v.fract() == 0.0 && v.abs() <= EXACT_FLOAT;
        if integral {
            #[allow(clippy::cast_possible_truncation)]
            let as_int = v as i64;
            if let Some(value) = T::from_i64(as_int) {
                return Ok(value);
            }
        }
        Err(E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// Decodes a number or a decimal string.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Int>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(Lenient(PhantomData))
}

struct LenientOpt<T>(PhantomData<T>);

impl<'de, T: Int> Visitor<'de> for LenientOpt<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Lenient::<T>(PhantomData).expecting(f)?;
        f.write_str(", an empty string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        Lenient(PhantomData).visit_u64(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        Lenient(PhantomData).visit_i64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        Lenient(PhantomData).visit_f64(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        if v.is_empty() {
            return Ok(None);
        }
        Lenient(PhantomData).visit_str(v).map(Some)
    }
}

/// Decodes an optional number or decimal string; `null` and `""` are absent.
pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>, T: Int>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_any(LenientOpt(PhantomData))
}

/// Decodes leniently, encodes as a JSON number.
pub(crate) mod number {
    pub(crate) use super::deserialize;

    pub(crate) fn serialize<S: serde::Serializer, T: super::Int>(
        v: &T,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// Optional, decodes leniently, encodes as a JSON number.
pub(crate) mod opt_number {
    pub(crate) use super::deserialize_opt as deserialize;

    pub(crate) fn serialize<S: serde::Serializer, T: super::Int>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => v.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Serializes an integer as a string; used by types that encode by hand.
pub(crate) fn serialize_as_string<S: Serializer, T: Int>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}
