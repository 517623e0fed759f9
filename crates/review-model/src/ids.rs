//! Identifiers as distinct types, so a reply id is never passed where a comment id belongs.
//!
//! WeChat ids are ~19-digit decimals, beyond the 2^53 a JSON double carries exactly, so they are
//! kept as strings. They decode from a string or an integer and always encode as a string.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// An id was empty or had surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} must be a non-empty id without spaces, found {found:?}")]
pub struct IdError {
    kind: &'static str,
    found: String,
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id received from the platform.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            /// Parses user input, refusing empty ids and ids with whitespace.
            fn from_str(s: &str) -> Result<Self, IdError> {
                if s.is_empty() || s.chars().any(char::is_whitespace) {
                    return Err(IdError { kind: $label, found: s.to_owned() });
                }
                Ok(Self(s.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(IdVisitor($label)).map(Self)
            }
        }
    };
}

struct IdVisitor(&'static str);

impl Visitor<'_> for IdVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as a non-empty string or an integer", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if v.is_empty() {
            return Err(E::invalid_value(de::Unexpected::Str(v), &self));
        }
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        if v.is_empty() {
            return Err(E::invalid_value(de::Unexpected::Str(&v), &self));
        }
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

string_id!(
    /// A WeChat evaluation id (`commentId`).
    CommentId,
    "a comment id"
);
string_id!(
    /// The id of the merchant's first reply to a comment (`replyId`).
    ReplyId,
    "a reply id"
);
string_id!(
    /// The id of a follow-up reply under the first one (`commentReplyId`).
    CommentReplyId,
    "a follow-up reply id"
);
string_id!(
    /// A user's openid within one mini program.
    OpenId,
    "an openid"
);
string_id!(
    /// A temporary media id from `/cgi-bin/media/upload` (valid three days).
    MediaId,
    "a media id"
);
string_id!(
    /// A WeChat mini program AppID (`wx...`).
    AppId,
    "an appid"
);
