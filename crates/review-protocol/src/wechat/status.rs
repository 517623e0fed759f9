//! Reading `errcode` and the payload in one pass.
//!
//! WeChat puts `errcode` and `errmsg` beside the payload fields of the same object. Decoding the
//! status first and the payload after reads every body twice; [`WithStatus`] instead lends the
//! payload's decoder a view of the object with the status keys taken out, so a success costs one
//! pass.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use review_model::wechat::ErrCode;
use serde::de::value::{CowStrDeserializer, MapAccessDeserializer};
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A payload and the status keys that came with it.
pub(crate) struct WithStatus<T> {
    pub(crate) errcode: ErrCode,
    pub(crate) errmsg: Option<String>,
    pub(crate) body: T,
}

#[derive(Default)]
struct Status {
    errcode: Option<ErrCode>,
    errmsg: Option<String>,
}

/// The object minus `errcode` and `errmsg`, which are stored aside as they pass.
struct Intercept<'s, A> {
    inner: A,
    status: &'s mut Status,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Intercept<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<Cow<'de, str>>()? else {
                return Ok(None);
            };
            match key.as_ref() {
                "errcode" => self.status.errcode = Some(self.inner.next_value()?),
                "errmsg" => self.status.errmsg = self.inner.next_value()?,
                _ => return seed.deserialize(CowStrDeserializer::new(key)).map(Some),
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}

struct WithStatusVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for WithStatusVisitor<T> {
    type Value = WithStatus<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a WeChat answer object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WithStatus<T>, A::Error> {
        let mut status = Status::default();
        let body = T::deserialize(MapAccessDeserializer::new(Intercept {
            inner: map,
            status: &mut status,
        }))?;
        Ok(WithStatus {
            errcode: status.errcode.unwrap_or_default(),
            errmsg: status.errmsg,
            body,
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for WithStatus<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(WithStatusVisitor(PhantomData))
    }
}
