//! What an answer counts as in the stats, put on the response where it is made: the producer
//! knows the code without reading the body back, so counting costs the hot path nothing.

use axum::response::Response;

/// The `answers` key of a response, as an extension of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Answer {
    /// A platform's code: WeChat's `errcode` (0 for success) or the gateway's `code`.
    Code(i64),
    /// An answer cut off by the fault layer: the client never reads its code.
    Dropped,
    /// An answer without a platform code (a 404, a 405, a fault's HTML page): its HTTP status.
    /// Never put on a response; the stats layer falls back to it.
    Http(u16),
    /// A refusal by the request quota, counted apart from its code.
    Throttled(Throttled),
}

/// Which platform's request quota refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Throttled {
    /// WeChat's 45011.
    Wechat,
    /// The fw199 gateway's 10007.
    Fw199,
}

impl Answer {
    /// The key in `answers`: `"0"`, `"45009"`, `"10001"`, `"dropped"`, `"http_405"`,
    /// `"quota_wechat"`.
    pub(crate) fn key(self) -> String {
        match self {
            Self::Code(code) => code.to_string(),
            Self::Dropped => "dropped".to_owned(),
            Self::Http(status) => format!("http_{status}"),
            Self::Throttled(Throttled::Wechat) => "quota_wechat".to_owned(),
            Self::Throttled(Throttled::Fw199) => "quota_fw199".to_owned(),
        }
    }
}

/// Marks a token answer that issued a token never issued before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Minted;

/// `response`, counted as an answer with `code`.
pub(crate) fn coded(mut response: Response, code: i64) -> Response {
    response.extensions_mut().insert(Answer::Code(code));
    response
}

/// `response`, counted as cut off.
pub(crate) fn dropped(mut response: Response) -> Response {
    response.extensions_mut().insert(Answer::Dropped);
    response
}

/// `response`, counted as a refusal by `platform`'s request quota (whatever its code).
pub(crate) fn throttled(mut response: Response, platform: Throttled) -> Response {
    response
        .extensions_mut()
        .insert(Answer::Throttled(platform));
    response
}

/// `response`, counted as having minted a token.
pub(crate) fn minted(mut response: Response) -> Response {
    response.extensions_mut().insert(Minted);
    response
}
