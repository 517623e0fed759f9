//! One error type for every endpoint of every platform.

use std::fmt;

use review_model::Platform;
use review_model::wechat::ErrCode;

/// The gateway's "calls per minute spent" code (the sandbox's; the fw199 document lists none).
const FW199_RATE_LIMITED: i64 = 10_007;

/// How many characters of a body an error shows.
const EXCERPT: usize = 200;

/// A parameter refused before any request was built.
///
/// ```
/// use review_protocol::wechat::AddReply;
///
/// let err = AddReply::new("123".into(), "  ").validate().unwrap_err();
/// assert_eq!(err.to_string(), "invalid `content`: the reply text is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{param}`: {problem}")]
pub struct BuildError {
    param: &'static str,
    problem: String,
}

impl BuildError {
    /// A refusal of `param` for `problem`.
    pub fn new(param: &'static str, problem: impl Into<String>) -> Self {
        Self {
            param,
            problem: problem.into(),
        }
    }

    /// The parameter at fault, as the platform names it.
    pub fn param(&self) -> &'static str {
        self.param
    }
}

/// How a platform asked to be called less ([`Error::throttle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Throttle {
    /// A quota of calls per window is spent: nothing passes before the next window starts.
    Quota,
    /// The platform is busy: a short wait may do.
    Busy,
}

/// The platform's own code for a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiCode {
    /// A WeChat `errcode`.
    Wechat(ErrCode),
    /// An fw199 envelope `code`.
    Fw199(i64),
    /// A Taobao TOP error passed through the gateway.
    Top {
        /// The TOP code.
        code: i64,
        /// The detailed code (`isv.invalid-parameter`).
        sub_code: Option<String>,
    },
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wechat(code) => write!(f, "{code}"),
            Self::Fw199(code) => write!(f, "{code}"),
            Self::Top {
                code,
                sub_code: Some(sub),
            } => write!(f, "{code} ({sub})"),
            Self::Top {
                code,
                sub_code: None,
            } => write!(f, "{code}"),
        }
    }
}

/// The platform answered and said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Which platform.
    pub platform: Platform,
    /// Its code.
    pub code: ApiCode,
    /// Its message, as sent.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = match self.platform {
            Platform::Wechat => "WeChat",
            Platform::Taobao => "fw199",
        };
        write!(f, "{platform} error {}", self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// A non-2xx answer: something between us and the API (a proxy, a gateway) or the API itself
/// failed at the HTTP level.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpError {
    status: http::StatusCode,
    excerpt: String,
}

impl HttpError {
    /// The status.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The start of the body, on one line, secrets masked.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.excerpt.is_empty() {
            write!(f, ": {}", self.excerpt)?;
        }
        Ok(())
    }
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpError")
            .field("status", &self.status)
            .field("excerpt", &self.excerpt)
            .finish()
    }
}

/// An answer whose body did not decode. Keeps the raw body for whoever must investigate.
#[derive(Clone)]
pub struct DecodeFailure {
    path: String,
    message: String,
    body: Vec<u8>,
}

impl DecodeFailure {
    pub(crate) fn new(err: &review_model::DecodeError, body: &[u8]) -> Self {
        Self {
            path: err.path().to_owned(),
            message: err.to_string(),
            body: body.to_vec(),
        }
    }

    pub(crate) fn message(message: impl Into<String>, body: &[u8]) -> Self {
        Self {
            path: String::new(),
            message: message.into(),
            body: body.to_vec(),
        }
    }

    /// The serde path of the failing field (`commentList[0].score`); empty for syntax errors.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The body exactly as received. It may hold secrets (a token answer): never log it whole.
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the answer: {} (body: {})",
            self.message,
            crate::redact::excerpt(&self.body, EXCERPT)
        )
    }
}

impl fmt::Debug for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeFailure")
            .field("path", &self.path)
            .field("message", &self.message)
            .field("body", &crate::redact::excerpt(&self.body, EXCERPT))
            .finish()
    }
}

/// Everything that can go wrong between building a request and typing its answer.
///
/// No variant's `Display` or `Debug` shows an access token or a secret: bodies are excerpted
/// through [`redact`](crate::redact).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter was refused before the request was built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The platform refused the call.
    #[error("{0}")]
    Api(ApiError),
    /// The answer was not 2xx.
    #[error("{0}")]
    Http(HttpError),
    /// The answer did not decode.
    #[error("{0}")]
    Decode(DecodeFailure),
}

impl Error {
    pub(crate) fn http(status: http::StatusCode, body: &[u8]) -> Self {
        Self::Http(HttpError {
            status,
            excerpt: crate::redact::excerpt(body, EXCERPT),
        })
    }

    pub(crate) fn wechat(code: ErrCode, message: Option<String>) -> Self {
        Self::Api(ApiError {
            platform: Platform::Wechat,
            code: ApiCode::Wechat(code),
            message: message.unwrap_or_default(),
        })
    }

    /// The WeChat `errcode`, if this is a WeChat refusal.
    pub fn wechat_code(&self) -> Option<ErrCode> {
        match self {
            Self::Api(ApiError {
                code: ApiCode::Wechat(code),
                ..
            }) => Some(*code),
            _ => None,
        }
    }

    /// Whether the same call may succeed if sent again later: the platform was busy
    /// (WeChat -1, -10008), rate-limited (45011), or the answer was a 5xx.
    ///
    /// Whether it is *safe* to send again is a separate question: see
    /// [`Endpoint::idempotent`](crate::Endpoint::idempotent).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(_) => matches!(
                self.wechat_code(),
                Some(ErrCode::SystemBusy | ErrCode::ServiceError | ErrCode::RateLimited)
            ),
            Self::Http(http) => http.status.is_server_error(),
            Self::Build(_) | Self::Decode(_) => false,
        }
    }

    /// Whether, and how, the platform asked to be called less: a quota of calls per window
    /// is spent (WeChat 45011, "retry next minute"; Taobao TOP 7, "App Call Limited", as the
    /// gateway passes it through; the gateway's own 10007, which its document does not list
    /// but the sandbox answers for its per-minute quota) or the platform is busy (WeChat -1,
    /// HTTP 429 or 503).
    /// A [`Concurrent`](crate::concurrent::Concurrent) walk slows down on these instead of
    /// retrying them at once.
    pub fn throttle(&self) -> Option<Throttle> {
        match self {
            Self::Api(ApiError { code, .. }) => match code {
                ApiCode::Wechat(ErrCode::RateLimited)
                | ApiCode::Top { code: 7, .. }
                | ApiCode::Fw199(FW199_RATE_LIMITED) => Some(Throttle::Quota),
                ApiCode::Wechat(ErrCode::SystemBusy) => Some(Throttle::Busy),
                _ => None,
            },
            Self::Http(http)
                if matches!(
                    http.status,
                    http::StatusCode::TOO_MANY_REQUESTS | http::StatusCode::SERVICE_UNAVAILABLE
                ) =>
            {
                Some(Throttle::Busy)
            }
            _ => None,
        }
    }

    /// Whether the access token was refused (40001, 40014, 42001): refresh it and send again,
    /// as [`TokenCache::on_token_error`](crate::wechat::token_cache::TokenCache::on_token_error) says (at
    /// once for an old token, else within the retry budget). WeChat refuses the token before
    /// executing the call, so even a write may be sent again.
    pub fn is_token_error(&self) -> bool {
        matches!(
            self.wechat_code(),
            Some(
                ErrCode::InvalidCredential
                    | ErrCode::InvalidAccessToken
                    | ErrCode::AccessTokenExpired
            )
        )
    }
}
