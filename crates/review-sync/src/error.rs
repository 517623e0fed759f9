//! Why a sync stopped.

use review_client::ClientError;
use review_store::{StoreError, Tenant};

/// Why a sync stopped; what was committed before stays (and its bookmark with it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The API or the network failed while reading `tenant`.
    #[error("syncing {platform} {account}: {source}", platform = tenant.platform, account = tenant.account)]
    Client {
        /// Whose reviews were being read.
        tenant: Tenant,
        /// What failed.
        #[source]
        source: Box<ClientError>,
    },
    /// The mirror refused a read or a write.
    #[error("the mirror failed: {0}")]
    Store(#[from] StoreError),
    /// The mirror's writer thread is gone (it panicked or could not start).
    #[error("the mirror's writer thread stopped")]
    WriterGone,
    /// The observer asked to stop; what was read before is committed.
    #[error("stopped on request")]
    Stopped,
}
