//! What a driver feeds back after a send: the platform's answer, or how far a request that got
//! none went.

/// How far a request that got no answer went: all the machine needs to know of a transport
/// failure to decide whether even a write may go again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Provably never reached the server (connection refused, host not found, TLS handshake
    /// failed): safe to send again, even a write.
    NotSent,
    /// May have reached the server (a timeout, a reset after the request went out): a write
    /// may have executed, so it is not sent again.
    Ambiguous,
}

/// A request that got no answer: how far it went, and the driver's own error, handed back
/// untouched in [`CallError`](super::CallError) if the call gives up on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered<E> {
    delivery: Delivery,
    error: E,
}

impl<E> Unanswered<E> {
    /// A failure that went as far as `delivery`.
    pub fn new(delivery: Delivery, error: E) -> Self {
        Self { delivery, error }
    }

    /// A request that never left.
    pub fn not_sent(error: E) -> Self {
        Self::new(Delivery::NotSent, error)
    }

    /// A request that may have been carried out.
    pub fn ambiguous(error: E) -> Self {
        Self::new(Delivery::Ambiguous, error)
    }

    /// How far it went.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// The driver's error.
    pub fn error(&self) -> &E {
        &self.error
    }

    /// The driver's error, by value.
    pub fn into_error(self) -> E {
        self.error
    }
}

/// What [`Machine::feed`](super::Machine::feed) takes: an HTTP answer (4xx and 5xx included:
/// they are answers, parsed by the endpoint) or a request that got none.
pub type Answer<E> = Result<http::Response<Vec<u8>>, Unanswered<E>>;
