//! WeChat's `errcode` values, named where documented, kept where not.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! codes {
    ($($(#[$meta:meta])* $name:ident = $code:literal, $text:literal;)*) => {
        /// A WeChat `errcode`.
        ///
        /// Codes this crate knows are named; any other is kept as [`ErrCode::Unknown`] with its
        /// value, so a new code never makes a response undecodable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum ErrCode {
            $($(#[$meta])* $name,)*
            /// A code this crate does not name.
            Unknown(i64),
        }

        impl ErrCode {
            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    $(Self::$name => $code,)*
                    Self::Unknown(code) => code,
                }
            }

            /// The code's meaning as documented, if known.
            pub fn description(self) -> Option<&'static str> {
                match self {
                    $(Self::$name => Some($text),)*
                    Self::Unknown(_) => None,
                }
            }

            /// Every named code, for tests and emulators.
            pub const KNOWN: &'static [ErrCode] = &[$(Self::$name,)*];
        }

        impl From<i64> for ErrCode {
            fn from(code: i64) -> Self {
                match code {
                    $($code => Self::$name,)*
                    other => Self::Unknown(other),
                }
            }
        }
    };
}

codes! {
    /// Success.
    #[default]
    Ok = 0, "ok";
    /// The system is busy; try again later.
    SystemBusy = -1, "system busy, try again later";
    /// `invalid credential`: the access token or app secret is wrong, or the token was replaced.
    InvalidCredential = 40001, "invalid credential: wrong secret or access_token";
    /// `grant_type` is not `client_credential`.
    InvalidGrantType = 40002, "invalid grant_type";
    /// The media id is wrong or expired.
    InvalidMediaId = 40007, "invalid media_id";
    /// The AppID is not valid.
    InvalidAppId = 40013, "invalid appid";
    /// The access token is not valid.
    InvalidAccessToken = 40014, "invalid access_token";
    /// The app secret is not valid.
    InvalidAppSecret = 40125, "invalid appsecret";
    /// The caller's IP is not on the app's allow list.
    IpNotAllowed = 40164, "caller ip not in whitelist";
    /// The access token has expired.
    AccessTokenExpired = 42001, "access_token expired";
    /// An empty POST body.
    EmptyBody = 44002, "empty post data";
    /// The daily call quota is used up.
    DailyQuotaExceeded = 45009, "daily api quota exceeded";
    /// Called too often this minute.
    RateLimited = 45011, "api minute-quota reached, try later";
    /// The user is outside the customer-service reply window.
    ReplyWindowClosed = 45015, "response out of time limit";
    /// The body is not valid JSON or XML.
    BadPayload = 47001, "data format error";
    /// The app has no permission for this API.
    ApiUnauthorized = 48001, "api unauthorized";
    /// Parameter exception.
    InvalidParameter = -10001, "parameter exception";
    /// Parameters do not match (e.g. a reply id of another comment).
    ParameterMismatch = -10003, "parameters do not match";
    /// The interface is called without permission.
    NoPermission = -10007, "no permission to call the interface";
    /// Service exception.
    ServiceError = -10008, "service exception";
    /// No permission to operate this review, comment or reply.
    NotYours = -10403, "no permission to operate this review/comment/reply";
    /// Settlement: not a bad review, or a template message was already sent; else bad parameters.
    NotApplicable = 10000, "settlement: not a bad review or already messaged; otherwise parameter anomaly";
}

impl ErrCode {
    /// Whether this is success.
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }
}

impl fmt::Display for ErrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.description() {
            Some(text) => write!(f, "{} ({text})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

impl Serialize for ErrCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for ErrCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::codec::int::deserialize::<D, i64>(d).map(Self::from)
    }
}
