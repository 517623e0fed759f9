//! Credentials that must never reach a log line, a `Debug` output or an error message.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! secret {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// `Debug` prints `***`; there is no `Display`. Read the value with `expose_secret` only
        /// where it goes on the wire.
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself, for the request that needs it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

secret!(
    /// An app secret (WeChat `secret`, fw199 `app_secret`).
    Secret
);
secret!(
    /// A WeChat `access_token`.
    AccessToken
);
