//! What goes wrong with a Redis store, in one line that names the server and no secret.

use std::time::Duration;

use redis::RedisError;
use review_protocol::wechat::token_share::StoreFailure;

/// Why a [`RedisBackend`](crate::RedisBackend) could not connect or carry out an operation.
///
/// Every message is one line naming `host:port` (never the password), so that it can be shown
/// as is: an operation's failure reaches the caller as a [`StoreFailure`] with this text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL is not of the form `redis://[user:password@]host:port/db`.
    #[error("invalid Redis URL {url}: {reason}")]
    InvalidUrl {
        /// The URL without user, password or query (or a placeholder if it does not parse).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing answered at the address, or not within the connect timeout.
    #[error("Redis at {addr} is unreachable: {reason}")]
    Unreachable {
        /// `host:port`.
        addr: String,
        /// `connection refused`, `no answer within 2s`, a name that does not resolve.
        reason: String,
    },
    /// Redis answered but refused the connection's setup (a wrong password, no such database).
    #[error("Redis at {addr} refused the connection: {reason}")]
    Refused {
        /// `host:port`.
        addr: String,
        /// Redis's reason.
        reason: String,
    },
    /// A command got no answer within the response timeout: a store that hangs fails the
    /// call rather than hanging it.
    #[error("Redis at {addr} did not answer within {timeout:?}")]
    Timeout {
        /// `host:port`.
        addr: String,
        /// The response timeout.
        timeout: Duration,
    },
    /// A command failed (the connection dropped twice, Redis refused the command).
    #[error("Redis at {addr} could not {action}: {reason}")]
    Failed {
        /// `host:port`.
        addr: String,
        /// What was being done: `load the token record`, `take the refresh lock`.
        action: &'static str,
        /// Why.
        reason: String,
    },
    /// The async face was polled outside a tokio runtime, which its connection needs.
    #[error(
        "the Redis store at {addr} was used outside a tokio runtime, which its async face needs"
    )]
    NoRuntime {
        /// `host:port`.
        addr: String,
    },
}

impl From<RedisStoreError> for StoreFailure {
    fn from(err: RedisStoreError) -> Self {
        StoreFailure::new(err.to_string())
    }
}

/// The error of opening a connection to `addr`.
pub(crate) fn connecting(err: &RedisError, addr: &str, timeout: Duration) -> RedisStoreError {
    let addr = addr.to_owned();
    if err.is_timeout() {
        RedisStoreError::Unreachable {
            addr,
            reason: format!("no answer within {timeout:?}"),
        }
    } else if err.is_io_error() || err.is_connection_dropped() || err.is_connection_refusal() {
        RedisStoreError::Unreachable {
            addr,
            reason: reason(err),
        }
    } else {
        RedisStoreError::Refused {
            addr,
            reason: reason(err),
        }
    }
}

/// The error of a command on an open connection to `addr`.
pub(crate) fn commanding(
    err: &RedisError,
    addr: &str,
    action: &'static str,
    timeout: Duration,
) -> RedisStoreError {
    let addr = addr.to_owned();
    if err.is_timeout() {
        RedisStoreError::Timeout { addr, timeout }
    } else if err.is_connection_refusal() {
        RedisStoreError::Unreachable {
            addr,
            reason: reason(err),
        }
    } else {
        RedisStoreError::Failed {
            addr,
            action,
            reason: reason(err),
        }
    }
}

/// Redis's reason, on one line. An unknown command's error quotes its first arguments, which
/// for a write are the record and its token: the quote is cut off.
fn reason(err: &RedisError) -> String {
    if err.is_connection_refusal() {
        return "connection refused".to_owned();
    }
    let text = err.to_string();
    let text = match text.find(", with args beginning with") {
        Some(cut) => text.get(..cut).unwrap_or_default(),
        None => text.as_str(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        err.category().to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn messages_are_one_line_and_name_the_server() {
        let refused = RedisError::from(io::Error::from(io::ErrorKind::ConnectionRefused));
        let err = connecting(&refused, "127.0.0.1:1", Duration::from_secs(2));
        assert_eq!(
            err.to_string(),
            "Redis at 127.0.0.1:1 is unreachable: connection refused"
        );
        let slow = RedisError::from(io::Error::from(io::ErrorKind::TimedOut));
        let err = commanding(
            &slow,
            "h:6379",
            "load the token record",
            Duration::from_secs(2),
        );
        assert_eq!(err.to_string(), "Redis at h:6379 did not answer within 2s");
        let err = connecting(&slow, "h:6379", Duration::from_millis(300));
        assert_eq!(
            err.to_string(),
            "Redis at h:6379 is unreachable: no answer within 300ms"
        );
    }

    #[test]
    fn quoted_arguments_are_cut_off() {
        let unknown = redis::make_extension_error(
            "ERR".to_owned(),
            Some(
                "unknown command 'EVALSHA', with args beginning with: 'abc' '1' \
                 '{\"access_token\":\"t0ken\"'"
                    .to_owned(),
            ),
        );
        let text = reason(&unknown);
        assert!(!text.contains("t0ken"), "{text}");
        assert!(text.contains("unknown command"), "{text}");
    }
}
