//! The counts as the sandbox reports them, in Rust and as `GET /sandbox/stats`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the sandbox has served since it started or since the last reset, as
/// [`Sandbox::stats`](crate::Sandbox::stats) and `GET /sandbox/stats` report it:
///
/// ```json
/// {"token_requests":{"plain":3,"stable":1},"tokens_minted":3,
///  "requests":{"/cgi-bin/token":3,"/cgi-bin/stable_token":1},
///  "answers":{"0":3,"45009":1}}
/// ```
///
/// Requests under `/sandbox/` (these admin routes) are never counted, so reading the stats
/// does not change them. Each counter is exact; a snapshot taken while requests are served may
/// hold a request in `requests` whose answer is not in `answers` yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxStats {
    /// Calls of the two token endpoints with their method, refused ones included (a request
    /// with another method is a 405, counted only in `requests` and `answers`).
    pub token_requests: TokenRequests,
    /// Distinct tokens issued: every successful `/cgi-bin/token` call, and the stable-token
    /// calls that issued a new token rather than the current one.
    pub tokens_minted: u64,
    /// Requests by path, whatever their method, counted as they arrive; only paths with at
    /// least one request appear. Paths outside the protocol's endpoint lists count under their
    /// own path up to 256 distinct ones, then under `"(other)"`.
    pub requests: BTreeMap<String, u64>,
    /// Answers by their code, counted as they are handed to the server: WeChat's `errcode`
    /// (`"0"` for success), the fw199 gateway's `code` (`"0"` for success), `"dropped"` for an
    /// answer the fault layer cut off, and `"http_STATUS"` for an answer without a platform
    /// code: `"http_404"` for an unknown path, `"http_405"` for a wrong method, `"http_413"`
    /// for an oversized body, `"http_502"`/`"http_503"` for a fault's HTML page. A refusal by
    /// the request quota ([`SandboxBuilder::quota_per_minute`]) counts under `"quota_wechat"`
    /// (its body says `errcode` 45011) or `"quota_fw199"` (`code` 10007), not under its code,
    /// so that `"45011"` keeps counting the forced refreshes too soon and the injected faults
    /// alone. An answer the client hung up on before it was ready (a slow-response fault) is
    /// not counted.
    ///
    /// The counts are the whole sandbox's, every tenant together.
    ///
    /// [`SandboxBuilder::quota_per_minute`]: crate::SandboxBuilder::quota_per_minute
    pub answers: BTreeMap<String, u64>,
}

/// Calls of the token endpoints, by endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenRequests {
    /// `GET /cgi-bin/token`.
    pub plain: u64,
    /// `POST /cgi-bin/stable_token`.
    pub stable: u64,
}
