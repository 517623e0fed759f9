//! The one error type of the mirror. No variant carries a password: connection targets are
//! redacted before they get here, and driver errors are kept as their own (secret-free) messages.

use std::error::Error as StdError;

/// A boxed driver error (rusqlite or postgres), kept as the source.
pub type DriverError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong with the mirror.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The mirror URL is not one this crate opens.
    #[error(
        "bad mirror URL: {reason}; expected sqlite:PATH, sqlite://PATH, sqlite::memory:, \
         postgres://USER@HOST:PORT/DB or postgresql://..."
    )]
    Url {
        /// What is wrong with it (never the password).
        reason: String,
    },
    /// The database could not be opened or reached.
    #[error("cannot open the mirror at {target}: {source}")]
    Connect {
        /// The URL, redacted.
        target: String,
        /// The driver's error.
        #[source]
        source: DriverError,
    },
    /// Applying the schema migrations failed.
    #[error("migrating the mirror schema ({step}): {source}")]
    Migrate {
        /// The migration or step that failed.
        step: String,
        /// The driver's error.
        #[source]
        source: DriverError,
    },
    /// The database was migrated by a newer build: refused rather than written in a shape this
    /// build does not know.
    #[error(
        "the mirror's schema is at version {found}, newer than this build knows (up to {known}): \
         upgrade reviews, or point --db at another database"
    )]
    SchemaTooNew {
        /// The highest version recorded in `schema_migrations`.
        found: i64,
        /// The highest version this build has.
        known: i64,
    },
    /// A statement failed.
    #[error("mirror query failed ({what}): {source}")]
    Query {
        /// Which operation.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: DriverError,
    },
    /// A stored value could not be read back as its type.
    #[error("corrupt mirror row ({what}): {detail}")]
    Corrupt {
        /// Which column or table.
        what: &'static str,
        /// What was found.
        detail: String,
    },
    /// A value does not fit the mirror's columns (an amount past `i64`, a time out of range).
    #[error("value out of range for the mirror: {0}")]
    OutOfRange(String),
    /// A batch for one platform's tenant held a review of the other platform.
    #[error("a {review} review in a batch for a {tenant} tenant")]
    PlatformMismatch {
        /// The tenant's platform.
        tenant: review_model::Platform,
        /// The review's.
        review: review_model::Platform,
    },
    /// `push_retry` or `push_failed` named an id that `push_events` does not have.
    #[error("no push event with id {0}")]
    UnknownPush(i64),
}

impl StoreError {
    /// A query error from any driver error.
    pub(crate) fn query(what: &'static str, source: impl Into<DriverError>) -> Self {
        Self::Query {
            what,
            source: source.into(),
        }
    }

    /// A corrupt-row error.
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> Self {
        Self::Corrupt {
            what,
            detail: detail.into(),
        }
    }
}
