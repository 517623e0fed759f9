//! The faults the sandbox can inject, with the names the command line uses.

use std::fmt;
use std::str::FromStr;

/// A fault the sandbox can inject, so a client's retry and idempotency rules can be tested
/// against every failure WeChat and the fw199 gateway are known to produce.
///
/// Which requests a kind applies to:
/// - the WeChat `errcode` kinds and [`TokenExpired`](Self::TokenExpired) only to WeChat calls
///   (the fw199 gateway has no equivalent a client could act on);
/// - the HTTP-level kinds to WeChat and Taobao calls alike;
/// - [`WriteRefused`](Self::WriteRefused) and [`WriteAnswerLost`](Self::WriteAnswerLost) only to
///   writes (the WeChat endpoints the protocol's metadata marks not idempotent: the comment
///   writes and `/cgi-bin/message/custom/send`).
///
/// The token endpoints and `/sandbox/*` are never faulted, so a client can always recover.
///
/// ```
/// use review_sandbox::FaultKind;
///
/// let kind: FaultKind = "write-answer-lost".parse()?;
/// assert_eq!(kind, FaultKind::WriteAnswerLost);
/// assert_eq!(kind.to_string(), "write-answer-lost");
/// assert!(FaultKind::ALL.iter().all(|k| k.name().parse::<FaultKind>() == Ok(*k)));
/// # Ok::<(), review_sandbox::UnknownFaultKind>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// WeChat `-1` ("system error"), HTTP 200. On a write: refused, not executed.
    SystemBusy,
    /// WeChat `-10008` (service error), HTTP 200. On a write: refused, not executed.
    ServiceError,
    /// WeChat `45011` (per-minute quota), HTTP 200. On a write: refused, not executed.
    RateLimited,
    /// HTTP 502 with an HTML body, as a gateway in front of the API sends. On a write: not
    /// executed (but a client cannot know that).
    BadGateway,
    /// HTTP 503 with an HTML body. On a write: not executed (but a client cannot know that).
    ServiceUnavailable,
    /// The status line, the headers and part of the body arrive, then the connection drops.
    /// On a write: executed first, and the record is marked `answer_lost`.
    DroppedConnection,
    /// The answer is held back for the configured `slow_response` (longer than a client's
    /// timeout), then sent. On a write: executed first; marked `answer_lost` when the client
    /// is seen to give up before the answer.
    SlowResponse,
    /// Every access token issued so far expires early: this call and any other with an old token
    /// is refused with `42001` until the client fetches a new one.
    TokenExpired,
    /// Writes only: refused before execution with one of the error answers above (`-1`,
    /// `-10008`, `45011`, 502 or 503), chosen by the seed.
    WriteRefused,
    /// Writes only: executed, recorded with `answer_lost`, then the answer is lost (the
    /// connection drops mid-body, or a 502 comes back), chosen by the seed.
    WriteAnswerLost,
}

/// A fault name that [`FaultKind`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {0:?}: expected one of {names}", names = FaultKind::names())]
pub struct UnknownFaultKind(String);

impl FaultKind {
    /// Every fault, in a fixed order (the order faults are drawn from).
    pub const ALL: &'static [FaultKind] = &[
        Self::SystemBusy,
        Self::ServiceError,
        Self::RateLimited,
        Self::BadGateway,
        Self::ServiceUnavailable,
        Self::DroppedConnection,
        Self::SlowResponse,
        Self::TokenExpired,
        Self::WriteRefused,
        Self::WriteAnswerLost,
    ];

    /// The name the command line's `--fault-kinds` accepts (`system-busy`, `bad-gateway`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::SystemBusy => "system-busy",
            Self::ServiceError => "service-error",
            Self::RateLimited => "rate-limited",
            Self::BadGateway => "bad-gateway",
            Self::ServiceUnavailable => "service-unavailable",
            Self::DroppedConnection => "dropped-connection",
            Self::SlowResponse => "slow-response",
            Self::TokenExpired => "token-expired",
            Self::WriteRefused => "write-refused",
            Self::WriteAnswerLost => "write-answer-lost",
        }
    }

    /// Every name, comma-separated, for help texts and error messages.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether this kind only ever touches writes.
    pub fn writes_only(self) -> bool {
        matches!(self, Self::WriteRefused | Self::WriteAnswerLost)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = UnknownFaultKind;

    /// Accepts the names, case-insensitively, and the codes they stand for (`-1`, `-10008`,
    /// `45011`, `502`, `503`, `42001`).
    fn from_str(s: &str) -> Result<Self, UnknownFaultKind> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        let by_code = match wanted.as_str() {
            "-1" => Some(Self::SystemBusy),
            "-10008" => Some(Self::ServiceError),
            "45011" => Some(Self::RateLimited),
            "502" => Some(Self::BadGateway),
            "503" => Some(Self::ServiceUnavailable),
            "42001" => Some(Self::TokenExpired),
            _ => None,
        };
        by_code
            .or_else(|| Self::ALL.iter().copied().find(|k| k.name() == wanted))
            .ok_or_else(|| UnknownFaultKind(s.to_owned()))
    }
}
