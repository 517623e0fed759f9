//! The enumerations of the trade-rate search: `rate_type`, `role`, `result`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A value the trade-rate API does not accept for this parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {param} {found:?}: expected one of {expected}")]
pub struct UnknownValue {
    param: &'static str,
    found: String,
    expected: &'static str,
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $param:literal, $expected:literal {
        $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$(Self::$variant,)*];

            /// The wire value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($wire => Ok(Self::$variant),)*
                    _ => Err(UnknownValue { param: $param, found: s.to_owned(), expected: $expected }),
                }
            }
        }
    };
}

wire_enum!(
    /// Whether the rates were received or given by the seller (`rate_type`).
    RateType, "rate_type", "get, give" {
        /// `get`: rates the shop received.
        Get = "get",
        /// `give`: rates the shop gave.
        Give = "give",
    }
);

wire_enum!(
    /// Who wrote the rate (`role`).
    ///
    /// With `rate_type`: `get` + `buyer` are buyers' rates of the shop (what merchants read),
    /// `give` + `seller` are the shop's rates of buyers.
    Role, "role", "buyer, seller" {
        /// `seller`.
        Seller = "seller",
        /// `buyer`.
        Buyer = "buyer",
    }
);

wire_enum!(
    /// The verdict of a rate (`result`).
    RateResult, "result", "good, neutral, bad" {
        /// `good` (好评).
        Good = "good",
        /// `neutral` (中评).
        Neutral = "neutral",
        /// `bad` (差评).
        Bad = "bad",
    }
);

impl RateResult {
    /// The sentiment this verdict stands for.
    pub fn sentiment(self) -> crate::Sentiment {
        match self {
            Self::Good => crate::Sentiment::Positive,
            Self::Neutral => crate::Sentiment::Neutral,
            Self::Bad => crate::Sentiment::Negative,
        }
    }
}
