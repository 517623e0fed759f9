//! `null` where the documents promise an object, a list or a string.

use serde::{Deserialize, Deserializer};

/// Decodes `null` (or a missing field, with `#[serde(default)]`) as the type's default.
pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
