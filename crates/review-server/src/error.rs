//! Why [`serve`](crate::serve) refused to start.

/// A [`Limits`](crate::Limits) value the loop cannot honour. Checked before anything is
/// accepted, so a bad configuration is reported instead of panicking deep inside hyper or tokio
/// (an `Instant` overflow, a semaphore past its maximum).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// One limit is outside its range.
    #[error("the server limit `{name}` must be within {range}, not {value}")]
    Limit {
        /// The field of [`Limits`](crate::Limits), e.g. `header_read_timeout`.
        name: &'static str,
        /// The accepted range, written out (`1ms..=86400s`).
        range: String,
        /// The refused value, written out.
        value: String,
    },
}
